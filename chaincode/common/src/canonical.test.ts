import fc from 'fast-check';
import { canonicalJson, fromBytes, toBytes } from './canonical';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('writes undefined array items as null, uses toJSON, keeps primitives', () => {
    expect(canonicalJson([undefined, 'x', true, null])).toBe('[null,"x",true,null]');
    expect(canonicalJson({ when: new Date(0) })).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson('s')).toBe('"s"');
  });

  it('refuses values JSON cannot represent faithfully', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow('non-finite');
    expect(() => canonicalJson({ x: Infinity })).toThrow('non-finite');
    expect(() => canonicalJson(BigInt(1))).toThrow('bigint');
    expect(() => canonicalJson(undefined)).toThrow('no JSON representation');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow('cyclic');
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });

  it('is independent of key insertion order and round-trips', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(canonicalJson(fromBytes(toBytes(obj)))).toBe(canonicalJson(obj));
      }),
    );
  });
});
