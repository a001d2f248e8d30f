import type { Context } from 'fabric-contract-api';
import { StateMachine } from '@cityledger/chaincode-common';
import type { Credential, CredentialStatus, ResidentStatus } from './model';
import { residents } from './store';

/**
 * Residents. Actor labels: 'self' (the resident's own bound certificate), 'police', 'registrar'.
 * Unlock by 'self' is offered only when the resident locked it (see actors.ts). The police may also
 * lock a SUSPENDED resident (theft does not wait for a suspension to end); unlocking then returns
 * it to SUSPENDED, not ACTIVE (Resident.lockedFrom, resident-contract.ts), so a lock never ends a
 * suspension.
 */
export const residentLifecycle = new StateMachine<ResidentStatus>(
  'resident',
  [
    { from: ['ACTIVE'], to: 'LOCKED', roles: ['self', 'police'] },
    { from: ['SUSPENDED'], to: 'LOCKED', roles: ['police'] },
    { from: ['LOCKED'], to: 'ACTIVE', roles: ['self-unlock', 'police'] },
    { from: ['ACTIVE'], to: 'SUSPENDED', roles: ['registrar'] },
    { from: ['SUSPENDED'], to: 'ACTIVE', roles: ['registrar'] },
    { from: ['ACTIVE', 'SUSPENDED', 'LOCKED'], to: 'DECEASED', roles: ['registrar'] },
  ],
  ['DECEASED'],
);

/**
 * Credentials (issued = ACTIVE). Actor labels (actors.ts):
 * - 'issuer': the issuing authority (same MSP and role); 'issuer-reinstate': the same, while still a
 *   trusted issuer of the type and unless the City suspended;
 * - 'holder': the holder (a resident holder only while ACTIVE); 'holder-reinstate': the same, when
 *   the holder suspended;
 * - 'city': the City registrar or admin, who withdraw what an issuer they no longer trust issued;
 *   'city-reinstate': the same, when the City suspended.
 * Expiry is recorded by those with a stake in the credential only: the transaction time is the
 * client's, and a forward-dated one would otherwise let anyone end any credential for good.
 */
export const credentialLifecycle = new StateMachine<CredentialStatus>(
  'credential',
  [
    { from: ['ACTIVE'], to: 'SUSPENDED', roles: ['issuer', 'holder', 'city'] },
    { from: ['SUSPENDED'], to: 'ACTIVE', roles: ['issuer-reinstate', 'holder-reinstate', 'city-reinstate'] },
    { from: ['ACTIVE', 'SUSPENDED'], to: 'REVOKED', roles: ['issuer', 'city'] },
    { from: ['ACTIVE', 'SUSPENDED'], to: 'EXPIRED', roles: ['issuer', 'holder', 'city'] },
  ],
  ['REVOKED', 'EXPIRED'],
);

/** The status at `nowMs`: ACTIVE and SUSPENDED credentials are EXPIRED once validUntil has passed. */
export function effectiveStatus(credential: Credential, nowMs: number): CredentialStatus {
  const live = credential.status === 'ACTIVE' || credential.status === 'SUSPENDED';
  if (live && credential.validUntil !== undefined && nowMs >= Date.parse(credential.validUntil))
    return 'EXPIRED';
  return credential.status;
}

/**
 * The status of a resident holder (holderId without '/'); undefined for a non-resident holder.
 * A credential of a resident who is not ACTIVE neither verifies nor checks active: a locked
 * identity may be in a thief's hands, and a deceased one holds nothing.
 */
export async function holderStatus(ctx: Context, holderId: string): Promise<ResidentStatus | undefined> {
  if (holderId.includes('/')) return undefined;
  // Every resident holder is registered: issuance requires it, birth registration creates it.
  return (await residents.require(ctx, holderId)).status;
}
