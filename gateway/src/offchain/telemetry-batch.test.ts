import request from 'supertest';
import { bearer, harness, Harness } from '../testing/harness';
import { leafHash } from './merkle';

const VIN = 'VIN00000000000001';
const t = (ms: number) => new Date(Date.UTC(2027, 0, 1, 8, 0, 0) + ms).toISOString();

describe('telemetry readings in batches (POST /api/v1/telemetry/readings:batch)', () => {
  let h: Harness;
  let car: string;

  beforeEach(async () => {
    h = await harness({ file: { telemetry: { maxWindow: 4096, maxBatch: 5 } } });
    const res = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.city)).send({ enrollmentId: 'car', role: 'vehicle', vehicleId: VIN });
    car = res.body.apiKey as string;
  });

  const batch = (key: string, body: unknown) => request(h.app).post('/api/v1/telemetry/readings:batch').set(bearer(key)).send(body as object);
  const readings = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ timestamp: t(from + i), speedKmh: 40 + i }));

  it('stores every reading with its leaf, in order, and they seal and prove like single readings', async () => {
    const res = await batch(car, { readings: readings(0, 5) });
    expect(res.status).toBe(201);
    expect(res.body.count).toBe(5);
    expect(res.body.items.map((i: { leaf: string }) => i.leaf)).toEqual(readings(0, 5).map((r) => leafHash({ ...r, vin: VIN })));
    const ids = res.body.items.map((i: { id: number }) => i.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    // Equal timestamps are fine (readings order by time, then arrival).
    expect((await batch(car, { readings: [{ timestamp: t(5), v: 1 }, { timestamp: t(5), v: 2 }] })).status).toBe(201);
    const one = await request(h.app).post('/api/v1/telemetry/readings').set(bearer(car)).send({ timestamp: t(6), speedKmh: 1 });
    expect(one.status).toBe(201); // the one-reading endpoint stays
    const sealed = await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(2000) });
    expect(sealed.body).toMatchObject({ count: 8, seq: 1 });
    const proof = await request(h.app).get(`/api/v1/telemetry/readings/${ids[2]}/proof`).set(bearer(car));
    expect(proof.body).toMatchObject({ index: 2, treeSize: 8, reading: { ...readings(0, 5)[2], vin: VIN } });
  });

  it('is all or nothing: one bad reading refuses the batch, naming it; nothing is stored', async () => {
    const bad = readings(0, 4);
    (bad[1] as Record<string, unknown>).timestamp = 'yesterday';
    (bad[3] as Record<string, unknown>).vin = 'OTHER';
    const res = await batch(car, { readings: [...bad, 'not an object'] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'readings[1].timestamp', message: expect.any(String) },
      { field: 'readings[3].vin', message: expect.any(String) },
      { field: 'readings[4]', message: 'must be object' },
    ]);
    expect(await h.store.earliestOpenReading(VIN)).toBeUndefined();
  });

  it('bounds the batch and refuses other shapes', async () => {
    expect((await batch(car, { readings: readings(0, 6) })).body.errors).toEqual([{ field: 'readings', message: 'must be an array of 1..5 readings' }]);
    expect((await batch(car, { readings: [] })).status).toBe(400);
    expect((await batch(car, readings(0, 2))).status).toBe(400);
    const extra = await batch(car, { readings: readings(0, 1), vin: VIN });
    expect(extra.status).toBe(400);
    expect(extra.body.errors).toEqual([{ field: 'vin', message: 'is not allowed' }]);
    const adjuster = (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.insurer)).send({ enrollmentId: 'adj', role: 'adjuster' })).body.apiKey as string;
    expect((await batch(adjuster, { readings: readings(0, 1) })).status).toBe(403);
    expect(await h.store.earliestOpenReading(VIN)).toBeUndefined();
  });

  it('refuses a batch with a reading older than the last sealed window (409 LATE_READING), storing none', async () => {
    await batch(car, { readings: readings(0, 2) });
    await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car)).send({ windowStart: t(0), windowEnd: t(1000) });
    const late = await batch(car, { readings: [...readings(1000, 2), { timestamp: t(999) }] });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('LATE_READING');
    expect(await h.store.earliestOpenReading(VIN)).toBeUndefined();
  });
});
