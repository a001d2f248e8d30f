/**
 * The medical chaincode on the live network (issue 4, Bars), channel `health` (City, Hospital, Insurer;
 * not the port), with real identities enrolled at each org's Fabric CA and set up in the identity
 * chaincode on channel `city` (resident registered, doctor licences issued):
 * a device submits a scan whose values travel only in the transient map; a doctor without consent is
 * refused; the patient grants, the doctor reads; the patient revokes, the doctor is refused; an expired
 * consent is refused; break-the-glass works, is audited and notifies the patient; a weight change fires
 * an alert to the consented doctor; an insurer reads only through a peer that holds the values; a locked
 * resident's device and a doctor whose licence was revoked are refused; erasure purges the values from
 * both peers that held them and keeps hashes and an erasure record. Privacy: the blocks of this run's
 * transactions carry ids and hashes but no value, and the port authority's peer has no trace of any of it.
 *
 * Every id and enrolment name is unique per run, so the suite passes repeatedly on the same ledger.
 *
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { readdirSync } from 'node:fs';
import {
  evaluateAs,
  submitAs,
  chaincodeAs,
  Committed,
  forgetContracts,
  type CallOptions,
} from '../support/calls';
import { canonical, saltClaims, sha256hex } from '../support/credentials';
import { chaincodeError, expectRefusal } from '../support/errors';
import { untilEveryOrg, untilPast } from '../support/eventually';
import { forgetChainInfo } from '../support/heights';
import { chaincodeEventsOf, fetchBlock } from '../support/ledger';
import {
  closeConnections,
  connectAs,
  enrolUser,
  ensureNetwork,
  json,
  network,
  orgAdmin,
  peerCli,
  peerOf,
  shimRequests,
  TestUser,
} from '../support/live';
import { rangesIn, splitCompositeKey, transactionEffects, writesIn } from '../support/effects';
import { containsNumber, filesContaining } from '../support/traces';

const run = randomUUID().slice(0, 8);
const CITY = 'CityMSP';
const HOSPITAL = 'HospitalMSP';
const VALUE_HOLDERS = [CITY, HOSPITAL];
const VALUE_HOLDER_ORGS = ['city', 'hospital'];
const HEALTH_ORGS = ['city', 'hospital', 'insurer'];
const channelOf = (chaincode: string) =>
  network().topology.chaincodes.find((c) => c.name === chaincode)!.channel;

// LOINC codes (chaincode/medical/src/loinc.ts).
const WEIGHT = '29463-7';
const BMI = '39156-5';
const BODY_FAT = '41982-0';
const HEIGHT = '8302-2';
const HEART_RATE = '8867-4';

// ---- what the chaincode returns (the parts these tests read) ---------------------------------------

interface Item {
  code: string;
  value: number;
  unit: string;
}
interface Measurement {
  effectiveAt: string;
  salt: string;
  subject?: string;
  items: Item[];
}
interface Recorded {
  observationIds: string[];
  valueHashes: string[];
  alertIds: string[];
}
interface ObservationValue extends Item {
  observationId: string;
  patientId: string;
  effectiveAt: string;
  device: string;
  salt: string;
}
interface ObservationRecord {
  observationId: string;
  patientId: string;
  code: string;
  effectiveAt: string;
  device: string;
  recordedAt: string;
  valueHash: string;
  erasedAt?: string;
  erasureId?: string;
}
interface Consent {
  consentId: string;
  patientId: string;
  status: string;
  provision: string;
  period: { start: string; end: string };
}
interface Access {
  accessId: string;
  patientId: string;
  grantee: { mspId: string; enrollmentId: string; role: string; key: string };
  kind: 'CONSENT' | 'EMERGENCY';
  consentId?: string;
  codes: string[];
  purpose: string;
  reason?: string;
  grantedAt: string;
  expiresAt: string;
}
interface Alert {
  alertId: string;
  patientId: string;
  observationId: string;
  ruleId: string;
  code: string;
  fired: boolean;
  changePercent?: number;
  recipients: string[];
}
interface Erasure {
  erasureId: string;
  patientId: string;
  observationIds: string[];
  requestedBy: string;
  at: string;
}
interface Page<T> {
  items: T[];
  bookmark: string;
}
interface EventEnvelope {
  contract: string;
  transaction: string;
  events: { type: string; data: Record<string, unknown> }[];
}

// ---- the cast --------------------------------------------------------------------------------------

const patientId = `res-mina-${run}`;
let registrar: TestUser; // City registrar: registers the resident, trusts the licence issuer
let patient: TestUser; // City resident, residentId = patientId
let device: TestUser; // City device (the home body-composition scale) bound to the patient
let strayDevice: TestUser; // a device bound to someone else
let hospitalAdmin: TestUser; // Hospital admin: issues and revokes doctor licences
let doctor: TestUser; // the patient's doctor (consent)
let erDoctor: TestUser; // an emergency doctor, never consented
let locum: TestUser; // a doctor whose licence gets revoked
let unlicensed: TestUser; // a Hospital doctor certificate without a licence
let insurer: TestUser;
let portUser: TestUser;
const licences = new Map<string, string>(); // doctor name -> credentialId

/** Every committed medical transaction of this run: their blocks are searched for values at the end. */
const medicalTxs: Committed<unknown>[] = [];
/** Every scan submitted, with what the device sent. */
const scans: { measurement: Measurement; recorded: Recorded }[] = [];

const medical = <T>(user: TestUser, tx: string, args: unknown[], options: CallOptions = {}) =>
  // submitAs returns once every org's peer holds the block: the next step is often another org's
  // transaction (a consent, then the insurer's request), endorsed on its own peer (seen: NO_CONSENT).
  submitAs<T>(user, 'medical', tx, args, options).then((c) => {
    medicalTxs.push(c);
    return c;
  });
const identity = <T>(user: TestUser, tx: string, args: unknown[], options = {}) =>
  submitAs<T>(user, 'identity', tx, args, options);

/** A sealed evaluate (a value read) on the peers of `orgs` (fabric-gateway `endorsingOrganizations` picks where it runs). */
const evaluateOn = <T>(user: TestUser, orgs: string[] | undefined, tx: string, args: unknown[]): Promise<T> =>
  evaluateAs<T>(user, 'medical', tx, args, {
    sealed: true,
    ...(orgs ? { endorsingOrganizations: orgs } : {}),
  });
const ask = <T>(user: TestUser, tx: string, args: unknown[]) => evaluateAs<T>(user, 'medical', tx, args);

/** A scan from the patient's device, endorsed by both value-holding orgs as the README requires. */
async function recordScan(items: Item[], effectiveAt: string, by = device, subject?: string) {
  const measurement: Measurement = {
    effectiveAt,
    salt: randomBytes(16).toString('hex'),
    ...(subject ? { subject } : {}),
    items,
  };
  const committed = await medical<Recorded>(by, 'observation:RecordObservations', [], {
    transient: { measurement },
    endorsingOrganizations: VALUE_HOLDERS,
  });
  scans.push({ measurement, recorded: committed.result });
  return { committed, measurement };
}

const isoAgo = (ms: number) => new Date(Date.now() - ms).toISOString();
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A consent from the patient, ACTIVE at once, for `grantee` to read `codes` for `purposes`. */
const grant = (
  grantee: Record<string, string>,
  codes: string[],
  options: { purposes?: string[]; end?: string } = {},
) =>
  medical<Consent>(patient, 'consent:CreateConsent', [
    {
      consentId: `consent-${randomUUID()}`,
      patientId,
      provision: 'permit',
      grantee,
      actions: ['read'],
      codes,
      period: { start: isoAgo(60_000), end: options.end ?? new Date(Date.now() + 30 * DAY).toISOString() },
      purposes: options.purposes ?? ['TREAT'],
      status: 'ACTIVE',
    },
  ]);
const requestAccess = (who: TestUser, codes: string[], purpose = 'TREAT') =>
  medical<Access>(who, 'access:RequestAccess', [{ patientId, codes, purpose }]);
const read = (who: TestUser, accessId: string, code: string, orgs?: string[]) =>
  evaluateOn<Page<ObservationValue>>(who, orgs, 'access:ReadObservations', [
    { accessId, code, pageSize: 50 },
  ]);
const myValues = (code: string, orgs?: string[]) =>
  evaluateOn<Page<ObservationValue>>(patient, orgs, 'observation:ListMyObservations', [
    { code, pageSize: 50 },
  ]);

/** The health peers all see the identity chaincode's answer (the medical chaincode asks on each endorser). */
function identitySeenEverywhere(tx: string, args: string[], done: (answer: unknown) => boolean) {
  return untilEveryOrg(
    HEALTH_ORGS,
    async (org) => json(await chaincodeAs(orgAdmin(org), 'identity').evaluateTransaction(tx, ...args)),
    done,
  );
}
const residentIs = (status: string) =>
  identitySeenEverywhere(
    'status:CheckResident',
    [patientId],
    (a) => (a as { status?: string })?.status === status,
  );
const licenceActive = (doctorName: string, active: boolean) =>
  identitySeenEverywhere(
    'status:CheckHolderCredential',
    [`${HOSPITAL}/${doctorName}`, 'doctor-licence'],
    (a) => ((a as { status?: string } | null)?.status === 'ACTIVE') === active,
  );

/** The one chaincode event of each transaction, as `who` receives them from its peer. */
async function eventsOf(who: TestUser, committed: Committed<unknown>[]): Promise<EventEnvelope[]> {
  const start = committed.map((c) => c.blockNumber).reduce((a, b) => (a < b ? a : b));
  const txIds = committed.map((c) => c.txId);
  const received = await chaincodeEventsOf(who, channelOf('medical'), 'medical', start, txIds);
  return txIds.map((id) => {
    const e = received.get(id);
    if (!e) throw new Error(`no chaincode event received for ${id}`);
    return JSON.parse(e.payload.toString('utf8')) as EventEnvelope;
  });
}

beforeAll(async () => {
  await ensureNetwork();
  await Promise.all([
    (async () => {
      registrar = await enrolUser('city', `med-registrar-${run}`, { role: 'registrar' });
      patient = await enrolUser('city', `mina-${run}`, { role: 'resident', residentId: patientId });
      device = await enrolUser('city', `mina-scale-${run}`, { role: 'device', residentId: patientId });
      strayDevice = await enrolUser('city', `other-scale-${run}`, {
        role: 'device',
        residentId: `res-other-${run}`,
      });
    })(),
    (async () => {
      hospitalAdmin = await enrolUser('hospital', `med-admin-${run}`, { role: 'admin' });
      doctor = await enrolUser('hospital', `dr-kim-${run}`, { role: 'doctor' });
      erDoctor = await enrolUser('hospital', `dr-er-${run}`, { role: 'doctor' });
      locum = await enrolUser('hospital', `dr-locum-${run}`, { role: 'doctor' });
      unlicensed = await enrolUser('hospital', `dr-none-${run}`, { role: 'doctor' });
    })(),
    (async () => {
      insurer = await enrolUser('insurer', `med-insurer-${run}`, { role: 'insurer' });
    })(),
    (async () => {
      portUser = await enrolUser('port', `med-agent-${run}`, { role: 'agent' });
    })(),
  ]);

  // Identity chaincode (channel city): the patient is a registered, ACTIVE resident bound to her
  // enrolment; Hospital admins are trusted for doctor licences (idempotent); each doctor but one holds one.
  await identity(registrar, 'resident:RegisterResident', [
    { residentId: patientId, enrollmentId: patient.name },
  ]);
  await identity(registrar, 'issuer:SetTrustedIssuer', [
    { credentialType: 'doctor-licence', mspId: HOSPITAL, role: 'admin' },
  ]);
  for (const dr of [doctor, erDoctor, locum]) {
    const credentialId = `licence-${randomUUID()}`;
    await identity(
      hospitalAdmin,
      'credential:IssueCredential',
      [{ credentialId, type: 'doctor-licence', holderId: `${HOSPITAL}/${dr.name}` }],
      {
        transient: {
          claims: saltClaims({ licenceNumber: `MD-${dr.name}`, speciality: 'internal medicine' }),
        },
      },
    );
    licences.set(dr.name, credentialId);
  }
  await residentIs('ACTIVE');
  for (const dr of [doctor, erDoctor, locum]) await licenceActive(dr.name, true);
});

afterAll(() => {
  forgetContracts();
  forgetChainInfo();
  closeConnections();
});

// ---- the scenario ------------------------------------------------------------------------------------

/** The morning scan: distinctive values (three decimals) so that their text can be searched for later. */
const morning: Item[] = [
  { code: WEIGHT, value: 81.237, unit: 'kg' },
  { code: BMI, value: 26.104, unit: 'kg/m2' },
  { code: BODY_FAT, value: 23.817, unit: '%' },
  { code: HEIGHT, value: 176.413, unit: 'cm' },
];
let morningScan: { committed: Committed<Recorded>; measurement: Measurement };
let records: ObservationRecord[];

describe('a device records a scan', () => {
  it('for its bound resident: values go in the transient map, the public record keeps code, time, device and hash', async () => {
    const sentBefore = await Promise.all(VALUE_HOLDER_ORGS.map((o) => shimRequests(o, 'medical')));
    morningScan = await recordScan(morning, isoAgo(2 * DAY));
    const { observationIds, valueHashes, alertIds } = morningScan.committed.result;
    // Its writes (per item a public record and a private value, a watched index entry for some) reached
    // each endorsing peer in one message: Fabric 3.1's write batching (chaincode/common/src/shim-write-batch.ts).
    const sentAfter = await Promise.all(VALUE_HOLDER_ORGS.map((o) => shimRequests(o, 'medical')));
    sentAfter.forEach((after, i) => {
      expect((after.WRITE_BATCH_STATE ?? 0) - (sentBefore[i].WRITE_BATCH_STATE ?? 0)).toBe(1);
      expect(after.PUT_STATE ?? 0).toBe(sentBefore[i].PUT_STATE ?? 0);
    });
    const txId = morningScan.committed.txId;
    expect(observationIds).toEqual(morning.map((_, i) => `${txId}.${i}`));
    expect(valueHashes).toHaveLength(morning.length);
    // The weight's alert outcome, as for every weight: no earlier weight, so it did not fire.
    expect(alertIds).toEqual([`${txId}.0:weight-change-5pct-30d`]);
    expect(await evaluateOn<Alert>(patient, undefined, 'observation:GetAlert', [alertIds[0]])).toMatchObject({
      fired: false,
    });

    // Any health member reads the public record from its own peer: no value, no salt.
    records = await Promise.all(
      observationIds.map((id) =>
        ask<ObservationRecord>(insurer, 'observation:GetObservationRecord', [patientId, id]),
      ),
    );
    records.forEach((r, i) => {
      expect(r).toMatchObject({
        observationId: observationIds[i],
        patientId,
        code: morning[i].code,
        device: `${CITY}/${device.name}`,
        valueHash: valueHashes[i],
      });
      expect(r).not.toHaveProperty('value');
      expect(JSON.stringify(r)).not.toContain(morningScan.measurement.salt);
    });

    // The patient reads her values on her City peer; each value's canonical JSON hashes to the public hash.
    for (const [i, item] of morning.entries()) {
      const page = await myValues(item.code);
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({ ...item, observationId: observationIds[i], patientId });
      expect(sha256hex(canonical(page.items[0]))).toBe(valueHashes[i]);
    }
  });

  it('is refused for another resident, and from a device bound to someone else', async () => {
    const refused = await expectRefusal(
      recordScan([{ code: WEIGHT, value: 70.5, unit: 'kg' }], isoAgo(HOUR), device, `res-other-${run}`),
      'FORBIDDEN',
    );
    expect(refused.details).toMatchObject({ reason: 'DEVICE_NOT_BOUND' });
    // The stray device's resident is not registered at all: the identity chaincode says NOT_FOUND.
    await expectRefusal(
      recordScan([{ code: WEIGHT, value: 70.5, unit: 'kg' }], isoAgo(HOUR), strayDevice),
      'NOT_FOUND',
    );
    // Unknown code and wrong unit are invalid input.
    await expectRefusal(
      recordScan([{ code: WEIGHT, value: 70.5, unit: 'lb' }], isoAgo(HOUR)),
      'INVALID_ARGUMENT',
    );
    // A doctor is no device.
    await expectRefusal(
      recordScan([{ code: WEIGHT, value: 70.5, unit: 'kg' }], isoAgo(HOUR), doctor),
      'FORBIDDEN',
    );
  });
});

describe('consent', () => {
  let consent: Consent;
  let access: Access;

  it('a doctor without consent is refused, and cannot read without a recorded access', async () => {
    const refused = await expectRefusal(requestAccess(doctor, [WEIGHT]), 'FORBIDDEN');
    expect(refused.details).toMatchObject({ reason: 'NO_CONSENT' });
    await expectRefusal(read(doctor, `no-such-access-${run}`, WEIGHT), 'NOT_FOUND');
    // The patient's own list is the patient's only.
    await expectRefusal(
      evaluateOn(doctor, undefined, 'observation:ListMyObservations', [{ code: WEIGHT, pageSize: 10 }]),
      'FORBIDDEN',
    );
  });

  it('the patient grants (ACTIVE); the doctor requests access and reads the values of the granted codes', async () => {
    consent = (await grant({ mspId: HOSPITAL, enrollmentId: doctor.name }, [WEIGHT, BMI, BODY_FAT])).result;
    expect(consent).toMatchObject({ patientId, status: 'ACTIVE', provision: 'permit' });
    expect(await ask<Consent>(doctor, 'consent:GetConsent', [patientId, consent.consentId])).toMatchObject({
      status: 'ACTIVE',
    });

    access = (await requestAccess(doctor, [WEIGHT, BMI])).result;
    expect(access).toMatchObject({
      patientId,
      kind: 'CONSENT',
      consentId: consent.consentId,
      codes: [WEIGHT, BMI].sort(),
      purpose: 'TREAT',
      grantee: { mspId: HOSPITAL, enrollmentId: doctor.name },
    });
    expect(Date.parse(access.expiresAt) - Date.parse(access.grantedAt)).toBe(HOUR);

    const weights = await read(doctor, access.accessId, WEIGHT);
    expect(weights.items.map((v) => [v.value, v.unit])).toEqual([[81.237, 'kg']]);
    expect(sha256hex(canonical(weights.items[0]))).toBe(records[0].valueHash);
    expect((await read(doctor, access.accessId, BMI)).items.map((v) => v.value)).toEqual([26.104]);

    // A client that submits the read instead (fabric-gateway lets it): the answer commits, sealed under a
    // key that stayed in the transient map, so its block (searched in 'privacy') holds no value.
    const query = [{ accessId: access.accessId, code: WEIGHT, pageSize: 50 }];
    const submitted = await medical<Page<ObservationValue>>(doctor, 'access:ReadObservations', query, {
      sealed: true,
      endorsingOrganizations: VALUE_HOLDERS,
    });
    expect(submitted.result.items.map((v) => v.value)).toEqual([81.237]);
    const block = await fetchBlock(orgAdmin('city'), channelOf('medical'), submitted.blockNumber);
    expect(block.includes(Buffer.from(submitted.answer))).toBe(true);
    expect(Object.keys(json(submitted.answer) as object).sort()).toEqual(['alg', 'ciphertext', 'iv', 'tag']);
    // Without a result key, nothing is answered.
    expect(
      (
        await expectRefusal(
          evaluateAs(doctor, 'medical', 'access:ReadObservations', query),
          'INVALID_ARGUMENT',
        )
      ).details,
    ).toMatchObject({ reason: 'RESULT_KEY_REQUIRED' });

    // Only within the access: another code, another doctor, a code outside the consent.
    expect((await expectRefusal(read(doctor, access.accessId, BODY_FAT), 'FORBIDDEN')).details).toMatchObject(
      {
        reason: 'CODE_NOT_GRANTED',
      },
    );
    expect((await expectRefusal(read(erDoctor, access.accessId, WEIGHT), 'FORBIDDEN')).details).toMatchObject(
      {
        reason: 'NOT_GRANTEE',
      },
    );
    expect((await expectRefusal(requestAccess(doctor, [HEIGHT]), 'FORBIDDEN')).details).toMatchObject({
      reason: 'NO_CONSENT',
    });
  });

  it('a weight change of 5 % or more within 30 days fires an alert for the consented doctor (ids only in the event)', async () => {
    const { committed } = await recordScan([{ code: WEIGHT, value: 86.519, unit: 'kg' }], isoAgo(HOUR));
    const [alertId] = committed.result.alertIds;
    expect(committed.result.alertIds).toEqual([
      `${committed.result.observationIds[0]}:weight-change-5pct-30d`,
    ]);

    const [event] = await eventsOf(doctor, [committed]);
    expect(event.transaction).toBe('RecordObservations');
    expect(event.events.find((e) => e.type === 'AlertChecked')?.data).toEqual({
      alertId,
      recipients: [`${HOSPITAL}/${doctor.name}`],
    });

    const alert = await evaluateOn<Alert>(doctor, undefined, 'observation:GetAlert', [alertId]);
    expect(alert).toMatchObject({
      alertId,
      patientId,
      code: WEIGHT,
      ruleId: 'weight-change-5pct-30d',
      fired: true,
      recipients: [`${HOSPITAL}/${doctor.name}`],
    });
    // (86.519 - 81.237) / 81.237 = 6.50 %
    expect(alert.changePercent).toBe(6);
    // Not sent to the emergency doctor.
    expect(
      (await expectRefusal(evaluateOn(erDoctor, undefined, 'observation:GetAlert', [alertId]), 'FORBIDDEN'))
        .details,
    ).toMatchObject({ reason: 'NOT_A_RECIPIENT' });
    // The doctor's access shows both weights, oldest first.
    expect((await read(doctor, access.accessId, WEIGHT)).items.map((v) => v.value)).toEqual([81.237, 86.519]);

    // On the ledger, the rule found the earlier weight through the index of watched observations, not
    // by reading the patient's observation records: the ranges the scan read (and each peer read
    // again to validate it) are the patient's consents, for the alert's recipients, and the patient's
    // weights, which returned the one earlier weight and none of the morning scan's other codes.
    const ranges = rangesIn(
      await transactionEffects(doctor, channelOf('medical'), committed.txId),
      'medical',
    );
    const isWeight = (key: string) => {
      const k = splitCompositeKey(key);
      return k?.objectType === 'watchedObs' && k.parts[0] === patientId && k.parts[1] === WEIGHT;
    };
    const isConsent = (key: string) => {
      const k = splitCompositeKey(key);
      return k?.objectType === 'consent' && k.parts[0] === patientId;
    };
    expect(ranges.filter((r) => !isWeight(r.startKey) && !isConsent(r.startKey))).toEqual([]);
    const weightsRead = ranges.filter((r) => isWeight(r.startKey)).flatMap((r) => r.keys ?? []);
    expect(weightsRead).toHaveLength(1);
    expect(isWeight(weightsRead[0])).toBe(true);
  });

  it("an upgrade step: a Hospital admin indexes the patient's weights again (the same index entries); a doctor may not", async () => {
    const mine = await ask<Page<ObservationRecord>>(patient, 'observation:ListMyObservationRecords', [
      100,
      '',
    ]);
    const weights = mine.items.filter((o) => o.code === WEIGHT && o.erasedAt === undefined);
    expect(weights.length).toBeGreaterThanOrEqual(2);
    const indexed = await medical<{ indexed: number }>(
      hospitalAdmin,
      'observation:IndexWatchedObservations',
      [patientId],
    );
    expect(indexed.result).toEqual({ indexed: weights.length });
    // It writes each weight's index entry (which this version's scans wrote already) and nothing else.
    const written = writesIn(await transactionEffects(doctor, channelOf('medical'), indexed.txId), 'medical');
    expect(written.map((w) => splitCompositeKey(w.key)?.objectType)).toEqual(weights.map(() => 'watchedObs'));
    expect(written.map((w) => JSON.parse(w.value.toString('utf8')) as unknown)).toEqual(
      expect.arrayContaining(
        weights.map(({ code, effectiveAt, observationId }) => ({
          patientId,
          code,
          effectiveAt,
          observationId,
        })),
      ),
    );
    await expectRefusal(medical(doctor, 'observation:IndexWatchedObservations', [patientId]), 'FORBIDDEN');
  });

  it('the patient revokes (only she can): the running access stops at once and a new request is refused', async () => {
    await expectRefusal(medical(doctor, 'consent:RevokeConsent', [consent.consentId]), 'FORBIDDEN');
    const revoked = await medical<Consent>(patient, 'consent:RevokeConsent', [consent.consentId]);
    expect(revoked.result.status).toBe('INACTIVE');

    const reading = await expectRefusal(read(doctor, access.accessId, WEIGHT), 'FORBIDDEN');
    expect(reading.details).toMatchObject({ reason: 'NO_CONSENT' });
    const again = await expectRefusal(requestAccess(doctor, [WEIGHT]), 'FORBIDDEN');
    expect(again.details).toMatchObject({ reason: 'NO_CONSENT' });
  });

  it('an expired consent is refused: its access ends with it, a new request says CONSENT_EXPIRED, a draft cannot be activated', async () => {
    // A period that has already ended is refused at creation.
    await expectRefusal(
      medical(patient, 'consent:CreateConsent', [
        {
          consentId: `consent-${randomUUID()}`,
          patientId,
          provision: 'permit',
          grantee: { mspId: HOSPITAL, enrollmentId: doctor.name },
          actions: ['read'],
          codes: [WEIGHT],
          period: { start: isoAgo(2 * DAY), end: isoAgo(DAY) },
          purposes: ['TREAT'],
          status: 'ACTIVE',
        },
      ]),
      'INVALID_ARGUMENT',
    );

    // A short consent, and a short draft proposed by the doctor (which the patient never activates in time).
    const end = new Date(Date.now() + 6000).toISOString();
    const short = (await grant({ mspId: HOSPITAL, enrollmentId: doctor.name }, [WEIGHT], { end })).result;
    const draft = (
      await medical<Consent>(doctor, 'consent:CreateConsent', [
        {
          consentId: `proposal-${randomUUID()}`,
          patientId,
          provision: 'permit',
          grantee: { mspId: HOSPITAL, enrollmentId: doctor.name },
          actions: ['read'],
          codes: [WEIGHT],
          period: { start: isoAgo(60_000), end },
          purposes: ['TREAT'],
        },
      ])
    ).result;
    expect(draft.status).toBe('DRAFT');

    const access = (await requestAccess(doctor, [WEIGHT])).result;
    expect(access).toMatchObject({ consentId: short.consentId, expiresAt: end });
    expect((await read(doctor, access.accessId, WEIGHT)).items).toHaveLength(2);

    await untilPast(end);
    expect((await expectRefusal(read(doctor, access.accessId, WEIGHT), 'FORBIDDEN')).details).toMatchObject({
      reason: 'ACCESS_EXPIRED',
    });
    expect((await expectRefusal(requestAccess(doctor, [WEIGHT]), 'FORBIDDEN')).details).toMatchObject({
      reason: 'CONSENT_EXPIRED',
      consentId: short.consentId,
    });
    const activation = await expectRefusal(
      medical(patient, 'consent:ActivateConsent', [draft.consentId]),
      'FAILED_PRECONDITION',
    );
    expect(activation.details).toMatchObject({ reason: 'CONSENT_EXPIRED' });
  });
});

describe('break the glass', () => {
  let emergency: Committed<Access>;

  it('a licensed doctor without consent reads by giving a reason, for 24 hours', async () => {
    const reason = `unconscious patient in the ER, run ${run}`;
    await expectRefusal(
      medical(erDoctor, 'access:BreakGlass', [{ patientId, reason: 'short' }]),
      'INVALID_ARGUMENT',
    );
    await expectRefusal(medical(insurer, 'access:BreakGlass', [{ patientId, reason }]), 'FORBIDDEN');
    await expectRefusal(medical(unlicensed, 'access:BreakGlass', [{ patientId, reason }]), 'FORBIDDEN');

    emergency = await medical<Access>(erDoctor, 'access:BreakGlass', [{ patientId, reason }]);
    const access = emergency.result;
    expect(access).toMatchObject({
      patientId,
      kind: 'EMERGENCY',
      purpose: 'ETREAT',
      reason,
      grantee: { mspId: HOSPITAL, enrollmentId: erDoctor.name },
    });
    expect(access.consentId).toBeUndefined();
    expect(Date.parse(access.expiresAt) - Date.parse(access.grantedAt)).toBe(DAY);
    expect((await read(erDoctor, access.accessId, WEIGHT)).items.map((v) => v.value)).toEqual([
      81.237, 86.519,
    ]);
    expect((await read(erDoctor, access.accessId, BODY_FAT)).items.map((v) => v.value)).toEqual([23.817]);
  });

  it("is in the patient's access log (who, why, until when) and the patient gets the EmergencyAccessGranted event", async () => {
    const log = await ask<Page<Access>>(patient, 'access:ListMyAccessLog', [100, '']);
    expect(log.items.find((a) => a.accessId === emergency.result.accessId)).toEqual(emergency.result);
    expect(log.items.filter((a) => a.kind === 'CONSENT').map((a) => a.grantee.enrollmentId)).toEqual([
      doctor.name,
      doctor.name,
    ]);
    // Someone else's log is not hers to read; the grantee may look at the access it holds.
    await expectRefusal(ask(erDoctor, 'access:ListMyAccessLog', [100, '']), 'FORBIDDEN');
    expect(await ask<Access>(erDoctor, 'access:GetAccess', [emergency.result.accessId])).toEqual(
      emergency.result,
    );

    const [event] = await eventsOf(patient, [emergency]);
    expect(event).toMatchObject({ contract: 'access', transaction: 'BreakGlass' });
    expect(event.events).toEqual([
      {
        type: 'EmergencyAccessGranted',
        data: {
          accessId: emergency.result.accessId,
          patientId,
          grantee: `${HOSPITAL}/${erDoctor.name}`,
          kind: 'EMERGENCY',
          expiresAt: emergency.result.expiresAt,
        },
      },
    ]);
  });
});

describe('an insurer reads under consent only through a peer that holds the values', () => {
  it('its own peer answers WRONG_PEER; a City peer answers with the values', async () => {
    await grant({ mspId: 'InsurerMSP', role: 'insurer' }, [WEIGHT], { purposes: ['CLMATTCH'] });
    const access = (await requestAccess(insurer, [WEIGHT], 'CLMATTCH')).result;
    const wrong = await expectRefusal(read(insurer, access.accessId, WEIGHT), 'FAILED_PRECONDITION');
    expect(wrong.details).toMatchObject({ reason: 'WRONG_PEER', endorsers: VALUE_HOLDERS });
    expect((await read(insurer, access.accessId, WEIGHT, [CITY])).items.map((v) => v.value)).toEqual([
      81.237, 86.519,
    ]);
  });
});

describe('identity locks and revocations are honoured', () => {
  it("a locked resident's device cannot submit; after the unlock it can", async () => {
    await identity(patient, 'resident:LockResident', [patientId, 'scale may be compromised']);
    await residentIs('LOCKED');
    const refused = await expectRefusal(
      recordScan([{ code: HEART_RATE, value: 67.125, unit: '/min' }], isoAgo(30 * 60_000)),
      'FORBIDDEN',
    );
    expect(refused.details).toMatchObject({ reason: 'RESIDENT_NOT_ACTIVE' });

    await identity(patient, 'resident:UnlockResident', [patientId, 'scale checked']);
    await residentIs('ACTIVE');
    const { committed } = await recordScan(
      [{ code: HEART_RATE, value: 67.125, unit: '/min' }],
      isoAgo(30 * 60_000),
    );
    expect(committed.result.observationIds).toHaveLength(1);
  });

  it('a doctor whose licence was revoked can no longer read, request or break the glass', async () => {
    await grant({ mspId: HOSPITAL, enrollmentId: locum.name }, [WEIGHT]);
    const access = (await requestAccess(locum, [WEIGHT])).result;
    expect((await read(locum, access.accessId, WEIGHT)).items).toHaveLength(2);

    await identity(hospitalAdmin, 'credential:RevokeCredential', [
      licences.get(locum.name)!,
      'licence withdrawn',
    ]);
    await licenceActive(locum.name, false);
    for (const call of [
      () => read(locum, access.accessId, WEIGHT),
      () => requestAccess(locum, [WEIGHT]),
      () => medical(locum, 'access:BreakGlass', [{ patientId, reason: 'emergency, no consent possible' }]),
    ]) {
      expect((await expectRefusal(call(), 'FORBIDDEN')).details).toMatchObject({
        reason: 'CREDENTIAL_NOT_ACTIVE',
      });
    }
  });
});

describe('erasure', () => {
  let erasure: Committed<{ erasure: Erasure; remaining: boolean }>;

  it('purges every value from both peers that held them; hashes, records and an erasure record remain', async () => {
    const observationIds = scans.flatMap((s) => s.recorded.observationIds);
    const before = await ask<Page<ObservationRecord>>(patient, 'observation:ListMyObservationRecords', [
      100,
      '',
    ]);
    expect(before.items.map((r) => r.observationId).sort()).toEqual([...observationIds].sort());

    await expectRefusal(
      medical(doctor, 'observation:EraseObservations', [{}], { endorsingOrganizations: VALUE_HOLDERS }),
      'FORBIDDEN',
    );
    erasure = await medical(patient, 'observation:EraseObservations', [{}], {
      endorsingOrganizations: VALUE_HOLDERS,
    });
    expect(erasure.result.remaining).toBe(false);
    expect(erasure.result.erasure).toMatchObject({
      erasureId: erasure.txId,
      patientId,
      requestedBy: `${CITY}/${patient.name}`,
    });
    expect([...erasure.result.erasure.observationIds].sort()).toEqual([...observationIds].sort());

    // No value left on either value-holding peer: the patient asks each, the emergency doctor too.
    for (const org of VALUE_HOLDERS) {
      for (const code of [WEIGHT, BMI, BODY_FAT, HEIGHT, HEART_RATE]) {
        expect((await myValues(code, [org])).items).toEqual([]);
      }
    }
    const emergency = (await ask<Page<Access>>(patient, 'access:ListMyAccessLog', [100, ''])).items.find(
      (a) => a.kind === 'EMERGENCY',
    )!;
    expect((await read(erDoctor, emergency.accessId, WEIGHT, [HOSPITAL])).items).toEqual([]);
    expect((await read(erDoctor, emergency.accessId, WEIGHT, [CITY])).items).toEqual([]);
    // The alert went with the value it was about.
    const alertId = scans[1].recorded.alertIds[0];
    await expectRefusal(evaluateOn(doctor, [HOSPITAL], 'observation:GetAlert', [alertId]), 'NOT_FOUND');

    // What stays: the public records with their hashes (now marked erased), the erasure record, the audit log.
    const after = await ask<Page<ObservationRecord>>(patient, 'observation:ListMyObservationRecords', [
      100,
      '',
    ]);
    for (const record of after.items) {
      const original = before.items.find((r) => r.observationId === record.observationId)!;
      expect(record).toEqual({ ...original, erasedAt: erasure.result.erasure.at, erasureId: erasure.txId });
    }
    expect((await ask<Page<Erasure>>(patient, 'observation:ListMyErasures', [100, ''])).items).toEqual([
      erasure.result.erasure,
    ]);
    expect(
      (await ask<Page<Access>>(patient, 'access:ListMyAccessLog', [100, ''])).items.length,
    ).toBeGreaterThan(0);
    await expectRefusal(
      medical(patient, 'observation:EraseObservations', [{}], { endorsingOrganizations: VALUE_HOLDERS }),
      'FAILED_PRECONDITION',
    );

    const [event] = await eventsOf(patient, [erasure]);
    expect(event.events).toEqual([
      {
        type: 'ObservationsErased',
        data: { patientId, erasureId: erasure.txId, count: observationIds.length, remaining: false },
      },
    ]);
  });
});

// ---- privacy -----------------------------------------------------------------------------------------

describe('privacy', () => {
  it('the blocks of every medical transaction of this run carry observation ids and hashes, never a value', async () => {
    const numbers = [...new Set(medicalTxs.map((c) => c.blockNumber))];
    const admin = orgAdmin('city');
    const blocks = Buffer.concat(
      await Promise.all(numbers.map((n) => fetchBlock(admin, channelOf('medical'), n))),
    );
    expect(scans.length).toBeGreaterThanOrEqual(3);
    for (const { measurement, recorded } of scans) {
      // Nothing the device sent in the transient map: not the JSON, not the salt, not one value.
      expect(blocks.includes(JSON.stringify({ measurement }))).toBe(false);
      expect(blocks.includes(JSON.stringify(measurement))).toBe(false);
      expect(blocks.includes(measurement.salt)).toBe(false);
      for (const item of measurement.items) {
        expect({ value: String(item.value), found: containsNumber(blocks, String(item.value)) }).toEqual({
          value: String(item.value),
          found: false,
        });
        expect(blocks.includes(JSON.stringify(item))).toBe(false);
      }
      // What is there: the ids and the hashes (as the public record's hex and as Fabric's private data hash).
      for (const [i, id] of recorded.observationIds.entries()) {
        expect(blocks.includes(id)).toBe(true);
        expect(blocks.includes(recorded.valueHashes[i])).toBe(true);
        expect(blocks.includes(Buffer.from(recorded.valueHashes[i], 'hex'))).toBe(true);
      }
    }
    // The search itself finds a number where there is one: the erasure count is in its event.
    expect(containsNumber(blocks, `"count":${scans.flatMap((s) => s.recorded.observationIds).length}`)).toBe(
      true,
    );
  });

  it("the insurer's peer, on health but outside the collection, holds this run's records but none of its salts", async () => {
    // Salts (random, 128 bits) exist only inside the private values; the ids are in every health block.
    const insurerLedger = network().paths.ledger(peerOf('insurer').id);
    const salts = scans.map((s) => s.measurement.salt);
    const ids = scans.flatMap((s) => s.recorded.observationIds);
    const found = filesContaining(insurerLedger, [...salts, ...ids]);
    expect(ids.filter((id) => found.get(id)!.length === 0)).toEqual([]);
    expect(salts.filter((salt) => found.get(salt)!.length > 0)).toEqual([]);
  });

  it("the port authority's peer has not joined health, cannot be asked for medical data, and holds no trace of it", async () => {
    const joined = await peerCli('port', ['channel', 'list']);
    expect(joined).toContain('city');
    expect(joined).not.toContain('health');

    // A port client asking its own peer for the medical chaincode gets a Fabric refusal, not data.
    let caught: unknown;
    try {
      await connectAs(portUser, peerOf('port'))
        .getNetwork(channelOf('medical'))
        .getContract('medical')
        .evaluate('observation:GetObservationRecord', {
          arguments: [patientId, scans[0].recorded.observationIds[0]],
        });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(chaincodeError(caught)).toBeUndefined();
    // Fabric 3.1 answers: "failed to get config for channel [health]: could not get last config …".
    expect((caught as Error).message).toMatch(/channel \[?health\]?/);

    const ledgers = (peer: string) => network().paths.ledger(peerOf(peer).id);
    expect(readdirSync(path.join(ledgers('port'), 'ledgersData', 'chains', 'chains'))).toEqual(['city']);

    // Byte search of the whole ledger folder: this run's observation ids, transaction ids and salts are on
    // the hospital peer's health chain (the control) and nowhere on the port peer.
    const needles = [
      ...scans.flatMap((s) => [...s.recorded.observationIds, s.measurement.salt]),
      ...medicalTxs.map((c) => c.txId),
    ];
    const ids = needles.filter((n) => !scans.some((s) => s.measurement.salt === n));
    const onHospital = filesContaining(
      path.join(ledgers('hospital'), 'ledgersData', 'chains', 'chains', 'health'),
      ids,
    );
    expect([...onHospital].filter(([, files]) => files.length === 0).map(([n]) => n)).toEqual([]);
    const onPort = filesContaining(ledgers('port'), needles);
    expect([...onPort].filter(([, files]) => files.length > 0)).toEqual([]);
  });
});
