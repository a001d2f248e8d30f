import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  caller,
  forbidden,
  txTime,
  type CallerCheck,
  type CredentialCheck,
  type ResidentCheck,
} from '@cityledger/chaincode-common';
import { isSelf } from './actors';
import { effectiveStatus, holderStatus } from './lifecycle';
import {
  CallerCheckSchema,
  CredentialCheckSchema,
  HolderId,
  ResidentCheckSchema,
  type Credential,
  type ResidentStatus,
} from './model';
import { credentials, credentialsByHolder, residents } from './store';

/**
 * The status checks other chaincodes call through invokeChaincode (see chaincode-common's
 * identity-check.ts: assertResidentActive, assertCallerResidentActive, assertCredentialActive,
 * assertHolderCredential).
 */
export class StatusContract extends CityContract {
  constructor() {
    super('status');
  }

  @Evaluate({
    description: "A resident's status; active only when ACTIVE (not LOCKED, SUSPENDED or DECEASED).",
    params: { residentId: Id() },
    returns: ResidentCheckSchema,
  })
  async CheckResident(ctx: Context, residentId: string): Promise<ResidentCheck> {
    const resident = await residents.require(ctx, residentId);
    return { residentId, status: resident.status, active: resident.status === 'ACTIVE' };
  }

  @Evaluate({
    description:
      "The calling certificate's resident (its residentId attribute): status, and bound = the certificate is the enrolment the resident is bound to. invokeChaincode passes the original caller's certificate, so other chaincodes learn whether their caller is the resident.",
    returns: CallerCheckSchema,
  })
  async CheckCaller(ctx: Context): Promise<CallerCheck> {
    const who = caller(ctx);
    if (!who.residentId) throw forbidden('caller has no residentId attribute', { reason: 'NOT_A_RESIDENT' });
    const resident = await residents.require(ctx, who.residentId);
    return {
      residentId: resident.residentId,
      status: resident.status,
      active: resident.status === 'ACTIVE',
      bound: isSelf(who, resident),
    };
  }

  @Evaluate({
    description:
      "A credential's status at the transaction time; active also requires a resident holder to be ACTIVE.",
    params: { credentialId: Id() },
    returns: CredentialCheckSchema,
  })
  async CheckCredential(ctx: Context, credentialId: string): Promise<CredentialCheck> {
    const credential = await credentials.require(ctx, credentialId);
    return check(credential, txTime(ctx).ms, await holderStatus(ctx, credential.holderId));
  }

  @Evaluate({
    description:
      "The holder's credential of a type: an active one if any, else the latest issued; null when none.",
    params: { holderId: HolderId(), type: Id() },
    returns: Type.Union([CredentialCheckSchema, Type.Null()]),
  })
  async CheckHolderCredential(ctx: Context, holderId: string, type: string): Promise<CredentialCheck | null> {
    const now = txTime(ctx).ms;
    const refs = await credentialsByHolder.all(ctx, [holderId, type]);
    if (refs.length === 0) return null;
    const held = await Promise.all(refs.map((r) => credentials.require(ctx, r.credentialId)));
    const holder = await holderStatus(ctx, holderId);
    const all = held.map((c) => ({ issuedAt: c.issuedAt, check: check(c, now, holder) }));
    const active = all.find((x) => x.check.active);
    if (active) return active.check;
    const latest = all.sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : a.issuedAt > b.issuedAt ? -1 : 0))[0];
    return latest ? latest.check : null;
  }
}

function check(c: Credential, nowMs: number, holder: ResidentStatus | undefined): CredentialCheck {
  const status = effectiveStatus(c, nowMs);
  return {
    credentialId: c.credentialId,
    type: c.type,
    holderId: c.holderId,
    status,
    active: status === 'ACTIVE' && (holder === undefined || holder === 'ACTIVE'),
    ...(c.validUntil !== undefined ? { validUntil: c.validUntil } : {}),
    ...(holder !== undefined ? { holderStatus: holder } : {}),
  };
}
