import fc from 'fast-check';
import {
  auditPath,
  auditPathFromLeafHashes,
  leafHash,
  merkleRoot,
  nodeHash,
  readingLeafHash,
  readingProof,
  readingsRoot,
  rootFromAuditPath,
  verifyInclusion,
  verifyReading,
} from './merkle';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Buffer.from(h, 'hex');

// The Certificate Transparency reference data (certificate-transparency-go testonly/constants.go):
// leaves, the root of the tree over the first n of them, and audit paths.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(bytes);
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_PATHS: [number, number, string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

describe('RFC 6962 reference vectors', () => {
  it('hashes the empty tree to SHA-256 of nothing', () => {
    expect(hex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the published root for trees of 1..8 leaves', () => {
    for (let n = 1; n <= 8; n++) expect(hex(merkleRoot(CT_LEAVES.slice(0, n)))).toBe(CT_ROOTS[n - 1]);
  });

  it('gives the published audit paths, and each leads to the published root', () => {
    for (const [i, n, path] of CT_PATHS) {
      expect(auditPath(i, CT_LEAVES.slice(0, n)).map(hex)).toEqual(path);
      expect(hex(rootFromAuditPath(i, n, leafHash(CT_LEAVES[i]), path.map(bytes)) as Buffer)).toBe(
        CT_ROOTS[n - 1],
      );
    }
  });

  it('uses distinct prefixes for leaves and nodes (no second-preimage via a node posing as a leaf)', () => {
    const [a, b] = [leafHash(CT_LEAVES[0]), leafHash(CT_LEAVES[1])];
    expect(hex(nodeHash(a, b))).toBe(CT_ROOTS[1]);
    expect(hex(leafHash(Buffer.concat([a, b])))).not.toBe(CT_ROOTS[1]);
  });
});

const leavesArb = fc.array(fc.uint8Array({ maxLength: 24 }), { minLength: 1, maxLength: 70 });

describe('inclusion proofs (properties)', () => {
  it('every leaf of every tree proves against the root', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const root = merkleRoot(leaves);
        return leaves.every((leaf, i) =>
          verifyInclusion(i, leaves.length, leafHash(leaf), auditPath(i, leaves), root),
        );
      }),
    );
  });

  it('a tampered leaf fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.uint8Array({ maxLength: 24 }), (leaves, at, other) => {
        const i = at % leaves.length;
        fc.pre(!Buffer.from(other).equals(Buffer.from(leaves[i])));
        return !verifyInclusion(i, leaves.length, leafHash(other), auditPath(i, leaves), merkleRoot(leaves));
      }),
    );
  });

  it('a tampered path element, a wrong index or a truncated/extended path fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), (leaves, at, bit) => {
        const n = leaves.length;
        const i = at % n;
        const leaf = leafHash(leaves[i]);
        const path = auditPath(i, leaves);
        const root = merkleRoot(leaves);
        const checks: boolean[] = [];
        if (path.length > 0) {
          const bad = path.map((p) => Buffer.from(p));
          const j = bit % bad.length;
          bad[j][bit % 32] ^= 1 << (bit % 8);
          checks.push(!verifyInclusion(i, n, leaf, bad, root));
          checks.push(!verifyInclusion(i, n, leaf, path.slice(1), root));
        }
        checks.push(!verifyInclusion(i, n, leaf, [...path, root], root));
        if (n > 1)
          checks.push(
            !verifyInclusion((i + 1) % n, n, leaf, path, root) ||
              leaves[(i + 1) % n].toString() === leaves[i].toString(),
          );
        return checks.every(Boolean);
      }),
    );
  });

  it('binds the path to the tree size: a path of the wrong length for the size fails', () => {
    const path = CT_PATHS[2][2].map(bytes); // leaf 5 of 8
    expect(verifyInclusion(5, 6, leafHash(CT_LEAVES[5]), path, bytes(CT_ROOTS[7]))).toBe(false);
    expect(verifyInclusion(5, 16, leafHash(CT_LEAVES[5]), path, bytes(CT_ROOTS[7]))).toBe(false);
  });

  it('refuses indices outside the tree', () => {
    expect(() => auditPath(3, CT_LEAVES.slice(0, 3))).toThrow(RangeError);
    expect(() => auditPathFromLeafHashes(-1, [leafHash(CT_LEAVES[0])])).toThrow(RangeError);
    expect(rootFromAuditPath(3, 3, leafHash(CT_LEAVES[0]), [])).toBeUndefined();
    expect(rootFromAuditPath(-1, 3, leafHash(CT_LEAVES[0]), [])).toBeUndefined();
    expect(rootFromAuditPath(0, 1.5, leafHash(CT_LEAVES[0]), [])).toBeUndefined();
  });
});

describe('telemetry readings', () => {
  const readings = [
    { t: '2026-06-01T08:00:00.000Z', speedKmh: 42, automation: true },
    { t: '2026-06-01T08:00:01.000Z', speedKmh: 43, automation: true },
    { t: '2026-06-01T08:00:02.000Z', speedKmh: 45, automation: false },
  ];

  it('hashes a reading by its canonical JSON, so key order does not matter', () => {
    expect(hex(readingLeafHash({ b: 1, a: 2 }))).toBe(hex(leafHash(Buffer.from('{"a":2,"b":1}'))));
  });

  it('proves each reading of a window and refuses a forged one or malformed hex', () => {
    const root = readingsRoot(readings);
    readings.forEach((r, i) => expect(verifyReading(r, i, 3, readingProof(readings, i), root)).toBe(true));
    const path = readingProof(readings, 1);
    expect(verifyReading({ ...readings[1], speedKmh: 30 }, 1, 3, path, root)).toBe(false);
    expect(verifyReading(readings[1], 1, 3, path, 'zz')).toBe(false);
    expect(verifyReading(readings[1], 1, 3, ['ABC'], root)).toBe(false);
  });
});
