/**
 * Talking to the CityLedger REST gateway over plain HTTP (fetch), the way an integrator does
 * (gateway/README.md): answers are kept whole (status, headers, parsed body) so tests can assert on
 * problem+json codes, 202 status URLs and Idempotent-Replayed headers; org admins create users and get
 * their keys. Also: an SSE subscriber that reconnects with Last-Event-ID, and a local webhook receiver
 * that verifies signatures.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { network } from './live';

export type Org = 'city' | 'hospital' | 'insurer' | 'port';

/**
 * An answer body of unknown shape: tests read problem+json and results field by field, and a failed
 * expectation on a missing field is the intended signal.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export interface Answer<T = Body> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (a malformed body for validation tests). */
  rawBody?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Query values: strings as they are, anything else as JSON (the gateway parses non-string params). */
export function queryString(query?: Record<string, unknown>): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** One HTTP request; never throws on a non-2xx answer. */
export async function call<T = Body>(
  baseUrl: string,
  method: string,
  urlPath: string,
  apiKey: string | undefined,
  options: RequestOptions = {},
): Promise<Answer<T>> {
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(`${baseUrl}${urlPath}${queryString(options.query)}`, {
    method,
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON (metrics, docs) */
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** A caller holding one API key (one enrolled identity). */
export class RestUser {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
    readonly userId: string,
    readonly org: string,
    readonly keyId?: string,
  ) {}

  get enrollmentId(): string {
    return this.userId.slice(this.userId.indexOf(':') + 1);
  }

  request<T = Body>(method: string, urlPath: string, options?: RequestOptions): Promise<Answer<T>> {
    return call<T>(this.baseUrl, method, urlPath, this.apiKey, options);
  }

  get<T = Body>(urlPath: string, query?: Record<string, unknown>): Promise<Answer<T>> {
    return this.request<T>('GET', `/api/v1/${urlPath}`, { query });
  }

  post<T = Body>(urlPath: string, body: unknown = {}, headers?: Record<string, string>, query?: Record<string, unknown>): Promise<Answer<T>> {
    return this.request<T>('POST', `/api/v1/${urlPath}`, { body, headers, query });
  }

  /** A write that must commit: returns {txId, blockNumber, result} or throws with the problem. */
  async submit<T = Body>(urlPath: string, body: unknown = {}, idempotencyKey: string = randomUUID()): Promise<Committed<T>> {
    const answer = await this.post<Committed<T>>(urlPath, body, { 'idempotency-key': idempotencyKey });
    if (answer.status !== 200) throw new Error(`POST ${urlPath} → ${answer.status} ${answer.text.slice(0, 400)}`);
    return answer.body;
  }

  /** An evaluate that must succeed: returns its result. */
  async read<T = Body>(urlPath: string, query?: Record<string, unknown>): Promise<T> {
    const answer = await this.get<{ result: T }>(urlPath, query);
    if (answer.status !== 200) throw new Error(`GET ${urlPath} → ${answer.status} ${answer.text.slice(0, 400)}`);
    return answer.body.result;
  }
}

export interface Committed<T = Body> {
  txId: string;
  blockNumber: string;
  result: T;
}

export interface AdminKeys {
  [org: string]: { userId: string; mspId: string; apiKey: string };
}

export const SHARED_GATEWAY = process.env.CITYLEDGER_GATEWAY_URL ?? 'http://127.0.0.1:8080';

/** The admin keys file the shared gateway wrote on its first start. */
export function sharedAdminKeysFile(): string {
  return path.join(network().paths.state, 'gateway', 'admin-keys.json');
}

export function readAdminKeys(file = sharedAdminKeysFile()): AdminKeys {
  return JSON.parse(readFileSync(file, 'utf8')) as AdminKeys;
}

/** The org admins of a gateway, as RestUsers. */
export function admins(baseUrl = SHARED_GATEWAY, keys: AdminKeys = readAdminKeys()): Record<Org, RestUser> {
  const out = {} as Record<Org, RestUser>;
  for (const org of ['city', 'hospital', 'insurer', 'port'] as Org[]) {
    const k = keys[org];
    if (!k) throw new Error(`no admin key for ${org}`);
    out[org] = new RestUser(baseUrl, k.apiKey, k.userId, org);
  }
  return out;
}

/** The org admin registers and enrols a user at its org's CA (with attributes) and gets the user's key. */
export async function createUser(
  admin: RestUser,
  enrollmentId: string,
  role: string,
  attrs: Record<string, string> = {},
): Promise<RestUser> {
  const created = await admin.request<{ user: { userId: string }; apiKey: string; keyId: string }>('POST', '/api/v1/users', {
    body: { enrollmentId, role, ...attrs },
  });
  if (created.status !== 201) throw new Error(`creating ${enrollmentId}: ${created.status} ${created.text}`);
  return new RestUser(admin.baseUrl, created.body.apiKey, created.body.user.userId, admin.org, created.body.keyId);
}

/** Polls `probe` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A Prometheus text exposition's sample value (summed over label sets matching `labels`). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([-+0-9.eE]+|NaN|\+Inf)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

// ---- events -----------------------------------------------------------------------------------------

export interface StreamedEvent {
  id: number;
  channel: string;
  chaincode: string;
  eventName: string;
  blockNumber: string;
  txId: string;
  payload: { contract?: string; transaction?: string; events?: { type: string; data: Record<string, unknown> }[] } & Record<string, unknown>;
}

/**
 * An SSE subscriber that keeps itself connected: when the stream ends or breaks (e.g. the gateway
 * dies), it reconnects with Last-Event-ID = the last id it received, as a browser's EventSource does.
 */
export class SseSubscriber {
  readonly events: StreamedEvent[] = [];
  connections = 0;
  private stopped = false;
  private req?: http.ClientRequest;
  private lastId: number;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly query: Record<string, string>,
    after = 0,
  ) {
    this.lastId = after;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.req?.destroy();
  }

  private connect(): void {
    if (this.stopped) return;
    const url = new URL(`${this.baseUrl}/api/v1/events${queryString(this.query)}`);
    // Once per connection, whichever way it ends: a clean end, a reset (the gateway killed), a refusal.
    let retried = false;
    let responded = false;
    const retry = () => {
      if (retried || this.stopped) return;
      retried = true;
      setTimeout(() => this.connect(), 300).unref();
    };
    const req = http.get(
      url,
      { headers: { authorization: `Bearer ${this.apiKey}`, accept: 'text/event-stream', 'last-event-id': String(this.lastId) } },
      (res) => {
        responded = true;
        res.on('close', retry);
        res.on('error', retry);
        if (res.statusCode !== 200) {
          res.resume();
          return;
        }
        this.connections++;
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let i;
          while ((i = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            const id = /^id: (.*)$/m.exec(block)?.[1];
            if (!data || !id) continue;
            this.events.push(JSON.parse(data) as StreamedEvent);
            this.lastId = Number(id);
          }
        });
      },
    );
    req.on('error', retry);
    req.on('close', () => {
      // No response at all (connection refused while the gateway is down).
      if (!responded) retry();
    });
    this.req = req;
  }
}

/** The payload's domain events of one type. */
export const domainEvents = (e: StreamedEvent, type: string) => (e.payload.events ?? []).filter((d) => d.type === type);

export interface Delivery {
  eventId: number;
  webhookId: string;
  body: StreamedEvent;
  /** The raw body and signature header as received (to check a signature again, e.g. with a wrong secret). */
  raw: string;
  signature: string;
  signatureValid: boolean;
}

/** A local HTTP receiver for webhooks on 127.0.0.1: verifies each signature, acknowledges with 2xx. */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  secret = '';
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['x-cityledger-signature'] ?? '');
        this.deliveries.push({
          eventId: Number(req.headers['x-cityledger-event-id']),
          webhookId: String(req.headers['x-cityledger-webhook-id']),
          body: JSON.parse(raw) as StreamedEvent,
          raw,
          signature,
          signatureValid: verifySignature(this.secret, signature, raw),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Each event id once (a receiver dedupes by id: delivery is at-least-once), in arrival order. */
  uniqueEvents(): StreamedEvent[] {
    const seen = new Set<number>();
    return this.deliveries.filter((d) => !seen.has(d.eventId) && seen.add(d.eventId)).map((d) => d.body);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}

/** README "Webhooks": `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, compared in constant time. */
export function verifySignature(secret: string, header: string, rawBody: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  if (!parts.t || !parts.v1 || !secret) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
