import { Type, type Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  Submit,
  Text,
  assertCallerResidentActive,
  caller,
  conflict,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  isoToMs,
  requireOrgRole,
  txTime,
  type Caller,
} from '@cityledger/chaincode-common';
import {
  ApproveRepairInput,
  ClaimSchema,
  FaultShares,
  FileClaimInput,
  InvoiceInput,
  PaymentInput,
  PositiveAmount,
  Reason,
  SettlementSchema,
  type Claim,
  type ClaimStatus,
  type FaultShare,
  type Settlement,
} from './model';
import { Insurer, Resident, claimActor, isPartner, requireReader } from './actors';
import {
  checkFaultShares,
  checkPayout,
  interInsurerShares,
  isOpen,
  moveClaim,
  payoutBound,
  type ClaimStep,
} from './claims';
import { policyCovers, policyInForce } from './policy';
import { WINDOW_RULES } from './telemetry';
import {
  claims,
  claimsByPolicy,
  crashes,
  openClaims,
  policies,
  policiesByVehicle,
  policyStarts,
  settlements,
  settlementsByPayer,
} from './store';

/** Most medical access references one claim keeps. */
export const MAX_MEDICAL_REFS = 20;

/** What a step changes besides the status, given the claim, the caller and the time. */
type Change = (claim: Claim, who: Caller, now: string) => Promise<Partial<Claim>> | Partial<Claim>;

/**
 * Insurance claims from filing to payout. Each step is taken by its relation to the claim
 * (claims.ts): the policy holder files and disputes, the police confirm thefts, an adjuster of the
 * insurer assesses and decides, the assigned approved shop repairs and invoices, the insurer pays.
 */
export class ClaimContract extends CityContract {
  constructor() {
    super('claim');
  }

  @Submit({
    description:
      'File a claim (the policy holder: City CA resident whose residentId holds the policy, ACTIVE). COLLISION cites a reported crash involving the vehicle; THEFT gives occurredAt. One open claim per (policy, incident).',
    params: { input: FileClaimInput },
    returns: ClaimSchema,
  })
  async FileClaim(ctx: Context, input: Static<typeof FileClaimInput>): Promise<Claim> {
    const who = requireOrgRole(ctx, Resident);
    const policy = await policies.require(ctx, input.policyId);
    if (who.residentId !== policy.holderId)
      throw forbidden('only the policy holder may file a claim', { reason: 'NOT_THE_HOLDER' });
    await assertCallerResidentActive(ctx);
    const now = txTime(ctx);
    const occurredAt = await incidentTime(ctx, input, policy.vin, now.ms);
    if (!policyInForce(policy, isoToMs(occurredAt))) {
      throw failedPrecondition(`policy ${policy.policyId} was not in force at ${occurredAt}`, {
        reason: 'POLICY_NOT_IN_FORCE',
        state: policy.status,
      });
    }
    const open = await openClaims.get(ctx, input.policyId, input.incidentId);
    if (open)
      throw conflict(`claim ${open.claimId} is already open for this incident`, {
        reason: 'OPEN_CLAIM_EXISTS',
        claimId: open.claimId,
      });
    const claim: Claim = {
      claimId: input.claimId,
      policyId: policy.policyId,
      vin: policy.vin,
      insurerId: policy.insurerId,
      claimantId: policy.holderId,
      kind: input.kind,
      incidentId: input.incidentId,
      occurredAt,
      injury: input.injury ?? false,
      ...(input.description !== undefined ? { description: input.description } : {}),
      status: 'REPORTED',
      medicalRefs: [],
      filedAt: now.iso,
      updatedAt: now.iso,
    };
    await claims.create(ctx, claim);
    await openClaims.put(ctx, {
      policyId: claim.policyId,
      incidentId: claim.incidentId,
      claimId: claim.claimId,
    });
    await claimsByPolicy.put(ctx, { policyId: claim.policyId, claimId: claim.claimId });
    emit(ctx, 'ClaimFiled', {
      claimId: claim.claimId,
      policyId: claim.policyId,
      kind: claim.kind,
      to: claim.status,
    });
    return claim;
  }

  @Submit({
    description:
      "Link the crash's SEALED evidence to a COLLISION claim (the claimant or an adjuster of the insurer).",
    params: { claimId: Id() },
    returns: ClaimSchema,
  })
  async LinkEvidence(ctx: Context, claimId: string): Promise<Claim> {
    return this.step(ctx, claimId, 'LinkEvidence', 'EvidenceLinked', async (claim, who, now) => {
      if (claim.kind === 'THEFT')
        throw failedPrecondition('a theft claim is confirmed by the police, not by evidence', {
          reason: 'THEFT_NEEDS_POLICE',
          state: claim.status,
        });
      const crash = await crashes.require(ctx, claim.incidentId);
      if (crash.status !== 'SEALED')
        throw failedPrecondition(`crash ${crash.crashId} is not sealed`, {
          reason: 'EVIDENCE_NOT_SEALED',
          state: crash.status,
        });
      if (who.role === Resident.role) await assertCallerResidentActive(ctx);
      return { evidenceLinkedAt: now };
    });
  }

  @Submit({
    description: 'Confirm a THEFT claim (City police), with the police case reference.',
    params: { claimId: Id(), caseReference: Text(128) },
    returns: ClaimSchema,
  })
  async ConfirmTheft(ctx: Context, claimId: string, caseReference: string): Promise<Claim> {
    return this.step(ctx, claimId, 'ConfirmTheft', 'TheftConfirmed', (claim, who, now) => {
      if (claim.kind !== 'THEFT')
        throw failedPrecondition('not a theft claim', { reason: 'NOT_A_THEFT_CLAIM', state: claim.status });
      return { theftConfirmation: { by: who.key, at: now, caseReference }, evidenceLinkedAt: now };
    });
  }

  @Submit({
    description:
      'Take the claim for assessment (an adjuster appointed by the insurer; becomes the assigned adjuster). A theft claim needs police confirmation first.',
    params: { claimId: Id() },
    returns: ClaimSchema,
  })
  async StartAssessment(ctx: Context, claimId: string): Promise<Claim> {
    return this.step(ctx, claimId, 'StartAssessment', 'AssessmentStarted', (_claim, who) => ({
      adjusterId: who.key,
    }));
  }

  @Submit({
    description:
      'Determine fault shares (the assigned adjuster): parties are VINs of the crash or THIRD_PARTY/INFRASTRUCTURE, integer percentages summing to 100. Also answers a dispute.',
    params: { claimId: Id(), shares: FaultShares },
    returns: ClaimSchema,
  })
  async DetermineFault(ctx: Context, claimId: string, shares: FaultShare[]): Promise<Claim> {
    return this.step(ctx, claimId, 'DetermineFault', 'FaultDetermined', async (claim, who, now) => {
      const vins = claim.kind === 'COLLISION' ? (await crashes.require(ctx, claim.incidentId)).vins : [];
      checkFaultShares(shares, vins);
      return {
        fault: {
          shares: [...shares].sort((a, b) => (a.party < b.party ? -1 : 1)),
          determinedAt: now,
          determinedBy: who.key,
        },
      };
    });
  }

  @Submit({
    description: 'Dispute the fault determination (the claimant).',
    params: { claimId: Id(), reason: Reason },
    returns: ClaimSchema,
  })
  async DisputeFault(ctx: Context, claimId: string, reason: string): Promise<Claim> {
    return this.step(ctx, claimId, 'DisputeFault', 'FaultDisputed', async (_claim, _who, now) => {
      await assertCallerResidentActive(ctx);
      return { dispute: { reason, at: now } };
    });
  }

  @Submit({
    description:
      'Approve a repair at an approved shop of the insurer for an estimate (the assigned adjuster).',
    params: { claimId: Id(), approval: ApproveRepairInput },
    returns: ClaimSchema,
  })
  async ApproveRepair(
    ctx: Context,
    claimId: string,
    approval: Static<typeof ApproveRepairInput>,
  ): Promise<Claim> {
    return this.step(ctx, claimId, 'ApproveRepair', 'RepairApproved', async (claim, who, now) => {
      if (!(await isPartner(ctx, claim.insurerId, 'repair-shop', approval.shopId))) {
        throw failedPrecondition(`${approval.shopId} is not a repair shop approved by ${claim.insurerId}`, {
          reason: 'SHOP_NOT_APPROVED',
          state: claim.status,
        });
      }
      return {
        decision: {
          type: 'REPAIR',
          shopId: approval.shopId,
          estimate: approval.estimate,
          at: now,
          by: who.key,
        },
      };
    });
  }

  @Submit({
    description: 'Approve a cash settlement of `amount` (the assigned adjuster).',
    params: { claimId: Id(), amount: PositiveAmount },
    returns: ClaimSchema,
  })
  async ApproveCash(ctx: Context, claimId: string, amount: number): Promise<Claim> {
    return this.step(ctx, claimId, 'ApproveCash', 'CashApproved', (_claim, who, now) => ({
      decision: { type: 'CASH', estimate: amount, at: now, by: who.key },
    }));
  }

  @Submit({
    description: 'Reject the claim (the assigned adjuster). Final.',
    params: { claimId: Id(), reason: Reason },
    returns: ClaimSchema,
  })
  async RejectClaim(ctx: Context, claimId: string, reason: string): Promise<Claim> {
    return this.step(ctx, claimId, 'RejectClaim', 'ClaimRejected', (_claim, who, now) => ({
      decision: { type: 'REJECT', reason, at: now, by: who.key },
    }));
  }

  @Submit({
    description: 'Start the repair (the assigned shop, still approved).',
    params: { claimId: Id() },
    returns: ClaimSchema,
  })
  async StartRepair(ctx: Context, claimId: string): Promise<Claim> {
    return this.step(ctx, claimId, 'StartRepair', 'RepairStarted', () => ({}));
  }

  @Submit({
    description: 'Finish the repair and invoice it (the assigned shop, still approved).',
    params: { claimId: Id(), invoice: InvoiceInput },
    returns: ClaimSchema,
  })
  async CompleteRepair(ctx: Context, claimId: string, invoice: Static<typeof InvoiceInput>): Promise<Claim> {
    return this.step(ctx, claimId, 'CompleteRepair', 'RepairCompleted', (_claim, _who, now) => ({
      invoice: { ...invoice, at: now },
    }));
  }

  @Submit({
    description:
      "Pay the claim (the policy's insurer): amount <= min(coverage - deductible, approved estimate, invoice). Pays the shop (repair) or the claimant (cash). Records what other insurers owe for their vehicles' fault shares.",
    params: { claimId: Id(), payment: PaymentInput },
    returns: ClaimSchema,
  })
  async PayClaim(ctx: Context, claimId: string, payment: Static<typeof PaymentInput>): Promise<Claim> {
    return this.step(ctx, claimId, 'PayClaim', 'ClaimPaid', async (claim, _who, now) => {
      const policy = await policies.require(ctx, claim.policyId);
      checkPayout(payment.amount, payoutBound(policy, claim));
      const settlementIds = await this.recordSettlements(ctx, claim, payment.amount, now);
      const payee = claim.decision?.type === 'REPAIR' ? (claim.decision.shopId as string) : claim.claimantId;
      return { payment: { ...payment, payee, at: now, settlementIds } };
    });
  }

  @Submit({
    description: "Close a paid claim (the policy's insurer).",
    params: { claimId: Id() },
    returns: ClaimSchema,
  })
  async CloseClaim(ctx: Context, claimId: string): Promise<Claim> {
    return this.step(ctx, claimId, 'CloseClaim', 'ClaimClosed', () => ({}));
  }

  @Submit({
    description:
      "Reference medical evidence on an injury claim (the assigned adjuster): accessId is the access the medical chaincode (channel health) recorded after checking the patient's consent. No medical data is stored here.",
    params: { claimId: Id(), accessId: Id() },
    returns: ClaimSchema,
  })
  async ReferenceMedicalEvidence(ctx: Context, claimId: string, accessId: string): Promise<Claim> {
    const claim = await claims.require(ctx, claimId);
    if (!(await claimActor(ctx, claim)).includes('assigned-adjuster'))
      throw forbidden('only the assigned adjuster may reference medical evidence', {
        required: ['assigned-adjuster'],
      });
    if (!claim.injury)
      throw failedPrecondition('not an injury claim', { reason: 'NOT_AN_INJURY_CLAIM', state: claim.status });
    if (!(['UNDER_ASSESSMENT', 'FAULT_DETERMINED', 'DISPUTED'] as ClaimStatus[]).includes(claim.status)) {
      throw failedPrecondition(
        `claim ${claimId} is ${claim.status}: medical evidence is referenced during assessment`,
        { state: claim.status },
      );
    }
    if (claim.medicalRefs.includes(accessId))
      throw conflict(`access ${accessId} is already referenced`, { reason: 'ALREADY_REFERENCED' });
    if (claim.medicalRefs.length >= MAX_MEDICAL_REFS)
      throw failedPrecondition(`at most ${MAX_MEDICAL_REFS} medical references`, {
        reason: 'TOO_MANY_REFERENCES',
        state: claim.status,
      });
    const updated: Claim = {
      ...claim,
      medicalRefs: [...claim.medicalRefs, accessId],
      updatedAt: txTime(ctx).iso,
    };
    await claims.put(ctx, updated);
    emit(ctx, 'MedicalEvidenceReferenced', { claimId, references: updated.medicalRefs.length });
    return updated;
  }

  @Submit({
    description: 'Acknowledge an inter-insurer settlement (the owing insurer).',
    params: { settlementId: Type.String({ minLength: 1, maxLength: 160 }) },
    returns: SettlementSchema,
  })
  async AcknowledgeSettlement(ctx: Context, settlementId: string): Promise<Settlement> {
    const who = requireOrgRole(ctx, Insurer);
    const settlement = await settlements.require(ctx, settlementId);
    if (who.key !== settlement.payerInsurerId)
      throw forbidden('only the owing insurer may acknowledge', { reason: 'NOT_THE_PAYER' });
    if (settlement.status !== 'RECORDED')
      throw failedPrecondition(`settlement ${settlementId} is ${settlement.status}`, {
        state: settlement.status,
      });
    const updated: Settlement = { ...settlement, status: 'ACKNOWLEDGED', acknowledgedAt: txTime(ctx).iso };
    await settlements.put(ctx, updated);
    emit(ctx, 'SettlementAcknowledged', { settlementId, claimId: settlement.claimId });
    return updated;
  }

  @Evaluate({
    description: 'A claim (the claimant, InsurerMSP or the police).',
    params: { claimId: Id() },
    returns: ClaimSchema,
  })
  async GetClaim(ctx: Context, claimId: string): Promise<Claim> {
    const claim = await claims.require(ctx, claimId);
    await requireReader(ctx, claim.claimantId);
    return claim;
  }

  @Evaluate({
    description: "Ids of a policy's claims (the holder, InsurerMSP or the police).",
    params: { policyId: Id() },
    returns: Type.Array(Type.String()),
  })
  async ListPolicyClaims(ctx: Context, policyId: string): Promise<string[]> {
    const policy = await policies.require(ctx, policyId);
    await requireReader(ctx, policy.holderId);
    return (await claimsByPolicy.all(ctx, [policyId])).map((x) => x.claimId);
  }

  @Evaluate({
    description: 'An inter-insurer settlement (InsurerMSP or the police).',
    params: { settlementId: Type.String({ minLength: 1, maxLength: 160 }) },
    returns: SettlementSchema,
  })
  async GetSettlement(ctx: Context, settlementId: string): Promise<Settlement> {
    const settlement = await settlements.require(ctx, settlementId);
    await requireReader(ctx, '');
    return settlement;
  }

  /** Moves the claim by `step` (state and relation checked), applies `change`, records and announces it. */
  private async step(
    ctx: Context,
    claimId: string,
    step: ClaimStep,
    event: string,
    change: Change,
  ): Promise<Claim> {
    const claim = await claims.require(ctx, claimId);
    const to = moveClaim(step, claim, await claimActor(ctx, claim));
    const now = txTime(ctx).iso;
    const updated: Claim = {
      ...claim,
      ...(await change(claim, caller(ctx), now)),
      status: to,
      updatedAt: now,
    };
    await claims.put(ctx, updated);
    if (!isOpen(to)) await openClaims.deleteFor(ctx, claim);
    emit(ctx, event, { claimId, from: claim.status, to });
    return updated;
  }

  /** Other insurers' shares of a collision payout, by their vehicles' fault. */
  private async recordSettlements(
    ctx: Context,
    claim: Claim,
    payout: number,
    now: string,
  ): Promise<string[]> {
    if (claim.kind !== 'COLLISION' || !claim.fault) return [];
    const insurerOf = new Map<string, string>();
    for (const share of claim.fault.shares) {
      if (share.party === claim.vin || share.percent === 0) continue;
      const insurerId = await insurerAt(ctx, share.party, isoToMs(claim.occurredAt));
      if (insurerId) insurerOf.set(share.party, insurerId);
    }
    const ids: string[] = [];
    for (const s of interInsurerShares(payout, claim, claim.fault.shares, insurerOf)) {
      const settlement: Settlement = {
        settlementId: `${claim.claimId}:${s.vin}`,
        claimId: claim.claimId,
        crashId: claim.incidentId,
        vin: s.vin,
        payerInsurerId: s.payerInsurerId,
        payeeInsurerId: claim.insurerId,
        faultPercent: s.faultPercent,
        amount: s.amount,
        status: 'RECORDED',
        recordedAt: now,
      };
      await settlements.create(ctx, settlement);
      await settlementsByPayer.put(ctx, {
        payerInsurerId: s.payerInsurerId,
        settlementId: settlement.settlementId,
      });
      emit(ctx, 'SettlementRecorded', {
        settlementId: settlement.settlementId,
        claimId: claim.claimId,
        amount: s.amount,
      });
      ids.push(settlement.settlementId);
    }
    return ids;
  }
}

/** When the incident happened: a collision's crash time (the vehicle must be involved), or the theft time given. */
async function incidentTime(
  ctx: Context,
  input: Static<typeof FileClaimInput>,
  vin: string,
  nowMs: number,
): Promise<string> {
  if (input.kind === 'COLLISION') {
    if (input.occurredAt !== undefined)
      throw invalidArgument('a collision claim takes its time from the crash', {
        reason: 'OCCURRED_AT_FROM_CRASH',
      });
    const crash = await crashes.require(ctx, input.incidentId);
    if (!crash.vins.includes(vin))
      throw invalidArgument(`vehicle ${vin} is not in crash ${crash.crashId}`, {
        reason: 'VEHICLE_NOT_INVOLVED',
      });
    return crash.occurredAt;
  }
  if (input.occurredAt === undefined)
    throw invalidArgument('a theft claim needs occurredAt', { reason: 'OCCURRED_AT_REQUIRED' });
  if (isoToMs(input.occurredAt, 'occurredAt') > nowMs + WINDOW_RULES.maxFutureSkewMs) {
    throw invalidArgument('the theft lies in the future', {
      reason: 'IN_FUTURE',
      occurredAt: input.occurredAt,
    });
  }
  return input.occurredAt;
}

/**
 * The insurer whose policy covered `vin` at `ms` (the policy started last, if several), if any. Only
 * policies started by `ms` are read, latest first, up to the one found: renewals do not conflict
 * with the payment, and a policy cancelled after `ms` still counts (policyCovers).
 */
async function insurerAt(ctx: Context, vin: string, ms: number): Promise<string | undefined> {
  for await (const { policyId, validUntil } of policyStarts.startedBy(ctx, vin, ms)) {
    if (isoToMs(validUntil) < ms) continue; // over before the incident: no need to read it
    const policy = await policies.get(ctx, policyId);
    if (policy && policyCovers(policy, ms)) return policy.insurerId;
  }
  // Policies issued by a version without the policyStart index are only in policiesByVehicle: read
  // them all rather than miss the insurer (a vehicle uninsured at `ms` pays this read, as it did).
  for (const { policyId } of await policiesByVehicle.all(ctx, [vin])) {
    const policy = await policies.get(ctx, policyId);
    if (policy && policyCovers(policy, ms)) return policy.insurerId;
  }
  return undefined;
}
