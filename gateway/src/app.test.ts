import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { firstSegment, GATEWAY_SEGMENTS } from './api/routes';
import { chaincodeError } from './fabric/fake';
import { RESULT_KEY, sealResult } from '../../chaincode/common/src/sealed-result';
import { bearer, harness, Harness } from './testing/harness';

const VIN = '1HGCM82633A004352';

describe('gateway app over a fake Fabric', () => {
  let h: Harness;
  let adjusterKey: string;

  beforeEach(async () => {
    h = await harness();
    h.fabric
      .on('claims', 'ClaimContract:FileClaim', ({ args }) => ({ claimId: args[0], vin: args[1], amount: Number(args[2]), status: 'FILED' }))
      .on('claims', 'ClaimContract:GetClaim', ({ args, identity }) => ({ claimId: args[0], status: 'FILED', readBy: identity.mspId }))
      .on('claims', 'ClaimContract:ListClaimsByStatus', ({ args }) => ({ status: args[0], pageSize: Number(args[1]), items: [] }))
      .on('claims', 'ClaimContract:ApproveClaim', () => {
        throw chaincodeError('FAILED_PRECONDITION', 'claim is not FILED', { status: 'APPROVED' });
      })
      .on('medical', 'MeasurementContract:RecordMeasurement', ({ transient }) => ({ stored: Object.keys(transient ?? {}) }));
    const res = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.insurer)).send({ enrollmentId: 'alice', role: 'adjuster' });
    expect(res.status).toBe(201);
    adjusterKey = res.body.apiKey;
  });

  describe('authentication', () => {
    it('answers 401 problem+json without a key, with a malformed key and with an unknown key', async () => {
      for (const headers of [{}, bearer('nope'), bearer('clk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')]) {
        const res = await request(h.app).get('/api/v1/claims/claims/c1').set(headers);
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }
      expect(h.fabric.calls).toHaveLength(0);
    });

    it('accepts the key in x-api-key as well', async () => {
      const res = await request(h.app).get('/api/v1/me').set('x-api-key', adjusterKey);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ userId: 'insurer:alice', mspId: 'InsurerMSP', role: 'adjuster', channels: ['city', 'health'] });
    });

    it('a revoked key stops working at once; rotation keeps the new key working', async () => {
      const me = await request(h.app).get('/api/v1/me').set(bearer(adjusterKey));
      const rotated = await request(h.app).post('/api/v1/users/insurer:alice/keys').set(bearer(adjusterKey)).send({ revokeOthers: true });
      expect(rotated.status).toBe(201);
      expect(rotated.body.revoked).toEqual([me.body.keyId]);
      expect((await request(h.app).get('/api/v1/me').set(bearer(adjusterKey))).status).toBe(401);
      expect((await request(h.app).get('/api/v1/me').set(bearer(rotated.body.apiKey))).status).toBe(200);
      const revoke = await request(h.app).delete(`/api/v1/keys/${rotated.body.keyId}`).set(bearer(h.adminKeys.insurer));
      expect(revoke.status).toBe(204);
      expect((await request(h.app).get('/api/v1/me').set(bearer(rotated.body.apiKey))).status).toBe(401);
    });

    it('a looked-up key is reused for a few seconds, its secret still checked; a revocation by another process takes effect within that time', async () => {
      const me = await request(h.app).get('/api/v1/me').set(bearer(adjusterKey));
      const wrongSecret = `${adjusterKey.slice(0, -4)}${adjusterKey.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      expect((await request(h.app).get('/api/v1/me').set(bearer(wrongSecret))).status).toBe(401);
      await h.store.revokeApiKey(me.body.keyId); // as another gateway process sharing the database would
      expect((await request(h.app).get('/api/v1/me').set(bearer(adjusterKey))).status).toBe(200);
      await new Promise((r) => setTimeout(r, h.config.apiKeyCacheMs + 20));
      expect((await request(h.app).get('/api/v1/me').set(bearer(adjusterKey))).status).toBe(401);
    });

    it('a lookup in flight when its key is revoked does not cache it: the revoked key stops at once in this process', async () => {
      const admin = (await h.auth.authenticate(h.adminKeys.insurer))!;
      const me = await request(h.app).get('/api/v1/me').set(bearer(adjusterKey));
      await new Promise((r) => setTimeout(r, h.config.apiKeyCacheMs + 20)); // the key is no longer cached
      // The lookup reads the key row (not yet revoked), then waits for the user row while the key is revoked.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const getUser = h.store.getUser.bind(h.store);
      jest.spyOn(h.store, 'getUser').mockImplementationOnce(async (id) => {
        await gate;
        return getUser(id);
      });
      const inFlight = h.auth.authenticate(adjusterKey);
      await new Promise((r) => setTimeout(r, 20));
      await h.auth.revokeKey(admin, me.body.keyId);
      release();
      expect(await inFlight).toBeDefined(); // it read the key before the revocation
      expect(await h.auth.authenticate(adjusterKey)).toBeUndefined();
      expect((await request(h.app).get('/api/v1/me').set(bearer(adjusterKey))).status).toBe(401);
    });

    it("rotating the operator's admin key (same key id with a new secret, or a new id) makes the configured key the one that works", async () => {
      const org = h.config.orgs.find((o) => o.name === 'insurer')!;
      const restart = (adminKey: string) => h.auth.bootstrapOrg({ ...org, adminKey }, { id: 'registrar', secret: 'pw' }, `/tmp/cityledger-test-admin-keys-${process.pid}-rotation.json`);
      const me = (key: string) => request(h.app).get('/api/v1/me').set(bearer(key));
      const first = h.adminKeys.insurer;
      expect((await me(first)).status).toBe(200); // cached by this process from now on
      const sameId = `${first.slice(0, 'clk_'.length + 12)}_${'S'.repeat(32)}`;
      await restart(sameId);
      expect((await me(sameId)).status).toBe(200);
      expect((await me(first)).status).toBe(401);
      const newId = `clk_insurerROT22_${'N'.repeat(32)}`;
      await restart(newId);
      expect((await me(newId)).body).toMatchObject({ userId: 'insurer:insurer-gateway-admin', isAdmin: true });
      expect((await me(sameId)).status).toBe(401);
      // Unchanged at the next start: nothing revoked, nothing replaced.
      await restart(newId);
      expect((await me(newId)).status).toBe(200);
    });

    it('never stores API keys or private keys in clear', async () => {
      const rows = await h.store.db.all<Record<string, string>>('SELECT * FROM api_keys');
      const users = await h.store.db.all<Record<string, string>>('SELECT * FROM users');
      const dump = JSON.stringify([rows, users]);
      expect(dump).not.toContain(adjusterKey.slice('clk_'.length + 12 + 1)); // the 32-char secret
      expect(dump).not.toContain('PRIVATE KEY');
    });
  });

  describe('users', () => {
    it('only an org admin creates users, with a role of that org and the attributes it needs', async () => {
      const notAdmin = await request(h.app).post('/api/v1/users').set(bearer(adjusterKey)).send({ enrollmentId: 'bob', role: 'adjuster' });
      expect(notAdmin.status).toBe(403);
      const badRole = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.city)).send({ enrollmentId: 'v1', role: 'adjuster' });
      expect(badRole.status).toBe(400);
      expect(badRole.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
      const noVin = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.city)).send({ enrollmentId: 'car1', role: 'vehicle' });
      expect(noVin.status).toBe(400);
      expect(noVin.body.errors).toEqual([{ field: 'vehicleId', message: 'is required for role vehicle' }]);
      const ok = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.city)).send({ enrollmentId: 'car1', role: 'vehicle', vehicleId: VIN });
      expect(ok.status).toBe(201);
      expect(ok.body.user).toMatchObject({ userId: 'city:car1', role: 'vehicle', attrs: { vehicleId: VIN } });
      expect(h.ca.registered.get('car1')?.attrs).toEqual([
        { name: 'role', value: 'vehicle' },
        { name: 'vehicleId', value: VIN },
      ]);
      const again = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.city)).send({ enrollmentId: 'car1', role: 'vehicle', vehicleId: VIN });
      expect(again.status).toBe(409);
    });

    it('an attribute is allowed only on the roles that use it (residentId: resident, device; vehicleId: vehicle; buildingId: building, meter; meterId: meter)', async () => {
      const create = (body: object) => request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.city)).send(body);
      const police = await create({ enrollmentId: 'cop', role: 'police', residentId: 'R-1', vehicleId: VIN, buildingId: 'B1', meterId: 'M1' });
      expect(police.status).toBe(400);
      expect(police.body.code).toBe('INVALID_ARGUMENT');
      expect(police.body.errors.map((e: { field: string }) => e.field)).toEqual(['residentId', 'vehicleId', 'buildingId', 'meterId']);
      expect(police.body.errors[0].message).toBe('is not allowed for role police (only resident, device)');
      const resident = await create({ enrollmentId: 'minji', role: 'resident', residentId: 'R-1', vehicleId: VIN });
      expect(resident.status).toBe(400);
      expect(resident.body.errors).toEqual([{ field: 'vehicleId', message: 'is not allowed for role resident (only vehicle)' }]);
      const car = await create({ enrollmentId: 'car2', role: 'vehicle', vehicleId: VIN, residentId: 'R-1' });
      expect(car.body.errors).toEqual([{ field: 'residentId', message: 'is not allowed for role vehicle (only resident, device)' }]);
      expect([...h.ca.registered.keys()].filter((k) => ['cop', 'minji', 'car2'].includes(k))).toEqual([]); // refused before the CA
      expect((await create({ enrollmentId: 'minji', role: 'resident', residentId: 'R-1' })).status).toBe(201);
    });

    it("an admin cannot manage another org's users", async () => {
      const res = await request(h.app).post('/api/v1/users/insurer:alice/keys').set(bearer(h.adminKeys.city)).send({});
      expect(res.status).toBe(404);
    });

    it("another org's admin revoking a key gets exactly the answer for an unknown key (no owner named)", async () => {
      const me = await request(h.app).get('/api/v1/me').set(bearer(adjusterKey));
      const foreign = await request(h.app).delete(`/api/v1/keys/${me.body.keyId}`).set(bearer(h.adminKeys.port));
      const unknown = await request(h.app).delete('/api/v1/keys/AAAAAAAAAAAA').set(bearer(h.adminKeys.port));
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ ...unknown.body, detail: `no key ${me.body.keyId}` });
      expect(JSON.stringify(foreign.body)).not.toContain('alice');
      expect((await request(h.app).get('/api/v1/me').set(bearer(adjusterKey))).status).toBe(200);
    });

    it('a disabled user is locked out', async () => {
      expect((await request(h.app).delete('/api/v1/users/insurer:alice').set(bearer(h.adminKeys.insurer))).status).toBe(204);
      expect((await request(h.app).get('/api/v1/me').set(bearer(adjusterKey))).status).toBe(401);
    });
  });

  describe('chaincode routes', () => {
    it("dispatches by chaincode name ahead of the gateway's own paths, which are all GATEWAY_SEGMENTS", async () => {
      // Chaincode names are refused when they are one of GATEWAY_SEGMENTS (config): a new gateway path must join them.
      type Layer = { rawPath?: string; route?: { path: string }; handle: { stack?: Layer[] } };
      const v1 = (h.app.router as unknown as { stack: Layer[] }).stack.find((l) => l.rawPath === '/api/v1')!;
      const own = v1.handle.stack!.filter((l) => l.route).map((l) => firstSegment(l.route!.path));
      expect(own.length).toBeGreaterThan(0);
      for (const segment of own) expect(GATEWAY_SEGMENTS).toContain(segment);
      expect((await request(h.app).get('/api/v1/claims/claims/c-1').set(bearer(adjusterKey))).status).toBe(200);
      expect((await request(h.app).get('/api/v1/me').set(bearer(adjusterKey))).body.enrollmentId).toBe('alice');
      expect((await request(h.app).get('/api/v1/nothing/here').set(bearer(adjusterKey))).status).toBe(404);
    });

    it('evaluates GET /claims/:claimId as the caller, with query params typed by schema', async () => {
      const res = await request(h.app).get('/api/v1/claims/claims/c-1').set(bearer(adjusterKey));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: { claimId: 'c-1', status: 'FILED', readBy: 'InsurerMSP' } });
      expect(res.headers['server-timing']).toMatch(/^evaluate;dur=\d+\.\d, total;dur=\d+\.\d$/);
      const list = await request(h.app).get('/api/v1/claims/claims-by-status?status=FILED&pageSize=20').set(bearer(adjusterKey));
      expect(list.status).toBe(200);
      const call = h.fabric.calls.find((c) => c.spec?.transaction === 'ClaimContract:ListClaimsByStatus');
      expect(call?.spec?.args).toEqual(['FILED', '20']);
      expect(call?.identity).toBe('insurer:alice');
      // Paging parameters may be left out: the first page of 50 (capped by the schema's maximum).
      await request(h.app).get('/api/v1/claims/claims-by-status?status=APPROVED').set(bearer(adjusterKey)).expect(200);
      expect(h.fabric.calls.at(-1)?.spec?.args).toEqual(['APPROVED', '50']);
      const missing = await request(h.app).get('/api/v1/claims/claims-by-status').set(bearer(adjusterKey));
      expect(missing.body.errors).toEqual([{ field: 'status', message: 'is required' }]);
    });

    it('submits POST /claims and answers after commit with txId and block number', async () => {
      const res = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c-1', vin: VIN, amount: 1200 });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ txId: expect.stringMatching(/^[0-9a-f]{64}$/), blockNumber: '11', result: { claimId: 'c-1', vin: VIN, amount: 1200, status: 'FILED' } });
      // Where the time went, stage by stage (W3C Server-Timing).
      expect(res.headers['server-timing']).toMatch(/^endorse;dur=\d+\.\d, submit;dur=\d+\.\d, commit;dur=\d+\.\d, total;dur=\d+\.\d$/);
      const endorse = h.fabric.calls.find((c) => c.kind === 'endorse');
      expect(endorse?.spec).toMatchObject({ channel: 'city', chaincode: 'claims', transaction: 'ClaimContract:FileClaim', args: ['c-1', VIN, '1200'] });
    });

    it('rejects a malformed body with 400 listing every offending field, and never reaches Fabric', async () => {
      const res = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: '', vin: 'short', amount: '12', extra: true });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_ARGUMENT');
      const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
      expect(fields).toEqual(['amount', 'claimId', 'extra', 'vin']);
      const broken = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).set('content-type', 'application/json').send('{"claimId":');
      expect(broken.status).toBe(400);
      // A transaction with one object parameter takes that object as the whole body.
      const nested = await request(h.app).post('/api/v1/claims/attach-evidence').set(bearer(adjusterKey)).send({ claimId: 'c', sha256: 'xyz', more: 1 });
      expect(nested.status).toBe(400);
      expect(nested.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['more', 'sha256']);
      expect(h.fabric.calls).toHaveLength(0);
    });

    it('maps a chaincode FAILED_PRECONDITION to 422 with the chaincode code, message and details', async () => {
      const res = await request(h.app).post('/api/v1/claims/claims/c-1/approve').set(bearer(adjusterKey)).send({ note: 'ok' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'FAILED_PRECONDITION', detail: 'claim is not FILED', details: { status: 'APPROVED' }, txId: 'tx-refused' });
      expect(h.fabric.submittedCount()).toBe(0);
    });

    it("refuses a channel the caller's org is not a member of (port on health) before Fabric", async () => {
      const agent = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.port)).send({ enrollmentId: 'agent1', role: 'agent' });
      const route = h.api.routes.find((r) => r.id === 'medical.MeasurementContract.RecordMeasurement')!;
      const res = await request(h.app).post(route.path).set(bearer(agent.body.apiKey)).send({ patientId: 'p', transient: { measurement: { weightGrams: 1 } } });
      expect(res.status).toBe(403);
      expect(res.body.detail).toBe('PortMSP is not a member of channel health');
      expect(h.fabric.calls).toHaveLength(0);
    });

    it('calls a sealed transaction with a fresh result key and answers the opened result', async () => {
      const keys: Uint8Array[] = [];
      h.fabric.on('medical', 'MeasurementContract:ListMyMeasurements', ({ args, transient }) => {
        keys.push(transient![RESULT_KEY]);
        const plain = Buffer.from(JSON.stringify({ items: [{ weightGrams: 72000, pageSize: Number(args[0]) }] }));
        return sealResult(transient![RESULT_KEY], `tx-${keys.length}`, plain);
      });
      for (let i = 0; i < 2; i++) {
        const res = await request(h.app).get('/api/v1/medical/my-measurements?pageSize=5').set(bearer(adjusterKey));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ result: { items: [{ weightGrams: 72000, pageSize: 5 }] } });
      }
      expect(keys.map((k) => k.length)).toEqual([32, 32]);
      expect(Buffer.compare(keys[0], keys[1])).not.toBe(0);
      const evaluate = h.fabric.calls.find((c) => c.kind === 'evaluate')!;
      expect(Object.keys(evaluate.spec!.transient!)).toEqual([RESULT_KEY]);
      // An answer that does not open (not sealed, or under another key) is the chaincode's fault, never passed on.
      h.fabric.on('medical', 'MeasurementContract:ListMyMeasurements', () => ({ items: [{ weightGrams: 72000 }] }));
      const unsealed = await request(h.app).get('/api/v1/medical/my-measurements?pageSize=5').set(bearer(adjusterKey));
      expect(unsealed.status).toBe(502);
      expect(unsealed.body.code).toBe('FABRIC_ERROR');
      expect(JSON.stringify(unsealed.body)).not.toContain('72000');
    });

    it('repeats an evaluate sealed when the chaincode asks for a result key (sealed by an upgrade whose metadata it has not read yet)', async () => {
      h.fabric.on('claims', 'ClaimContract:GetClaim', ({ args, transient }) => {
        if (!transient?.[RESULT_KEY]) throw chaincodeError('INVALID_ARGUMENT', 'send a result key', { reason: 'RESULT_KEY_REQUIRED' });
        return sealResult(transient[RESULT_KEY], 'tx-1', Buffer.from(JSON.stringify({ claimId: args[0] })));
      });
      const res = await request(h.app).get('/api/v1/claims/claims/c-1').set(bearer(adjusterKey));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: { claimId: 'c-1' } });
      expect(h.fabric.calls.filter((c) => c.kind === 'evaluate').map((c) => Object.keys(c.spec!.transient ?? {}))).toEqual([[], [RESULT_KEY]]);
    });

    it('sends private inputs in the transient map, never as arguments', async () => {
      const route = h.api.routes.find((r) => r.id === 'medical.MeasurementContract.RecordMeasurement')!;
      const res = await request(h.app)
        .post(route.path)
        .set(bearer(adjusterKey))
        .send({ patientId: 'p-1', transient: { measurement: { weightGrams: 72000, bodyFatPermille: 180 } } });
      expect(res.status).toBe(200);
      const endorse = h.fabric.calls.find((c) => c.kind === 'endorse')!;
      expect(endorse.spec!.args).toEqual(['p-1']);
      expect(endorse.spec!.endorsingOrgs).toEqual(['CityMSP', 'HospitalMSP']);
      expect(JSON.parse(Buffer.from(endorse.spec!.transient!.measurement).toString())).toEqual({ weightGrams: 72000, bodyFatPermille: 180 });
      const missing = await request(h.app).post(route.path).set(bearer(adjusterKey)).send({ patientId: 'p-1' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([{ field: 'transient', message: 'is required' }]);
    });

    it('answers 503 when no peer can endorse and 504 with the txId when the commit wait times out, then follows that transaction to its commit', async () => {
      h.fabric.failures.endorse.push(Object.assign(new Error('14 UNAVAILABLE: no endorsers'), { name: 'EndorseError', code: 14, details: [], transactionId: 'tx-u' }));
      const unavailable = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(unavailable.status).toBe(503);
      expect(unavailable.body.code).toBe('NO_ENDORSERS');
      h.fabric.failures.commitStatus.push(Object.assign(new Error('4 DEADLINE_EXCEEDED'), { name: 'CommitStatusError', code: 4, details: [] }));
      const timeout = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(timeout.status).toBe(504);
      expect(timeout.body.code).toBe('TIMEOUT');
      expect(timeout.body.txId).toMatch(/^[0-9a-f]{64}$/);
      // A failure tells the stages it went through too: here the commit wait is what ran out.
      expect(timeout.headers['server-timing']).toMatch(/^endorse;dur=[\d.]+, submit;dur=[\d.]+, commit;dur=[\d.]+, total;dur=[\d.]+$/);
      // The answer says "poll its status": this process follows it, so that status reaches the commit.
      await h.tx.idle();
      const status = await request(h.app).get(`/api/v1/transactions/${timeout.body.txId}`).set(bearer(adjusterKey));
      expect(status.body).toMatchObject({ status: 'committed', blockNumber: '11', result: { claimId: 'c' } });
    });

    it('retries read conflicts from a new proposal, then answers 409 READ_CONFLICT', async () => {
      h.fabric.commitCodes.push(11);
      const ok = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(ok.status).toBe(200);
      expect(h.fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(2);
      // Stages are summed over the retry, each named once.
      expect(ok.headers['server-timing'].split(', ').map((t: string) => t.split(';')[0])).toEqual(['endorse', 'submit', 'commit', 'total']);
      h.fabric.commitCodes.push(11, 12, 11);
      const conflict = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('READ_CONFLICT');
    });

    it('retries endorsements that do not match (peers a block apart) from a new proposal, then answers 409 READ_CONFLICT', async () => {
      const mismatch = () =>
        Object.assign(new Error('10 ABORTED: failed to assemble transaction: ProposalResponsePayloads do not match'), {
          name: 'EndorseError',
          code: 10,
          details: [],
        });
      h.fabric.failures.endorse.push(mismatch());
      const ok = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(ok.status).toBe(200);
      expect(h.fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(2);
      // Stages are summed over the retry, each named once.
      expect(ok.headers['server-timing'].split(', ').map((t: string) => t.split(';')[0])).toEqual(['endorse', 'submit', 'commit', 'total']);
      h.fabric.failures.endorse.push(mismatch(), mismatch(), mismatch(), mismatch());
      const conflict = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('READ_CONFLICT');
      expect(h.fabric.submittedCount()).toBe(1);
    });

    it('retries when another org\'s peer refused on the state before a block (peers a block apart), and answers its refusal if it persists', async () => {
      const refused = () =>
        Object.assign(new Error('10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info'), {
          name: 'EndorseError',
          code: 10,
          details: [{ address: 'peer0.insurer:9051', mspId: 'InsurerMSP', message: 'chaincode response 422, {"code":"FAILED_PRECONDITION","details":{},"message":"claim is FILED"}' }],
        });
      h.fabric.failures.endorse.push(refused());
      const ok = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(ok.status).toBe(200);
      expect(h.fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(2);
      h.fabric.failures.endorse.push(refused(), refused(), refused()); // the first try and conflictRetries (2) more
      const still = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(still.status).toBe(422);
      expect(still.body).toMatchObject({ code: 'FAILED_PRECONDITION', detail: 'claim is FILED' });
      expect(h.fabric.calls.filter((c) => c.kind === 'endorse')).toHaveLength(5);
      expect(h.fabric.failures.endorse).toHaveLength(0);
      expect(h.fabric.submittedCount()).toBe(1);
    });

    it('?wait=none answers 202 with a status URL that reports the commit', async () => {
      const res = await request(h.app).post('/api/v1/claims/claims?wait=none').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect(res.status).toBe(202);
      expect(res.body.statusUrl).toBe(`http://gw.test/api/v1/transactions/${res.body.txId}`);
      expect(res.headers.location).toBe(res.body.statusUrl);
      await h.tx.idle();
      const status = await request(h.app).get(`/api/v1/transactions/${res.body.txId}`).set(bearer(adjusterKey));
      expect(status.body).toMatchObject({ status: 'committed', blockNumber: '11', result: { claimId: 'c' } });
      const other = await request(h.app).get(`/api/v1/transactions/${res.body.txId}`).set(bearer(h.adminKeys.city));
      expect(other.status).toBe(404);
    });

    it('an unknown route is a 404 problem', async () => {
      const res = await request(h.app).get('/api/v1/claims/nothing/here/at/all').set(bearer(adjusterKey));
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });

    it('a path parameter that is not valid percent-encoding is a 400 problem with a stable code, not a logged 500', async () => {
      const lines: string[] = [];
      const logged = await harness({ logLines: lines });
      for (const path of ['/api/v1/transactions/%E0%A4%A', '/api/v1/claims/claims/%E0%A4%A']) {
        const res = await request(logged.app).get(path).set(bearer(logged.adminKeys.insurer));
        expect([res.status, res.body.code]).toEqual([400, 'MALFORMED_PATH']);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(lines.filter((l) => l.includes('request failed'))).toEqual([]);
    });

    it('a body the client cuts off is counted as REQUEST_ABORTED, not logged as an internal error', async () => {
      const lines: string[] = [];
      const logged = await harness({ logLines: lines });
      const server = logged.app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const { port } = server.address() as AddressInfo;
        const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/api/v1/claims/claims', headers: { ...bearer(logged.adminKeys.insurer), 'content-type': 'application/json', 'content-length': '100' } });
        req.on('error', () => undefined);
        req.write('{"claimId":');
        await new Promise((r) => setTimeout(r, 50));
        req.destroy();
        let metrics = '';
        for (let i = 0; i < 200 && !metrics.includes('code="REQUEST_ABORTED"'); i++) {
          await new Promise((r) => setTimeout(r, 5));
          metrics = (await request(logged.app).get('/metrics')).text;
        }
        expect(metrics).toMatch(/cityledger_errors_total\{code="REQUEST_ABORTED"\} 1/);
        expect(metrics).not.toContain('code="INTERNAL"');
        expect(lines.filter((l) => l.includes('request failed'))).toEqual([]);
      } finally {
        server.close();
      }
    });

    it('a query parameter given twice is a 400 naming it, before Fabric or the database', async () => {
      const twice = await request(h.app).get('/api/v1/claims/claims-by-status?status=FILED&status=APPROVED').set(bearer(adjusterKey));
      expect(twice.status).toBe(400);
      expect(twice.body.errors).toEqual([{ field: 'status', message: 'must be given once' }]);
      const wait = await request(h.app).post('/api/v1/claims/claims?wait=none&wait=commit').set(bearer(adjusterKey)).send({ claimId: 'c', vin: VIN, amount: 1 });
      expect([wait.status, wait.body.errors]).toEqual([400, [{ field: 'wait', message: 'must be given once, as a string' }]]);
      expect(h.fabric.calls.filter((c) => c.kind !== 'blocks')).toEqual([]);
      for (const path of ['/api/v1/read/claims/claim?status=a&status=b', '/api/v1/read/claims/claim?limit=1&limit=2', '/api/v1/events?chaincode=a&chaincode=b']) {
        const res = await request(h.app).get(path).set(bearer(h.adminKeys.insurer));
        expect([path, res.status, res.body.code]).toEqual([path, 400, 'INVALID_ARGUMENT']);
      }
    });

    it("a configured chaincode whose API is not loaded yet (start-up) is 503 retry-soon, not 404", async () => {
      const starting = await harness({
        file: { channels: [{ name: 'city', orgs: ['city', 'insurer', 'port'], chaincodes: ['claims', 'energy'] }, { name: 'health', orgs: ['city', 'insurer'], chaincodes: ['medical'] }] },
      });
      const res = await request(starting.app).post('/api/v1/energy/probe/put').set(bearer(starting.adminKeys.city)).send({ key: 'k', value: 'v' });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body.code).toBe('CHAINCODE_UNAVAILABLE');
      expect(starting.fabric.calls).toHaveLength(0);
      // Loaded chaincodes and unknown names keep their 404s.
      expect((await request(starting.app).get('/api/v1/claims/nothing/here').set(bearer(starting.adminKeys.city))).status).toBe(404);
      expect((await request(starting.app).get('/api/v1/unknown/x').set(bearer(starting.adminKeys.city))).status).toBe(404);
    });
  });

  describe('idempotency', () => {
    const file = (key: string, body: object = { claimId: 'c', vin: VIN, amount: 5 }) =>
      request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).set('idempotency-key', key).send(body);

    it('returns the first outcome on retry and submits once', async () => {
      const first = await file('k-1');
      const second = await file('k-1');
      expect(second.status).toBe(first.status);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(h.fabric.submittedCount()).toBe(1);
    });

    it('refuses the same key for a different request', async () => {
      await file('k-2');
      const other = await file('k-2', { claimId: 'd', vin: VIN, amount: 5 });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('remembers a deterministic refusal but frees the key after a transient failure', async () => {
      h.fabric.failures.endorse.push(chaincodeError('FORBIDDEN', 'adjusters may not file'));
      expect((await file('k-3')).status).toBe(403);
      expect((await file('k-3')).status).toBe(403);
      h.fabric.failures.endorse.push(Object.assign(new Error('unavailable'), { name: 'EndorseError', code: 14, details: [] }));
      expect((await file('k-4')).status).toBe(503);
      expect((await file('k-4')).status).toBe(200);
    });

    it('keys are per caller', async () => {
      const mine = await file('shared');
      const other = await request(h.app).post('/api/v1/users').set(bearer(h.adminKeys.insurer)).send({ enrollmentId: 'bob', role: 'adjuster' });
      const theirs = await request(h.app).post('/api/v1/claims/claims').set(bearer(other.body.apiKey)).set('idempotency-key', 'shared').send({ claimId: 'c', vin: VIN, amount: 5 });
      expect(theirs.body.txId).not.toBe(mine.body.txId);
    });
  });

  describe('operations', () => {
    it('gives /metrics and the readiness detail only to the metrics token when one is configured', async () => {
      const token = 'metrics-token-0123456789abcdef';
      const guarded = await harness({ file: { metricsToken: token } });
      const anonymous = await request(guarded.app).get('/metrics');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('UNAUTHENTICATED');
      expect(anonymous.text).not.toContain('cityledger_http_request_duration_seconds');
      expect((await request(guarded.app).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789abcd')).status).toBe(401);
      // An org admin's API key is not the metrics token either.
      const adminKey = Object.values(guarded.adminKeys)[0];
      expect((await request(guarded.app).get('/metrics').set('Authorization', `Bearer ${adminKey}`)).status).toBe(401);
      const scraped = await request(guarded.app).get('/metrics').set('Authorization', `Bearer ${token}`);
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('cityledger_http_request_duration_seconds');
      expect((await request(guarded.app).get('/livez')).status).toBe(200);
      // Readiness: the code for any probe, the peers' endpoints and errors for the token only.
      guarded.fabric.healthy = false;
      const probe = await request(guarded.app).get('/readyz');
      expect([probe.status, probe.body]).toEqual([503, { status: 'not ready' }]);
      const detailed = await request(guarded.app).get('/readyz').set('Authorization', `Bearer ${token}`);
      expect(detailed.status).toBe(503);
      expect(detailed.body.orgs.length).toBeGreaterThan(0);
    });

    it('serves livez, readyz, metrics, openapi and the docs page without a CDN', async () => {
      expect((await request(h.app).get('/livez')).body).toEqual({ status: 'ok' });
      const ready = await request(h.app).get('/readyz');
      expect(ready.status).toBe(200);
      h.fabric.healthy = false;
      expect((await request(h.app).get('/readyz')).status).toBe(503);
      await request(h.app).get('/api/v1/me');
      const metrics = await request(h.app).get('/metrics');
      expect(metrics.text).toContain('cityledger_http_request_duration_seconds');
      expect(metrics.text).toContain('cityledger_errors_total{code="UNAUTHENTICATED"}');
      const spec = await request(h.app).get('/openapi.json');
      expect(spec.body.openapi).toBe('3.1.0');
      const docs = await request(h.app).get('/docs');
      expect(docs.text).toContain('/docs/swagger-ui-bundle.js');
      expect(docs.text).not.toMatch(/https?:\/\//);
      expect((await request(h.app).get('/docs/swagger-ui-bundle.js')).status).toBe(200);
    });

    it('logs each request with its request id, user and txId, and never a body, key or private input', async () => {
      const lines: string[] = [];
      const logged = await harness({ logLines: lines });
      logged.fabric.on('medical', 'MeasurementContract:RecordMeasurement', () => ({ ok: true }));
      const route = logged.api.routes.find((r) => r.id === 'medical.MeasurementContract.RecordMeasurement')!;
      const res = await request(logged.app)
        .post(`${route.path}?note=secret-query`)
        .set(bearer(logged.adminKeys.insurer))
        .set('x-request-id', 'req-42')
        .send({ patientId: 'p-1', transient: { measurement: { weightGrams: 71234 } } });
      expect(res.status).toBe(200);
      const entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'req-42' && l.msg === 'request');
      expect(entry).toMatchObject({ method: 'POST', path: '/api/v1/medical/measurements', status: 200, txId: res.body.txId, userId: 'insurer:insurer-gateway-admin' });
      const all = lines.join('\n');
      for (const secret of ['71234', 'secret-query', logged.adminKeys.insurer]) expect(all).not.toContain(secret);
    });

    it('sets security headers and echoes a request id', async () => {
      const res = await request(h.app).get('/livez').set('x-request-id', 'abc-123');
      expect(res.headers['x-request-id']).toBe('abc-123');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('answers CORS preflights only for configured origins', async () => {
      const withCors = await harness({ file: { corsOrigins: ['https://app.example'] } });
      const ok = await request(withCors.app).options('/api/v1/me').set('origin', 'https://app.example').set('access-control-request-method', 'GET');
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
      const other = await request(withCors.app).options('/api/v1/me').set('origin', 'https://evil.example').set('access-control-request-method', 'GET');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const none = await request(h.app).get('/livez').set('origin', 'https://app.example');
      expect(none.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('rate-limits per API key', async () => {
      const limited = await harness({ file: { rateLimit: { windowMs: 60000, max: 2 } } });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await request(limited.app).get('/api/v1/me').set(bearer(limited.adminKeys.city))).status);
      expect(statuses).toEqual([200, 200, 429]);
      // Another key has its own budget.
      expect((await request(limited.app).get('/api/v1/me').set(bearer(limited.adminKeys.port))).status).toBe(200);
    });

    it('limits the body size', async () => {
      const res = await request(h.app).post('/api/v1/claims/claims').set(bearer(adjusterKey)).send({ claimId: 'x'.repeat(300 * 1024), vin: VIN, amount: 1 });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });
});
