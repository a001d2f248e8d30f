import fc from 'fast-check';
import * as common from '../../../chaincode/common/src/merkle';
import { leafHash, merkleProof, merkleRoot, nodeHash, verifyProof } from './merkle';

const reading = fc.record({ timestamp: fc.integer({ min: 0 }), speedKmh: fc.integer({ min: 0, max: 300 }), lat: fc.integer(), lon: fc.integer(), vin: fc.string() });

describe('telemetry Merkle windows', () => {
  it('matches the documented scheme on a tiny example', () => {
    const [a, b, c] = [{ t: 1 }, { t: 2 }, { t: 3 }].map(leafHash);
    expect(merkleRoot([a])).toBe(a);
    expect(merkleRoot([a, b, c])).toBe(nodeHash(nodeHash(a, b), c));
    expect(merkleProof([a, b, c], 2)).toEqual([nodeHash(a, b)]);
    expect(leafHash({ b: 1, a: 2 })).toBe(leafHash({ a: 2, b: 1 }));
  });

  it('agrees with chaincode/common (the code the mobility chaincode verifies with): roots, paths and verification', () => {
    fc.assert(
      fc.property(fc.array(reading, { minLength: 1, maxLength: 40 }), fc.nat(), (readings, pick) => {
        const leaves = readings.map(leafHash);
        const index = pick % readings.length;
        expect(merkleRoot(leaves)).toBe(common.readingsRoot(readings));
        const path = merkleProof(leaves, index);
        expect(path).toEqual(common.readingProof(readings, index));
        expect(common.verifyReading(readings[index], index, readings.length, path, merkleRoot(leaves))).toBe(true);
        expect(verifyProof(leaves[index], index, readings.length, path, merkleRoot(leaves))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a tampered reading, a wrong index or a wrong size', () => {
    const leaves = Array.from({ length: 7 }, (_, i) => leafHash({ i }));
    const root = merkleRoot(leaves);
    const path = merkleProof(leaves, 3);
    expect(verifyProof(leaves[3], 3, 7, path, root)).toBe(true);
    expect(verifyProof(leafHash({ i: 99 }), 3, 7, path, root)).toBe(false);
    expect(verifyProof(leaves[3], 2, 7, path, root)).toBe(false);
    // The size matters where the tree's shape differs: leaf 6 of 7 is carried up, leaf 6 of 8 is not.
    const last = merkleProof(leaves, 6);
    expect(verifyProof(leaves[6], 6, 7, last, root)).toBe(true);
    expect(verifyProof(leaves[6], 6, 8, last, root)).toBe(false);
    expect(() => merkleProof(leaves, 7)).toThrow();
    expect(() => merkleRoot([])).toThrow();
  });
});
