/**
 * Open-loop load: requests start on a fixed schedule whatever the system's answers (a closed loop would
 * hide queueing delay), bounded in count and time, and the run waits for stragglers for a bounded drain.
 *
 * A step is one loop: a warm-up, then the measured window, with no pause between them, so the window
 * opens on a system already carrying the load. Latencies and outcomes are those of the requests sent
 * in the window; throughput is the answers that arrived in it, whoever sent them, per second of it —
 * the rate the system sustained. (Counting the window's requests from the first sent to the last
 * answered, as Caliper does, adds one request's latency to the window: at a p95 of 1 s over a 10 s
 * window that reads 9 % below the rate sustained, and a path with higher latency reads as a lower
 * throughput. That figure is kept too, `sentToAnsweredTps`.)
 */
export interface Outcome {
  ok: boolean;
  /** Why it failed: a transaction validation code (MVCC_READ_CONFLICT …) or an error code. */
  failure?: string;
  /** Per-stage latencies in ms (endorse, order, commit …) where the driver can measure them. */
  stages?: Record<string, number>;
}

export type Operation = (index: number) => Promise<Outcome>;

export interface StepResult {
  offeredTps: number;
  sent: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  latenciesMs: number[];
  stagesMs: Record<string, number[]>;
  /** From the first request of the window sent to the last answer to one of them. */
  elapsedS: number;
  /** Requests sent during the warm-up (not measured; they take operation indexes all the same). */
  warmupSent: number;
  /** Successful answers received while the window was open, warm-up requests' included. */
  okInWindow: number;
  /** How long the window was open: from its first request to the end of sending. */
  windowS: number;
}

/** Answers per second sustained over the window. */
export const sustainedTps = (r: StepResult): number => (r.windowS > 0 ? r.okInWindow / r.windowS : 0);

/** The window's answers from its first request sent to its last answer (Caliper's throughput). */
export const sentToAnsweredTps = (r: StepResult): number => (r.elapsedS > 0 ? r.ok / r.elapsedS : 0);

export interface LoadOptions {
  rate: number;
  /** The measured window. */
  durationMs: number;
  /** Load before the window, at the same rate, unmeasured (0: the window starts on an idle system). */
  warmupMs?: number;
  /** Called as the window opens and closes, while the load runs (CPU snapshots and the like). */
  onWindow?: (edge: 'open' | 'close') => void;
  /** Requests still unanswered beyond this are not started (counted as OVERLOADED) to bound memory. */
  maxInFlight?: number;
  drainMs?: number;
  /** Offset for operation indexes, so that warm-up and steady windows never reuse keys. */
  firstIndex?: number;
}

export async function openLoop(operation: Operation, options: LoadOptions): Promise<StepResult> {
  const { rate, durationMs, maxInFlight = 4000, drainMs = 60000, firstIndex = 0, onWindow } = options;
  const warmup = Math.floor((rate * (options.warmupMs ?? 0)) / 1000);
  const total = warmup + Math.max(1, Math.floor((rate * durationMs) / 1000));
  const result: StepResult = {
    offeredTps: rate,
    sent: 0,
    ok: 0,
    failed: 0,
    failures: {},
    latenciesMs: [],
    stagesMs: {},
    elapsedS: 0,
    warmupSent: 0,
    okInWindow: 0,
    windowS: 0,
  };
  const fail = (why: string) => {
    result.failed++;
    result.failures[why] = (result.failures[why] ?? 0) + 1;
  };
  let inFlight = 0;
  let lastAnswer = 0;
  let windowOpen = Infinity;
  let windowClosed = false;
  const pending: Promise<void>[] = [];
  const start = performance.now();

  const issue = (i: number) => {
    const measured = i >= warmup;
    if (i === warmup) {
      windowOpen = performance.now();
      onWindow?.('open');
    }
    if (measured) result.sent++;
    else result.warmupSent++;
    if (inFlight >= maxInFlight) {
      if (measured) fail('OVERLOADED');
      return;
    }
    inFlight++;
    const t0 = performance.now();
    const answered = operation(firstIndex + i)
      .catch((err: unknown): Outcome => ({ ok: false, failure: errorCode(err) }))
      .then((outcome) => {
        inFlight--;
        const at = performance.now();
        if (outcome.ok && at >= windowOpen && !windowClosed) result.okInWindow++;
        if (!measured) return;
        lastAnswer = at;
        if (outcome.ok) {
          result.ok++;
          result.latenciesMs.push(at - t0);
          for (const [stage, ms] of Object.entries(outcome.stages ?? {}))
            (result.stagesMs[stage] ??= []).push(ms);
        } else fail(outcome.failure ?? 'UNKNOWN');
      });
    pending.push(answered);
  };

  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (next < due) issue(next++);
    await new Promise((r) => setTimeout(r, 2));
  }
  // Sending ends with the window; what it still awaits is drained for its latencies only.
  windowClosed = true;
  result.windowS = (performance.now() - windowOpen) / 1000;
  onWindow?.('close');
  const drained = Promise.all(pending);
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), drainMs).unref());
  if ((await Promise.race([drained, timeout])) === 'timeout') {
    const stuck = result.sent - result.ok - result.failed;
    for (let i = 0; i < stuck; i++) fail('NO_ANSWER_IN_TIME');
  }
  result.elapsedS = ((lastAnswer || performance.now()) - windowOpen) / 1000;
  return result;
}

export function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; code?: unknown; details?: { message?: string }[]; message?: string };
    const texts = [...(e.details ?? []).map((d) => d.message ?? ''), e.message ?? ''];
    for (const text of texts) {
      const coded = /"code":"([A-Z_]+)"/.exec(text);
      if (coded) return coded[1];
    }
    if (e.name && e.name !== 'Error') {
      // No chaincode code: name the peer's reason (ids and numbers stripped, so equal causes group).
      const why = (e.details?.[0]?.message ?? '')
        .replace(/[0-9a-f]{16,}/g, '…')
        .replace(/\d+/g, 'N')
        .slice(0, 80);
      return `${e.name}${typeof e.code === 'number' ? `(${e.code})` : ''}${why ? `: ${why}` : ''}`;
    }
    return (e.message ?? 'ERROR').slice(0, 60);
  }
  return String(err).slice(0, 60);
}
