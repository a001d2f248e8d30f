import type { Logger } from 'pino';
import type { Store } from '../store/store';

/** How long an Idempotency-Key's owner holds it without renewing (config idempotencyLeaseMs). */
export const DEFAULT_IDEMPOTENCY_LEASE_MS = 10000;

/** The lease's end if taken (or renewed) now. */
export const leaseEnd = (ms: number, at = Date.now()): string => new Date(at + ms).toISOString();

/**
 * The lease of one request on its Idempotency-Key, renewed while the request runs. Several gateway
 * processes share one database: the lease tells the others that the owner is alive (it may be endorsing
 * or sending right now), so a retry elsewhere waits (409) instead of endorsing a second transaction. A
 * crashed owner stops renewing; its key is taken over once the lease has run out.
 */
export class IdempotencyLease {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly principal: string,
    private readonly key: string,
    private readonly owner: string,
    private readonly ms: number,
    private readonly log: Logger,
  ) {}

  /** Renews the lease three times per period, so one slow renewal does not let it lapse. */
  keepAlive(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.ms / 3)));
    // Never what keeps a stopping process alive: the request it serves does that.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async renew(): Promise<void> {
    try {
      if (!(await this.store.renewIdempotency(this.principal, this.key, this.owner, leaseEnd(this.ms)))) {
        // Answered meanwhile, or taken over after a stall: the conditional writes of the request stop it
        // from sending a new transaction or overwriting the other owner's answer.
        this.stop();
      }
    } catch (err) {
      // Nobody awaits a renewal; the next one may succeed before the lease runs out.
      this.log.warn(
        { principal: this.principal, err: (err as Error).message },
        'could not renew an idempotency lease',
      );
    }
  }
}
