import { addAmounts, assertAmount, mulDiv, subtractAmounts } from './amounts';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

describe('integer amounts', () => {
  it('accepts safe integers only', () => {
    expect(() => assertAmount(5)).not.toThrow();
    expect(code(() => assertAmount(1.5))).toBe('INVALID_ARGUMENT');
    expect(code(() => assertAmount('5'))).toBe('INVALID_ARGUMENT');
    expect(code(() => assertAmount(2 ** 53))).toBe('INVALID_ARGUMENT');
  });

  it('adds, refusing overflow', () => {
    expect(addAmounts(1, 2, 3)).toBe(6);
    expect(addAmounts()).toBe(0);
    expect(code(() => addAmounts(Number.MAX_SAFE_INTEGER, 1))).toBe('INVALID_ARGUMENT');
  });

  it('subtracts, refusing negatives unless allowed', () => {
    expect(subtractAmounts(5, 3)).toBe(2);
    expect(code(() => subtractAmounts(3, 5))).toBe('INVALID_ARGUMENT');
    expect(subtractAmounts(3, 5, true)).toBe(-2);
  });

  it('multiplies and divides exactly', () => {
    expect(mulDiv(Number.MAX_SAFE_INTEGER, 3, 3)).toBe(Number.MAX_SAFE_INTEGER);
    expect(mulDiv(10, 1, 3)).toBe(3);
    expect(code(() => mulDiv(1, 1, 0))).toBe('INVALID_ARGUMENT');
    expect(code(() => mulDiv(Number.MAX_SAFE_INTEGER, 2, 1))).toBe('INVALID_ARGUMENT');
  });
});
