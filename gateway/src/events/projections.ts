import { words } from '../api/routes';
import { EventRow, ProjectionRow, Store } from '../store/store';

/**
 * Read tables projected from chaincode events, so lists and searches (claims by status, port calls by
 * ETA, trades of an interval) are one indexed query. chaincode/common emits one event per transaction:
 *   {"contract","transaction","timestamp","txId","events":[{"type":"ClaimFiled","data":{...}}, ...]}
 * Each domain event with an id is projected: entity = the type's first word (ClaimFiled → claim) or
 * data.entity; id = data.id, data.<entity>Id or data.key; status = data.status or data.state. The
 * latest event (highest sequence) wins per (channel, chaincode, entity, id); data is merged into the
 * row so partial updates (e.g. only {claimId, status}) keep earlier fields.
 */
export interface Projection {
  entity: string;
  id: string;
  status: string | null;
  data: Record<string, unknown>;
}

export function projectionsOf(row: EventRow): Projection[] {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(row.payload, 'base64').toString('utf8'));
  } catch {
    return [];
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return [];
  const envelope = payload as { events?: unknown };
  const domain: Array<{ type?: unknown; data?: unknown }> = Array.isArray(envelope.events) ? (envelope.events as never) : [{ type: row.event_name, data: payload }];
  const out: Projection[] = [];
  for (const e of domain) {
    if (!e || typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) continue;
    const data = e.data as Record<string, unknown>;
    const type = typeof e.type === 'string' ? e.type : row.event_name;
    const entity = (typeof data.entity === 'string' ? data.entity : (words(type.split('.').pop() ?? '')[0] ?? '')).toLowerCase();
    if (!entity) continue;
    const idValue = data.id ?? data[`${entity}Id`] ?? data.key;
    if (typeof idValue !== 'string' && typeof idValue !== 'number') continue;
    const status = typeof data.status === 'string' ? data.status : typeof data.state === 'string' ? data.state : null;
    out.push({ entity, id: String(idValue), status, data });
  }
  return out;
}

/**
 * Projects events in sequence order: each entity's events are merged in memory first, so a batch
 * writes each row once, and all its writes are requested together (one commit on SQLite).
 */
export async function projectAll(store: Store, rows: EventRow[]): Promise<void> {
  const merged = new Map<string, Omit<ProjectionRow, 'updated_at' | 'data'> & { data: Record<string, unknown> }>();
  for (const row of rows) {
    for (const p of projectionsOf(row)) {
      const key = JSON.stringify([row.channel, row.chaincode, p.entity, p.id]);
      let current = merged.get(key);
      if (!current) {
        const existing = await store.getProjection(row.channel, row.chaincode, p.entity, p.id);
        current = {
          channel: row.channel,
          chaincode: row.chaincode,
          entity: p.entity,
          entity_id: p.id,
          status: existing?.status ?? null,
          data: existing ? (JSON.parse(existing.data) as Record<string, unknown>) : {},
          seq: row.seq,
        };
        merged.set(key, current);
      }
      current.data = { ...current.data, ...p.data };
      current.status = p.status ?? current.status;
      current.seq = row.seq;
    }
  }
  await Promise.all([...merged.values()].map((m) => store.upsertProjection({ ...m, data: JSON.stringify(m.data) })));
}

/** Feeds the read tables from the event log with its own cursor, so it catches up after restarts too. */
export class Projector {
  private running = false;
  private again = false;
  static readonly CURSOR = '_projector';

  constructor(private readonly store: Store) {}

  async catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        const cp = await this.store.getCheckpoint(Projector.CURSOR);
        let last = cp ? Number(cp.block_number) : 0;
        for (;;) {
          const rows = await this.store.eventsAfter(last, 500);
          if (rows.length === 0) break;
          await projectAll(this.store, rows);
          last = rows[rows.length - 1].seq;
          await this.store.saveCheckpoint(Projector.CURSOR, BigInt(last), null);
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }
}
