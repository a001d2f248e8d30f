/**
 * Events and off-chain data through the shared REST gateway (issue 8): the read tables reflect our
 * chaincode events; an SSE stream delivers the chaincode events of our transactions in order and resumes
 * after Last-Event-ID; telemetry readings go in, their window is anchored on chain by the vehicle, and a
 * reading served with its proof is verified by the mobility chaincode. (Webhooks need a loopback
 * receiver, which the shared gateway refuses by design: they are tested on a private gateway, see
 * restart.live.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { ensureNetwork } from '../support/live';
import { admins, createUser, domainEvents, Org, RestUser, SseSubscriber, until } from '../support/rest';
import { randomVin } from '../support/telemetry';

const run = randomUUID().slice(0, 8);
const b64url = (s: string) => Buffer.from(s).toString('base64url');
let admin: Record<Org, RestUser>;
let registrar: RestUser;

beforeAll(async () => {
  await ensureNetwork();
  admin = admins();
  registrar = await createUser(admin.city, `ev-registrar-${run}`, 'registrar');
});

interface ReadRow {
  id: string;
  status: string | null;
  channel: string;
  data: Record<string, unknown>;
  eventId: number;
}

/** The read-table row of one entity id, found by paging right after a prefix only our ids carry. */
async function readRow(user: RestUser, chaincode: string, entity: string, prefix: string, id: string): Promise<ReadRow> {
  return until(`${entity} ${id} in the read table`, async () => {
    const page = await user.get<{ items: ReadRow[] }>(`read/${chaincode}/${entity}`, { cursor: b64url(prefix), limit: 50 });
    return page.body.items?.find((r) => r.id === id);
  });
}

describe('read tables', () => {
  it('a list endpoint reflects our events: residents registered and then suspended', async () => {
    const prefix = `R-read-${run}`;
    const [a, b] = [`${prefix}-a`, `${prefix}-b`];
    await registrar.submit('identity/residents', { residentId: a });
    await registrar.submit('identity/residents', { residentId: b });
    const suspended = await registrar.submit(`identity/residents/${b}/suspend`, { reason: 'read table test' });
    const rowA = await readRow(registrar, 'identity', 'resident', prefix, a);
    expect(rowA).toMatchObject({ channel: 'city', data: expect.objectContaining({ residentId: a }) });
    const rowB = await until('the suspension projected', async () => {
      const r = await readRow(registrar, 'identity', 'resident', prefix, b);
      return r.eventId > rowA.eventId && JSON.stringify(r.data).includes('SUSPENDED') ? r : undefined;
    });
    expect(rowB.data).toMatchObject({ residentId: b });
    // Pagination: a page of one after our prefix is our first resident, and points to the next.
    const page = await registrar.get<{ items: ReadRow[]; nextCursor?: string }>('read/identity/resident', { cursor: b64url(prefix), limit: 1 });
    expect(page.body.items.map((r) => r.id)).toEqual([a]);
    const next = await registrar.get<{ items: ReadRow[] }>('read/identity/resident', { cursor: page.body.nextCursor, limit: 1 });
    expect(next.body.items.map((r) => r.id)).toEqual([b]);
    expect(suspended.result).toMatchObject({ status: 'SUSPENDED' });
    expect((await registrar.get('read/identity/resident', { limit: 0 })).status).toBe(400);
  });
});

describe('SSE', () => {
  it("streams the chaincode events of our transactions, in order, and resumes after Last-Event-ID", async () => {
    // Where the log is now: the event of a first write, found through the read table.
    const prefix = `sse-${run}`;
    const start = await admin.city.submit('identity/probe/put', { key: `${prefix}-0`, value: 'start' });
    const startRow = await readRow(admin.city, 'identity', 'probe', prefix, `${prefix}-0`);

    const stream = new SseSubscriber(admin.city.baseUrl, admin.city.apiKey, { chaincode: 'identity' }, startRow.eventId);
    stream.start();
    try {
      const txIds: string[] = [];
      const residentId = `R-sse-${run}`;
      txIds.push((await registrar.submit('identity/residents', { residentId })).txId);
      txIds.push((await admin.city.submit('identity/probe/put', { key: `${prefix}-1`, value: 'one' })).txId);
      txIds.push((await registrar.submit(`identity/residents/${residentId}/suspend`, { reason: 'sse test' })).txId);
      const ours = await until('our three events on the stream', async () => {
        const seen = stream.events.filter((e) => txIds.includes(e.txId));
        return seen.length >= 3 ? seen : undefined;
      });
      expect(ours.map((e) => e.txId)).toEqual(txIds);
      expect(ours.map((e) => e.eventName)).toEqual(['resident.RegisterResident', 'probe.Put', 'resident.SuspendResident']);
      expect(domainEvents(ours[0], 'ResidentRegistered')[0].data).toMatchObject({ residentId });
      expect(domainEvents(ours[1], 'ProbeWritten')[0].data).toEqual({ key: `${prefix}-1` });
      expect(ours.every((e) => e.channel === 'city' && e.chaincode === 'identity')).toBe(true);
      // Every event once, ids strictly increasing, nothing from before Last-Event-ID, only identity.
      const ids = stream.events.map((e) => e.id);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids[0]).toBeGreaterThan(startRow.eventId);
      expect(stream.events.some((e) => e.txId === start.txId)).toBe(false);
      expect(stream.events.every((e) => e.chaincode === 'identity')).toBe(true);

      // Reconnecting after the first of ours: the next ones, once, in order.
      const resumed = new SseSubscriber(admin.city.baseUrl, admin.city.apiKey, { chaincode: 'identity' }, ours[0].id);
      resumed.start();
      try {
        const again = await until('the resumed stream', async () => {
          const seen = resumed.events.filter((e) => txIds.includes(e.txId));
          return seen.length >= 2 ? seen : undefined;
        });
        expect(again.map((e) => e.txId)).toEqual(txIds.slice(1));
        expect(resumed.events.some((e) => e.id <= ours[0].id)).toBe(false);
      } finally {
        resumed.stop();
      }
    } finally {
      stream.stop();
    }
  });
});

describe('telemetry', () => {
  it('readings in, window sealed and anchored by the vehicle, a reading proven against the anchor by the chaincode', async () => {
    const vin = randomVin();
    const ownerId = `R-driver-${run}`;
    await registrar.submit('identity/residents', { residentId: ownerId });
    await registrar.submit('mobility/vehicles', { vin, ownerId, make: 'Kia', model: 'EV9', year: 2026 });
    const car = await createUser(admin.city, `car-${run}`, 'vehicle', { vehicleId: vin });

    const t0 = Math.floor((Date.now() - 60_000) / 1000) * 1000;
    const readings = [0, 1, 2, 3, 4].map((i) => ({ timestamp: new Date(t0 + 2000 + i * 5000).toISOString(), speedKmh: 40 + i, latE6: 37566000 + i, lonE6: 126978000 + i }));
    const stored: { id: number; leaf: string }[] = [];
    for (const r of readings) {
      const answer = await car.post<{ id: number; leaf: string }>('telemetry/readings', r);
      expect(answer.status).toBe(201);
      stored.push(answer.body);
    }
    // The VIN comes from the certificate, never the body.
    const forged = await car.post('telemetry/readings', { ...readings[0], vin: randomVin() });
    expect(forged.status).toBe(400);
    expect(forged.body.errors).toEqual([expect.objectContaining({ field: 'vin' })]);
    // Only vehicles record telemetry.
    expect((await registrar.post('telemetry/readings', readings[0])).status).toBe(403);

    const sealed = await car.post('telemetry/windows', { windowStart: new Date(t0).toISOString(), windowEnd: new Date(t0 + 30_000).toISOString(), anchor: true });
    expect(sealed.status).toBe(201);
    expect(sealed.body).toMatchObject({ vin, seq: 1, count: 5, scheme: 'rfc6962-sha256' });
    expect(sealed.body.anchored).toMatchObject({ status: 200, txId: expect.stringMatching(/^[0-9a-f]{64}$/), blockNumber: expect.any(String) });
    // The chain holds the same root.
    expect(await registrar.read('mobility/telemetry/head', { vin })).toMatchObject({ vin, lastSeq: 1, lastWindowEnd: sealed.body.windowEnd });
    expect(await registrar.read('mobility/telemetry/window', { vin, seq: 1 })).toMatchObject({ vin, seq: 1, count: 5, root: sealed.body.root });
    // A later reading than the window is fine; an older one is late.
    const late = await car.post('telemetry/readings', { ...readings[1] });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('LATE_READING');

    // An insurer gets reading 3 with its proof and has the chaincode check it against the anchor.
    const insurer = await createUser(admin.insurer, `ev-insurer-${run}`, 'insurer');
    const proof = await insurer.get(`telemetry/readings/${stored[3].id}/proof`);
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({ vin, seq: 1, index: 3, treeSize: 5, root: sealed.body.root, leaf: stored[3].leaf, anchorTx: sealed.body.anchored.txId });
    expect(proof.body.reading).toEqual({ ...readings[3], vin });
    const { vin: v, seq, index, reading, path } = proof.body;
    const verified = await until('the anchor on the insurer peer', async () => {
      const a = await insurer.get('mobility/telemetry/verify-reading', { proof: JSON.stringify({ vin: v, seq, index, reading, path }) });
      return a.status === 200 ? a.body.result : undefined;
    });
    expect(verified).toMatchObject({ valid: true });
    // A tampered reading does not verify.
    const tampered = await insurer.get('mobility/telemetry/verify-reading', { proof: JSON.stringify({ vin: v, seq, index, reading: { ...reading, speedKmh: 99 }, path }) });
    expect(tampered.status).toBe(200);
    expect(tampered.body.result).toMatchObject({ valid: false });
    // Another vehicle does not see this car's readings.
    const otherVin = randomVin();
    const otherCar = await createUser(admin.city, `car2-${run}`, 'vehicle', { vehicleId: otherVin });
    expect((await otherCar.get(`telemetry/readings/${stored[3].id}/proof`)).status).toBe(404);
  });
});
