import type { Context } from 'fabric-contract-api';
import type { Iterators } from 'fabric-shim';
import { Repository, compareKeys, drain, failedPrecondition, fromBytes, MAX_UNICODE_RUNE } from '@cityledger/chaincode-common';
import {
  CITY,
  HOSPITAL,
  OBSERVATIONS_COLLECTION,
  type Access,
  type Alert,
  type Consent,
  type DataPeriod,
  type Erasure,
  type ObservationRecord,
  type ObservationValue,
} from './model';

// Public state of the health channel: ids, codes, times, hashes, consents and the access log; no values.
export const consents = new Repository<Consent>('consent', (c) => [c.patientId, c.consentId]);
export const observations = new Repository<ObservationRecord>('observation', (o) => [
  o.patientId,
  o.observationId,
]);
export const accesses = new Repository<Access>('access', (a) => [a.accessId]);
/** The patient's audit trail in time order (a copy of each immutable access record). */
export const accessLog = new Repository<Access>('accessLog', (a) => [a.patientId, a.grantedAt, a.accessId]);
export const erasures = new Repository<Erasure>('erasure', (e) => [e.patientId, e.at, e.erasureId]);

/**
 * Private values, keyed so that one patient's readings of one code sort by measurement time: the
 * alert rules and the readers ask for a time window with one range query.
 */
export const observationValues = new Repository<ObservationValue>(
  'obsValue',
  (v) => [v.patientId, v.code, timeKey(v.effectiveAt), v.observationId],
  { collection: OBSERVATIONS_COLLECTION },
);
/**
 * Public index of the observations an alert rule watches (alerts.ts `isWatched`), by patient, code
 * and month of measurement: a rule's window is read as one or two small prefix ranges. A writing
 * transaction can range over neither private data nor public composite keys other than by prefix,
 * and without the index each scan read every observation record the patient ever had, a read set
 * each peer re-reads at validation. An entry shows only what the public record shows; erasure removes it.
 */
export const watchedObservations = new Repository<WatchedObservation>('watchedObs', (w) => [
  w.patientId,
  w.code,
  monthOf(w.effectiveAt),
  w.effectiveAt,
  w.observationId,
]);

export interface WatchedObservation {
  patientId: string;
  code: string;
  /** timeKey of the measurement time. */
  effectiveAt: string;
  observationId: string;
}

/** The index entry of a watched observation (its public record or its value). */
export function watchedEntry(o: WatchedObservation): WatchedObservation {
  return { patientId: o.patientId, code: o.code, effectiveAt: o.effectiveAt, observationId: o.observationId };
}

/** The UTC month (YYYY-MM) of a timeKey. */
export function monthOf(time: string): string {
  return time.slice(0, 7);
}

/** Every UTC month from the one of `start` to the one of `end`, both timeKeys, in order. */
export function monthsBetween(start: string, end: string): string[] {
  const months: string[] = [];
  const at = new Date(Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)) - 1, 1));
  const last = monthOf(end);
  for (let month = monthOf(at.toISOString()); month <= last; month = monthOf(at.toISOString())) {
    months.push(month);
    at.setUTCMonth(at.getUTCMonth() + 1);
  }
  return months;
}

export const alerts = new Repository<Alert>('alert', (a) => [a.alertId], {
  collection: OBSERVATIONS_COLLECTION,
});

/** Fixed-width ISO time (toISOString) so that key order is time order. */
export function timeKey(iso: string): string {
  return new Date(Date.parse(iso)).toISOString();
}

/** The orgs whose peers hold the values (the collection's members in network/topology.yaml). */
export const VALUE_HOLDERS = [CITY, HOSPITAL];

/**
 * One private record per patient, written with the patient's first scan and never rewritten (no hot
 * key): it lets a read tell "this peer has no values" from "there are no values". The chaincode runs
 * as one service for all peers, so it cannot ask which org's peer it runs on (getMspID reads the
 * chaincode process's environment); instead, reading a key whose hash is on the channel fails on a
 * peer outside the collection ("private data matching public hash version is not available").
 */
export const valueHolders = new Repository<{ patientId: string }>('valueHolder', (h) => [h.patientId], {
  collection: OBSERVATIONS_COLLECTION,
});

/** Runs a private read, turning "this peer does not hold the collection" into FAILED_PRECONDITION WRONG_PEER. */
export async function privateRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!/not available/i.test(message)) throw err;
    throw failedPrecondition(
      'this peer holds no observation values: evaluate on a CityMSP or HospitalMSP peer',
      {
        reason: 'WRONG_PEER',
        endorsers: VALUE_HOLDERS,
        cause: message,
      },
    );
  }
}

/** FAILED_PRECONDITION WRONG_PEER when this peer lacks the patient's values while the channel has some. */
export async function assertPeerHoldsValues(ctx: Context, patientId: string): Promise<void> {
  await privateRead(() => valueHolders.get(ctx, patientId));
}

export interface ValuePage {
  items: ObservationValue[];
  bookmark: string;
}

/**
 * A patient's values of one code measured in [start, end) (open sides unbounded), oldest first,
 * from after `bookmark` (the last key served), at most `limit`.
 */
export async function valuesInWindow(
  ctx: Context,
  patientId: string,
  code: string,
  window: DataPeriod,
  limit = Infinity,
  bookmark = '',
): Promise<ValuePage> {
  await assertPeerHoldsValues(ctx, patientId);
  const prefix = observationValues.key(ctx, patientId, code);
  const startKey =
    window.start !== undefined ? observationValues.key(ctx, patientId, code, timeKey(window.start)) : prefix;
  const endKey =
    window.end !== undefined
      ? observationValues.key(ctx, patientId, code, timeKey(window.end))
      : prefix + MAX_UNICODE_RUNE;
  const all = await privateRead(() => privateRange(ctx, OBSERVATIONS_COLLECTION, startKey, endKey));
  const kvs = all.filter((kv) => bookmark === '' || kv.key > bookmark);
  const page = kvs.slice(0, limit);
  return {
    items: page.map((kv) => fromBytes<ObservationValue>(kv.value)),
    bookmark: kvs.length > page.length ? page[page.length - 1].key : '',
  };
}

/** Every key/value of `collection` in [startKey, endKey) (drain unwraps fabric-shim's `{iterator}` answer). */
export async function privateRange(
  ctx: Context,
  collection: string,
  startKey: string,
  endKey: string,
): Promise<Iterators.KV[]> {
  // An empty range never reaches the peer: LevelDB panics on a start past the end (a window whose
  // start is after its end would stop the peer otherwise).
  if (compareKeys(startKey, endKey) >= 0) return [];
  return drain(await ctx.stub.getPrivateDataByRange(collection, startKey, endKey));
}
