import type { Context } from 'fabric-contract-api';
import { StateMachine, failedPrecondition, txTime } from '@cityledger/chaincode-common';
import type { Interval, IntervalStateName } from './model';
import { intervals } from './store';

const OPERATOR = ['market-operator'];

/** OPEN -> GATE_CLOSED -> CLEARED -> METERED -> SETTLED, each step by the market operator. */
export const intervalMachine = new StateMachine<IntervalStateName>(
  'interval',
  [
    { from: ['OPEN'], to: 'GATE_CLOSED', roles: OPERATOR },
    { from: ['GATE_CLOSED'], to: 'CLEARED', roles: OPERATOR },
    { from: ['CLEARED'], to: 'METERED', roles: OPERATOR },
    { from: ['METERED'], to: 'SETTLED', roles: OPERATOR },
  ],
  ['SETTLED'],
);

/** The interval, refusing with FAILED_PRECONDITION unless it is in one of `states`. */
export async function requireIntervalIn(ctx: Context, intervalId: string, states: IntervalStateName[], reason?: string): Promise<Interval> {
  const interval = await intervals.require(ctx, intervalId);
  if (!states.includes(interval.state)) {
    throw failedPrecondition(`interval ${intervalId} is ${interval.state}`, { state: interval.state, allowed: states, ...(reason ? { reason } : {}) });
  }
  return interval;
}

/** Refuses before the interval's end (readings and metering close describe a finished interval). */
export function requireEnded(ctx: Context, interval: Interval): void {
  const now = txTime(ctx);
  if (now.iso < interval.end) {
    throw failedPrecondition(`interval ${interval.intervalId} ends at ${interval.end}`, { reason: 'INTERVAL_NOT_ENDED', end: interval.end, now: now.iso });
  }
}

/** Parses an interval id (2026-06-01T10:15Z) and checks its alignment; returns its start and end. */
export function intervalBounds(intervalId: string, minutes: number): { start: string; end: string; aligned: boolean } {
  const startMs = Date.parse(intervalId.replace('Z', ':00Z'));
  const d = new Date(startMs);
  const minuteOfDay = d.getUTCHours() * 60 + d.getUTCMinutes();
  const valid = Number.isFinite(startMs) && d.toISOString().slice(0, 16) + 'Z' === intervalId;
  return {
    start: valid ? d.toISOString() : '',
    end: valid ? new Date(startMs + minutes * 60_000).toISOString() : '',
    aligned: valid && minuteOfDay % minutes === 0,
  };
}
