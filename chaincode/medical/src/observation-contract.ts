import { createHash, createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  PageSize,
  Submit,
  caller,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  isoToMs,
  notFound,
  readTransient,
  requireOrgRole,
  toBytes,
  txTime,
  type Page,
} from '@cityledger/chaincode-common';
import { device, doctor, isPatient, patient } from './actors';
import { evaluateRule, isWatched, rulesFor } from './alerts';
import { alertRead, alertRecipients, decide } from './consent-rules';
import { earlierValues } from './earlier-values';
import { assertMeasurement } from './loinc';
import {
  AlertSchema,
  EraseInput,
  ErasureSchema,
  HOSPITAL,
  MAX_ERASE_PER_TX,
  MyObservationsQuery,
  ObservationRecordSchema,
  ObservationValueSchema,
  PageOf,
  RecordTransient,
  Resident,
  ValueHolderAdmins,
  type Alert,
  type Consent,
  type Erasure,
  type Measurement,
  type ObservationRecord,
  type ObservationValue,
} from './model';
import { checkDataPeriod } from './periods';
import {
  VALUE_HOLDERS,
  alerts,
  erasures,
  privateRead,
  valueHolders,
  observationValues,
  observations,
  consents,
  timeKey,
  valuesInWindow,
  watchedEntry,
  watchedObservations,
  type ValuePage,
} from './store';

/** How far ahead of the transaction time a device clock may be. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * A record's own salt, derived from the scan's (never stored): whoever is shown one value or alert
 * (with its salt, to check it against the public hash) learns nothing that would let them try the
 * scan's other values (weight, fat, ...) against their hashes, as a salt shared by the scan would.
 */
const derivedSalt = (scanSalt: string, recordId: string) =>
  createHmac('sha256', scanSalt).update(recordId).digest('hex');

const RecordResult = Type.Object({
  observationIds: Type.Array(Type.String()),
  valueHashes: Type.Array(Type.String()),
  alertIds: Type.Array(Type.String()),
});
const EraseResult = Type.Object({ erasure: ErasureSchema, remaining: Type.Boolean() });
const IndexResult = Type.Object({ indexed: Type.Integer({ minimum: 0 }) });

export class ObservationContract extends CityContract {
  constructor() {
    super('observation');
  }

  @Submit({
    description:
      "A device records one scan for its bound resident. Values only in the transient key `measurement`; they go to the private collection medicalObservations, the public record keeps code, time, device and the value's hash. Alert rules run on each watched value (weight): one private outcome per value and rule, fired or not, announced by an AlertChecked event with ids only (alertIds). Endorse on CityMSP and HospitalMSP peers (collection members).",
    transient: RecordTransient,
    returns: RecordResult,
    endorsers: VALUE_HOLDERS,
  })
  async RecordObservations(
    ctx: Context,
  ): Promise<{ observationIds: string[]; valueHashes: string[]; alertIds: string[] }> {
    const { who, patientId } = await device(ctx);
    const now = txTime(ctx);
    const scan = readScan(ctx, patientId, now.ms);
    if (!(await valueHolders.exists(ctx, patientId))) await valueHolders.put(ctx, { patientId });
    // Consents are read only for a watched value (a weight), so that consent changes do not conflict
    // with every scan.
    let patientConsents: Consent[] | undefined;
    const loadConsents = async () => (patientConsents ??= await consents.all(ctx, [patientId]));

    const result = { observationIds: [] as string[], valueHashes: [] as string[], alertIds: [] as string[] };
    for (const [index, item] of scan.items.entries()) {
      const observationId = `${ctx.stub.getTxID()}.${index}`;
      const value: ObservationValue = {
        observationId,
        patientId,
        ...item,
        effectiveAt: timeKey(scan.effectiveAt),
        device: who.key,
        salt: derivedSalt(scan.salt, observationId),
      };
      const valueHash = sha256Hex(toBytes(value));
      result.alertIds.push(...(await runAlertRules(ctx, value, scan.salt, now.iso, loadConsents)));
      await observationValues.put(ctx, value);
      if (isWatched(item.code)) await watchedObservations.put(ctx, watchedEntry(value));
      // put, not create: the id is this transaction's id, so no earlier record can hold it, and an
      // existence read would add a key to every scan's read set for each peer to validate.
      await observations.put(ctx, {
        observationId,
        patientId,
        code: item.code,
        effectiveAt: value.effectiveAt,
        device: who.key,
        recordedAt: now.iso,
        valueHash,
      });
      result.observationIds.push(observationId);
      result.valueHashes.push(valueHash);
    }
    emit(ctx, 'ObservationsRecorded', { patientId, device: who.key, observationIds: result.observationIds });
    return result;
  }

  @Evaluate({
    description:
      "The calling patient's own values of one code, oldest first (optionally within a measurement window).",
    params: { query: MyObservationsQuery },
    returns: PageOf(ObservationValueSchema),
    endorsers: VALUE_HOLDERS, // evaluate on a peer that holds the values
    sealed: true, // values: a client that submits this puts only ciphertext in the block
  })
  async ListMyObservations(ctx: Context, query: MyObservationsQuery): Promise<ValuePage> {
    const { patientId } = await patient(ctx);
    checkDataPeriod(query.dataPeriod);
    return valuesInWindow(
      ctx,
      patientId,
      query.code,
      query.dataPeriod ?? {},
      query.pageSize,
      query.bookmark ?? '',
    );
  }

  @Evaluate({
    description:
      "The calling patient's public observation records (code, time, device, value hash, erasure), by observationId.",
    params: { pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(ObservationRecordSchema),
  })
  async ListMyObservationRecords(
    ctx: Context,
    pageSize: number,
    bookmark: string,
  ): Promise<Page<ObservationRecord>> {
    const { patientId } = await patient(ctx);
    return observations.page(ctx, [patientId], pageSize, bookmark);
  }

  @Evaluate({
    description:
      "An observation's public record (no value): any health channel member may check a value shown to them against valueHash.",
    params: { patientId: Id(), observationId: Id() },
    returns: ObservationRecordSchema,
  })
  async GetObservationRecord(
    ctx: Context,
    patientId: string,
    observationId: string,
  ): Promise<ObservationRecord> {
    return observations.require(ctx, patientId, observationId);
  }

  @Submit({
    description:
      'The patient erases observation values: Fabric purges them (and their alert outcomes) from the private collection; the public record keeps the hash and is marked erased; an erasure record is kept. Without observationIds, erases up to 200 not yet erased (remaining=true: call again). Endorse on CityMSP and HospitalMSP peers.',
    params: { input: EraseInput },
    returns: EraseResult,
    endorsers: VALUE_HOLDERS,
  })
  async EraseObservations(
    ctx: Context,
    input: EraseInput,
  ): Promise<{ erasure: Erasure; remaining: boolean }> {
    const { who, patientId } = await patient(ctx);
    const now = txTime(ctx);
    let targets: ObservationRecord[];
    let remaining = false;
    if (input.observationIds) {
      targets = await Promise.all(input.observationIds.map((id) => observations.require(ctx, patientId, id)));
      const done = targets.find((t) => t.erasedAt !== undefined);
      if (done)
        throw failedPrecondition(`observation ${done.observationId} is already erased`, {
          state: 'ERASED',
          observationId: done.observationId,
        });
    } else {
      const pending = (await observations.all(ctx, [patientId])).filter((o) => o.erasedAt === undefined);
      if (pending.length === 0)
        throw failedPrecondition('nothing left to erase', { reason: 'NOTHING_TO_ERASE' });
      targets = pending.slice(0, MAX_ERASE_PER_TX);
      remaining = pending.length > targets.length;
    }
    const erasureId = ctx.stub.getTxID();
    for (const record of targets) {
      await observationValues.purge(
        ctx,
        patientId,
        record.code,
        timeKey(record.effectiveAt),
        record.observationId,
      );
      if (isWatched(record.code)) await watchedObservations.deleteFor(ctx, record);
      for (const rule of rulesFor(record.code)) {
        const alertId = alertIdOf(record.observationId, rule.ruleId);
        if (await alerts.exists(ctx, alertId)) await alerts.purge(ctx, alertId);
      }
      await observations.put(ctx, { ...record, erasedAt: now.iso, erasureId });
    }
    // Nothing left: the patient's holder marker goes too (a new scan writes it again).
    if (!input.observationIds && !remaining) await valueHolders.purge(ctx, patientId);
    const erasure: Erasure = {
      erasureId,
      patientId,
      observationIds: targets.map((t) => t.observationId),
      requestedBy: who.key,
      at: now.iso,
    };
    await erasures.create(ctx, erasure);
    emit(ctx, 'ObservationsErased', { patientId, erasureId, count: targets.length, remaining });
    return { erasure, remaining };
  }

  @Submit({
    description:
      "City or Hospital admin, once per patient after upgrading from a version without the watched-observation index: indexes the patient's observations an alert rule watches (body weight), not erased, so the rules compare new scans with the ones recorded before the upgrade. Reads every public observation record of the patient once; running it again changes nothing.",
    params: { patientId: Id() },
    returns: IndexResult,
  })
  async IndexWatchedObservations(ctx: Context, patientId: string): Promise<{ indexed: number }> {
    requireOrgRole(ctx, ...ValueHolderAdmins);
    let indexed = 0;
    for (const record of await observations.all(ctx, [patientId])) {
      if (record.erasedAt !== undefined || !isWatched(record.code)) continue;
      await watchedObservations.put(ctx, watchedEntry(record));
      indexed++;
    }
    emit(ctx, 'WatchedObservationsIndexed', { patientId, indexed });
    return { indexed };
  }

  @Evaluate({
    description: "The calling patient's erasure records, oldest first.",
    params: { pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(ErasureSchema),
  })
  async ListMyErasures(ctx: Context, pageSize: number, bookmark: string): Promise<Page<Erasure>> {
    const { patientId } = await patient(ctx);
    return erasures.page(ctx, [patientId], pageSize, bookmark);
  }

  @Evaluate({
    description:
      "An alert rule's outcome on a measurement (fired or not): for the patient, and for the doctors it was sent to while the patient's consents let them read that measurement.",
    params: { alertId: Id() },
    returns: AlertSchema,
    endorsers: VALUE_HOLDERS,
    sealed: true, // values: a client that submits this puts only ciphertext in the block
  })
  async GetAlert(ctx: Context, alertId: string): Promise<Alert> {
    // Who may ask at all, before anything is read: alert ids derive from public observation ids, so
    // an answer that differed for a missing alert would tell anyone which weights raised one.
    const who = caller(ctx);
    const asPatient = who.mspId === Resident.mspId && who.role === Resident.role;
    if (asPatient) await patient(ctx);
    else await doctor(ctx);
    const alert = await privateRead(() => alerts.get(ctx, alertId));
    const missing = () => notFound(`alert ${alertId} not found`, { objectType: 'alert', id: alertId });
    if (asPatient) {
      if (!alert || !isPatient(who, alert.patientId)) throw missing();
      return alert;
    }
    if (!alert) throw missing();
    if (!alert.recipients.includes(who.key))
      throw forbidden('this alert was not sent to you', { reason: 'NOT_A_RECIPIENT' });
    // Sent to this doctor once, read only while the patient's consents still let them read that measurement.
    const record = await observations.require(ctx, alert.patientId, alert.observationId);
    const decision = decide(
      await consents.all(ctx, [alert.patientId]),
      alertRead(who, alert.code, isoToMs(record.effectiveAt), txTime(ctx).ms),
    );
    if (!decision.permit) {
      throw forbidden('consent no longer permits this alert', {
        reason: decision.reason,
        ...(decision.consentId ? { consentId: decision.consentId } : {}),
      });
    }
    return alert;
  }
}

/** The validated scan from the transient map: bound resident, no future time, distinct known codes in their units. */
function readScan(ctx: Context, patientId: string, nowMs: number): Measurement {
  const { measurement } = readTransient(ctx, RecordTransient);
  if (measurement.subject !== undefined && measurement.subject !== patientId) {
    throw forbidden('a device records only for the resident it is bound to', { reason: 'DEVICE_NOT_BOUND' });
  }
  const effectiveMs = isoToMs(measurement.effectiveAt, 'measurement.effectiveAt');
  if (effectiveMs > nowMs + CLOCK_SKEW_MS)
    throw invalidArgument('measurement is in the future', {
      input: 'transient',
      field: '/measurement/effectiveAt',
    });
  const codes = measurement.items.map((i) => i.code);
  const duplicate = codes.find((c, i) => codes.indexOf(c) !== i);
  if (duplicate)
    throw invalidArgument(`code ${duplicate} appears twice in one scan`, {
      input: 'transient',
      field: '/measurement/items',
    });
  measurement.items.forEach((item, i) => assertMeasurement(item.code, item.value, item.unit, i));
  return measurement;
}

/**
 * Runs the alert rules of the value's code against the patient's earlier values and stores each
 * outcome privately, fired or not, announced by an AlertChecked event carrying ids only. The Insurer
 * peers of `health` see the blocks: an event, a result or a private write only for a firing would
 * tell them whose weight changed.
 */
async function runAlertRules(
  ctx: Context,
  value: ObservationValue,
  scanSalt: string,
  nowIso: string,
  loadConsents: () => Promise<Consent[]>,
): Promise<string[]> {
  const effectiveMs = Date.parse(value.effectiveAt);
  const alertIds: string[] = [];
  for (const rule of rulesFor(value.code)) {
    const window = { start: new Date(effectiveMs - rule.windowMs).toISOString(), end: value.effectiveAt };
    const earlier = (await earlierValues(ctx, value.patientId, value.code, window)).map((v) => ({
      value: v.value,
      effectiveMs: Date.parse(v.effectiveAt),
    }));
    const firing = evaluateRule(rule, { value: value.value, effectiveMs }, earlier);
    const recipients = alertRecipients(await loadConsents(), value.code, effectiveMs, Date.parse(nowIso), HOSPITAL).map(
      (g) => `${g.mspId}/${g.enrollmentId}`,
    );
    const alertId = alertIdOf(value.observationId, rule.ruleId);
    const alert: Alert = {
      alertId,
      patientId: value.patientId,
      observationId: value.observationId,
      ruleId: rule.ruleId,
      code: value.code,
      fired: firing !== undefined,
      ...(firing ? { changePercent: firing.changePercent } : {}),
      raisedAt: nowIso,
      recipients,
      salt: derivedSalt(scanSalt, alertId),
    };
    await alerts.put(ctx, alert);
    emit(ctx, 'AlertChecked', { alertId, recipients });
    alertIds.push(alertId);
  }
  return alertIds;
}

function alertIdOf(observationId: string, ruleId: string): string {
  return `${observationId}:${ruleId}`;
}
