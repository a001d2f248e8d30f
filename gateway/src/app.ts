import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import cors from 'cors';
import express, { NextFunction, Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { ApiRegistry } from './api/registry';
import { firstSegment, RouteSpec } from './api/routes';
import { requireOrgFeeds } from './auth/roles';
import { hashSecret, verifySecret } from './auth/secrets';
import { AuthService, Principal } from './auth/service';
import { Config, servedOrgs } from './config';
import { EventHub } from './events/hub';
import { sseHandler } from './events/sse';
import { WebhookDispatcher } from './events/webhooks';
import { canonicalJson } from './offchain/merkle';
import { DocumentService } from './offchain/documents';
import { TelemetryService } from './offchain/telemetry';
import { FabricPort, SigningIdentity } from './fabric/port';
import { StageTimes } from './fabric/stage-times';
import { TransactionService } from './fabric/transactions';
import { Metrics } from './ops/metrics';
import { badRequest, forbidden, notFound, Problem, queryString, unauthorized } from './problem';
import { Store } from './store/store';

export interface AppDeps {
  config: Config;
  store: Store;
  port: FabricPort;
  auth: AuthService;
  tx: TransactionService;
  hub: EventHub;
  webhooks: WebhookDispatcher;
  telemetry: TelemetryService;
  documents: DocumentService;
  metrics: Metrics;
  log: Logger;
  /** Keys request hashes for idempotency (HMAC, so stored hashes reveal nothing about private inputs). */
  masterKey: Buffer;
  version: string;
}

export interface App {
  app: express.Express;
  api: ApiRegistry;
}

const principalOf = (res: Response): Principal => res.locals.principal as Principal;

export function createApp(deps: AppDeps): App {
  const { config, store, port, auth, tx, metrics, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  const channelsOfOrg = (org: string) => config.channels.filter((c) => c.orgs.includes(org)).map((c) => c.name);
  const api = new ApiRegistry(config.publicUrl, deps.version, (route) => chaincodeHandler(route));

  // ---- request id, logging, metrics
  app.use((req, res, next) => {
    res.locals.receivedAt = performance.now();
    const incoming = req.get('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const end = metrics.http.startTimer({ method: req.method });
    metrics.inFlight.inc();
    res.on('finish', () => {
      metrics.inFlight.dec();
      // Chaincode routes name their full path template (their router is mounted per chaincode).
      const route = (res.locals.routePath as string | undefined) ?? (req.route?.path as string | undefined) ?? (res.locals.routeId as string | undefined) ?? 'other';
      end({ route, status: String(res.statusCode) });
      // Never the body: it may carry private (transient) inputs.
      log.info(
        // originalUrl: req.path is relative inside mounted routers; the query string is left out (it may carry data).
        { requestId, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, txId: res.locals.txId, userId: res.locals.principal?.userId },
        'request',
      );
    });
    next();
  });
  // Plain HTTP on loopback by default: no upgrade-insecure-requests, or browsers would fetch the docs' assets over https.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null } } }));
  app.use(cors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, exposedHeaders: ['x-request-id', 'location', 'idempotent-replayed', 'server-timing', 'retry-after'] }));
  app.use(express.json({ limit: config.bodyLimit, type: ['application/json', 'application/*+json'] }));

  // ---- everything under /api/v1 needs a key
  const v1 = express.Router();
  v1.use(async (req, res, next) => {
    const header = req.get('authorization');
    const presented = header?.toLowerCase().startsWith('bearer ') ? header.slice(7) : req.get('x-api-key');
    const principal = await auth.authenticate(presented);
    if (!principal) throw unauthorized();
    res.locals.principal = principal;
    next();
  });
  v1.use(
    rateLimit({
      windowMs: config.rateLimit.windowMs,
      // A key's own limit (set by its org admin, bounded by rateLimit.maxPerKey) is per minute: scaled to the window.
      limit: (_req, res) => {
        const perMinute = principalOf(res).rateLimitPerMinute;
        return perMinute ? Math.max(1, Math.ceil((perMinute * config.rateLimit.windowMs) / 60000)) : config.rateLimit.max;
      },
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (_req, res) => principalOf(res).keyId,
      handler: (_req, _res, next) => next(new Problem(429, 'RATE_LIMITED', 'too many requests for this API key')),
    }),
  );
  // Chaincode routes first: they are most of the traffic, and found by name. The gateway's own paths
  // below are GATEWAY_SEGMENTS, names config refuses for a chaincode, so neither shadows the other.
  v1.use(api.handler());

  v1.get('/me', (_req, res) => {
    const p = principalOf(res);
    res.json({ ...p, channels: channelsOfOrg(p.org) });
  });
  v1.get('/users', async (_req, res) => {
    res.json({ items: await auth.listUsers(principalOf(res)) });
  });
  v1.post('/users', async (req, res) => {
    const created = await auth.createUser(principalOf(res), (req.body ?? {}) as never);
    res.status(201).json(created);
  });
  v1.post('/users/:userId/keys', async (req, res) => {
    const body = (req.body ?? {}) as { revokeOthers?: unknown; rateLimitPerMinute?: unknown };
    res.status(201).json(await auth.issueKey(principalOf(res), String(req.params.userId), { revokeOthers: body.revokeOthers, rateLimitPerMinute: body.rateLimitPerMinute }));
  });
  v1.delete('/users/:userId', async (req, res) => {
    const userId = String(req.params.userId);
    await auth.disableUser(principalOf(res), userId);
    // disableUser disabled the user's webhooks in the database; their workers here stop now.
    deps.webhooks.forgetOwner(userId);
    res.status(204).end();
  });
  v1.delete('/keys/:keyId', async (req, res) => {
    await auth.revokeKey(principalOf(res), String(req.params.keyId));
    res.status(204).end();
  });
  v1.get('/transactions/:txId', async (req, res) => {
    const p = principalOf(res);
    const row = await tx.status(String(req.params.txId));
    // Visible to its submitter and to its org's admin only.
    if (!row || row.org !== p.org || (row.user_id !== p.userId && !p.isAdmin)) throw notFound(`no transaction ${req.params.txId}`);
    res.json({
      txId: row.tx_id,
      status: row.state,
      channel: row.channel,
      chaincode: row.chaincode,
      transaction: row.transaction_name,
      blockNumber: row.block_number,
      validationCode: row.validation_code,
      ...(row.state === 'committed' && row.result ? { result: decode(row.result) } : {}),
      ...(row.error ? { error: JSON.parse(row.error) as unknown } : {}),
    });
  });

  // The org-wide feeds (every event of the org's channels): org admin and staff roles only (auth/roles.ts).
  const orgFeeds = (_req: Request, res: Response, next: NextFunction) => {
    requireOrgFeeds(principalOf(res));
    next();
  };
  v1.get('/events', orgFeeds, sseHandler(store, deps.hub, (_req) => channelsOfOrg(principalOf(_req.res!).org), log));
  v1.get('/webhooks', async (_req, res) => {
    const p = principalOf(res);
    // The org admin sees every webhook of its org (and may delete any): a user's may outlive its use.
    const rows = p.isAdmin ? await store.listOrgWebhooks(p.org) : await store.listWebhooks(p.userId);
    res.json({ items: rows.map(({ secret_enc: _s, ...w }) => w) });
  });
  v1.post('/webhooks', orgFeeds, async (req, res) => {
    const p = principalOf(res);
    const { id, secret, row } = await deps.webhooks.create(p, (req.body ?? {}) as Record<string, unknown>);
    const { secret_enc: _s, ...pub } = row;
    res.status(201).json({ ...pub, id, secret });
  });
  v1.delete('/webhooks/:id', async (req, res) => {
    await deps.webhooks.remove(principalOf(res), String(req.params.id));
    res.status(204).end();
  });

  v1.get('/read/:chaincode/:entity', orgFeeds, async (req, res) => {
    const p = principalOf(res);
    const q = { limit: queryString(req.query, 'limit'), cursor: queryString(req.query, 'cursor'), status: queryString(req.query, 'status') };
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest('invalid query', [{ field: 'limit', message: 'must be an integer 1..500' }]);
    const after = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined;
    // Tables exist only for served chaincodes and entity words (the first word of an event type).
    const chaincode = String(req.params.chaincode);
    if (!config.channels.some((c) => c.chaincodes.includes(chaincode))) throw notFound(`no chaincode ${chaincode}`);
    const entity = String(req.params.entity).toLowerCase();
    if (!/^[a-z][a-z0-9_-]{0,63}$/.test(entity)) throw badRequest('invalid entity', [{ field: 'entity', message: 'must be a word: a letter, then up to 63 letters, digits, - or _' }]);
    const rows = await store.listProjections({ chaincode, entity, status: q.status, after, limit, channels: channelsOfOrg(p.org) });
    const next = rows.length === limit ? Buffer.from(rows[rows.length - 1].entity_id).toString('base64url') : undefined;
    res.json({ items: rows.map((r) => ({ id: r.entity_id, status: r.status, channel: r.channel, data: JSON.parse(r.data) as unknown, eventId: Number(r.seq) })), ...(next ? { nextCursor: next } : {}) });
  });

  v1.get('/documents/:chaincode/:scope/:docType', async (req, res) => {
    const p = principalOf(res);
    const chaincode = String(req.params.chaincode);
    const channel = config.channels.find((c) => c.chaincodes.includes(chaincode));
    if (!channel || !deps.documents.serves(chaincode)) throw notFound(`no documents of ${chaincode}`);
    if (!channel.orgs.includes(p.org)) throw forbidden(`${p.mspId} is not a member of channel ${channel.name}`);
    const read = (identity: SigningIdentity, transaction: string, args: string[]) =>
      tx.evaluate(identity, { channel: channel.name, chaincode, transaction, args });
    res.json(await deps.documents.read(await auth.identity(p.userId), String(req.params.scope), String(req.params.docType), read));
  });

  v1.post('/telemetry/readings', async (req, res) => {
    res.status(201).json(await deps.telemetry.record(principalOf(res), req.body));
  });
  // `:batch` is a literal (AIP-136 custom method), escaped from Express's parameter syntax.
  v1.post('/telemetry/readings\\:batch', async (req, res) => {
    res.status(201).json(await deps.telemetry.recordBatch(principalOf(res), req.body));
  });
  v1.post('/telemetry/windows', async (req, res) => {
    res.status(201).json(await deps.telemetry.seal(principalOf(res), req.body));
  });
  v1.get('/telemetry/readings/:id/proof', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) throw badRequest('invalid reading id', [{ field: 'id', message: 'must be a positive integer' }]);
    res.json(await deps.telemetry.proof(principalOf(res), id));
  });

  // A configured chaincode whose metadata is not loaded yet (the gateway is starting or restarting) has no
  // routes yet: that is "retry shortly" (503), not a 404 a client would take as final.
  const configured = new Set(config.channels.flatMap((c) => c.chaincodes));
  v1.use((req, res, next) => {
    const chaincode = firstSegment(req.path);
    if (!configured.has(chaincode) || api.chaincodes.has(chaincode)) return next();
    res.setHeader('retry-after', '1');
    next(new Problem(503, 'CHAINCODE_UNAVAILABLE', `the API of chaincode ${chaincode} is not loaded yet; retry shortly`));
  });
  app.use('/api/v1', v1);

  // ---- operations (no auth; after the API, which takes nearly every request)
  app.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // With a metrics token configured, operations detail (metrics, peers' readiness) is for its bearer only.
  const metricsTokenHash = config.metricsToken === undefined ? undefined : hashSecret(config.metricsToken);
  const operatorAsks = (req: Request) =>
    metricsTokenHash === undefined || bearerIs(req.get('authorization'), metricsTokenHash);
  app.get('/readyz', async (req, res) => {
    const orgs = await Promise.all(
      servedOrgs(config).map(async (o) => {
        const peers = await port.health(o.name).catch((err: Error) => [{ org: o.name, peer: '?', endpoint: '?', ready: false, error: err.message }]);
        return { org: o.name, ready: peers.some((p) => p.ready), peers };
      }),
    );
    const chaincodes = config.channels.flatMap((c) => c.chaincodes).map((name) => ({ name, loaded: api.chaincodes.has(name) }));
    const ready = orgs.every((o) => o.ready) && chaincodes.every((c) => c.loaded);
    const status = ready ? 'ready' : 'not ready';
    // Probes read the code; peer endpoints and their errors are operations detail.
    res.status(ready ? 200 : 503).json(operatorAsks(req) ? { status, orgs, chaincodes } : { status });
  });
  app.get('/metrics', async (req, res) => {
    if (!operatorAsks(req))
      throw unauthorized('the metrics token is required (Authorization: Bearer <metricsToken>)');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(api.openapi);
  });
  const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  app.get(['/docs', '/docs/index.html'], (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  app.get('/docs/init.js', (_req, res) => {
    res.type('js').send(`window.onload = () => { window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' }); };`);
  });
  app.use('/docs', express.static(swaggerDir, { index: false }));

  // ---- the handler every chaincode route shares
  function chaincodeHandler(route: RouteSpec) {
    const channel = config.channels.find((c) => c.name === route.channel);
    return async (req: Request, res: Response): Promise<void> => {
      res.locals.routeId = route.id;
      res.locals.routePath = route.path;
      const p = principalOf(res);
      if (!channel?.orgs.includes(p.org)) throw forbidden(`${p.mspId} is not a member of channel ${route.channel}`);
      const input = api.validator.validate(route, { params: req.params as Record<string, string>, query: req.query as Record<string, unknown>, body: req.body });
      const spec = {
        channel: route.channel,
        chaincode: route.chaincode,
        transaction: `${route.contract}:${route.tx.name}`,
        args: input.args,
        ...(input.transient ? { transient: input.transient } : {}),
        ...(route.tx.endorsers ? { endorsingOrgs: route.tx.endorsers } : {}),
        ...(route.tx.sealed ? { sealed: true } : {}),
      };
      const identity = await auth.identity(p.userId);
      // The error handler sends it too: a failure also tells which stages it went through.
      const times = (res.locals.stageTimes = new StageTimes());
      if (!route.tx.submit) {
        const result = await tx.evaluate(identity, spec, times);
        setServerTiming(res);
        res.json({ result });
        return;
      }
      const waitParam = queryString(req.query, 'wait');
      if (waitParam !== undefined && waitParam !== 'none' && waitParam !== 'commit') throw badRequest('invalid query', [{ field: 'wait', message: 'must be commit or none' }]);
      const key = req.get('idempotency-key');
      if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) throw badRequest('invalid Idempotency-Key', [{ field: 'Idempotency-Key', message: '1..200 visible ASCII characters' }]);
      const requestHash = key
        ? createHmac('sha256', deps.masterKey).update(canonicalJson({ op: route.id, params: req.params, args: input.args, transient: input.transient ? Object.fromEntries(Object.entries(input.transient).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) : null })).digest('hex')
        : '';
      const outcome = await tx.write({ userId: p.userId, identity, spec, wait: waitParam === 'none' ? 'none' : 'commit', times, ...(key ? { idempotency: { key, requestHash } } : {}) });
      // Endorsed (the chaincode accepted the document): keep it for its readers, by its hash.
      if (deps.documents.keeps(route.id)) await deps.documents.keep(input.args, input.transient);
      res.locals.txId = outcome.body.txId;
      setServerTiming(res);
      res.status(outcome.status).set(outcome.headers ?? {}).json(outcome.body);
    };
  }

  // ---- fallbacks: everything is problem+json
  app.use((req, _res, next) => next(notFound(`no route ${req.method} ${req.path}`)));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const problem = toHttpProblem(err);
    if (problem.status >= 500) log.error({ requestId: res.locals.requestId, userId: res.locals.principal?.userId, err: errSummary(err), code: problem.code }, 'request failed');
    metrics.errors.inc({ code: problem.code });
    if (problem.extra.txId) res.locals.txId = problem.extra.txId;
    if (res.headersSent) return;
    setServerTiming(res);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.toBody()));
  });

  return { app, api };
}

/** The Fabric stages a chaincode request went through (W3C Server-Timing), when it reached any. */
function setServerTiming(res: Response): void {
  const header = (res.locals.stageTimes as StageTimes | undefined)?.toHeader();
  // `total`: from the request's arrival to its answer, so a client tells the gateway's own time
  // (total less the stages) from the network's and its own (what it measured less total).
  if (header) res.setHeader('server-timing', `${header}, total;dur=${(performance.now() - (res.locals.receivedAt as number)).toFixed(1)}`);
}

function toHttpProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  const e = err as { type?: string; status?: unknown; expose?: boolean };
  if (e?.type === 'entity.too.large') return new Problem(413, 'PAYLOAD_TOO_LARGE', 'request body too large');
  if (e?.type === 'entity.parse.failed') return badRequest('malformed JSON body', [{ field: 'body', message: 'is not valid JSON' }]);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new Problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding');
  // Other client errors Express and body-parser raise themselves (a 4xx `status`): a path parameter that
  // is not valid percent-encoding, a body cut off by the client. The client's doing, not a 500 to log.
  const status = e?.status;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 && e.expose !== false) {
    if (err instanceof URIError) return new Problem(400, 'MALFORMED_PATH', 'the path is not valid percent-encoding');
    const code = (e.type ? CLIENT_ERROR_TYPES[e.type] : undefined) ?? CLIENT_ERROR_STATUSES[status] ?? 'CLIENT_ERROR';
    return new Problem(status, code, 'the request could not be read');
  }
  return new Problem(500, 'INTERNAL', 'internal error');
}

/** Stable codes for body-parser's client error types (its `type`), and for the other 4xx statuses. */
const CLIENT_ERROR_TYPES: Record<string, string> = {
  'request.aborted': 'REQUEST_ABORTED',
  'request.size.invalid': 'CONTENT_LENGTH_MISMATCH',
};
const CLIENT_ERROR_STATUSES: Record<number, string> = { 400: 'BAD_REQUEST', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

function errSummary(err: unknown): Record<string, unknown> {
  const e = err as Error;
  return { name: e?.name, message: e?.message, stack: e?.stack };
}

function decode(b64: string): unknown {
  const text = Buffer.from(b64, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CityLedger API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>`;

/** Whether an Authorization header's bearer is the token hashed as `tokenHash` (compared in constant time). */
function bearerIs(header: string | undefined, tokenHash: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  return presented !== undefined && verifySecret(presented, tokenHash);
}
