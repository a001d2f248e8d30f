/**
 * The shared REST gateway (issue 8): the README's curl walkthrough followed literally with fetch, users
 * created by their org admin at the org's Fabric CA with certificate attributes, API keys rotated and
 * revoked, and the access bars: no valid key → 401; a key of another org's user cannot act for that
 * org (403 from the chaincode or the gateway).
 *
 * Ids and enrolment names are unique per run, so the suite passes repeatedly on the same ledger.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ensureNetwork } from '../support/live';
import { admins, call, createUser, Org, RestUser, SHARED_GATEWAY, sharedAdminKeysFile } from '../support/rest';

const run = randomUUID().slice(0, 8);
const GW = SHARED_GATEWAY;
let admin: Record<Org, RestUser>;
let registrar: RestUser;

beforeAll(async () => {
  await ensureNetwork();
  admin = admins();
  registrar = await createUser(admin.city, `gw-registrar-${run}`, 'registrar');
});

describe("the README's first transaction, step by step", () => {
  it('admin key from the keys file → a clerk with a key → a resident registered after commit → read back', async () => {
    // ADMIN=$(node -p "require('./.cityledger/gateway/admin-keys.json').city.apiKey")
    const ADMIN = (JSON.parse(readFileSync(sharedAdminKeysFile(), 'utf8')) as Record<string, { apiKey: string }>).city.apiKey;

    // 1. The city admin registers and enrols a civil-registry clerk at the City CA (role=registrar)
    const clerk = `clerk-${run}`;
    const step1 = await fetch(`${GW}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentId: clerk, role: 'registrar' }),
    });
    expect(step1.status).toBe(201);
    const created = (await step1.json()) as { user: { userId: string; role: string }; apiKey: string; keyId: string };
    expect(created.user).toMatchObject({ userId: `city:${clerk}`, role: 'registrar' });
    expect(created.apiKey).toMatch(/^clk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{32}$/);
    expect(created.apiKey).toContain(created.keyId);
    const KEY = created.apiKey;

    // 2. The clerk registers a resident: submitted, answered after commit
    const residentId = `R-${run}`;
    const step2 = await fetch(`${GW}/api/v1/identity/residents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'Idempotency-Key': `reg-${residentId}` },
      body: JSON.stringify({ residentId }),
    });
    expect(step2.status).toBe(200);
    const registered = (await step2.json()) as { txId: string; blockNumber: string; result: { residentId: string; status: string } };
    expect(registered.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(BigInt(registered.blockNumber)).toBeGreaterThan(0n);
    expect(registered.result).toMatchObject({ residentId, status: 'ACTIVE' });

    // 3. Read it back (evaluate)
    const step3 = await fetch(`${GW}/api/v1/identity/residents/${residentId}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(step3.status).toBe(200);
    expect(((await step3.json()) as { result: unknown }).result).toMatchObject({ residentId, status: 'ACTIVE' });
  });
});

describe('users and keys', () => {
  it('a user created with certificate attributes acts as that identity: the chaincode sees its enrolment and residentId', async () => {
    const residentId = `R-attr-${run}`;
    const resident = await createUser(admin.city, `resident-${run}`, 'resident', { residentId });
    const me = await resident.get('me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      userId: `city:resident-${run}`,
      org: 'city',
      mspId: 'CityMSP',
      role: 'resident',
      attrs: { residentId },
      isAdmin: false,
      channels: ['city', 'health'],
    });
    expect(JSON.stringify(me.body)).not.toMatch(/clk_|privateKey|BEGIN/);

    await registrar.submit('identity/residents', { residentId, enrollmentId: resident.enrollmentId });
    // WhoAmI is answered from the caller's certificate: the resident bound to this enrolment.
    expect(await resident.read('identity/who-am-i')).toMatchObject({ residentId, enrollmentId: resident.enrollmentId });
    // The user submits: locking one's own identity is a resident's own act (lockedBy self).
    const locked = await resident.submit(`identity/residents/${residentId}/lock`, { reason: 'phone stolen' });
    expect(locked.result).toMatchObject({ residentId, status: 'LOCKED', lockedBy: 'self' });
    const unlocked = await resident.submit(`identity/residents/${residentId}/unlock`, { reason: 'phone found' });
    expect(unlocked.result).toMatchObject({ residentId, status: 'ACTIVE' });

    const listed = await admin.city.get<{ items: { userId: string; attrs: Record<string, string> }[] }>('users');
    expect(listed.body.items.find((u) => u.userId === resident.userId)).toMatchObject({ attrs: { residentId } });
    // A user is no admin: it may not create users, nor list them.
    expect((await resident.post('users', { enrollmentId: `x-${run}`, role: 'resident', residentId: 'R-x' })).status).toBe(403);
    expect((await resident.get('users')).status).toBe(403);
  });

  it('invalid user requests are 400 with every offending field; an existing enrolment is 409', async () => {
    const bad = await admin.city.post('users', { enrollmentId: '_bad id', role: 'pilot', vehicleId: '', color: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.code).toBe('INVALID_ARGUMENT');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['color', 'enrollmentId', 'role', 'vehicleId']);
    // A role that needs an attribute: a vehicle without its VIN.
    const noVin = await admin.city.post('users', { enrollmentId: `car-${run}`, role: 'vehicle' });
    expect(noVin.status).toBe(400);
    expect(noVin.body.errors).toEqual([{ field: 'vehicleId', message: expect.stringContaining('required') }]);
    const again = await admin.city.post('users', { enrollmentId: registrar.enrollmentId, role: 'registrar' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('USER_EXISTS');
  });

  it('rotation: a new key works, the revoked others answer 401; revocation by id is immediate', async () => {
    const user = await createUser(admin.city, `rotating-${run}`, 'police');
    const oldKey = user.apiKey;
    const rotated = await user.post<{ apiKey: string; keyId: string; revoked: string[] }>(`users/${user.userId}/keys`, { revokeOthers: true });
    expect(rotated.status).toBe(201);
    expect(rotated.body.revoked).toEqual([user.keyId]);
    const fresh = new RestUser(GW, rotated.body.apiKey, user.userId, 'city', rotated.body.keyId);
    expect((await fresh.get('me')).status).toBe(200);
    const old = await call(GW, 'GET', '/api/v1/me', oldKey);
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('UNAUTHENTICATED');

    // The org admin issues a second key (without revoking), then the user revokes it.
    const second = await admin.city.post<{ apiKey: string; keyId: string }>(`users/${user.userId}/keys`, {});
    expect(second.status).toBe(201);
    expect((await call(GW, 'GET', '/api/v1/me', second.body.apiKey)).status).toBe(200);
    expect((await fresh.request('DELETE', `/api/v1/keys/${second.body.keyId}`)).status).toBe(204);
    expect((await call(GW, 'GET', '/api/v1/me', second.body.apiKey)).status).toBe(401);
    expect((await fresh.get('me')).status).toBe(200);

    // Disabling the user revokes every key at once.
    expect((await admin.city.request('DELETE', `/api/v1/users/${encodeURIComponent(user.userId)}`)).status).toBe(204);
    expect((await fresh.get('me')).status).toBe(401);
  });

  it('no key, a malformed key, an unknown key: 401 problem+json, on every route under /api/v1', async () => {
    for (const presented of [undefined, 'nonsense', `clk_${'A'.repeat(12)}_${'b'.repeat(32)}`]) {
      for (const [method, path] of [
        ['GET', '/api/v1/me'],
        ['GET', '/api/v1/identity/residents/R-1'],
        ['POST', '/api/v1/identity/residents'],
        ['GET', '/api/v1/events'],
      ]) {
        const answer = await call(GW, method, path, presented, method === 'POST' ? { body: { residentId: `R-401-${run}` } } : {});
        expect({ path, status: answer.status, code: answer.body?.code }).toEqual({ path, status: 401, code: 'UNAUTHENTICATED' });
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      }
    }
    // X-API-Key works like Authorization: Bearer.
    expect((await call(GW, 'GET', '/api/v1/me', undefined, { headers: { 'x-api-key': admin.city.apiKey } })).status).toBe(200);
  });
});

describe("another org's user cannot act for an org", () => {
  it("an insurer's user is refused the City registrar's transaction by the chaincode (403 FORBIDDEN)", async () => {
    const insurerUser = await createUser(admin.insurer, `registrar-${run}`, 'insurer');
    const refused = await insurerUser.post('identity/residents', { residentId: `R-foreign-${run}` });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    // The resident was not registered.
    expect((await registrar.get(`identity/residents/R-foreign-${run}`)).status).toBe(404);
  });

  it("a port user is refused a channel its org is not on by the gateway (403) before Fabric", async () => {
    const portUser = await createUser(admin.port, `agent-${run}`, 'agent');
    const refused = await portUser.get('medical/my-observation-records');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(refused.body.detail).toMatch(/not a member of channel health/);
  });

  it("an org admin cannot manage another org's users: they are reported absent (404)", async () => {
    const answer = await admin.insurer.post(`users/${encodeURIComponent(registrar.userId)}/keys`, {});
    expect(answer.status).toBe(404);
    expect((await admin.insurer.request('DELETE', `/api/v1/users/${encodeURIComponent(registrar.userId)}`)).status).toBe(404);
    expect((await admin.insurer.request('DELETE', `/api/v1/keys/${registrar.keyId}`)).status).toBe(404);
    expect((await registrar.get('me')).status).toBe(200);
  });
});
