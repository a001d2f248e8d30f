import type { Context } from 'fabric-contract-api';
import { caller, type Caller } from '@cityledger/chaincode-common';
import { isTrustedIssuer } from './issuer-contract';
import { BIRTH_CERTIFICATE, CITY, Registrar, type Credential, type Resident } from './model';
import { residents } from './store';

/** The caller is the resident: a City CA `resident` certificate with this residentId and the bound enrolment. */
export function isSelf(who: Caller, resident: Resident): boolean {
  return (
    who.mspId === CITY &&
    who.role === 'resident' &&
    who.residentId === resident.residentId &&
    resident.enrollmentId !== undefined &&
    who.enrollmentId === resident.enrollmentId
  );
}

/** City roles that act on residents. */
function cityRoles(who: Caller): string[] {
  return who.mspId === CITY && (who.role === 'police' || who.role === 'registrar') ? [who.role] : [];
}

/** The labels the caller holds for a resident's lifecycle. */
export function residentActor(who: Caller, resident: Resident): string[] {
  const labels = cityRoles(who);
  if (isSelf(who, resident)) {
    labels.push('self');
    if (resident.lockedBy === 'self') labels.push('self-unlock');
  }
  return labels;
}

/**
 * The City's authority over credentials: the City registrar and admin, who decide which issuers
 * are trusted (issuer-contract.ts) and so must be able to withdraw what an issuer they stopped
 * trusting has issued.
 */
export function isCityAuthority(who: Caller): boolean {
  return who.mspId === CITY && (who.role === 'registrar' || who.role === 'admin');
}

/** The caller belongs to the authority that issued the credential (same MSP and role). */
export function isIssuer(who: Caller, credential: Credential): boolean {
  return who.mspId === credential.issuer.mspId && who.role === credential.issuer.role;
}

/** The caller may issue the credential's type now: a trusted issuer, or the registrar for birth certificates. */
async function issuesNow(ctx: Context, who: Caller, credential: Credential): Promise<boolean> {
  if (credential.type === BIRTH_CERTIFICATE)
    return who.mspId === Registrar.mspId && who.role === Registrar.role;
  return isTrustedIssuer(ctx, credential.type);
}

/**
 * The caller holds the credential and may act on it as holder: the identity named as holder, or
 * the bound resident while ACTIVE — under a fraud lock the bound certificate may be the stolen one,
 * and a suspended or deceased resident acts on nothing.
 */
export async function isHolder(ctx: Context, who: Caller, credential: Credential): Promise<boolean> {
  if (who.key === credential.holderId) return true;
  if (who.residentId !== credential.holderId) return false;
  const resident = await residents.get(ctx, credential.holderId);
  return resident !== undefined && resident.status === 'ACTIVE' && isSelf(who, resident);
}

/** The labels the caller holds for a credential's lifecycle (see lifecycle.ts). */
export async function credentialActor(ctx: Context, credential: Credential): Promise<string[]> {
  const who = caller(ctx);
  const labels: string[] = [];
  if (isIssuer(who, credential)) {
    labels.push('issuer');
    // Putting a credential back into force is issuing it again: only while still trusted, and
    // never over the City's own suspension.
    if (credential.suspendedBy !== 'city' && (await issuesNow(ctx, who, credential)))
      labels.push('issuer-reinstate');
  }
  if (await isHolder(ctx, who, credential)) {
    labels.push('holder');
    if (credential.suspendedBy === 'holder') labels.push('holder-reinstate');
  }
  if (isCityAuthority(who)) {
    labels.push('city');
    if (credential.suspendedBy === 'city') labels.push('city-reinstate');
  }
  return labels;
}
