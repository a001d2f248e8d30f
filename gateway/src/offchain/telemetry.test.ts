import request from 'supertest';
import { bearer, harness, Harness } from '../testing/harness';
import { leafHash, verifyProof } from './merkle';

describe('telemetry readings, windows and proofs', () => {
  let h: Harness;
  let car: string;
  let otherCar: string;
  let adjuster: string;

  beforeEach(async () => {
    h = await harness();
    const mk = async (org: string, body: object) => (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys[org])).send(body)).body.apiKey as string;
    car = await mk('city', { enrollmentId: 'car', role: 'vehicle', vehicleId: 'VIN00000000000001' });
    otherCar = await mk('city', { enrollmentId: 'car2', role: 'vehicle', vehicleId: 'VIN00000000000002' });
    adjuster = await mk('insurer', { enrollmentId: 'adj', role: 'adjuster' });
  });

  it('stores readings, seals a window and serves each reading with a proof to its root', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(h.app).post('/api/v1/telemetry/readings').set(bearer(car)).send({ timestamp: 1000 + i, speedKmh: 40 + i });
      expect(res.status).toBe(201);
      expect(res.body.leaf).toBe(leafHash({ timestamp: 1000 + i, speedKmh: 40 + i, vehicleId: 'VIN00000000000001' }));
      ids.push(res.body.id);
    }
    const sealed = await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car));
    expect(sealed.status).toBe(201);
    expect(sealed.body).toMatchObject({ vehicleId: 'VIN00000000000001', size: 5, firstReadingId: ids[0], lastReadingId: ids[4] });
    const proof = await request(h.app).get(`/api/v1/telemetry/readings/${ids[3]}/proof`).set(bearer(adjuster));
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({ index: 3, treeSize: 5, root: sealed.body.root, scheme: 'rfc6962-sha256', reading: { timestamp: 1003, speedKmh: 43, vehicleId: 'VIN00000000000001' } });
    expect(verifyProof(leafHash(proof.body.reading), proof.body.index, proof.body.treeSize, proof.body.path, proof.body.root)).toBe(true);
    // Readings after the seal go to the next window.
    await request(h.app).post('/api/v1/telemetry/readings').set(bearer(car)).send({ timestamp: 2000 });
    expect((await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car))).body.size).toBe(1);
  });

  it('only vehicles record, the vehicle id comes from the certificate, and other vehicles see nothing', async () => {
    expect((await request(h.app).post('/api/v1/telemetry/readings').set(bearer(adjuster)).send({ timestamp: 1 })).status).toBe(403);
    const spoof = await request(h.app).post('/api/v1/telemetry/readings').set(bearer(car)).send({ timestamp: 1, vehicleId: 'OTHER' });
    expect(spoof.status).toBe(400);
    expect((await request(h.app).post('/api/v1/telemetry/readings').set(bearer(car)).send({ speed: 1 })).status).toBe(400);
    const r = await request(h.app).post('/api/v1/telemetry/readings').set(bearer(car)).send({ timestamp: 1 });
    expect((await request(h.app).get(`/api/v1/telemetry/readings/${r.body.id}/proof`).set(bearer(car))).status).toBe(422);
    await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car));
    expect((await request(h.app).get(`/api/v1/telemetry/readings/${r.body.id}/proof`).set(bearer(otherCar))).status).toBe(404);
    expect((await request(h.app).post('/api/v1/telemetry/windows').set(bearer(car))).status).toBe(422);
  });
});
