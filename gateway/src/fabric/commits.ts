import type { Logger } from 'pino';
import { realSleep, reconnectDelayMs, Sleep } from '../sleep';
import { BlockOutcomeStream, CommitOutcome, DUPLICATE_TXID, FabricPort, SigningIdentity, validationCodeName } from './port';

/** A pending wait for one transaction's block; `undefined` means "not learned here: ask CommitStatus". */
export interface CommitWaiter {
  outcome: Promise<CommitOutcome | undefined>;
  /** The transaction was not sent after all. */
  cancel(): void;
}

interface Waiting {
  resolve(outcome: CommitOutcome | undefined): void;
  deadline: number;
}

/** What the transaction service asks of commit tracking. */
export interface Commits {
  expect(org: string, channel: string, txId: string): CommitWaiter | undefined;
  follow(org: string, channel: string): void;
  caughtUp(org: string, channel: string): Promise<void>;
  answered(channel: string, blockNumber: bigint): void;
}

/**
 * How long a call waits for its org's peer to have the newest block a caller was answered from. Peers
 * take a block from the orderers each on its own, a few milliseconds apart, more when one catches up
 * after a restart; past this the call goes ahead and the peer answers as it can.
 */
export const CATCH_UP_MS = 2000;

/**
 * Commit outcomes from one filtered-block stream per (org, channel), instead of one signed CommitStatus
 * call per transaction: under load that call was a third of the gateway's Fabric work (sign, gRPC,
 * protobuf) and cost the peer a signature check each. A transaction is expected before it is submitted,
 * and only while the stream is following (it has delivered the newest block), so its block cannot have
 * passed unseen. Whenever the stream cannot answer (not yet following, broken, too slow) the waiter
 * yields undefined and the caller asks CommitStatus, which is always right: the stream only saves work.
 */
export class CommitTracker implements Commits {
  private readonly followers = new Map<string, BlockFollower>();
  /** Per channel, the newest block a caller was told its transaction committed in. */
  private readonly newestAnswered = new Map<string, bigint>();
  private closed = false;

  constructor(
    private readonly port: FabricPort,
    /** The identity a stream of `org` reads blocks as (any member of the org may). */
    private readonly identityOf: (org: string) => Promise<SigningIdentity>,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly sleep: Sleep = realSleep,
  ) {}

  /** Registers interest in `txId` before it is submitted; undefined when the stream is not following yet. */
  expect(org: string, channel: string, txId: string): CommitWaiter | undefined {
    return this.follower(org, channel)?.expect(txId);
  }

  /** Starts following `channel` for `org` (once it is known to be a member: a call of it succeeded there). */
  follow(org: string, channel: string): void {
    this.follower(org, channel);
  }

  /** A caller was told its transaction committed in `blockNumber`. */
  answered(channel: string, blockNumber: bigint): void {
    if (blockNumber > (this.newestAnswered.get(channel) ?? -1n)) this.newestAnswered.set(channel, blockNumber);
  }

  /**
   * Resolves once `org`'s peer has every block a caller was answered from on `channel` (or after
   * CATCH_UP_MS). A commit is learnt from the committing org's peer; the caller's next call may be
   * another org's, whose peer, a block behind, would simulate on the state before it and refuse. At
   * once when the org's stream does not follow (yet).
   */
  caughtUp(org: string, channel: string): Promise<void> {
    const follower = this.closed ? undefined : this.followers.get(followerKey(org, channel));
    const block = this.newestAnswered.get(channel);
    return follower && block !== undefined ? follower.reached(block, CATCH_UP_MS) : Promise.resolve();
  }

  private follower(org: string, channel: string): BlockFollower | undefined {
    if (this.closed) return undefined;
    const key = followerKey(org, channel);
    let follower = this.followers.get(key);
    if (!follower) {
      follower = new BlockFollower(this.port, () => this.identityOf(org), channel, this.timeoutMs, this.log.child({ org, channel }), this.sleep);
      this.followers.set(key, follower);
      void follower.run();
    }
    return follower;
  }

  close(): void {
    this.closed = true;
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
  }
}

const followerKey = (org: string, channel: string) => `${org}\u0000${channel}`;

class BlockFollower {
  private following = false;
  private stopped = false;
  private stream?: BlockOutcomeStream;
  private readonly waiting = new Map<string, Waiting>();
  /** The newest block the stream delivered, while following. */
  private newest = -1n;
  private readonly reaching = new Set<{ block: bigint; done(): void }>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly port: FabricPort,
    private readonly identity: () => Promise<SigningIdentity>,
    private readonly channel: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly sleep: Sleep,
  ) {}

  expect(txId: string): CommitWaiter | undefined {
    if (!this.following) return undefined;
    let resolve!: Waiting['resolve'];
    const outcome = new Promise<CommitOutcome | undefined>((r) => (resolve = r));
    this.waiting.set(txId, { resolve, deadline: Date.now() + this.timeoutMs });
    return {
      outcome,
      cancel: () => {
        if (this.waiting.delete(txId)) resolve(undefined);
      },
    };
  }

  /** Resolves once the stream delivered `block`, when it stops following, or after `budgetMs`. */
  reached(block: bigint, budgetMs: number): Promise<void> {
    if (!this.following || this.newest >= block) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = {
        block,
        done: () => {
          clearTimeout(timer);
          this.reaching.delete(wait);
          resolve();
        },
      };
      const timer = setTimeout(wait.done, budgetMs).unref();
      this.reaching.add(wait);
    });
  }

  /** Follows the channel until stop(), reconnecting with capped backoff; each session starts at the newest block. */
  async run(): Promise<void> {
    // One timer per stream, not per transaction: waits past their deadline go to CommitStatus.
    this.sweeper = setInterval(() => this.expire(Date.now()), Math.max(50, Math.min(1000, this.timeoutMs / 4)));
    this.sweeper.unref();
    for (let failures = 0; !this.stopped; ) {
      try {
        await this.session();
        failures = 0;
      } catch (err) {
        // Closing the stream on stop() fails it too (CANCELLED): not worth a warning.
        if (!this.stopped) {
          failures++;
          this.log.warn({ err: (err as Error).message, failures }, 'block stream for commit outcomes broke; using CommitStatus meanwhile');
        }
      }
      this.lose();
      if (!this.stopped) await this.sleep(reconnectDelayMs(failures));
    }
  }

  private async session(): Promise<void> {
    const stream = await this.port.blockOutcomes(await this.identity(), this.channel);
    this.stream = stream;
    if (this.stopped) stream.close();
    try {
      for await (const block of stream) {
        if (this.stopped) break;
        this.following = true;
        this.newest = block.blockNumber;
        for (const wait of this.reaching) if (wait.block <= block.blockNumber) wait.done();
        for (const { txId, code } of block.txs) {
          const w = this.waiting.get(txId);
          if (!w) continue;
          this.waiting.delete(txId);
          // A resumed transaction may have committed before the stream followed (its submit call failed
          // after ordering): the copy sent again is marked DUPLICATE_TXID, and the first instance decides.
          // Taking the copy's code would journal a committed write as invalid and free its key for a second.
          if (code === DUPLICATE_TXID) w.resolve(undefined);
          else w.resolve({ txId, blockNumber: block.blockNumber, code, codeName: validationCodeName(code), successful: code === 0 });
        }
      }
    } finally {
      stream.close();
    }
  }

  /** The stream ended: nothing waiting can be answered from it any more. */
  private lose(): void {
    this.following = false;
    this.newest = -1n;
    this.expire(Infinity);
    for (const wait of this.reaching) wait.done();
  }

  private expire(now: number): void {
    for (const [txId, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(txId);
      w.resolve(undefined);
    }
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
    if (this.sweeper) clearInterval(this.sweeper);
    this.lose();
  }
}
