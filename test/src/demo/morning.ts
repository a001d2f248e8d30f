/**
 * Act 2 — morning: Minji's body-composition scale (a City `device` bound to her residentId) submits this
 * morning's scan as transient data (values go to the City/Hospital private collection, only salted hashes
 * reach the ledger); her doctor, whom she consented to, requests access and reads it; the weight-change
 * rule (≥ 5 % within 30 days) raised an alert to the doctor; Minji reads her access log.
 */
import { randomBytes } from 'node:crypto';
import { saltClaims } from '../support/credentials';
import { Client, Committed, GatewayProblem, MSP } from './client';
import { Day } from './context';
import { check } from './narrator';

const WEIGHT = '29463-7';
const BMI = '39156-5';
const FAT = '41982-0';
const CODES = [WEIGHT, BMI, FAT];

interface Recorded {
  observationIds: string[];
  valueHashes: string[];
  alertIds: string[];
}
interface Access {
  accessId: string;
  kind: string;
  codes: string[];
  expiresAt: string;
  grantee: { key: string };
}
interface Value {
  code: string;
  value: number;
  unit: string;
  effectiveAt: string;
}

export interface MorningOutcome {
  observationIds: string[];
  alertId?: string;
  alertChangePercent?: number;
  /** Set when the deployed chaincode needed the workaround (no weight, no alert). */
  degraded?: string;
  accessId: string;
  doctorRead: number[];
  accessLog: { grantee: string; kind: string }[];
}

const scan = (kg: number, bmi: number, fat: number, effectiveAt: string, withWeight = true) => ({
  transient: {
    measurement: {
      effectiveAt,
      salt: randomBytes(16).toString('hex'),
      items: [
        ...(withWeight ? [{ code: WEIGHT, value: kg, unit: 'kg' }] : []),
        { code: BMI, value: bmi, unit: 'kg/m2' },
        { code: FAT, value: fat, unit: '%' },
      ],
    },
  },
});

/**
 * The medical chaincode deployed before commit 628fc37 runs a private-data range query in
 * RecordObservations when a body weight arrives (the alert rule), which Fabric refuses in a writing
 * transaction. Until the lead redeploys it, the demo records scans without the weight (no alert).
 */
const isPrivateRangeBug = (err: unknown) =>
  err instanceof GatewayProblem && err.code === 'INTERNAL' && /Queries on pvt data/.test(err.detail);

/** The doctor's licence: a `doctor-licence` credential issued by the hospital (a trusted issuer). */
async function licenseDoctor(day: Day, doctor: Client): Promise<void> {
  const { narrator: n, registrar } = day;
  const hospitalAdmin = await day.enrol('hospital', 'medical-board', 'admin');
  const type = 'doctor-licence';
  if (
    !(await hospitalAdmin.get<{ result: boolean }>('identity/issuer/can-issue', { credentialType: type }))
      .result
  ) {
    n.tx(
      'registrar trusts the hospital admin to issue doctor licences',
      await registrar.submit('identity/issuer/set-trusted-issuer', {
        credentialType: type,
        mspId: MSP.hospital,
        role: 'admin',
      }),
    );
  }
  n.tx(
    `hospital issues a doctor-licence to ${doctor.key}`,
    await hospitalAdmin.submit('identity/credential/credentials', {
      input: { credentialId: day.id('licence-dr-kim'), type, holderId: doctor.key },
      transient: { claims: saltClaims({ licenceNumber: `KR-MD-${day.run}`, specialty: 'family medicine' }) },
    }),
  );
}

export async function morningAct(day: Day): Promise<MorningOutcome> {
  const { narrator: n } = day;
  n.act(2, 'Morning: the body-composition scan reaches the doctor');
  if (!day.resident) throw new Error('the morning needs the resident of act 1');
  const { client: minji, residentId } = day.resident;

  const [scale, doctor] = await Promise.all([
    day.enrol('city', 'inbody-scale', 'device', { residentId }),
    day.enrol('hospital', 'dr-kim', 'doctor'),
  ]);
  await licenseDoctor(day, doctor);

  // Minji consents: Dr Kim may read her body composition, for treatment, for 30 days.
  const now = Date.now();
  const consentId = day.id('consent-dr-kim');
  n.tx(
    `Minji consents: ${doctor.key} may read weight, BMI, body fat for treatment for 30 days`,
    await minji.submit('medical/consent/consents', {
      consentId,
      patientId: residentId,
      provision: 'permit',
      grantee: { mspId: MSP.hospital, enrollmentId: doctor.enrollmentId },
      actions: ['read'],
      codes: CODES,
      period: {
        start: new Date(now - 60_000).toISOString(),
        end: new Date(now + 30 * 86_400_000).toISOString(),
      },
      purposes: ['TREAT'],
      status: 'ACTIVE',
    }),
  );

  // Last week's scan, then this morning's: +6 % in a week.
  let degraded: string | undefined;
  let lastWeek: Committed<Recorded>;
  const lastWeekAt = new Date(now - 7 * 86_400_000).toISOString();
  try {
    lastWeek = await scale.submit<Recorded>('medical/observations', scan(72.4, 23.6, 21.3, lastWeekAt));
  } catch (err) {
    if (!isPrivateRangeBug(err)) throw err;
    degraded =
      'the deployed medical chaincode predates the alert-rule fix (628fc37): scans go without body weight, no alert, until it is redeployed';
    n.say(`⚠ ${degraded}`);
    lastWeek = await scale.submit<Recorded>(
      'medical/observations',
      scan(72.4, 23.6, 21.3, lastWeekAt, false),
    );
  }
  n.tx(
    `the scale submits last week's scan (${degraded ? '' : '72.4 kg, '}BMI 23.6, fat 21.3 %) — values in the transient map only`,
    lastWeek,
  );
  const today = n.tx(
    `the scale submits this morning's scan (${degraded ? '' : '76.8 kg, '}BMI 25.1, fat 23.9 %), endorsed by City + Hospital`,
    await scale.submit<Recorded>(
      'medical/observations',
      scan(76.8, 25.1, 23.9, new Date(now - 1000).toISOString(), !degraded),
    ),
  );
  n.info(
    `on the ledger: observation ids and salted hashes only, e.g. ${today.result.valueHashes[0].slice(0, 16)}…`,
  );
  // Every weight gets the rule's outcome, fired or not, so the channel cannot tell which fired.
  check(degraded || lastWeek.result.alertIds.length === 1, 'the weight-change rule ran on the first scan');
  check(degraded || today.result.alertIds.length === 1, "the weight-change rule ran on this morning's scan");
  const alertId: string | undefined = today.result.alertIds[0];
  if (alertId)
    n.say(`alert ${alertId}: rule weight-change-5pct-30d checked, outcome sent to Dr Kim (no value, no verdict in the event)`);

  const access = n.tx(
    'Dr Kim requests access (consent checked, access recorded for 1 hour)',
    await doctor.submit<Access>('medical/access/accesses', {
      patientId: residentId,
      codes: CODES,
      purpose: 'TREAT',
    }),
  );
  const accessId = access.result.accessId;
  const readCode = degraded ? BMI : WEIGHT;
  const read = (
    await doctor.get<{ result: { items: Value[] } }>('medical/access/observations', {
      query: { accessId, code: readCode, pageSize: 20 },
    })
  ).result.items;
  n.say(
    `Dr Kim reads the ${degraded ? 'BMI values' : 'weights'} under access ${accessId.slice(0, 10)}…: ${read.map((v) => `${v.value} ${v.unit} (${v.effectiveAt.slice(0, 10)})`).join(', ')}`,
  );
  let alertChangePercent: number | undefined;
  if (alertId) {
    const outcome = (id: string) =>
      doctor.get<{ result: { ruleId: string; fired: boolean; changePercent?: number } }>(
        `medical/alerts/${encodeURIComponent(id)}`,
      );
    check(!(await outcome(lastWeek.result.alertIds[0])).result.fired, 'no alert on the first scan');
    const alert = (await outcome(alertId)).result;
    check(alert.fired, 'the weight-change rule fired this morning');
    alertChangePercent = alert.changePercent;
    n.say(`Dr Kim opens the alert: rule ${alert.ruleId}, weight change +${alert.changePercent} %`);
  }

  const log = (
    await minji.get<{ result: { items: Access[] } }>('medical/access/my-access-log', {
      pageSize: 50,
      bookmark: '',
    })
  ).result.items;
  n.say(
    `Minji's access log: ${log.map((a) => `${a.grantee.key} ${a.kind} [${a.codes.join(', ')}] until ${a.expiresAt}`).join('; ')}`,
  );

  return {
    observationIds: today.result.observationIds,
    alertId,
    alertChangePercent,
    degraded,
    accessId,
    doctorRead: read.map((v) => v.value),
    accessLog: log.map((a) => ({ grantee: a.grantee.key, kind: a.kind })),
  };
}
