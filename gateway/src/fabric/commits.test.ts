import pino from 'pino';
import { Store } from '../store/store';
import { testDb } from '../testing/harness';
import { Commits, CommitTracker } from './commits';
import { FakeFabric, fakeIdentity } from './fake';
import { BlockOutcomes, BlockOutcomeStream, FabricPort } from './port';
import { TransactionService } from './transactions';

const log = pino({ level: 'silent' });
const city = fakeIdentity('city', 'CityMSP', 'admin');
const spec = { channel: 'city', chaincode: 'claims', transaction: 'ClaimContract:FileClaim', args: ['c-1'] };

/** Polls until `f` answers (the stream connects on the first expect, asynchronously). */
async function eventually<T>(f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('never answered');
}

/** A block stream the test feeds and breaks by hand. */
class ScriptedBlocks {
  streams = 0;
  private push?: (b: BlockOutcomes | Error) => void;

  /** @param closeFails like gRPC, a stream closed by its reader fails with CANCELLED */
  constructor(private readonly closeFails = false) {}

  port(): FabricPort {
    return {
      blockOutcomes: (): Promise<BlockOutcomeStream> => {
        this.streams++;
        const queue: Array<BlockOutcomes | Error> = [];
        let wake: (() => void) | undefined;
        let closed = false;
        const closeFails = this.closeFails;
        this.push = (b) => {
          queue.push(b);
          wake?.();
        };
        return Promise.resolve({
          close: () => {
            closed = true;
            wake?.();
          },
          async *[Symbol.asyncIterator]() {
            while (!closed) {
              const next = queue.shift();
              if (next instanceof Error) throw next;
              if (next) yield next;
              else await new Promise<void>((r) => (wake = r));
            }
            if (closeFails) throw new Error('1 CANCELLED: Cancelled on client');
          },
        });
      },
    } as unknown as FabricPort;
  }

  block(blockNumber: number, txs: Array<[string, number]> = []): void {
    this.push!({ blockNumber: BigInt(blockNumber), txs: txs.map(([txId, code]) => ({ txId, code })) });
  }

  break(): void {
    this.push!(new Error('stream reset'));
  }
}

describe('CommitTracker', () => {
  let tracker: CommitTracker;
  afterEach(() => tracker.close());

  /** A tracker whose first stream has connected (it follows once a block arrives). */
  async function connected(blocks: ScriptedBlocks, timeoutMs: number): Promise<void> {
    tracker = new CommitTracker(blocks.port(), () => Promise.resolve(city), timeoutMs, log, () => Promise.resolve());
    tracker.expect('city', 'city', 'x');
    await eventually(() => (blocks.streams > 0 ? true : undefined));
  }

  it('answers nothing until the stream has delivered the newest block, then each expected transaction from its block', async () => {
    const blocks = new ScriptedBlocks();
    tracker = new CommitTracker(blocks.port(), () => Promise.resolve(city), 5000, log, () => Promise.resolve());
    expect(tracker.expect('city', 'city', 'tx-early')).toBeUndefined();
    await eventually(() => (blocks.streams > 0 ? true : undefined));
    expect(tracker.expect('city', 'city', 'tx-early')).toBeUndefined();
    blocks.block(7);
    const ok = await eventually(() => tracker.expect('city', 'city', 'tx-ok'));
    const conflict = tracker.expect('city', 'city', 'tx-conflict')!;
    blocks.block(8, [['tx-other', 0], ['tx-ok', 0], ['tx-conflict', 11]]);
    expect(await ok.outcome).toEqual({ txId: 'tx-ok', blockNumber: 8n, code: 0, codeName: 'VALID', successful: true });
    expect(await conflict.outcome).toEqual({ txId: 'tx-conflict', blockNumber: 8n, code: 11, codeName: 'MVCC_READ_CONFLICT', successful: false });
  });

  it('a DUPLICATE_TXID is a resubmitted copy, not the outcome: the wait goes back to CommitStatus (the first instance decides)', async () => {
    const blocks = new ScriptedBlocks();
    await connected(blocks, 5000);
    blocks.block(3);
    const resent = await eventually(() => tracker.expect('city', 'city', 'tx-resent'));
    blocks.block(4, [['tx-resent', 9]]);
    expect(await resent.outcome).toBeUndefined();
  });

  it('a broken stream hands every wait back to CommitStatus, and answers again once it follows anew', async () => {
    const blocks = new ScriptedBlocks();
    await connected(blocks, 5000);
    blocks.block(3);
    const waiting = await eventually(() => tracker.expect('city', 'city', 'tx-1'));
    blocks.break();
    expect(await waiting.outcome).toBeUndefined();
    await eventually(() => (blocks.streams > 1 ? true : undefined));
    expect(tracker.expect('city', 'city', 'tx-2')).toBeUndefined();
    blocks.block(4);
    const again = await eventually(() => tracker.expect('city', 'city', 'tx-2'));
    blocks.block(5, [['tx-2', 0]]);
    expect((await again.outcome)?.blockNumber).toBe(5n);
  });

  it('a transaction whose block does not come within the timeout, or that was not sent, goes back to CommitStatus', async () => {
    const blocks = new ScriptedBlocks();
    await connected(blocks, 60);
    blocks.block(1);
    const slow = await eventually(() => tracker.expect('city', 'city', 'tx-slow'));
    const unsent = tracker.expect('city', 'city', 'tx-unsent')!;
    unsent.cancel();
    expect(await unsent.outcome).toBeUndefined();
    expect(await slow.outcome).toBeUndefined();
  });

  it('stops without a warning: the stream it closes fails as cancelled, which is no break', async () => {
    const lines: string[] = [];
    const blocks = new ScriptedBlocks(true);
    tracker = new CommitTracker(blocks.port(), () => Promise.resolve(city), 5000, pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }), () => Promise.resolve());
    tracker.expect('city', 'city', 'x');
    await eventually(() => (blocks.streams > 0 ? true : undefined));
    blocks.block(1);
    await eventually(() => tracker.expect('city', 'city', 'y'));
    tracker.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(lines).toEqual([]);
    expect(blocks.streams).toBe(1);
  });

  it('holds a call until its org\'s stream has the newest block a caller was answered from', async () => {
    const byOrg = { city: new ScriptedBlocks(), port: new ScriptedBlocks() };
    const fabric = {
      blockOutcomes: (identity: { org: 'city' | 'port' }, channel: string) => byOrg[identity.org].port().blockOutcomes(identity as never, channel),
    } as unknown as FabricPort;
    tracker = new CommitTracker(fabric, (org) => Promise.resolve(fakeIdentity(org, 'X', 'admin')), 5000, log, () => Promise.resolve());
    // An org not followed is never held, and asking does not start a stream (it may be no member).
    tracker.answered('city', 3n);
    await tracker.caughtUp('port', 'city');
    expect(byOrg.port.streams).toBe(0);
    tracker.follow('port', 'city');
    await tracker.caughtUp('port', 'city'); // not following until the stream delivers a block
    await eventually(() => (byOrg.port.streams > 0 ? true : undefined));
    byOrg.port.block(7);
    await eventually(() => tracker.expect('port', 'city', 'probe'));

    // A city caller was answered from block 8; the port org's peer has only 7.
    tracker.answered('city', 8n);
    tracker.answered('city', 6n); // an older answer never lowers the mark
    let through = false;
    const held = tracker.caughtUp('port', 'city').then(() => (through = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(through).toBe(false);
    byOrg.port.block(8);
    await held;
    await tracker.caughtUp('port', 'city'); // at once now

    // A stream that breaks lets the held calls go (they cannot learn more from it).
    tracker.answered('city', 9n);
    const broken = tracker.caughtUp('port', 'city');
    byOrg.port.break();
    await broken;
    // Another channel's answers do not hold this one.
    tracker.answered('health', 50n);
    await eventually(() => (byOrg.port.streams === 2 ? true : undefined));
    byOrg.port.block(9);
    await eventually(() => tracker.expect('port', 'city', 'probe-2'));
    await tracker.caughtUp('port', 'city');
  });

  it('keeps one stream per org and channel', async () => {
    const fabric = new FakeFabric();
    tracker = new CommitTracker(fabric, (org) => Promise.resolve(fakeIdentity(org, 'X', 'admin')), 5000, log);
    tracker.expect('city', 'city', 'a');
    tracker.expect('city', 'city', 'b');
    tracker.expect('city', 'health', 'c');
    tracker.expect('hospital', 'health', 'd');
    await eventually(() => (fabric.calls.filter((c) => c.kind === 'blocks').length === 3 ? true : undefined));
    expect(fabric.calls.filter((c) => c.kind === 'blocks').map((c) => c.identity).sort()).toEqual(['city:admin', 'city:admin', 'hospital:admin']);
  });
});

describe('TransactionService with a CommitTracker', () => {
  /** A TransactionService whose commits a CommitTracker follows, over a fake Fabric filing claims. */
  async function trackedService() {
    const fabric = new FakeFabric().on('claims', 'ClaimContract:FileClaim', ({ args }) => ({ claimId: args[0] }));
    const store = new Store(await testDb());
    await store.migrate();
    const tracker = new CommitTracker(fabric, () => Promise.resolve(city), 5000, log);
    const service = new TransactionService(fabric, store, { conflictRetries: 2, bootId: 'b', publicUrl: 'http://gw.test' }, log, undefined, undefined, tracker);
    return { fabric, store, tracker, service };
  }

  it('learns commits from the block stream once it follows, asking CommitStatus only before', async () => {
    const { fabric, store, tracker, service } = await trackedService();
    try {
      const write = () => service.write({ userId: 'u', identity: city, spec, wait: 'commit' });
      const first = await write();
      expect(first.status).toBe(200);
      expect(fabric.calls.filter((c) => c.kind === 'commitStatus')).toHaveLength(1);
      await eventually(() => tracker.expect('city', 'city', 'probe'));
      fabric.commitCodes.push(11); // a read conflict learnt from the stream is retried like one from CommitStatus
      const second = await write();
      expect(second).toMatchObject({ status: 200, body: { result: { claimId: 'c-1' } } });
      expect(fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(3);
      expect(fabric.calls.filter((c) => c.kind === 'commitStatus')).toHaveLength(1);
      expect((await store.getTx(second.body.txId as string))?.state).toBe('committed');
    } finally {
      tracker.close();
      await store.close();
    }
  });

  it('a keyed write that committed though its submit call failed is resumed by a retry as that commit: the resent copy (DUPLICATE_TXID) neither journals it invalid nor frees the key', async () => {
    const { fabric, store, tracker, service } = await trackedService();
    try {
      await eventually(() => tracker.expect('city', 'city', 'probe'));
      const write = () => service.write({ userId: 'u', identity: city, spec, wait: 'commit', idempotency: { key: 'k', requestHash: 'h' } });
      // Ordered and committed, but the client call timed out: the journal still says 'endorsed'.
      fabric.failures.submitAfterOrdering.push(Object.assign(new Error('4 DEADLINE_EXCEEDED'), { name: 'SubmitError', code: 4, details: [] }));
      await expect(write()).rejects.toMatchObject({ status: 504 });
      const txId = fabric.calls.find((c) => c.kind === 'endorse')!.txId!;
      expect((await store.getTx(txId))?.state).toBe('endorsed');

      const retried = await write();
      expect(retried).toMatchObject({ status: 200, body: { txId, blockNumber: '11', result: { claimId: 'c-1' } } });
      expect(fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(1);
      expect(fabric.calls.filter((c) => c.kind === 'submit')).toHaveLength(2);
      expect(await store.getTx(txId)).toMatchObject({ state: 'committed', block_number: '11', validation_code: 'VALID' });
      // The key keeps that answer: another retry is a replay, nothing new is endorsed.
      expect(await write()).toMatchObject({ status: 200, body: { txId }, headers: { 'idempotent-replayed': 'true' } });
      expect(fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(1);
    } finally {
      tracker.close();
      await store.close();
    }
  });

  it('waits for the caller\'s org to catch up before every endorsement and query, reports each block it answers from, and follows an org once its query succeeded', async () => {
    const fabric = new FakeFabric().on('claims', 'ClaimContract:FileClaim', ({ args }) => ({ claimId: args[0] }));
    const store = new Store(await testDb());
    await store.migrate();
    const seen: string[] = [];
    const commits: Commits = {
      expect: () => undefined,
      follow: (org, channel) => void seen.push(`follow ${org} ${channel}`),
      caughtUp: (org, channel) => {
        seen.push(`caughtUp ${org} ${channel}`);
        return Promise.resolve();
      },
      answered: (channel, block) => void seen.push(`answered ${channel} ${block}`),
    };
    const service = new TransactionService(fabric, store, { conflictRetries: 2, bootId: 'b', publicUrl: 'http://gw.test' }, log, undefined, undefined, commits);
    try {
      const written = await service.write({ userId: 'u', identity: city, spec, wait: 'commit' });
      await service.evaluate(city, { ...spec, transaction: 'ClaimContract:FileClaim' });
      expect(seen).toEqual(['caughtUp city city', `answered city ${written.body.blockNumber}`, 'caughtUp city city', 'follow city city']);
    } finally {
      await store.close();
    }
  });
});
