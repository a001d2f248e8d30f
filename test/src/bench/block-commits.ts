import { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { chainHeight } from '../support/heights';
import { connectAs, TestUser } from '../support/live';

/** How long a submitted transaction may wait for its block before it counts as failed. */
const COMMIT_WAIT_MS = 60_000;

interface Waiting {
  resolve(code: number): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Commit outcomes from one filtered-block stream per channel, for the direct driver's
 * `--direct-commits=blocks`: the way the REST gateway learns them, instead of fabric-gateway's
 * CommitStatus call per transaction (the default). Under load each of those calls holds a stream open
 * and costs a signature on both ends; near the knee of the 2-core Intel VM the direct driver's event
 * loop ran up to 415 ms late with one per transaction in flight.
 *
 * The stream starts at the channel's height when it opens, so a transaction expected after that
 * cannot have its block pass unseen.
 */
export class BlockCommits {
  private readonly waiting = new Map<string, Waiting>();
  private broken?: Error;

  constructor(private readonly blocks: CloseableAsyncIterable<peer.FilteredBlock>) {
    void this.follow();
  }

  /** Follows `channel`'s blocks on `user`'s org peer from its current height. */
  static async open(user: TestUser, channel: string): Promise<BlockCommits> {
    const startBlock = await chainHeight(user, channel);
    const network = connectAs(user).getNetwork(channel);
    return new BlockCommits(await network.getFilteredBlockEvents({ startBlock }));
  }

  /**
   * The validation code of `txId`'s transaction once its block arrives. Call before submitting it;
   * `cancel` when it was not submitted after all.
   */
  expect(txId: string): { code: Promise<number>; cancel(): void } {
    const code = new Promise<number>((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      const timer = setTimeout(() => {
        this.waiting.delete(txId);
        reject(new Error(`no block with transaction ${txId} within ${COMMIT_WAIT_MS} ms`));
      }, COMMIT_WAIT_MS);
      this.waiting.set(txId, { resolve, reject, timer });
    });
    code.catch(() => undefined); // a cancelled wait is nobody's error
    return {
      code,
      cancel: () => {
        const w = this.waiting.get(txId);
        if (!w) return;
        clearTimeout(w.timer);
        this.waiting.delete(txId);
      },
    };
  }

  close(): void {
    this.blocks.close();
  }

  private async follow(): Promise<void> {
    try {
      for await (const block of this.blocks) {
        for (const tx of block.getFilteredTransactionsList()) {
          const w = this.waiting.get(tx.getTxid());
          if (!w) continue;
          clearTimeout(w.timer);
          this.waiting.delete(tx.getTxid());
          w.resolve(tx.getTxValidationCode());
        }
      }
      this.broken = new Error('block stream ended');
    } catch (err) {
      this.broken = err instanceof Error ? err : new Error(String(err));
    }
    for (const [txId, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(txId);
      w.reject(this.broken);
    }
  }
}
