/**
 * Disruptive gateway tests on a PRIVATE gateway process (its own port, database and keys; see
 * support/private-gateway.ts), so killing it disturbs no one:
 *  - malformed requests never reach Fabric (its Fabric stage metrics do not move: nobody else calls it);
 *  - webhooks to a local receiver: HMAC-signed, in order;
 *  - a `wait=none` write whose gateway is killed right after the 202: followed to its commit after the
 *    restart, and its Idempotency-Key replays the first answer without a second ledger write;
 *  - issue 8's bar: the gateway SIGKILLed mid-stream and restarted — an SSE subscriber reconnecting with
 *    Last-Event-ID and a webhook subscriber acknowledging by id each receive every event exactly once,
 *    in order.
 * The chaincode events are produced by probe writes straight through Fabric (as the network's City
 * admin), so they keep coming while the gateway is dead.
 */
import { randomUUID } from 'node:crypto';
import { submitAs, forgetContracts } from '../support/calls';
import { closeConnections, connectAs, ensureNetwork, orgAdmin } from '../support/live';
import { probeWritesPerKey } from '../support/traffic';
import { PrivateGateway } from '../support/private-gateway';
import { call, metricValue, Org, RestUser, SseSubscriber, StreamedEvent, until, verifySignature, WebhookReceiver } from '../support/rest';

const run = randomUUID().slice(0, 8);
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const gateway = new PrivateGateway();
let admin: Record<Org, RestUser>;

/** A probe write straight through Fabric: its ProbeWritten event reaches the gateway through its listener. */
const probeWrite = (key: string) => submitAs(orgAdmin('city'), 'identity', 'probe:Put', [{ key, value: key }]);

/** The private gateway's event id of our probe key, once its listener stored it. */
async function eventIdOf(key: string): Promise<number> {
  const row = await until(
    `${key} in the private gateway's log`,
    async () => {
      const page = await admin.city.get<{ items: { id: string; eventId: number }[] }>('read/identity/probe', { cursor: b64url(key.slice(0, -1)), limit: 5 });
      return page.body.items?.find((r) => r.id === key);
    },
    120000,
  );
  return row.eventId;
}

const keyOf = (e: StreamedEvent) => (e.payload.events ?? []).find((d) => d.type === 'ProbeWritten')?.data.key as string | undefined;

beforeAll(async () => {
  await ensureNetwork();
  await gateway.start();
  admin = gateway.admins();
}, 240000);

afterAll(async () => {
  await gateway.dispose();
  forgetContracts();
  closeConnections();
});

describe('a private gateway', () => {
  it('answers malformed requests with 400 without calling Fabric at all', async () => {
    const stages = async () => {
      const text = (await call(gateway.url, 'GET', '/metrics', undefined)).text;
      return ['evaluate', 'endorse', 'submit', 'commit'].map((stage) => metricValue(text, 'cityledger_fabric_stage_duration_seconds_count', { stage }));
    };
    const before = await stages();
    const key = `val-${run}`;
    const answers = await Promise.all([
      admin.city.post('identity/probe/put', { key, value: 7 }),
      admin.city.post('identity/probe/put', { key, value: 'v', extra: true }),
      admin.city.post('identity/probe/put', { value: 'v' }),
      admin.city.request('POST', '/api/v1/identity/probe/put', { rawBody: '{"key":' }),
      admin.city.get('identity/probe/get', { key: 'not a key!' }),
      admin.city.get('mobility/vehicle', { vin: 'O0O0O0O0O0O0O0O0O' }),
    ]);
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(answers.map(() => [400, 'INVALID_ARGUMENT']));
    expect(answers.map((a) => a.body.errors.map((e: { field: string }) => e.field)[0])).toEqual(['value', 'extra', 'key', 'body', 'key', 'vin']);
    expect(await stages()).toEqual(before);
    // And a valid one does reach Fabric (the metric is live).
    expect((await admin.city.get('identity/probe/get', { key })).status).toBe(404);
    expect((await stages())[0]).toBe(before[0] + 1);
  });

  it('delivers webhooks signed (HMAC-SHA256 over t.body) and in order', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    try {
      const first = `hook-${run}-0`;
      await probeWrite(first);
      const fromId = await eventIdOf(first);
      const created = await admin.city.post('webhooks', { url, chaincode: 'identity', event: 'probe.Put', fromId: fromId - 1 });
      expect(created.status).toBe(201);
      receiver.secret = created.body.secret;
      expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const keys = [first, `hook-${run}-1`, `hook-${run}-2`];
      for (const k of keys.slice(1)) await probeWrite(k);
      const ours = await until('three deliveries', async () => {
        const got = receiver.uniqueEvents().filter((e) => keys.includes(keyOf(e) ?? ''));
        return got.length >= 3 ? got : undefined;
      }, 60000);
      expect(ours.map(keyOf)).toEqual(keys);
      const deliveries = receiver.deliveries.filter((d) => keys.includes(keyOf(d.body) ?? ''));
      expect(deliveries.every((d) => d.signatureValid && d.webhookId === created.body.id && d.eventId === d.body.id)).toBe(true);
      expect(ours[0].id).toBe(fromId);
      // The check is real: another secret, or a changed body, does not verify.
      expect(verifySignature('not-the-secret', deliveries[0].signature, deliveries[0].raw)).toBe(false);
      expect(verifySignature(receiver.secret, deliveries[0].signature, deliveries[0].raw.replace('ProbeWritten', 'ProbeWrittex'))).toBe(false);
      // The list never shows the secret again.
      const listed = await admin.city.get('webhooks');
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(receiver.secret);
      expect((await admin.city.request('DELETE', `/api/v1/webhooks/${created.body.id}`)).status).toBe(204);
    } finally {
      await receiver.stop();
    }
  });

  it('a 202 write whose gateway dies right after: the restarted gateway follows it to its commit; a retry with its key submits nothing new', async () => {
    const key = `async-${run}`;
    const accepted = await admin.city.post('identity/probe/put', { key, value: 'v' }, { 'idempotency-key': key }, { wait: 'none' });
    expect(accepted.status).toBe(202);
    await gateway.kill();
    await gateway.start();
    const committed = await until('the commit at the status URL after the restart', async () => {
      const s = await call(accepted.body.statusUrl, 'GET', '', admin.city.apiKey);
      return s.body?.status === 'committed' ? s.body : undefined;
    }, 60000);
    expect(committed).toMatchObject({ txId: accepted.body.txId, validationCode: 'VALID', blockNumber: expect.stringMatching(/^[0-9]+$/) });
    const retried = await admin.city.post('identity/probe/put', { key, value: 'v' }, { 'idempotency-key': key }, { wait: 'none' });
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body.txId).toBe(accepted.body.txId);
    // Once on the ledger.
    const sentinel = `async-sentinel-${run}`;
    await probeWrite(sentinel);
    const counts = await probeWritesPerKey(connectAs(orgAdmin('city')).getNetwork('city'), 'identity', BigInt(committed.blockNumber), sentinel);
    expect(counts.get(key)).toBe(1);
  }, 180000);

  it('killed (SIGKILL) mid-stream and restarted: SSE and webhook subscribers receive every event exactly once, in order', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    const prefix = `kill-${run}`;
    const keys = Array.from({ length: 12 }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
    let sse: SseSubscriber | undefined;
    try {
      // Subscribe from just before our first event.
      await probeWrite(keys[0]);
      const firstId = await eventIdOf(keys[0]);
      const hook = await admin.city.post('webhooks', { url, chaincode: 'identity', event: 'probe.Put', fromId: firstId - 1 });
      expect(hook.status).toBe(201);
      receiver.secret = hook.body.secret;
      sse = new SseSubscriber(gateway.url, admin.city.apiKey, { chaincode: 'identity', event: 'probe.Put' }, firstId - 1);
      sse.start();
      const stream = sse;

      // Writes keep committing; the gateway dies after the fourth and comes back a moment later.
      const committedOrder: string[] = [keys[0]];
      for (const k of keys.slice(1, 4)) {
        await probeWrite(k);
        committedOrder.push(k);
      }
      await until('the first events streamed', async () => (stream.events.filter((e) => keyOf(e)?.startsWith(prefix)).length >= 2 ? true : undefined), 60000);
      await gateway.kill();
      for (const k of keys.slice(4, 8)) {
        await probeWrite(k);
        committedOrder.push(k);
      }
      await gateway.start();
      for (const k of keys.slice(8)) {
        await probeWrite(k);
        committedOrder.push(k);
      }

      const streamed = await until('every event on the SSE stream', async () => {
        const got = stream.events.filter((e) => keyOf(e)?.startsWith(prefix));
        return got.length >= keys.length ? got : undefined;
      }, 120000);
      const hooked = await until('every event at the webhook', async () => {
        const got = receiver.uniqueEvents().filter((e) => keyOf(e)?.startsWith(prefix));
        return got.length >= keys.length ? got : undefined;
      }, 120000);
      // Give a late duplicate the chance to show before judging.
      await new Promise((r) => setTimeout(r, 1500));

      // SSE: every event exactly once (no dedupe on our side), in commit order; the stream was re-opened.
      const sseKeys = stream.events.map(keyOf).filter((k) => k?.startsWith(prefix));
      expect(sseKeys).toEqual(committedOrder);
      const ids = stream.events.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(stream.connections).toBeGreaterThanOrEqual(2);
      expect(streamed.map(keyOf)).toEqual(committedOrder);

      // Webhook: acknowledged by id, so a redelivery (at-least-once) carries the same id and body; after
      // dedupe by id, every event once, in order; every signature valid.
      expect(hooked.map(keyOf)).toEqual(committedOrder);
      const deliveries = receiver.deliveries.filter((d) => keyOf(d.body)?.startsWith(prefix));
      expect(deliveries.every((d) => d.signatureValid)).toBe(true);
      const byId = new Map<number, string>();
      for (const d of deliveries) {
        const body = JSON.stringify(d.body);
        expect(byId.get(d.eventId) ?? body).toBe(body);
        byId.set(d.eventId, body);
      }
      const hookIds = deliveries.map((d) => d.eventId);
      expect(hookIds).toEqual([...hookIds].sort((a, b) => a - b));
      // The same event has the same id on both channels: one log.
      expect(hooked.map((e) => e.id)).toEqual(streamed.map((e) => e.id));
      process.stdout.write(
        `gateway kill mid-stream: ${keys.length} events; SSE ${stream.events.length} received over ${stream.connections} connections; ` +
          `webhook ${deliveries.length} deliveries (${deliveries.length - hooked.length} redelivered)\n`,
      );
    } finally {
      sse?.stop();
      await receiver.stop();
    }
  }, 300000);
});
