/**
 * A small typed client of the CityLedger REST gateway (gateway/README.md), plain HTTP with fetch: one
 * `Client` per API key (one enrolled identity), org admins create users and get their keys. Writes answer
 * after commit with `{txId, blockNumber, result}`; every refusal is a `GatewayProblem` carrying the
 * problem+json `code`, `status` and the chaincode's `details`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type Org = 'city' | 'hospital' | 'insurer' | 'port';
export const MSP: Record<Org, string> = {
  city: 'CityMSP',
  hospital: 'HospitalMSP',
  insurer: 'InsurerMSP',
  port: 'PortMSP',
};

export interface Committed<T> {
  txId: string;
  blockNumber: string;
  result: T;
}

/** An application/problem+json answer. */
export class GatewayProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly details?: Record<string, unknown>,
    readonly txId?: string,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'GatewayProblem';
  }
}

const TRANSIENT = new Set(['NO_ENDORSERS', 'CHAINCODE_UNAVAILABLE', 'TIMEOUT', 'IDEMPOTENCY_IN_PROGRESS']);

/** Runs `call` again (up to ~60 s) while the gateway is unreachable or answers with a transient failure. */
async function retrying<T>(call: () => Promise<T>, attempts = 14): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const unreachable = err instanceof TypeError && /fetch failed/.test(err.message); // gateway restarting
      const transient =
        unreachable ||
        (err instanceof GatewayProblem &&
          (err.status === 503 ||
            TRANSIENT.has(err.code) ||
            // a chaincode server restarting, as answered by a gateway older than its CHAINCODE_UNAVAILABLE fix
            (err.code === 'FABRIC_ERROR' && /could not launch chaincode/.test(err.detail))));
      if (!transient || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 5000)));
    }
  }
}

export const DEFAULT_GATEWAY = process.env.CITYLEDGER_GATEWAY_URL ?? 'http://127.0.0.1:8080';

/** Query values: strings as they are, anything else as JSON (the gateway parses non-string params). */
function queryString(query?: Record<string, unknown>): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface UserAttrs {
  residentId?: string;
  vehicleId?: string;
  buildingId?: string;
  meterId?: string;
}

export class Client {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
    /** `<org>:<enrollmentId>` */
    readonly userId: string,
    readonly org: Org,
    readonly enrollmentId: string,
  ) {}

  /** `<mspId>/<enrollmentId>`: how chaincodes name this identity. */
  get key(): string {
    return `${MSP[this.org]}/${this.enrollmentId}`;
  }

  async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { body?: unknown; query?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}${queryString(options.query)}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const p = (parsed ?? {}) as {
        code?: string;
        detail?: string;
        title?: string;
        details?: Record<string, unknown>;
        txId?: string;
        errors?: unknown;
      };
      const detail = p.detail ?? p.title ?? text;
      throw new GatewayProblem(
        response.status,
        p.code ?? `HTTP_${response.status}`,
        p.errors ? `${detail} ${JSON.stringify(p.errors)}` : detail,
        p.details,
        p.txId,
      );
    }
    return parsed as T;
  }

  /**
   * A submit: answered after commit. Always sent with an Idempotency-Key, so a retry after a 503 (no peer
   * reachable: another engineer's drill may be restarting one) or a 504 (commit not seen in time) resumes
   * the same transaction instead of creating another (gateway README, "Writes").
   */
  async submit<T>(
    path: string,
    body: unknown = {},
    idempotencyKey: string = randomUUID(),
  ): Promise<Committed<T>> {
    return retrying(() =>
      this.request<Committed<T>>('POST', `/api/v1/${path}`, {
        body,
        headers: { 'idempotency-key': idempotencyKey },
      }),
    );
  }

  /** An evaluate (GET, parameters in the query). */
  get<T>(path: string, query?: Record<string, unknown>): Promise<T> {
    return retrying(() => this.request<T>('GET', `/api/v1/${path}`, { query }));
  }

  /** An evaluate with transient inputs (POST with a body, never ordered). */
  evaluate<T>(path: string, body: unknown): Promise<T> {
    return retrying(() => this.request<T>('POST', `/api/v1/${path}`, { body }));
  }
}

export interface AdminKeys {
  [org: string]: { userId: string; mspId: string; apiKey: string };
}

/** The org admins' keys the gateway wrote on its first start (local defaults). */
export function readAdminKeys(
  file = process.env.CITYLEDGER_ADMIN_KEYS ??
    resolve(__dirname, '../../../.cityledger/gateway/admin-keys.json'),
): AdminKeys {
  return JSON.parse(readFileSync(file, 'utf8')) as AdminKeys;
}

export class Gateway {
  readonly admins: Record<Org, Client>;

  constructor(
    readonly baseUrl: string = DEFAULT_GATEWAY,
    keys: AdminKeys = readAdminKeys(),
  ) {
    this.admins = Object.fromEntries(
      (Object.keys(MSP) as Org[]).map((org) => {
        const k = keys[org];
        if (!k) throw new Error(`no admin key for ${org}`);
        return [org, new Client(baseUrl, k.apiKey, k.userId, org, k.userId.split(':')[1])];
      }),
    ) as Record<Org, Client>;
  }

  /** The org admin registers and enrols a user at its org's Fabric CA and gets the user's API key. */
  async createUser(org: Org, enrollmentId: string, role: string, attrs: UserAttrs = {}): Promise<Client> {
    const created = await this.admins[org].request<{ user: { userId: string }; apiKey: string }>(
      'POST',
      '/api/v1/users',
      { body: { enrollmentId, role, ...attrs } },
    );
    return new Client(this.baseUrl, created.apiKey, created.user.userId, org, enrollmentId);
  }

  async ready(): Promise<boolean> {
    try {
      const r = await fetch(`${this.baseUrl}/readyz`);
      return r.ok;
    } catch {
      return false;
    }
  }
}
