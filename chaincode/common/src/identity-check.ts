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
  checkCredential: 'status:CheckCredential',
  checkHolderCredential: 'status:CheckHolderCredential',
} as const;

export type ResidentStatus = 'ACTIVE' | 'SUSPENDED' | 'LOCKED' | 'DECEASED';

export interface ResidentCheck {
  residentId: string;
  status: ResidentStatus;
  active: boolean;
}

export type CredentialStatus = 'ACTIVE' | 'SUSPENDED' | 'REVOKED' | 'EXPIRED';

export interface CredentialCheck {
  credentialId: string;
  type: string;
  holderId: string;
  /** The status at this transaction's time (EXPIRED once validUntil has passed). */
  status: CredentialStatus;
  active: boolean;
  validUntil?: string;
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
  const check = await checkResident(ctx, residentId);
  if (!check.active) {
    throw forbidden(`resident ${residentId} is ${check.status}`, {
      reason: 'RESIDENT_NOT_ACTIVE',
      residentId,
      status: check.status,
    });
  }
  return check;
}

/** assertResidentActive for the caller's own `residentId` certificate attribute (FORBIDDEN without one). */
export async function assertCallerResidentActive(ctx: Context): Promise<ResidentCheck> {
  const residentId = caller(ctx).residentId;
  if (!residentId) throw forbidden('caller has no residentId attribute', { reason: 'NOT_A_RESIDENT' });
  return assertResidentActive(ctx, residentId);
}

/** FORBIDDEN (reason CREDENTIAL_NOT_ACTIVE) unless the credential is active now. */
export async function assertCredentialActive(ctx: Context, credentialId: string): Promise<CredentialCheck> {
  const check = await ask<CredentialCheck>(ctx, [IdentityService.checkCredential, credentialId]);
  if (!check.active) {
    throw forbidden(`credential ${credentialId} is ${check.status}`, {
      reason: 'CREDENTIAL_NOT_ACTIVE',
      credentialId,
      status: check.status,
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
    });
  }
  return check;
}
