import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Db } from '../store/db';
import { bearer, harness, Harness, persistentTestDb } from '../testing/harness';
import { recordUnhandledRejections } from '../testing/unhandled';
import { FakeFabric } from './fake';

const VIN = '1HGCM82633A004352';
const body = { claimId: 'c-1', vin: VIN, amount: 5 };

/**
 * Idempotency across restarts: a second harness over the same database file (new process id, same
 * master key, same ledger) must finish the first one's transaction instead of creating another.
 */
describe('idempotent writes across a gateway restart', () => {
  let dir: string;
  let fabric: FakeFabric;
  let masterKey: Buffer;
  let first: Harness;
  let userKey: string;
  let openDb: () => Db;

  const boot = (bootId: string) => harness({ db: openDb(), fabric, masterKey, bootId });
  const file = (h: Harness, key: string) => request(h.app).post('/api/v1/claims/claims').set(bearer(userKey)).set('idempotency-key', key).send(body);

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-idem-'));
    openDb = await persistentTestDb(path.join(dir, 'gw.db'));
    fabric = new FakeFabric().on('claims', 'ClaimContract:FileClaim', ({ args }) => ({ claimId: args[0] }));
    masterKey = randomBytes(32);
    first = await boot('first');
    userKey = (await request(first.app).post('/api/v1/users').set(bearer(first.adminKeys.insurer)).send({ enrollmentId: 'alice', role: 'adjuster' })).body.apiKey;
  });

  it('a commit timeout, then a restart: the retry reports the same transaction and submits nothing new', async () => {
    fabric.failures.commitStatus.push(Object.assign(new Error('deadline'), { name: 'CommitStatusError', code: 4, details: [] }));
    const timedOut = await file(first, 'k');
    expect(timedOut.status).toBe(504);
    const second = await boot('second');
    const retried = await file(second, 'k');
    expect(retried.status).toBe(200);
    expect(retried.body.txId).toBe(timedOut.body.txId);
    expect(fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(1);
    expect(fabric.submittedCount()).toBe(1);
    expect((await file(second, 'k')).body).toEqual(retried.body);
  });

  it('a crash after the signed transaction was stored but before it reached the orderer: the retry sends those same bytes', async () => {
    fabric.failures.submit.push(new Error('process died mid-submit'));
    const crashed = await file(first, 'k2');
    expect(crashed.status).toBe(500);
    const endorsed = fabric.calls.filter((c) => c.kind === 'endorse');
    expect(endorsed).toHaveLength(1);
    const second = await boot('second');
    const retried = await file(second, 'k2');
    expect(retried.status).toBe(200);
    expect(retried.body.txId).toBe(endorsed[0].txId);
    expect(fabric.calls.filter((c) => c.kind === 'signedBytes')).toHaveLength(1);
    expect(fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(1);
  });

  it('a failed submission without an Idempotency-Key is marked failed and never sent later', async () => {
    fabric.failures.submit.push(Object.assign(new Error('14 UNAVAILABLE'), { name: 'SubmitError', code: 14, details: [] }));
    const res = await request(first.app).post('/api/v1/claims/claims').set(bearer(userKey)).send(body);
    expect(res.status).toBe(503);
    const txId = fabric.calls.find((c) => c.kind === 'endorse')!.txId!;
    expect((await first.store.getTx(txId))?.state).toBe('failed');
    const second = await boot('second');
    await second.tx.recoverPending();
    await second.tx.idle();
    expect(fabric.calls.filter((c) => c.kind === 'submit')).toHaveLength(1);
  });

  it('without an Idempotency-Key a write is journalled once, with its outcome; after a commit timeout it is journalled submitted, then followed after a restart', async () => {
    const journalWrites: string[] = [];
    const run = first.store.db.run.bind(first.store.db);
    jest.spyOn(first.store.db, 'run').mockImplementation((sql, params) => {
      if (/\btransactions\b/.test(sql)) journalWrites.push(sql.trim().split(/\s/)[0]);
      return run(sql, params);
    });
    const ok = await request(first.app).post('/api/v1/claims/claims').set(bearer(userKey)).send(body);
    expect(ok.status).toBe(200);
    expect(journalWrites).toEqual(['INSERT']);
    // Sent as endorsed: its envelope was never turned into bytes to store.
    expect(fabric.calls.filter((c) => c.kind === 'signedBytes')).toHaveLength(0);
    expect(await first.store.getTx(ok.body.txId)).toMatchObject({ state: 'committed', block_number: ok.body.blockNumber, tx_bytes: null, commit_bytes: null });

    // The commit wait times out, and so does the first process's following of it (then it stops).
    for (let i = 0; i < 2; i++) fabric.failures.commitStatus.push(Object.assign(new Error('deadline'), { name: 'CommitStatusError', code: 4, details: [] }));
    const timedOut = await request(first.app).post('/api/v1/claims/claims').set(bearer(userKey)).send({ ...body, claimId: 'c-2' });
    expect(timedOut.status).toBe(504);
    await first.tx.idle();
    const poll = (h: Harness) => request(h.app).get(`/api/v1/transactions/${timedOut.body.txId}`).set(bearer(userKey));
    expect((await poll(first)).body).toMatchObject({ status: 'submitted' });
    const second = await boot('second');
    await second.tx.recoverPending();
    await second.tx.idle();
    expect((await poll(second)).body).toMatchObject({ status: 'committed' });
  });

  it('a concurrent duplicate in the same process is told to retry later, never submitted twice', async () => {
    const [a, b] = await Promise.all([file(first, 'k3'), file(first, 'k3')]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect([200, 409]).toContain(statuses[1]);
    expect(fabric.submittedCount()).toBe(1);
  });

  it('202 transactions left pending by a stopped gateway are finished after restart', async () => {
    fabric.failures.commitStatus.push(Object.assign(new Error('deadline'), { name: 'CommitStatusError', code: 4, details: [] }));
    const accepted = await request(first.app).post('/api/v1/claims/claims?wait=none').set(bearer(userKey)).send(body);
    expect(accepted.status).toBe(202);
    await first.tx.idle();
    expect((await first.store.getTx(accepted.body.txId))?.state).toBe('submitted');
    const second = await boot('second');
    await second.tx.recoverPending();
    await second.tx.idle();
    const status = await request(second.app).get(`/api/v1/transactions/${accepted.body.txId}`).set(bearer(userKey));
    expect(status.body).toMatchObject({ status: 'committed', blockNumber: '11' });
  });
});

/**
 * Two gateway processes on one database (several processes, a rolling restart): a retry of a key that
 * the other process is still endorsing or sending must not endorse a second transaction.
 */
describe('one Idempotency-Key on two gateway processes sharing a database', () => {
  let fabric: FakeFabric;
  let masterKey: Buffer;
  let openDb: () => Db;
  let userKey: string;
  let a: Harness;
  let b: Harness;

  /** One process, with the same configuration (master key, admin keys) as the other. */
  const boot = (bootId: string, idempotencyLeaseMs: number, adminKeys?: Record<string, string>) => harness({ db: openDb(), fabric, masterKey, bootId, idempotencyLeaseMs, adminKeys });
  const file = (h: Harness, key: string) => request(h.app).post('/api/v1/claims/claims').set(bearer(userKey)).set('idempotency-key', key).send(body);
  const held: Array<() => void> = [];
  /** Holds the next endorsement until the returned function is called (at the latest after the test). */
  const holdEndorsement = () => {
    let release!: () => void;
    fabric.holds.endorse.push(new Promise<void>((r) => (release = r)));
    held.push(release);
    return release;
  };
  const endorsements = () => fabric.calls.filter((c) => c.kind === 'endorse');
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  beforeEach(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-idem-two-'));
    openDb = await persistentTestDb(path.join(dir, 'gw.db'));
    fabric = new FakeFabric().on('claims', 'ClaimContract:FileClaim', ({ args }) => ({ claimId: args[0] }));
    masterKey = randomBytes(32);
  });

  it('while the owner endorses (its lease renewed meanwhile), a retry on the other process gets 409 IDEMPOTENCY_IN_PROGRESS: one submission', async () => {
    a = await boot('process-a', 120);
    b = await boot('process-b', 120, a.adminKeys);
    userKey = (await request(a.app).post('/api/v1/users').set(bearer(a.adminKeys.insurer)).send({ enrollmentId: 'alice', role: 'adjuster' })).body.apiKey;
    const release = holdEndorsement();
    const first = file(a, 'k').then((r) => r);
    await until(() => endorsements().length === 1);
    // Several lease periods: only renewals keep the key A's.
    await new Promise((r) => setTimeout(r, 400));
    const retried = await file(b, 'k');
    expect(retried.status).toBe(409);
    expect(retried.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    release();
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(endorsements()).toHaveLength(1);
    expect(fabric.submittedCount()).toBe(1);
    const replayed = await file(b, 'k');
    expect(replayed.status).toBe(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body.txId).toBe(answered.body.txId);
  });

  it("a crashed owner's key is taken over once its lease ran out; the owner, if it was only stalled, then sends nothing and cannot overwrite the answer", async () => {
    a = await boot('process-a', 100);
    b = await boot('process-b', 100, a.adminKeys);
    userKey = (await request(a.app).post('/api/v1/users').set(bearer(a.adminKeys.insurer)).send({ enrollmentId: 'alice', role: 'adjuster' })).body.apiKey;
    // A stops renewing (crashed, or frozen) while its endorsement is outstanding.
    jest.spyOn(a.store, 'renewIdempotency').mockResolvedValue(true);
    const release = holdEndorsement();
    const stalled = file(a, 'k').then((r) => r);
    await until(() => endorsements().length === 1);
    await new Promise((r) => setTimeout(r, 250));
    const takenOver = await file(b, 'k');
    expect(takenOver.status).toBe(200);
    expect(endorsements()).toHaveLength(2);
    expect(fabric.submittedCount()).toBe(1);
    release();
    const late = await stalled;
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(fabric.submittedCount()).toBe(1);
    const aTx = endorsements()[0].txId!;
    expect((await b.store.getTx(aTx))?.state).toBe('failed');
    // The key keeps B's answer: A's refusal was not stored over it.
    const replayed = await file(a, 'k');
    expect(replayed.status).toBe(200);
    expect(replayed.body.txId).toBe(takenOver.body.txId);
  });

  it('only the owner of an unanswered key binds, answers, frees or abandons it', async () => {
    a = await boot('process-a', 60000);
    const { store } = a;
    const later = new Date(Date.now() + 60000).toISOString();
    expect(await store.claimIdempotency('u', 'k', 'h', 'owner', later)).toBe(true);
    expect(await store.setIdempotencyTx('u', 'k', 'other', 'tx-other')).toBe(false);
    expect(await store.completeIdempotency('u', 'k', 'other', 200, '{}')).toBe(false);
    await store.releaseIdempotency('u', 'k', 'other');
    await store.abandonIdempotency('u', 'k', 'other');
    expect(await store.takeOverIdempotency('u', 'k', 'owner', 'other', later, new Date().toISOString())).toBe(false);
    expect(await store.getIdempotency('u', 'k')).toMatchObject({ owner: 'owner', tx_id: null, response: null, lease_until: later });
    expect(await store.completeIdempotency('u', 'k', 'owner', 200, '{"status":200}')).toBe(true);
    expect(await store.getIdempotency('u', 'k')).toMatchObject({ status: 200, response: '{"status":200}' });
  });

  afterEach(() => {
    // A failing test must not leave a request waiting for ever (Jest would not exit).
    for (const release of held.splice(0)) release();
    jest.restoreAllMocks();
  });
});

describe('following a 202 transaction in the background', () => {
  it('a store that fails while recording the outcome is logged, not an unhandled rejection', async () => {
    const logLines: string[] = [];
    const fabric = new FakeFabric().on('claims', 'ClaimContract:FileClaim', ({ args }) => ({ claimId: args[0] }));
    const h = await harness({ fabric, logLines });
    const userKey = (await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.insurer)).send({ enrollmentId: 'bob', role: 'adjuster' })).body.apiKey;
    const unhandled = recordUnhandledRejections();
    try {
      fabric.failures.commitStatus.push(Object.assign(new Error('13 INTERNAL: ledger unreadable'), { name: 'CommitStatusError', code: 13, details: [] }));
      const updateTx = jest.spyOn(h.store, 'updateTx').mockRejectedValueOnce(new Error('SQLITE_FULL: database or disk is full'));
      const accepted = await request(h.app).post('/api/v1/claims/claims?wait=none').set(bearer(userKey)).send(body);
      expect(accepted.status).toBe(202);
      await h.tx.idle();
      await new Promise((r) => setImmediate(r));
      expect(updateTx).toHaveBeenCalledWith(accepted.body.txId, expect.objectContaining({ state: 'failed' }));
      expect(unhandled.reasons).toEqual([]);
      expect(logLines.filter((l) => l.includes('could not record a tracked transaction as failed') && l.includes('SQLITE_FULL'))).toHaveLength(1);
      // Still pending in the journal, so the next start follows it again.
      expect((await h.store.getTx(accepted.body.txId))?.state).toBe('submitted');
    } finally {
      unhandled.stop();
    }
  });
});
