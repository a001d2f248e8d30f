import type { Context } from 'fabric-contract-api';

export interface TxTime {
  /** ISO-8601 UTC, millisecond precision, e.g. 2026-11-25T14:35:00.000Z */
  readonly iso: string;
  /** Milliseconds since the epoch. */
  readonly ms: number;
}

// A transaction asks for its time several times (its own logic, its audit record, its events), and
// each ask of the shim decodes the timestamp again through a Long: kept per transaction's stub.
const times = new WeakMap<object, TxTime>();

/** The transaction's timestamp (set by the client, identical on every endorser): the only clock. */
export function txTime(ctx: Context): TxTime {
  let time = times.get(ctx.stub);
  if (!time) {
    const ts = ctx.stub.getTxTimestamp();
    const seconds = Number(ts.seconds.toString());
    const ms = seconds * 1000 + Math.floor(ts.nanos / 1_000_000);
    time = Object.freeze({ iso: new Date(ms).toISOString(), ms });
    times.set(ctx.stub, time);
  }
  return time;
}
