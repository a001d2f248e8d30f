/**
 * What the domain workloads share: one setup per run (memoised, so workloads built on the same
 * objects — the 80/20 mix reuses the others' — never enrol or register twice), bounded parallel
 * setup, pool sizes that follow the offered load, and the actors of a pool with their identity in
 * each mode (a Fabric CA enrolment for direct mode, a gateway user and API key for REST mode).
 */
import { Contract } from '@hyperledger/fabric-gateway';
import { arg, submitAs } from '../../support/calls';
import { contractAs, enrolUser, TestUser } from '../../support/live';
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

/** `fn` over `items`, at most `limit` at a time (the CAs and peers share two cores with the load). */
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
    4,
    (i) =>
      makeActor(ctx, org, i === 0 ? name : `${name}-${i}`, attrs, chaincode, i === 0 ? ctx.modes : restOnly),
  );
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * enrolUser, retried: the network tooling keeps each org's enrolment secrets in one JSON file that
 * every process rewrites without a lock, so an enrolment racing another suite's may read it half
 * written (SyntaxError) or lose its secret; a retry, under a new name after the second failure, gets
 * through.
 */
export async function enrol(org: string, name: string, attrs: Record<string, string>): Promise<TestUser> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await enrolUser(org, attempt < 2 ? name : `${name}-x${attempt}`, attrs);
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
    }
  }
}

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
  await inBatches(ids, 8, (residentId) =>
    submitAs(registrar, 'identity', 'resident:RegisterResident', [{ residentId }]),
  );
}

export const CITY = 'CityMSP';
