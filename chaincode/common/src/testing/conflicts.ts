import { inKeyRange } from '../repository';
import type { TxResult } from './harness';

/**
 * The public keys `writer` writes that `reader` read or scanned (Fabric's MVCC and phantom-read
 * checks): with both endorsed against one state and `writer` committed first, `reader` is invalid.
 */
export function readConflicts(writer: TxResult, reader: TxResult): string[] {
  const read = reader.stub;
  return [...writer.stub.writes.keys()].filter(
    (key) => read.reads.has(key) || read.ranges.some((r) => inKeyRange(key, r.start, r.end)),
  );
}

/** Every such key between any two of `results` (or between `results` and `others`), described. */
export function conflictsAmong(results: TxResult[], others?: TxResult[]): string[] {
  const pairs = others
    ? results.flatMap((a) =>
        others.flatMap((b) => [
          [a, b],
          [b, a],
        ]),
      )
    : results.flatMap((a) => results.filter((b) => b !== a).map((b) => [a, b]));
  return pairs.flatMap(([writer, reader]) =>
    readConflicts(writer, reader).map(
      (key) => `${writer.stub.getTxID()} writes ${JSON.stringify(key)} read by ${reader.stub.getTxID()}`,
    ),
  );
}
