/**
 * Telemetry ingestion through the gateway's off-chain API (gateway/README.md "Telemetry"): vehicles
 * post raw readings in batches (`POST /api/v1/telemetry/readings:batch`, one operation = one batch of
 * BATCH readings of one vehicle) and, once a window holds SEAL_AT readings (or WINDOW_MS of data),
 * seal it and have the gateway anchor its Merkle root on chain (`POST /api/v1/telemetry/windows` with
 * `anchor: true`, mobility telemetry:AnchorWindow as the vehicle). Sealing runs beside the readings,
 * one window at a time per vehicle (its sequence). The row counts batches; the figures count readings:
 * accepted per second at the best step, and accepted/anchored over the whole mode run (`finish` seals
 * what is left). REST only: the off-chain store is the gateway's.
 */
import { Outcome } from '../load';
import { Pool } from '../pool';
import { bestWindowRate } from '../stats';
import { PrepareContext, RestContext, Workload } from '../workloads';
import { iso, once, poolCap, restKeysFor } from './common';
import { registerVehicles } from './mobility';

/** Readings per request (the gateway's telemetry.maxBatch is 1000 by default). */
const BATCH = Number(process.env.CITYLEDGER_BENCH_TELEMETRY_BATCH ?? 500);
/**
 * A window is sealed at SEAL_AT readings or WINDOW_MS of data, whichever comes first, and never
 * under 1 s of data (the gateway bounds a window to 1 s .. 1 h and telemetry.maxWindow, 4096, readings).
 */
const SEAL_AT = 1500;
const WINDOW_MS = 5000;
const MIN_WINDOW_MS = 1000;
/**
 * Readings per second one vehicle sends at the top rate: while its last window anchors (seconds under
 * load) the next one fills, and must stay under maxWindow.
 */
const PER_VEHICLE = 800;
/** The gateway's telemetry.maxWindow (default): a window over it is refused (WINDOW_TOO_LARGE). */
const MAX_WINDOW = 4096;

interface Stream {
  vin: string;
  apiKey: string;
  lastTs: number;
  windowStart: number;
  open: number;
  sealing?: Promise<void>;
}

interface Figures {
  accepted: number;
  firstAt?: number;
  lastAcceptedAt?: number;
  windows: number;
  anchored: number;
  lastAnchoredAt?: number;
  /** (time, readings) of each accepted batch and each anchored window, for the best sustained rates. */
  acceptedLog: Array<[number, number]>;
  anchoredLog: Array<[number, number]>;
  sealFailures: Record<string, number>;
}

/** The span the sustained rates are taken over (the quick plan's steady window is 2 s: it gets none). */
const SUSTAINED_S = 10;
const emptyFigures = (): Figures => ({ accepted: 0, windows: 0, anchored: 0, acceptedLog: [], anchoredLog: [], sealFailures: {} });

let streams: Pool<Stream> | undefined;
let figures = emptyFigures();
const sealing = new Set<Promise<void>>();

const ingestSetup = (ctx: PrepareContext) =>
  once('telemetry-ingest', async () => {
    if (!ctx.rest || !ctx.modes.includes('rest')) return;
    // Enough vehicles for the top rate at PER_VEHICLE readings/s each (and, without per-key limits, enough keys).
    const n = Math.max(2, Math.min(poolCap(), Math.ceil((ctx.maxRate * BATCH) / PER_VEHICLE)), restKeysFor(ctx));
    const vehicles = await registerVehicles(ctx, n, 'ingest', ['rest']);
    const now = Date.now();
    streams = new Pool(
      vehicles.map((v) => ({ vin: v.vin, apiKey: v.apiKey!, lastTs: now, windowStart: now, open: 0 })),
    );
  });

async function seal(ctx: RestContext, s: Stream): Promise<void> {
  const windowEnd = s.lastTs + 1;
  const windowStart = s.windowStart;
  s.windowStart = windowEnd;
  s.lastTs = windowEnd; // later readings fall in the next window
  s.open = 0;
  const answer = await ctx.request(s.apiKey, 'POST', '/api/v1/telemetry/windows', {
    // Explicit: the first window starts at setup time, later ones where the previous ended.
    windowStart: iso(windowStart),
    windowEnd: iso(windowEnd),
    anchor: true,
  });
  const body = answer.body as { count?: number; anchored?: { status?: number; error?: { code?: string } } };
  const anchoredOk = answer.status === 201 && body.anchored?.status === 200;
  if (anchoredOk) {
    figures.windows++;
    figures.anchored += body.count ?? 0;
    figures.lastAnchoredAt = performance.now();
    figures.anchoredLog.push([figures.lastAnchoredAt, body.count ?? 0]);
  } else {
    const why = body.anchored?.error?.code ?? (body as { code?: string }).code ?? `HTTP_${answer.status}`;
    figures.sealFailures[why] = (figures.sealFailures[why] ?? 0) + 1;
  }
}

/** Starts sealing the stream's window in the background unless one is already on its way. */
function sealInBackground(ctx: RestContext, s: Stream): void {
  if (s.sealing || s.open === 0) return;
  const p = seal(ctx, s)
    .catch((err: unknown) => {
      const why = err instanceof Error ? err.name : 'ERROR';
      figures.sealFailures[why] = (figures.sealFailures[why] ?? 0) + 1;
    })
    .finally(() => {
      s.sealing = undefined;
      sealing.delete(p);
    });
  s.sealing = p;
  sealing.add(p);
}

let restCtx: RestContext | undefined;

export const telemetryIngest: Workload = {
  name: 'telemetry-ingest',
  kind: 'ingest',
  chaincode: 'mobility',
  items: { unit: 'readings', perOperation: BATCH },
  description: `batches of ${BATCH} readings posted to the gateway's telemetry API, sealed every ${SEAL_AT} readings or ${WINDOW_MS / 1000} s of data per vehicle and anchored on chain`,
  prepare: (ctx) => ingestSetup(ctx),
  rest: (ctx) => {
    restCtx = ctx;
    figures = emptyFigures();
    return (i) =>
      streams!.use(async (s): Promise<Outcome> => {
        // A window never passes the gateway's maxWindow (it would refuse it as too large): a batch that
        // would overfill the open window waits until it is sealed. Past the knee, anchoring takes longer
        // than the next window takes to fill, and a window sealed just after one finished could overfill.
        while (s.open + BATCH > MAX_WINDOW) {
          if (!s.sealing) {
            s.lastTs = Math.max(s.lastTs, s.windowStart + MIN_WINDOW_MS); // the gateway's shortest window
            sealInBackground(ctx, s);
          }
          await s.sealing;
        }
        // One timestamp per batch (a window orders equal timestamps by arrival), never before the open window.
        const ts = Math.max(Date.now(), s.lastTs + 1);
        const stamp = iso(ts);
        const readings = Array.from({ length: BATCH }, (_, j) => ({
          timestamp: stamp,
          speedKmh: 30 + ((i + j) % 70),
          latE6: 35_179_554 + ((i * BATCH + j) % 1000),
          lonE6: 129_075_642 + ((i + j) % 1000),
          automation: j % 4 !== 3,
        }));
        const outcome = await ctx.as(s.apiKey)('POST', '/api/v1/telemetry/readings:batch', { readings });
        if (outcome.ok) {
          s.lastTs = ts;
          s.open += BATCH;
          figures.accepted += BATCH;
          figures.firstAt ??= performance.now();
          figures.lastAcceptedAt = performance.now();
          figures.acceptedLog.push([figures.lastAcceptedAt, BATCH]);
          const span = ts - s.windowStart;
          if (span >= MIN_WINDOW_MS && (s.open >= SEAL_AT || span >= WINDOW_MS)) sealInBackground(ctx, s);
        }
        return outcome;
      });
  },
  finish: async () => {
    if (!streams || !restCtx) return {};
    // Seal what is left (bounded: one more window per vehicle, a minute at most).
    const deadline = Date.now() + 60_000;
    while (sealing.size > 0 && Date.now() < deadline) await Promise.race([...sealing, sleep(1000)]);
    await new Promise((r) => setTimeout(r, MIN_WINDOW_MS + 100)); // a window lasts at least 1 s
    for (const s of streams.items) s.lastTs = Math.max(s.lastTs, s.windowStart + MIN_WINDOW_MS);
    for (const s of streams.items) sealInBackground(restCtx, s);
    while (sealing.size > 0 && Date.now() < deadline) await Promise.race([...sealing, sleep(1000)]);
    const span = (end?: number) =>
      figures.firstAt !== undefined && end !== undefined ? (end - figures.firstAt) / 1000 : null;
    const acceptedS = span(figures.lastAcceptedAt);
    const anchoredS = span(figures.lastAnchoredAt);
    return {
      vehicles: streams.items.length,
      readings_accepted: figures.accepted,
      readings_anchored: figures.anchored,
      windows_anchored: figures.windows,
      // Over the whole mode run (every step, warm-ups and the final seal), from the first accepted reading:
      accepted_per_s_over_run: acceptedS ? Number((figures.accepted / acceptedS).toFixed(1)) : null,
      anchored_per_s_over_run: anchoredS ? Number((figures.anchored / anchoredS).toFixed(1)) : null,
      // The best SUSTAINED_S seconds of each (the bar: readings accepted and anchored per second):
      [`accepted_per_s_best_${SUSTAINED_S}s`]: bestWindowRate(figures.acceptedLog, SUSTAINED_S),
      [`anchored_per_s_best_${SUSTAINED_S}s`]: bestWindowRate(figures.anchoredLog, SUSTAINED_S),
      anchor_lag_s:
        figures.lastAnchoredAt !== undefined && figures.lastAcceptedAt !== undefined
          ? Number(((figures.lastAnchoredAt - figures.lastAcceptedAt) / 1000).toFixed(1))
          : null,
      ...Object.fromEntries(Object.entries(figures.sealFailures).map(([k, v]) => [`seal_failed_${k}`, v])),
    };
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
