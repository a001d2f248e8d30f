import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import request from 'supertest';
import { SqliteDb } from '../store/sqlite';
import { Store } from '../store/store';
import { bearer, harness, Harness } from '../testing/harness';

/** Per-key rate limits: set by the org admin with a key, bounded by rateLimit.maxPerKey, enforced per key. */
describe('per-key rate limits', () => {
  let h: Harness;
  beforeEach(async () => {
    // Default 2 per minute; an admin may give a key up to 5 per minute.
    h = await harness({ file: { rateLimit: { windowMs: 60000, max: 2, maxPerKey: 5 } } });
  });

  const hits = async (key: string, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await request(h.app).get('/api/v1/me').set(bearer(key))).status);
    return statuses;
  };
  const createUser = (body: object) => request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.city)).send(body);

  it('a user created with rateLimitPerMinute gets a key with that limit; others keep the default', async () => {
    const fast = await createUser({ enrollmentId: 'telemetry-feed', role: 'vehicle', vehicleId: 'VIN1', rateLimitPerMinute: 4 });
    expect(fast.status).toBe(201);
    expect(fast.body.rateLimitPerMinute).toBe(4);
    const me = await request(h.app).get('/api/v1/me').set(bearer(fast.body.apiKey));
    expect(me.body.rateLimitPerMinute).toBe(4);
    expect(me.headers.ratelimit).toMatch(/limit=4\b/);
    // 1 request above (/me), then 3 more allowed, then 429.
    expect(await hits(fast.body.apiKey, 4)).toEqual([200, 200, 200, 429]);
    const plain = await createUser({ enrollmentId: 'plain', role: 'resident', residentId: 'R1' });
    expect(plain.body.rateLimitPerMinute).toBeNull();
    expect(await hits(plain.body.apiKey, 3)).toEqual([200, 200, 429]);
  });

  it('an org admin issues a key with its own limit (its own key too); each key has its own budget', async () => {
    const adminId = h.auth.adminUserId('port');
    const issued = await request(h.app).post(`/api/v1/users/${encodeURIComponent(adminId)}/keys`).set(bearer(h.adminKeys.port)).send({ rateLimitPerMinute: 5 });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ rateLimitPerMinute: 5, revoked: [] });
    expect(await hits(issued.body.apiKey, 6)).toEqual([200, 200, 200, 200, 200, 429]);
    // The admin's other key kept its own (default) budget: one request (the POST) used above.
    expect(await hits(h.adminKeys.port, 2)).toEqual([200, 429]);
  });

  it('refuses limits that are not whole numbers 1..maxPerKey, and non-admins may not set one', async () => {
    h = await harness({ file: { rateLimit: { windowMs: 60000, max: 100, maxPerKey: 5 } } });
    for (const bad of [0, 6, 2.5, '10', null, -1]) {
      const res = await createUser({ enrollmentId: `u${String(bad)}`.replace(/[^A-Za-z0-9]/g, 'x'), role: 'resident', residentId: 'R2', rateLimitPerMinute: bad });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'rateLimitPerMinute', message: 'must be an integer 1..5 (requests per minute)' }]);
    }
    expect([...h.ca.registered.keys()].filter((k) => k.startsWith('u'))).toEqual([]); // refused before the CA
    const user = await createUser({ enrollmentId: 'self', role: 'resident', residentId: 'R3' });
    const self = await request(h.app).post(`/api/v1/users/${encodeURIComponent(user.body.user.userId)}/keys`).set(bearer(user.body.apiKey)).send({ rateLimitPerMinute: 5 });
    expect(self.status).toBe(403);
    // Rotation without a limit stays allowed for the user itself.
    const rotated = await request(h.app).post(`/api/v1/users/${encodeURIComponent(user.body.user.userId)}/keys`).set(bearer(user.body.apiKey)).send({ revokeOthers: true });
    expect(rotated.status).toBe(201);
    expect(rotated.body.rateLimitPerMinute).toBeNull();
    const badBody = await request(h.app).post(`/api/v1/users/${encodeURIComponent(user.body.user.userId)}/keys`).set(bearer(h.adminKeys.city)).send({ revokeOthers: 'yes', rateLimitPerMinute: 99 });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors.map((e: { field: string }) => e.field)).toEqual(['revokeOthers', 'rateLimitPerMinute']);
  });

  it('caps the active keys of a user (rateLimit.keysPerUser): minting keys no longer escapes the per-key limit', async () => {
    h = await harness({ file: { rateLimit: { windowMs: 60000, max: 100, keysPerUser: 3 } } });
    const user = await createUser({ enrollmentId: 'minter', role: 'resident', residentId: 'R1' });
    const path = `/api/v1/users/${encodeURIComponent(user.body.user.userId)}/keys`;
    const mint = (key: string, body: object = {}) => request(h.app).post(path).set(bearer(key)).send(body);
    const second = await mint(user.body.apiKey);
    expect(second.status).toBe(201);
    expect((await mint(user.body.apiKey)).status).toBe(201);
    // Three active keys: a fourth is refused, whoever asks, and nothing is issued.
    for (const key of [user.body.apiKey, h.adminKeys.city]) {
      const refused = await mint(key);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('KEY_LIMIT');
    }
    expect((await h.store.listApiKeys(user.body.user.userId)).filter((k) => !k.revoked_at)).toHaveLength(3);
    // Requests sent together cannot pass the cap together either.
    expect((await request(h.app).delete(`/api/v1/keys/${second.body.keyId}`).set(bearer(user.body.apiKey))).status).toBe(204);
    const together = await Promise.all([1, 2, 3, 4].map(() => mint(user.body.apiKey)));
    expect(together.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    // Rotation with revokeOthers leaves one key: always allowed.
    const rotated = await mint(user.body.apiKey, { revokeOthers: true });
    expect(rotated.status).toBe(201);
    expect(rotated.body.revoked).toHaveLength(3);
    // The org admin is exempt (it sets any key's limit anyway; its automation holds several keys).
    const adminPath = `/api/v1/users/${encodeURIComponent(h.auth.adminUserId('city'))}/keys`;
    for (let i = 0; i < 4; i++) expect((await request(h.app).post(adminPath).set(bearer(h.adminKeys.city)).send({})).status).toBe(201);
  });

  it('scales a per-minute limit to the configured window', async () => {
    const short = await harness({ file: { rateLimit: { windowMs: 30000, max: 1, maxPerKey: 4 } } });
    const u = await request(short.app).post('/api/v1/users').set(bearer(short.adminKeys.city)).send({ enrollmentId: 'w', role: 'resident', residentId: 'R', rateLimitPerMinute: 4 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(short.app).get('/api/v1/me').set(bearer(u.body.apiKey))).status);
    expect(statuses).toEqual([200, 200, 429]); // 4 per minute = 2 per 30 s window
  });
});

describe('api_keys migration', () => {
  it('adds rate_limit to a database created before per-key limits, keeping its keys', async () => {
    const file = `/tmp/cityledger-ratelimit-migration-${process.pid}-${Date.now()}.db`;
    const old = new Database(file);
    old.exec('CREATE TABLE api_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)');
    old.prepare('INSERT INTO api_keys (id, user_id, hash, created_at) VALUES (?,?,?,?)').run('k1', 'city:a', 'h', '2026-01-01T00:00:00Z');
    old.close();
    const store = new Store(new SqliteDb(file));
    await store.migrate();
    await store.migrate(); // idempotent
    expect(await store.getApiKey('k1')).toMatchObject({ id: 'k1', rate_limit: null });
    await store.insertApiKey({ id: 'k2', user_id: 'city:a', hash: 'h2', rate_limit: 5000 });
    expect((await store.getApiKey('k2'))?.rate_limit).toBe(5000);
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  });
});
