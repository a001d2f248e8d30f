/**
 * The holder's side of identity credentials, computed off-chain exactly as chaincode/identity/README.md
 * ("Hashes") specifies, independently of the chaincode's code: canonical JSON, salted per-claim hashes,
 * the credential document and its hash, and transient maps.
 */
import { createHash, randomBytes } from 'node:crypto';

export type ClaimValue = string | number | boolean;
export interface SaltedClaim {
  value: ClaimValue;
  salt: string;
}
export type Claims = Record<string, SaltedClaim>;

export interface CredentialDocument {
  credentialId: string;
  type: string;
  holderId: string;
  /** `<issuer mspId>/<issuer enrollmentId>` */
  issuer: string;
  validUntil?: string;
  claims: Claims;
}

/** JSON with object keys sorted by UTF-16 code unit and no whitespace. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Each value with its own random 16-byte salt. */
export function saltClaims(values: Record<string, ClaimValue>): Claims {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, { value, salt: randomBytes(16).toString('hex') }]),
  );
}

export const claimHash = (name: string, claim: SaltedClaim): string =>
  sha256hex(canonical({ name, salt: claim.salt, value: claim.value }));

export const documentHash = (doc: CredentialDocument): string => sha256hex(canonical(doc));

/** A transient map: each key holds the UTF-8 JSON of its value. */
export function transient(values: Record<string, unknown>): Record<string, Uint8Array> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, Buffer.from(JSON.stringify(v), 'utf8')]),
  );
}
