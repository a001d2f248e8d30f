import {
  ContractHarness,
  IdentityService,
  fakeIdentityStatus,
  identity,
  readingsRoot,
  type TxResult,
} from '@cityledger/chaincode-common';
import { contracts } from './index';

export const VIN_A = 'KMHAB81CDEF000001';
export const VIN_B = 'KMHAB81CDEF000002';
export const VIN_C = 'KMHAB81CDEF000003';

/** Real City/Hospital/Insurer/Port enrolment certificates for every actor of the mobility chaincode. */
export const ids = {
  registrar: identity('CityMSP', 'registrar1', { role: 'registrar' }),
  police: identity('CityMSP', 'officer1', { role: 'police' }),
  alice: identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' }),
  bob: identity('CityMSP', 'bob', { role: 'resident', residentId: 'R2' }),
  /** A locked resident. */
  carol: identity('CityMSP', 'carol', { role: 'resident', residentId: 'R3' }),
  carA: identity('CityMSP', 'car-a', { role: 'vehicle', vehicleId: VIN_A }),
  carB: identity('CityMSP', 'car-b', { role: 'vehicle', vehicleId: VIN_B }),
  acme: identity('InsurerMSP', 'acme', { role: 'insurer' }),
  bravo: identity('InsurerMSP', 'bravo', { role: 'insurer' }),
  adj1: identity('InsurerMSP', 'adj1', { role: 'adjuster' }),
  adj2: identity('InsurerMSP', 'adj2', { role: 'adjuster' }),
  shop1: identity('InsurerMSP', 'shop1', { role: 'repair-shop' }),
  shop2: identity('InsurerMSP', 'shop2', { role: 'repair-shop' }),
  doctor: identity('HospitalMSP', 'dr-kim', { role: 'doctor' }),
  portAgent: identity('PortMSP', 'agent1', { role: 'agent' }),
  /** Roles mean nothing outside the org whose CA issued them. */
  fakePolice: identity('InsurerMSP', 'fake-cop', { role: 'police' }),
  fakeInsurer: identity('CityMSP', 'fake-uw', { role: 'insurer' }),
};

/** The identity chaincode's status queries, answered from a table (R3 is locked). */
export const residentStatus: Record<string, string> = { R1: 'ACTIVE', R2: 'ACTIVE', R3: 'LOCKED' };
const FakeStatus = fakeIdentityStatus({
  residentStatus: (residentId) => residentStatus[residentId],
  // Bound to the enrolments of the resident certificates above.
  boundEnrollment: (residentId) => ({ R1: 'alice', R2: 'bob', R3: 'carol' })[residentId],
});

export const T0 = '2026-06-01T08:00:00.000Z';
export const CRASH_AT = '2026-06-01T08:00:30.000Z';
export const at = (offsetSeconds: number, base = T0): string =>
  new Date(Date.parse(base) + offsetSeconds * 1000).toISOString();

export function newHarness(now = T0): ContractHarness {
  const h = new ContractHarness(contracts, { now, title: 'mobility' });
  h.route(IdentityService.chaincode, IdentityService.channel, new ContractHarness([FakeStatus]));
  return h;
}

/** Fails the test with the chaincode's message unless the submit committed (or the evaluate answered). */
export function ok<T>(r: TxResult<T>): T {
  if (!r.ok || r.validationCode) throw new Error(`expected success, got ${r.message || r.validationCode}`);
  return r.value;
}

/** The coded error of a refused transaction. */
export function code(r: TxResult): string | undefined {
  return r.error?.code;
}

export const policyInput = (policyId: string, vin: string, extra: Record<string, unknown> = {}) => ({
  policyId,
  vin,
  coverage: 10_000_000,
  deductible: 500_000,
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2027-01-01T00:00:00Z',
  ...extra,
});

/**
 * VIN_A (alice, insured by acme as P1) and VIN_B (bob, insured by bravo as P2); acme appoints adj1 and
 * approves shop1, bravo appoints adj2.
 */
export async function seedWorld(h: ContractHarness): Promise<void> {
  ok(
    await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [
      { vin: VIN_A, ownerId: 'R1', make: 'Hyundai', model: 'Ioniq', year: 2026 },
    ]),
  );
  ok(await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [{ vin: VIN_B, ownerId: 'R2' }]));
  ok(await h.submit(ids.acme, 'insurance:IssuePolicy', [policyInput('P1', VIN_A)]));
  ok(await h.submit(ids.bravo, 'insurance:IssuePolicy', [policyInput('P2', VIN_B)]));
  ok(await h.submit(ids.acme, 'insurance:AppointAdjuster', [ids.adj1.key]));
  ok(await h.submit(ids.acme, 'insurance:ApproveRepairShop', [ids.shop1.key]));
  ok(await h.submit(ids.bravo, 'insurance:AppointAdjuster', [ids.adj2.key]));
}

/** Readings of one 10 s window (one per second), as the gateway stores them. */
export function readingsOf(vin: string, start: string): Record<string, unknown>[] {
  return Array.from({ length: 10 }, (_, i) => ({
    vehicleId: vin,
    timestamp: at(i, start),
    speedKmh: 40 + i,
    automation: i < 7,
  }));
}

/** A window of 10 s starting `start`, with its real Merkle root. */
export function windowInput(vin: string, seq: number, start: string, extra: Record<string, unknown> = {}) {
  return {
    vin,
    seq,
    windowStart: start,
    windowEnd: at(10, start),
    count: 10,
    root: readingsRoot(readingsOf(vin, start)),
    ...extra,
  };
}

/** Anchors `n` abutting 10 s windows for the vehicle, from `start`, each when it ends. */
export async function anchorWindows(
  h: ContractHarness,
  who: typeof ids.carA,
  vin: string,
  n: number,
  start = at(-10),
  firstSeq = 1,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const w = windowInput(vin, firstSeq + i, at(10 * i, start));
    ok(await h.submit(who, 'telemetry:AnchorWindow', [w], { at: w.windowEnd }));
  }
}

/** Crash C1 at CRASH_AT between VIN_A and VIN_B, with 6 windows each around it, sealed by the police at T0+60s. */
export async function sealedCrash(h: ContractHarness, crashId = 'C1'): Promise<void> {
  await anchorWindows(h, ids.carA, VIN_A, 6);
  await anchorWindows(h, ids.carB, VIN_B, 6);
  ok(
    await h.submit(
      ids.carA,
      'crash:ReportCrash',
      [{ crashId, occurredAt: CRASH_AT, vins: [VIN_A, VIN_B], location: 'Sejong 5-1, Hanuri-daero' }],
      { at: at(45) },
    ),
  );
  ok(await h.submit(ids.police, 'crash:SealEvidence', [crashId, sealInput()], { at: at(60) }));
}

export const sealInput = (extra: Record<string, unknown> = {}) => ({
  beforeSeconds: 30,
  afterSeconds: 10,
  driving: [
    {
      vin: VIN_A,
      automationActive: true,
      takeoverRequested: true,
      takeoverRequestedAt: at(28),
      driverTookOver: false,
    },
    { vin: VIN_B, automationActive: false, takeoverRequested: false, driverTookOver: false },
  ],
  ...extra,
});
