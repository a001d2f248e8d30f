import { Type } from '@sinclair/typebox';
import {
  Id,
  IsoTime,
  Sha256Hex,
  Text,
  checkOf,
  checkSize,
  fieldErrors,
  isoToMs,
  parseJson,
  validate,
} from './validation';
import { ChaincodeError } from './errors';

function refusal(fn: () => unknown): ChaincodeError {
  try {
    fn();
  } catch (e) {
    return e as ChaincodeError;
  }
  throw new Error('expected a refusal');
}

describe('validation helpers', () => {
  it('checks the shared field schemas', () => {
    expect(fieldErrors(Id(), 'R-1.a:b_c')).toEqual([]);
    expect(fieldErrors(Id(), '-x')).not.toEqual([]);
    expect(fieldErrors(Sha256Hex(), 'a'.repeat(64))).toEqual([]);
    expect(fieldErrors(Sha256Hex(), 'A'.repeat(64))).not.toEqual([]);
    expect(fieldErrors(IsoTime(), '2026-11-25T14:35:00Z')).toEqual([]);
    expect(fieldErrors(IsoTime(), '2026-11-25T14:35:00.123456789Z')).toEqual([]);
    expect(fieldErrors(IsoTime(), '2026-11-25 14:35')).not.toEqual([]);
    expect(fieldErrors(Text(3), 'abcd')).not.toEqual([]);
  });

  it('compiles each schema once', () => {
    const schema = Id();
    expect(checkOf(schema)).toBe(checkOf(schema));
    expect(checkOf(schema).Check('R-1')).toBe(true);
    expect(checkOf(Id())).not.toBe(checkOf(schema));
  });

  it('validates with field paths and caps the list', () => {
    const schema = Type.Array(Type.Integer(), { maxItems: 100 });
    const e = refusal(() =>
      validate(
        schema,
        Array.from({ length: 30 }, () => 'x'),
        'numbers',
      ),
    );
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.details.input).toBe('numbers');
    expect((e.details.errors as unknown[]).length).toBe(20);
    expect(validate(schema, [1, 2])).toEqual([1, 2]);
  });

  it('refuses oversize, malformed JSON and impossible times', () => {
    expect(refusal(() => checkSize('abcd', 'x', 3)).details).toEqual({ input: 'x', size: 4, limit: 3 });
    expect(() => checkSize(Buffer.from('abc'), 'x', 3)).not.toThrow();
    expect(parseJson('{"a":1}')).toEqual({ a: 1 });
    expect(refusal(() => parseJson('{', 'body')).reason).toBe('body is not valid JSON');
    expect(isoToMs('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(refusal(() => isoToMs('2026-13-45T00:00:00Z', 'validUntil')).details).toEqual({
      field: 'validUntil',
      value: '2026-13-45T00:00:00Z',
    });
    // Days past the month's end, which Date.parse would roll into the next month.
    for (const impossible of ['2026-06-31T00:00:00Z', '2026-02-29T12:00:00.000Z', '2026-04-31T00:00Z'])
      expect(refusal(() => isoToMs(impossible)).details).toEqual({ field: 'time', value: impossible });
    expect(isoToMs('2028-02-29T12:00:00.5Z')).toBe(Date.UTC(2028, 1, 29, 12, 0, 0, 500));
    expect(isoToMs('2026-06-01T09:15Z')).toBe(Date.UTC(2026, 5, 1, 9, 15));
  });
});
