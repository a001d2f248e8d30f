/**
 * The shared gateway's operations endpoints (issue 8): /livez, /readyz (every org's peer reachable,
 * every chaincode's API loaded), /metrics (request and Fabric stage metrics), and /openapi.json: valid
 * OpenAPI 3.1 (checked by an independent validator) with exactly one operation per transaction of every
 * chaincode's LIVE metadata, read from the peers — API and chaincode cannot drift.
 */
import { randomUUID } from 'node:crypto';
import { channelOf, closeConnections, contractAs, ensureNetwork, network, orgAdmin } from '../support/live';
import { openApi31Errors } from '../support/openapi';
import { admins, call, metricValue, Org, RestUser, SHARED_GATEWAY } from '../support/rest';

const GW = SHARED_GATEWAY;
let admin: Record<Org, RestUser>;

beforeAll(async () => {
  await ensureNetwork();
  admin = admins();
});

afterAll(() => closeConnections());

interface LiveTx {
  chaincode: string;
  contract: string;
  name: string;
  submit: boolean;
  transient: boolean;
}

/** Every transaction of `chaincode` as its running chaincode reports it (GetMetadata), read as a channel member. */
async function liveTransactions(chaincode: string): Promise<LiveTx[]> {
  const channel = channelOf(chaincode);
  const member = network().topology.channels.find((c) => c.name === channel)!.orgs[0];
  const bytes = await contractAs(orgAdmin(member), chaincode).evaluateTransaction('org.hyperledger.fabric:GetMetadata');
  const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
    contracts: Record<string, { transactions: { name: string; tag?: string[]; transient?: unknown }[] }>;
  };
  return Object.entries(raw.contracts)
    .filter(([contract]) => contract !== 'org.hyperledger.fabric')
    .flatMap(([contract, c]) =>
      c.transactions.map((t) => ({
        chaincode,
        contract,
        name: t.name,
        submit: (t.tag ?? []).includes('SUBMIT'),
        transient: t.transient !== undefined,
      })),
    );
}

describe('health', () => {
  it('/livez answers ok without a key', async () => {
    const live = await call(GW, 'GET', '/livez', undefined);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
  });

  it("/readyz: every served org has a reachable peer and every chaincode's API is loaded", async () => {
    const ready = await call(GW, 'GET', '/readyz', undefined);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    const orgs = network().topology.orgs.map((o) => o.name).sort();
    expect(ready.body.orgs.map((o: { org: string }) => o.org).sort()).toEqual(orgs);
    for (const o of ready.body.orgs) expect(o).toMatchObject({ ready: true, peers: [expect.objectContaining({ ready: true })] });
    const chaincodes = network().topology.chaincodes.map((c) => c.name).sort();
    expect(ready.body.chaincodes).toEqual(expect.arrayContaining(chaincodes.map((name) => ({ name, loaded: true }))));
  });
});

describe('/metrics', () => {
  it('has request latencies, in-flight, errors by code and Fabric stage latencies that count our calls', async () => {
    const before = (await call(GW, 'GET', '/metrics', undefined)).text;
    await admin.city.read('identity/probe/get', { key: 'absent' }).catch(() => undefined); // a NOT_FOUND evaluate
    await admin.city.submit('identity/probe/put', { key: `metrics-${randomUUID().slice(0, 8)}`, value: 'm' });
    const answer = await call(GW, 'GET', '/metrics', undefined);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    const after = answer.text;
    for (const name of [
      'cityledger_http_request_duration_seconds_bucket',
      'cityledger_http_in_flight',
      'cityledger_fabric_stage_duration_seconds_bucket',
      'cityledger_errors_total',
      'cityledger_conflict_retries_total',
      'process_cpu_user_seconds_total',
    ])
      expect(after).toContain(name);
    // Counters only grow (other engineers use this gateway too): ours are at least in the difference.
    const grew = (name: string, labels: Record<string, string>) => metricValue(after, name, labels) - metricValue(before, name, labels);
    for (const stage of ['evaluate', 'endorse', 'submit', 'commit'])
      expect({ stage, grew: grew('cityledger_fabric_stage_duration_seconds_count', { stage }) >= 1 }).toEqual({ stage, grew: true });
    expect(grew('cityledger_http_request_duration_seconds_count', {})).toBeGreaterThanOrEqual(3);
    expect(grew('cityledger_errors_total', { code: 'NOT_FOUND' })).toBeGreaterThanOrEqual(1);
  });
});

describe('/openapi.json', () => {
  let doc: {
    openapi: string;
    paths: Record<string, Record<string, { operationId?: string; requestBody?: unknown }>>;
  };

  beforeAll(async () => {
    const answer = await call(GW, 'GET', '/openapi.json', undefined);
    expect(answer.status).toBe(200);
    doc = answer.body;
  });

  it('is valid OpenAPI 3.1 (independent validator)', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(openApi31Errors(doc)).toEqual([]);
  });

  it("has exactly one operation for every transaction of every chaincode's live metadata, and none other", async () => {
    const operations = new Map<string, { method: string; path: string }>();
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        if (!op.operationId) continue;
        expect(operations.has(op.operationId)).toBe(false);
        operations.set(op.operationId, { method, path });
      }
    const live = (await Promise.all(network().topology.chaincodes.map((c) => liveTransactions(c.name)))).flat();
    expect(live.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const t of live) {
      const op = operations.get(`${t.chaincode}.${t.contract}.${t.name}`);
      if (!op) {
        missing.push(`${t.chaincode} ${t.contract}:${t.name}`);
        continue;
      }
      // Writes and evaluates with private inputs take a body; other evaluates are GETs.
      expect({ tx: `${t.contract}:${t.name}`, method: op.method }).toEqual({
        tx: `${t.contract}:${t.name}`,
        method: t.submit || t.transient ? 'post' : 'get',
      });
      expect(op.path.startsWith(`/api/v1/${t.chaincode}/`)).toBe(true);
    }
    expect(missing).toEqual([]);
    const liveIds = new Set(live.map((t) => `${t.chaincode}.${t.contract}.${t.name}`));
    const chaincodes = new Set(network().topology.chaincodes.map((c) => c.name));
    const extra = [...operations.keys()].filter((id) => chaincodes.has(id.split('.')[0]) && !liveIds.has(id));
    expect(extra).toEqual([]);
  });

  it('the interactive docs page is served locally', async () => {
    const docs = await call(GW, 'GET', '/docs', undefined);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/docs/swagger-ui-bundle.js');
    expect((await call(GW, 'GET', '/docs/swagger-ui-bundle.js', undefined)).status).toBe(200);
  });
});
