import type { Context } from 'fabric-contract-api';
import type { Iterators } from 'fabric-shim';
import { monthsBetween, privateRange } from './store';

/** An iterator over `kvs` shaped like fabric-shim's StateQueryIterator (next/close). */
function iteratorOver(kvs: Iterators.KV[]): Iterators.StateQueryIterator & { closed: boolean } {
  let i = 0;
  const it = {
    closed: false,
    async next() {
      return i < kvs.length ? { value: kvs[i++], done: false } : { value: undefined, done: true };
    },
    async close() {
      it.closed = true;
    },
  };
  return it as unknown as Iterators.StateQueryIterator & { closed: boolean };
}

const kv = (key: string, value: string) =>
  ({ key, value: Buffer.from(value), namespace: 'medical' }) as Iterators.KV;
const ctxAnswering = (answer: unknown) =>
  ({ stub: { getPrivateDataByRange: async () => answer } }) as unknown as Context;

describe('privateRange', () => {
  const kvs = [kv('a', '1'), kv('b', '2')];

  // The live network's fabric-shim 2.5.8 resolves getPrivateDataByRange to {iterator, metadata}.
  it("reads fabric-shim's {iterator} answer and closes the iterator", async () => {
    const iterator = iteratorOver(kvs);
    expect((await privateRange(ctxAnswering({ iterator }), 'c', 'a', 'z')).map((x) => x.key)).toEqual([
      'a',
      'b',
    ]);
    expect(iterator.closed).toBe(true);
  });

  it('reads a bare iterator (the in-memory stub)', async () => {
    const iterator = iteratorOver(kvs);
    expect((await privateRange(ctxAnswering(iterator), 'c', 'a', 'z')).map((x) => x.key)).toEqual(['a', 'b']);
    expect(iterator.closed).toBe(true);
  });
});

describe('monthsBetween', () => {
  it('lists the UTC months a window touches, in order', () => {
    expect(monthsBetween('2026-06-01T08:00:00.000Z', '2026-06-30T23:59:59.999Z')).toEqual(['2026-06']);
    expect(monthsBetween('2026-05-02T08:00:00.000Z', '2026-06-01T08:00:00.000Z')).toEqual([
      '2026-05',
      '2026-06',
    ]);
    expect(monthsBetween('2026-12-10T00:00:00.000Z', '2027-02-01T00:00:00.000Z')).toEqual([
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
  });
});
