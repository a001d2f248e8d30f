/**
 * Issue 9's drill "the gateway killed under load and restarted", on a PRIVATE gateway process (its own
 * port, database and keys: support/private-gateway.ts), so it disturbs no one: steady REST probe writes,
 * each with its own Idempotency-Key; the gateway is SIGKILLed, restarted, and every unacknowledged
 * request is retried with the same key (bounded). Then: every acknowledged write is on the ledger, the
 * retries created no duplicates (ProbeWritten events per key), and an SSE subscriber and a webhook
 * subscriber of the gateway missed nothing. Figures: sent, acknowledged, committed, lost, duplicated,
 * recovery time (support/traffic.ts). Only this file's private gateway is touched.
 */
import { randomUUID } from 'node:crypto';
import { forgetContracts, submitAs } from '../support/calls';
import { closeConnections, connectAs, contractAs, ensureNetwork, orgAdmin } from '../support/live';
import { PrivateGateway } from '../support/private-gateway';
import { RestUser, SseSubscriber, StreamedEvent, until, WebhookReceiver } from '../support/rest';
import { account, probeWritesPerKey, publish, Send, Traffic, WriteRecord } from '../support/traffic';

const run = randomUUID().slice(0, 8);
const RATE = 8;
const RETRY_ATTEMPTS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gateway = new PrivateGateway();

/** One REST write, one attempt: acknowledged only by a 200 after commit. */
const restSend =
  (admin: RestUser): Send =>
  async (key) => {
    const answer = await admin.post('identity/probe/put', { key, value: 'drill' }, { 'idempotency-key': key });
    if (answer.status !== 200) throw new Error(`${answer.status} ${answer.body?.code ?? answer.text.slice(0, 80)}`);
    return { blockNumber: BigInt(answer.body.blockNumber) };
  };

/** Retries an unacknowledged write with its own Idempotency-Key until it is answered, or gives up. */
async function retryUnacknowledged(record: WriteRecord, send: Send): Promise<'acknowledged' | 'given up'> {
  for (let attempt = 1; attempt <= RETRY_ATTEMPTS; attempt++) {
    try {
      const r = await send(record.key);
      record.ackedAt = Date.now();
      record.blockNumber = r.blockNumber;
      return 'acknowledged';
    } catch (err) {
      // 409 IDEMPOTENCY_IN_PROGRESS: the first attempt is still being driven; anything else: try again later.
      record.error = `retry ${attempt}: ${(err as Error).message}`;
      await sleep(Math.min(500 * 2 ** attempt, 4000));
    }
  }
  return 'given up';
}

const keyOf = (e: StreamedEvent) => (e.payload.events ?? []).find((d) => d.type === 'ProbeWritten')?.data.key as string | undefined;

beforeAll(async () => {
  await ensureNetwork();
  await gateway.start();
}, 240000);

afterAll(async () => {
  await gateway.dispose();
  forgetContracts();
  closeConnections();
});

it('the gateway killed under load and restarted: acknowledged writes all committed, retries create no duplicates, subscribers miss nothing', async () => {
  const admin = gateway.admins().city;
  const send = restSend(admin);
  const prefix = `gw-drill-${run}`;

  // Where the ledger and the gateway's event log are now.
  const start = await admin.submit('identity/probe/put', { key: `${prefix}-start`, value: 'start' });
  const startBlock = BigInt(start.blockNumber);
  const startRow = await until('the start event in the gateway log', async () => {
    const page = await admin.get<{ items: { id: string; eventId: number }[] }>('read/identity/probe', { cursor: Buffer.from(prefix).toString('base64url'), limit: 5 });
    return page.body.items?.find((r) => r.id === `${prefix}-start`);
  });
  const sse = new SseSubscriber(gateway.url, admin.apiKey, { chaincode: 'identity', event: 'probe.Put' }, startRow.eventId);
  const receiver = new WebhookReceiver();
  const hook = await admin.post('webhooks', { url: await receiver.start(), chaincode: 'identity', event: 'probe.Put', fromId: startRow.eventId });
  expect(hook.status).toBe(201);
  receiver.secret = hook.body.secret;
  sse.start();

  const traffic = new Traffic(prefix, send, RATE, 400);
  let faultAt = 0;
  let restartedAt = 0;
  let retryOutcomes: string[] = [];
  try {
    traffic.start();
    await sleep(4000);
    faultAt = Date.now();
    await gateway.kill();
    await sleep(2000);
    await gateway.start();
    restartedAt = Date.now();
    await sleep(4000);
    await traffic.stop();
    const ackedBeforeKill = traffic.records.filter((r) => r.ackedAt !== undefined && r.ackedAt < faultAt).map((r) => r.key);
    const back = traffic.firstAckAfter(faultAt);
    const recoverySeconds = back ? Number(((back.ackedAt! - faultAt) / 1000).toFixed(2)) : null;
    const unacknowledged = traffic.records.filter((r) => r.ackedAt === undefined);
    retryOutcomes = await Promise.all(unacknowledged.map((r) => retryUnacknowledged(r, send)));

    // The ledger: which keys are there (read straight from Fabric), and how often each was written.
    const sentinel = `${prefix}-sentinel`;
    await submitAs(orgAdmin('city'), 'identity', 'probe:Put', [{ key: sentinel, value: 'end' }]);
    const contract = contractAs(orgAdmin('city'), 'identity');
    const onLedger = new Set<string>();
    for (const r of traffic.records)
      if (await contract.evaluateTransaction('probe:Get', r.key).then(() => true, () => false)) onLedger.add(r.key);
    const writes = await probeWritesPerKey(connectAs(orgAdmin('city')).getNetwork('city'), 'identity', startBlock, sentinel);
    const report = { ...account('gateway killed under load', traffic, onLedger, writes, faultAt), recoverySeconds };

    // The subscribers: every committed key exactly once on SSE; at the webhook once after dedupe by id.
    const committedKeys = traffic.records.filter((r) => onLedger.has(r.key)).map((r) => r.key);
    const ours = (events: StreamedEvent[]) => events.filter((e) => keyOf(e)?.startsWith(`${prefix}-`) && keyOf(e) !== `${prefix}-start`);
    await until('every committed write on the SSE stream', async () => (ours(sse.events).length >= committedKeys.length ? true : undefined), 120000);
    await until('every committed write at the webhook', async () => (ours(receiver.uniqueEvents()).length >= committedKeys.length ? true : undefined), 120000);
    await sleep(1500);
    const sseKeys = ours(sse.events).map(keyOf);
    const hookKeys = ours(receiver.uniqueEvents()).map(keyOf);
    const missed = committedKeys.filter((k) => !sseKeys.includes(k) || !hookKeys.includes(k));
    report.notes =
      `${unacknowledged.length} unacknowledged retried with their Idempotency-Key: ${retryOutcomes.filter((o) => o === 'acknowledged').length} acknowledged; ` +
      `gateway restarted in ${((restartedAt - faultAt) / 1000).toFixed(1)} s; SSE ${sseKeys.length} events over ${sse.connections} connections, ` +
      `webhook ${hookKeys.length} events (${receiver.deliveries.length - receiver.uniqueEvents().length} redelivered); missed by a subscriber: ${missed.length}`;
    publish(report);
    process.stdout.write(`${report.notes}\n`);

    expect(report.sent).toBeGreaterThan(40);
    expect(ackedBeforeKill.length).toBeGreaterThan(0);
    expect(ackedBeforeKill.filter((k) => !onLedger.has(k))).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect([...writes.entries()].filter(([k, n]) => k.startsWith(`${prefix}-`) && n > 1)).toEqual([]);
    // Every request was answered in the end: nothing left in limbo.
    expect(retryOutcomes.filter((o) => o !== 'acknowledged')).toEqual([]);
    expect(report.acknowledged).toBe(report.sent);
    expect(report.committed).toBe(report.sent);
    expect(report.failedWhileDown).toBeGreaterThan(0);
    expect(report.recoverySeconds).not.toBeNull();
    // Subscribers: nothing missed, nothing twice on SSE, commit order kept.
    expect(missed).toEqual([]);
    expect(new Set(sseKeys).size).toBe(sseKeys.length);
    const ids = sse.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(hookKeys).toEqual(sseKeys);
    expect(receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
  } finally {
    await traffic.stop(1000);
    sse.stop();
    await receiver.stop();
  }
}, 600000);
