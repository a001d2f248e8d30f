import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Static, Type, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';
import { GATEWAY_SEGMENTS } from './api/routes';
import { operatorAdminKey, readRegistrar } from './auth/org-secrets';
import { API_KEY_PATTERN, DEFAULT_KEYS_PER_USER } from './auth/secrets';
import { DEFAULT_IDEMPOTENCY_LEASE_MS } from './fabric/idempotency-lease';

/**
 * The gateway's configuration: one validated object built from network/topology.yaml (orgs, peers, CAs,
 * channels, chaincodes), an optional config file (CITYLEDGER_GATEWAY_CONFIG, YAML or JSON) and env vars.
 * Precedence: env > config file > topology-derived defaults. Every path default follows the network
 * tooling's state layout (.cityledger/orgs/<org>/...), so on a local network nothing needs setting.
 */

const Millis = Type.Integer({ minimum: 1 });

const PeerConfig = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    endpoint: Type.String({ pattern: '^[^:/]+:[0-9]+$' }),
    /** TLS host name the peer's certificate carries (the network tooling uses <peer>.<org>). */
    hostAlias: Type.String({ minLength: 1 }),
    tlsCaFile: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const OrgConfig = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    mspId: Type.String({ minLength: 1 }),
    roles: Type.Array(Type.String({ minLength: 1 })),
    peers: Type.Array(PeerConfig, { minItems: 1 }),
    ca: Type.Object(
      {
        url: Type.String({ pattern: '^https?://' }),
        caName: Type.String(),
        tlsCertFile: Type.String({ minLength: 1 }),
        /**
         * The CA's bootstrap registrar: a JSON file, either the network tooling's secrets file
         * ({"registrar": "<secret>"}, enrolment id "registrar") or {"enrollmentId","enrollmentSecret"};
         * or the env vars CITYLEDGER_<ORG>_REGISTRAR_ID/_SECRET.
         */
        registrarFile: Type.String({ minLength: 1 }),
        registrarId: Type.Optional(Type.String({ minLength: 1 })),
        registrarSecret: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false },
    ),
    /** Operator-chosen admin API key (env CITYLEDGER_<ORG>_ADMIN_KEY or adminKeyFile); else one is generated. */
    adminKey: Type.Optional(Type.String({ minLength: 24 })),
    adminKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

const ChannelConfig = Type.Object(
  { name: Type.String({ minLength: 1 }), orgs: Type.Array(Type.String()), chaincodes: Type.Array(Type.String()) },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    /** Base URL printed at start and used in status URLs. */
    publicUrl: Type.String({ pattern: '^https?://' }),
    stateDir: Type.String({ minLength: 1 }),
    /** sqlite:<file> (default) or postgres://... */
    database: Type.String({ pattern: '^(sqlite:|postgres(ql)?://)' }),
    /** Orgs this process serves (names); default all orgs in the topology. */
    serve: Type.Array(Type.String(), { minItems: 1 }),
    orgs: Type.Array(OrgConfig, { minItems: 1 }),
    channels: Type.Array(ChannelConfig, { minItems: 1 }),
    /** 32-byte key (hex or base64) that encrypts private keys and webhook secrets at rest. */
    masterKey: Type.Optional(Type.String({ minLength: 32 })),
    masterKeyFile: Type.String({ minLength: 1 }),
    /** Where generated org admin API keys are written (mode 0600) on local defaults. */
    adminKeysOut: Type.String({ minLength: 1 }),
    /** Chaincode metadata: fetched from the peers (GetMetadata) unless a directory of <chaincode>.json is given. */
    metadataDir: Type.Optional(Type.String({ minLength: 1 })),
    /** Re-read metadata from the peers this often (a chaincode upgrade adds routes); 0 = never. */
    metadataRefreshMs: Type.Integer({ minimum: 0 }),
    timeouts: Type.Object(
      { evaluate: Millis, endorse: Millis, submit: Millis, commitStatus: Millis, connect: Millis },
      { additionalProperties: false },
    ),
    /** Whole-flow retries on MVCC/phantom read conflicts before answering 409. */
    conflictRetries: Type.Integer({ minimum: 0, maximum: 10 }),
    /**
     * How long an Idempotency-Key stays its request's own without being renewed (renewed 3 times per
     * period while the request runs): a retry on another process sharing the database gets 409 until then,
     * and takes the key of a crashed process over after it.
     */
    idempotencyLeaseMs: Millis,
    bodyLimit: Type.String({ pattern: '^[0-9]+(b|kb|mb)$' }),
    rateLimit: Type.Object(
      {
        windowMs: Millis,
        /** Requests per window per API key, unless the key has its own limit. */
        max: Type.Integer({ minimum: 1 }),
        /** The highest per-key limit (requests per minute) an org admin may give a key. */
        maxPerKey: Type.Integer({ minimum: 1 }),
        /**
         * Active API keys a user may hold (org admins exempt): the limit is per key, so this bounds what
         * one user can send by minting itself keys.
         */
        keysPerUser: Type.Integer({ minimum: 1, maximum: 1000 }),
      },
      { additionalProperties: false },
    ),
    corsOrigins: Type.Array(Type.String()),
    /**
     * When set, /metrics answers only `Authorization: Bearer <token>` (Prometheus' bearer token): on a
     * gateway integrators can reach, its figures (routes, error codes, load) are not theirs to read.
     */
    metricsToken: Type.Optional(Type.String({ minLength: 24 })),
    /**
     * How long a looked-up API key is reused before the database is read again; 0 = every request. A key
     * revoked through this process stops at once; through another process sharing the database, within it.
     */
    apiKeyCacheMs: Type.Integer({ minimum: 0, maximum: 600000 }),
    logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
    webhooks: Type.Object(
      {
        maxAttempts: Type.Integer({ minimum: 1 }),
        baseDelayMs: Millis,
        maxDelayMs: Millis,
        timeoutMs: Millis,
        /** Allow http:// (not only https://) and loopback targets: local development only. */
        allowInsecure: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    telemetry: Type.Object(
      {
        maxWindow: Type.Integer({ minimum: 1 }),
        /** Readings per POST /api/v1/telemetry/readings:batch request. */
        maxBatch: Type.Integer({ minimum: 1, maximum: 10000 }),
      },
      { additionalProperties: false },
    ),
    /**
     * How long the gateway keeps what only it holds (0 = forever): the ledger keeps every transaction,
     * so its own journal, answered idempotency keys, the event log and raw telemetry readings need not
     * grow without bound.
     */
    retention: Type.Object(
      {
        /** How often old rows are deleted; 0 = never. */
        intervalMs: Type.Integer({ minimum: 0 }),
        /** Journalled transactions, once final (their status URL answers 404 afterwards). */
        transactionsDays: Type.Number({ minimum: 0 }),
        /** Answered Idempotency-Keys (a retry after that is a new request). */
        idempotencyHours: Type.Number({ minimum: 0 }),
        /** Chaincode events (SSE replay); never one a webhook or the read tables have yet to take. */
        eventsDays: Type.Number({ minimum: 0 }),
        /** Raw telemetry readings (their windows' roots stay); default forever, as proofs need them. */
        telemetryDays: Type.Number({ minimum: 0 }),
        /** Kept off-chain documents (port-call forms: personal data); default forever, as port records are kept for years. */
        documentsDays: Type.Number({ minimum: 0 }),
        /** Rows per delete statement: each one holds the database briefly. */
        batchSize: Type.Integer({ minimum: 1, maximum: 100000 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type OrgConfig = Static<typeof OrgConfig>;
export type PeerConfig = Static<typeof PeerConfig>;
export type ChannelConfig = Static<typeof ChannelConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The part of network/topology.yaml the gateway reads (validated by the network CLI; checked loosely here). */
interface TopologyLike {
  stateDir?: string;
  orgs?: Array<{
    name: string;
    mspId: string;
    host: string;
    ca: { port: number };
    peers: Array<{ name: string; port: number }>;
    roles?: string[];
  }>;
  channels?: Array<{ name: string; orgs: string[] }>;
  chaincodes?: Array<{ name: string; channel: string }>;
  gateway?: { host?: string; port?: number };
}

export const repoRoot = path.resolve(__dirname, '..', '..');

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Parsed topology; read from CITYLEDGER_TOPOLOGY or network/topology.yaml when absent. */
  topology?: TopologyLike;
  /** Parsed config file contents; read from CITYLEDGER_GATEWAY_CONFIG when absent. */
  file?: Record<string, unknown>;
}

const envKey = (org: string, what: string) => `CITYLEDGER_${org.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}`;

/** Builds and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const topology = options.topology ?? readStructured<TopologyLike>(env.CITYLEDGER_TOPOLOGY ?? path.join(repoRoot, 'network', 'topology.yaml'));
  const file = options.file ?? (env.CITYLEDGER_GATEWAY_CONFIG ? readStructured<Record<string, unknown>>(env.CITYLEDGER_GATEWAY_CONFIG) : {});
  const stateDir = path.resolve(repoRoot, env.CITYLEDGER_STATE_DIR ?? str(file.stateDir) ?? topology.stateDir ?? '.cityledger');
  const gwDir = path.join(stateDir, 'gateway');

  const defaults = {
    host: topology.gateway?.host ?? '127.0.0.1',
    port: topology.gateway?.port ?? 8080,
    stateDir,
    database: `sqlite:${path.join(gwDir, 'gateway.db')}`,
    serve: (topology.orgs ?? []).map((o) => o.name),
    orgs: (topology.orgs ?? []).map((o) => defaultOrg(o, stateDir)),
    channels: (topology.channels ?? []).map((c) => ({
      name: c.name,
      orgs: c.orgs,
      chaincodes: (topology.chaincodes ?? []).filter((cc) => cc.channel === c.name).map((cc) => cc.name),
    })),
    masterKeyFile: path.join(gwDir, 'master.key'),
    adminKeysOut: path.join(gwDir, 'admin-keys.json'),
    timeouts: { evaluate: 5000, endorse: 15000, submit: 5000, commitStatus: 60000, connect: 3000 },
    conflictRetries: 3,
    idempotencyLeaseMs: DEFAULT_IDEMPOTENCY_LEASE_MS,
    metadataRefreshMs: 60000,
    bodyLimit: '256kb',
    rateLimit: { windowMs: 60000, max: 600, maxPerKey: 100000, keysPerUser: DEFAULT_KEYS_PER_USER },
    corsOrigins: [] as string[],
    apiKeyCacheMs: 5000,
    logLevel: 'info',
    webhooks: { maxAttempts: 12, baseDelayMs: 500, maxDelayMs: 300000, timeoutMs: 10000, allowInsecure: false },
    telemetry: { maxWindow: 4096, maxBatch: 1000 },
    retention: { intervalMs: 600000, transactionsDays: 30, idempotencyHours: 24, eventsDays: 30, telemetryDays: 0, documentsDays: 0, batchSize: 2000 },
  };

  // File values override defaults; orgs merge by name so a file can change one peer without restating all.
  const merged: Record<string, unknown> = { ...defaults, ...file };
  if (Array.isArray(file.orgs)) merged.orgs = mergeOrgs(defaults.orgs, file.orgs as Array<Record<string, unknown>>);
  for (const k of ['timeouts', 'rateLimit', 'webhooks', 'telemetry', 'retention'] as const)
    if (file[k]) merged[k] = { ...(defaults[k] as object), ...(file[k] as object) };

  // Env overrides.
  const setInt = (key: string, v: string | undefined) => {
    if (v !== undefined) merged[key] = /^[0-9]+$/.test(v) ? Number(v) : v;
  };
  // GATEWAY_HOST/GATEWAY_PORT: the names the network tooling passes when it starts the gateway.
  if (env.CITYLEDGER_GATEWAY_HOST ?? env.GATEWAY_HOST) merged.host = env.CITYLEDGER_GATEWAY_HOST ?? env.GATEWAY_HOST;
  setInt('port', env.CITYLEDGER_GATEWAY_PORT ?? env.GATEWAY_PORT);
  if (env.CITYLEDGER_GATEWAY_DATABASE) merged.database = env.CITYLEDGER_GATEWAY_DATABASE;
  if (env.CITYLEDGER_GATEWAY_SERVE) merged.serve = env.CITYLEDGER_GATEWAY_SERVE.split(',').map((s) => s.trim()).filter(Boolean);
  if (env.CITYLEDGER_GATEWAY_MASTER_KEY) merged.masterKey = env.CITYLEDGER_GATEWAY_MASTER_KEY;
  if (env.CITYLEDGER_GATEWAY_METADATA_DIR) merged.metadataDir = env.CITYLEDGER_GATEWAY_METADATA_DIR;
  if (env.CITYLEDGER_GATEWAY_LOG_LEVEL) merged.logLevel = env.CITYLEDGER_GATEWAY_LOG_LEVEL;
  if (env.CITYLEDGER_GATEWAY_METRICS_TOKEN) merged.metricsToken = env.CITYLEDGER_GATEWAY_METRICS_TOKEN;
  if (env.CITYLEDGER_GATEWAY_CORS_ORIGINS) merged.corsOrigins = env.CITYLEDGER_GATEWAY_CORS_ORIGINS.split(',').map((s) => s.trim());
  if (env.CITYLEDGER_GATEWAY_WEBHOOKS_ALLOW_INSECURE)
    merged.webhooks = { ...(merged.webhooks as object), allowInsecure: env.CITYLEDGER_GATEWAY_WEBHOOKS_ALLOW_INSECURE === 'true' };
  merged.orgs = (merged.orgs as Array<Record<string, unknown>>).map((o) => {
    const name = String(o.name);
    const ca = { ...(o.ca as object) } as Record<string, unknown>;
    if (env[envKey(name, 'REGISTRAR_ID')]) ca.registrarId = env[envKey(name, 'REGISTRAR_ID')];
    if (env[envKey(name, 'REGISTRAR_SECRET')]) ca.registrarSecret = env[envKey(name, 'REGISTRAR_SECRET')];
    const out: Record<string, unknown> = { ...o, ca };
    if (env[envKey(name, 'ADMIN_KEY')]) out.adminKey = env[envKey(name, 'ADMIN_KEY')];
    if (env[envKey(name, 'ADMIN_KEY_FILE')]) out.adminKeyFile = env[envKey(name, 'ADMIN_KEY_FILE')];
    return out;
  });
  if (merged.publicUrl === undefined) {
    const host = String(merged.host);
    merged.publicUrl = env.CITYLEDGER_GATEWAY_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${String(merged.port)}`;
  }

  return validate(ConfigSchema, merged);
}

function validate<T extends TSchema>(schema: T, value: unknown): Static<T> {
  const problems = [...Value.Errors(schema, value)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length === 0) {
    const cfg = value as Config;
    const orgNames = new Set(cfg.orgs.map((o) => o.name));
    for (const s of cfg.serve) if (!orgNames.has(s)) problems.push(`/serve: unknown org "${s}" (known: ${[...orgNames].join(', ')})`);
    for (const c of cfg.channels) {
      for (const o of c.orgs) if (!orgNames.has(o)) problems.push(`/channels/${c.name}: unknown org "${o}"`);
      for (const cc of c.chaincodes)
        if (GATEWAY_SEGMENTS.includes(cc)) problems.push(`/channels/${c.name}: chaincode "${cc}" is named like a path the gateway serves itself (${GATEWAY_SEGMENTS.join(', ')})`);
    }
    if (cfg.masterKey !== undefined && decodeKey(cfg.masterKey) === undefined)
      problems.push('/masterKey: must be 32 bytes, hex (64 chars) or base64');
    // The bootstrap would refuse it on every retry (every route answering 503 for ever). Never echoed.
    for (const o of cfg.orgs)
      if (o.adminKey !== undefined && !API_KEY_PATTERN.test(o.adminKey))
        problems.push(`/orgs/${o.name}/adminKey (${envKey(o.name, 'ADMIN_KEY')}): must look like clk_<12 alphanumerics>_<32 base64url chars>`);
  }
  if (problems.length > 0)
    throw new ConfigError(`invalid gateway configuration:\n  ${[...new Set(problems)].slice(0, 20).join('\n  ')}`);
  return value as Static<T>;
}

/**
 * Checks that every file the served orgs need exists, so a missing certificate is one clear line at start
 * instead of a TLS error on the first request; and reads the operator's secret files (registrar JSON,
 * admin key), which the org bootstrap would otherwise fail on at every retry, never starting.
 */
export function checkFiles(cfg: Config): void {
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const org of servedOrgs(cfg)) {
    for (const p of org.peers) if (!existsSync(p.tlsCaFile)) missing.push(`${org.name}/${p.name}: peer TLS CA ${p.tlsCaFile}`);
    if (!existsSync(org.ca.tlsCertFile)) missing.push(`${org.name}: CA TLS certificate ${org.ca.tlsCertFile}`);
    if (!(org.ca.registrarId && org.ca.registrarSecret) && !existsSync(org.ca.registrarFile))
      missing.push(`${org.name}: registrar credentials ${org.ca.registrarFile} (or ${envKey(org.name, 'REGISTRAR_ID')}/_SECRET)`);
    else if (!(org.ca.registrarId && org.ca.registrarSecret)) problemOf(invalid, org.name, () => readRegistrar(org));
    // An adminKey given inline was checked by loadConfig; a file of one is read here.
    if (org.adminKey === undefined && org.adminKeyFile !== undefined)
      problemOf(invalid, org.name, () => {
        try {
          operatorAdminKey(org);
        } catch (err) {
          throw new Error(`admin key file ${org.adminKeyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      });
  }
  const parts = [
    ...(missing.length > 0 ? [`missing files (is the network up? \`npm start\` creates them):\n  ${missing.join('\n  ')}`] : []),
    ...(invalid.length > 0 ? [`invalid files:\n  ${invalid.join('\n  ')}`] : []),
  ];
  if (parts.length > 0) throw new ConfigError(parts.join('\n'));
}

function problemOf(problems: string[], org: string, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    problems.push(`${org}: ${(err as Error).message}`);
  }
}

export function servedOrgs(cfg: Config): OrgConfig[] {
  return cfg.orgs.filter((o) => cfg.serve.includes(o.name));
}

export function decodeKey(text: string): Buffer | undefined {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  return buf.length === 32 ? buf : undefined;
}

function defaultOrg(o: NonNullable<TopologyLike['orgs']>[number], stateDir: string): OrgConfig {
  const orgDir = path.join(stateDir, 'orgs', o.name);
  return {
    name: o.name,
    mspId: o.mspId,
    roles: o.roles ?? [],
    peers: o.peers.map((p) => ({
      name: p.name,
      endpoint: `${o.host}:${p.port}`,
      hostAlias: `${p.name}.${o.name}`,
      tlsCaFile: path.join(orgDir, 'peers', p.name, 'tls', 'ca.crt'),
    })),
    ca: {
      url: `https://${o.host}:${o.ca.port}`,
      caName: `ca-${o.name}`,
      // The CA's TLS certificate is signed by its root (ca-cert.pem): Node trusts roots, not leaves.
      tlsCertFile: path.join(orgDir, 'ca', 'ca-cert.pem'),
      registrarFile: path.join(orgDir, 'secrets.json'),
    },
  };
}

function mergeOrgs(base: OrgConfig[], overrides: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = base.map((b) => ({ ...b }));
  for (const o of overrides) {
    const i = out.findIndex((b) => b.name === o.name);
    if (i < 0) out.push(o);
    else out[i] = { ...out[i], ...o, ca: { ...(out[i].ca as object), ...((o.ca as object) ?? {}) } };
  }
  return out;
}

function readStructured<T>(file: string): T {
  try {
    return YAML.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
