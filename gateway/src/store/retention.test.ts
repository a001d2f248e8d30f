import { get, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import pino from 'pino';
import { Projector } from '../events/projections';
import { bearer, harness, Harness, testDb } from '../testing/harness';
import { Retention, RetentionConfig } from './retention';
import { Store } from './store';

const DAY_MS = 86_400_000;
const keepAll: RetentionConfig = { intervalMs: 0, transactionsDays: 0, idempotencyHours: 0, eventsDays: 0, telemetryDays: 0, documentsDays: 0, batchSize: 1000 };
const retention = (store: Store, cfg: Partial<RetentionConfig>, pruned: string[] = []) =>
  new Retention(store, { ...keepAll, ...cfg }, pino({ level: 'silent' }), (table, rows) => pruned.push(`${table}:${rows}`), () => Promise.resolve());
/** Makes rows look written `days` ago (the store stamps them with the current time). */
const age = (store: Store, table: string, time: string, where: string, days: number) =>
  store.db.run(`UPDATE ${table} SET ${time} = ? WHERE ${where}`, [new Date(Date.now() - days * DAY_MS).toISOString()]);

describe('retention', () => {
  let store: Store;
  beforeEach(async () => {
    store = new Store(await testDb());
    await store.migrate();
  });
  afterEach(() => store.close());

  const tx = (id: string, state?: 'committed' | 'submitted') =>
    store.insertTx({ tx_id: id, user_id: 'u', org: 'city', channel: 'city', chaincode: 'identity', transaction_name: 'x:Y', tx_bytes: null, result: null, ...(state ? { state } : {}) });
  const event = (n: number) =>
    store.insertEvents([{ channel: 'city', chaincode: 'identity', block_number: String(n), tx_id: `t${n}`, event_name: 'e', payload: '' }]);
  const events = async () => (await store.eventsAfter(0, 100)).map((e) => e.tx_id);

  it('deletes final transactions older than their retention, in batches, and keeps one in flight', async () => {
    for (const id of ['a', 'b', 'c']) await tx(id, 'committed');
    await tx('pending', 'submitted');
    await tx('recent', 'committed');
    await age(store, 'transactions', 'created_at', "tx_id <> 'recent'", 31);
    const pruned: string[] = [];
    expect(await retention(store, { transactionsDays: 30, batchSize: 2 }, pruned).runOnce()).toMatchObject({ transactions: 3 });
    expect(pruned).toEqual(['transactions:2', 'transactions:1']);
    expect(await store.getTx('a')).toBeUndefined();
    expect(await store.getTx('pending')).toBeDefined();
    expect(await store.getTx('recent')).toBeDefined();
  });

  it('deletes answered idempotency keys after their hours, never one whose request is unfinished', async () => {
    for (const key of ['answered', 'unfinished', 'fresh']) await store.claimIdempotency('u', key, 'h', 'boot', new Date().toISOString());
    await store.completeIdempotency('u', 'answered', 'boot', 200, '{}');
    await store.completeIdempotency('u', 'fresh', 'boot', 200, '{}');
    await age(store, 'idempotency', 'created_at', "key <> 'fresh'", 2);
    expect(await retention(store, { idempotencyHours: 24 }).runOnce()).toMatchObject({ idempotency: 1 });
    expect(await store.getIdempotency('u', 'answered')).toBeUndefined();
    expect(await store.getIdempotency('u', 'unfinished')).toBeDefined();
    expect(await store.getIdempotency('u', 'fresh')).toBeDefined();
  });

  it('deletes old events only once the read tables and every enabled webhook have them, and remembers how far', async () => {
    for (let n = 1; n <= 5; n++) await event(n);
    await event(6);
    await age(store, 'events', 'created_at', 'seq <= 5', 40);
    const seqOf = async (txId: string) => (await store.eventsAfter(0, 100)).find((e) => e.tx_id === txId)!.seq;
    await store.insertWebhook({ id: 'w', user_id: 'u', org: 'city', url: 'https://example.org', secret_enc: '', channel: null, chaincode: null, event_name: null, last_seq: await seqOf('t2') });
    const run = () => retention(store, { eventsDays: 30 }).runOnce();

    expect(await run()).toMatchObject({ events: 0 }); // nothing projected yet
    await store.saveCheckpoint(Projector.CURSOR, BigInt(await seqOf('t6')), null);
    expect(await run()).toMatchObject({ events: 2 }); // the webhook has delivered up to t2
    expect(await store.eventsPrunedThrough()).toBe(await seqOf('t3') - 1);

    await store.disableWebhook('w');
    expect(await run()).toMatchObject({ events: 3 }); // t3..t5: t6 is recent
    expect(await events()).toEqual(['t6']);
    expect(await store.eventsPrunedThrough()).toBe(await seqOf('t6') - 1);
  });

  it('keeps telemetry readings unless told otherwise, then deletes the old ones', async () => {
    const ids = await store.insertReadings('v1', [1, 2, 3].map((n) => ({ tsMs: n, reading: '{}', leaf: 'x' })));
    await age(store, 'telemetry_readings', 'received_at', `id <> ${ids[2]}`, 400);
    expect(await retention(store, {}).runOnce()).toMatchObject({ telemetry_readings: 0 });
    expect(await retention(store, { telemetryDays: 365 }).runOnce()).toMatchObject({ telemetry_readings: 2 });
    expect(await store.getReading(ids[0])).toBeUndefined();
    expect(await store.getReading(ids[2])).toBeDefined();
  });

  it('keeps off-chain documents unless told otherwise, then deletes the old ones', async () => {
    for (const hash of ['a', 'b', 'c']) await store.keepDocument('logistics', 'call-1', 'FAL5', hash, 'sealed');
    await age(store, 'kept_documents', 'created_at', "hash <> 'c'", 400);
    expect(await retention(store, {}).runOnce()).toMatchObject({ kept_documents: 0 });
    expect(await retention(store, { documentsDays: 365 }).runOnce()).toMatchObject({ kept_documents: 2 });
    expect(await store.keptDocument('logistics', 'call-1', 'FAL5', 'a')).toBeUndefined();
    expect(await store.keptDocument('logistics', 'call-1', 'FAL5', 'c')).toBe('sealed');
  });

  it('starts with a pass at once, and none with an interval of 0', async () => {
    await tx('old', 'committed');
    await age(store, 'transactions', 'created_at', '1 = 1', 31);
    const off = retention(store, { transactionsDays: 30, intervalMs: 0 });
    off.start();
    await off.stop();
    expect(await store.getTx('old')).toBeDefined();
    const pruned: string[] = [];
    const on = retention(store, { transactionsDays: 30, intervalMs: 600000 }, pruned);
    on.start();
    await on.stop(); // waits for the pass under way
    expect(pruned).toEqual(['transactions:1']);
  });

  it('does nothing with everything at 0 (forever)', async () => {
    await tx('a', 'committed');
    await event(1);
    await age(store, 'transactions', 'created_at', '1 = 1', 3650);
    await age(store, 'events', 'created_at', '1 = 1', 3650);
    expect(await retention(store, {}).runOnce()).toEqual({ transactions: 0, idempotency: 0, events: 0, telemetry_readings: 0, kept_documents: 0 });
  });
});

describe('SSE after retention', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  /** The first SSE message (event name and data) after the stream's opening comment. */
  const firstMessage = (server: Server, lastEventId: string) =>
    new Promise<{ event?: string; data: unknown }>((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      const req = get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { ...bearer(h.adminKeys.city), 'last-event-id': lastEventId } }, (res) => {
        let buf = '';
        res.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          const block = buf.split('\n\n').find((b) => b.includes('data: '));
          if (!block) return;
          req.destroy();
          resolve({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) });
        });
      });
      req.on('error', (e) => (e.message.includes('aborted') || e.message.includes('socket hang up') ? undefined : reject(e)));
    });

  it('tells a client resuming below what retention deleted that it missed events, then replays the rest', async () => {
    const rows = [];
    for (let n = 1; n <= 3; n++)
      rows.push(...(await h.store.insertEvents([{ channel: 'city', chaincode: 'identity', block_number: String(n), tx_id: `t${n}`, event_name: 'e', payload: '' }])));
    await h.store.saveCheckpoint(Projector.CURSOR, BigInt(rows[2].seq), null);
    await age(h.store, 'events', 'created_at', `seq <= ${rows[1].seq}`, 40);
    await retention(h.store, { eventsDays: 30 }).runOnce();
    const server = h.app.listen(0);
    try {
      expect(await firstMessage(server, String(rows[0].seq))).toEqual({ event: 'gap', data: { after: rows[0].seq, prunedThrough: rows[1].seq } });
      // A client that had everything deleted gets no gap, just what follows.
      expect(await firstMessage(server, String(rows[1].seq))).toMatchObject({ event: 'e', data: { txId: 't3' } });
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
