import {
  conflict,
  failedPrecondition,
  forbidden,
  invalidArgument,
  isoToMs,
} from '@cityledger/chaincode-common';
import {
  TIME_EVENTS,
  type Classifier,
  type PortCall,
  type PortCallStatus,
  type TimeEntry,
  type TimeEvent,
} from './model';

/**
 * Port call timestamps (DCSA Just-in-Time): estimated, requested and planned times are versioned
 * (each new value is version n+1, the history is kept); an actual time is written once.
 */

/** A port call is announced at least this long before its estimated arrival. */
export const MIN_ANNOUNCE_NOTICE_MS = 24 * 60 * 60 * 1000;

/** Who may record each classifier ('MSP:role' or the relation 'agent'). */
export const TIME_RECORDERS: Record<Classifier, readonly string[]> = {
  ESTIMATED: ['agent', 'PortMSP:carrier'],
  REQUESTED: ['agent'],
  PLANNED: ['PortMSP:port-authority', 'PortMSP:terminal'],
  ACTUAL: ['PortMSP:port-authority', 'PortMSP:terminal'],
};

/** Actual times a state transition records (Arrive, Berth, StartWork, Depart), not RecordTime. */
export const TRANSITION_EVENTS: Partial<Record<TimeEvent, PortCallStatus>> = {
  ARRIVAL: 'ARRIVED',
  BERTHING: 'BERTHED',
  CARGO_OPS_START: 'WORKING',
  DEPARTURE: 'DEPARTED',
};

/** States in which RecordTime may record the end of cargo operations. */
const CARGO_END_STATES: PortCallStatus[] = ['WORKING', 'DEPARTURE_CLEARED'];

export function checkAnnouncedEta(eta: string, etd: string | undefined, nowMs: number): void {
  const etaMs = isoToMs(eta, 'eta');
  if (etaMs < nowMs + MIN_ANNOUNCE_NOTICE_MS) {
    throw invalidArgument('the ETA must be at least 24 hours ahead', {
      input: 'input',
      reason: 'ETA_TOO_SOON',
      earliest: new Date(nowMs + MIN_ANNOUNCE_NOTICE_MS).toISOString(),
      errors: [{ path: '/eta', message: 'at least 24 hours after the transaction time' }],
    });
  }
  if (etd !== undefined && isoToMs(etd, 'etd') <= etaMs) {
    throw invalidArgument('the ETD must be after the ETA', {
      input: 'input',
      errors: [{ path: '/etd', message: 'must be after eta' }],
    });
  }
}

/** The next entry for (event, classifier) on this call, refusing an actual time written before. */
export function nextEntry(
  call: PortCall,
  event: TimeEvent,
  classifier: Classifier,
  time: string,
  by: string,
  now: { iso: string; ms: number },
): TimeEntry {
  const current = call.times[event]?.[classifier];
  if (classifier === 'ACTUAL') {
    if (current) {
      throw conflict(`the actual ${event} time is already recorded`, {
        reason: 'ACTUAL_IS_WRITE_ONCE',
        event,
        time: current.time,
      });
    }
    if (isoToMs(time) > now.ms) {
      throw invalidArgument('an actual time cannot be in the future', {
        input: 'time',
        errors: [{ path: '', message: 'after the transaction time' }],
      });
    }
    checkActualOrder(call, event, time);
  } else if (call.times[event]?.ACTUAL) {
    throw failedPrecondition(
      `the actual ${event} time is recorded: no more ${classifier.toLowerCase()} times`,
      {
        state: call.status,
        reason: 'ACTUAL_RECORDED',
        event,
      },
    );
  }
  return {
    callId: call.callId,
    event,
    classifier,
    time,
    version: (current?.version ?? 0) + 1,
    recordedAt: now.iso,
    recordedBy: by,
  };
}

/** Actual times follow the order of TIME_EVENTS: a ship does not berth before it arrives. */
function checkActualOrder(call: PortCall, event: TimeEvent, time: string): void {
  const ms = isoToMs(time);
  const index = TIME_EVENTS.indexOf(event);
  for (const [i, other] of TIME_EVENTS.entries()) {
    const actual = call.times[other]?.ACTUAL;
    if (!actual || i === index) continue;
    const otherMs = isoToMs(actual.time);
    if ((i < index && ms < otherMs) || (i > index && ms > otherMs)) {
      throw invalidArgument(`the actual ${event} time is out of order with the actual ${other} time`, {
        input: 'time',
        errors: [{ path: '', message: `${i < index ? 'before' : 'after'} ${other} ${actual.time}` }],
      });
    }
  }
}

/** Checks who records a time through RecordTime and when (transition-bound actual times excluded). */
export function checkRecordTime(
  call: PortCall,
  event: TimeEvent,
  classifier: Classifier,
  actor: readonly string[],
): void {
  const allowed = TIME_RECORDERS[classifier];
  if (!allowed.some((a) => actor.includes(a))) {
    throw forbidden(`only ${allowed.join(' or ')} may record ${classifier.toLowerCase()} times`, {
      required: [...allowed],
    });
  }
  if (classifier !== 'ACTUAL') return;
  if (call.times[event]?.ACTUAL) return; // nextEntry refuses the overwrite with CONFLICT
  const transition = TRANSITION_EVENTS[event];
  if (transition) {
    throw failedPrecondition(`the actual ${event} time is recorded by the ${transition} transition`, {
      state: call.status,
      reason: 'RECORDED_BY_TRANSITION',
      event,
    });
  }
  if (!CARGO_END_STATES.includes(call.status)) {
    throw failedPrecondition(`cargo operations cannot end in state ${call.status}`, {
      state: call.status,
      event,
    });
  }
}

/** The call with `entry` as its latest value for the entry's event and classifier. */
export function withTime(call: PortCall, entry: TimeEntry): PortCall {
  return {
    ...call,
    times: { ...call.times, [entry.event]: { ...call.times[entry.event], [entry.classifier]: entry } },
  };
}
