import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How late an event loop ran over a window, beyond its sampling interval. */
export interface LoopLag {
  mean_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Node's delay histogram records the intervals between ticks of a timer of this period. */
export const SAMPLING_MS = 10;

export const lateMs = (intervalMs: number): number =>
  Math.max(0, Math.round((intervalMs - SAMPLING_MS) * 10) / 10);

/**
 * Starts watching this process's event loop (the driver's); the returned function stops and answers
 * how late it ran. A driver whose loop is late delays its requests and its reading of the answers, so
 * its own lateness is part of every latency it reports.
 */
export function watchOwnLoopLag(): () => LoopLag {
  const h = monitorEventLoopDelay({ resolution: SAMPLING_MS });
  h.enable();
  return () => {
    h.disable();
    return {
      mean_ms: lateMs(h.mean / 1e6),
      p99_ms: lateMs(h.percentile(99) / 1e6),
      max_ms: lateMs(h.max / 1e6),
    };
  };
}
