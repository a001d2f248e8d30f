/** Latency percentiles over a sample (nearest-rank), in milliseconds. */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sortedMs.length);
  return sortedMs[Math.min(sortedMs.length, Math.max(1, rank)) - 1];
}

export function summarise(latenciesMs: number[]): { p50: number; p95: number; p99: number; mean: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), mean };
}

/** The median (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const round = (x: number, digits = 1) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

/**
 * The highest rate over any `windowS`-second span of a timeline of (ms timestamp, count) events, in
 * counts per second; null when the timeline spans less than the window (a rate over a shorter span
 * would flatter a burst).
 */
export function bestWindowRate(timeline: Array<[atMs: number, count: number]>, windowS: number): number | null {
  if (timeline.length === 0 || timeline[timeline.length - 1][0] - timeline[0][0] < windowS * 1000) return null;
  let best = 0;
  let sum = 0;
  let start = 0;
  for (let end = 0; end < timeline.length; end++) {
    sum += timeline[end][1];
    while (timeline[end][0] - timeline[start][0] >= windowS * 1000) sum -= timeline[start++][1];
    best = Math.max(best, sum);
  }
  return round(best / windowS);
}
