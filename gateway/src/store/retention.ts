import type { Logger } from 'pino';
import type { Config } from '../config';
import { Projector } from '../events/projections';
import { realSleep, Sleep } from '../sleep';
import { Store } from './store';

export type RetentionConfig = Config['retention'];
export type PrunedTable = 'transactions' | 'idempotency' | 'events' | 'telemetry_readings' | 'kept_documents';
export type Pruned = Record<PrunedTable, number>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Deletes what the gateway alone keeps once it is older than its retention: the ledger holds every
 * transaction for good, but the journal, the event log and raw readings would otherwise grow with every
 * request (a day of benchmarks left a 4 GB database). Deletes in small batches with a pause between
 * them, so requests sharing the database wait at most one batch.
 */
export class Retention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<Pruned>;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly cfg: RetentionConfig,
    private readonly log: Logger,
    private readonly onPruned: (table: PrunedTable, rows: number) => void = () => undefined,
    private readonly sleep: Sleep = realSleep,
  ) {}

  /** A first pass now (a gateway restarted more often than the interval still prunes), then one per interval. */
  start(): void {
    if (this.cfg.intervalMs === 0) return;
    const tick = () => void this.runOnce().catch((err: Error) => this.log.warn({ err: err.message }, 'retention run failed'));
    tick();
    this.timer = setInterval(tick, this.cfg.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every table; a pass already running is joined, not doubled. */
  runOnce(now = Date.now()): Promise<Pruned> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: number): Promise<Pruned> {
    const cutoff = (ms: number) => new Date(now - ms).toISOString();
    const { transactionsDays, idempotencyHours, eventsDays, telemetryDays, documentsDays } = this.cfg;
    const pruned: Pruned = { transactions: 0, idempotency: 0, events: 0, telemetry_readings: 0, kept_documents: 0 };
    if (transactionsDays > 0)
      pruned.transactions = await this.drain('transactions', (n) => this.store.pruneTransactions(cutoff(transactionsDays * DAY_MS), n));
    if (idempotencyHours > 0)
      pruned.idempotency = await this.drain('idempotency', (n) => this.store.pruneIdempotency(cutoff(idempotencyHours * HOUR_MS), n));
    if (eventsDays > 0) {
      const keepAbove = await this.eventsEveryoneRead();
      pruned.events = await this.drain('events', (n) => this.store.pruneEvents(cutoff(eventsDays * DAY_MS), n, keepAbove));
    }
    if (telemetryDays > 0)
      pruned.telemetry_readings = await this.drain('telemetry_readings', (n) => this.store.pruneReadings(cutoff(telemetryDays * DAY_MS), n));
    if (documentsDays > 0)
      pruned.kept_documents = await this.drain('kept_documents', (n) => this.store.pruneDocuments(cutoff(documentsDays * DAY_MS), n));
    if (Object.values(pruned).some((n) => n > 0)) this.log.info({ pruned }, 'retention: deleted old rows');
    return pruned;
  }

  /** The event log's consumers: the read tables' projector and every enabled webhook. */
  private async eventsEveryoneRead(): Promise<number> {
    const projected = Number((await this.store.getCheckpoint(Projector.CURSOR))?.block_number ?? 0);
    const delivered = await this.store.lowestWebhookDelivery();
    return Math.min(projected, delivered ?? Infinity);
  }

  private async drain(table: PrunedTable, batch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      // Serial ids may have gaps, so a short batch does not mean the end: only an empty one does.
      const n = await batch(this.cfg.batchSize);
      if (n === 0) break;
      total += n;
      this.onPruned(table, n);
      await this.sleep(10);
    }
    return total;
  }
}
