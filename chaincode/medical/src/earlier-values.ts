import type { Context } from 'fabric-contract-api';
import type { DataPeriod, ObservationValue } from './model';
import {
  assertPeerHoldsValues,
  monthsBetween,
  observationValues,
  privateRead,
  timeKey,
  watchedObservations,
} from './store';

/**
 * A patient's values of one watched code measured in [start, end), oldest first, for the alert rules
 * of a scan being recorded. Fabric refuses private-data range queries in a transaction that writes
 * ("Queries on pvt data is supported only in a read-only transaction"), so the window is found in the
 * public index of watched observations (code and time, no value), one prefix range per month, and
 * each value is a private point read, which a writing transaction may do. Erased observations have
 * no value any more and are skipped. Like the readers, it refuses to run on a peer outside the
 * collection (WRONG_PEER).
 */
export async function earlierValues(
  ctx: Context,
  patientId: string,
  code: string,
  window: Required<DataPeriod>,
): Promise<ObservationValue[]> {
  await assertPeerHoldsValues(ctx, patientId);
  const start = timeKey(window.start);
  const end = timeKey(window.end);
  const values: ObservationValue[] = [];
  for (const month of monthsBetween(start, end)) {
    for (const entry of await watchedObservations.all(ctx, [patientId, code, month])) {
      if (entry.effectiveAt < start || entry.effectiveAt >= end) continue;
      const value = await privateRead(() =>
        observationValues.get(ctx, patientId, code, entry.effectiveAt, entry.observationId),
      );
      if (value) values.push(value);
    }
  }
  return values;
}
