import { EventEmitter } from 'node:events';
import { EventRow } from '../store/store';

/** In-process fan-out of "new events stored": subscribers always re-read from the database by sequence. */
export class EventHub {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(row: EventRow): void {
    this.emitter.emit('event', row);
  }
  subscribe(fn: (row: EventRow) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
  /** Streams end themselves on shutdown, so the HTTP server can close. */
  onShutdown(fn: () => void): () => void {
    this.emitter.on('shutdown', fn);
    return () => this.emitter.off('shutdown', fn);
  }
  shutdown(): void {
    this.emitter.emit('shutdown');
  }
  /** Subscriptions and shutdown callbacks held (a stream that ended must leave none behind). */
  listenerCount(): number {
    return this.emitter.listenerCount('event') + this.emitter.listenerCount('shutdown');
  }
}

/** The JSON clients receive for one event (SSE data, webhook body). */
export function eventJson(row: EventRow): Record<string, unknown> {
  const text = Buffer.from(row.payload, 'base64').toString('utf8');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    /* not JSON: sent as text */
  }
  return {
    id: row.seq,
    channel: row.channel,
    chaincode: row.chaincode,
    eventName: row.event_name,
    blockNumber: row.block_number,
    txId: row.tx_id,
    payload,
  };
}
