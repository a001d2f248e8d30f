/**
 * Security suite (issue 9): a locked resident and a revoked credential holder lose their powers in every
 * chaincode. A resident locked by the police is refused every state-changing transaction the READMEs allow
 * a resident (sampled from the live metadata, with the resident's own objects as references), its devices
 * cannot submit a measurement, the registrar cannot register a vehicle to it; a doctor whose
 * `doctor-licence` is revoked can no longer read the data it read a moment before under consent, nor
 * request access or break the glass. Refusals are asked for by endorsement only (nothing ordered).
 */
import { randomUUID } from 'node:crypto';
import { evaluateAs, forgetContracts, submitAs } from '../support/calls';
import { chaincodeError } from '../support/errors';
import { untilEveryOrg } from '../support/eventually';
import { closeConnections, enrolUser, ensureNetwork, orgAdmin, TestUser } from '../support/live';
import { liveTransactions, submitTransactions, TransactionMetadata } from '../support/metadata';
import { freshId, freshVin, Overrides, sample } from '../support/schema-sample';
import { BODY_WEIGHT, createConsent, measurement, permit, recordScan, registerResident } from './medical';
import { PERMISSIONS } from './permissions';
import { Outcome, tryEndorse } from './sweep';

const run = randomUUID().slice(0, 8);
const ORGS_ON_CITY = ['city', 'hospital', 'insurer', 'port'];
const HEALTH_ORGS = ['city', 'hospital', 'insurer'];
const hour = 3600000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

let registrar: TestUser;
let police: TestUser;
let insurer: TestUser;
let hospitalAdmin: TestUser;

const locked = {
  residentId: `sec-locked-${run}`,
  vin: freshVin(),
  policyId: freshId('sec-lpolicy'),
  consentId: '',
} as { residentId: string; vin: string; policyId: string; consentId: string };
let lockedUser: TestUser;
let lockedCityDevice: TestUser;
let lockedHospitalDevice: TestUser;

const residentStatus = (residentId: string) => (org: string) =>
  evaluateAs<{ status: string }>(orgAdmin(org), 'identity', 'resident:GetResident', [residentId]);

const meta = new Map<string, TransactionMetadata[]>();

const expectForbidden = (outcome: Outcome, reason?: string) => {
  expect(outcome).toMatchObject({ kind: 'coded', code: 'FORBIDDEN' });
  if (reason && outcome.kind === 'coded') expect(outcome.details).toMatchObject({ reason });
};

beforeAll(async () => {
  await ensureNetwork();
  [registrar, police, lockedUser, lockedCityDevice, lockedHospitalDevice, insurer] = await Promise.all([
    enrolUser('city', `sec-lr-registrar-${run}`, { role: 'registrar' }),
    enrolUser('city', `sec-lr-police-${run}`, { role: 'police' }),
    enrolUser('city', `sec-lr-resident-${run}`, { role: 'resident', residentId: locked.residentId }),
    enrolUser('city', `sec-lr-device-${run}`, { role: 'device', residentId: locked.residentId }),
    enrolUser('hospital', `sec-lr-device-${run}`, { role: 'device', residentId: locked.residentId }),
    enrolUser('insurer', `sec-lr-insurer-${run}`, { role: 'insurer' }),
  ]);
  hospitalAdmin = orgAdmin('hospital');
  for (const cc of ['identity', 'medical', 'mobility', 'energy', 'logistics'])
    meta.set(cc, await liveTransactions(orgAdmin('city'), cc));
}, 300000);

afterAll(() => {
  forgetContracts();
  closeConnections();
});

describe('a resident locked by the police', () => {
  beforeAll(async () => {
    // Before the lock: registered and bound, owns an insured car, has a draft consent, and its scale works.
    await registerResident(registrar, locked.residentId, lockedUser);
    await submitAs(registrar, 'mobility', 'vehicle:RegisterVehicle', [
      { vin: locked.vin, ownerId: locked.residentId },
    ]);
    await submitAs(insurer, 'mobility', 'insurance:IssuePolicy', [
      {
        policyId: locked.policyId,
        vin: locked.vin,
        coverage: 1000000,
        deductible: 0,
        validFrom: at(-48 * hour),
        validUntil: at(30 * 24 * hour),
      },
    ]);
    const draft = permit(locked.residentId, hospitalAdmin, [BODY_WEIGHT], 'DRAFT');
    locked.consentId = draft.consentId;
    await untilEveryOrg(
      ['city', 'hospital'],
      residentStatus(locked.residentId),
      (r) => r.status === 'ACTIVE',
    );
    await createConsent(lockedUser, draft);
    await recordScan(lockedCityDevice, measurement([{ code: BODY_WEIGHT, value: 70.5, unit: 'kg' }]));

    await submitAs(police, 'identity', 'resident:LockResident', [
      locked.residentId,
      'security suite: theft attempt',
    ]);
    // Medical checks the identity chaincode across channels on each endorsing peer: wait for all of them.
    await untilEveryOrg(ORGS_ON_CITY, residentStatus(locked.residentId), (r) => r.status === 'LOCKED');
  }, 300000);

  it('cannot have its devices submit a measurement (City or Hospital device)', async () => {
    const tx = meta.get('medical')!.find((t) => t.id === 'observation:RecordObservations')!;
    for (const device of [lockedCityDevice, lockedHospitalDevice]) {
      const m = measurement([{ code: BODY_WEIGHT, value: 71.5, unit: 'kg' }]);
      expectForbidden(
        await tryEndorse(device, 'medical', tx, { args: [], transient: { measurement: m } }),
        'RESIDENT_NOT_ACTIVE',
      );
    }
  });

  it('cannot file a claim, and no vehicle can be registered to it', async () => {
    const mobility = meta.get('mobility')!;
    const tx = (id: string) => mobility.find((t) => t.id === id)!;
    const claim = {
      claimId: freshId('sec-lclaim'),
      policyId: locked.policyId,
      kind: 'THEFT',
      incidentId: freshId('i'),
      occurredAt: at(-hour),
    };
    expectForbidden(
      await tryEndorse(lockedUser, 'mobility', tx('claim:FileClaim'), { args: [claim] }),
      'RESIDENT_NOT_ACTIVE',
    );
    expectForbidden(
      await tryEndorse(registrar, 'mobility', tx('vehicle:RegisterVehicle'), {
        args: [{ vin: freshVin(), ownerId: locked.residentId }],
      }),
      'RESIDENT_NOT_ACTIVE',
    );
  });

  it('cannot unlock itself (the police locked it)', async () => {
    const tx = meta.get('identity')!.find((t) => t.id === 'resident:UnlockResident')!;
    const outcome = await tryEndorse(lockedUser, 'identity', tx, { args: [locked.residentId, 'it was me'] });
    expectForbidden(outcome);
  });

  it('is refused every state-changing transaction a resident may call, in every chaincode', async () => {
    const refs: Overrides = {
      residentId: () => locked.residentId,
      patientId: () => locked.residentId,
      holderId: () => locked.residentId,
      ownerId: () => locked.residentId,
      policyId: () => locked.policyId,
      consentId: () => locked.consentId,
      vin: () => locked.vin,
      vins: () => [locked.vin],
    };
    const accepted: string[] = [];
    const seen: string[] = [];
    for (const [chaincode, table] of Object.entries(PERMISSIONS)) {
      for (const tx of submitTransactions(meta.get(chaincode)!)) {
        if (!table[tx.id]?.allowed.includes('CityMSP:resident') || tx.id === 'resident:LockResident')
          continue;
        const args = tx.parameters.map((p) => (p.name in refs ? refs[p.name]() : sample(p.schema, refs)));
        const outcome = await tryEndorse(lockedUser, chaincode, tx, { args });
        seen.push(`${chaincode} ${tx.id}: ${outcome.kind === 'coded' ? outcome.code : outcome.kind}`);
        if (outcome.kind !== 'coded') accepted.push(`${chaincode} ${tx.id}: ${outcome.kind}`);
        else if (table[tx.id].creates && outcome.code !== 'FORBIDDEN')
          accepted.push(`${chaincode} ${tx.id}: ${outcome.code} instead of FORBIDDEN (${outcome.message})`);
      }
    }
    console.log(`locked resident, refusals: ${seen.join('; ')}`);
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(accepted).toEqual([]);
  });
});

describe('a doctor whose licence is revoked', () => {
  let doctor: TestUser;
  let patient: TestUser;
  let device: TestUser;
  const patientId = `sec-patient-${run}`;
  const licenceId = freshId('sec-licence');
  let accessId: string;

  beforeAll(async () => {
    [doctor, patient, device] = await Promise.all([
      enrolUser('hospital', `sec-lr-doctor-${run}`, { role: 'doctor' }),
      enrolUser('city', `sec-lr-patient-${run}`, { role: 'resident', residentId: patientId }),
      enrolUser('city', `sec-lr-scale-${run}`, { role: 'device', residentId: patientId }),
    ]);
    await submitAs(registrar, 'identity', 'issuer:SetTrustedIssuer', [
      { credentialType: 'doctor-licence', mspId: 'HospitalMSP', role: 'admin' },
    ]);
    await submitAs(
      hospitalAdmin,
      'identity',
      'credential:IssueCredential',
      [{ credentialId: licenceId, type: 'doctor-licence', holderId: `HospitalMSP/${doctor.name}` }],
      { transient: { claims: { licenceNumber: { value: `L-${run}`, salt: 'cd'.repeat(16) } } } },
    );
    await registerResident(registrar, patientId, patient);
    await untilEveryOrg(['city', 'hospital'], residentStatus(patientId), (r) => r.status === 'ACTIVE');
    await recordScan(device, measurement([{ code: BODY_WEIGHT, value: 64.25, unit: 'kg' }]));
    const consent = permit(patientId, doctor);
    await createConsent(patient, consent);
    // RequestAccess is endorsed on two health peers, each checking the licence (across channels) and
    // the consent: a peer that has not committed either yet refuses, and the endorsements disagree.
    await untilEveryOrg(
      HEALTH_ORGS,
      (org) => evaluateAs<{ status: string }>(orgAdmin(org), 'identity', 'credential:GetCredential', [licenceId]),
      (c) => c.status === 'ACTIVE',
    );
    await untilEveryOrg(
      HEALTH_ORGS,
      (org) =>
        evaluateAs<{ status: string }>(patient, 'medical', 'consent:GetConsent', [patientId, consent.consentId], {
          endorsingOrganizations: [orgAdmin(org).mspId],
        }),
      (c) => c.status === 'ACTIVE',
    );
    const granted = await submitAs<{ accessId: string }>(doctor, 'medical', 'access:RequestAccess', [
      { patientId, codes: [BODY_WEIGHT], purpose: 'TREAT' },
    ]);
    accessId = granted.result.accessId;
  }, 300000);

  const read = () =>
    evaluateAs<{ items: { value: number }[] }>(doctor, 'medical', 'access:ReadObservations', [
      { accessId, code: BODY_WEIGHT, pageSize: 10 },
    ], { sealed: true });

  it('reads under consent while licensed, and nothing once the licence is revoked', async () => {
    const before = await read();
    expect(before.items.map((i) => i.value)).toEqual([64.25]);

    await submitAs(hospitalAdmin, 'identity', 'credential:RevokeCredential', [
      licenceId,
      'security suite: licence revoked',
    ]);
    await untilEveryOrg(
      HEALTH_ORGS,
      (org) =>
        evaluateAs<{ status: string }>(orgAdmin(org), 'identity', 'credential:GetCredential', [licenceId]),
      (c) => c.status === 'REVOKED',
    );

    let refusal: unknown;
    await read().then(
      () => undefined,
      (err: unknown) => (refusal = err),
    );
    expect(refusal).toBeDefined();
    expect(chaincodeError(refusal)).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('can no longer request access, break the glass or propose a consent', async () => {
    const medical = meta.get('medical')!;
    const tx = (id: string) => medical.find((t) => t.id === id)!;
    expectForbidden(
      await tryEndorse(doctor, 'medical', tx('access:RequestAccess'), {
        args: [{ patientId, codes: [BODY_WEIGHT], purpose: 'TREAT' }],
      }),
    );
    expectForbidden(
      await tryEndorse(doctor, 'medical', tx('access:BreakGlass'), {
        args: [{ patientId, reason: 'security suite: unconscious patient' }],
      }),
    );
    const proposal = {
      ...permit(patientId, doctor, [BODY_WEIGHT], 'DRAFT'),
      grantee: { mspId: 'HospitalMSP' },
    };
    expectForbidden(await tryEndorse(doctor, 'medical', tx('consent:CreateConsent'), { args: [proposal] }));
  });
});
