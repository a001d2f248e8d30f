/**
 * Security suite, bad input on every REST route (issue 9). Every operation of the running gateway's
 * GET /openapi.json gets a fixed, seeded set of at most 15 bad requests (mutations.ts: wrong types,
 * missing fields, 100k-char fields, 1 MB bodies, 10k-item arrays, unicode with emoji/RTL/NUL, negative and
 * overflowing numbers (1e309, 2^63), injection text, an operator object, malformed JSON, wrong content
 * types, bad path and query values), sent one at a time with a 10 s client deadline as a valid API key of
 * the City (a member of every channel; a role with almost no rights, so an odd-but-valid request still
 * changes nothing). Each answer must be a 4xx problem+json with a stable `code` and a message, never a 5xx,
 * never stuck; afterwards the gateway is ready and every network process is OK. Also: no key or a bogus
 * key → 401 on every operation; another org's key → 403 (channels it is not on, users of another org).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { admins, createUser, RestUser } from '../support/rest';
import { JsonSchema } from '../support/schema-sample';
import { RawAnswer, send, StuckRequest } from './http';
import { Mutation, mutationsOf, OpenApiParameter, Operation } from './mutations';

const run = randomUUID().slice(0, 8);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Operations routes (no API key, no input) and the SSE stream (an open-ended answer, tested on its own). */
const NOT_FUZZED = new Set(['/livez', '/readyz', '/metrics', '/docs', '/openapi.json']);
const SSE = '/api/v1/events';
/** Per API key and minute the gateway allows 600 requests (README: rateLimit); stay well below. */
const REQUESTS_PER_KEY = 400;

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: OpenApiParameter[]; requestBody?: { content?: Record<string, { schema: JsonSchema }> } }
    >
  >;
  components: { schemas: Record<string, JsonSchema> };
}

let api: OpenApi;
let operations: Operation[];

function resolve(schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref as string | undefined;
  return ref ? api.components.schemas[ref.split('/').pop()!] : schema;
}

function operationsOf(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        parameters: (op.parameters ?? []).filter((p) => p.in !== 'header'),
        ...(op.requestBody?.content?.['application/json']
          ? { body: resolve(op.requestBody.content['application/json'].schema) }
          : {}),
      })),
  );
}

/** What every refusal must look like: problem+json with a stable code and a message. */
function problemIssues(answer: RawAnswer): string[] {
  const issues: string[] = [];
  if (!answer.contentType.startsWith('application/problem+json'))
    issues.push(`content-type ${answer.contentType}`);
  const p = answer.json ?? {};
  if (typeof p.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(p.code)) issues.push(`code ${String(p.code)}`);
  if (typeof p.detail !== 'string' || p.detail.length === 0) issues.push('no detail message');
  if (p.status !== answer.status) issues.push(`status field ${String(p.status)}`);
  return issues;
}

/** Rotates City API keys so no key nears the rate limit (each is a fresh user with a harmless role). */
class Keys {
  private current?: RestUser;
  private used = 0;
  private n = 0;
  constructor(private readonly city: RestUser) {}
  async key(): Promise<string> {
    if (!this.current || this.used >= REQUESTS_PER_KEY) {
      this.current = await createUser(this.city, `sec-fuzz-${run}-${++this.n}`, 'quarantine');
      this.used = 0;
    }
    this.used++;
    return this.current.apiKey;
  }
}

beforeAll(async () => {
  const answer = await send({ method: 'GET', path: '/openapi.json' });
  expect(answer.status).toBe(200);
  api = answer.json as unknown as OpenApi;
  operations = operationsOf(api);
});

describe('bad input on every REST route', () => {
  it('covers every operation of the OpenAPI description', () => {
    expect(operations.length).toBeGreaterThan(100);
    const chaincodes = new Set(operations.map((o) => o.template.split('/')[3]));
    for (const cc of ['identity', 'medical', 'mobility', 'energy', 'logistics'])
      expect(chaincodes).toContain(cc);
  });

  // /api/v1/read/{chaincode}/{entity} answered 200 [] to any chaincode and entity text (NUL, traversal,
  // 4000 chars): fixed in gateway/src/app.ts (unit test in events.test.ts); fails until the gateway restarts.
  it('answers 4xx problem+json with a code and a message, never 5xx, never stuck', async () => {
    const keys = new Keys(admins().city);
    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    let sent = 0;
    let oddButAccepted = 0;
    for (const op of operations) {
      if (NOT_FUZZED.has(op.template) || op.template === SSE) continue;
      // Webhook targets are fetched by the gateway: only certainly-invalid registrations are sent.
      const mutations = mutationsOf(op).filter(
        (m) => m.mustFail || !op.template.startsWith('/api/v1/webhooks'),
      );
      for (const mutation of mutations) {
        const where = `${mutation.method} ${op.template} [${mutation.name}]`;
        let answer: RawAnswer;
        try {
          answer = await send({ ...mutation, key: await keys.key() });
          sent++;
        } catch (err) {
          failures.push(`${where}: ${err instanceof StuckRequest ? 'STUCK' : (err as Error).message}`);
          continue;
        }
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        if (answer.status >= 500) failures.push(`${where}: ${answer.status} ${answer.text.slice(0, 300)}`);
        else if (answer.status === 429) failures.push(`${where}: rate limited (the suite sent too fast)`);
        else if (answer.status >= 400) {
          const issues = problemIssues(answer);
          if (issues.length > 0) failures.push(`${where}: ${answer.status} ${issues.join(', ')}`);
        } else if (mutation.mustFail)
          failures.push(`${where}: accepted (${answer.status}) ${answer.text.slice(0, 200)}`);
        else oddButAccepted++;
      }
    }
    console.log(
      `bad input: ${sent} requests over ${operations.length} operations; answers by status ${JSON.stringify(Object.fromEntries(byStatus))}; ` +
        `${oddButAccepted} odd-but-valid inputs accepted`,
    );
    expect(failures).toEqual([]);
  }, 900000);

  it('refuses bad input to the admin API (users) as the org admin, creating no user', async () => {
    const admin = admins().city;
    const attempts: Mutation[] = [
      {
        name: 'missing role',
        mustFail: true,
        method: 'POST',
        path: '/api/v1/users',
        body: '{"enrollmentId":"x"}',
      },
      {
        name: 'wrong type',
        mustFail: true,
        method: 'POST',
        path: '/api/v1/users',
        body: '{"enrollmentId":1,"role":[]}',
      },
      {
        name: 'unknown role',
        mustFail: true,
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ enrollmentId: `sec-u-${run}`, role: 'superuser' }),
      },
      {
        name: 'unicode id',
        mustFail: true,
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ enrollmentId: '😀\u202E\u0000', role: 'registrar' }),
      },
      {
        name: 'traversal id',
        mustFail: true,
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ enrollmentId: '../../etc/passwd', role: 'registrar' }),
      },
      {
        name: '100k id',
        mustFail: true,
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ enrollmentId: 'A'.repeat(100000), role: 'registrar' }),
      },
      { name: 'malformed', mustFail: true, method: 'POST', path: '/api/v1/users', body: '{"enrollmentId":' },
    ];
    const failures: string[] = [];
    for (const a of attempts) {
      const answer = await send({ ...a, key: admin.apiKey, contentType: 'application/json' }, 30000);
      if (answer.status < 400 || answer.status >= 500)
        failures.push(`${a.name}: ${answer.status} ${answer.text.slice(0, 200)}`);
      else if (problemIssues(answer).length > 0)
        failures.push(`${a.name}: ${problemIssues(answer).join(', ')}`);
    }
    expect(failures).toEqual([]);
  }, 120000);

  // Fixed in gateway/src/events/sse.ts (unit test in events.test.ts); fails on a gateway started before
  // that fix (it streamed from event 1, so the request never ends): restart the gateway.
  it('refuses a bad resume point on the event stream instead of replaying from the start', async () => {
    const key = (await createUser(admins().city, `sec-sse-${run}`, 'quarantine')).apiKey;
    for (const after of ['abc', '-1', '1e309']) {
      const answer = await send({ method: 'GET', path: `${SSE}?after=${after}`, key }, 10000).catch(
        (err: Error) => err,
      );
      expect(answer).not.toBeInstanceOf(Error);
      const a = answer as RawAnswer;
      expect(a.status).toBe(400);
      expect(problemIssues(a)).toEqual([]);
    }
  });
});

describe('keys and orgs', () => {
  it('answers 401 to every operation without a key or with a bogus one', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.template.startsWith('/api/v1/'))) {
      const [m] = mutationsOf(op, 1);
      const path = m?.path ?? op.template;
      for (const key of [undefined, `clk_${'A'.repeat(45)}`]) {
        const answer = await send({ method: op.method, path, key });
        if (answer.status !== 401 || (answer.json?.code as string) !== 'UNAUTHENTICATED')
          failures.push(`${op.method} ${op.template} ${key ? 'bogus key' : 'no key'}: ${answer.status}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300000);

  it("answers 403 to another org's key: a channel it is not on, another org's users and keys", async () => {
    const { city, port } = admins();
    const portUser = await createUser(port, `sec-port-${run}`, 'agent');
    const failures: string[] = [];
    // The port's key on every medical operation (channel health: the port is not a member).
    for (const op of operations.filter((o) => o.template.startsWith('/api/v1/medical/'))) {
      const [m] = mutationsOf(op, 1);
      const answer = await send({
        method: op.method,
        path: m?.path ?? op.template,
        key: portUser.apiKey,
        contentType: 'application/json',
        body: op.body ? '{}' : undefined,
      });
      if (answer.status !== 403)
        failures.push(`${op.method} ${op.template} as Port: ${answer.status} ${answer.text.slice(0, 120)}`);
    }
    // The port's key sees no medical read table (events of channel health), while a City key does.
    const portView = await send({
      method: 'GET',
      path: '/api/v1/read/medical/consent',
      key: portUser.apiKey,
    });
    if (!(
      portView.status === 403 ||
      (portView.status === 200 && (portView.json?.items as unknown[]).length === 0)
    ))
      failures.push(
        `GET /api/v1/read/medical/consent as Port: ${portView.status} ${portView.text.slice(0, 120)}`,
      );
    // The City admin acting on a Port user: new key, key revocation, disabling — all refused.
    for (const [method, p] of [
      ['POST', `/api/v1/users/${encodeURIComponent(portUser.userId)}/keys`],
      ['DELETE', `/api/v1/keys/${portUser.keyId}`],
      ['DELETE', `/api/v1/users/${encodeURIComponent(portUser.userId)}`],
    ] as const) {
      const answer = await send({
        method,
        path: p,
        key: city.apiKey,
        contentType: 'application/json',
        body: method === 'POST' ? '{}' : undefined,
      });
      if (answer.status !== 403 && answer.status !== 404)
        failures.push(`${method} ${p} as City admin: ${answer.status} ${answer.text.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
    // The Port user is untouched: its key still works.
    expect((await send({ method: 'GET', path: '/api/v1/me', key: portUser.apiKey })).status).toBe(200);
  }, 300000);
});

describe('afterwards', () => {
  it('the gateway is ready and every network process is OK', async () => {
    expect((await send({ method: 'GET', path: '/readyz' })).status).toBe(200);
    const repo = path.resolve(__dirname, '..', '..', '..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(repo, 'network', 'dist', 'cli.js'), 'status'],
      {
        cwd: repo,
        timeout: 60000,
      },
    );
    // Process rows: name, pid, address, health (`OK` for nodes and the gateway, `running` for chaincodes).
    const rows = stdout
      .split('\n')
      .filter((l) => /^(ca|orderer\d*|peer\d*|chaincode|gateway)[.\w-]*\s+\S+\s+\d/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(12);
    const unhealthy = rows.filter((l) => !/\s(OK|running)\s*$/.test(l));
    expect(unhealthy).toEqual([]);
  }, 120000);
});
