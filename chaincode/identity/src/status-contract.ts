import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  txTime,
  type CredentialCheck,
  type ResidentCheck,
} from '@cityledger/chaincode-common';
import { effectiveStatus } from './lifecycle';
import { CredentialCheckSchema, HolderId, ResidentCheckSchema, type Credential } from './model';
import { credentials, credentialsByHolder, residents } from './store';

/**
 * The status checks other chaincodes call through invokeChaincode (see chaincode-common's
 * identity-check.ts: assertResidentActive, assertCredentialActive, assertHolderCredential).
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
    description: "A credential's status at the transaction time.",
    params: { credentialId: Id() },
    returns: CredentialCheckSchema,
  })
  async CheckCredential(ctx: Context, credentialId: string): Promise<CredentialCheck> {
    return check(await credentials.require(ctx, credentialId), txTime(ctx).ms);
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
    const held = await Promise.all(refs.map((r) => credentials.require(ctx, r.credentialId)));
    const all = held.map((c) => ({ issuedAt: c.issuedAt, check: check(c, now) }));
    const active = all.find((x) => x.check.active);
    if (active) return active.check;
    const latest = all.sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : a.issuedAt > b.issuedAt ? -1 : 0))[0];
    return latest ? latest.check : null;
  }
}

function check(c: Credential, nowMs: number): CredentialCheck {
  const status = effectiveStatus(c, nowMs);
  return {
    credentialId: c.credentialId,
    type: c.type,
    holderId: c.holderId,
    status,
    active: status === 'ACTIVE',
    ...(c.validUntil !== undefined ? { validUntil: c.validUntil } : {}),
  };
}
