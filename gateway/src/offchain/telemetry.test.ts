import request from 'supertest';
import { bearer, harness, Harness } from '../testing/harness';
import * as common from '../../../chaincode/common/src/merkle';
import { leafHash, verifyProof } from './merkle';

const VIN = 'VIN00000000000001';
const t = (s: number) => new Date(Date.UTC(2027, 0, 1, 8, 0, s)).toISOString();

describe('telemetry readings, windows and proofs', () => {
  let h: Harness;
  let car: string;
  let otherCar: string;
  let adjuster: string;

  beforeEach(async () => {
    h = await harness();
    const mk = async (org: string, body: object) => (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys[org])).send(body)).body.apiKey as string;
    car = await mk('city', { enrollmentId: 'car', role: 'vehicle', vehicleId: VIN });
    otherCar = await mk('city', { enrollmentId: 'car2', role: 'vehicle', vehicleId: 'VIN00000000000002' });
    adjuster = await mk('insurer', { enrollmentId: 'adj', role: 'adjuster' });
    h.fabric.on('mobility', 'telemetry:AnchorWindow', ({ args, identity }) => ({ ...JSON.parse(args[0]), anchoredBy: identity.id }));
  });

  const record = (key: string, second: number, extra: object = {}) => request(h.app).post('/api/v1/telemetry/readings').set(bearer(key)).send({ timestamp: t(second), speedKmh: 40 + second, ...extra });

  it('stores readings, seals a time window ready to anchor, and serves each reading with a proof the chaincode accepts', async () => {
    const ids: number[] = [];
    for (const s of [4, 1, 3, 2, 0]) {
      const res = await record(car, s);
      expect(res.status).toBe(201);
      expect(res.body.leaf).toBe(leafHash({ timestamp: t(s), speedKmh: 40 + s, vin: VIN }));
      ids[s] = res.body.id;
    }
    await record(car, 30); // after the window: stays open
    const sealed = await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(10) });
    expect(sealed.status).toBe(201);
    expect(sealed.body.anchor).toEqual({ vin: VIN, seq: 1, windowStart: t(0), windowEnd: t(10), count: 5, root: sealed.body.root, windowRef: `${VIN}-1` });
    // Leaves in time order, whatever the arrival order.
    const readings = [0, 1, 2, 3, 4].map((s) => ({ timestamp: t(s), speedKmh: 40 + s, vin: VIN }));
    expect(sealed.body.root).toBe(common.readingsRoot(readings));
    const proof = await request(h.app).get(`/api/v1/telemetry/readings/${ids[3]}/proof`).set(bearer(adjuster));
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({ vin: VIN, seq: 1, index: 3, treeSize: 5, root: sealed.body.root, scheme: 'rfc6962-sha256', reading: readings[3] });
    expect(verifyProof(leafHash(proof.body.reading), proof.body.index, proof.body.treeSize, proof.body.path, proof.body.root)).toBe(true);
    expect(common.verifyReading(proof.body.reading, proof.body.index, proof.body.treeSize, proof.body.path, sealed.body.root)).toBe(true);
    // The next window starts where this one ended; late readings are refused.
    expect((await record(car, 5)).status).toBe(409);
    const next = await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowEnd: t(40) });
    expect(next.body).toMatchObject({ seq: 2, windowStart: t(10), count: 1 });
  });

  it('a window whose first readings retention deleted answers 410 for the rest, not a wrong proof', async () => {
    const ids: number[] = [];
    for (const s of [0, 1, 2]) ids.push((await record(car, s)).body.id);
    expect((await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(10) })).status).toBe(201);
    await h.store.db.run('UPDATE telemetry_readings SET received_at = ? WHERE id = ?', ['2020-01-01T00:00:00.000Z', ids[0]]);
    expect(await h.store.pruneReadings('2021-01-01T00:00:00.000Z', 100)).toBe(1);
    const proof = await request(h.app).get(`/api/v1/telemetry/readings/${ids[2]}/proof`).set(bearer(adjuster));
    expect(proof.status).toBe(410);
    expect(proof.body.code).toBe('READINGS_PRUNED');
  });

  it('anchor: true submits mobility telemetry:AnchorWindow as the vehicle, once per window', async () => {
    await record(car, 1);
    const sealed = await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(10), anchor: true });
    expect(sealed.status).toBe(201);
    expect(sealed.body.anchored).toMatchObject({ status: 200, txId: expect.any(String), result: { seq: 1, anchoredBy: 'city:car' } });
    const endorse = h.fabric.calls.find((c) => c.kind === 'endorse')!;
    expect(endorse.spec).toMatchObject({ channel: 'city', chaincode: 'mobility', transaction: 'telemetry:AnchorWindow' });
    expect(JSON.parse(endorse.spec!.args[0])).toEqual(sealed.body.anchor);
    const proof = await request(h.app).get('/api/v1/telemetry/readings/1/proof').set(bearer(car));
    expect(proof.body.anchorTx).toBe(sealed.body.anchored.txId);
  });

  it('raw readings go to the vehicle and to those who investigate or insure; to anyone else a reading is as absent as an unknown id', async () => {
    const mk = async (org: string, body: object) => (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys[org])).send(body)).body.apiKey as string;
    const r = await record(car, 1, { lat: 37566000, lon: 126978000 });
    await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(10) });
    const proof = (key: string, id: number = r.body.id) => request(h.app).get(`/api/v1/telemetry/readings/${id}/proof`).set(bearer(key));
    const readers = { car, adjuster, police: await mk('city', { enrollmentId: 'cop', role: 'police' }), insurer: await mk('insurer', { enrollmentId: 'uw', role: 'insurer' }), cityAdmin: h.adminKeys.city, insurerAdmin: h.adminKeys.insurer };
    for (const [who, key] of Object.entries(readers)) {
      const shown = await proof(key);
      expect({ who, status: shown.status, lat: shown.body.reading?.lat }).toEqual({ who, status: 200, lat: 37566000 });
    }
    const unknown = await proof(adjuster, 999);
    const others = { otherCar, resident: await mk('city', { enrollmentId: 'bob', role: 'resident', residentId: 'R-2' }), portAgent: await mk('port', { enrollmentId: 'agent1', role: 'agent' }), portAdmin: h.adminKeys.port };
    for (const [who, key] of Object.entries(others)) {
      const refused = await proof(key);
      expect({ who, status: refused.status }).toEqual({ who, status: 404 });
      expect(refused.body).toEqual({ ...unknown.body, detail: `no reading ${r.body.id}` });
    }
    // Not even whether it is sealed: an unsealed reading is 404 to them too, not 422.
    const open = await record(car, 20);
    expect((await proof(others.portAgent, open.body.id)).status).toBe(404);
    expect((await proof(readers.police, open.body.id)).status).toBe(422);
  });

  it('only vehicles record, the vin comes from the certificate, and other vehicles see nothing', async () => {
    expect((await record(adjuster, 1)).status).toBe(403);
    expect((await record(car, 1, { vin: 'OTHER' })).status).toBe(400);
    expect((await request(h.app).post('/api/v1/telemetry/readings').set(bearer(car)).send({ speed: 1 })).status).toBe(400);
    const r = await record(car, 1);
    expect((await request(h.app).get(`/api/v1/telemetry/readings/${r.body.id}/proof`).set(bearer(car))).status).toBe(422);
    const bad = await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(0), extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['extra']);
    expect((await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(0) })).status).toBe(400);
    await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(10) });
    expect((await request(h.app).get(`/api/v1/telemetry/readings/${r.body.id}/proof`).set(bearer(otherCar))).status).toBe(404);
    expect((await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowEnd: t(20) })).status).toBe(422);
  });
});
