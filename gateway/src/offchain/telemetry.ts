import { createHmac } from 'node:crypto';
import { mayReadTelemetryOf } from '../auth/roles';
import { Principal } from '../auth/service';
import { SigningIdentity } from '../fabric/port';
import { toProblem } from '../fabric/errors';
import { Outcome, TransactionService } from '../fabric/transactions';
import { badRequest, forbidden, notFound, Problem } from '../problem';
import { Store } from '../store/store';
import { canonicalJson, leafHashOfCanonical, MERKLE_SCHEME, merkleProof, merkleRoot } from './merkle';

/** Where windows are anchored: the mobility chaincode's TelemetryContract (chaincode/mobility). */
export const ANCHOR = { channel: 'city', chaincode: 'mobility', transaction: 'telemetry:AnchorWindow' } as const;

/** The chaincode's window rules (chaincode/mobility telemetry.ts WINDOW_RULES), checked early for clear errors. */
const MIN_WINDOW_MS = 1_000;
const MAX_WINDOW_MS = 3_600_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export interface AnchorInput {
  vin: string;
  seq: number;
  windowStart: string;
  windowEnd: string;
  count: number;
  root: string;
  windowRef: string;
}

/** Submits the anchor transaction as the vehicle (wired to the TransactionService by the app). */
export type Anchorer = (userId: string, identity: SigningIdentity, input: AnchorInput) => Promise<Outcome>;

/** Anchoring through the normal write path, idempotent per window (never anchored twice). */
export function anchorVia(tx: TransactionService, hashKey: Buffer): Anchorer {
  return (userId, identity, input) =>
    tx.write({
      userId,
      identity,
      spec: { channel: ANCHOR.channel, chaincode: ANCHOR.chaincode, transaction: ANCHOR.transaction, args: [canonicalJson(input)] },
      wait: 'commit',
      idempotency: { key: `anchor:${input.windowRef}`, requestHash: createHmac('sha256', hashKey).update(canonicalJson(input)).digest('hex') },
    });
}

type FieldError = { field: string; message: string };
interface ParsedReading {
  tsMs: number;
  /** canonical JSON of the stored reading (the body plus the certificate's vin) */
  reading: string;
  leaf: string;
}

/** Checks one reading (errors pushed with `prefix` before each field); undefined when invalid. */
function parseReading(vehicleId: string, body: unknown, prefix: string, errors: FieldError[]): ParsedReading | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    errors.push({ field: prefix ? prefix.slice(0, -1) : '(body)', message: 'must be object' });
    return undefined;
  }
  const b = body as Record<string, unknown>;
  const before = errors.length;
  if (typeof b.timestamp !== 'string' || !ISO.test(b.timestamp) || Number.isNaN(Date.parse(b.timestamp)))
    errors.push({ field: `${prefix}timestamp`, message: 'is required: UTC ISO-8601, e.g. 2027-01-01T08:00:00.000Z' });
  if ('vin' in b) errors.push({ field: `${prefix}vin`, message: 'comes from your certificate (vehicleId), not the body' });
  let text = '';
  try {
    text = canonicalJson({ ...b, vin: vehicleId });
  } catch {
    errors.push({ field: prefix ? prefix.slice(0, -1) : '(body)', message: 'must be finite JSON' });
  }
  if (errors.length > before) return undefined;
  // leafHash of the object = SHA-256(0x00 || canonical JSON): hashed from the text already built.
  return { tsMs: Date.parse(b.timestamp as string), reading: text, leaf: leafHashOfCanonical(text) };
}

/**
 * Vehicles' raw telemetry, kept off-chain: each reading is stored with its RFC 6962 leaf hash; a
 * vehicle seals the readings of a time window [windowStart, windowEnd) into a window whose Merkle
 * root it anchors on chain (mobility `telemetry:AnchorWindow`, same seq/bounds/count/root); a reading
 * is served with its audit path, in the shape the chaincode's VerifyReading takes.
 */
export class TelemetryService {
  constructor(
    private readonly store: Store,
    private readonly maxWindow: number,
    private readonly anchorer?: Anchorer,
    private readonly identityOf?: (userId: string) => Promise<SigningIdentity>,
    private readonly maxBatch = 1000,
  ) {}

  private vehicleOf(p: Principal): string {
    const vehicleId = p.attrs.vehicleId;
    if (p.role !== 'vehicle' || !vehicleId) throw forbidden('only vehicle identities (role=vehicle with a vehicleId) record telemetry');
    return vehicleId;
  }

  async record(p: Principal, body: unknown): Promise<{ id: number; leaf: string }> {
    const vehicleId = this.vehicleOf(p);
    const errors: FieldError[] = [];
    const r = parseReading(vehicleId, body, '', errors);
    if (!r) throw badRequest(errors.length === 1 && errors[0].message === 'must be object' ? 'a reading is a JSON object' : 'invalid reading', errors);
    await this.refuseLate(vehicleId, r.tsMs);
    const id = await this.store.insertReading(vehicleId, r.tsMs, r.reading, r.leaf);
    return { id, leaf: r.leaf };
  }

  /**
   * Many readings of the calling vehicle at once, all or none: every reading is checked first (the
   * errors name `readings[i].<field>`), then they are stored in one database transaction. Answers
   * `{count, items: [{id, leaf}]}` in the order sent.
   */
  async recordBatch(p: Principal, body: unknown): Promise<{ count: number; items: Array<{ id: number; leaf: string }> }> {
    const vehicleId = this.vehicleOf(p);
    const b = body as { readings?: unknown } | undefined;
    const errors: FieldError[] = [];
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw badRequest('a batch is {"readings": [...]}', [{ field: '(body)', message: 'must be object' }]);
    for (const k of Object.keys(b)) if (k !== 'readings') errors.push({ field: k, message: 'is not allowed' });
    const list = b.readings;
    if (!Array.isArray(list) || list.length < 1 || list.length > this.maxBatch)
      errors.push({ field: 'readings', message: `must be an array of 1..${this.maxBatch} readings` });
    if (errors.length > 0) throw badRequest('invalid batch', errors);
    const parsed: ParsedReading[] = [];
    for (let i = 0; i < (list as unknown[]).length; i++) {
      const r = parseReading(vehicleId, (list as unknown[])[i], `readings[${i}].`, errors);
      if (r) parsed.push(r);
      // Enough to fix the request; a thousand identical errors help no one.
      if (errors.length >= 20) break;
    }
    if (errors.length > 0) throw badRequest('invalid readings: none was stored', errors);
    await this.refuseLate(vehicleId, Math.min(...parsed.map((r) => r.tsMs)));
    const ids = await this.store.insertReadings(vehicleId, parsed);
    return { count: ids.length, items: ids.map((id, i) => ({ id, leaf: parsed[i].leaf })) };
  }

  /** A reading older than the end of the vehicle's last sealed window can never be in a window. */
  private async refuseLate(vehicleId: string, earliestMs: number): Promise<void> {
    const last = await this.store.lastWindow(vehicleId);
    if (last && earliestMs < Date.parse(last.window_end))
      throw new Problem(409, 'LATE_READING', `window ${last.seq} ending ${last.window_end} is sealed; a reading is older`);
  }

  /**
   * Seals [windowStart, windowEnd): windowStart defaults to the previous window's end (or the first
   * open reading), windowEnd is required. With `anchor: true` the gateway also submits the anchor.
   */
  async seal(p: Principal, body: unknown): Promise<Record<string, unknown>> {
    const vehicleId = this.vehicleOf(p);
    const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const errors: Array<{ field: string; message: string }> = [];
    for (const k of Object.keys(b)) if (!['windowStart', 'windowEnd', 'anchor'].includes(k)) errors.push({ field: k, message: 'is not allowed' });
    if (typeof b.windowEnd !== 'string' || !ISO.test(b.windowEnd)) errors.push({ field: 'windowEnd', message: 'is required: UTC ISO-8601' });
    if (b.windowStart !== undefined && (typeof b.windowStart !== 'string' || !ISO.test(b.windowStart))) errors.push({ field: 'windowStart', message: 'must be UTC ISO-8601' });
    if (b.anchor !== undefined && typeof b.anchor !== 'boolean') errors.push({ field: 'anchor', message: 'must be boolean' });
    if (errors.length > 0) throw badRequest('invalid window', errors);

    const last = await this.store.lastWindow(vehicleId);
    const earliest = await this.store.earliestOpenReading(vehicleId);
    const windowStart = (b.windowStart as string | undefined) ?? last?.window_end ?? (earliest ? new Date(earliest.ts_ms).toISOString() : undefined);
    if (!windowStart) throw new Problem(422, 'NOTHING_TO_SEAL', 'no open readings');
    const windowEnd = b.windowEnd as string;
    const [start, end] = [Date.parse(windowStart), Date.parse(windowEnd)];
    if (end - start < MIN_WINDOW_MS || end - start > MAX_WINDOW_MS)
      throw badRequest('invalid window', [{ field: 'windowEnd', message: `the window must last ${MIN_WINDOW_MS} ms to ${MAX_WINDOW_MS} ms` }]);
    if (last && start < Date.parse(last.window_end))
      throw badRequest('invalid window', [{ field: 'windowStart', message: `overlaps window ${last.seq}, which ends ${last.window_end}` }]);
    const readings = await this.store.openReadings(vehicleId, start, end, this.maxWindow + 1);
    if (readings.length === 0) throw new Problem(422, 'NOTHING_TO_SEAL', 'no open readings in this window');
    if (readings.length > this.maxWindow) throw new Problem(422, 'WINDOW_TOO_LARGE', `more than ${this.maxWindow} readings: seal a shorter window`);

    const seq = (last ? Number(last.seq) : 0) + 1;
    const root = merkleRoot(readings.map((r) => r.leaf));
    const windowId = `${vehicleId}-${seq}`;
    const sealed = await this.store.insertWindow(
      { id: windowId, vehicle_id: vehicleId, seq, window_start: windowStart, window_end: windowEnd, root, size: readings.length },
      readings.map((r) => r.id),
    );
    if (!sealed) throw new Problem(409, 'CONFLICT', `window ${seq} of ${vehicleId} was sealed concurrently`);
    const anchor: AnchorInput = { vin: vehicleId, seq, windowStart, windowEnd, count: readings.length, root, windowRef: windowId };
    const result: Record<string, unknown> = { windowId, ...anchor, scheme: MERKLE_SCHEME, anchor };
    if (b.anchor === true) {
      if (!this.anchorer || !this.identityOf) throw new Problem(503, 'ANCHOR_UNAVAILABLE', 'anchoring is not configured');
      // The window stays sealed whatever happens: a failed anchor is reported and can be retried
      // with the same `anchor` body through POST /api/v1/mobility/telemetry/windows.
      try {
        const outcome = await this.anchorer(p.userId, await this.identityOf(p.userId), anchor);
        if (typeof outcome.body.txId === 'string') await this.store.setWindowAnchor(windowId, outcome.body.txId);
        result.anchored = { status: outcome.status, ...outcome.body };
      } catch (err) {
        result.anchored = { error: toProblem(err).toBody() };
      }
    }
    return result;
  }

  /** A reading with its proof, in the shape mobility's VerifyReading takes ({vin, seq, index, reading, path}). */
  async proof(p: Principal, id: number): Promise<Record<string, unknown>> {
    const r = await this.store.getReading(id);
    // Raw readings (GPS and all) live only here: a vehicle sees its own, those who investigate or insure
    // (auth/roles.ts TELEMETRY_READERS) any; to everyone else a reading is as absent as an unknown id.
    if (!r || !mayReadTelemetryOf(p, r.vehicle_id)) throw notFound(`no reading ${id}`);
    if (!r.window_id || r.idx === null) throw new Problem(422, 'NOT_SEALED', 'the reading is not in a sealed window yet');
    const w = (await this.store.getWindow(r.window_id))!;
    const leaves = (await this.store.windowReadings(r.window_id)).map((x) => x.leaf);
    // Retention deletes readings by age, so a window may have lost its first ones: no proof without all its leaves.
    if (leaves.length !== Number(w.size)) throw new Problem(410, 'READINGS_PRUNED', `readings of window ${w.id} were deleted by retention: no proof can be built`);
    return {
      vin: r.vehicle_id,
      seq: Number(w.seq),
      index: r.idx,
      reading: JSON.parse(r.reading) as unknown,
      path: merkleProof(leaves, r.idx),
      leaf: r.leaf,
      treeSize: leaves.length,
      root: w.root,
      windowId: w.id,
      windowStart: w.window_start,
      windowEnd: w.window_end,
      anchorTx: w.anchor_tx,
      scheme: MERKLE_SCHEME,
    };
  }
}
