import type { Context } from 'fabric-contract-api';
import { MAX_UNICODE_RUNE, Repository, fromBytes, isoToMs, results, toBytes } from '@cityledger/chaincode-common';
import type {
  Claim,
  Crash,
  Partner,
  Policy,
  Settlement,
  TelemetryHead,
  TelemetryWindow,
  Vehicle,
} from './model';

/** Sequence numbers as fixed-width text, so a vehicle's windows sort by seq in key order. */
export const seqKey = (seq: number): string => String(seq).padStart(12, '0');

export const vehicles = new Repository<Vehicle>('vehicle', (v) => [v.vin]);
export const policies = new Repository<Policy>('policy', (p) => [p.policyId]);
/** Index: a vehicle's policies. */
export const policiesByVehicle = new Repository<{ vin: string; policyId: string }>('policyByVehicle', (x) => [
  x.vin,
  x.policyId,
]);

/** What policyStarts keeps per policy: enough to skip one that ended before the incident unread. */
export interface PolicyStart {
  policyId: string;
  validUntil: string;
}

/** Just after the last IsoTime (year 9999): `END_MS − t` is ≥ 0 for every time, at most 16 digits. */
const END_MS = Date.UTC(10_000, 0, 1);
const invertedTime = (ms: number): string => String(END_MS - ms).padStart(16, '0');

/**
 * Index: a vehicle's policies by start, latest first, as SIMPLE keys
 * `policyStart~<vin>~<END_MS − validFrom ms, 16 digits>~<policyId>` → {policyId, validUntil}.
 * Simple because Fabric reads a range of composite keys only as a whole prefix (getStateByRange
 * refuses them): a claim payment asks for the policy covering the other vehicle at the crash and
 * reads from the crash back, the policies started at or before it, latest first, up to the first
 * that covers it. Policies issued for later periods (renewals) lie before that range, so issuing
 * one cannot invalidate the payment (phantom read); the years before the one found are not read by
 * the chaincode (the peer fetches a range in batches, so its read set may hold a few of them).
 */
export const policyStarts = {
  key(vin: string, validFromMs: number, policyId: string): string {
    return `policyStart~${vin}~${invertedTime(validFromMs)}~${policyId}`;
  },

  async put(
    ctx: Context,
    policy: { vin: string; policyId: string; validFrom: string; validUntil: string },
  ): Promise<void> {
    const entry: PolicyStart = { policyId: policy.policyId, validUntil: policy.validUntil };
    await ctx.stub.putState(this.key(policy.vin, isoToMs(policy.validFrom), policy.policyId), toBytes(entry));
  },

  /** The vehicle's policies started at or before `ms`, latest first; stop early to read no further. */
  async *startedBy(ctx: Context, vin: string, ms: number): AsyncGenerator<PolicyStart> {
    const iterator = await ctx.stub.getStateByRange(
      `policyStart~${vin}~${invertedTime(ms)}`,
      `policyStart~${vin}~${MAX_UNICODE_RUNE}`,
    );
    for await (const kv of results(iterator)) yield fromBytes<PolicyStart>(kv.value);
  },
};

export const partners = new Repository<Partner>('partner', (p) => [p.insurerId, p.kind, p.partnerId]);

export const telemetryHeads = new Repository<TelemetryHead>('telemetryHead', (h) => [h.vin]);
export const telemetryWindows = new Repository<TelemetryWindow>('telemetryWindow', (w) => [
  w.vin,
  seqKey(w.seq),
]);

export const crashes = new Repository<Crash>('crash', (c) => [c.crashId]);

export const claims = new Repository<Claim>('claim', (c) => [c.claimId]);
/** Index: the open (not REJECTED/CLOSED) claim of a (policy, incident); enforces one at a time. */
export const openClaims = new Repository<{ policyId: string; incidentId: string; claimId: string }>(
  'openClaim',
  (x) => [x.policyId, x.incidentId],
);
/** Index: a policy's claims. */
export const claimsByPolicy = new Repository<{ policyId: string; claimId: string }>('claimByPolicy', (x) => [
  x.policyId,
  x.claimId,
]);

export const settlements = new Repository<Settlement>('settlement', (s) => [s.settlementId]);
/** Index: what an insurer owes other insurers. */
export const settlementsByPayer = new Repository<{ payerInsurerId: string; settlementId: string }>(
  'settlementByPayer',
  (x) => [x.payerInsurerId, x.settlementId],
);
