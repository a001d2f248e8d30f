import type { Context } from 'fabric-contract-api';
import type { DataPeriod, ObservationValue } from './model';
import { assertPeerHoldsValues, observationValues, observations, privateRead, timeKey } from './store';

/**
 * A patient's values of one code measured in [start, end), oldest first, for the alert rules of a scan
 * being recorded. Fabric refuses private-data range queries in a transaction that writes ("Queries on
 * pvt data is supported only in a read-only transaction"), so the window is found on the public
 * records (code and time, no value) and each value is a private point read, which a writing
 * transaction may do. Erased observations have no value any more and are skipped. Like the readers, it
 * refuses to run on a peer outside the collection (WRONG_PEER).
 */
export async function earlierValues(
  ctx: Context,
  patientId: string,
  code: string,
  window: Required<DataPeriod>,
): Promise<ObservationValue[]> {
  await assertPeerHoldsValues(ctx, patientId);
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const inWindow = (await observations.all(ctx, [patientId]))
    .filter((r) => r.code === code && r.erasedAt === undefined)
    .filter((r) => Date.parse(r.effectiveAt) >= start && Date.parse(r.effectiveAt) < end)
    .sort((a, b) => Date.parse(a.effectiveAt) - Date.parse(b.effectiveAt));
  const values: ObservationValue[] = [];
  for (const r of inWindow) {
    const value = await privateRead(() =>
      observationValues.get(ctx, patientId, r.code, timeKey(r.effectiveAt), r.observationId),
    );
    if (value) values.push(value);
  }
  return values;
}
