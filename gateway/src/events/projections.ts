import { words } from '../api/routes';
import { EventRow, Store } from '../store/store';

/**
 * Read tables projected from chaincode events, so lists and searches (claims by status, port calls by
 * ETA, trades of an interval) are one indexed query. Convention for event payloads (JSON object):
 *   entity: `payload.entity` or `payload.type`, else the event name's first word (ClaimFiled → claim);
 *   id:     `payload.id`, `payload.key` or `payload.<entity>Id`; events without one are not projected;
 *   status: `payload.status` or `payload.state`.
 * The latest event (highest sequence) wins per (channel, chaincode, entity, id).
 */
export function projectionOf(row: EventRow): { entity: string; id: string; status: string | null; data: string } | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(row.payload, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  const entity = (typeof p.entity === 'string' ? p.entity : typeof p.type === 'string' ? p.type : (words(row.event_name)[0] ?? '')).toLowerCase();
  if (!entity) return undefined;
  const idValue = p.id ?? p.key ?? p[`${entity}Id`];
  if (typeof idValue !== 'string' && typeof idValue !== 'number') return undefined;
  const status = typeof p.status === 'string' ? p.status : typeof p.state === 'string' ? p.state : null;
  return { entity, id: String(idValue), status, data: JSON.stringify(p) };
}

export async function project(store: Store, row: EventRow): Promise<void> {
  const p = projectionOf(row);
  if (!p) return;
  await store.upsertProjection({ channel: row.channel, chaincode: row.chaincode, entity: p.entity, entity_id: p.id, status: p.status, data: p.data, seq: row.seq });
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
          for (const row of rows) await project(this.store, row);
          last = rows[rows.length - 1].seq;
          await this.store.saveCheckpoint(Projector.CURSOR, BigInt(last), null);
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }
}
