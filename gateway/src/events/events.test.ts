import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { get, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import pino from 'pino';
import request from 'supertest';
import { fakeIdentity } from '../fabric/fake';
import { FabricPort } from '../fabric/port';
import { bearer, harness, Harness } from '../testing/harness';
import { recordUnhandledRejections } from '../testing/unhandled';
import { ChaincodeEventListener } from './listener';
import { isInternalHost } from './webhooks';
import { Projector } from './projections';
import { EventHub } from './hub';
import { sseHandler } from './sse';
import { Store } from '../store/store';
import { Sealer } from '../auth/secrets';

const envelope = (n: number, status = 'FILED') =>
  new Uint8Array(Buffer.from(JSON.stringify({ contract: 'claim', transaction: 'FileClaim', txId: `t${n}`, timestamp: '2027-01-01T00:00:00Z', events: [{ type: 'ClaimFiled', data: { claimId: `c${n}`, status, amount: n } }] })));

const until = async (cond: () => Promise<boolean>) => {
  // Bounded wait for background work (no timing assertion): up to ~10 s on a slow database.
  for (let i = 0; i < 2000 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('events', () => {
  let h: Harness;
  const admin = fakeIdentity('insurer', 'InsurerMSP', 'admin');
  const listener = () => new ChaincodeEventListener(h.fabric, h.store, h.hub, 'city', 'claims', () => Promise.resolve(admin), pino({ level: 'silent' }), () => Promise.resolve());
  const emit = (n: number, status?: string) => h.fabric.emit({ blockNumber: BigInt(100 + n), txId: `t${n}`, chaincode: 'claims', eventName: 'claim.FileClaim', payload: envelope(n, status) });
  const stored = async () => (await h.store.eventsAfter(0, 1000)).map((e) => e.tx_id);
  const runUntil = async (count: number) => {
    const l = listener();
    const done = l.once();
    await until(async () => (await stored()).length >= count);
    l.stop();
    await done;
  };

  beforeEach(async () => {
    h = await harness();
  });

  it('the listener stores each event once and resumes after its checkpoint after a restart', async () => {
    emit(1);
    emit(2);
    await runUntil(2);
    expect(await stored()).toEqual(['t1', 't2']);
    expect(await h.store.getCheckpoint('city/claims')).toEqual({ block_number: '102', tx_id: 't2' });
    emit(3);
    await runUntil(3); // a new listener, as after a restart
    expect(await stored()).toEqual(['t1', 't2', 't3']);
    const resumed = h.fabric.calls.filter((c) => c.kind === 'events');
    expect(resumed).toHaveLength(2);
  });

  it('a crash between storing and checkpointing replays without duplicates', async () => {
    emit(1);
    emit(2);
    await runUntil(2);
    await h.store.saveCheckpoint('city/claims', 101n, 't1'); // as if the checkpoint of t2 was lost
    emit(3);
    await runUntil(3);
    expect(await stored()).toEqual(['t1', 't2', 't3']);
  });

  it('the listener stops without a warning: the stream it closes fails as cancelled, which is no break', async () => {
    const lines: string[] = [];
    // Like gRPC: a stream closed by its reader ends with CANCELLED (the fake's streams just end).
    const cancelling = {
      chaincodeEvents: async (...args: Parameters<FabricPort['chaincodeEvents']>) => {
        const inner = await h.fabric.chaincodeEvents(...args);
        let closed = false;
        return {
          close: () => {
            closed = true;
            inner.close();
          },
          async *[Symbol.asyncIterator]() {
            yield* inner;
            if (closed) throw new Error('1 CANCELLED: Cancelled on client');
          },
        };
      },
    } as unknown as FabricPort;
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const l = new ChaincodeEventListener(cancelling, h.store, h.hub, 'city', 'claims', () => Promise.resolve(admin), log, () => Promise.resolve());
    const running = l.run();
    emit(1);
    await until(async () => (await stored()).length >= 1);
    l.stop();
    await running;
    expect(await stored()).toEqual(['t1']);
    expect(lines).toEqual([]);
  });

  // A stream that fails while a batch is being stored used to reject with no one awaiting it yet,
  // which ends a Node process; the listener must log it and reconnect instead.
  it('a stream that breaks while a batch is being stored is reconnected, not an unhandled rejection', async () => {
    const lines: string[] = [];
    let breakStream!: () => void;
    const broken = new Promise<void>((r) => (breakStream = r));
    let sessions = 0;
    const breaking = {
      chaincodeEvents: async () => {
        sessions++;
        const first = sessions === 1;
        let close!: () => void;
        const closed = new Promise<void>((r) => (close = r));
        return {
          close,
          async *[Symbol.asyncIterator]() {
            if (!first) return void (await closed); // the reconnected stream waits for events
            yield { blockNumber: 101n, txId: 't1', chaincode: 'claims', eventName: 'claim.FileClaim', payload: envelope(1) };
            await broken;
            throw new Error('14 UNAVAILABLE: peer went away');
          },
        };
      },
    } as unknown as FabricPort;
    let releaseStore!: () => void;
    const storeHeld = new Promise<void>((r) => (releaseStore = r));
    const slowStore = Object.create(h.store) as typeof h.store;
    slowStore.saveCheckpoint = async (...args: Parameters<typeof h.store.saveCheckpoint>) => {
      breakStream(); // the stream fails while the checkpoint is being written
      await storeHeld;
      return h.store.saveCheckpoint(...args);
    };
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const l = new ChaincodeEventListener(breaking, slowStore, h.hub, 'city', 'claims', () => Promise.resolve(admin), log, () => Promise.resolve());
    const running = l.run();
    await until(async () => (await stored()).length >= 1);
    // Let the stream's failure settle while the store still holds the batch.
    await new Promise((r) => setTimeout(r, 20));
    releaseStore();
    await until(async () => sessions >= 2);
    l.stop();
    await running;
    expect(await stored()).toEqual(['t1']);
    expect(sessions).toBeGreaterThanOrEqual(2);
    expect(lines.map((line) => JSON.parse(line).msg)).toContain('event stream broke; reconnecting');
  });

  it('SSE streams stored then live events in order and resumes after Last-Event-ID', async () => {
    emit(1);
    emit(2);
    await runUntil(2);
    const server: Server = h.app.listen(0);
    const port = (server.address() as AddressInfo).port;
    const read = (headers: Record<string, string>, count: number, onOpen?: () => void) =>
      new Promise<Array<{ id: string; data: { txId: string; payload: unknown } }>>((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/api/v1/events?chaincode=claims', headers: { ...bearer(h.adminKeys.insurer), ...headers } }, (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          let buf = '';
          const events: Array<{ id: string; data: { txId: string; payload: unknown } }> = [];
          onOpen?.();
          res.on('data', (chunk: Buffer) => {
            buf += chunk.toString();
            let i;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              const id = /^id: (.*)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (id && data) events.push({ id, data: JSON.parse(data) });
              if (events.length === count) {
                req.destroy();
                resolve(events);
              }
            }
          });
        });
        req.on('error', (e) => (e.message.includes('aborted') || e.message.includes('socket hang up') ? undefined : reject(e)));
      });
    try {
      const firstTwo = await read({}, 2);
      expect(firstTwo.map((e) => e.data.txId)).toEqual(['t1', 't2']);
      expect(firstTwo[0].data.payload).toMatchObject({ transaction: 'FileClaim' });
      // Reconnect after the first event, then a live one arrives.
      const resumed = read({ 'last-event-id': firstTwo[0].id }, 2, () => {
        const stored = h.store.insertEvents([{ channel: 'city', chaincode: 'claims', block_number: '103', tx_id: 't3', event_name: 'claim.FileClaim', payload: Buffer.from(envelope(3)).toString('base64') }]);
        void stored.then(([row]) => h.hub.publish(row));
      });
      expect((await resumed).map((e) => e.data.txId)).toEqual(['t2', 't3']);
      // Only the caller's channels: the port org is not on health, but it is on city.
      const portStream = await read({}, 1);
      expect(portStream[0].data.txId).toBe('t1');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('SSE replay waits for a slow client to drain, so a long backlog is never buffered whole, and loses nothing', async () => {
    const payload = Buffer.from(JSON.stringify({ blob: 'x'.repeat(4000) })).toString('base64');
    const count = 4000;
    await h.store.insertEvents(Array.from({ length: count }, (_, i) => ({ channel: 'city', chaincode: 'claims', block_number: String(i), tx_id: `t${i}`, event_name: 'claim.FileClaim', payload })));
    const server: Server = h.app.listen(0);
    let streamed: ServerResponse | undefined;
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => (streamed = res));
    const port = (server.address() as AddressInfo).port;
    try {
      const received = await new Promise<number>((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: bearer(h.adminKeys.insurer) }, (res) => {
          res.pause(); // a client that reads nothing for a while
          void (async () => {
            // ~16 MB of events: far more than the socket buffers take.
            let most = 0;
            for (let i = 0; i < 40; i++) {
              await new Promise((r) => setTimeout(r, 10));
              most = Math.max(most, streamed?.writableLength ?? 0);
            }
            expect(most).toBeGreaterThan(0);
            expect(most).toBeLessThan(256 * 1024);
            let ids = 0;
            let buf = '';
            res.on('data', (chunk: Buffer) => {
              buf += chunk.toString();
              let i;
              while ((i = buf.indexOf('\n\n')) >= 0) {
                if (buf.startsWith('id: ')) ids++;
                buf = buf.slice(i + 2);
              }
              if (ids === count) {
                req.destroy();
                resolve(ids);
              }
            });
            res.resume();
          })().catch(reject);
        });
        req.on('error', (e) => (e.message.includes('aborted') || e.message.includes('socket hang up') ? undefined : reject(e)));
      });
      expect(received).toBe(count);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('SSE: a store that fails while a live event is pumped ends the stream with a log line, not an unhandled rejection', async () => {
    const lines: string[] = [];
    h = await harness({ logLines: lines });
    const unhandled = recordUnhandledRejections();
    const server: Server = h.app.listen(0);
    const port = (server.address() as AddressInfo).port;
    try {
      const ended = new Promise<string>((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: bearer(h.adminKeys.insurer) }, (res) => {
          let text = '';
          let failing = false;
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            // The stream is open and has replayed (nothing): the next pump is a live one.
            if (!failing && text.startsWith(': cityledger events')) {
              failing = true;
              jest.spyOn(h.store, 'eventsAfter').mockRejectedValueOnce(new Error('SQLITE_IOERR: disk I/O error'));
              h.hub.publish({} as Parameters<typeof h.hub.publish>[0]);
            }
          });
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
      });
      // Bounded, so that a stream left open fails the test instead of hanging it.
      const outcome = await Promise.race([ended, new Promise((r) => setTimeout(() => r('still open after 10 s'), 10000))]);
      expect(outcome).toBe(': cityledger events\n\n');
      expect(unhandled.reasons).toEqual([]);
      expect(lines.filter((l) => l.includes('event stream to a client failed') && l.includes('SQLITE_IOERR'))).toHaveLength(1);
    } finally {
      unhandled.stop();
      server.close();
      server.closeAllConnections();
    }
  });

  it('webhooks: signed, in order, retried with backoff, cursor kept across a restart', async () => {
    const created = await request(h.app).post('/api/v1/webhooks').set(bearer(h.adminKeys.insurer)).send({ url: 'http://hooks.test/in', chaincode: 'claims', fromId: 0 });
    expect(created.status).toBe(201);
    const { id, secret } = created.body;
    h.webhooks.stop(); // drive deliveries by hand
    emit(1);
    emit(2);
    await runUntil(2);
    h.deliverStatus.push(500, 200, 200);
    await h.webhooks.drain(id);
    expect(h.delivered.map((d) => JSON.parse(d.body).txId)).toEqual(['t1', 't1', 't2']);
    for (const d of h.delivered) {
      const [t, v1] = d.headers['x-cityledger-signature'].split(',').map((kv) => kv.split('=')[1]);
      expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${d.body}`).digest('hex'));
    }
    expect(h.delivered.map((d) => d.headers['x-cityledger-event-id'])).toEqual(['1', '1', '2']);
    // After a restart the cursor is where it was: only new events go out.
    emit(3);
    await runUntil(3);
    await h.webhooks.drain(id);
    expect(h.delivered.map((d) => JSON.parse(d.body).txId)).toEqual(['t1', 't1', 't2', 't3']);
    const list = await request(h.app).get('/api/v1/webhooks').set(bearer(h.adminKeys.insurer));
    expect(list.body.items[0]).toMatchObject({ id, last_seq: 3 });
    expect(JSON.stringify(list.body)).not.toContain(secret);
  });

  it('a running dispatcher delivers new events by itself, in order', async () => {
    await h.webhooks.start();
    const created = await request(h.app).post('/api/v1/webhooks').set(bearer(h.adminKeys.city)).send({ url: 'http://hooks.test/live', chaincode: 'claims' });
    emit(1);
    emit(2);
    const l = listener();
    const done = l.run();
    await until(() => Promise.resolve(h.delivered.length >= 2));
    l.stop();
    await done;
    h.webhooks.stop();
    expect(h.delivered.map((d) => [d.url, d.headers['x-cityledger-webhook-id'], JSON.parse(d.body).txId])).toEqual([
      ['http://hooks.test/live', created.body.id, 't1'],
      ['http://hooks.test/live', created.body.id, 't2'],
    ]);
    expect((await request(h.app).delete(`/api/v1/webhooks/${created.body.id}`).set(bearer(h.adminKeys.insurer))).status).toBe(404);
    expect((await request(h.app).delete(`/api/v1/webhooks/${created.body.id}`).set(bearer(h.adminKeys.city))).status).toBe(204);
  });

  it('a new webhook starts after the newest event, asked of the store as one MAX(seq), not by paging through the log', async () => {
    expect(await h.store.latestEventSeq()).toBe(0);
    const events = Array.from({ length: 2500 }, (_, i) => ({ channel: 'city', chaincode: 'claims', block_number: String(i), tx_id: `t${i}`, event_name: 'claim.FileClaim', payload: '{}' }));
    await h.store.insertEvents(events);
    const latest = jest.spyOn(h.store, 'latestEventSeq');
    const eventsAfter = jest.spyOn(h.store, 'eventsAfter');
    const created = await request(h.app).post('/api/v1/webhooks').set(bearer(h.adminKeys.insurer)).send({ url: 'http://hooks.test/in' });
    h.webhooks.stop();
    expect(created.body.last_seq).toBe(2500);
    expect(latest).toHaveBeenCalledTimes(1);
    // Only its worker reads events, from its cursor on: nothing walked the log from the start.
    expect(eventsAfter.mock.calls.filter(([seq]) => seq < 2500)).toEqual([]);
    // With every event deleted by retention, the log goes on after the last one deleted.
    await h.store.pruneEvents('9999-12-31T00:00:00.000Z', 10000, Number.MAX_SAFE_INTEGER);
    expect(await h.store.eventsAfter(0, 1)).toEqual([]);
    expect(await h.store.latestEventSeq()).toBe(2500);
  });

  it('SSE: a client gone before the handler subscribed (during its store read, or before it ran) leaves no subscription behind', async () => {
    const hub = new EventHub();
    const stubs = (closeWhen: 'before' | 'during') => {
      const res = Object.assign(new EventEmitter(), { destroyed: false, closed: false, writableEnded: false, writableNeedDrain: false, writeHead: jest.fn(), write: jest.fn(() => true), end: jest.fn() });
      const req = Object.assign(new EventEmitter(), { query: {}, get: (name: string) => (name === 'last-event-id' ? '5' : undefined) });
      // As Node does when the client disconnects: the response is destroyed, then 'close' is emitted once.
      const disconnect = () => {
        Object.assign(res, { destroyed: true, closed: true });
        req.emit('close');
        res.emit('close');
      };
      if (closeWhen === 'before') disconnect();
      const store = {
        eventsPrunedThrough: () => {
          if (closeWhen === 'during') disconnect();
          return Promise.resolve(0);
        },
        eventsAfter: () => Promise.resolve([]),
      };
      return { req: req as unknown as Request, res: res as unknown as Response, store: store as unknown as Store, writeHead: res.writeHead };
    };
    for (const closeWhen of ['during', 'before'] as const) {
      const { req, res, store, writeHead } = stubs(closeWhen);
      await sseHandler(store, hub, () => ['city'], pino({ level: 'silent' }), 10)(req, res);
      expect({ closeWhen, listeners: hub.listenerCount() }).toEqual({ closeWhen, listeners: 0 });
      expect(writeHead).not.toHaveBeenCalled();
    }
    hub.shutdown();
  });

  it('a webhook that keeps failing is disabled; bad URLs and foreign channels are refused', async () => {
    const created = await request(h.app).post('/api/v1/webhooks').set(bearer(h.adminKeys.insurer)).send({ url: 'http://hooks.test/in', fromId: 0 });
    h.webhooks.stop();
    emit(1);
    await runUntil(1);
    h.deliverStatus.push(500, 500, 500);
    expect(await h.webhooks.drain(created.body.id)).toBe('disabled');
    expect(h.delivered).toHaveLength(3);
    const bad = await request(h.app).post('/api/v1/webhooks').set(bearer(h.adminKeys.port)).send({ url: 'ftp://x', channel: 'health', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['channel', 'extra', 'url']);
  });

  it("disabling a user disables its webhooks and stops their delivery, after a restart too; the org admin lists and deletes every webhook of its org", async () => {
    const mk = async (org: string, enrollmentId: string) => (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys[org])).send({ enrollmentId, role: 'adjuster' })).body as { apiKey: string; user: { userId: string } };
    const [leaver, stayer] = [await mk('insurer', 'adj1'), await mk('insurer', 'adj2')];
    await h.webhooks.start();
    const hook = async (key: string, url: string) => (await request(h.app).post('/api/v1/webhooks').set(bearer(key)).send({ url, fromId: 0 })).body.id as string;
    const [gone, kept, deleted] = [await hook(leaver.apiKey, 'http://exfil.test/in'), await hook(stayer.apiKey, 'http://kept.test/in'), await hook(stayer.apiKey, 'http://old.test/in')];
    await hook(h.adminKeys.city, 'http://city.test/in'); // another org's: never in the insurer admin's list
    // The admin sees every webhook of its org (same shape, no secret); a user only its own.
    const list = async (key: string) => (await request(h.app).get('/api/v1/webhooks').set(bearer(key))).body.items as Array<Record<string, unknown>>;
    expect((await list(h.adminKeys.insurer)).map((w) => [w.id, w.user_id])).toEqual([
      [gone, 'insurer:adj1'],
      [kept, 'insurer:adj2'],
      [deleted, 'insurer:adj2'],
    ]);
    expect((await list(h.adminKeys.insurer)).every((w) => !('secret_enc' in w))).toBe(true);
    expect((await list(stayer.apiKey)).map((w) => w.id)).toEqual([kept, deleted]);
    expect((await request(h.app).delete(`/api/v1/webhooks/${deleted}`).set(bearer(h.adminKeys.insurer))).status).toBe(204);
    const got = (host: string) => h.delivered.filter((d) => d.url.includes(host)).map((d) => JSON.parse(d.body).txId as string);
    emit(1);
    await runUntil(1);
    await until(() => Promise.resolve(got('exfil').length > 0 && got('kept').length > 0));
    expect([got('exfil'), got('kept')]).toEqual([['t1'], ['t1']]);

    expect((await request(h.app).delete(`/api/v1/users/${leaver.user.userId}`).set(bearer(h.adminKeys.insurer))).status).toBe(204);
    expect((await h.store.getWebhook(gone))!.disabled_at).not.toBeNull();
    expect((await list(h.adminKeys.insurer)).map((w) => w.id)).toEqual([kept]);
    emit(2);
    await runUntil(2);
    await until(() => Promise.resolve(got('kept').length >= 2));
    // A restart starts only the enabled ones.
    h.webhooks.stop();
    await h.webhooks.start();
    emit(3);
    await runUntil(3);
    await until(() => Promise.resolve(got('kept').length >= 3));
    h.webhooks.stop();
    expect({ exfil: got('exfil'), kept: got('kept'), old: got('old.test') }).toEqual({ exfil: ['t1'], kept: ['t1', 't2', 't3'], old: [] });
  });

  it("the webhook worker refuses (and disables) a webhook whose owner was disabled elsewhere, e.g. by another process", async () => {
    const user = (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.insurer)).send({ enrollmentId: 'adj1', role: 'adjuster' })).body as { apiKey: string; user: { userId: string } };
    const created = await request(h.app).post('/api/v1/webhooks').set(bearer(user.apiKey)).send({ url: 'http://exfil.test/in', fromId: 0 });
    h.webhooks.stop(); // drive deliveries by hand
    await h.store.disableUser(user.user.userId); // as a process before this fix did: its webhooks left enabled
    emit(1);
    await runUntil(1);
    expect(await h.webhooks.drain(created.body.id)).toBe('disabled');
    expect(h.delivered).toEqual([]);
    expect((await h.store.getWebhook(created.body.id))!.disabled_at).not.toBeNull();
  });

  it('the org-wide feeds (SSE, read tables, webhooks) are refused to subject roles (403 FEED_NOT_ALLOWED); the admin and staff roles use them', async () => {
    const mk = async (org: string, body: object) => (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys[org])).send(body)).body.apiKey as string;
    const resident = await mk('city', { enrollmentId: 'bob', role: 'resident', residentId: 'R-2' });
    const car = await mk('city', { enrollmentId: 'car1', role: 'vehicle', vehicleId: '1HGCM82633A004352' });
    await h.store.insertEvents([{ channel: 'health', chaincode: 'medical', block_number: '9', tx_id: 'tx9', event_name: 'consent.CreateConsent', payload: Buffer.from(JSON.stringify({ events: [{ type: 'ConsentCreated', data: { patientId: 'R-1', consentId: 'k1', status: 'ACTIVE' } }] })).toString('base64') }]);
    await new Projector(h.store).catchUp();
    for (const key of [resident, car]) {
      for (const res of [
        await request(h.app).get('/api/v1/read/medical/consent').set(bearer(key)),
        // A deadline: a stream that was let through would never end.
        await request(h.app).get('/api/v1/events?after=0').set(bearer(key)).timeout(2000),
        await request(h.app).post('/api/v1/webhooks').set(bearer(key)).send({ url: 'http://hooks.test/in', fromId: 0 }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FEED_NOT_ALLOWED');
        expect(res.text).not.toContain('R-1');
      }
    }
    expect(await h.store.listOrgWebhooks('city')).toEqual([]);
    // A webhook a subject role made before this rule is refused by the worker, not delivered.
    await h.store.insertWebhook({ id: 'old', user_id: 'city:bob', org: 'city', url: 'http://hooks.test/old', secret_enc: new Sealer(h.masterKey).seal('s', 'webhook:old'), channel: null, chaincode: null, event_name: null, last_seq: 0 });
    h.webhooks.stop();
    expect(await h.webhooks.drain('old')).toBe('disabled');
    expect(h.delivered).toEqual([]);
    // Staff roles and the org admin read them.
    const police = await mk('city', { enrollmentId: 'cop', role: 'police' });
    for (const key of [police, h.adminKeys.city]) {
      const read = await request(h.app).get('/api/v1/read/medical/consent').set(bearer(key));
      expect(read.status).toBe(200);
      expect(read.body.items[0].data).toMatchObject({ patientId: 'R-1' });
    }
  });

  it('knows which literal hosts are internal (refused unless insecure targets are allowed)', () => {
    for (const h of ['localhost', '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '[::1]', 'fd00::1'])
      expect(isInternalHost(h)).toBe(true);
    for (const h of ['hooks.example.com', '8.8.8.8', '172.32.0.1', '[2001:db8::1]']) expect(isInternalHost(h)).toBe(false);
  });

  it('judges webhook hosts by address only when they are IP literals: fc/fd names are ordinary, IPv4-mapped IPv6 is its IPv4', async () => {
    // Hostnames as the webhook's URL parser hands them over (it normalises the mapped literals to hex).
    const hostOf = (url: string) => new URL(url).hostname;
    for (const url of ['https://fdic-hooks.example.com/in', 'https://fcm.example.org/in', 'https://fd.example/in', 'https://fe80.example.net/x', 'https://[::ffff:8.8.8.8]/in'])
      expect({ url, internal: isInternalHost(hostOf(url)) }).toEqual({ url, internal: false });
    for (const url of ['https://[::ffff:127.0.0.1]/in', 'https://[::ffff:169.254.169.254]/latest', 'https://[::ffff:10.0.0.1]/', 'https://[0:0:0:0:0:ffff:c0a8:101]/', 'https://[fc00::1]/', 'https://[fe80::1]/', 'https://[febf::1]/', 'https://[::]/', 'https://127.1/'])
      expect({ url, internal: isInternalHost(hostOf(url)) }).toEqual({ url, internal: true });
    // Through the API, with insecure targets not allowed.
    const strict = await harness({ file: { webhooks: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 1000, allowInsecure: false } } });
    const create = (url: string) => request(strict.app).post('/api/v1/webhooks').set(bearer(strict.adminKeys.insurer)).send({ url });
    expect((await create('https://fdic-hooks.example.com/in')).status).toBe(201);
    const mapped = await create('https://[::ffff:169.254.169.254]/latest/meta-data');
    expect(mapped.status).toBe(400);
    expect(mapped.body.errors).toEqual([{ field: 'url', message: 'must not point at a loopback, link-local or private address' }]);
    strict.webhooks.stop();
  });

  it('projects events into paginated read tables', async () => {
    for (let n = 1; n <= 5; n++) emit(n, n % 2 ? 'FILED' : 'APPROVED');
    emit(6, 'APPROVED');
    await runUntil(6);
    // c1 is approved later by an event that carries only its id and status.
    await h.store.insertEvents([{ channel: 'city', chaincode: 'claims', block_number: '200', tx_id: 't7', event_name: 'claim.ApproveClaim', payload: Buffer.from(JSON.stringify({ events: [{ type: 'ClaimApproved', data: { claimId: 'c1', status: 'APPROVED' } }] })).toString('base64') }]);
    await new Projector(h.store).catchUp();
    const page1 = await request(h.app).get('/api/v1/read/claims/claim?status=APPROVED&limit=2').set(bearer(h.adminKeys.insurer));
    expect(page1.body.items.map((i: { id: string }) => i.id)).toEqual(['c1', 'c2']);
    expect(page1.body.items[0].data).toEqual({ claimId: 'c1', status: 'APPROVED', amount: 1 });
    const page2 = await request(h.app).get(`/api/v1/read/claims/claim?status=APPROVED&limit=2&cursor=${page1.body.nextCursor}`).set(bearer(h.adminKeys.insurer));
    expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual(['c4', 'c6']);
    const filed = await request(h.app).get('/api/v1/read/claims/claim?status=FILED').set(bearer(h.adminKeys.insurer));
    expect(filed.body.items.map((i: { id: string }) => i.id)).toEqual(['c3', 'c5']);
    expect(filed.body.nextCursor).toBeUndefined();
  });
  it('refuses read tables of an unknown chaincode or a malformed entity, and an SSE resume point that is not an event id', async () => {
    const ask = (path: string) => request(h.app).get(path).set(bearer(h.adminKeys.insurer));
    const unknown = await ask('/api/v1/read/..%2F..%2Fetc%2Fpasswd/claim');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    for (const entity of ['abc%00def', encodeURIComponent('😀'), 'A'.repeat(100)]) {
      const bad = await ask(`/api/v1/read/claims/${entity}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'entity' })]);
    }
    expect((await ask('/api/v1/read/claims/claim')).status).toBe(200);
    // Bad resume points answer 400 at once (before any stream starts).
    for (const after of ['abc', '-1', '1e309', '1.5']) {
      const bad = await ask(`/api/v1/events?after=${after}`);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'INVALID_ARGUMENT', errors: [{ field: 'after' }] });
    }
    const header = await request(h.app).get('/api/v1/events').set(bearer(h.adminKeys.insurer)).set('Last-Event-ID', 'x');
    expect(header.status).toBe(400);
    expect(header.body.errors).toEqual([expect.objectContaining({ field: 'Last-Event-ID' })]);
  });
});
