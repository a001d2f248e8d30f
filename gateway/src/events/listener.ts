import type { Logger } from 'pino';
import { FabricPort, SigningIdentity } from '../fabric/port';
import { Store } from '../store/store';
import { EventHub } from './hub';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms).unref());

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
        failures++;
        this.log.warn({ listener: this.name, err: (err as Error).message, failures }, 'event stream broke; reconnecting');
      }
      if (!this.stopped) await this.sleep(Math.min(30000, 250 * 2 ** Math.min(failures, 7)));
    }
  }

  /** One stream session: from the checkpoint until the stream ends or fails. */
  async once(): Promise<void> {
    const cp = await this.store.getCheckpoint(this.name);
    const after = cp ? { blockNumber: BigInt(cp.block_number), ...(cp.tx_id ? { txId: cp.tx_id } : {}) } : undefined;
    const stream = await this.port.chaincodeEvents(await this.identity(), this.channel, this.chaincode, after);
    this.stream = stream;
    try {
      for await (const e of stream) {
        if (this.stopped) break;
        const { seq, inserted } = await this.store.insertEvent({
          channel: this.channel,
          chaincode: e.chaincode,
          block_number: e.blockNumber.toString(),
          tx_id: e.txId,
          event_name: e.eventName,
          payload: Buffer.from(e.payload).toString('base64'),
        });
        await this.store.saveCheckpoint(this.name, e.blockNumber, e.txId);
        if (inserted) {
          const [row] = await this.store.eventsAfter(seq - 1, 1, { channel: this.channel, chaincode: e.chaincode });
          if (row) this.hub.publish(row);
        }
      }
    } finally {
      stream.close();
    }
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
  }
}
