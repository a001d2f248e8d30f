import {
  StateMachine,
  failedPrecondition,
  invalidArgument,
  mulDiv,
  subtractAmounts,
  type Transition,
} from '@cityledger/chaincode-common';
import { OTHER_PARTIES, type Claim, type ClaimStatus, type FaultShare, type Policy } from './model';

/**
 * The claim lifecycle, one entry per transaction that moves a claim, with the relations allowed to
 * make it (see claimActor): filing creates REPORTED; REJECTED and CLOSED are final.
 */
export const claimSteps = {
  LinkEvidence: { from: ['REPORTED'], to: 'EVIDENCE_LINKED', roles: ['claimant', 'adjuster'] },
  ConfirmTheft: { from: ['REPORTED'], to: 'EVIDENCE_LINKED', roles: ['police'] },
  StartAssessment: { from: ['EVIDENCE_LINKED'], to: 'UNDER_ASSESSMENT', roles: ['adjuster'] },
  DetermineFault: {
    from: ['UNDER_ASSESSMENT', 'DISPUTED'],
    to: 'FAULT_DETERMINED',
    roles: ['assigned-adjuster'],
  },
  DisputeFault: { from: ['FAULT_DETERMINED'], to: 'DISPUTED', roles: ['claimant'] },
  ApproveRepair: { from: ['FAULT_DETERMINED'], to: 'APPROVED_REPAIR', roles: ['assigned-adjuster'] },
  ApproveCash: { from: ['FAULT_DETERMINED'], to: 'APPROVED_CASH', roles: ['assigned-adjuster'] },
  RejectClaim: { from: ['FAULT_DETERMINED'], to: 'REJECTED', roles: ['assigned-adjuster'] },
  StartRepair: { from: ['APPROVED_REPAIR'], to: 'REPAIRING', roles: ['assigned-shop'] },
  CompleteRepair: { from: ['REPAIRING'], to: 'REPAIRED', roles: ['assigned-shop'] },
  PayClaim: { from: ['REPAIRED', 'APPROVED_CASH'], to: 'PAID', roles: ['insurer'] },
  CloseClaim: { from: ['PAID'], to: 'CLOSED', roles: ['insurer'] },
} satisfies Record<string, Transition<ClaimStatus>>;

export type ClaimStep = keyof typeof claimSteps;

export const FINAL_CLAIM_STATES: readonly ClaimStatus[] = ['REJECTED', 'CLOSED'];

/** The whole lifecycle as one machine (what may follow what, for whom). */
export const claimLifecycle = new StateMachine<ClaimStatus>(
  'claim',
  Object.values(claimSteps) as Transition<ClaimStatus>[],
  FINAL_CLAIM_STATES,
);

const stepMachines = Object.fromEntries(
  Object.entries(claimSteps).map(([step, t]) => [
    step,
    new StateMachine<ClaimStatus>('claim', [t as Transition<ClaimStatus>], FINAL_CLAIM_STATES),
  ]),
) as Record<ClaimStep, StateMachine<ClaimStatus>>;

/**
 * The state `step` takes the claim to, or FAILED_PRECONDITION (wrong state) / FORBIDDEN (none of
 * the step's relations). A theft claim still REPORTED has no police confirmation: said explicitly.
 */
export function moveClaim(step: ClaimStep, claim: Claim, actor: readonly string[]): ClaimStatus {
  if (step === 'StartAssessment' && claim.kind === 'THEFT' && claim.status === 'REPORTED') {
    throw failedPrecondition('a theft claim needs police confirmation first', {
      reason: 'THEFT_NOT_CONFIRMED',
      state: claim.status,
    });
  }
  return stepMachines[step].move(claim.status, claimSteps[step].to as ClaimStatus, actor);
}

export const isOpen = (status: ClaimStatus): boolean => !FINAL_CLAIM_STATES.includes(status);

/**
 * Fault shares: each party once, a VIN of the incident's vehicles or one of OTHER_PARTIES (a theft
 * has no vehicles), integer percentages summing to exactly 100.
 */
export function checkFaultShares(shares: readonly FaultShare[], vins: readonly string[]): void {
  const parties = new Set<string>();
  for (const s of shares) {
    if (parties.has(s.party))
      throw invalidArgument(`party ${s.party} appears twice`, { reason: 'DUPLICATE_PARTY', party: s.party });
    parties.add(s.party);
    if (!vins.includes(s.party) && !(OTHER_PARTIES as readonly string[]).includes(s.party)) {
      throw invalidArgument(`party ${s.party} is not involved`, {
        reason: 'UNKNOWN_PARTY',
        party: s.party,
        allowed: [...vins, ...OTHER_PARTIES],
      });
    }
  }
  const total = shares.reduce((sum, s) => sum + s.percent, 0);
  if (total !== 100)
    throw invalidArgument(`fault shares sum to ${total}%, not 100%`, {
      reason: 'FAULT_SHARES_NOT_100',
      total,
    });
}

/**
 * The most the insurer may pay: min(coverage − deductible, approved estimate, invoice).
 * A cash settlement has no invoice.
 */
export function payoutBound(
  policy: Pick<Policy, 'coverage' | 'deductible'>,
  claim: Pick<Claim, 'decision' | 'invoice'>,
): number {
  const limits = [subtractAmounts(policy.coverage, policy.deductible)];
  if (claim.decision?.estimate !== undefined) limits.push(claim.decision.estimate);
  if (claim.invoice) limits.push(claim.invoice.amount);
  return Math.min(...limits);
}

export function checkPayout(amount: number, bound: number): void {
  if (amount > bound)
    throw invalidArgument(`payout ${amount} exceeds the bound ${bound}`, {
      reason: 'PAYOUT_ABOVE_BOUND',
      amount,
      bound,
    });
}

export interface SettlementShare {
  vin: string;
  payerInsurerId: string;
  faultPercent: number;
  amount: number;
}

/**
 * What other insurers owe the paying insurer: for every other vehicle at fault whose policy at the
 * incident is with a different insurer, its fault share of the payout (integer, truncated).
 */
export function interInsurerShares(
  payout: number,
  claim: Pick<Claim, 'vin' | 'insurerId'>,
  shares: readonly FaultShare[],
  insurerOf: ReadonlyMap<string, string>,
): SettlementShare[] {
  const out: SettlementShare[] = [];
  for (const s of shares) {
    const payer = insurerOf.get(s.party);
    if (s.party === claim.vin || s.percent === 0 || payer === undefined || payer === claim.insurerId)
      continue;
    const amount = mulDiv(payout, s.percent, 100);
    if (amount > 0) out.push({ vin: s.party, payerInsurerId: payer, faultPercent: s.percent, amount });
  }
  return out.sort((a, b) => (a.vin < b.vin ? -1 : a.vin > b.vin ? 1 : 0));
}
