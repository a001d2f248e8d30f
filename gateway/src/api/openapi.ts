import { JsonSchema } from './metadata';
import { openApiPath, RouteSpec } from './routes';
import { queryDefault } from './validation';

/**
 * OpenAPI 3.1 from the route table (chaincode routes) plus the gateway's own endpoints. Component
 * schemas are namespaced <chaincode>.<Name> so two chaincodes may both define e.g. `Record`.
 */
const problemRef = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

const ERRORS = {
  400: problem('Invalid request: `errors` lists the offending fields; nothing reached Fabric'),
  401: problem('Missing or invalid API key'),
  403: problem('Refused by the gateway or the chaincode (code FORBIDDEN, ACCESS_DENIED)'),
  404: problem('Not found (chaincode NOT_FOUND)'),
  409: problem('Conflict (chaincode CONFLICT, READ_CONFLICT after retries, IDEMPOTENCY_*)'),
  422: problem('Failed precondition (chaincode FAILED_PRECONDITION)'),
  429: problem('Rate limit exceeded for this API key'),
  503: problem("No peer available (NO_ENDORSERS), chaincode unavailable (CHAINCODE_UNAVAILABLE), the gateway's clock outside the peers' time window (CLOCK_SKEW), or the caller's certificate ended and not renewed (CERTIFICATE_EXPIRED)"),
  504: problem('Timed out; `txId` tells which transaction to poll'),
};

function rewriteRefs(schema: unknown, chaincode: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rewriteRefs(s, chaincode));
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
        out[k] = `#/components/schemas/${chaincode}.${v.slice('#/components/schemas/'.length)}`;
      else if (k === '$id') continue;
      else out[k] = rewriteRefs(v, chaincode);
    }
    return out;
  }
  return schema;
}

export function buildOpenApi(routes: RouteSpec[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = { ...GATEWAY_SCHEMAS };
  for (const r of routes) {
    for (const [name, s] of Object.entries(r.schemas)) schemas[`${r.chaincode}.${name}`] = rewriteRefs(s, r.chaincode);
    const fix = (s: JsonSchema) => rewriteRefs(s, r.chaincode) as JsonSchema;
    const parameters: unknown[] = [
      ...r.pathParams.map((p) => ({ name: p.name, in: 'path', required: true, description: p.description, schema: fix(p.schema) })),
      ...r.queryParams.map((p) => ({
        name: p.name,
        in: 'query',
        required: queryDefault(p) === undefined,
        description: `${p.description ?? ''}${isScalar(p.schema) ? '' : ' (JSON-encoded)'}`.trim() || undefined,
        schema: isScalar(p.schema) ? { ...fix(p.schema), ...(queryDefault(p) !== undefined ? { default: queryDefault(p) } : {}) } : { type: 'string' },
      })),
    ];
    if (r.tx.submit) {
      parameters.push(
        { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'Retries with the same key return the first outcome; the transaction is never submitted twice.' },
        { name: 'wait', in: 'query', required: false, schema: { type: 'string', enum: ['commit', 'none'] }, description: '`none`: answer 202 with a status URL as soon as the transaction is sent to ordering.' },
      );
    }
    const bodyProps: Record<string, unknown> = {};
    for (const p of r.bodyParams) bodyProps[p.name] = fix(p.schema);
    if (r.tx.transient)
      bodyProps.transient = { ...(fix(r.tx.transient) as object), description: 'Private inputs: sent in the transient map, never stored on the ledger or logged.' };
    const hasBody = Object.keys(bodyProps).length > 0;
    const bodySchema =
      r.bodyMode === 'unwrapped'
        ? fix(r.bodyParams[0].schema)
        : { type: 'object', properties: bodyProps, required: Object.keys(bodyProps), additionalProperties: false };
    const result = r.tx.returns ? fix(r.tx.returns) : {};
    const op: Record<string, unknown> = {
      operationId: r.id,
      tags: [r.chaincode],
      summary: `${r.tx.submit ? 'Submit' : 'Evaluate'} ${r.contract}:${r.tx.name} on channel ${r.channel}`,
      ...(r.tx.description ? { description: r.tx.description } : {}),
      security: [{ apiKey: [] }],
      parameters,
      ...(hasBody
        ? { requestBody: { required: true, content: { 'application/json': { schema: bodySchema } } } }
        : {}),
      responses: r.tx.submit
        ? {
            200: { description: 'Committed', content: { 'application/json': { schema: { type: 'object', properties: { txId: { type: 'string' }, blockNumber: { type: 'string' }, result } } } } },
            202: { description: 'Sent to ordering; poll `statusUrl`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } },
            ...ERRORS,
          }
        : { 200: { description: 'Result', content: { 'application/json': { schema: { type: 'object', properties: { result } } } } }, ...ERRORS },
      'x-fabric': { channel: r.channel, chaincode: r.chaincode, contract: r.contract, transaction: r.tx.name, submit: r.tx.submit, ...(r.tx.endorsers ? { endorsers: r.tx.endorsers } : {}) },
    };
    const p = openApiPath(r.path);
    paths[p] = { ...(paths[p] ?? {}), [r.method]: op };
  }
  Object.assign(paths, GATEWAY_PATHS);
  return {
    openapi: '3.1.0',
    info: { title: 'CityLedger gateway', version: info.version, description: 'REST over every transaction of every CityLedger chaincode, derived from contract metadata.' },
    servers: [{ url: info.serverUrl }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key issued by the gateway' } }, schemas },
    paths,
  };
}

function isScalar(s: JsonSchema): boolean {
  return ['string', 'number', 'integer', 'boolean'].includes(String(s.type));
}

const GATEWAY_SCHEMAS: Record<string, unknown> = {
  Problem: {
    type: 'object',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      code: { type: 'string', description: 'Stable error code' },
      detail: { type: 'string' },
      txId: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
      details: { type: 'object' },
    },
  },
  Accepted: { type: 'object', properties: { txId: { type: 'string' }, status: { type: 'string' }, statusUrl: { type: 'string' } } },
  NewUser: {
    type: 'object',
    required: ['enrollmentId', 'role'],
    properties: {
      enrollmentId: { type: 'string' },
      role: { type: 'string' },
      residentId: { type: 'string' },
      vehicleId: { type: 'string' },
      buildingId: { type: 'string' },
      meterId: { type: 'string' },
      rateLimitPerMinute: { type: 'integer', minimum: 1, description: "This user's first key's own rate limit (requests per minute), at most the gateway's rateLimit.maxPerKey; default: rateLimit.max per window" },
    },
  },
};

const sec = [{ apiKey: [] }];
const ok = (description: string) => ({ description });
const GATEWAY_PATHS: Record<string, Record<string, unknown>> = {
  '/api/v1/me': { get: { tags: ['gateway'], summary: 'The calling identity', security: sec, responses: { 200: ok('Identity'), 401: ERRORS[401] } } },
  '/api/v1/users': {
    get: { tags: ['gateway'], summary: "List the org's users (org admin)", security: sec, responses: { 200: ok('Users'), 403: ERRORS[403] } },
    post: {
      tags: ['gateway'],
      summary: "Register and enrol a user at the org's Fabric CA and issue an API key (org admin)",
      security: sec,
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewUser' } } } },
      responses: { 201: ok('User and its API key (shown once)'), 400: ERRORS[400], 403: ERRORS[403], 409: ERRORS[409] },
    },
  },
  '/api/v1/users/{userId}/keys': {
    post: {
      tags: ['gateway'],
      summary: 'Issue a new API key (rotation); `revokeOthers: true` revokes the old ones; `rateLimitPerMinute` (org admin) gives the key its own limit',
      security: sec,
      parameters: [{ name: 'userId', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { revokeOthers: { type: 'boolean' }, rateLimitPerMinute: { type: 'integer', minimum: 1 } } } } } },
      responses: { 201: ok('New key (shown once)'), 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404] },
    },
  },
  '/api/v1/users/{userId}': {
    delete: { tags: ['gateway'], summary: 'Disable a user and revoke its keys (org admin)', security: sec, parameters: [{ name: 'userId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 204: ok('Disabled') } },
  },
  '/api/v1/keys/{keyId}': {
    delete: { tags: ['gateway'], summary: 'Revoke an API key (its owner or the org admin)', security: sec, parameters: [{ name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 204: ok('Revoked') } },
  },
  '/api/v1/transactions/{txId}': {
    get: { tags: ['gateway'], summary: 'Status of a transaction submitted through this gateway', security: sec, parameters: [{ name: 'txId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: ok('Status'), 404: ERRORS[404] } },
  },
  '/api/v1/events': {
    get: {
      tags: ['events'],
      summary: 'Server-Sent Events stream of chaincode events of your channels; resume with Last-Event-ID',
      security: sec,
      parameters: ['channel', 'chaincode', 'event', 'after'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
      responses: { 200: { description: 'text/event-stream; each event id is its sequence number' } },
    },
  },
  '/api/v1/webhooks': {
    get: { tags: ['events'], summary: 'Your webhooks', security: sec, responses: { 200: ok('Webhooks') } },
    post: {
      tags: ['events'],
      summary: 'Register a webhook (HMAC-SHA256 signed, retried with backoff, in order)',
      security: sec,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['url'], additionalProperties: false, properties: { url: { type: 'string' }, channel: { type: 'string' }, chaincode: { type: 'string' }, event: { type: 'string' }, fromId: { type: 'integer', minimum: 0, description: 'replay from this event id (default: only new events)' } } } } },
      },
      responses: { 201: ok('Webhook with its secret (shown once)'), 400: ERRORS[400] },
    },
  },
  '/api/v1/webhooks/{id}': { delete: { tags: ['events'], summary: 'Delete a webhook', security: sec, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 204: ok('Deleted') } } },
  '/api/v1/read/{chaincode}/{entity}': {
    get: {
      tags: ['read'],
      summary: 'Paginated read table projected from chaincode events',
      security: sec,
      parameters: [
        { name: 'chaincode', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'entity', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'status', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } },
      ],
      responses: { 200: ok('Items and next cursor') },
    },
  },
  '/api/v1/documents/{chaincode}/{scope}/{docType}': {
    get: {
      tags: ['documents'],
      summary: "A document the ledger holds the hash of (a port call's FAL form: /documents/logistics/{callId}/{docType}), kept by the gateway when it was submitted through it; served after the chaincode's access check, run as the caller, names its hash",
      security: sec,
      parameters: [
        { name: 'chaincode', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'scope', in: 'path', required: true, schema: { type: 'string' }, description: 'the port call id' },
        { name: 'docType', in: 'path', required: true, schema: { type: 'string' } },
      ],
      responses: { 200: ok('{scope, docType, hash, version, document}'), 403: ERRORS[403], 404: problem('NOT_FOUND (no such form), DOCUMENT_NOT_KEPT (submitted elsewhere than this gateway)') },
    },
  },
  '/api/v1/telemetry/readings': {
    post: {
      tags: ['telemetry'],
      summary: "Store a vehicle's raw reading (vehicle identities; the vin comes from the certificate)",
      security: sec,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['timestamp'], properties: { timestamp: { type: 'string', description: 'UTC ISO-8601' } }, additionalProperties: true } } } },
      responses: { 201: ok('Stored with its RFC 6962 leaf hash'), 400: ERRORS[400], 403: ERRORS[403], 409: problem('LATE_READING: older than the last sealed window') },
    },
  },
  '/api/v1/telemetry/readings:batch': {
    post: {
      tags: ['telemetry'],
      summary: "Store many of a vehicle's raw readings at once, all or none (one database transaction); at most telemetry.maxBatch (1000) per request",
      security: sec,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['readings'], additionalProperties: false, properties: { readings: { type: 'array', minItems: 1, items: { type: 'object', required: ['timestamp'], properties: { timestamp: { type: 'string', description: 'UTC ISO-8601' } }, additionalProperties: true } } } } } },
      },
      responses: { 201: ok('{count, items: [{id, leaf}]} in the order sent'), 400: ERRORS[400], 403: ERRORS[403], 409: problem('LATE_READING: a reading is older than the last sealed window') },
    },
  },
  '/api/v1/telemetry/windows': {
    post: {
      tags: ['telemetry'],
      summary: "Seal the vehicle's readings of [windowStart, windowEnd) into a Merkle window; `anchor` is the body of mobility telemetry:AnchorWindow, submitted at once with anchor: true",
      security: sec,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['windowEnd'], additionalProperties: false, properties: { windowStart: { type: 'string' }, windowEnd: { type: 'string' }, anchor: { type: 'boolean' } } } } },
      },
      responses: { 201: ok('Window: seq, bounds, count, root, anchor body (and anchored outcome)'), 400: ERRORS[400], 422: problem('NOTHING_TO_SEAL, WINDOW_TOO_LARGE') },
    },
  },
  '/api/v1/telemetry/readings/{id}/proof': { get: { tags: ['telemetry'], summary: 'A reading with its Merkle proof to the window root', security: sec, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: ok('Reading and proof') } } },
  '/livez': { get: { tags: ['operations'], summary: 'Process alive', responses: { 200: ok('ok') } } },
  '/readyz': { get: { tags: ['operations'], summary: "Each served org's peers reachable", responses: { 200: ok('ready'), 503: ok('not ready') } } },
  '/metrics': { get: { tags: ['operations'], summary: 'Prometheus metrics', responses: { 200: ok('metrics') } } },
};
