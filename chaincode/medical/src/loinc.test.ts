import { assertKnownCodes, assertMeasurement, codeInfo, knownCodes, scaled } from './loinc';

describe('LOINC catalogue', () => {
  it('knows the body-composition codes of the seed scan with their UCUM units', () => {
    expect(codeInfo('29463-7')).toMatchObject({ unit: 'kg' });
    expect(codeInfo('39156-5')).toMatchObject({ unit: 'kg/m2' });
    expect(codeInfo('41982-0')).toMatchObject({ unit: '%' });
    expect(knownCodes()).toHaveLength(new Set(knownCodes()).size);
    expect(codeInfo('0000-0')).toBeUndefined();
  });

  it('accepts plausible values with up to 3 decimals', () => {
    expect(assertMeasurement('29463-7', 70.125, 'kg', 0).code).toBe('29463-7');
    expect(scaled(70.125)).toBe(70125);
    expect(scaled(0.1 + 0.2)).toBe(300);
  });

  it.each([
    ['unknown code', '1-1', 1, 'kg', '/items/2/code'],
    ['wrong unit', '29463-7', 70, '[lb_av]', '/items/2/unit'],
    ['too small', '29463-7', 0.1, 'kg', '/items/2/value'],
    ['too large', '41982-0', 81, '%', '/items/2/value'],
    ['too precise', '29463-7', 70.0001, 'kg', '/items/2/value'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', (_name, code, value, unit, field) => {
    expect(() => assertMeasurement(code, value, unit, 2)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ field }) }),
    );
  });

  it('assertKnownCodes lists the unknown ones', () => {
    expect(() => assertKnownCodes(['29463-7'], 'codes')).not.toThrow();
    expect(() => assertKnownCodes(['29463-7', '1-1', '2-2'], 'codes')).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ unknown: ['1-1', '2-2'] }) }),
    );
  });
});
