import { createHash } from 'node:crypto';

/**
 * Telemetry Merkle trees: RFC 6962 §2.1, the one scheme of CityLedger (chaincode/common/src/merkle.ts,
 * which the mobility chaincode verifies with; a unit test checks both agree):
 *   leaf = SHA-256(0x00 || canonicalJSON(reading))      node = SHA-256(0x01 || left || right)
 *   the tree over n leaves splits at k, the largest power of two below n; built bottom-up this is the
 *   same as carrying a level's odd last node up unchanged (never duplicating it).
 * A proof is the RFC 6962 audit path (sibling hashes from the leaf up, lowercase hex) with the leaf's
 * index and the window's size.
 */
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** Canonical JSON: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonical JSON refuses NaN and Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function leafHash(reading: unknown): string {
  return leafHashOfCanonical(canonicalJson(reading));
}

/** The leaf of a reading already in canonical JSON. */
export function leafHashOfCanonical(canonical: string): string {
  return sha256(Buffer.from([0]), Buffer.from(canonical, 'utf8')).toString('hex');
}

export function nodeHash(left: string, right: string): string {
  return sha256(Buffer.from([1]), Buffer.from(left, 'hex'), Buffer.from(right, 'hex')).toString('hex');
}

function nextLevel(level: string[]): string[] {
  const next: string[] = [];
  for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
  return next;
}

export function merkleRoot(leaves: string[]): string {
  if (leaves.length === 0) throw new Error('a Merkle window needs at least one reading');
  let level = leaves;
  while (level.length > 1) level = nextLevel(level);
  return level[0];
}

/** RFC 6962 PATH(index, D[n]): the siblings met on the way up (a carried-up node has none at that level). */
export function merkleProof(leaves: string[], index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new Error('leaf index out of range');
  const path: string[] = [];
  let level = leaves;
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    if (sibling < level.length) path.push(level[sibling]);
    level = nextLevel(level);
    i = Math.floor(i / 2);
  }
  return path;
}

/** RFC 9162 §2.1.3.2 inclusion verification. */
export function verifyProof(leaf: string, index: number, treeSize: number, path: string[], root: string): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

export const MERKLE_SCHEME = 'rfc6962-sha256';
