import type { Context } from 'fabric-contract-api';
import { caller, type Caller } from '@cityledger/chaincode-common';
import { CITY, type Credential, type Resident } from './model';
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

/** The caller belongs to the authority that issued the credential (same MSP and role). */
export function isIssuer(who: Caller, credential: Credential): boolean {
  return who.mspId === credential.issuer.mspId && who.role === credential.issuer.role;
}

/** The caller holds the credential: the bound resident, or the identity named as holder. */
export async function isHolder(ctx: Context, who: Caller, credential: Credential): Promise<boolean> {
  if (who.key === credential.holderId) return true;
  if (who.residentId !== credential.holderId) return false;
  const resident = await residents.get(ctx, credential.holderId);
  return resident !== undefined && isSelf(who, resident);
}

export async function credentialActor(ctx: Context, credential: Credential): Promise<string[]> {
  const who = caller(ctx);
  const labels = ['anyone'];
  if (isIssuer(who, credential)) labels.push('issuer');
  if (await isHolder(ctx, who, credential)) {
    labels.push('holder');
    if (credential.suspendedBy === 'holder') labels.push('holder-reinstate');
  }
  return labels;
}
