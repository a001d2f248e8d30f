import { KeyEndorsementPolicy } from 'fabric-shim';
import { MemoryLedger, MemoryStub } from './stub';
import { drain, Repository } from '../repository';
import type { Context } from 'fabric-contract-api';

const creator = { mspid: 'CityMSP', idBytes: Buffer.from('x') };
const newStub = (ledger: MemoryLedger, extra: Partial<ConstructorParameters<typeof MemoryStub>[1]> = {}) =>
  new MemoryStub(ledger, { args: ['fn', 'a'], creator, ...extra });
const ctxOf = (stub: MemoryStub) => ({ stub: stub.asStub() }) as unknown as Context;

interface Rec {
  id: string;
  v: number;
}
const records = new Repository<Rec>('rec', (r) => [r.id], { collection: 'secret' });

describe('MemoryStub', () => {
  it('exposes arguments, identity and time like the shim', () => {
    const stub = newStub(new MemoryLedger(), {
      txId: 't1',
      timestamp: 1_700_000_000_123,
      peerMspId: 'HospitalMSP',
      channel: 'health',
    });
    expect(stub.getFunctionAndParameters()).toEqual({ fcn: 'fn', params: ['a'] });
    expect(stub.getArgs()).toEqual(['fn', 'a']);
    expect(stub.getStringArgs()).toEqual(['fn', 'a']);
    expect(stub.getTxID()).toBe('t1');
    expect(stub.getChannelID()).toBe('health');
    expect(stub.getMspID()).toBe('HospitalMSP');
    expect(stub.getTxTimestamp().seconds.toNumber()).toBe(1_700_000_000);
    expect(stub.getTxTimestamp().nanos).toBe(123_000_000);
    expect(stub.getDateTimestamp().toISOString()).toBe('2023-11-14T22:13:20.123Z');
    expect(newStub(new MemoryLedger()).getFunctionAndParameters()).toEqual({ fcn: 'fn', params: ['a'] });
  });

  it('builds and splits composite keys as the shim does', () => {
    const stub = newStub(new MemoryLedger());
    const key = stub.createCompositeKey('t', ['a', 'b']);
    expect(key).toBe('\u0000t\u0000a\u0000b\u0000');
    expect(stub.splitCompositeKey(key)).toEqual({ objectType: 't', attributes: ['a', 'b'] });
    expect(stub.splitCompositeKey('plain')).toEqual({ objectType: null, attributes: [] });
    expect(() => stub.createCompositeKey('t', ['a\u0000'])).toThrow();
  });

  it('buffers writes until commit and refuses empty values', async () => {
    const ledger = new MemoryLedger();
    const stub = newStub(ledger);
    await stub.putState('k', Buffer.from('v'));
    expect((await stub.getState('k')).length).toBe(0);
    await expect(stub.putState('k2', Buffer.alloc(0))).rejects.toThrow('empty');
    await expect(stub.putState('', Buffer.from('v'))).rejects.toThrow('key');
    stub.commit();
    expect(ledger.text('k')).toBe('v');
    const del = newStub(ledger);
    await del.deleteState('k');
    del.commit();
    expect(ledger.text('k')).toBeUndefined();
  });

  it('ranges over simple keys, refuses rich queries and enforces the pagination rule', async () => {
    const ledger = new MemoryLedger();
    const w = newStub(ledger);
    for (const k of ['a', 'b', 'c']) await w.putState(k, Buffer.from(k));
    w.commit();
    const r = newStub(ledger);
    const it = await r.getStateByRange('a', 'c');
    expect((await it.next()).value.key).toBe('a');
    expect((await it.next()).value.key).toBe('b');
    expect((await it.next()).done).toBe(true);
    await it.close();
    await expect(it.next()).rejects.toThrow('closed');
    const page = await r.getStateByRangeWithPagination('', '', 2, '');
    expect(page.metadata).toEqual({ fetchedRecordsCount: 2, bookmark: 'c' });
    expect((await r.getStateByRangeWithPagination('x', 'y', 2, '')).metadata).toBeUndefined();
    await expect(r.putState('z', Buffer.from('z'))).rejects.toThrow('paginated');
    await expect(r.getQueryResult()).rejects.toThrow('leveldb');
    await expect(r.getQueryResultWithPagination()).rejects.toThrow('leveldb');
    await expect(r.getPrivateDataQueryResult()).rejects.toThrow('leveldb');
    const writer = newStub(ledger);
    await writer.putState('y', Buffer.from('y'));
    await expect(writer.getStateByPartialCompositeKeyWithPagination('t', [], 1, '')).rejects.toThrow(
      'paginated',
    );
  });

  it('refuses composite keys in public ranges (as fabric-shim) and logs every key an iterator returned', async () => {
    const ledger = new MemoryLedger();
    const w = newStub(ledger);
    const composite = (id: string) => w.createCompositeKey('rec', [id]);
    for (const k of ['a', 'b', 'c']) await w.putState(k, Buffer.from(k));
    await w.putState(composite('1'), Buffer.from('1'));
    w.commit();
    const r = newStub(ledger);
    await expect(r.getStateByRange(composite('0'), composite('9'))).rejects.toThrow('null character');
    await expect(r.getStateByRangeWithPagination('a', composite('9'), 1)).rejects.toThrow('null character');
    const it = await r.getStateByRange('a', 'c');
    await it.next();
    expect(r.scanned).toEqual(['a']);
    // As fabric-shim: the last result comes with done = true.
    expect(await it.next()).toMatchObject({ value: { key: 'b' }, done: true });
    await drain(await r.getStateByPartialCompositeKey('rec', []));
    expect(r.scanned).toEqual(['a', 'b', composite('1')]);
    // and the ranges themselves, where another transaction's write would be a phantom
    const prefix = r.createCompositeKey('rec', []);
    expect(r.ranges).toEqual([
      { start: 'a', end: 'c' },
      { start: prefix, end: `${prefix}\u{10ffff}` },
    ]);
  });

  it("ends a query at the peer's totalQueryLimit; Repository.scan reads past it page by page", async () => {
    const ledger = new MemoryLedger();
    const pub = new Repository<Rec>('pub', (r) => [r.id]);
    const w = newStub(ledger);
    for (let i = 0; i < 7; i++) await pub.put(ctxOf(w), { id: `r${i}`, v: i });
    w.commit();
    ledger.totalQueryLimit = 3;
    expect((await pub.all(ctxOf(newStub(ledger)))).map((r) => r.id)).toEqual(['r0', 'r1', 'r2']);
    const page = await pub.page(ctxOf(newStub(ledger)), [], 5);
    expect(page.items).toHaveLength(3);
    expect(page.bookmark).toBe(pub.key(ctxOf(newStub(ledger)), 'r3'));
    const seen: number[] = [];
    for await (const r of pub.scan(ctxOf(newStub(ledger)), [], 2)) seen.push(r.v);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('refuses private-data range queries in a transaction that writes, and writes after one (as Fabric)', async () => {
    const ledger = new MemoryLedger();
    const writer = newStub(ledger);
    await writer.putState('k', Buffer.from('v'));
    await expect(writer.getPrivateDataByRange('secret', '', '')).rejects.toThrow(
      'Queries on pvt data is supported only in a read-only transaction',
    );
    await expect(writer.getPrivateDataByPartialCompositeKey('secret', 't', [])).rejects.toThrow('pvt data');
    const reader = newStub(ledger);
    await reader.getPrivateDataByRange('secret', '', '');
    await expect(reader.putPrivateData('secret', 'k', Buffer.from('v'))).rejects.toThrow(
      'Transaction has already performed queries on pvt data. Writes are not allowed',
    );
    await expect(reader.putState('k', Buffer.from('v'))).rejects.toThrow('Writes are not allowed');
    // Point reads of private data are fine in a writing transaction.
    const pointReader = newStub(ledger);
    await pointReader.putState('k', Buffer.from('v'));
    await pointReader.getPrivateData('secret', 'k');
  });

  it('keeps private data with hashes, purges, and honours collection membership', async () => {
    const ledger = new MemoryLedger();
    ledger.collections.set('secret', ['HospitalMSP']);
    const hospital = (extra = {}) => newStub(ledger, { peerMspId: 'HospitalMSP', ...extra });
    const w = hospital();
    const ctx = ctxOf(w);
    await records.put(ctx, { id: 'a', v: 1 });
    await records.put(ctx, { id: 'b', v: 2 });
    await records.put(ctx, { id: 'c', v: 3 });
    w.commit();
    const r = ctxOf(hospital());
    expect(await records.get(r, 'a')).toEqual({ id: 'a', v: 1 });
    expect(await records.exists(r, 'a')).toBe(true);
    expect(Buffer.from((await records.hash(r, 'a')) as Uint8Array).toString('hex')).toMatch(/^[0-9a-f]{64}$/);
    const p1 = await records.page(r, [], 2);
    expect(p1.items.map((x) => x.id)).toEqual(['a', 'b']);
    const p2 = await records.page(r, [], 2, p1.bookmark);
    expect(p2).toEqual({ items: [{ id: 'c', v: 3 }], bookmark: '' });
    expect((await records.all(r)).length).toBe(3);

    // A peer of a non-member org sees the hash but not the value.
    const port = ctxOf(newStub(ledger, { creator: { mspid: 'PortMSP', idBytes: Buffer.from('p') } }));
    await expect(records.get(port, 'a')).rejects.toThrow('not available');
    expect(await records.exists(port, 'a')).toBe(true);

    const p = hospital();
    await records.purge(ctxOf(p), 'a');
    await records.delete(ctxOf(p), 'b');
    p.commit();
    expect(ledger.purged.get('secret')).toEqual(new Set([records.key(r, 'a')]));
    expect(await records.get(r, 'a')).toBeUndefined();
    expect(await records.hash(r, 'b')).toBeUndefined();
  });

  it('records private endorsement parameters and the keys a transaction writes', async () => {
    const ledger = new MemoryLedger();
    const s = newStub(ledger);
    const ep = new KeyEndorsementPolicy();
    ep.addOrgs('PEER', 'CityMSP');
    await s.setPrivateDataValidationParameter('secret', 'k', ep.getPolicy());
    await s.putState('p', Buffer.from('1'));
    expect(s.writtenKeys()).toEqual([{ key: 'p' }, { collection: 'secret', key: 'k' }]);
    s.commit();
    const next = newStub(ledger);
    expect(
      new KeyEndorsementPolicy(await next.getPrivateDataValidationParameter('secret', 'k')).listOrgs(),
    ).toEqual(['CityMSP']);
    await next.putPrivateData('secret', 'k', Buffer.from('v'));
    expect(next.requiredEndorsers()).toEqual([{ collection: 'secret', key: 'k', orgs: ['CityMSP'] }]);
    // As fabric-shim 2.5.8 does: private queries resolve to {iterator}, which drain() unwraps.
    const answer = await newStub(ledger).getPrivateDataByRange('secret', '', '');
    expect((answer as unknown as { iterator: { close: unknown } }).iterator.close).toBeDefined();
    expect(await drain(answer)).toEqual([]);
    await expect(next.putPrivateData('secret', 'k', Buffer.alloc(0))).rejects.toThrow('empty');
    expect(() => next.setEvent('', Buffer.alloc(0))).toThrow('non-empty');
  });
});
