import { createHash } from 'crypto';
import { canonicalJson } from './canonical';

/**
 * The one Merkle scheme of CityLedger (telemetry windows): RFC 6962 §2.1 (Certificate Transparency).
 *
 * - leaf hash  = SHA-256(0x00 || leaf bytes); a telemetry reading's leaf bytes are its canonical JSON (UTF-8)
 * - node hash  = SHA-256(0x01 || left || right)
 * - the tree over n leaves splits at k, the largest power of two smaller than n (MTH)
 * - an audit path lists the sibling subtree hashes from the leaf up (PATH(m, D[n]))
 * - the empty tree's root is SHA-256 of nothing
 *
 * Pure and free of Fabric imports: the gateway builds windows and proofs with the same code the
 * chaincode verifies with (import `@cityledger/chaincode-common/dist/merkle`).
 */
export const MERKLE_SCHEME = 'rfc6962-sha256';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export function leafHash(leaf: Uint8Array): Buffer {
  return sha256(LEAF_PREFIX, leaf);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** The leaf bytes of a telemetry reading: its canonical JSON (sorted keys, no whitespace). */
export function readingBytes(reading: unknown): Buffer {
  return Buffer.from(canonicalJson(reading), 'utf8');
}

/** The leaf hash of a reading. */
export function readingLeafHash(reading: unknown): Buffer {
  return leafHash(readingBytes(reading));
}

/** k of RFC 6962: the largest power of two strictly smaller than n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over already-hashed leaves. */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return sha256();
  if (hashes.length === 1) return Buffer.from(hashes[0]);
  const k = split(hashes.length);
  return nodeHash(rootFromLeafHashes(hashes.slice(0, k)), rootFromLeafHashes(hashes.slice(k)));
}

/** MTH over raw leaves. */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  return rootFromLeafHashes(leaves.map(leafHash));
}

/** PATH(index, D[n]) over already-hashed leaves: sibling hashes from the leaf up. */
export function auditPathFromLeafHashes(index: number, hashes: readonly Uint8Array[]): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length) {
    throw new RangeError(`leaf index ${index} outside a tree of ${hashes.length}`);
  }
  if (hashes.length === 1) return [];
  const k = split(hashes.length);
  return index < k
    ? [...auditPathFromLeafHashes(index, hashes.slice(0, k)), rootFromLeafHashes(hashes.slice(k))]
    : [...auditPathFromLeafHashes(index - k, hashes.slice(k)), rootFromLeafHashes(hashes.slice(0, k))];
}

/** PATH(index, D[n]) over raw leaves. */
export function auditPath(index: number, leaves: readonly Uint8Array[]): Buffer[] {
  return auditPathFromLeafHashes(index, leaves.map(leafHash));
}

/**
 * The root an audit path leads to from `leaf` (a leaf hash) at `index` in a tree of `treeSize`
 * leaves, or undefined when the path cannot belong to such a tree (RFC 9162 §2.1.3.2, the
 * verification algorithm for RFC 6962 audit paths).
 */
export function rootFromAuditPath(
  index: number,
  treeSize: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize)
    return undefined;
  // Division instead of >> keeps sizes above 2^31 exact.
  const half = (x: number) => Math.floor(x / 2);
  const odd = (x: number) => x % 2 === 1;
  let fn = index;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return undefined;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

/** True when `path` proves leaf hash `leaf` at `index` in the tree of `treeSize` leaves with root `root`. */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromAuditPath(index, treeSize, leaf, path);
  return computed !== undefined && computed.equals(Buffer.from(root));
}

// Hex conveniences for telemetry windows (what travels in JSON).

/** The root (hex) of a window of readings. */
export function readingsRoot(readings: readonly unknown[]): string {
  return rootFromLeafHashes(readings.map(readingLeafHash)).toString('hex');
}

/** The audit path (hex) of readings[index]. */
export function readingProof(readings: readonly unknown[], index: number): string[] {
  return auditPathFromLeafHashes(index, readings.map(readingLeafHash)).map((h) => h.toString('hex'));
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/** True when `reading` is leaf `index` of the window (`treeSize` readings) whose root is `rootHex`. */
export function verifyReading(
  reading: unknown,
  index: number,
  treeSize: number,
  pathHex: readonly string[],
  rootHex: string,
): boolean {
  if (!HEX_HASH.test(rootHex) || !pathHex.every((h) => HEX_HASH.test(h))) return false;
  return verifyInclusion(
    index,
    treeSize,
    readingLeafHash(reading),
    pathHex.map((h) => Buffer.from(h, 'hex')),
    Buffer.from(rootHex, 'hex'),
  );
}
