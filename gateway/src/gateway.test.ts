import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from './config';
import { FakeFabric } from './fabric/fake';
import { startGateway } from './gateway';
import { claimsMetadata, medicalMetadata, topologyFixture } from './testing/fixtures';
import { FakeCa } from './testing/harness';

/** The whole process wiring (startGateway) over a fake Fabric and CA: bootstrap, metadata, listen, stop. */
describe('startGateway', () => {
  it('bootstraps org admins, writes their keys owner-only, loads metadata and serves the API', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'gw-start-'));
    const metadataDir = path.join(state, 'metadata');
    mkdirSync(metadataDir);
    writeFileSync(path.join(metadataDir, 'claims.json'), JSON.stringify(claimsMetadata));
    writeFileSync(path.join(metadataDir, 'medical.json'), JSON.stringify(medicalMetadata));
    const env = { CITYLEDGER_STATE_DIR: state, CITYLEDGER_GATEWAY_PORT: '0', CITYLEDGER_GATEWAY_METADATA_DIR: metadataDir, CITYLEDGER_GATEWAY_SERVE: 'city,insurer' };
    for (const org of ['CITY', 'INSURER']) Object.assign(env, { [`CITYLEDGER_${org}_REGISTRAR_ID`]: 'registrar', [`CITYLEDGER_${org}_REGISTRAR_SECRET`]: 'pw' });
    const cfg = loadConfig({ env, topology: topologyFixture, file: {} });
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
});
