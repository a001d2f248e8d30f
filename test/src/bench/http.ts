import net from 'node:net';
import tls from 'node:tls';

/**
 * The REST driver's HTTP client: HTTP/1.1 over kept-alive sockets, one request at a time per socket.
 *
 * The driver shares the machine with what it measures, so every microsecond it spends is taken from
 * the peers and the gateway, and direct mode has no such cost. In a load of 250 requests/s answered
 * in 0.6–1 s with the gateway's 15 headers, the client's CPU per request was 263–273 µs with node:http
 * (keep-alive agent), 184–252 µs with undici's lowest-level `dispatch`, and 114–135 µs with this one
 * (53 µs of it the open loop's own schedule). It speaks just what a JSON API answers: a status line,
 * headers, and a body framed by Content-Length or chunked (none for 204, 304 and HEAD).
 */
export interface HttpAnswer {
  status: number;
  text: string;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
}

/** Every request is bounded: a gateway that stops answering fails the request, not the run. */
const REQUEST_TIMEOUT_MS = 120_000;
/** Sockets per origin; past it requests wait for a free one, as with node:http's agent. */
const MAX_SOCKETS = 512;
/** Without a `Keep-Alive: timeout=N` hint, an idle socket is reused for this long (node:http servers say 5 s). */
const DEFAULT_KEEP_ALIVE_MS = 5000;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

interface Request {
  method: string;
  wire: string;
  resolve(answer: HttpAnswer): void;
  reject(err: Error): void;
}

interface Head {
  status: number;
  headers: Record<string, string>;
  /** Body bytes to read, or 'chunked'. */
  length: number | 'chunked';
  bodyStart: number;
}

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private head?: Head;
  private request?: Request;
  private sentAt = 0;
  private closed = false;
  /** When it was last released, and how long the server keeps an idle socket (its Keep-Alive hint less 1 s). */
  idleSince = 0;
  keepAliveMs = DEFAULT_KEEP_ALIVE_MS - 1000;

  constructor(
    private readonly socket: net.Socket,
    private readonly release: (c: Connection) => void,
    private readonly forget: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close(new Error('the server closed the connection before answering')));
  }

  send(request: Request): void {
    this.request = request;
    this.sentAt = performance.now();
    this.socket.write(request.wire);
  }

  /** Fails the request in flight once it has waited `REQUEST_TIMEOUT_MS` without an answer. */
  expire(now: number): void {
    if (this.request && now - this.sentAt > REQUEST_TIMEOUT_MS)
      this.close(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`));
  }

  reusable(now: number): boolean {
    return !this.closed && now - this.idleSince < this.keepAliveMs;
  }

  close(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.forget(this);
    const request = this.request;
    this.request = undefined;
    if (request) request.reject(err ?? new Error('connection closed'));
  }

  private received(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (!this.request) return this.close(new Error('the server sent bytes nobody asked for'));
    let body: Buffer | undefined;
    try {
      if (!this.head) {
        const end = this.buf.indexOf(HEAD_END);
        if (end < 0) return;
        this.head = parseHead(this.buf.toString('latin1', 0, end), end + 4, this.request.method);
      }
      body =
        this.head.length === 'chunked' ? dechunk(this.buf, this.head.bodyStart) : framed(this.buf, this.head);
    } catch (err) {
      return this.close(err as Error);
    }
    if (!body) return;
    const { status, headers } = this.head;
    const request = this.request;
    this.buf = Buffer.alloc(0);
    this.head = undefined;
    this.request = undefined;
    const hint = /timeout=(\d+)/.exec(headers['keep-alive'] ?? '');
    if (hint) this.keepAliveMs = Number(hint[1]) * 1000 - 1000;
    if (/\bclose\b/i.test(headers.connection ?? '')) this.close();
    else this.release(this);
    request.resolve({ status, headers, text: body.toString('utf8') });
  }
}

function parseHead(text: string, bodyStart: number, method: string): Head {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!status) throw new Error(`not an HTTP/1.1 answer: ${lines[0].slice(0, 40)}`);
  // No prototype: a header named like one of Object's properties is just a header.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const code = Number(status[1]);
  // No request asks for an interim (1xx) answer: one arrives as a framing error below.
  const bodiless = method === 'HEAD' || code === 204 || code === 304;
  let length: Head['length'] = 0;
  if (!bodiless && /\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) length = 'chunked';
  else if (!bodiless && headers['content-length'] !== undefined) length = Number(headers['content-length']);
  else if (!bodiless) throw new Error('an answer without Content-Length or chunked framing');
  if (length !== 'chunked' && !(Number.isInteger(length) && length >= 0))
    throw new Error('an invalid Content-Length');
  return { status: code, headers, length, bodyStart };
}

/** The body once all of it has arrived (Content-Length framing). */
function framed(buf: Buffer, head: Head): Buffer | undefined {
  const end = head.bodyStart + (head.length as number);
  return buf.length >= end ? buf.subarray(head.bodyStart, end) : undefined;
}

/** The decoded body once its last chunk (and the trailer section) has arrived. */
function dechunk(buf: Buffer, start: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.toString('latin1', at, lineEnd).split(';')[0], 16);
    if (Number.isNaN(size)) throw new Error('an invalid chunk size');
    if (size === 0) {
      // The trailer section ends with an empty line: right away when there are no trailers.
      const trailerEnd = buf.subarray(lineEnd, lineEnd + 4).equals(HEAD_END)
        ? lineEnd
        : buf.indexOf(HEAD_END, lineEnd);
      return trailerEnd < 0 ? undefined : Buffer.concat(parts);
    }
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

class Origin {
  private readonly idle: Connection[] = [];
  private readonly open = new Set<Connection>();
  private readonly waiting: Request[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly url: URL) {
    this.timer = setInterval(() => {
      const now = performance.now();
      for (const c of this.open) c.expire(now);
    }, 1000).unref();
  }

  request(request: Request): void {
    const now = performance.now();
    let c: Connection | undefined;
    while ((c = this.idle.pop()) && !c.reusable(now)) c.close();
    if (c) c.send(request);
    else if (this.open.size < MAX_SOCKETS) this.connect().send(request);
    else this.waiting.push(request);
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of [...this.open]) c.close(new Error('client closed'));
    for (const r of this.waiting.splice(0)) r.reject(new Error('client closed'));
  }

  private connect(): Connection {
    const port = Number(this.url.port) || (this.url.protocol === 'https:' ? 443 : 80);
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    const socket =
      this.url.protocol === 'https:'
        ? tls.connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            ALPNProtocols: ['http/1.1'],
          })
        : net.connect({ host, port });
    const c = new Connection(
      socket,
      (free) => {
        const next = this.waiting.shift();
        if (next) return free.send(next);
        free.idleSince = performance.now();
        this.idle.push(free);
      },
      (gone) => {
        this.open.delete(gone);
        const i = this.idle.indexOf(gone);
        if (i >= 0) this.idle.splice(i, 1);
        // A request waiting for a socket gets a new one in place of the one gone.
        const next = this.waiting.shift();
        if (next) this.request(next);
      },
    );
    this.open.add(c);
    return c;
  }
}

const origins = new Map<string, Origin>();

export function httpRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error(`not an http(s) URL: ${baseUrl}`);
  let origin = origins.get(base.origin);
  if (!origin) {
    origin = new Origin(base);
    origins.set(base.origin, origin);
  }
  if (/[^\x21-\x7e]/.test(path)) throw new Error(`path ${path} has characters a request line cannot carry`);
  let wire = `${method} ${base.pathname.replace(/\/$/, '')}${path} HTTP/1.1\r\nhost: ${base.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${name} has a line break`);
    wire += `${name}: ${value}\r\n`;
  }
  if (body !== undefined || method !== 'GET')
    wire += `content-length: ${body === undefined ? 0 : Buffer.byteLength(body)}\r\n`;
  wire += `\r\n${body ?? ''}`;
  return new Promise((resolve, reject) => origin.request({ method, wire, resolve, reject }));
}

/** Closes the kept-alive sockets (end of a run). */
export function closeHttpClients(): void {
  for (const origin of origins.values()) origin.close();
  origins.clear();
}
