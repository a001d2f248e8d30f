/**
 * Mobility: telemetry window anchoring. A pool of registered vehicles, each anchoring its own
 * contiguous sequence (seq = last + 1, windows abutting) as itself; one anchor at a time per vehicle,
 * so sequence numbers never collide. Windows are Merkle roots of readings sealed locally with the
 * common Merkle module (support/telemetry), starting in the recent past so they never run ahead of
 * the transaction time.
 */
import { submitAs } from '../../support/calls';
import { randomVin, sealWindow } from '../../support/telemetry';
import { Outcome } from '../load';
import { Pool } from '../pool';
import { cityReaders } from './identity';
import { DirectContext, evaluate, PrepareContext, RestContext, Workload } from '../workloads';
import {
  Actor,
  cityRegistrar,
  inBatches,
  makeActor,
  once,
  poolSize,
  registerResidents,
  restAs,
  SETUP_PARALLEL,
  submitDirect,
} from './common';

/** Readings per anchored window (sealed off-chain; only the root goes on chain). */
const READINGS_PER_WINDOW = 10;
const WINDOW_MS = 1000;

interface Vehicle extends Actor {
  vin: string;
  seq: number;
  lastEnd: number;
}

let vehicles: Pool<Vehicle> | undefined;

/** The owner of the run's vehicles (a resident), registered once. */
export const vehicleOwner = (ctx: PrepareContext): Promise<string> =>
  once('vehicle-owner', async () => {
    const ownerId = `bench-${ctx.runId}-owner`;
    await registerResidents(ctx, [ownerId]);
    return ownerId;
  });

/** `n` vehicles registered on chain, each with its identity in the modes that run. */
export async function registerVehicles(
  ctx: PrepareContext,
  n: number,
  label: string,
  modes: string[] = ctx.modes,
): Promise<(Actor & { vin: string })[]> {
  const registrar = await cityRegistrar(ctx);
  const ownerId = await vehicleOwner(ctx);
  return inBatches(Array.from({ length: n }, randomVin), SETUP_PARALLEL, async (vin, i) => {
    await submitAs(registrar, 'mobility', 'vehicle:RegisterVehicle', [
      { vin, ownerId, make: 'Hyundai', model: 'Ioniq 5' },
    ]);
    const actor = await makeActor(
      ctx,
      'city',
      `bench-${ctx.runId}-${label}-${i}`,
      { role: 'vehicle', vehicleId: vin },
      'mobility',
      modes,
    );
    return { vin, ...actor };
  });
}

export const mobilitySetup = (ctx: PrepareContext) =>
  once('mobility', async () => {
    // Windows start 20 minutes back: each anchor advances a vehicle by at least WINDOW_MS, so the
    // sequence stays behind the clock (WINDOW_IN_FUTURE) however fast a vehicle is served.
    const start = Date.now() - 20 * 60_000;
    const items = await registerVehicles(ctx, poolSize(ctx), 'car');
    vehicles = new Pool(items.map((v) => ({ ...v, seq: 0, lastEnd: start })));
  });

function nextWindow(v: Vehicle) {
  const end = Math.min(Date.now(), v.lastEnd + 60_000);
  return sealWindow(v.vin, v.seq + 1, v.lastEnd, Math.max(end, v.lastEnd + WINDOW_MS), READINGS_PER_WINDOW)
    .window;
}

/**
 * Anchors the vehicle's next window; on success the vehicle moves on, otherwise it re-reads its head
 * from the ledger (a failed or timed-out anchor may still have committed).
 */
async function anchor(
  v: Vehicle,
  send: (window: ReturnType<typeof nextWindow>) => Promise<Outcome>,
  head: () => Promise<{ lastSeq: number; lastWindowEnd: string } | undefined>,
): Promise<Outcome> {
  const window = nextWindow(v);
  let outcome: Outcome;
  try {
    outcome = await send(window);
  } catch (err) {
    await resync(v, head);
    throw err;
  }
  if (outcome.ok) {
    v.seq = window.seq;
    v.lastEnd = Date.parse(window.windowEnd);
  } else await resync(v, head);
  return outcome;
}

async function resync(
  v: Vehicle,
  head: () => Promise<{ lastSeq: number; lastWindowEnd: string } | undefined>,
) {
  try {
    const h = await head();
    if (h) {
      v.seq = h.lastSeq;
      v.lastEnd = Date.parse(h.lastWindowEnd);
    }
  } catch {
    /* the next anchor will tell */
  }
}

const headDirect = (v: Vehicle) => async () => {
  const bytes = await v.contract!.evaluate('telemetry:GetHead', { arguments: [v.vin] });
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as { lastSeq: number; lastWindowEnd: string };
};

const headRest = (ctx: RestContext, v: Vehicle) => async () => {
  const res = await fetch(`${ctx.baseUrl}/api/v1/mobility/telemetry/head?vin=${v.vin}`, {
    headers: { authorization: `Bearer ${v.apiKey}` },
  });
  return res.ok
    ? ((await res.json()) as { result: { lastSeq: number; lastWindowEnd: string } }).result
    : undefined;
};

export const anchorDirect = (_ctx: DirectContext) => () =>
  vehicles!.use((v) =>
    anchor(v, (w) => submitDirect(v.contract!, 'telemetry:AnchorWindow', [w]), headDirect(v)),
  );

export const anchorRest = (ctx: RestContext) => () =>
  vehicles!.use((v) =>
    anchor(v, (w) => restAs(ctx, v)('POST', '/api/v1/mobility/telemetry/windows', w), headRest(ctx, v)),
  );

export const mobilityAnchor: Workload = {
  name: 'mobility-anchor',
  kind: 'submit',
  chaincode: 'mobility',
  description: `telemetry:AnchorWindow, a pool of vehicles each anchoring its own contiguous sequence (${READINGS_PER_WINDOW} readings per window)`,
  prepare: (ctx) => mobilitySetup(ctx),
  direct: anchorDirect,
  rest: anchorRest,
};

/** For the mix: a vehicle record, as any member. */
export const mobilityRead = {
  direct: (ctx: DirectContext) => {
    const contract = ctx.contract('mobility');
    const vin = vehicles!.items[0].vin;
    return (): Promise<Outcome> => evaluate(contract, 'vehicle:GetVehicle', [vin]);
  },
  rest: (ctx: RestContext) => {
    const vin = vehicles!.items[0].vin;
    const reader = cityReaders();
    return (): Promise<Outcome> => restAs(ctx, reader())('GET', `/api/v1/mobility/vehicle?vin=${vin}`);
  },
};
