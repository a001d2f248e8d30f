import { Outcome } from './load';

/**
 * A fixed set of actors (buildings, meters, vehicles, devices, port calls), each leased to one
 * operation at a time: a building sends its orders one by one, a vehicle anchors its windows in
 * sequence. An operation that finds every actor busy waits in line (its latency includes the wait,
 * as an open loop should show); the wait is bounded.
 */
export class Pool<T> {
  private readonly free: T[];
  private readonly waiting: ((item: T) => void)[] = [];

  constructor(
    readonly items: T[],
    private readonly maxWaitMs = 30000,
  ) {
    if (items.length === 0) throw new Error('a pool needs at least one item');
    this.free = [...items];
  }

  /** Runs `fn` with an actor of its own; NO_FREE_ACTOR when none came free in time. */
  async use(fn: (item: T) => Promise<Outcome>): Promise<Outcome> {
    const item = await this.lease();
    if (item === undefined) return { ok: false, failure: 'NO_FREE_ACTOR' };
    try {
      return await fn(item);
    } finally {
      this.release(item);
    }
  }

  private lease(): Promise<T | undefined> {
    const item = this.free.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => {
      const take = (leased: T) => {
        clearTimeout(timer);
        resolve(leased);
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(undefined);
      }, this.maxWaitMs);
      this.waiting.push(take);
    });
  }

  private release(item: T): void {
    const next = this.waiting.shift();
    if (next) next(item);
    else this.free.push(item);
  }
}

/** Takes `items` in turn (actors that need no exclusive use, e.g. API keys spreading a rate limit). */
export function roundRobin<T>(items: T[]): () => T {
  if (items.length === 0) throw new Error('round robin over nothing');
  let next = 0;
  return () => items[next++ % items.length];
}
