export type Sleep = (ms: number) => Promise<void>;

/** A sleep that never keeps the process alive by itself. */
export const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/** Capped exponential backoff for reconnecting streams: 250 ms after the first failure, at most 30 s. */
export const reconnectDelayMs = (failures: number): number => Math.min(30000, 250 * 2 ** Math.min(failures, 7));
