import request from 'supertest';
import { bearer, harness, Harness } from '../testing/harness';
import { certificateInfo } from './ca-client';

const DAY = 24 * 3600 * 1000;

describe("users' Fabric certificates are renewed before they end", () => {
  let h: Harness;
  const used: string[] = [];

  beforeEach(async () => {
    used.length = 0;
    h = await harness({ logLines: [] });
    h.fabric.on('claims', 'ClaimContract:GetClaim', ({ args, identity }) => {
      used.push(identity.certificate);
      return { claimId: args[0] };
    });
  });

  /** A user whose certificate the CA issues for `lifetimeMs`, and its API key. */
  async function userWithCertificateFor(lifetimeMs: number, name: string): Promise<string> {
    h.ca.lifetimeMs = lifetimeMs;
    const res = await request(h.app)
      .post('/api/v1/users')
      .set(bearer(h.adminKeys.insurer))
      .send({ enrollmentId: name, role: 'adjuster' });
    expect(res.status).toBe(201);
    h.ca.lifetimeMs = 365 * DAY;
    return res.body.apiKey as string;
  }
  const read = (key: string) => request(h.app).get('/api/v1/claims/claims/c-1').set(bearer(key));

  it('a certificate ending within 30 days is renewed on its next use, once, and stored', async () => {
    const key = await userWithCertificateFor(10 * DAY, 'soon');
    const before = (await h.store.getUser('insurer:soon'))!.certificate;
    expect((await read(key)).status).toBe(200);
    expect((await read(key)).status).toBe(200);
    expect(h.ca.reenrolled).toEqual(['soon']);
    expect(used[0]).not.toBe(before);
    expect(used[1]).toBe(used[0]);
    expect(certificateInfo(used[0]).endsAt - Date.now()).toBeGreaterThan(360 * DAY);
    expect((await h.store.getUser('insurer:soon'))!.certificate).toBe(used[0]);
  });

  it('one with more than 30 days left is not', async () => {
    const key = await userWithCertificateFor(60 * DAY, 'later');
    expect((await read(key)).status).toBe(200);
    expect(h.ca.reenrolled).toEqual([]);
  });

  it('a failed renewal keeps a valid certificate in use, tried again only later; an expired one fails the call with CERTIFICATE_EXPIRED', async () => {
    const key = await userWithCertificateFor(10 * DAY, 'unlucky');
    h.ca.reenrollFailures.push(new Error('CA unreachable'));
    expect((await read(key)).status).toBe(200);
    expect((await read(key)).status).toBe(200);
    expect(h.ca.reenrolled).toEqual([]);
    expect(h.ca.reenrollFailures).toEqual([]); // one attempt, not one per call

    const expiredKey = await userWithCertificateFor(-1000, 'expired');
    h.ca.reenrollFailures.push(new Error('CA refused: certificate has expired'));
    const refused = await read(expiredKey);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('CERTIFICATE_EXPIRED');
    // Expired: the next call tries again at once (there is nothing to fall back on), and succeeds.
    expect((await read(expiredKey)).status).toBe(200);
    expect(h.ca.reenrolled).toEqual(['expired']);
  });

  it('the sweep renews users who make no calls', async () => {
    await userWithCertificateFor(5 * DAY, 'idle');
    await userWithCertificateFor(300 * DAY, 'fresh');
    expect(await h.auth.renewDueCertificates()).toBe(1);
    expect(h.ca.reenrolled).toEqual(['idle']);
    expect(
      certificateInfo((await h.store.getUser('insurer:idle'))!.certificate).endsAt - Date.now(),
    ).toBeGreaterThan(360 * DAY);
    expect(await h.auth.renewDueCertificates()).toBe(0);
  });
});
