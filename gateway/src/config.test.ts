import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRegistrar } from './auth/service';
import { checkFiles, ConfigError, loadConfig } from './config';
import { topologyFixture } from './testing/fixtures';

describe('config', () => {
  it('derives every org, peer, CA and channel from the topology with state-dir defaults', () => {
    const cfg = loadConfig({ env: {}, topology: topologyFixture, file: {} });
    expect(cfg.host).toBe('127.0.0.1');
    expect(cfg.port).toBe(8080);
    expect(cfg.publicUrl).toBe('http://127.0.0.1:8080');
    expect(cfg.serve).toEqual(['city', 'insurer', 'port']);
    const insurer = cfg.orgs.find((o) => o.name === 'insurer')!;
    expect(insurer.peers.map((p) => [p.endpoint, p.hostAlias])).toEqual([
      ['127.0.0.1:9051', 'peer0.insurer'],
      ['127.0.0.1:9061', 'peer1.insurer'],
    ]);
    expect(insurer.peers[0].tlsCaFile).toMatch(/\.cityledger-test\/orgs\/insurer\/peers\/peer0\/tls\/ca\.crt$/);
    expect(insurer.ca.url).toBe('https://127.0.0.1:9054');
    // The CA root that signed the CA TLS certificate (Node trusts roots, not leaves).
    expect(insurer.ca.tlsCertFile).toMatch(/orgs\/insurer\/ca\/ca-cert\.pem$/);
    // The network tooling's layout: CA name ca-<org>, registrar secret in orgs/<org>/secrets.json.
    expect(insurer.ca.caName).toBe('ca-insurer');
    expect(insurer.ca.registrarFile).toMatch(/orgs\/insurer\/secrets\.json$/);
    expect(cfg.channels).toEqual([
      { name: 'city', orgs: ['city', 'insurer', 'port'], chaincodes: ['claims'] },
      { name: 'health', orgs: ['city', 'insurer'], chaincodes: ['medical'] },
    ]);
    expect(cfg.database).toMatch(/^sqlite:.*\.cityledger-test\/gateway\/gateway\.db$/);
  });

  it('lets env override the file and the file override the topology', () => {
    const cfg = loadConfig({
      env: { CITYLEDGER_GATEWAY_PORT: '9999', CITYLEDGER_GATEWAY_SERVE: 'insurer', CITYLEDGER_INSURER_REGISTRAR_ID: 'boss', CITYLEDGER_INSURER_REGISTRAR_SECRET: 'pw', CITYLEDGER_GATEWAY_DATABASE: 'postgres://u@db/x' },
      topology: topologyFixture,
      file: { port: 7000, timeouts: { endorse: 1234 }, orgs: [{ name: 'insurer', peers: [{ name: 'peer9', endpoint: 'h:1', hostAlias: 'h', tlsCaFile: '/x' }] }] },
    });
    expect(cfg.port).toBe(9999);
    expect(cfg.serve).toEqual(['insurer']);
    expect(cfg.timeouts).toMatchObject({ endorse: 1234, evaluate: 5000 });
    const insurer = cfg.orgs.find((o) => o.name === 'insurer')!;
    expect(insurer.peers).toEqual([{ name: 'peer9', endpoint: 'h:1', hostAlias: 'h', tlsCaFile: '/x' }]);
    expect(insurer.ca).toMatchObject({ registrarId: 'boss', registrarSecret: 'pw', url: 'https://127.0.0.1:9054' });
    expect(cfg.database).toBe('postgres://u@db/x');
  });

  it('lists every problem in one clear error', () => {
    let err: unknown;
    try {
      loadConfig({ env: { CITYLEDGER_GATEWAY_PORT: 'eighty', CITYLEDGER_GATEWAY_SERVE: 'mars', CITYLEDGER_GATEWAY_DATABASE: 'mysql://x', CITYLEDGER_GATEWAY_MASTER_KEY: 'x'.repeat(40) }, topology: topologyFixture, file: { timeouts: { endorse: -1 } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/\/port/);
    expect(msg).toMatch(/\/database/);
    expect(msg).toMatch(/\/timeouts\/endorse/);
    const err2 = (() => {
      try {
        loadConfig({ env: { CITYLEDGER_GATEWAY_SERVE: 'mars', CITYLEDGER_GATEWAY_MASTER_KEY: 'x'.repeat(40) }, topology: topologyFixture, file: {} });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err2?.message).toMatch(/unknown org "mars"/);
    expect(err2?.message).toMatch(/masterKey: must be 32 bytes/);
  });

  it('refuses a chaincode named like a path the gateway serves itself under /api/v1', () => {
    const topology = { ...topologyFixture, chaincodes: [...topologyFixture.chaincodes, { name: 'events', channel: 'city' }] };
    expect(() => loadConfig({ env: {}, topology, file: {} })).toThrow(/\/channels\/city: chaincode "events" is named like a path the gateway serves itself/);
  });

  it('reads the real topology.yaml', () => {
    const cfg = loadConfig({ env: {}, file: {} });
    expect(cfg.orgs.map((o) => o.mspId)).toEqual(['CityMSP', 'HospitalMSP', 'InsurerMSP', 'PortMSP']);
    expect(cfg.channels.find((c) => c.name === 'health')?.chaincodes).toEqual(['medical']);
  });

  it('checkFiles names each missing certificate and credential file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const cfg = loadConfig({ env: { CITYLEDGER_STATE_DIR: dir, CITYLEDGER_GATEWAY_SERVE: 'port' }, topology: topologyFixture, file: {} });
    expect(() => checkFiles(cfg)).toThrow(/port\/peer0: peer TLS CA .*\n.*CA TLS certificate.*\n.*registrar credentials/);
    const org = cfg.orgs.find((o) => o.name === 'port')!;
    for (const f of [org.peers[0].tlsCaFile, org.ca.tlsCertFile, org.ca.registrarFile]) {
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, 'x');
    }
    writeFileSync(org.ca.registrarFile, JSON.stringify({ registrar: 's3cret', 'client:x': 'y' }));
    expect(() => checkFiles(cfg)).not.toThrow();
    expect(readRegistrar(org)).toEqual({ id: 'registrar', secret: 's3cret' });
    writeFileSync(org.ca.registrarFile, JSON.stringify({ nothing: 1 }));
    expect(() => readRegistrar(org)).toThrow(/must hold/);
  });

  it('refuses an operator admin key not in the clk_ form, without echoing it', () => {
    const bad = 'x'.repeat(30);
    expect(() => loadConfig({ env: { CITYLEDGER_CITY_ADMIN_KEY: bad }, topology: topologyFixture, file: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { CITYLEDGER_CITY_ADMIN_KEY: bad }, topology: topologyFixture, file: {} })).toThrow(/\/orgs\/city\/adminKey \(CITYLEDGER_CITY_ADMIN_KEY\): must look like clk_/);
    expect(() => loadConfig({ env: { CITYLEDGER_CITY_ADMIN_KEY: bad }, topology: topologyFixture, file: {} })).not.toThrow(new RegExp(bad));
    const good = `clk_${'a'.repeat(12)}_${'b'.repeat(32)}`;
    expect(loadConfig({ env: { CITYLEDGER_CITY_ADMIN_KEY: good }, topology: topologyFixture, file: {} }).orgs[0].adminKey).toBe(good);
  });

  it('checkFiles reads the registrar and admin key files: unreadable or malformed ones are a ConfigError, not a bootstrap failing for ever', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const adminKeyFile = path.join(dir, 'admin.key');
    const cfg = loadConfig({ env: { CITYLEDGER_STATE_DIR: dir, CITYLEDGER_GATEWAY_SERVE: 'port', CITYLEDGER_PORT_ADMIN_KEY_FILE: adminKeyFile }, topology: topologyFixture, file: {} });
    const org = cfg.orgs.find((o) => o.name === 'port')!;
    for (const f of [org.peers[0].tlsCaFile, org.ca.tlsCertFile, org.ca.registrarFile]) {
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, 'x');
    }
    const problems = () => {
      try {
        checkFiles(cfg);
        return undefined;
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
    };
    // Not JSON (and the parser's message, which quotes the file, is not repeated); no key file.
    writeFileSync(org.ca.registrarFile, 'registrar-s3cret');
    expect(problems()).toMatch(/invalid files:\n {2}port: .*secrets\.json must hold .*: not valid JSON\n {2}port: admin key file .*admin\.key: ENOENT/);
    expect(problems()).not.toMatch(/s3cret/);
    writeFileSync(org.ca.registrarFile, JSON.stringify(['registrar']));
    writeFileSync(adminKeyFile, 'not-a-key\n');
    expect(problems()).toMatch(/port: .*secrets\.json must hold[^\n]*\n {2}port: admin key file .*: an admin API key must look like clk_/);
    writeFileSync(org.ca.registrarFile, JSON.stringify({ registrar: 's3cret' }));
    writeFileSync(adminKeyFile, `clk_${'a'.repeat(12)}_${'b'.repeat(32)}\n`);
    expect(problems()).toBeUndefined();
  });

  it('accepts the host and port names the network tooling passes', () => {
    const cfg = loadConfig({ env: { GATEWAY_HOST: '0.0.0.0', GATEWAY_PORT: '8181' }, topology: topologyFixture, file: {} });
    expect([cfg.host, cfg.port, cfg.publicUrl]).toEqual(['0.0.0.0', 8181, 'http://0.0.0.0:8181']);
  });

  it('takes a metrics token from the env, none by default, and refuses a short one', () => {
    expect(loadConfig({ env: {}, topology: topologyFixture, file: {} }).metricsToken).toBeUndefined();
    const token = 'x'.repeat(32);
    expect(loadConfig({ env: { CITYLEDGER_GATEWAY_METRICS_TOKEN: token }, topology: topologyFixture, file: {} }).metricsToken).toBe(token);
    expect(() => loadConfig({ env: { CITYLEDGER_GATEWAY_METRICS_TOKEN: 'short' }, topology: topologyFixture, file: {} })).toThrow(/metricsToken/);
  });
});
