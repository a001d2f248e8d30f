import { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { BlockCommits } from './block-commits';

/** A block stream the test feeds by hand. */
function feed() {
  const queue: (peer.FilteredBlock | Error | null)[] = [];
  let wake: (() => void) | undefined;
  const push = (item: peer.FilteredBlock | Error | null) => {
    queue.push(item);
    wake?.();
  };
  const blocks: CloseableAsyncIterable<peer.FilteredBlock> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const item = queue.shift()!;
        if (item === null) return;
        if (item instanceof Error) throw item;
        yield item;
      }
    },
    close: () => push(null),
    [Symbol.dispose]: () => push(null),
  };
  return { blocks, push };
}

type Code = Parameters<peer.FilteredTransaction['setTxValidationCode']>[0];

function block(...txs: [string, Code][]): peer.FilteredBlock {
  const b = new peer.FilteredBlock();
  b.setFilteredTransactionsList(
    txs.map(([id, code]) => {
      const t = new peer.FilteredTransaction();
      t.setTxid(id);
      t.setTxValidationCode(code);
      return t;
    }),
  );
  return b;
}

const { VALID, MVCC_READ_CONFLICT } = peer.TxValidationCode;

describe('BlockCommits', () => {
  it("answers each expected transaction's validation code from the block that holds it", async () => {
    const { blocks, push } = feed();
    const commits = new BlockCommits(blocks);
    const a = commits.expect('a');
    const b = commits.expect('b');
    push(block(['other', VALID], ['a', VALID]));
    push(block(['b', MVCC_READ_CONFLICT]));
    await expect(a.code).resolves.toBe(VALID);
    await expect(b.code).resolves.toBe(MVCC_READ_CONFLICT);
    commits.close();
  });

  it('fails the waits still pending when the stream breaks, and any later wait at once', async () => {
    const { blocks, push } = feed();
    const commits = new BlockCommits(blocks);
    const pending = commits.expect('a');
    const cancelled = commits.expect('c');
    cancelled.cancel();
    push(new Error('peer went away'));
    await expect(pending.code).rejects.toThrow('peer went away');
    await expect(commits.expect('b').code).rejects.toThrow('peer went away');
  });
});
