import { createHash } from 'node:crypto';

/**
 * Telemetry Merkle trees, the scheme the mobility chaincode documents too (RFC 6962 style):
 *   leaf  = SHA-256(0x00 || canonicalJSON(reading))
 *   node  = SHA-256(0x01 || left || right)
 *   a level with an odd count carries its last node up unchanged (no duplication, so no CVE-2012-2459).
 * Hashes are lowercase hex. A proof lists the sibling hashes from the leaf up, each with its side.
 */
export interface ProofStep {
  side: 'left' | 'right';
  hash: string;
}

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** Canonical JSON: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function leafHash(reading: unknown): string {
  return sha256(Buffer.from([0]), Buffer.from(canonicalJson(reading))).toString('hex');
}

export function nodeHash(left: string, right: string): string {
  return sha256(Buffer.from([1]), Buffer.from(left, 'hex'), Buffer.from(right, 'hex')).toString('hex');
}

export function merkleRoot(leaves: string[]): string {
  if (leaves.length === 0) throw new Error('a Merkle window needs at least one reading');
  let level = leaves;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

export function merkleProof(leaves: string[], index: number): ProofStep[] {
  if (index < 0 || index >= leaves.length) throw new Error('leaf index out of range');
  const proof: ProofStep[] = [];
  let level = leaves;
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    if (sibling < level.length) proof.push({ side: i % 2 === 0 ? 'right' : 'left', hash: level[sibling] });
    const next: string[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(j + 1 < level.length ? nodeHash(level[j], level[j + 1]) : level[j]);
    level = next;
    i = Math.floor(i / 2);
  }
  return proof;
}

export function verifyProof(leaf: string, proof: ProofStep[], root: string): boolean {
  let h = leaf;
  for (const step of proof) h = step.side === 'left' ? nodeHash(step.hash, h) : nodeHash(h, step.hash);
  return h === root;
}
