import {
  ContractHarness,
  fakeIdentityStatus,
  identity,
  type TestIdentity,
  type TxResult,
} from '@cityledger/chaincode-common';
import { contracts } from './index';
import { OBSERVATIONS_COLLECTION, type CreateConsentInput } from './model';

/**
 * A stand-in for the identity chaincode's `status` contract on channel `city`, answering from tables
 * the tests change (lock a resident, revoke a licence).
 */
export const identityState = {
  residents: new Map<string, string>(),
  /** holderId -> status of its doctor-licence */
  licences: new Map<string, string>(),
  reset(): void {
    this.residents = new Map([
      ['R1', 'ACTIVE'],
      ['R2', 'ACTIVE'],
    ]);
    this.licences = new Map([
      ['HospitalMSP/dr-kim', 'ACTIVE'],
      ['HospitalMSP/dr-lee', 'ACTIVE'],
      ['HospitalMSP/dr-old', 'REVOKED'],
    ]);
  },
};

/** The enrolments residents are bound to on the identity chaincode (the certificates below). */
const boundEnrollments: Record<string, string> = { R1: 'alice', R2: 'bob' };

const FakeStatus = fakeIdentityStatus({
  residentStatus: (residentId) => identityState.residents.get(residentId),
  boundEnrollment: (residentId) => boundEnrollments[residentId],
  holderCredential: (holderId, type) => {
    const status = type === 'doctor-licence' ? identityState.licences.get(holderId) : undefined;
    return status ? { credentialId: `lic-${holderId}`, status } : undefined;
  },
});

export const ids = {
  alice: identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' }),
  bob: identity('CityMSP', 'bob', { role: 'resident', residentId: 'R2' }),
  /** A resident the identity chaincode does not know. */
  ghost: identity('CityMSP', 'ghost', { role: 'resident', residentId: 'R9' }),
  aliceScale: identity('CityMSP', 'alice-inbody', { role: 'device', residentId: 'R1' }),
  aliceWardScale: identity('HospitalMSP', 'ward-scale-3', { role: 'device', residentId: 'R1' }),
  bobScale: identity('CityMSP', 'bob-inbody', { role: 'device', residentId: 'R2' }),
  unboundDevice: identity('CityMSP', 'loose-scale', { role: 'device' }),
  /** An Insurer certificate claiming the device role: the role means nothing at InsurerMSP. */
  insurerDevice: identity('InsurerMSP', 'odd-scale', { role: 'device', residentId: 'R1' }),
  drKim: identity('HospitalMSP', 'dr-kim', { role: 'doctor' }),
  drLee: identity('HospitalMSP', 'dr-lee', { role: 'doctor' }),
  drOld: identity('HospitalMSP', 'dr-old', { role: 'doctor' }),
  drNoLicence: identity('HospitalMSP', 'dr-new', { role: 'doctor' }),
  /** A City certificate claiming the doctor role. */
  fakeDoctor: identity('CityMSP', 'dr-fake', { role: 'doctor' }),
  attestor: identity('HospitalMSP', 'ward7', { role: 'birth-attestor' }),
  insurer: identity('InsurerMSP', 'uw1', { role: 'insurer' }),
  adjuster: identity('InsurerMSP', 'adj1', { role: 'adjuster' }),
  police: identity('CityMSP', 'officer1', { role: 'police' }),
};

export const T0 = '2026-06-01T08:00:00.000Z';
export const DAY = 24 * 60 * 60 * 1000;
export const HOUR = 60 * 60 * 1000;
export const SALT = '0123456789abcdef0123456789abcdef';

/** The health channel: City, Hospital, Insurer; values readable on City and Hospital peers only. */
export function newHarness(now = T0): ContractHarness {
  identityState.reset();
  const h = new ContractHarness(contracts, {
    channel: 'health',
    orgs: ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
    now,
  });
  h.ledger.collections.set(OBSERVATIONS_COLLECTION, ['CityMSP', 'HospitalMSP']);
  h.route('identity', 'city', new ContractHarness([FakeStatus], { channel: 'city' }));
  return h;
}

export interface Item {
  code: string;
  value: number;
  unit: string;
}

export const weight = (value: number): Item => ({ code: '29463-7', value, unit: 'kg' });
export const bmi = (value: number): Item => ({ code: '39156-5', value, unit: 'kg/m2' });
export const fat = (value: number): Item => ({ code: '41982-0', value, unit: '%' });

export function measurement(items: Item[], effectiveAt: string, extra: Record<string, unknown> = {}) {
  return { measurement: { effectiveAt, salt: SALT, items, ...extra } };
}

export type RecordResult = { observationIds: string[]; valueHashes: string[]; alertIds: string[] };

/** A device records a scan measured `at` (also the transaction time). */
export function record(
  h: ContractHarness,
  who: TestIdentity,
  items: Item[],
  at: string,
): Promise<TxResult<RecordResult>> {
  h.setTime(at);
  return h.submit<RecordResult>(who, 'observation:RecordObservations', [], {
    transient: measurement(items, at),
  });
}

export function consentInput(overrides: Partial<CreateConsentInput> = {}): CreateConsentInput {
  return {
    consentId: 'c1',
    patientId: 'R1',
    provision: 'permit',
    grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-kim' },
    actions: ['read'],
    codes: ['29463-7', '39156-5', '41982-0'],
    period: { start: '2026-05-01T00:00:00Z', end: '2026-12-31T00:00:00Z' },
    purposes: ['TREAT'],
    status: 'ACTIVE',
    ...overrides,
  };
}

/** Alice grants (an ACTIVE consent written by the patient). */
export async function grant(h: ContractHarness, overrides: Partial<CreateConsentInput> = {}): Promise<void> {
  const r = await h.submit(ids.alice, 'consent:CreateConsent', [consentInput(overrides)]);
  if (!r.committed) throw new Error(`grant failed: ${r.message}`);
}

export function expectError(r: TxResult, code: string, reason?: string): void {
  expect({ ok: r.ok, code: r.error?.code, ...(reason ? { reason: r.error?.details.reason } : {}) }).toEqual({
    ok: false,
    code,
    ...(reason ? { reason } : {}),
  });
}

/** The alert ids of a scan whose rule fired, as the patient reads them (every weight has an outcome). */
export async function firedAlerts(
  h: ContractHarness,
  scan: TxResult<{ alertIds: string[] }>,
): Promise<string[]> {
  const fired: string[] = [];
  for (const alertId of scan.value.alertIds) {
    const outcome = await h.evaluate<{ fired: boolean }>(ids.alice, 'observation:GetAlert', [alertId]);
    if (!outcome.ok) throw new Error(`GetAlert ${alertId}: ${outcome.message}`);
    if (outcome.value.fired) fired.push(alertId);
  }
  return fired;
}
