import { lateMs, LoopLag } from './loop-lag';

/**
 * What the bench reads from the gateway's Prometheus endpoint: its own read-conflict retries, and how
 * late its event loop ran during a step (prom-client's `nodejs_eventloop_lag_*` gauges summarise the
 * delay since the previous scrape, so a scrape at the start of a step resets them).
 */

async function scrape(baseUrl: string): Promise<string | undefined> {
  try {
    return await (await fetch(`${baseUrl}/metrics`)).text();
  } catch {
    return undefined;
  }
}

/** Sums the samples of one metric (every label set). */
function sum(text: string, metric: string): number | undefined {
  const samples = text
    .split('\n')
    .filter((l) => l.startsWith(`${metric} `) || l.startsWith(`${metric}{`))
    .map((l) => Number(l.split(' ').pop()));
  return samples.length > 0 ? samples.reduce((a, b) => a + b, 0) : undefined;
}

/** The gateway's own MVCC retries so far (a Prometheus counter); undefined when it does not answer. */
export async function gatewayConflictRetries(baseUrl: string): Promise<number | undefined> {
  const text = await scrape(baseUrl);
  return text === undefined ? undefined : (sum(text, 'cityledger_conflict_retries_total') ?? 0);
}

/**
 * Starts watching the gateway's event-loop lag (its gauges come from Node's delay histogram, as the
 * driver's own does: see loop-lag.ts); the returned function answers its summary since then
 * (undefined when the gateway does not answer, or exports no lag gauges).
 */
export async function watchLoopLag(baseUrl: string): Promise<() => Promise<LoopLag | undefined>> {
  await scrape(baseUrl);
  return async () => {
    const text = await scrape(baseUrl);
    if (text === undefined) return undefined;
    const ms = (metric: string) => {
      const s = sum(text, metric);
      return s === undefined ? undefined : lateMs(s * 1000);
    };
    const mean = ms('nodejs_eventloop_lag_mean_seconds');
    const p99 = ms('nodejs_eventloop_lag_p99_seconds');
    const max = ms('nodejs_eventloop_lag_max_seconds');
    return mean === undefined || p99 === undefined || max === undefined
      ? undefined
      : { mean_ms: mean, p99_ms: p99, max_ms: max };
  };
}
