import { Type, type Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  Submit,
  assertResidentActive,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  isoToMs,
  requireOrgRole,
  txTime,
} from '@cityledger/chaincode-common';
import {
  ActorKey,
  IssuePolicyInput,
  PartnerSchema,
  PolicySchema,
  Reason,
  Vin,
  type Partner,
  type PartnerKind,
  type Policy,
} from './model';
import { Insurer, INSURER, requireReader } from './actors';
import { partners, policies, policiesByVehicle, policyStarts, vehicles } from './store';

/**
 * Insurance: policies issued by an insurer identity (`InsurerMSP` role insurer; the insurer is
 * `InsurerMSP/<enrollmentId>`), and the repair shops and adjusters each insurer works with.
 */
export class InsuranceContract extends CityContract {
  constructor() {
    super('insurance');
  }

  @Submit({
    description:
      'Issue a policy on a registered vehicle to its current owner (InsurerMSP insurer). deductible <= coverage, validFrom < validUntil.',
    params: { input: IssuePolicyInput },
    returns: PolicySchema,
  })
  async IssuePolicy(ctx: Context, input: Static<typeof IssuePolicyInput>): Promise<Policy> {
    const who = requireOrgRole(ctx, Insurer);
    if (input.deductible > input.coverage)
      throw invalidArgument('deductible exceeds coverage', { reason: 'DEDUCTIBLE_ABOVE_COVERAGE' });
    if (isoToMs(input.validFrom, 'validFrom') >= isoToMs(input.validUntil, 'validUntil')) {
      throw invalidArgument('validFrom must precede validUntil', { reason: 'EMPTY_VALIDITY' });
    }
    const vehicle = await vehicles.require(ctx, input.vin);
    await assertResidentActive(ctx, vehicle.ownerId);
    const now = txTime(ctx).iso;
    const policy: Policy = {
      ...input,
      holderId: vehicle.ownerId,
      insurerId: who.key,
      status: 'ACTIVE',
      issuedAt: now,
      updatedAt: now,
    };
    await policies.create(ctx, policy);
    await policiesByVehicle.put(ctx, { vin: policy.vin, policyId: policy.policyId });
    await policyStarts.put(ctx, policy);
    emit(ctx, 'PolicyIssued', { policyId: policy.policyId, vin: policy.vin, insurerId: policy.insurerId });
    return policy;
  }

  @Submit({
    description: 'Cancel a policy (its issuing insurer).',
    params: { policyId: Id(), reason: Reason },
    returns: PolicySchema,
  })
  async CancelPolicy(ctx: Context, policyId: string, _reason: string): Promise<Policy> {
    const who = requireOrgRole(ctx, Insurer);
    const policy = await policies.require(ctx, policyId);
    if (policy.insurerId !== who.key)
      throw forbidden('only the issuing insurer may cancel', { reason: 'NOT_THE_INSURER' });
    if (policy.status !== 'ACTIVE')
      throw failedPrecondition(`policy ${policyId} is ${policy.status}`, { state: policy.status });
    // Recorded so that what the policy covered before stays covered (claim:PayClaim's settlements).
    const now = txTime(ctx).iso;
    const updated: Policy = { ...policy, status: 'CANCELLED', updatedAt: now, cancelledAt: now };
    await policies.put(ctx, updated);
    emit(ctx, 'PolicyCancelled', { policyId });
    return updated;
  }

  @Evaluate({
    description: 'A policy (its holder, InsurerMSP or the police).',
    params: { policyId: Id() },
    returns: PolicySchema,
  })
  async GetPolicy(ctx: Context, policyId: string): Promise<Policy> {
    const policy = await policies.require(ctx, policyId);
    await requireReader(ctx, policy.holderId);
    return policy;
  }

  @Evaluate({
    description: "Ids of a vehicle's policies.",
    params: { vin: Vin() },
    returns: Type.Array(Type.String()),
  })
  async ListVehiclePolicies(ctx: Context, vin: string): Promise<string[]> {
    await vehicles.require(ctx, vin);
    return (await policiesByVehicle.all(ctx, [vin])).map((x) => x.policyId);
  }

  @Submit({
    description:
      'Approve a repair shop identity (InsurerMSP/<enrollmentId>, role repair-shop) for claims of the calling insurer.',
    params: { shopId: ActorKey() },
    returns: PartnerSchema,
  })
  async ApproveRepairShop(ctx: Context, shopId: string): Promise<Partner> {
    return this.setPartner(ctx, 'repair-shop', shopId, 'APPROVED', 'RepairShopApproved');
  }

  @Submit({
    description: "Withdraw a repair shop's approval (the insurer that approved it).",
    params: { shopId: ActorKey() },
    returns: PartnerSchema,
  })
  async RevokeRepairShop(ctx: Context, shopId: string): Promise<Partner> {
    return this.setPartner(ctx, 'repair-shop', shopId, 'REVOKED', 'RepairShopRevoked');
  }

  @Submit({
    description:
      'Appoint an adjuster identity (InsurerMSP/<enrollmentId>, role adjuster) to assess claims of the calling insurer.',
    params: { adjusterId: ActorKey() },
    returns: PartnerSchema,
  })
  async AppointAdjuster(ctx: Context, adjusterId: string): Promise<Partner> {
    return this.setPartner(ctx, 'adjuster', adjusterId, 'APPROVED', 'AdjusterAppointed');
  }

  @Submit({
    description: 'Dismiss an adjuster (the insurer that appointed it).',
    params: { adjusterId: ActorKey() },
    returns: PartnerSchema,
  })
  async DismissAdjuster(ctx: Context, adjusterId: string): Promise<Partner> {
    return this.setPartner(ctx, 'adjuster', adjusterId, 'REVOKED', 'AdjusterDismissed');
  }

  @Evaluate({
    description: "An insurer's repair shop or adjuster.",
    params: {
      insurerId: ActorKey(),
      kind: Type.String({ pattern: '^(repair-shop|adjuster)$', description: 'repair-shop or adjuster' }),
      partnerId: ActorKey(),
    },
    returns: PartnerSchema,
  })
  async GetPartner(ctx: Context, insurerId: string, kind: string, partnerId: string): Promise<Partner> {
    return partners.require(ctx, insurerId, kind, partnerId);
  }

  private async setPartner(
    ctx: Context,
    kind: PartnerKind,
    partnerId: string,
    status: Partner['status'],
    event: string,
  ): Promise<Partner> {
    const who = requireOrgRole(ctx, Insurer);
    if (!partnerId.startsWith(`${INSURER}/`))
      throw invalidArgument(`a ${kind} enrols at ${INSURER}`, {
        reason: 'NOT_AN_INSURER_IDENTITY',
        partnerId,
      });
    const existing = await partners.get(ctx, who.key, kind, partnerId);
    if (status === 'REVOKED' && existing?.status !== 'APPROVED') {
      throw failedPrecondition(`${partnerId} is not an active ${kind} of ${who.key}`, {
        state: existing?.status ?? null,
      });
    }
    const partner: Partner = { insurerId: who.key, kind, partnerId, status, updatedAt: txTime(ctx).iso };
    await partners.put(ctx, partner);
    emit(ctx, event, { insurerId: who.key, partnerId });
    return partner;
  }
}
