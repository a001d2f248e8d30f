import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import pino from 'pino';
import { Sealer } from './auth/secrets';
import { loadConfig } from './config';
import { Projector } from './events/projections';
import { FakeFabric, fakeIdentity } from './fabric/fake';
import { openDb, Store } from './store/store';
import { startGateway } from './gateway';
import { claimsMetadata, medicalMetadata, topologyFixture } from './testing/fixtures';
import { FakeCa } from './testing/harness';
import * as sleep from './sleep';

/** Config of a gateway serving city and insurer, in a fresh state dir, metadata read from files. */
function cityAndInsurerGateway() {
  const state = mkdtempSync(path.join(os.tmpdir(), 'gw-start-'));
  const metadataDir = path.join(state, 'metadata');
  mkdirSync(metadataDir);
  writeFileSync(path.join(metadataDir, 'claims.json'), JSON.stringify(claimsMetadata));
  writeFileSync(path.join(metadataDir, 'medical.json'), JSON.stringify(medicalMetadata));
  const env = { CITYLEDGER_STATE_DIR: state, CITYLEDGER_GATEWAY_PORT: '0', CITYLEDGER_GATEWAY_METADATA_DIR: metadataDir, CITYLEDGER_GATEWAY_SERVE: 'city,insurer' };
  for (const org of ['CITY', 'INSURER']) Object.assign(env, { [`CITYLEDGER_${org}_REGISTRAR_ID`]: 'registrar', [`CITYLEDGER_${org}_REGISTRAR_SECRET`]: 'pw' });
  return { state, cfg: loadConfig({ env, topology: topologyFixture, file: {} }) };
}

/** The whole process wiring (startGateway) over a fake Fabric and CA: bootstrap, metadata, listen, stop. */
describe('startGateway', () => {
  it('bootstraps org admins, writes their keys owner-only, loads metadata and serves the API', async () => {
    const { state, cfg } = cityAndInsurerGateway();
    const fabric = new FakeFabric().on('claims', 'ClaimContract:GetClaim', ({ args }) => ({ claimId: args[0] }));
    const ca = new FakeCa();
    const gw = await startGateway(cfg, { port: fabric, ca: () => ca, log: pino({ level: 'silent' }) });
    let stopped = false;
    try {
      let ready: Response | undefined;
      for (let i = 0; i < 200; i++) {
        ready = await fetch(`${gw.url}/readyz`);
        if (ready.status === 200) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(ready?.status).toBe(200);
      const keysFile = path.join(state, 'gateway', 'admin-keys.json');
      expect(statSync(keysFile).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(state, 'gateway', 'master.key')).mode & 0o777).toBe(0o600);
      const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, { apiKey: string; userId: string }>;
      expect(Object.keys(keys).sort()).toEqual(['city', 'insurer']);
      expect(keys.city.userId).toBe('city:city-gateway-admin');
      expect(ca.registered.get('city-gateway-admin')?.attrs).toEqual([{ name: 'role', value: 'admin' }]);
      const res = await fetch(`${gw.url}/api/v1/claims/claims/c-9`, { headers: { authorization: `Bearer ${keys.insurer.apiKey}` } });
      expect(await res.json()).toEqual({ result: { claimId: 'c-9' } });
      const docs = (await (await fetch(`${gw.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(docs.paths)).toContain('/api/v1/claims/claims/{claimId}');
      // An open SSE stream does not keep the gateway from stopping: it is ended (clients resume by id).
      const stream = await fetch(`${gw.url}/api/v1/events`, { headers: { authorization: `Bearer ${keys.city.apiKey}` } });
      expect(stream.headers.get('content-type')).toBe('text/event-stream');
      const body = stream.text();
      await gw.stop();
      stopped = true;
      expect(await body).toContain(': cityledger events');
    } finally {
      if (!stopped) await gw.stop();
    }
    // A restart keeps the same admin key (nothing regenerated) and the same database.
    const before = readFileSync(path.join(state, 'gateway', 'admin-keys.json'), 'utf8');
    const again = await startGateway(cfg, { port: fabric, ca: () => ca, log: pino({ level: 'silent' }) });
    try {
      const keys = JSON.parse(before) as Record<string, { apiKey: string }>;
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = (await fetch(`${again.url}/api/v1/me`, { headers: { authorization: `Bearer ${keys.city.apiKey}` } })).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 10));
      }
      expect(status).toBe(200);
      expect(readFileSync(path.join(state, 'gateway', 'admin-keys.json'), 'utf8')).toBe(before);
    } finally {
      await again.stop();
    }
  });

  it("renews at start the certificates due within 30 days (org admins' and registrars' here), and counts the renewals in /metrics", async () => {
    const { cfg } = cityAndInsurerGateway();
    const ca = new FakeCa();
    ca.lifetimeMs = 10 * 24 * 3600 * 1000; // what bootstrap enrols ends in 10 days
    const gw = await startGateway(cfg, { port: new FakeFabric(), ca: () => ca, log: pino({ level: 'silent' }) });
    try {
      const renewed = async () =>
        Number(/^cityledger_certificate_renewals_total\{outcome="renewed"\} (\d+)$/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1] ?? 0);
      for (let i = 0; i < 300 && (await renewed()) < 4; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await renewed()).toBe(4);
      // Each once, though the start-up work asks for the admins' identities concurrently.
      expect(ca.reenrolled.sort()).toEqual(['city-gateway-admin', 'insurer-gateway-admin', 'registrar', 'registrar']);
    } finally {
      await gw.stop();
    }
  });

  it('retries each start-up step on its own: projections, webhooks and unfinished transactions that fail once (SQLITE_BUSY) still happen', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'gw-start-'));
    const metadataDir = path.join(state, 'metadata');
    mkdirSync(metadataDir);
    writeFileSync(path.join(metadataDir, 'claims.json'), JSON.stringify(claimsMetadata));
    const masterKey = randomBytes(32);
    const received: string[] = [];
    const hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const env = {
      CITYLEDGER_STATE_DIR: state,
      CITYLEDGER_GATEWAY_PORT: '0',
      CITYLEDGER_GATEWAY_METADATA_DIR: metadataDir,
      CITYLEDGER_GATEWAY_SERVE: 'city',
      CITYLEDGER_GATEWAY_MASTER_KEY: masterKey.toString('hex'),
      CITYLEDGER_GATEWAY_WEBHOOKS_ALLOW_INSECURE: 'true',
      CITYLEDGER_CITY_REGISTRAR_ID: 'registrar',
      CITYLEDGER_CITY_REGISTRAR_SECRET: 'pw',
    };
    const cfg = loadConfig({ env, topology: topologyFixture, file: { channels: [{ name: 'city', orgs: ['city', 'insurer', 'port'], chaincodes: ['claims'] }] } });
    const fabric = new FakeFabric();
    // Left by the previous run: an event not yet projected nor delivered to a webhook, a transaction sent
    // (it committed) whose outcome was not learnt.
    const before = new Store(openDb(cfg.database));
    await before.migrate();
    const payload = Buffer.from(JSON.stringify({ events: [{ type: 'ClaimFiled', data: { claimId: 'c1', status: 'FILED' } }] })).toString('base64');
    await before.insertEvents([{ channel: 'city', chaincode: 'claims', block_number: '5', tx_id: 'e1', event_name: 'claim.FileClaim', payload }]);
    await before.insertWebhook({ id: 'w1', user_id: 'city:city-gateway-admin', org: 'city', url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/in`, secret_enc: new Sealer(masterKey).seal('s', 'webhook:w1'), channel: null, chaincode: null, event_name: null, last_seq: 0 });
    const txId = 'ab'.repeat(32);
    await fabric.submit(fakeIdentity('city', 'CityMSP'), 'city', new Uint8Array(Buffer.from(`tx:${txId}`)));
    const commitBytes = Buffer.from(`commit:${txId}`).toString('base64');
    await before.insertTx({ tx_id: txId, user_id: 'city:city-gateway-admin', org: 'city', channel: 'city', chaincode: 'claims', transaction_name: 'ClaimContract:FileClaim', tx_bytes: null, result: null, state: 'submitted', commit_bytes: commitBytes });
    await before.close();

    const busy = () => Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' });
    const catchUp = jest.spyOn(Projector.prototype, 'catchUp').mockRejectedValueOnce(busy());
    const activeWebhooks = jest.spyOn(Store.prototype, 'activeWebhooks').mockRejectedValueOnce(busy());
    const pendingTxs = jest.spyOn(Store.prototype, 'pendingTxs').mockRejectedValueOnce(busy());
    const ca = new FakeCa();
    const gw = await startGateway(cfg, { port: fabric, ca: () => ca, log: pino({ level: 'silent' }) });
    const check = new Store(openDb(cfg.database));
    try {
      const done = async () => received.length > 0 && (await check.getTx(txId))?.state === 'committed' && (await check.getProjection('city', 'claims', 'claim', 'c1')) !== undefined;
      for (let i = 0; i < 1000 && !(await done()); i++) await new Promise((r) => setTimeout(r, 10));
      expect([catchUp, activeWebhooks, pendingTxs].map((spy) => spy.mock.calls.length >= 2)).toEqual([true, true, true]);
      expect(received.map((b) => JSON.parse(b).txId)).toEqual(['e1']);
      expect(await check.getTx(txId)).toMatchObject({ state: 'committed', validation_code: 'VALID' });
      expect(await check.getProjection('city', 'claims', 'claim', 'c1')).toMatchObject({ status: 'FILED' });
    } finally {
      jest.restoreAllMocks();
      await check.close();
      await gw.stop();
      hooks.close();
    }
  });

  it('a gateway stopped while it retried loading metadata starts no refresh timer afterwards', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'gw-start-'));
    const env = { CITYLEDGER_STATE_DIR: state, CITYLEDGER_GATEWAY_PORT: '0', CITYLEDGER_GATEWAY_SERVE: 'city', CITYLEDGER_CITY_REGISTRAR_ID: 'registrar', CITYLEDGER_CITY_REGISTRAR_SECRET: 'pw' };
    const refreshMs = 43219;
    const cfg = loadConfig({ env, topology: topologyFixture, file: { metadataRefreshMs: refreshMs, channels: [{ name: 'city', orgs: ['city'], chaincodes: ['claims'] }] } });
    // No GetMetadata handler and nothing cached: loading the metadata fails and is retried after a pause,
    // which this test ends only once the gateway has stopped.
    const fabric = new FakeFabric();
    let endPause!: () => void;
    const pause = new Promise<void>((r) => (endPause = r));
    const paused = jest.spyOn(sleep, 'realSleep').mockImplementation(() => pause);
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    const ca = new FakeCa();
    try {
      const gw = await startGateway(cfg, { port: fabric, ca: () => ca, log: pino({ level: 'silent' }) });
      const metadataFailed = () => paused.mock.calls.length > 0 && fabric.calls.some((c) => c.kind === 'evaluate' && c.spec?.transaction === 'org.hyperledger.fabric:GetMetadata');
      for (let i = 0; i < 1000 && !metadataFailed(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(metadataFailed()).toBe(true);
      await gw.stop();
      endPause();
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(setIntervalSpy.mock.calls.filter(([, ms]) => ms === refreshMs)).toHaveLength(0);
    } finally {
      endPause();
      jest.restoreAllMocks();
    }
  });

  it("reads chaincode metadata again on request (a deploy's SIGHUP): new transactions get routes without a restart", async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'gw-start-'));
    const env = { CITYLEDGER_STATE_DIR: state, CITYLEDGER_GATEWAY_PORT: '0', CITYLEDGER_GATEWAY_SERVE: 'city', CITYLEDGER_CITY_REGISTRAR_ID: 'registrar', CITYLEDGER_CITY_REGISTRAR_SECRET: 'pw' };
    // No periodic refresh: only the request can pick the upgrade up.
    const cfg = loadConfig({ env, topology: topologyFixture, file: { metadataRefreshMs: 0, channels: [{ name: 'city', orgs: ['city'], chaincodes: ['claims'] }] } });
    let metadata = claimsMetadata;
    const fabric = new FakeFabric().on('claims', 'org.hyperledger.fabric:GetMetadata', () => metadata);
    const ca = new FakeCa();
    const gw = await startGateway(cfg, { port: fabric, ca: () => ca, log: pino({ level: 'silent' }) });
    const paths = async () => Object.keys(((await (await fetch(`${gw.url}/openapi.json`)).json()) as { paths: Record<string, unknown> }).paths);
    try {
      for (let i = 0; i < 200 && !(await paths()).includes('/api/v1/claims/claims/{claimId}'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await paths()).toContain('/api/v1/claims/claims/{claimId}');
      const contract = claimsMetadata.contracts.ClaimContract;
      const upgraded = { name: 'WithdrawClaim', tag: ['SUBMIT', 'submitTx'], parameters: [{ name: 'claimId', schema: { type: 'string' } }] };
      metadata = { ...claimsMetadata, contracts: { ...claimsMetadata.contracts, ClaimContract: { ...contract, transactions: [...(contract.transactions ?? []), upgraded] } } };
      const before = await paths();
      await gw.refreshApis();
      const added = (await paths()).filter((p) => !before.includes(p));
      expect(added).toEqual([expect.stringMatching(/withdraw/i)]);
    } finally {
      await gw.stop();
    }
  });
});
