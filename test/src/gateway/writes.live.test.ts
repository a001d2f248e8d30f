/**
 * Writes through the shared REST gateway (issue 8): schema validation before Fabric (400 listing the
 * offending fields), chaincode error codes mapped to HTTP with a stable code in problem+json,
 * `?wait=none` (202 + a status URL that later shows the commit), and Idempotency-Key (a retried request
 * returns the first outcome and is submitted once: counted from the ProbeWritten events on the ledger).
 */
import { randomUUID } from 'node:crypto';
import { closeConnections, connectAs, ensureNetwork, orgAdmin } from '../support/live';
import { admins, call, createUser, Org, RestUser, SHARED_GATEWAY, until } from '../support/rest';
import { probeWritesPerKey } from '../support/traffic';

const run = randomUUID().slice(0, 8);
let admin: Record<Org, RestUser>;
let registrar: RestUser;

beforeAll(async () => {
  await ensureNetwork();
  admin = admins();
  registrar = await createUser(admin.city, `w-registrar-${run}`, 'registrar');
});

afterAll(() => closeConnections());

/** The offending fields, each once (a field may break several rules). */
const fields = (body: { errors?: { field: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.field))].sort();

describe('validation: malformed input is 400 with the offending fields, answered by the gateway itself', () => {
  it('body fields: wrong type, pattern, missing, not allowed', async () => {
    const answer = await registrar.post('identity/residents', { residentId: 'not an id!', enrollmentId: 42, colour: 'red' });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    expect(fields(answer.body)).toEqual(['colour', 'enrollmentId', 'residentId']);
    // A chaincode refusal carries the transaction id of its proposal; a gateway refusal has none.
    expect(answer.body.txId).toBeUndefined();

    const missing = await registrar.post('identity/residents', {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'residentId' })]);
  });

  it('malformed JSON, query and path parameters, the wait parameter and the Idempotency-Key header', async () => {
    const json = await registrar.request('POST', '/api/v1/identity/residents', { rawBody: '{"residentId": "R-1",' });
    expect(json.status).toBe(400);
    expect(json.body.errors).toEqual([{ field: 'body', message: 'is not valid JSON' }]);

    const vin = await registrar.get('mobility/vehicle', { vin: 'SHORT' });
    expect(vin.status).toBe(400);
    expect(fields(vin.body)).toEqual(['vin']);
    const page = await registrar.get('identity/issuer/issuer-history', { pageSize: 'many' });
    expect(page.status).toBe(400);
    expect(fields(page.body)).toEqual(['pageSize']);

    const wait = await registrar.post('identity/residents', { residentId: `R-wait-${run}` }, undefined, { wait: 'sometimes' });
    expect(wait.status).toBe(400);
    expect(fields(wait.body)).toEqual(['wait']);
    const key = await registrar.post('identity/residents', { residentId: `R-key-${run}` }, { 'idempotency-key': 'x'.repeat(201) });
    expect(key.status).toBe(400);
    expect(fields(key.body)).toEqual(['Idempotency-Key']);
    // None of them reached the ledger.
    for (const id of [`R-wait-${run}`, `R-key-${run}`]) expect((await registrar.get(`identity/residents/${id}`)).status).toBe(404);
  });
});

describe('chaincode error codes → HTTP, with a stable code in problem+json', () => {
  const expectProblem = (answer: { status: number; headers: Headers; body: Record<string, unknown> }, status: number, code: string) => {
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  };

  it('FORBIDDEN → 403', async () => {
    const clerkless = await createUser(admin.city, `w-police-${run}`, 'police');
    const answer = await clerkless.post('identity/residents', { residentId: `R-forbidden-${run}` });
    expectProblem(answer, 403, 'FORBIDDEN');
    expect(answer.body.txId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('NOT_FOUND → 404 (evaluate and submit); an unknown route is 404 too', async () => {
    expectProblem(await registrar.get(`identity/residents/R-missing-${run}`), 404, 'NOT_FOUND');
    expectProblem(await registrar.post(`identity/residents/R-missing-${run}/suspend`, { reason: 'test' }), 404, 'NOT_FOUND');
    expectProblem(await registrar.get('identity/no-such-thing'), 404, 'NOT_FOUND');
  });

  it('CONFLICT → 409', async () => {
    const residentId = `R-twice-${run}`;
    await registrar.submit('identity/residents', { residentId });
    const again = await registrar.post('identity/residents', { residentId });
    expectProblem(again, 409, 'CONFLICT');
    expect(again.body.detail).toMatch(/already exists/);
  });

  it('FAILED_PRECONDITION → 422, with the chaincode details passed through', async () => {
    const trust = { credentialType: `t-${run}`, mspId: 'HospitalMSP', role: 'admin' };
    await registrar.submit('identity/issuer/set-trusted-issuer', trust);
    await registrar.submit('identity/issuer/remove-trusted-issuer', trust);
    const again = await registrar.post('identity/issuer/remove-trusted-issuer', trust);
    expectProblem(again, 422, 'FAILED_PRECONDITION');
    expect(again.body.details).toMatchObject({ state: 'REMOVED' });
  });
});

describe('?wait=none', () => {
  it('answers 202 with a status URL (and Location) that later shows the commit', async () => {
    const residentId = `R-async-${run}`;
    const accepted = await registrar.post('identity/residents', { residentId }, undefined, { wait: 'none' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ txId: expect.stringMatching(/^[0-9a-f]{64}$/), status: 'submitted' });
    expect(accepted.body.statusUrl).toBe(`${SHARED_GATEWAY}/api/v1/transactions/${accepted.body.txId}`);
    expect(accepted.headers.get('location')).toBe(accepted.body.statusUrl);

    const committed = await until('the commit shown at the status URL', async () => {
      const s = await call(accepted.body.statusUrl, 'GET', '', registrar.apiKey);
      return s.body.status === 'committed' ? s.body : undefined;
    });
    expect(committed).toMatchObject({
      txId: accepted.body.txId,
      channel: 'city',
      chaincode: 'identity',
      transaction: 'resident:RegisterResident',
      validationCode: 'VALID',
      blockNumber: expect.stringMatching(/^[0-9]+$/),
      result: { residentId, status: 'ACTIVE' },
    });
    expect(await registrar.read(`identity/residents/${residentId}`)).toMatchObject({ residentId });
    // Only its submitter and its org admin see it.
    expect((await admin.city.get(`transactions/${accepted.body.txId}`)).status).toBe(200);
    expect((await admin.insurer.get(`transactions/${accepted.body.txId}`)).status).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('a retried request returns the first outcome and is submitted once (one ProbeWritten event on the ledger)', async () => {
    const key = `idem-${run}`;
    const idempotencyKey = `probe-${run}`;
    const first = await admin.city.post('identity/probe/put', { key, value: 'v1' }, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // Retries, sequential and concurrent: every answer is the first outcome (or "in progress" while it runs).
    const retries = [await admin.city.post('identity/probe/put', { key, value: 'v1' }, { 'idempotency-key': idempotencyKey })];
    retries.push(...(await Promise.all([1, 2].map(() => admin.city.post('identity/probe/put', { key, value: 'v1' }, { 'idempotency-key': idempotencyKey })))));
    for (const r of retries) {
      expect(r.status).toBe(200);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      expect(r.body).toEqual(first.body);
    }
    // The same key with another request: refused, nothing sent.
    const reused = await admin.city.post('identity/probe/put', { key, value: 'v2' }, { 'idempotency-key': idempotencyKey });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await admin.city.read('identity/probe/get', { key })).toEqual({ key, value: 'v1' });

    // Count the writes of `key` on the ledger, up to a sentinel written afterwards.
    const sentinel = `idem-sentinel-${run}`;
    await admin.city.submit('identity/probe/put', { key: sentinel, value: 's' });
    const counts = await probeWritesPerKey(connectAs(orgAdmin('city')).getNetwork('city'), 'identity', BigInt(first.body.blockNumber), sentinel);
    expect(counts.get(key)).toBe(1);
  });

  it('a deterministic refusal is remembered for its key; a request without a key is sent again', async () => {
    const police = await createUser(admin.city, `w-police2-${run}`, 'police');
    const body = { residentId: `R-idem-refused-${run}` };
    const first = await police.post('identity/residents', body, { 'idempotency-key': `refused-${run}` });
    expect(first.status).toBe(403);
    const replay = await police.post('identity/residents', body, { 'idempotency-key': `refused-${run}` });
    expect(replay.status).toBe(403);
    expect(replay.body).toEqual(first.body);
    // Without a key: a new proposal (another transaction id).
    const fresh = await police.post('identity/residents', body);
    expect(fresh.status).toBe(403);
    expect(fresh.body.txId).not.toBe(first.body.txId);
  });
});

describe('read your writes across orgs', () => {
  it('a write answered to one org is seen by the next call of another org, at once, every time', async () => {
    // A write is answered once the writer's org peer has its block; each peer takes blocks from the
    // orderers on its own, and a busy one commits later. The gateway holds the next call until the
    // caller's org peer has it too. Several chains at once keep the peers busy.
    const orgs: Org[] = ['city', 'hospital', 'insurer', 'port'];
    const misses: string[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (chain) => {
        for (let i = 0; i < 12; i++) {
          const writer = orgs[(chain + i) % 4];
          const reader = orgs[(chain + i + 1 + (chain % 3)) % 4];
          const key = `ryw-${run}-${chain}-${i}`;
          await admin[writer].submit('identity/probe/put', { key, value: writer });
          const read = await admin[reader].get('identity/probe/get', { key });
          if (read.status !== 200) misses.push(`${writer}→${reader} ${key}: ${read.status}`);
        }
      }),
    );
    expect(misses).toEqual([]);
  });
});
