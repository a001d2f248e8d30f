import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { normaliseMetadata } from '../api/metadata';
import { createApp } from '../app';
import { CaIdentity, certificateInfo, FabricCa, RegisterRequest } from '../auth/ca-client';
import { selfSigned } from './certs';
import { Sealer } from '../auth/secrets';
import { AuthService } from '../auth/service';
import { Config, loadConfig } from '../config';
import { EventHub } from '../events/hub';
import { Deliver, WebhookDispatcher } from '../events/webhooks';
import { FakeFabric } from '../fabric/fake';
import { TransactionService } from '../fabric/transactions';
import { DocumentService } from '../offchain/documents';
import { anchorVia, TelemetryService } from '../offchain/telemetry';
import { Metrics } from '../ops/metrics';
import { Store } from '../store/store';
import { SqliteDb } from '../store/sqlite';
import { Db } from '../store/db';
import { PostgresDb } from '../store/postgres';
import { Client } from 'pg';
import { claimsMetadata, medicalMetadata, topologyFixture } from './fixtures';

/**
 * A fake Fabric CA: remembers registrations, enrols with real P-256 keys and real (self-signed)
 * certificates for CN=<enrollmentId>, valid `lifetimeMs` (a year, as Fabric CA's default).
 */
export class FakeCa implements FabricCa {
  readonly registered = new Map<string, RegisterRequest & { secret: string }>();
  /** Enrolment ids renewed by reenroll, in order. */
  readonly reenrolled: string[] = [];
  lifetimeMs = 365 * 24 * 3600 * 1000;
  /** Errors the next reenroll calls throw. */
  readonly reenrollFailures: Error[] = [];

  async enroll(enrollmentId: string, secret: string) {
    const r = this.registered.get(enrollmentId);
    if (enrollmentId !== 'registrar' && (!r || r.secret !== secret)) throw new Error('authentication failure');
    return this.issue(enrollmentId);
  }
  register(_registrar: unknown, req: RegisterRequest) {
    const secret = req.secret ?? randomBytes(8).toString('hex');
    this.registered.set(req.enrollmentId, { ...req, secret });
    return Promise.resolve(secret);
  }
  async reenroll(current: CaIdentity) {
    const failure = this.reenrollFailures.shift();
    if (failure) throw failure;
    const { commonName } = certificateInfo(current.certificate);
    this.reenrolled.push(commonName);
    return this.issue(commonName);
  }
  private async issue(enrollmentId: string) {
    const { cert, key } = await selfSigned(enrollmentId, undefined, this.lifetimeMs);
    return { certificate: cert, privateKey: key };
  }
}

export interface Harness {
  config: Config;
  fabric: FakeFabric;
  ca: FakeCa;
  store: Store;
  auth: AuthService;
  tx: TransactionService;
  hub: EventHub;
  webhooks: WebhookDispatcher;
  app: ReturnType<typeof createApp>['app'];
  api: ReturnType<typeof createApp>['api'];
  adminKeys: Record<string, string>;
  masterKey: Buffer;
  bootId: string;
  delivered: Array<{ url: string; body: string; headers: Record<string, string> }>;
  deliverStatus: number[];
}

/**
 * The test database: in-memory SQLite, or a fresh schema of the PostgreSQL server named by
 * CITYLEDGER_TEST_POSTGRES_URL, so the same suites run on both backends.
 */
export async function testDb(): Promise<Db> {
  return (await persistentTestDb(':memory:'))();
}

/** A database that outlives one gateway: each call opens a new connection to the same data (restart tests). */
export async function persistentTestDb(sqliteFile: string): Promise<() => Db> {
  const url = process.env.CITYLEDGER_TEST_POSTGRES_URL;
  if (!url) return () => new SqliteDb(sqliteFile);
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return () => new PostgresDb(url, schema);
}

/** Builds a complete app over a FakeFabric and a fresh (or given) database, admins bootstrapped. */
export async function harness(opts: { db?: Db; fabric?: FakeFabric; masterKey?: Buffer; bootId?: string; conflictRetries?: number; idempotencyLeaseMs?: number; adminKeys?: Record<string, string>; file?: Record<string, unknown>; logLines?: string[] } = {}): Promise<Harness> {
  const config = loadConfig({ env: {}, topology: topologyFixture, file: { webhooks: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 1000, allowInsecure: true }, rateLimit: { windowMs: 60000, max: 1000 }, apiKeyCacheMs: 100, ...opts.file } });
  const log = opts.logLines ? pino({ level: 'info' }, { write: (line: string) => void opts.logLines!.push(line) }) : pino({ level: 'silent' });
  const store = new Store(opts.db ?? (await testDb()));
  await store.migrate();
  const fabric = opts.fabric ?? new FakeFabric();
  const ca = new FakeCa();
  const masterKey = opts.masterKey ?? randomBytes(32);
  const sealer = new Sealer(masterKey);
  const auth = new AuthService(store, sealer, config.orgs, () => ca, masterKey, log, undefined, { maxRateLimitPerKey: config.rateLimit.maxPerKey, apiKeyCacheMs: config.apiKeyCacheMs, keysPerUser: config.rateLimit.keysPerUser });
  const bootId = opts.bootId ?? `boot-${randomBytes(4).toString('hex')}`;
  const tx = new TransactionService(fabric, store, { conflictRetries: opts.conflictRetries ?? 2, bootId, publicUrl: 'http://gw.test', idempotencyLeaseMs: opts.idempotencyLeaseMs }, log, undefined, (id) => auth.identity(id));
  const hub = new EventHub();
  const delivered: Harness['delivered'] = [];
  const deliverStatus: number[] = [];
  const deliver: Deliver = (url, body, headers) => {
    delivered.push({ url, body, headers });
    return Promise.resolve(deliverStatus.shift() ?? 200);
  };
  const channelsOfOrg = (org: string) => config.channels.filter((c) => c.orgs.includes(org)).map((c) => c.name);
  const webhooks = new WebhookDispatcher(store, hub, sealer, config.webhooks, channelsOfOrg, log, deliver, () => Promise.resolve(), () => 1700000000);
  const telemetry = new TelemetryService(store, 8, anchorVia(tx, masterKey), (id) => auth.identity(id), config.telemetry.maxBatch);
  const documents = new DocumentService(store, sealer);
  const { app, api } = createApp({ config, store, port: fabric, auth, tx, hub, webhooks, telemetry, documents, metrics: new Metrics(), log, masterKey, version: 'test' });
  api.set(normaliseMetadata('claims', 'city', claimsMetadata));
  api.set(normaliseMetadata('medical', 'health', medicalMetadata));

  const adminKeys: Record<string, string> = {};
  const out = `/tmp/cityledger-test-admin-keys-${process.pid}-${randomBytes(4).toString('hex')}.json`;
  for (const org of config.orgs) {
    // Given: another process's configured keys (processes sharing a database share their configuration).
    const key = opts.adminKeys?.[org.name] ?? `clk_${org.name.padEnd(12, 'x').slice(0, 12)}_${randomBytes(24).toString('base64url')}`;
    await auth.bootstrapOrg({ ...org, adminKey: key }, { id: 'registrar', secret: 'pw' }, out);
    adminKeys[org.name] = key;
  }
  return { config, fabric, ca, store, auth, tx, hub, webhooks, app, api, adminKeys, masterKey, bootId, delivered, deliverStatus };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
