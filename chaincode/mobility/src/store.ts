import { Repository } from '@cityledger/chaincode-common';
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
