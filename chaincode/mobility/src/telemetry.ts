import { conflict, failedPrecondition, invalidArgument, isoToMs } from '@cityledger/chaincode-common';
import type { AnchorWindow, TelemetryHead, WindowRef } from './model';

/** Limits on one anchored window. */
export const WINDOW_RULES = {
  /** Shortest window: bounds how many windows a sealed crash span can cite. */
  minMs: 1_000,
  maxMs: 3_600_000,
  /** A window may end at most this far after the transaction time (vehicle clock skew). */
  maxFutureSkewMs: 60_000,
} as const;

/**
 * Refuses a window that does not extend the vehicle's sequence: a replay or an old seq is a
 * CONFLICT, a gap is FAILED_PRECONDITION (details.expected); bounds must be ordered, within the
 * length limits, not overlap the previous window and not lie in the future.
 */
export function checkNextWindow(head: TelemetryHead | undefined, w: AnchorWindow, nowMs: number): void {
  const expected = head ? head.lastSeq + 1 : 1;
  if (w.seq < expected) {
    throw conflict(`window ${w.seq} of ${w.vin} is already anchored`, {
      reason: 'REPLAYED_SEQUENCE',
      expected,
      seq: w.seq,
    });
  }
  if (w.seq > expected) {
    throw failedPrecondition(`window ${w.seq} of ${w.vin} leaves a gap: expected ${expected}`, {
      reason: 'SEQUENCE_GAP',
      expected,
      seq: w.seq,
    });
  }
  const start = isoToMs(w.windowStart, 'windowStart');
  const end = isoToMs(w.windowEnd, 'windowEnd');
  const length = end - start;
  if (length < WINDOW_RULES.minMs || length > WINDOW_RULES.maxMs) {
    throw invalidArgument('window length out of bounds', {
      reason: 'WINDOW_LENGTH',
      lengthMs: length,
      minMs: WINDOW_RULES.minMs,
      maxMs: WINDOW_RULES.maxMs,
    });
  }
  if (end > nowMs + WINDOW_RULES.maxFutureSkewMs) {
    throw invalidArgument('window ends in the future', {
      reason: 'WINDOW_IN_FUTURE',
      windowEnd: w.windowEnd,
    });
  }
  if (head && start < isoToMs(head.lastWindowEnd)) {
    throw invalidArgument('window overlaps the previous one', {
      reason: 'WINDOW_OVERLAP',
      previousEnd: head.lastWindowEnd,
      windowStart: w.windowStart,
    });
  }
}

/** Whether windows (in seq order) abut and span all of [fromMs, toMs). */
export function coversSpan(windows: readonly WindowRef[], fromMs: number, toMs: number): boolean {
  if (windows.length === 0) return false;
  if (isoToMs(windows[0].windowStart) > fromMs) return false;
  if (isoToMs(windows[windows.length - 1].windowEnd) < toMs) return false;
  for (let i = 1; i < windows.length; i++) {
    if (isoToMs(windows[i].windowStart) !== isoToMs(windows[i - 1].windowEnd)) return false;
  }
  return true;
}

/**
 * The windows overlapping [fromMs, toMs) among seqs 1..lastSeq, found with O(log n) point reads:
 * windows are anchored in time order, so seq order is time order. At most `limit`: a caller that
 * refuses more than a maximum passes maximum + 1, so that a span of many short windows is not read
 * to its end only to be refused.
 */
export async function windowsOverlapping(
  lastSeq: number,
  fromMs: number,
  toMs: number,
  read: (seq: number) => Promise<WindowRef>,
  limit = Infinity,
): Promise<WindowRef[]> {
  // First seq whose window ends after fromMs.
  let lo = 1;
  let hi = lastSeq + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (isoToMs((await read(mid)).windowEnd) > fromMs) hi = mid;
    else lo = mid + 1;
  }
  const out: WindowRef[] = [];
  for (let seq = lo; seq <= lastSeq && out.length < limit; seq++) {
    const w = await read(seq);
    if (isoToMs(w.windowStart) >= toMs) break;
    out.push(w);
  }
  return out;
}
