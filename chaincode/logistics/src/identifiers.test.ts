import { containerCheckDigit, isValidContainerNumber, isValidImo } from './identifiers';

describe('IMO numbers', () => {
  it('accepts numbers whose check digit matches', () => {
    expect(isValidImo('IMO9074729')).toBe(true);
    expect(isValidImo('IMO9176187')).toBe(true);
  });
  it('refuses a wrong check digit, a wrong shape or a missing prefix', () => {
    expect(isValidImo('IMO9074728')).toBe(false);
    expect(isValidImo('IMO907472')).toBe(false);
    expect(isValidImo('9074729')).toBe(false);
  });
});

describe('ISO 6346 container numbers', () => {
  it('computes the check digit of known containers', () => {
    expect(containerCheckDigit('CSQU305438')).toBe(3);
  });
  it('accepts valid numbers and refuses typos', () => {
    expect(isValidContainerNumber('CSQU3054383')).toBe(true);
    expect(isValidContainerNumber('CSQU3054384')).toBe(false);
    expect(isValidContainerNumber('CSQX3054383')).toBe(false);
    expect(isValidContainerNumber('CSQU305438')).toBe(false);
  });
  it('maps a check value of 10 to 0', () => {
    // Find a serial whose sum mod 11 is 10 and check the rule on it.
    const serial = Array.from({ length: 1000 }, (_, i) => `ABCU${String(i).padStart(6, '0')}`).find((s) => {
      let sum = 0;
      const values: Record<string, number> = { A: 10, B: 12, C: 13, U: 32 };
      for (let i = 0; i < 10; i++) sum += (values[s[i]] ?? Number(s[i])) * 2 ** i;
      return sum % 11 === 10;
    });
    expect(serial).toBeDefined();
    expect(containerCheckDigit(serial as string)).toBe(0);
    expect(isValidContainerNumber(`${serial}0`)).toBe(true);
  });
});
