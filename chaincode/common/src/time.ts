import type { Context } from 'fabric-contract-api';

export interface TxTime {
  /** ISO-8601 UTC, millisecond precision, e.g. 2026-11-25T14:35:00.000Z */
  iso: string;
  /** Milliseconds since the epoch. */
  ms: number;
}

/** The transaction's timestamp (set by the client, identical on every endorser): the only clock. */
export function txTime(ctx: Context): TxTime {
  const ts = ctx.stub.getTxTimestamp();
  const seconds = Number(ts.seconds.toString());
  const ms = seconds * 1000 + Math.floor(ts.nanos / 1_000_000);
  return { iso: new Date(ms).toISOString(), ms };
}
