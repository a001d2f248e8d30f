/**
 * Telemetry ingestion through the gateway's off-chain API (gateway/README.md "Telemetry"): vehicles
 * post raw readings (`POST /api/v1/telemetry/readings`, one operation = one reading) and every few
 * seconds of data seal a window that the gateway anchors on chain (`POST /api/v1/telemetry/windows`
 * with `anchor: true`, mobility telemetry:AnchorWindow as the vehicle). Sealing runs beside the
 * readings, one window at a time per vehicle (its sequence), so the row's figures are readings
 * accepted; `finish` seals what is left and reports readings accepted and anchored per second.
 * REST only: the off-chain store is the gateway's.
 */
import { Outcome } from '../load';
import { Pool } from '../pool';
import { PrepareContext, RestContext, Workload } from '../workloads';
import { iso, once, restKeysFor } from './common';
import { registerVehicles } from './mobility';

/** Data per window (the gateway bounds a window to 1 s .. 1 h and telemetry.maxWindow readings). */
const WINDOW_MS = 5000;

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
  sealFailures: Record<string, number>;
}

let streams: Pool<Stream> | undefined;
let figures: Figures = { accepted: 0, windows: 0, anchored: 0, sealFailures: {} };
const sealing = new Set<Promise<void>>();

const ingestSetup = (ctx: PrepareContext) =>
  once('telemetry-ingest', async () => {
    if (!ctx.rest || !ctx.modes.includes('rest')) return;
    // Each vehicle's API key is rate limited (gateway rateLimit, 600/min by default): a few readings/s each.
    const n = Math.max(2, restKeysFor(ctx));
    const vehicles = await registerVehicles(ctx, n, 'ingest', ['rest']);
    const now = Date.now();
    streams = new Pool(
      vehicles.map((v) => ({ vin: v.vin, apiKey: v.apiKey!, lastTs: now, windowStart: now, open: 0 })),
    );
  });

async function seal(ctx: RestContext, s: Stream): Promise<void> {
  const windowEnd = s.lastTs + 1;
  s.windowStart = windowEnd;
  s.lastTs = windowEnd; // later readings fall in the next window
  s.open = 0;
  const answer = await ctx.request(s.apiKey, 'POST', '/api/v1/telemetry/windows', {
    windowEnd: iso(windowEnd),
    anchor: true,
  });
  const body = answer.body as { count?: number; anchored?: { status?: number; error?: { code?: string } } };
  const anchoredOk = answer.status === 201 && body.anchored?.status === 200;
  if (anchoredOk) {
    figures.windows++;
    figures.anchored += body.count ?? 0;
    figures.lastAnchoredAt = performance.now();
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
  description: `readings posted to the gateway's telemetry API, sealed every ${WINDOW_MS / 1000} s of data per vehicle and anchored on chain`,
  prepare: (ctx) => ingestSetup(ctx),
  rest: (ctx) => {
    restCtx = ctx;
    figures = { accepted: 0, windows: 0, anchored: 0, sealFailures: {} };
    return (i) =>
      streams!.use(async (s): Promise<Outcome> => {
        const ts = Math.max(Date.now(), s.lastTs + 1);
        const outcome = await ctx.as(s.apiKey)('POST', '/api/v1/telemetry/readings', {
          timestamp: iso(ts),
          speedKmh: 30 + (i % 70),
          latE6: 35_179_554 + (i % 1000),
          lonE6: 129_075_642 + (i % 1000),
          automation: i % 4 !== 3,
        });
        if (outcome.ok) {
          s.lastTs = ts;
          s.open++;
          figures.accepted++;
          figures.firstAt ??= performance.now();
          figures.lastAcceptedAt = performance.now();
          if (ts - s.windowStart >= WINDOW_MS) sealInBackground(ctx, s);
        }
        return outcome;
      });
  },
  finish: async () => {
    if (!streams || !restCtx) return {};
    // Seal what is left (bounded: one more window per vehicle, a minute at most).
    const deadline = Date.now() + 60_000;
    while (sealing.size > 0 && Date.now() < deadline) await Promise.race([...sealing, sleep(1000)]);
    await new Promise((r) => setTimeout(r, 1100)); // a window lasts at least 1 s
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
      accepted_per_s: acceptedS ? Number((figures.accepted / acceptedS).toFixed(1)) : null,
      anchored_per_s: anchoredS ? Number((figures.anchored / anchoredS).toFixed(1)) : null,
      ...Object.fromEntries(Object.entries(figures.sealFailures).map(([k, v]) => [`seal_failed_${k}`, v])),
    };
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
