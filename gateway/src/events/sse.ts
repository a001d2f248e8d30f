import type { Request, Response } from 'express';
import { badRequest } from '../problem';
import { Store } from '../store/store';
import { EventHub, eventJson } from './hub';

/**
 * Server-Sent Events: every stored event of the caller's channels after Last-Event-ID (or ?after=),
 * in sequence order, then live. Each SSE id is the event's sequence number, so a client that
 * reconnects with Last-Event-ID gets every event exactly once, in order, even across gateway restarts.
 */
export function sseHandler(store: Store, hub: EventHub, channelsOf: (req: Request) => string[], heartbeatMs = 15000) {
  return async (req: Request, res: Response): Promise<void> => {
    const q = req.query as Record<string, string | undefined>;
    // A resume point that is not an event id is refused: silently replaying from the start would flood
    // the client with events it already has.
    const header = req.get('last-event-id');
    const resume: unknown = header ?? q.after;
    if (resume !== undefined && resume !== '' && (typeof resume !== 'string' || !/^\d{1,15}$/.test(resume)))
      throw badRequest('invalid resume point', [{ field: header !== undefined ? 'Last-Event-ID' : 'after', message: 'must be an event id (a non-negative integer)' }]);
    let last = resume ? Number(resume) : 0;
    const filter = { channels: channelsOf(req), channel: q.channel, chaincode: q.chaincode, eventName: q.event };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': cityledger events\n\n');
    // Retention deleted events this client has not seen: say so (no id: its resume point stays), then
    // replay what is kept.
    const prunedThrough = resume ? await store.eventsPrunedThrough() : 0;
    if (last < prunedThrough) res.write(`event: gap\ndata: ${JSON.stringify({ after: last, prunedThrough })}\n\n`);

    let pumping = false;
    let again = false;
    let closed = false;
    const pump = async () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          for (;;) {
            const rows = await store.eventsAfter(last, 200, filter);
            for (const row of rows) {
              if (closed) return;
              // The event name comes from a chaincode: no line breaks may reach the SSE framing.
              res.write(`id: ${row.seq}\nevent: ${row.event_name.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(eventJson(row))}\n\n`);
              last = row.seq;
            }
            if (rows.length < 200) break;
          }
        } while (again && !closed);
      } finally {
        pumping = false;
      }
    };
    const unsubscribe = hub.subscribe(() => void pump());
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    // On gateway shutdown the stream ends; the client reconnects with Last-Event-ID and loses nothing.
    const offShutdown = hub.onShutdown(() => res.end());
    req.on('close', () => {
      closed = true;
      unsubscribe();
      offShutdown();
      clearInterval(heartbeat);
    });
    await pump();
  };
}
