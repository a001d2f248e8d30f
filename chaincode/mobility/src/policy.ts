import { isoToMs } from '@cityledger/chaincode-common';
import type { Policy } from './model';

/**
 * A policy covers an incident at `ms` when validFrom ≤ ms ≤ validUntil and it had not been
 * cancelled by then: a cancellation ends the cover from its time on and does not undo cover already
 * given (an insurer owes for the crashes its client caused while insured).
 */
export const policyCovers = (
  policy: Pick<Policy, 'status' | 'validFrom' | 'validUntil' | 'updatedAt' | 'cancelledAt'>,
  ms: number,
): boolean =>
  isoToMs(policy.validFrom) <= ms &&
  ms <= isoToMs(policy.validUntil) &&
  (policy.status === 'ACTIVE' || ms < cancelledAtMs(policy));

/**
 * When a CANCELLED policy stopped covering. Policies cancelled before `cancelledAt` was recorded
 * have it in `updatedAt`: the cancellation is the last write a policy ever gets.
 */
const cancelledAtMs = (policy: Pick<Policy, 'updatedAt' | 'cancelledAt'>): number =>
  isoToMs(policy.cancelledAt ?? policy.updatedAt);

/**
 * Filing a claim needs more than cover at the incident: the policy must still be ACTIVE (ACTIVE and
 * validFrom ≤ ms ≤ validUntil).
 */
export const policyInForce = (
  policy: Pick<Policy, 'status' | 'validFrom' | 'validUntil'>,
  ms: number,
): boolean =>
  policy.status === 'ACTIVE' && isoToMs(policy.validFrom) <= ms && ms <= isoToMs(policy.validUntil);
