/**
 * Energy: orders (market:PlaceOrder) from a pool of registered buildings, half buyers (funded once
 * with funds:Mint) and half sellers, each building sending its orders one at a time (concurrent bids
 * of one building conflict on its account, per the energy README); meter readings
 * (metering:SubmitReading), one meter per building, each reading the next interval of its own, in
 * time order, with rising cumulative registers. Intervals are past slots of a random day (unique per
 * run), opened by the market operator in setup, so readings are accepted at once.
 *
 * `energy-hot-interval` is the hot-key case: every building of the pool bids into one interval. Bids
 * of different buildings share no written key, so MVCC conflicts should stay near zero (bar < 1%).
 */
import { randomInt } from 'node:crypto';
import { chaincodeError } from '../../support/errors';
import { evaluateAs, submitAs } from '../../support/calls';
import { TestUser } from '../../support/live';
import { Outcome } from '../load';
import { Pool } from '../pool';
import { DirectContext, evaluate, PrepareContext, RestContext, Workload } from '../workloads';
import { cityReaders } from './identity';
import {
  Actor,
  enrol,
  inBatches,
  makeActor,
  once,
  poolSize,
  restAs,
  SETUP_PARALLEL,
  submitDirect,
} from './common';

interface Building extends Actor {
  buildingId: string;
  side: 'BUY' | 'SELL';
}

interface Meter extends Actor {
  meterId: string;
  /** index of the next reading interval */
  next: number;
  importWh: number;
  exportWh: number;
}

interface Market {
  operator: TestUser;
  intervalMinutes: number;
  /** next free slot (ms), moving forward */
  cursor: number;
}

interface EnergySetup {
  buildings: Pool<Building>;
  meters?: Pool<Meter>;
  /** intervals open for bids (energy-bid rotates over them) */
  bidIntervals: string[];
  /** one interval every building bids into */
  hotInterval?: string;
  /** intervals for readings, oldest first */
  readingIntervals: string[];
}

const state: Partial<EnergySetup> = {};
const ORDER_WH = 1000;
const BID_LIMIT = 120;
const ASK_LIMIT = 80;
const FUNDS_KRW = 100_000_000;

const intervalId = (ms: number) => new Date(ms).toISOString().slice(0, 16) + 'Z';

/** The market operator and configuration (set only if nobody has: other suites may rely on theirs). */
const market = (ctx: PrepareContext): Promise<Market> =>
  once('energy-market', async () => {
    const operator = await enrol('city', `bench-${ctx.runId}-operator`, { role: 'market-operator' });
    let config = await evaluateAs<{ market: { intervalMinutes: number } | null; tariffs: unknown }>(
      operator,
      'energy',
      'registry:GetConfig',
      [],
    );
    if (!config.market)
      await submitAs(operator, 'energy', 'registry:SetMarketConfig', [{ intervalMinutes: 15, feeBps: 0 }]);
    if (!config.tariffs) {
      const utility = await enrol('city', `bench-${ctx.runId}-utility`, { role: 'utility' });
      await submitAs(utility, 'energy', 'registry:SetTariffs', [{ importTariff: 200, exportTariff: 80 }]);
    }
    config = await evaluateAs(operator, 'energy', 'registry:GetConfig', []);
    const intervalMinutes = config.market!.intervalMinutes;
    // A random past day (2001–2022): interval ids are global, so each run takes slots nobody else uses.
    const day = Date.UTC(2001, 0, 1) + randomInt(0, 8000) * 86_400_000;
    return { operator, intervalMinutes, cursor: day };
  });

/** Opens `count` consecutive slots (skipping any already open), oldest first. */
async function openIntervals(ctx: PrepareContext, count: number): Promise<string[]> {
  const m = await market(ctx);
  const slots = Array.from({ length: count }, () => {
    const id = intervalId(m.cursor);
    m.cursor += m.intervalMinutes * 60_000;
    return id;
  });
  const opened = await inBatches(slots, SETUP_PARALLEL, async (id) => {
    try {
      await submitAs(m.operator, 'energy', 'market:OpenInterval', [id]);
      return id;
    } catch (err) {
      if (chaincodeError(err)?.code === 'CONFLICT') return undefined;
      throw err;
    }
  });
  return opened.filter((id): id is string => id !== undefined);
}

const buildingsSetup = (ctx: PrepareContext) =>
  once('energy-buildings', async () => {
    const m = await market(ctx);
    const utility = await enrol('city', `bench-${ctx.runId}-utility`, { role: 'utility' });
    const n = poolSize(ctx);
    const ids = Array.from({ length: n }, (_, i) => `bench-${ctx.runId}-bld-${i}`);
    const buildings = await inBatches(ids, SETUP_PARALLEL, async (buildingId, i): Promise<Building> => {
      await submitAs(m.operator, 'energy', 'registry:RegisterBuilding', [{ buildingId, neighbours: [] }]);
      const side = i % 2 === 0 ? 'BUY' : 'SELL';
      if (side === 'BUY')
        await submitAs(utility, 'energy', 'funds:Mint', [
          { mintId: `bench-${ctx.runId}-mint-${i}`, account: `building:${buildingId}`, amountKrw: FUNDS_KRW },
        ]);
      const actor = await makeActor(
        ctx,
        'city',
        `bench-${ctx.runId}-bld-${i}`,
        { role: 'building', buildingId },
        'energy',
      );
      return { buildingId, side, ...actor };
    });
    state.buildings = new Pool(buildings);
  });

const bidSetup = (ctx: PrepareContext) =>
  once('energy-bid', async () => {
    await buildingsSetup(ctx);
    state.bidIntervals = await openIntervals(ctx, 4);
  });

const hotSetup = (ctx: PrepareContext) =>
  once('energy-hot', async () => {
    await buildingsSetup(ctx);
    state.hotInterval = (await openIntervals(ctx, 1))[0];
  });

const meterSetup = (ctx: PrepareContext) =>
  once('energy-meters', async () => {
    await buildingsSetup(ctx);
    const m = await market(ctx);
    const buildings = state.buildings!.items;
    const meters = await inBatches(buildings, SETUP_PARALLEL, async (b, i): Promise<Meter> => {
      const meterId = `${b.buildingId}-m`;
      await submitAs(m.operator, 'energy', 'registry:RegisterMeter', [
        { meterId, buildingId: b.buildingId, importWh: 0, exportWh: 0 },
      ]);
      const actor = await makeActor(
        ctx,
        'city',
        `bench-${ctx.runId}-meter-${i}`,
        { role: 'meter', buildingId: b.buildingId, meterId },
        'energy',
      );
      return { meterId, next: 0, importWh: 0, exportWh: 0, ...actor };
    });
    state.meters = new Pool(meters);
    // Every meter reads each interval once, in order: enough intervals for every mode's budget.
    const perMeter = Math.ceil((ctx.budget * ctx.modes.length) / meters.length) + 1;
    state.readingIntervals = await openIntervals(ctx, perMeter);
  });

const orderOf = (b: Building, i: number, intervalId: string) => ({
  intervalId,
  side: b.side,
  quantityWh: ORDER_WH + (i % 100),
  limitPrice: b.side === 'BUY' ? BID_LIMIT : ASK_LIMIT,
});

function bidWorkload(
  name: string,
  description: string,
  intervals: () => string[],
  prepare: (ctx: PrepareContext) => Promise<void>,
): Workload {
  return {
    name,
    kind: 'submit',
    chaincode: 'energy',
    description,
    prepare,
    direct: (_ctx: DirectContext) => {
      const ids = intervals();
      return (i) =>
        state.buildings!.use((b) =>
          submitDirect(b.contract!, 'market:PlaceOrder', [orderOf(b, i, ids[i % ids.length])]),
        );
    },
    rest: (ctx: RestContext) => {
      const ids = intervals();
      return (i) =>
        state.buildings!.use((b) =>
          restAs(ctx, b)('POST', '/api/v1/energy/market/orders', orderOf(b, i, ids[i % ids.length])),
        );
    },
  };
}

export const energyBid = bidWorkload(
  'energy-bid',
  'market:PlaceOrder from a pool of buildings (half buy, half sell) over 4 open intervals, one order at a time per building',
  () => state.bidIntervals!,
  (ctx) => bidSetup(ctx),
);

export const energyHotInterval = bidWorkload(
  'energy-hot-interval',
  'hot key: every building of the pool bids into ONE interval (bar: MVCC conflicts < 1%)',
  () => [state.hotInterval!],
  (ctx) => hotSetup(ctx),
);

/** The meter's next reading: the next interval of its own, registers rising. */
function readingOf(meter: Meter): { intervalId: string; importWh: number; exportWh: number } | undefined {
  const id = state.readingIntervals![meter.next];
  if (!id) return undefined;
  return { intervalId: id, importWh: meter.importWh + 700, exportWh: meter.exportWh + 1300 };
}

/** Sends the reading; the meter moves past the interval whatever the outcome (a later interval is always valid). */
async function read(
  meter: Meter,
  send: (r: NonNullable<ReturnType<typeof readingOf>>) => Promise<Outcome>,
): Promise<Outcome> {
  const reading = readingOf(meter);
  if (!reading) return { ok: false, failure: 'NO_INTERVAL_LEFT' };
  meter.next++;
  meter.importWh = reading.importWh;
  meter.exportWh = reading.exportWh;
  return send(reading);
}

export const energyReading: Workload = {
  name: 'energy-reading',
  kind: 'submit',
  chaincode: 'energy',
  description:
    'metering:SubmitReading, one meter per building, each reading its next interval (rising registers)',
  prepare: (ctx) => meterSetup(ctx),
  direct: (_ctx: DirectContext) => () =>
    state.meters!.use((m) => read(m, (r) => submitDirect(m.contract!, 'metering:SubmitReading', [r]))),
  rest: (ctx: RestContext) => () =>
    state.meters!.use((m) => read(m, (r) => restAs(ctx, m)('POST', '/api/v1/energy/metering/readings', r))),
};

/** For the mix: energy writes (orders) and reads (an interval, as any member). */
export const energyForMix = {
  prepare: (ctx: PrepareContext) => bidSetup(ctx),
  write: energyBid,
  read: {
    direct: (ctx: DirectContext) => {
      const contract = ctx.contract('energy');
      return (): Promise<Outcome> => evaluate(contract, 'market:GetInterval', [state.bidIntervals![0]]);
    },
    rest: (ctx: RestContext) => {
      const reader = cityReaders();
      return (): Promise<Outcome> =>
        restAs(ctx, reader())(
          'GET',
          `/api/v1/energy/market/intervals/${encodeURIComponent(state.bidIntervals![0])}`,
        );
    },
  },
};
