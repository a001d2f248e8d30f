import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { badRequest, queryString } from '../problem';
import { Store } from '../store/store';
import { EventHub, eventJson } from './hub';

/** Events read from the store at a time. */
const PAGE = 200;

/** Resolves once the response's buffer has drained, or the connection is gone. */
function drained(res: Response): Promise<void> {
  if (!res.writableNeedDrain || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Server-Sent Events: every stored event of the caller's channels after Last-Event-ID (or ?after=),
 * in sequence order, then live. Each SSE id is the event's sequence number, so a client that
 * reconnects with Last-Event-ID gets every event exactly once, in order, even across gateway restarts.
 */
export function sseHandler(store: Store, hub: EventHub, channelsOf: (req: Request) => string[], log: Logger, heartbeatMs = 15000) {
  return async (req: Request, res: Response): Promise<void> => {
    // A 'close' that happened before a listener was added never reaches it: the client may be gone before
    // this handler runs (it is called after the auth middleware's awaits) or during an await below. So
    // listen before any await, and look at `gone` after each before subscribing, or the subscription
    // (and its heartbeat) would stay for ever.
    let gone = res.destroyed || res.closed;
    let release: () => void = () => undefined;
    res.once('close', () => {
      gone = true;
      release();
    });
    if (gone) return;
    // Each once: a parameter given twice is an array, refused before it reaches a query.
    const q = { after: queryString(req.query, 'after'), channel: queryString(req.query, 'channel'), chaincode: queryString(req.query, 'chaincode'), event: queryString(req.query, 'event') };
    // A resume point that is not an event id is refused: silently replaying from the start would flood
    // the client with events it already has.
    const header = req.get('last-event-id');
    const resume: unknown = header ?? q.after;
    if (resume !== undefined && resume !== '' && (typeof resume !== 'string' || !/^\d{1,15}$/.test(resume)))
      throw badRequest('invalid resume point', [{ field: header !== undefined ? 'Last-Event-ID' : 'after', message: 'must be an event id (a non-negative integer)' }]);
    let last = resume ? Number(resume) : 0;
    const filter = { channels: channelsOf(req), channel: q.channel, chaincode: q.chaincode, eventName: q.event };
    // Read before the headers go, so that a store failing here is still an error response.
    const prunedThrough = resume ? await store.eventsPrunedThrough() : 0;
    if (gone || res.destroyed) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': cityledger events\n\n');
    // Retention deleted events this client has not seen: say so (no id: its resume point stays), then
    // replay what is kept.
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
            const rows = await store.eventsAfter(last, PAGE, filter);
            for (const row of rows) {
              // Ended by the client, or by a shutdown while this waited for it to drain.
              if (closed || res.writableEnded) return;
              // The event name comes from a chaincode: no line breaks may reach the SSE framing.
              const sent = res.write(`id: ${row.seq}\nevent: ${row.event_name.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(eventJson(row))}\n\n`);
              last = row.seq;
              // A slow or paused client: wait until it took what was written, or a long replay would sit
              // in this process's memory (the whole backlog, for each such client).
              if (!sent) await drained(res);
            }
            if (rows.length < PAGE) break;
            // Between pages, other requests get their turn.
            await new Promise((r) => setImmediate(r));
          }
        } while (again && !closed);
      } finally {
        pumping = false;
      }
    };
    // The headers are sent: a failure can no longer be an error response, and live pumps have no one
    // awaiting them (an unhandled rejection ends the process). The stream ends instead; the client
    // reconnects with Last-Event-ID and loses nothing.
    const pumpOrEnd = () =>
      pump().catch((err: Error) => {
        log.warn({ err: err.message }, 'event stream to a client failed; ending it');
        release();
        res.end();
      });
    const unsubscribe = hub.subscribe(() => void pumpOrEnd());
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    // On gateway shutdown the stream ends; the client reconnects with Last-Event-ID and loses nothing.
    const offShutdown = hub.onShutdown(() => res.end());
    release = () => {
      closed = true;
      unsubscribe();
      offShutdown();
      clearInterval(heartbeat);
    };
    await pumpOrEnd();
  };
}
