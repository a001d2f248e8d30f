/**
 * Open-loop load: requests start on a fixed schedule whatever the system's answers (a closed loop would
 * hide queueing delay), bounded in count and time, and the run waits for stragglers for a bounded drain.
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
  /** From the first request sent to the last answer received. */
  elapsedS: number;
}

export interface LoadOptions {
  rate: number;
  durationMs: number;
  /** Requests still unanswered beyond this are not started (counted as OVERLOADED) to bound memory. */
  maxInFlight?: number;
  drainMs?: number;
  /** Offset for operation indexes, so that warm-up and steady windows never reuse keys. */
  firstIndex?: number;
}

export async function openLoop(operation: Operation, options: LoadOptions): Promise<StepResult> {
  const { rate, durationMs, maxInFlight = 4000, drainMs = 60000, firstIndex = 0 } = options;
  const total = Math.max(1, Math.floor((rate * durationMs) / 1000));
  const result: StepResult = {
    offeredTps: rate,
    sent: 0,
    ok: 0,
    failed: 0,
    failures: {},
    latenciesMs: [],
    stagesMs: {},
    elapsedS: 0,
  };
  const fail = (why: string) => {
    result.failed++;
    result.failures[why] = (result.failures[why] ?? 0) + 1;
  };
  let inFlight = 0;
  let lastAnswer = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();

  const issue = (i: number) => {
    if (inFlight >= maxInFlight) {
      result.sent++;
      fail('OVERLOADED');
      return;
    }
    inFlight++;
    result.sent++;
    const t0 = performance.now();
    pending.push(
      operation(firstIndex + i)
        .catch((err: unknown): Outcome => ({ ok: false, failure: errorCode(err) }))
        .then((outcome) => {
          inFlight--;
          lastAnswer = performance.now();
          if (outcome.ok) {
            result.ok++;
            result.latenciesMs.push(lastAnswer - t0);
            for (const [stage, ms] of Object.entries(outcome.stages ?? {}))
              (result.stagesMs[stage] ??= []).push(ms);
          } else fail(outcome.failure ?? 'UNKNOWN');
        }),
    );
  };

  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (next < due) issue(next++);
    await new Promise((r) => setTimeout(r, 2));
  }
  const drained = Promise.all(pending);
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), drainMs).unref());
  if ((await Promise.race([drained, timeout])) === 'timeout') {
    const stuck = result.sent - result.ok - result.failed;
    for (let i = 0; i < stuck; i++) fail('NO_ANSWER_IN_TIME');
  }
  result.elapsedS = ((lastAnswer || performance.now()) - start) / 1000;
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
