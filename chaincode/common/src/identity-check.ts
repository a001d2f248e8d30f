import type { Context } from 'fabric-contract-api';
import { ChaincodeError, failedPrecondition, forbidden } from './errors';
import { caller } from './caller';

/**
 * Where the identity chaincode lives and the evaluate transactions other chaincodes call.
 * Chaincodes on `city` make a normal cross-chaincode call (its reads join the caller's read set
 * and are re-validated at commit). The medical chaincode on `health` makes a cross-channel call:
 * Fabric allows it read-only, on an endorsing peer that joined both channels, and the read is
 * checked at endorsement only — a lock committed between endorsement and commit is not seen.
 */
export const IdentityService = {
  chaincode: 'identity',
  channel: 'city',
  checkResident: 'status:CheckResident',
  checkCaller: 'status:CheckCaller',
  checkCredential: 'status:CheckCredential',
  checkHolderCredential: 'status:CheckHolderCredential',
} as const;

export type ResidentStatus = 'ACTIVE' | 'SUSPENDED' | 'LOCKED' | 'DECEASED';

export interface ResidentCheck {
  residentId: string;
  status: ResidentStatus;
  active: boolean;
}

/** CheckCaller's answer for the invoking certificate's `residentId` attribute. */
export interface CallerCheck extends ResidentCheck {
  /** The certificate is the resident's bound enrolment (not a stolen, re-bound or impostor one). */
  bound: boolean;
}

export type CredentialStatus = 'ACTIVE' | 'SUSPENDED' | 'REVOKED' | 'EXPIRED';

export interface CredentialCheck {
  credentialId: string;
  type: string;
  holderId: string;
  /** The status at this transaction's time (EXPIRED once validUntil has passed). */
  status: CredentialStatus;
  /** Active only when the credential is ACTIVE and, for a resident holder, the resident is ACTIVE. */
  active: boolean;
  validUntil?: string;
  /** For a resident holder (holderId without '/'): the resident's status. */
  holderStatus?: ResidentStatus;
}

async function ask<T>(ctx: Context, args: string[]): Promise<T> {
  let response;
  try {
    response = await ctx.stub.invokeChaincode(IdentityService.chaincode, args, IdentityService.channel);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw (
      ChaincodeError.parse(message) ??
      failedPrecondition('identity chaincode could not be queried', { cause: message })
    );
  }
  if (response.status >= 400) {
    const message = response.message ?? '';
    throw (
      ChaincodeError.parse(message) ??
      failedPrecondition('identity chaincode refused the query', { cause: message })
    );
  }
  const text = Buffer.from(response.payload ?? new Uint8Array()).toString('utf8');
  return (text === '' ? null : JSON.parse(text)) as T;
}

/** The resident's status as the identity chaincode sees it (NOT_FOUND for an unknown resident). */
export function checkResident(ctx: Context, residentId: string): Promise<ResidentCheck> {
  return ask<ResidentCheck>(ctx, [IdentityService.checkResident, residentId]);
}

/** FORBIDDEN (reason RESIDENT_NOT_ACTIVE) unless the resident is ACTIVE: locked, suspended and deceased identities act on nothing. */
export async function assertResidentActive(ctx: Context, residentId: string): Promise<ResidentCheck> {
  return activeOnly(await checkResident(ctx, residentId));
}

/** The check, unless its resident is not ACTIVE (FORBIDDEN, reason RESIDENT_NOT_ACTIVE). */
function activeOnly<T extends ResidentCheck>(check: T): T {
  if (!check.active) {
    throw forbidden(`resident ${check.residentId} is ${check.status}`, {
      reason: 'RESIDENT_NOT_ACTIVE',
      residentId: check.residentId,
      status: check.status,
    });
  }
  return check;
}

/**
 * The caller acts as the resident named by its `residentId` certificate attribute. FORBIDDEN with
 * reason NOT_A_RESIDENT without that attribute, CERTIFICATE_NOT_BOUND unless the certificate is the
 * enrolment the resident is bound to (a certificate re-bound away after theft, another certificate
 * claiming the same residentId, or any certificate of an unbound resident), RESIDENT_NOT_ACTIVE
 * unless the resident is ACTIVE. The identity chaincode answers for the creator it sees, which
 * invokeChaincode passes on unchanged: the attribute alone proves nothing.
 */
export async function assertCallerResidentActive(ctx: Context): Promise<CallerCheck> {
  const residentId = caller(ctx).residentId;
  if (!residentId) throw forbidden('caller has no residentId attribute', { reason: 'NOT_A_RESIDENT' });
  const check = await ask<CallerCheck>(ctx, [IdentityService.checkCaller]);
  if (!check.bound) {
    throw forbidden(`this certificate is not the enrolment resident ${residentId} is bound to`, {
      reason: 'CERTIFICATE_NOT_BOUND',
      residentId,
    });
  }
  return activeOnly(check);
}

/** FORBIDDEN (reason CREDENTIAL_NOT_ACTIVE) unless the credential is active now. */
export async function assertCredentialActive(ctx: Context, credentialId: string): Promise<CredentialCheck> {
  const check = await ask<CredentialCheck>(ctx, [IdentityService.checkCredential, credentialId]);
  if (!check.active) {
    const why = check.status === 'ACTIVE' ? `its holder is ${check.holderStatus}` : `it is ${check.status}`;
    throw forbidden(`credential ${credentialId} is not active: ${why}`, {
      reason: 'CREDENTIAL_NOT_ACTIVE',
      credentialId,
      status: check.status,
      ...holderStatusOf(check),
    });
  }
  return check;
}

/**
 * FORBIDDEN unless `holderId` holds an active credential of `type` (e.g. a doctor's licence:
 * holderId is the doctor's `<mspId>/<enrollmentId>`, see Caller.key).
 */
export async function assertHolderCredential(
  ctx: Context,
  holderId: string,
  type: string,
): Promise<CredentialCheck> {
  const check = await ask<CredentialCheck | null>(ctx, [
    IdentityService.checkHolderCredential,
    holderId,
    type,
  ]);
  if (!check || !check.active) {
    throw forbidden(`${holderId} holds no active ${type}`, {
      reason: 'CREDENTIAL_NOT_ACTIVE',
      holderId,
      type,
      status: check ? check.status : null,
      ...(check ? holderStatusOf(check) : {}),
    });
  }
  return check;
}

/** The holder's status for refusal details, when it is why an ACTIVE credential is not active. */
function holderStatusOf(check: CredentialCheck): { holderStatus?: ResidentStatus } {
  return check.holderStatus !== undefined && check.holderStatus !== 'ACTIVE'
    ? { holderStatus: check.holderStatus }
    : {};
}
