import type { Logger } from 'pino';
import { ChaincodeEventRecord, FabricPort, SigningIdentity } from '../fabric/port';
import { Store } from '../store/store';
import { realSleep, reconnectDelayMs, Sleep } from '../sleep';
import { EventHub } from './hub';

/** Events stored per transaction at most. */
const MAX_BATCH = 500;

/**
 * One chaincode event listener per (channel, chaincode). Each event is stored (unique by transaction
 * id, so a replay after a crash stores nothing twice) and then checkpointed in the same database;
 * after a restart or a broken stream it resumes right after the last checkpointed event.
 */
export class ChaincodeEventListener {
  private stopped = false;
  private stream?: { close(): void };
  readonly name: string;

  constructor(
    private readonly port: FabricPort,
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly channel: string,
    private readonly chaincode: string,
    private readonly identity: () => Promise<SigningIdentity>,
    private readonly log: Logger,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.name = `${channel}/${chaincode}`;
  }

  /** Runs until stop(); reconnects with capped backoff. */
  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.once();
        failures = 0;
      } catch (err) {
        // Closing the stream on stop() fails it too (CANCELLED): not worth a warning.
        if (this.stopped) break;
        failures++;
        this.log.warn({ listener: this.name, err: (err as Error).message, failures }, 'event stream broke; reconnecting');
      }
      if (!this.stopped) await this.sleep(reconnectDelayMs(failures));
    }
  }

  /** One stream session: from the checkpoint until the stream ends or fails. */
  async once(): Promise<void> {
    const cp = await this.store.getCheckpoint(this.name);
    const after = cp ? { blockNumber: BigInt(cp.block_number), ...(cp.tx_id ? { txId: cp.tx_id } : {}) } : undefined;
    const stream = await this.port.chaincodeEvents(await this.identity(), this.channel, this.chaincode, after);
    this.stream = stream;
    const inbox = new Inbox<ChaincodeEventRecord>(MAX_BATCH * 4);
    // The stream's outcome is taken at once: it can fail (or be cancelled by stop()) while a batch is
    // being stored, and a rejection nobody awaits yet ends the process (Node's default).
    const pumped: Promise<{ error?: unknown }> = (async () => {
      try {
        for await (const e of stream) {
          if (this.stopped) break;
          await inbox.put(e);
        }
      } finally {
        inbox.end();
      }
    })().then(
      () => ({}),
      (error: unknown) => ({ error }),
    );
    try {
      // What arrived while the last batch was being stored (a block's events come together) is stored
      // as one batch: one transaction and one checkpoint, not one each per event.
      for (let batch = await inbox.take(MAX_BATCH); batch.length > 0 && !this.stopped; batch = await inbox.take(MAX_BATCH)) {
        const inserted = await this.store.insertEvents(
          batch.map((e) => ({
            channel: this.channel,
            chaincode: e.chaincode,
            block_number: e.blockNumber.toString(),
            tx_id: e.txId,
            event_name: e.eventName,
            payload: Buffer.from(e.payload).toString('base64'),
          })),
        );
        const last = batch[batch.length - 1];
        await this.store.saveCheckpoint(this.name, last.blockNumber, last.txId);
        for (const row of inserted) this.hub.publish(row);
      }
    } finally {
      stream.close();
      inbox.end();
      const pump = await pumped;
      if ('error' in pump) throw pump.error; // a broken stream: run() reconnects
    }
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
  }
}

/** A bounded queue between the event stream and the store: the stream waits when the store lags. */
class Inbox<T> {
  private items: T[] = [];
  private ended = false;
  private wakeTaker?: () => void;
  private wakePutter?: () => void;

  constructor(private readonly capacity: number) {}

  async put(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.ended) await new Promise<void>((r) => (this.wakePutter = r));
    this.items.push(item);
    this.wakeTaker?.();
  }

  /** Up to `max` items, waiting for the first; empty once ended and drained. */
  async take(max: number): Promise<T[]> {
    while (this.items.length === 0 && !this.ended) await new Promise<void>((r) => (this.wakeTaker = r));
    const batch = this.items.splice(0, max);
    this.wakePutter?.();
    return batch;
  }

  end(): void {
    this.ended = true;
    this.wakeTaker?.();
    this.wakePutter?.();
  }
}
