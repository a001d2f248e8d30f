import { Repository } from '@cityledger/chaincode-common';
import type { AuditEntry, BirthAttestation, BirthRecord, Credential, Resident, TrustedIssuer } from './model';

export const residents = new Repository<Resident>('resident', (r) => [r.residentId]);
export const credentials = new Repository<Credential>('credential', (c) => [c.credentialId]);
/** Index: a holder's credentials by type. */
export const credentialsByHolder = new Repository<{ holderId: string; type: string; credentialId: string }>(
  'credentialByHolder',
  (x) => [x.holderId, x.type, x.credentialId],
);
export const trustedIssuers = new Repository<TrustedIssuer>('trustedIssuer', (t) => [
  t.credentialType,
  t.mspId,
  t.role,
]);
export const birthAttestations = new Repository<BirthAttestation>('birthAttestation', (b) => [
  b.attestationId,
]);
/**
 * Index: hospital birth record hash -> its attestation, so one birth is attested (and certified)
 * once. Written by AttestBirth from this version on: attestations made before have no entry.
 */
export const birthRecords = new Repository<BirthRecord>('birthRecord', (b) => [b.recordHash]);
/** Audit trail per subject ('resident:R1', 'credential:C1', 'issuers'), ordered by time. */
export const audit = new Repository<AuditEntry>('audit', (a) => [a.subject, a.at, a.txId]);
