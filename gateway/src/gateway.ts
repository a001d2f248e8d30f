import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import path from 'node:path';
import pino, { Logger } from 'pino';
import { normaliseMetadata, RawMetadata } from './api/metadata';
import { createApp } from './app';
import { FabricCa, FabricCaClient } from './auth/ca-client';
import { Sealer } from './auth/secrets';
import { readRegistrar } from './auth/org-secrets';
import { AuthService } from './auth/service';
import { Config, decodeKey, servedOrgs } from './config';
import { EventHub } from './events/hub';
import { ChaincodeEventListener } from './events/listener';
import { CommitTracker } from './fabric/commits';
import { realSleep } from './sleep';
import { Projector } from './events/projections';
import { WebhookDispatcher } from './events/webhooks';
import { Retention } from './store/retention';
import { FabricGatewayAdapter } from './fabric/adapter';
import { FabricPort } from './fabric/port';
import { TransactionService } from './fabric/transactions';
import { DocumentService } from './offchain/documents';
import { anchorVia, TelemetryService } from './offchain/telemetry';
import { Metrics } from './ops/metrics';
import { openDb, Store } from './store/store';

export const VERSION = '0.1.0';

export interface GatewayOverrides {
  port?: FabricPort;
  ca?: (org: string) => FabricCa;
  log?: Logger;
}

export interface RunningGateway {
  server: Server;
  url: string;
  /**
   * Reads every chaincode's metadata again now and swaps in the API of any that changed (what the
   * periodic refresh does): after a chaincode upgrade, without a restart that would refuse requests.
   */
  refreshApis(): Promise<void>;
  stop(): Promise<void>;
}

/** Reads the master key from config, or from its file; on local defaults creates it (mode 0600) once. */
export function masterKeyOf(cfg: Config): Buffer {
  if (cfg.masterKey) return decodeKey(cfg.masterKey)!;
  if (!existsSync(cfg.masterKeyFile)) {
    mkdirSync(path.dirname(cfg.masterKeyFile), { recursive: true, mode: 0o700 });
    writeFileSync(cfg.masterKeyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(cfg.masterKeyFile, 0o600);
  }
  const key = decodeKey(readFileSync(cfg.masterKeyFile, 'utf8'));
  if (!key) throw new Error(`${cfg.masterKeyFile} must hold 32 bytes (hex or base64)`);
  return key;
}

/** How often every user's certificate is checked for renewal (AuthService.renewDueCertificates). */
const CERTIFICATE_SWEEP_MS = 24 * 3600 * 1000;

/** Wires everything and listens. Background work (bootstrap, metadata, listeners) retries until it succeeds. */
export async function startGateway(cfg: Config, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const log =
    overrides.log ??
    pino({
      level: cfg.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'apiKey', 'secret', 'privateKey'],
    });
  const masterKey = masterKeyOf(cfg);
  const sealer = new Sealer(masterKey);
  const store = new Store(openDb(cfg.database));
  await store.migrate();
  const orgs = servedOrgs(cfg);
  const port = overrides.port ?? new FabricGatewayAdapter(orgs, cfg.timeouts);
  const caClients = new Map<string, FabricCa>();
  const ca =
    overrides.ca ??
    ((org: string) => {
      let c = caClients.get(org);
      if (!c) {
        const o = cfg.orgs.find((x) => x.name === org)!;
        c = new FabricCaClient(o.ca.url, readFileSync(o.ca.tlsCertFile), o.ca.caName);
        caClients.set(org, c);
      }
      return c;
    });
  const metrics = new Metrics(true);
  const forget = (userId: string) => (port instanceof FabricGatewayAdapter ? port.forget(userId) : undefined);
  const auth = new AuthService(store, sealer, orgs, ca, masterKey, log, forget, {
    maxRateLimitPerKey: cfg.rateLimit.maxPerKey,
    apiKeyCacheMs: cfg.apiKeyCacheMs,
    keysPerUser: cfg.rateLimit.keysPerUser,
    onRenewal: (outcome) => metrics.certificateRenewals.inc({ outcome }),
  });
  const bootId = randomUUID();
  // Commit outcomes come from one block stream per org and channel, read as the org's gateway admin.
  const commits = new CommitTracker(port, (org) => auth.identity(auth.adminUserId(org)), cfg.timeouts.commitStatus, log);
  const tx = new TransactionService(
    port,
    store,
    { conflictRetries: cfg.conflictRetries, bootId, publicUrl: cfg.publicUrl, idempotencyLeaseMs: cfg.idempotencyLeaseMs },
    log,
    {
      stage: (stage, s) => metrics.fabricStage.observe({ stage }, s),
      retry: () => metrics.conflictRetries.inc(),
    },
    (userId) => auth.identity(userId),
    commits,
  );
  const hub = new EventHub();
  const channelsOfOrg = (org: string) => cfg.channels.filter((c) => c.orgs.includes(org)).map((c) => c.name);
  const webhooks = new WebhookDispatcher(store, hub, sealer, cfg.webhooks, channelsOfOrg, log);
  const telemetry = new TelemetryService(
    store,
    cfg.telemetry.maxWindow,
    anchorVia(tx, masterKey),
    (userId) => auth.identity(userId),
    cfg.telemetry.maxBatch,
  );
  const retention = new Retention(store, cfg.retention, log, (table, rows) => metrics.prunedRows.inc({ table }, rows));
  const documents = new DocumentService(store, sealer);
  const { app, api } = createApp({
    config: cfg,
    store,
    port,
    auth,
    documents,
    tx,
    hub,
    webhooks,
    telemetry,
    metrics,
    log,
    masterKey,
    version: VERSION,
  });

  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 calls back with the error (e.g. EADDRINUSE) instead of emitting it: without this check a
    // gateway that could not bind its port announced that it was listening.
    const s = app.listen(cfg.port, cfg.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.on('error', reject);
  });
  const addr = server.address();
  const url = typeof addr === 'object' && addr ? `http://${cfg.host}:${addr.port}` : cfg.publicUrl;

  let stopping = false;
  const listeners: ChaincodeEventListener[] = [];
  const timers: NodeJS.Timeout[] = [];
  /** Each chaincode's metadata load, once its first load has succeeded (refreshApis runs them). */
  const metadataLoads = new Map<string, () => Promise<void>>();
  /** Runs a start-up step until it succeeds; false when the gateway stopped first. */
  const retrying = async (what: string, fn: () => Promise<void>): Promise<boolean> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await fn();
        return true;
      } catch (err) {
        log.warn({ what, attempt, err: (err as Error).message }, 'startup step failed; retrying');
        await realSleep(Math.min(30000, 500 * 2 ** Math.min(attempt, 6)));
      }
    }
    return false;
  };

  void (async () => {
    // 1. org admins (needs each org's CA)
    await Promise.all(
      orgs.map((o) =>
        retrying(`bootstrap ${o.name}`, () => auth.bootstrapOrg(o, readRegistrar(o), cfg.adminKeysOut)),
      ),
    );
    // Stopped while a bootstrap was being retried: start nothing more (stop() has cleared what there was).
    if (stopping) return;
    // Certificates due for renewal, now and daily: users who make no calls would otherwise reach their end.
    const renewCertificates = () =>
      void auth
        .renewDueCertificates()
        .then((due) => due > 0 && log.info({ due }, 'certificates due for renewal handled'))
        .catch((err: Error) => log.warn({ err: err.message }, 'certificate renewal sweep failed'));
    renewCertificates();
    const renewal = setInterval(renewCertificates, CERTIFICATE_SWEEP_MS);
    renewal.unref();
    timers.push(renewal);
    // 2. chaincode metadata → routes
    for (const ch of cfg.channels) {
      const member = orgs.find((o) => ch.orgs.includes(o.name));
      for (const cc of ch.chaincodes) {
        const fetchMeta = member
          ? async () => {
              const identity = await auth.identity(auth.adminUserId(member.name));
              const bytes = await port.evaluate(identity, {
                channel: ch.name,
                chaincode: cc,
                transaction: 'org.hyperledger.fabric:GetMetadata',
                args: [],
              });
              return Buffer.from(bytes).toString('utf8');
            }
          : undefined;
        let current = '';
        const load = async () => {
          const raw = await loadMetadata(cfg, store, cc, fetchMeta);
          const text = JSON.stringify(raw);
          if (text === current) return;
          current = text;
          api.set(normaliseMetadata(cc, ch.name, raw));
          log.info(
            { chaincode: cc, routes: api.routes.filter((r) => r.chaincode === cc).length },
            'chaincode API ready',
          );
        };
        void retrying(`metadata ${cc}`, load).then((loaded) => {
          // Stopped during the retries: stop() has cleared the timers already, a timer started now would
          // refresh a closed store for ever.
          if (!loaded || stopping) return;
          metadataLoads.set(cc, load);
          // A chaincode upgrade changes its metadata: pick new transactions up without a restart.
          if (cfg.metadataRefreshMs > 0 && !cfg.metadataDir && fetchMeta) {
            const timer = setInterval(
              () =>
                void load().catch((err: Error) =>
                  log.warn({ chaincode: cc, err: err.message }, 'metadata refresh failed'),
                ),
              cfg.metadataRefreshMs,
            );
            timer.unref();
            timers.push(timer);
          }
        });
        // 3. event listeners (one per channel/chaincode, as the first served member org's admin)
        if (member) {
          const l = new ChaincodeEventListener(
            port,
            store,
            hub,
            ch.name,
            cc,
            () => auth.identity(auth.adminUserId(member.name)),
            log,
          );
          listeners.push(l);
          void l.run();
        }
      }
    }
    // 4. projections, webhooks, unfinished transactions
    const projector = new Projector(store);
    hub.subscribe(
      () =>
        void projector.catchUp().catch((err: Error) => log.error({ err: err.message }, 'projection failed')),
    );
    // Each retried on its own: one failing once (SQLITE_BUSY) must not leave webhooks, the following of
    // unfinished transactions or retention off until a restart.
    await Promise.all([
      // 5. retention (after the projector has caught up: it bounds which events may go)
      retrying('projections', () => projector.catchUp()).then((done) => {
        if (done && !stopping) retention.start();
      }),
      retrying('webhooks', () => webhooks.start()),
      retrying('pending transactions', () => tx.recoverPending()),
    ]);
  })().catch((err: Error) => log.error({ err: err.message }, 'background start failed'));

  return {
    server,
    url,
    async refreshApis() {
      await Promise.all(
        [...metadataLoads].map(([chaincode, load]) =>
          load().catch((err: Error) => log.warn({ chaincode, err: err.message }, 'metadata refresh failed')),
        ),
      );
    },
    async stop() {
      stopping = true;
      for (const t of timers) clearInterval(t);
      for (const l of listeners) l.stop();
      commits.close();
      webhooks.stop();
      await retention.stop();
      hub.shutdown();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await closed;
      port.close();
      await store.close();
    },
  };
}

/** Metadata from <metadataDir>/<chaincode>.json, else the peers (cached in the database for restarts). */
async function loadMetadata(
  cfg: Config,
  store: Store,
  chaincode: string,
  fetch?: () => Promise<string>,
): Promise<RawMetadata> {
  if (cfg.metadataDir) {
    const file = readdirSync(cfg.metadataDir).find((f) => f === `${chaincode}.json`);
    if (file) return JSON.parse(readFileSync(path.join(cfg.metadataDir, file), 'utf8')) as RawMetadata;
  }
  if (fetch) {
    try {
      const json = await fetch();
      await store.saveMetadata(chaincode, json);
      return JSON.parse(json) as RawMetadata;
    } catch (err) {
      const cached = (await store.allMetadata()).find((m) => m.chaincode === chaincode);
      if (cached) return JSON.parse(cached.json) as RawMetadata;
      throw err;
    }
  }
  throw new Error(`no metadata for ${chaincode}`);
}
