import { Contract } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import type { BlockCommits } from './block-commits';
import { httpRequest } from './http';
import { Operation, Outcome } from './load';

/**
 * A workload is one kind of request, offered by each driver mode the same way. Direct mode calls Fabric
 * with @hyperledger/fabric-gateway and measures each stage of a submit: endorse, order (submit to the
 * orderer), commit (wait for the commit status, or for the block: `learnCommitsFromBlocks`).
 */
export interface DirectContext {
  /** A contract of `chaincode` as an identity suited to the workload. */
  contract(chaincode: string): Contract;
  runId: string;
}

/** The REST gateway, called with an org admin's API key over keep-alive HTTP. */
export interface RestContext {
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Outcome>;
  /** The same, with another API key (a user the workload created in `prepare`). */
  as(apiKey: string): RestContext['call'];
  /** Any call with any key, answering the status and parsed body (for calls whose answer matters). */
  request(apiKey: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<RestAnswer>;
  baseUrl: string;
  runId: string;
}

/** The gateway as an org admin sees it during `prepare`: creating users and their API keys. */
export interface RestAdmin {
  /**
   * POST /api/v1/users as the org's admin; returns the new user's API key (with the run's per-key
   * rate limit when the gateway has per-key limits).
   */
  createUser(org: string, user: Record<string, string>): Promise<string>;
  /** The rate limit (requests per minute) of the run's keys; undefined: the gateway's default for every key. */
  keyLimitPerMinute?: number;
  /** Any call with any key, answering the status and parsed body. */
  request(apiKey: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<RestAnswer>;
}

export interface RestAnswer {
  status: number;
  body: unknown;
}

/**
 * What `prepare` may use: Fabric as the city admin, the gateway's admin API when REST mode runs, and
 * the size of the run (so pools of identities and objects are as large as the load needs, no larger).
 */
export interface PrepareContext extends DirectContext {
  rest?: RestAdmin;
  /** The highest rate (per second) the run offers this workload. */
  maxRate: number;
  /** Upper bound of the operations one mode may issue (every step's warm-up and steady window). */
  budget: number;
  /** Driver modes that will run (`direct`, `rest`). */
  modes: string[];
}

export interface Workload {
  name: string;
  /** What one operation carries when more than one item (telemetry batches: `readings`), and how many. */
  items?: { unit: string; perOperation: number };
  /** `ingest`: off-chain writes through the gateway (offered at the evaluate rates). */
  kind: 'submit' | 'evaluate' | 'mix' | 'ingest';
  chaincode: string;
  /** Every chaincode the workload calls, when more than `chaincode`. */
  chaincodes?: string[];
  description: string;
  /** Once per run, before any mode; bounded in time and count. */
  prepare?(ctx: PrepareContext): Promise<void>;
  /** Absent when the workload exists only through the gateway (telemetry ingestion). */
  direct?(ctx: DirectContext): Operation;
  rest?(ctx: RestContext): Operation;
  /** After a mode's steps: completes pending work (e.g. anchors open windows) and returns its own figures. */
  finish?(mode: 'direct' | 'rest'): Promise<Record<string, number | null>>;
}

/** Calls the gateway; a non-2xx answer is a failure named by the problem's stable code. */
export function restCaller(baseUrl: string, apiKey: string): RestContext['call'] {
  return async (method, path, body) => {
    const t0 = performance.now();
    const { status, text, headers } = await call(baseUrl, apiKey, method, path, body);
    if (status >= 200 && status < 300)
      return { ok: true, stages: restStages(headers['server-timing'], performance.now() - t0) };
    let code = `HTTP_${status}`;
    try {
      code = (JSON.parse(text) as { code?: string }).code ?? code;
    } catch {
      /* not problem+json */
    }
    return { ok: false, failure: code };
  };
}

/**
 * The gateway's Server-Timing (endorse, submit, commit; evaluate for queries) named as the direct
 * driver names its stages, plus what the request spent outside Fabric: in the gateway itself
 * (`gateway`: its `total` less the stages) and in HTTP both ways and this driver (`http`: what the
 * driver measured less the gateway's `total`). Their sum is `http_and_gateway`.
 */
function restStages(
  serverTiming: string | string[] | undefined,
  totalMs: number,
): Record<string, number> | undefined {
  if (!serverTiming) return undefined;
  const stages: Record<string, number> = {};
  let gatewayMs: number | undefined;
  for (const entry of [serverTiming].flat().join(',').split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const dur = params.find((p) => p.startsWith('dur='));
    if (!dur) continue;
    if (name === 'total') gatewayMs = Number(dur.slice(4));
    else stages[name === 'submit' ? 'order' : name] = Number(dur.slice(4));
  }
  const fabricMs = Object.values(stages).reduce((a, b) => a + b, 0);
  return {
    ...stages,
    http_and_gateway: Math.max(0, totalMs - fabricMs),
    ...(gatewayMs === undefined
      ? {}
      : { gateway: Math.max(0, gatewayMs - fabricMs), http: Math.max(0, totalMs - gatewayMs) }),
  };
}

function call(baseUrl: string, apiKey: string, method: string, path: string, body?: unknown) {
  return httpRequest(
    baseUrl,
    method,
    path,
    {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body === undefined ? undefined : JSON.stringify(body),
  );
}

/** Calls the gateway with `apiKey`, answering the status and the parsed JSON body. */
export async function restRequest(
  baseUrl: string,
  apiKey: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<RestAnswer> {
  const { status, text } = await call(baseUrl, apiKey, method, path, body);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status, body: parsed };
}

const codeNames = new Map(
  Object.entries(peer.TxValidationCode).map(([name, value]) => [value as number, name]),
);
const validationCode = (code: number) => codeNames.get(code) ?? `CODE_${code}`;

/** Private inputs and key-level endorsement, as fabric-gateway's proposal options take them. */
export interface SubmitOptions {
  transientData?: Record<string, Uint8Array>;
  endorsingOrganizations?: string[];
}

/** With `--direct-commits=blocks`: the block stream that answers each chaincode's commits. */
let blockCommits: ReadonlyMap<string, BlockCommits> | undefined;

/** Direct submits learn their outcome from these block streams, by chaincode (undefined: CommitStatus again). */
export function learnCommitsFromBlocks(byChaincode?: ReadonlyMap<string, BlockCommits>): void {
  blockCommits = byChaincode;
}

export async function submitWithStages(
  contract: Contract,
  name: string,
  args: string[],
  options: SubmitOptions = {},
): Promise<Outcome> {
  const t0 = performance.now();
  const transaction = await contract.newProposal(name, { arguments: args, ...options }).endorse();
  const t1 = performance.now();
  const awaited = blockCommits?.get(contract.getChaincodeName())?.expect(transaction.getTransactionId());
  let commit;
  try {
    commit = await transaction.submit();
  } catch (err) {
    awaited?.cancel();
    throw err;
  }
  const t2 = performance.now();
  const code = awaited ? await awaited.code : (await commit.getStatus()).code;
  const t3 = performance.now();
  if (code !== peer.TxValidationCode.VALID) return { ok: false, failure: validationCode(code) };
  return { ok: true, stages: { endorse: t1 - t0, order: t2 - t1, commit: t3 - t2 } };
}

export async function evaluate(
  contract: Contract,
  name: string,
  args: string[],
  options: Pick<SubmitOptions, 'transientData'> = {},
): Promise<Outcome> {
  await contract.evaluate(name, { arguments: args, ...options });
  return { ok: true };
}

const PROBE_CHAINCODE = process.env.CITYLEDGER_PROBE_CHAINCODE ?? 'identity';

export const noop: Workload = {
  name: 'noop',
  kind: 'submit',
  chaincode: PROBE_CHAINCODE,
  description: 'probe:Noop, an empty transaction: the floor of endorse + order + validate + commit',
  direct: (ctx) => {
    const contract = ctx.contract(PROBE_CHAINCODE);
    return () => submitWithStages(contract, 'probe:Noop', []);
  },
  rest: (ctx) => () => ctx.call('POST', `/api/v1/${PROBE_CHAINCODE}/probe/noop`, {}),
};

const readKey = (runId: string) => `bench-read-${runId}`;

export const read: Workload = {
  name: 'read',
  kind: 'evaluate',
  chaincode: PROBE_CHAINCODE,
  description: 'probe:Get, a single-key read evaluated on one peer',
  prepare: async (ctx) => {
    await ctx
      .contract(PROBE_CHAINCODE)
      .submitTransaction('probe:Put', JSON.stringify({ key: readKey(ctx.runId), value: 'x'.repeat(100) }));
  },
  direct: (ctx) => {
    const contract = ctx.contract(PROBE_CHAINCODE);
    const key = readKey(ctx.runId);
    return () => evaluate(contract, 'probe:Get', [key]);
  },
  rest: (ctx) => {
    const path = `/api/v1/${PROBE_CHAINCODE}/probe/get?key=${encodeURIComponent(readKey(ctx.runId))}`;
    return () => ctx.call('GET', path);
  },
};

export const probeWrite: Workload = {
  name: 'probe-write',
  kind: 'submit',
  chaincode: PROBE_CHAINCODE,
  description: 'probe:Put, one new key per transaction',
  direct: (ctx) => {
    const contract = ctx.contract(PROBE_CHAINCODE);
    return (i) =>
      submitWithStages(contract, 'probe:Put', [
        JSON.stringify({ key: `bench-${ctx.runId}-${i}`, value: 'v' }),
      ]);
  },
  rest: (ctx) => (i) =>
    ctx.call('POST', `/api/v1/${PROBE_CHAINCODE}/probe/put`, { key: `bench-${ctx.runId}-r${i}`, value: 'v' }),
};

export const mix: Workload = {
  name: 'mix-80-20',
  kind: 'mix',
  chaincode: PROBE_CHAINCODE,
  description: '80% single-key reads, 20% single-key writes',
  prepare: read.prepare,
  direct: (ctx) => {
    const reads = read.direct!(ctx);
    const writes = probeWrite.direct!(ctx);
    return (i) => (i % 5 === 4 ? writes(i) : reads(i));
  },
  rest: (ctx) => {
    const reads = read.rest!(ctx);
    const writes = probeWrite.rest!(ctx);
    return (i) => (i % 5 === 4 ? writes(i) : reads(i));
  },
};

export const baseWorkloads: Workload[] = [noop, read, probeWrite, mix];
