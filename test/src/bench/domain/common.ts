/**
 * What the domain workloads share: one setup per run (memoised, so workloads built on the same
 * objects — the 80/20 mix reuses the others' — never enrol or register twice), bounded parallel
 * setup, pool sizes that follow the offered load, and the actors of a pool with their identity in
 * each mode (a Fabric CA enrolment for direct mode, a gateway user and API key for REST mode).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type CaIdentity, FabricCaClient } from '@cityledger/gateway';
import { caName, caUrl, org as findOrg } from '@cityledger/network';
import { Contract } from '@hyperledger/fabric-gateway';
import { arg, submitAs } from '../../support/calls';
import { contractAs, network, TestUser } from '../../support/live';
import { Outcome } from '../load';
import { PrepareContext, RestContext, SubmitOptions, submitWithStages } from '../workloads';

const setups = new Map<string, Promise<unknown>>();

/** Runs `setup` once per run under `key`; later callers get the same result. */
export function once<T>(key: string, setup: () => Promise<T>): Promise<T> {
  let found = setups.get(key) as Promise<T> | undefined;
  if (!found) {
    found = setup();
    setups.set(key, found);
  }
  return found;
}

/**
 * How many setup steps run at once. A step that registers an object on chain mostly waits for its
 * block (the orderer cuts one every 250 ms at low load); one that creates identities keeps the CA busy
 * (bcrypt). Setup runs between workloads, never under measured load, so it only needs to keep the
 * two cores busy.
 */
export const SETUP_PARALLEL = 16;

/** `fn` over `items`, at most `limit` at a time. */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The most actors (identities, gateway users) one setup creates: `--pool=` / CITYLEDGER_BENCH_POOL. */
export const poolCap = (): number => Number(process.env.CITYLEDGER_BENCH_POOL ?? 256);

/**
 * How many actors a pool needs so that, at the highest offered rate, an actor is usually free:
 * rate × the seconds one operation holds it (a commit takes about 0.3 s unloaded with the 250 ms
 * batch timeout; 1 s leaves room for the latency growing under load). Capped by `poolCap`, since
 * each actor costs enrolments at a CA: a capped pool makes operations queue for an actor, which
 * shows as latency (the open loop counts the wait).
 */
export function poolSize(ctx: PrepareContext, holdSeconds = 1): number {
  return Math.max(2, Math.min(poolCap(), Math.ceil(ctx.maxRate * holdSeconds)));
}

/**
 * The gateway limits each API key (rateLimit, 600 requests/min by default). The run's keys have a
 * per-key limit of their own (`rateLimitPerMinute`, set by the org admin) where the gateway supports
 * it: then one key per role serves the load, used up to 80% of its limit. Against an older gateway
 * an actor that needs no exclusive use (an issuing officer, a terminal) is several gateway users of
 * the same role, about 5 requests/s each.
 */
export const restKeysFor = (ctx: PrepareContext): number => {
  const perKeyPerS = ctx.rest?.keyLimitPerMinute ? (0.8 * ctx.rest.keyLimitPerMinute) / 60 : 5;
  return Math.max(1, Math.min(poolCap(), Math.ceil(ctx.maxRate / perKeyPerS)));
};

/**
 * `count` actors of one role: the first in every mode that runs, the others only as gateway users
 * (direct mode has no per-identity limit, so one enrolment serves it).
 */
export async function makeActors(
  ctx: PrepareContext,
  count: number,
  org: string,
  name: string,
  attrs: Record<string, string>,
  chaincode: string,
): Promise<Actor[]> {
  const restOnly = ctx.modes.includes('rest') ? ['rest'] : [];
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    SETUP_PARALLEL,
    (i) =>
      makeActor(ctx, org, i === 0 ? name : `${name}-${i}`, attrs, chaincode, i === 0 ? ctx.modes : restOnly),
  );
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Each org's CA as this process reaches it: the gateway's CA client, signed by the org's registrar. */
const cas = new Map<string, { ca: FabricCaClient; registrar: CaIdentity; org: string; mspId: string }>();

function caOf(orgName: string) {
  let found = cas.get(orgName);
  if (!found) {
    const { paths, topology } = network();
    const o = findOrg(topology, orgName);
    const msp = path.join(paths.registrar(o.name), 'msp');
    const keystore = path.join(msp, 'keystore');
    found = {
      ca: new FabricCaClient(caUrl(o), readFileSync(paths.caCert(o.name)), caName(o)),
      registrar: {
        certificate: readFileSync(path.join(msp, 'signcerts', 'cert.pem'), 'utf8'),
        privateKey: readFileSync(path.join(keystore, readdirSync(keystore)[0]), 'utf8'),
      },
      org: o.name,
      mspId: o.mspId,
    };
    cas.set(orgName, found);
  }
  return found;
}

/**
 * A bench actor's identity (`attrs` in its certificate), registered and enrolled over the CA's REST API
 * from this process and kept in memory; a later call with the same name gets the same identity (names
 * are unique per run and attribute set). The network tooling's enrolUser spawns fabric-ca-client twice
 * per identity, ≈ 0.1 s of CPU that a quick run's setup (≈ 200 identities) paid on the machine under
 * test.
 */
export const enrol = (org: string, name: string, attrs: Record<string, string>): Promise<TestUser> =>
  once(`enrol:${org}/${name}`, async () => {
    const { ca, registrar, mspId, org: orgName } = caOf(org);
    const secret = await ca.register(registrar, {
      enrollmentId: name,
      attrs: Object.entries(attrs).map(([attr, value]) => ({ name: attr, value })),
    });
    const { certificate, privateKey } = await ca.enroll(name, secret);
    return { org: orgName, name, mspId, certificate, privateKey };
  });

/** One actor of a pool: the same on-chain identity (attributes) in both modes. */
export interface Actor {
  /** direct mode: a contract as the actor's own enrolment */
  contract?: Contract;
  /** REST mode: the actor's own API key (a gateway user with the same attributes) */
  apiKey?: string;
}

/**
 * Enrols `name` at `org` with `attrs` for direct mode and creates the same user at the gateway for REST
 * mode (each only if that mode runs). The gateway enrols its users itself, so the enrolment ids differ.
 */
export async function makeActor(
  ctx: PrepareContext,
  org: string,
  name: string,
  attrs: Record<string, string>,
  chaincode: string,
  modes: string[] = ctx.modes,
): Promise<Actor & { user?: TestUser }> {
  const actor: Actor & { user?: TestUser } = {};
  if (modes.includes('direct')) {
    actor.user = await enrol(org, name, attrs);
    actor.contract = contractAs(actor.user, chaincode);
  }
  if (ctx.rest && modes.includes('rest'))
    actor.apiKey = await ctx.rest.createUser(org, { enrollmentId: `${name}-r`, ...attrs });
  return actor;
}

/** A submit in direct mode with its stages timed; arguments as chaincode-common's serializer wants them. */
export function submitDirect(
  contract: Contract,
  tx: string,
  args: unknown[],
  options: SubmitOptions = {},
): Promise<Outcome> {
  return submitWithStages(contract, tx, args.map(arg), options);
}

/** The REST call as the actor's own key (an org admin's key when the actor has none). */
export const restAs = (ctx: RestContext, actor: Actor): RestContext['call'] =>
  actor.apiKey ? ctx.as(actor.apiKey) : ctx.call;

/** The City registrar of the run (identity residents, mobility vehicles), enrolled once. */
export const cityRegistrar = (ctx: PrepareContext): Promise<TestUser> =>
  once('registrar', () => enrol('city', `bench-${ctx.runId}-registrar`, { role: 'registrar' }));

/** Registers residents `ids` (identity chaincode), a few at a time. */
export async function registerResidents(ctx: PrepareContext, ids: string[]): Promise<void> {
  const registrar = await cityRegistrar(ctx);
  await inBatches(ids, SETUP_PARALLEL, (residentId) =>
    submitAs(registrar, 'identity', 'resident:RegisterResident', [{ residentId }]),
  );
}

export const CITY = 'CityMSP';
