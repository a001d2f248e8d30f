import { createHash } from 'node:crypto';
import { canonicalJson } from '@cityledger/chaincode-common';
import type { Claims, CredentialDocument, SaltedClaim } from './model';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The hash the ledger keeps for the whole document. */
export const documentHash = (doc: CredentialDocument) => sha256(canonicalJson(doc));

/** One claim's salted hash: revealing {value, salt} of one claim proves it and nothing else. */
export const claimHash = (name: string, claim: SaltedClaim) =>
  sha256(canonicalJson({ name, salt: claim.salt, value: claim.value }));

export function claimHashes(claims: Claims): Record<string, string> {
  return Object.fromEntries(Object.entries(claims).map(([name, claim]) => [name, claimHash(name, claim)]));
}
