import { StateMachine } from '@cityledger/chaincode-common';
import type { Credential, CredentialStatus, ResidentStatus } from './model';

/**
 * Residents. Actor labels: 'self' (the resident's own bound certificate), 'police', 'registrar'.
 * Unlock by 'self' is offered only when the resident locked it (see actors.ts).
 */
export const residentLifecycle = new StateMachine<ResidentStatus>(
  'resident',
  [
    { from: ['ACTIVE'], to: 'LOCKED', roles: ['self', 'police'] },
    { from: ['LOCKED'], to: 'ACTIVE', roles: ['self-unlock', 'police'] },
    { from: ['ACTIVE'], to: 'SUSPENDED', roles: ['registrar'] },
    { from: ['SUSPENDED'], to: 'ACTIVE', roles: ['registrar'] },
    { from: ['ACTIVE', 'SUSPENDED', 'LOCKED'], to: 'DECEASED', roles: ['registrar'] },
  ],
  ['DECEASED'],
);

/**
 * Credentials (issued = ACTIVE). Actor labels: 'issuer' (the issuing authority: same MSP and role),
 * 'holder', 'holder-reinstate' (the holder, when the holder suspended), 'anyone' (expiry by time).
 */
export const credentialLifecycle = new StateMachine<CredentialStatus>(
  'credential',
  [
    { from: ['ACTIVE'], to: 'SUSPENDED', roles: ['issuer', 'holder'] },
    { from: ['SUSPENDED'], to: 'ACTIVE', roles: ['issuer', 'holder-reinstate'] },
    { from: ['ACTIVE', 'SUSPENDED'], to: 'REVOKED', roles: ['issuer'] },
    { from: ['ACTIVE', 'SUSPENDED'], to: 'EXPIRED', roles: ['anyone'] },
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
