import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import { caller } from '../caller';
import { CityContract } from '../contract';
import { forbidden, notFound } from '../errors';
import type { CallerCheck, CredentialCheck, ResidentCheck, ResidentStatus } from '../identity-check';
import { Evaluate } from '../metadata';
import { Id } from '../validation';

/**
 * What a stand-in identity chaincode answers. Each function is called at query time, so a test
 * changes the answers by changing the tables behind them (lock a resident, revoke a licence).
 */
export interface IdentityAnswers {
  /** A resident's status; undefined for an unknown resident (NOT_FOUND). */
  residentStatus(residentId: string): string | undefined;
  /**
   * The City CA enrolment a resident is bound to; undefined when unbound. CheckCaller's `bound`
   * follows the identity chaincode: a CityMSP `resident` certificate with this enrolment id.
   */
  boundEnrollment(residentId: string): string | undefined;
  /** A credential by id; undefined: NOT_FOUND. `holderStatus` (a resident holder's) defaults to none. */
  credential?(
    credentialId: string,
  ): { type: string; holderId: string; status: string; holderStatus?: string } | undefined;
  /** The credential of `type` a holder has (an active one, else the latest); undefined: none. */
  holderCredential?(
    holderId: string,
    type: string,
  ): { credentialId: string; status: string; holderStatus?: string } | undefined;
}

/**
 * A stand-in for the identity chaincode's `status` contract (see identity-check.ts), for consumer
 * chaincodes' unit tests: `h.route(IdentityService.chaincode, IdentityService.channel,
 * new ContractHarness([fakeIdentityStatus(answers)]))`.
 */
export function fakeIdentityStatus(answers: IdentityAnswers): new () => CityContract {
  const resident = (residentId: string): ResidentCheck => {
    const status = answers.residentStatus(residentId);
    if (!status)
      throw notFound(`resident ${residentId} not found`, { objectType: 'resident', id: residentId });
    return { residentId, status: status as ResidentStatus, active: status === 'ACTIVE' };
  };
  const credentialCheck = (
    credentialId: string,
    c: { type: string; holderId: string; status: string; holderStatus?: string },
  ): CredentialCheck => ({
    credentialId,
    type: c.type,
    holderId: c.holderId,
    status: c.status as CredentialCheck['status'],
    active: c.status === 'ACTIVE' && (c.holderStatus ?? 'ACTIVE') === 'ACTIVE',
    ...(c.holderStatus !== undefined ? { holderStatus: c.holderStatus as ResidentStatus } : {}),
  });

  class FakeIdentityStatus extends CityContract {
    constructor() {
      super('status');
    }

    @Evaluate({ params: { residentId: Id() } })
    async CheckResident(_ctx: Context, residentId: string): Promise<ResidentCheck> {
      return resident(residentId);
    }

    @Evaluate()
    async CheckCaller(ctx: Context): Promise<CallerCheck> {
      const who = caller(ctx);
      if (!who.residentId)
        throw forbidden('caller has no residentId attribute', { reason: 'NOT_A_RESIDENT' });
      const check = resident(who.residentId);
      const enrollmentId = answers.boundEnrollment(who.residentId);
      const bound =
        who.mspId === 'CityMSP' &&
        who.role === 'resident' &&
        enrollmentId !== undefined &&
        who.enrollmentId === enrollmentId;
      return { ...check, bound };
    }

    @Evaluate({ params: { credentialId: Id() } })
    async CheckCredential(_ctx: Context, credentialId: string): Promise<CredentialCheck> {
      const c = answers.credential?.(credentialId);
      if (!c)
        throw notFound(`credential ${credentialId} not found`, {
          objectType: 'credential',
          id: credentialId,
        });
      return credentialCheck(credentialId, c);
    }

    @Evaluate({ params: { holderId: Type.String(), type: Id() } })
    async CheckHolderCredential(
      _ctx: Context,
      holderId: string,
      type: string,
    ): Promise<CredentialCheck | null> {
      const c = answers.holderCredential?.(holderId, type);
      return c ? credentialCheck(c.credentialId, { ...c, type, holderId }) : null;
    }
  }
  return FakeIdentityStatus;
}
