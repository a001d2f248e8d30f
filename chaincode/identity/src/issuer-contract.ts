import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  PageSize,
  Submit,
  caller,
  emit,
  failedPrecondition,
  requireOrgRole,
  txTime,
  type Page,
} from '@cityledger/chaincode-common';
import { ISSUERS_SUBJECT, record } from './audit';
import {
  AuditEntrySchema,
  CityAdmin,
  Page as PageOf,
  Registrar,
  TrustedIssuerInput,
  TrustedIssuerSchema,
  type AuditEntry,
  type TrustedIssuer,
} from './model';
import { audit, trustedIssuers } from './store';

/** Which organisation and role may issue which credential type. Managed by the City; every change audited. */
export class IssuerContract extends CityContract {
  constructor() {
    super('issuer');
  }

  @Submit({
    description: 'Trust (MSP, role) to issue a credential type (City registrar or admin).',
    params: { input: TrustedIssuerInput },
    returns: TrustedIssuerSchema,
  })
  async SetTrustedIssuer(ctx: Context, input: Static<typeof TrustedIssuerInput>): Promise<TrustedIssuer> {
    const who = requireOrgRole(ctx, Registrar, CityAdmin);
    const entry: TrustedIssuer = { ...input, active: true, updatedAt: txTime(ctx).iso, updatedBy: who.key };
    await trustedIssuers.put(ctx, entry);
    await record(ctx, ISSUERS_SUBJECT, 'TRUSTED', {
      to: `${input.credentialType}:${input.mspId}:${input.role}`,
    });
    emit(ctx, 'TrustedIssuerSet', { ...input });
    return entry;
  }

  @Submit({
    description:
      'Stop trusting (MSP, role) for a credential type (City registrar or admin). Issued credentials stay as they are.',
    params: { credentialType: Id(), mspId: Id(), role: Id() },
    returns: TrustedIssuerSchema,
  })
  async RemoveTrustedIssuer(
    ctx: Context,
    credentialType: string,
    mspId: string,
    role: string,
  ): Promise<TrustedIssuer> {
    const who = requireOrgRole(ctx, Registrar, CityAdmin);
    const entry = await trustedIssuers.require(ctx, credentialType, mspId, role);
    if (!entry.active) throw failedPrecondition('issuer is not trusted', { state: 'REMOVED' });
    const updated: TrustedIssuer = {
      ...entry,
      active: false,
      updatedAt: txTime(ctx).iso,
      updatedBy: who.key,
    };
    await trustedIssuers.put(ctx, updated);
    await record(ctx, ISSUERS_SUBJECT, 'UNTRUSTED', { from: `${credentialType}:${mspId}:${role}` });
    emit(ctx, 'TrustedIssuerRemoved', { credentialType, mspId, role });
    return updated;
  }

  @Evaluate({
    description: 'Issuers (active and removed) of a credential type.',
    params: { credentialType: Id() },
    returns: Type.Array(TrustedIssuerSchema),
  })
  async ListTrustedIssuers(ctx: Context, credentialType: string): Promise<TrustedIssuer[]> {
    return trustedIssuers.all(ctx, [credentialType]);
  }

  @Evaluate({
    description: 'Whether the caller may issue a credential type.',
    params: { credentialType: Id() },
    returns: Type.Boolean(),
  })
  async CanIssue(ctx: Context, credentialType: string): Promise<boolean> {
    return isTrustedIssuer(ctx, credentialType);
  }

  @Evaluate({
    description: 'Audit trail of trusted-issuer changes, oldest first.',
    params: { pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(AuditEntrySchema),
  })
  async GetIssuerHistory(ctx: Context, pageSize: number, bookmark: string): Promise<Page<AuditEntry>> {
    return audit.page(ctx, [ISSUERS_SUBJECT], pageSize, bookmark);
  }
}

export async function isTrustedIssuer(ctx: Context, credentialType: string): Promise<boolean> {
  const who = caller(ctx);
  if (!who.role) return false;
  const entry = await trustedIssuers.get(ctx, credentialType, who.mspId, who.role);
  return entry?.active === true;
}
