import { isoToMs } from '@cityledger/chaincode-common';
import type { Policy } from './model';

/** A policy covers an incident at `ms` when ACTIVE and validFrom ≤ ms ≤ validUntil. */
export const policyInForce = (
  policy: Pick<Policy, 'status' | 'validFrom' | 'validUntil'>,
  ms: number,
): boolean =>
  policy.status === 'ACTIVE' && isoToMs(policy.validFrom) <= ms && ms <= isoToMs(policy.validUntil);
