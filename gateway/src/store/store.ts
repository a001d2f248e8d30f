import { Db, ddl } from './db';
import { PostgresDb } from './postgres';
import { SqliteDb } from './sqlite';

/** Rows as stored. Bytes are base64 TEXT; block numbers decimal TEXT (portable across SQLite and PostgreSQL). */
export interface UserRow {
  id: string;
  org: string;
  enrollment_id: string;
  role: string;
  attrs: string;
  certificate: string;
  key_enc: string;
  is_admin: number;
  created_at: string;
  disabled_at: string | null;
}
export interface ApiKeyRow {
  id: string;
  user_id: string;
  hash: string;
  /** Requests per minute allowed to this key; null: the gateway's rateLimit.max. */
  rate_limit: number | null;
  created_at: string;
  revoked_at: string | null;
}
export interface IdempotencyRow {
  principal: string;
  key: string;
  request_hash: string;
  owner: string;
  tx_id: string | null;
  status: number | null;
  response: string | null;
  created_at: string;
  /**
   * Until when the owner's claim holds (ISO time; renewed while its request runs). Another process may
   * take an unanswered key over only after it: before, the owner may be endorsing or sending. Null: no
   * lease (a key left for any retry, or one claimed by a version without leases).
   */
  lease_until: string | null;
}

/** The checkpoint row that remembers how far retention has deleted events. */
const EVENTS_PRUNED_THROUGH = 'retention:events';

/** States a transaction never leaves. */
const FINAL_TX_STATES: ReadonlySet<string> = new Set(['committed', 'invalid', 'failed']);

export interface TxRow {
  tx_id: string;
  user_id: string;
  org: string;
  channel: string;
  chaincode: string;
  transaction_name: string;
  state: 'endorsed' | 'submitted' | 'committed' | 'invalid' | 'failed';
  tx_bytes: string | null;
  commit_bytes: string | null;
  result: string | null;
  block_number: string | null;
  validation_code: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}
export interface EventRow {
  seq: number;
  channel: string;
  chaincode: string;
  block_number: string;
  tx_id: string;
  event_name: string;
  payload: string;
  created_at: string;
}
export interface WebhookRow {
  id: string;
  user_id: string;
  org: string;
  url: string;
  secret_enc: string;
  channel: string | null;
  chaincode: string | null;
  event_name: string | null;
  last_seq: number;
  failures: number;
  created_at: string;
  disabled_at: string | null;
}
export interface ReadingRow {
  id: number;
  vehicle_id: string;
  ts_ms: number;
  reading: string;
  leaf: string;
  window_id: string | null;
  idx: number | null;
  received_at: string;
}
export interface WindowRow {
  id: string;
  vehicle_id: string;
  seq: number;
  window_start: string;
  window_end: string;
  root: string;
  size: number;
  anchor_tx: string | null;
  created_at: string;
}
export interface ProjectionRow {
  channel: string;
  chaincode: string;
  entity: string;
  entity_id: string;
  status: string | null;
  data: string;
  seq: number;
  updated_at: string;
}

const numericKey = (k: ApiKeyRow): ApiKeyRow => ({
  ...k,
  rate_limit: k.rate_limit === null || k.rate_limit === undefined ? null : Number(k.rate_limit),
});
const numericReading = (r: ReadingRow): ReadingRow => ({
  ...r,
  id: Number(r.id),
  ts_ms: Number(r.ts_ms),
  idx: r.idx === null ? null : Number(r.idx),
});

/** `sqlite:<file>[?synchronous=normal|full]` or a PostgreSQL URL. */
export function openDb(url: string): Db {
  if (url.startsWith('sqlite:')) {
    const [file, query] = url.slice('sqlite:'.length).split('?');
    const synchronous = new URLSearchParams(query ?? '').get('synchronous') ?? 'normal';
    if (synchronous !== 'normal' && synchronous !== 'full')
      throw new Error(`sqlite synchronous must be normal or full, not ${synchronous}`);
    return new SqliteDb(file, synchronous);
  }
  return new PostgresDb(url);
}

const now = () => new Date().toISOString();

/** All persistence, one small method per query. */
export class Store {
  constructor(readonly db: Db) {}

  async migrate(): Promise<void> {
    const { serial } = ddl(this.db);
    const statements = [
      `CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, org TEXT NOT NULL, enrollment_id TEXT NOT NULL, role TEXT NOT NULL,
        attrs TEXT NOT NULL, certificate TEXT NOT NULL, key_enc TEXT NOT NULL, is_admin INTEGER NOT NULL, created_at TEXT NOT NULL, disabled_at TEXT)`,
      `CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
      `CREATE TABLE IF NOT EXISTS idempotency (principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, owner TEXT NOT NULL,
        tx_id TEXT, status INTEGER, response TEXT, created_at TEXT NOT NULL, PRIMARY KEY (principal, key))`,
      `CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at)`,
      `CREATE TABLE IF NOT EXISTS transactions (tx_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, org TEXT NOT NULL, channel TEXT NOT NULL,
        chaincode TEXT NOT NULL, transaction_name TEXT NOT NULL, state TEXT NOT NULL, tx_bytes TEXT, commit_bytes TEXT, result TEXT,
        block_number TEXT, validation_code TEXT, error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS transactions_state ON transactions (state)`,
      // Retention deletes the oldest rows first; created_at only grows, so the index is appended to.
      `CREATE INDEX IF NOT EXISTS transactions_created ON transactions (created_at)`,
      `CREATE TABLE IF NOT EXISTS checkpoints (listener TEXT PRIMARY KEY, block_number TEXT NOT NULL, tx_id TEXT, updated_at TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS events (seq ${serial}, channel TEXT NOT NULL, chaincode TEXT NOT NULL, block_number TEXT NOT NULL,
        tx_id TEXT NOT NULL, event_name TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (channel, chaincode, tx_id))`,
      `CREATE TABLE IF NOT EXISTS webhooks (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, org TEXT NOT NULL, url TEXT NOT NULL, secret_enc TEXT NOT NULL,
        channel TEXT, chaincode TEXT, event_name TEXT, last_seq INTEGER NOT NULL, failures INTEGER NOT NULL, created_at TEXT NOT NULL, disabled_at TEXT)`,
      `CREATE TABLE IF NOT EXISTS telemetry_readings (id ${serial}, vehicle_id TEXT NOT NULL, ts_ms BIGINT NOT NULL, reading TEXT NOT NULL,
        leaf TEXT NOT NULL, window_id TEXT, idx INTEGER, received_at TEXT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS telemetry_readings_open ON telemetry_readings (vehicle_id, window_id, ts_ms, id)`,
      `CREATE TABLE IF NOT EXISTS telemetry_windows (id TEXT PRIMARY KEY, vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL, window_start TEXT NOT NULL,
        window_end TEXT NOT NULL, root TEXT NOT NULL, size INTEGER NOT NULL, anchor_tx TEXT, created_at TEXT NOT NULL, UNIQUE (vehicle_id, seq))`,
      `CREATE TABLE IF NOT EXISTS metadata (chaincode TEXT PRIMARY KEY, json TEXT NOT NULL, fetched_at TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS projections (channel TEXT NOT NULL, chaincode TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL,
        status TEXT, data TEXT NOT NULL, seq INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (channel, chaincode, entity, entity_id))`,
      `CREATE INDEX IF NOT EXISTS projections_status ON projections (chaincode, entity, status, entity_id)`,
      `CREATE TABLE IF NOT EXISTS kept_documents (chaincode TEXT NOT NULL, scope TEXT NOT NULL, doc_type TEXT NOT NULL, hash TEXT NOT NULL,
        body_enc TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (chaincode, scope, doc_type, hash))`,
      `CREATE INDEX IF NOT EXISTS kept_documents_created ON kept_documents (created_at)`,
    ];
    for (const s of statements) await this.db.run(s);
    // Columns added after a table was first created: databases made by older versions get them here.
    const added: Array<[table: string, column: string, type: string]> = [
      ['api_keys', 'rate_limit', 'INTEGER'],
      ['idempotency', 'lease_until', 'TEXT'],
    ];
    for (const [table, column, type] of added)
      if (!(await this.db.columns(table)).includes(column))
        await this.db.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ---- users and keys
  async insertUser(u: Omit<UserRow, 'created_at' | 'disabled_at'>): Promise<void> {
    await this.db.run(
      'INSERT INTO users (id, org, enrollment_id, role, attrs, certificate, key_enc, is_admin, created_at) VALUES (?,?,?,?,?,?,?,?,?)',
      [u.id, u.org, u.enrollment_id, u.role, u.attrs, u.certificate, u.key_enc, u.is_admin, now()],
    );
  }
  // ---- documents kept off-chain (offchain/documents.ts), addressed by their hash
  async keepDocument(chaincode: string, scope: string, docType: string, hash: string, bodyEnc: string): Promise<void> {
    await this.db.run(
      'INSERT INTO kept_documents (chaincode, scope, doc_type, hash, body_enc, created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING',
      [chaincode, scope, docType, hash, bodyEnc, now()],
    );
  }

  async keptDocument(chaincode: string, scope: string, docType: string, hash: string): Promise<string | undefined> {
    const row = await this.db.get<{ body_enc: string }>(
      'SELECT body_enc FROM kept_documents WHERE chaincode = ? AND scope = ? AND doc_type = ? AND hash = ?',
      [chaincode, scope, docType, hash],
    );
    return row?.body_enc;
  }

  /** A renewed certificate and its (sealed) key replace the user's. */
  async updateUserCredentials(id: string, certificate: string, keyEnc: string): Promise<void> {
    await this.db.run('UPDATE users SET certificate = ?, key_enc = ? WHERE id = ?', [certificate, keyEnc, id]);
  }

  getUser(id: string): Promise<UserRow | undefined> {
    return this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
  }
  listUsers(org: string): Promise<UserRow[]> {
    return this.db.all<UserRow>('SELECT * FROM users WHERE org = ? ORDER BY id', [org]);
  }
  async disableUser(id: string): Promise<void> {
    await this.db.run('UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL', [now(), id]);
  }
  async insertApiKey(k: {
    id: string;
    user_id: string;
    hash: string;
    rate_limit?: number | null;
  }): Promise<void> {
    await this.db.run('INSERT INTO api_keys (id, user_id, hash, rate_limit, created_at) VALUES (?,?,?,?,?)', [
      k.id,
      k.user_id,
      k.hash,
      k.rate_limit ?? null,
      now(),
    ]);
  }
  async getApiKey(id: string): Promise<ApiKeyRow | undefined> {
    const k = await this.db.get<ApiKeyRow>('SELECT * FROM api_keys WHERE id = ?', [id]);
    return k && numericKey(k);
  }
  async listApiKeys(userId: string): Promise<ApiKeyRow[]> {
    return (
      await this.db.all<ApiKeyRow>('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at', [userId])
    ).map(numericKey);
  }
  /** Gives a key id a new secret (an operator's rotated admin key): active again, as a key issued now. */
  async replaceApiKeySecret(id: string, hash: string): Promise<void> {
    await this.db.run('UPDATE api_keys SET hash = ?, revoked_at = NULL, created_at = ? WHERE id = ?', [hash, now(), id]);
  }
  async revokeApiKey(id: string): Promise<boolean> {
    return (
      (
        await this.db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
          now(),
          id,
        ])
      ).changes > 0
    );
  }

  // ---- idempotency
  // Every change to an unanswered key is conditional on its owner: a process that lost its key (its
  // lease expired and another process took it over) can no longer bind, answer or free it.
  /** Claims a key, leased until `leaseUntil`; false when it already exists (then read it with getIdempotency). */
  async claimIdempotency(
    principal: string,
    key: string,
    requestHash: string,
    owner: string,
    leaseUntil: string,
  ): Promise<boolean> {
    const res = await this.db.run(
      'INSERT INTO idempotency (principal, key, request_hash, owner, lease_until, created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING',
      [principal, key, requestHash, owner, leaseUntil, now()],
    );
    return res.changes > 0;
  }
  getIdempotency(principal: string, key: string): Promise<IdempotencyRow | undefined> {
    return this.db.get<IdempotencyRow>('SELECT * FROM idempotency WHERE principal = ? AND key = ?', [
      principal,
      key,
    ]);
  }
  /**
   * Takes over an unanswered claim whose lease has expired by `at` (its owner crashed or stalled) or that
   * has none (left for any retry); false when the lease still runs or another retry took it first.
   */
  async takeOverIdempotency(
    principal: string,
    key: string,
    fromOwner: string,
    toOwner: string,
    leaseUntil: string,
    at: string,
  ): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE idempotency SET owner = ?, lease_until = ? WHERE principal = ? AND key = ? AND owner = ? AND response IS NULL
       AND (lease_until IS NULL OR lease_until <= ?)`,
      [toOwner, leaseUntil, principal, key, fromOwner, at],
    );
    return res.changes > 0;
  }
  /** Extends the owner's lease; false when the key is no longer its own (taken over, or answered). */
  async renewIdempotency(principal: string, key: string, owner: string, leaseUntil: string): Promise<boolean> {
    const res = await this.db.run(
      'UPDATE idempotency SET lease_until = ? WHERE principal = ? AND key = ? AND owner = ? AND response IS NULL',
      [leaseUntil, principal, key, owner],
    );
    return res.changes > 0;
  }
  /** Leaves the owner's unanswered key to the next retry of any process, at once (no lease). */
  async abandonIdempotency(principal: string, key: string, owner: string): Promise<void> {
    await this.db.run(
      `UPDATE idempotency SET owner = 'orphan', lease_until = NULL WHERE principal = ? AND key = ? AND owner = ? AND response IS NULL`,
      [principal, key, owner],
    );
  }
  /** Binds the owner's key to its transaction; false when the key is no longer its own (nothing may be sent). */
  async setIdempotencyTx(principal: string, key: string, owner: string, txId: string): Promise<boolean> {
    const res = await this.db.run(
      'UPDATE idempotency SET tx_id = ? WHERE principal = ? AND key = ? AND owner = ? AND response IS NULL',
      [txId, principal, key, owner],
    );
    return res.changes > 0;
  }
  /** Stores the owner's answer; false (nothing written) when the key is no longer its own. */
  async completeIdempotency(
    principal: string,
    key: string,
    owner: string,
    status: number,
    response: string,
  ): Promise<boolean> {
    const res = await this.db.run(
      'UPDATE idempotency SET status = ?, response = ?, lease_until = NULL WHERE principal = ? AND key = ? AND owner = ? AND response IS NULL',
      [status, response, principal, key, owner],
    );
    return res.changes > 0;
  }
  async releaseIdempotency(principal: string, key: string, owner: string): Promise<void> {
    await this.db.run('DELETE FROM idempotency WHERE principal = ? AND key = ? AND owner = ? AND response IS NULL', [
      principal,
      key,
      owner,
    ]);
  }

  // ---- transactions
  /**
   * Journals a transaction (state 'endorsed' unless given) and returns the row as written. A
   * transaction id is unique: a second insert of the same id changes nothing.
   */
  async insertTx(
    t: Pick<TxRow, 'tx_id' | 'user_id' | 'org' | 'channel' | 'chaincode' | 'transaction_name' | 'tx_bytes' | 'result'> &
      Partial<Pick<TxRow, 'state' | 'commit_bytes' | 'error' | 'block_number' | 'validation_code'>>,
  ): Promise<TxRow> {
    const ts = now();
    const row: TxRow = {
      state: 'endorsed',
      commit_bytes: null,
      error: null,
      block_number: null,
      validation_code: null,
      ...t,
      created_at: ts,
      updated_at: ts,
    };
    await this.db.run(
      `INSERT INTO transactions (tx_id, user_id, org, channel, chaincode, transaction_name, state, tx_bytes, commit_bytes, result,
       block_number, validation_code, error, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`,
      [row.tx_id, row.user_id, row.org, row.channel, row.chaincode, row.transaction_name, row.state, row.tx_bytes, row.commit_bytes, row.result, row.block_number, row.validation_code, row.error, ts, ts],
    );
    return row;
  }
  async updateTx(
    txId: string,
    patch: Partial<Pick<TxRow, 'state' | 'tx_bytes' | 'commit_bytes' | 'block_number' | 'validation_code' | 'error'>>,
  ): Promise<void> {
    // The signed envelopes serve only to resume a transaction; once it is final they are dead weight
    // (≈ 9 KB a transaction) in every later read and page write.
    if (patch.state && FINAL_TX_STATES.has(patch.state)) patch = { ...patch, commit_bytes: null, tx_bytes: null };
    const cols = Object.keys(patch) as Array<keyof typeof patch>;
    if (cols.length === 0) return;
    await this.db.run(
      `UPDATE transactions SET ${cols.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE tx_id = ?`,
      [...cols.map((c) => patch[c] ?? null), now(), txId],
    );
  }
  getTx(txId: string): Promise<TxRow | undefined> {
    return this.db.get<TxRow>('SELECT * FROM transactions WHERE tx_id = ?', [txId]);
  }
  pendingTxs(): Promise<TxRow[]> {
    return this.db.all<TxRow>("SELECT * FROM transactions WHERE state = 'submitted' ORDER BY created_at");
  }

  // ---- events and checkpoints
  getCheckpoint(listener: string): Promise<{ block_number: string; tx_id: string | null } | undefined> {
    return this.db.get('SELECT block_number, tx_id FROM checkpoints WHERE listener = ?', [listener]);
  }
  async saveCheckpoint(listener: string, blockNumber: bigint, txId: string | null): Promise<void> {
    await this.db.run(
      `INSERT INTO checkpoints (listener, block_number, tx_id, updated_at) VALUES (?,?,?,?)
       ON CONFLICT (listener) DO UPDATE SET block_number = excluded.block_number, tx_id = excluded.tx_id, updated_at = excluded.updated_at`,
      [listener, blockNumber.toString(), txId, now()],
    );
  }
  /**
   * Stores a batch of events in one transaction (the events of a block arrive together); answers the
   * rows actually inserted, in order (a replay's events hit the unique key and are left out).
   */
  async insertEvents(events: Array<Omit<EventRow, 'seq' | 'created_at'>>): Promise<EventRow[]> {
    if (events.length === 0) return [];
    const created = now();
    const seqs = await this.db.many<{ seq: number | string }>(
      `INSERT INTO events (channel, chaincode, block_number, tx_id, event_name, payload, created_at) VALUES (?,?,?,?,?,?,?)
       ON CONFLICT DO NOTHING RETURNING seq`,
      events.map((e) => [e.channel, e.chaincode, e.block_number, e.tx_id, e.event_name, e.payload, created]),
    );
    return events.flatMap((e, i) => {
      const row = seqs[i];
      return row ? [{ ...e, seq: Number(row.seq), created_at: created }] : [];
    });
  }
  async eventsAfter(seq: number, limit: number, filter: EventFilter = {}): Promise<EventRow[]> {
    const where = ['seq > ?'];
    const params: unknown[] = [seq];
    if (filter.channels) {
      if (filter.channels.length === 0) return [];
      where.push(`channel IN (${filter.channels.map(() => '?').join(',')})`);
      params.push(...filter.channels);
    }
    for (const [col, v] of [
      ['channel', filter.channel],
      ['chaincode', filter.chaincode],
      ['event_name', filter.eventName],
    ] as const)
      if (v) {
        where.push(`${col} = ?`);
        params.push(v);
      }
    const rows = await this.db.all<EventRow>(
      `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${Math.floor(limit)}`,
      params,
    );
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /**
   * The newest event's sequence number: an indexed MAX (seq is the key), not a walk through the log.
   * With no event kept, the last one retention deleted (0: none ever), so the log goes on from there.
   */
  async latestEventSeq(): Promise<number> {
    const row = await this.db.get<{ seq: number | string | null }>('SELECT MAX(seq) AS seq FROM events');
    return row?.seq === null || row?.seq === undefined ? this.eventsPrunedThrough() : Number(row.seq);
  }

  // ---- webhooks
  async insertWebhook(w: Omit<WebhookRow, 'created_at' | 'disabled_at' | 'failures'>): Promise<void> {
    await this.db.run(
      `INSERT INTO webhooks (id, user_id, org, url, secret_enc, channel, chaincode, event_name, last_seq, failures, created_at)
       VALUES (?,?,?,?,?,?,?,?,?,0,?)`,
      [w.id, w.user_id, w.org, w.url, w.secret_enc, w.channel, w.chaincode, w.event_name, w.last_seq, now()],
    );
  }
  activeWebhooks(): Promise<WebhookRow[]> {
    return this.db.all<WebhookRow>('SELECT * FROM webhooks WHERE disabled_at IS NULL ORDER BY created_at');
  }
  getWebhook(id: string): Promise<WebhookRow | undefined> {
    return this.db.get<WebhookRow>('SELECT * FROM webhooks WHERE id = ?', [id]);
  }
  listWebhooks(userId: string): Promise<WebhookRow[]> {
    return this.db.all<WebhookRow>(
      'SELECT * FROM webhooks WHERE user_id = ? AND disabled_at IS NULL ORDER BY created_at',
      [userId],
    );
  }
  /** Every enabled webhook of an org (its admin's view). */
  listOrgWebhooks(org: string): Promise<WebhookRow[]> {
    return this.db.all<WebhookRow>('SELECT * FROM webhooks WHERE org = ? AND disabled_at IS NULL ORDER BY created_at', [org]);
  }
  /** Disables every enabled webhook of a user; returns their ids. */
  async disableWebhooksOfUser(userId: string): Promise<string[]> {
    const rows = await this.listWebhooks(userId);
    await this.db.run('UPDATE webhooks SET disabled_at = ? WHERE user_id = ? AND disabled_at IS NULL', [now(), userId]);
    return rows.map((w) => w.id);
  }
  async webhookDelivered(id: string, seq: number): Promise<void> {
    await this.db.run('UPDATE webhooks SET last_seq = ?, failures = 0 WHERE id = ? AND last_seq < ?', [
      seq,
      id,
      seq,
    ]);
  }
  /** The lowest event sequence number an enabled webhook has delivered (undefined: no webhook). */
  async lowestWebhookDelivery(): Promise<number | undefined> {
    const row = await this.db.get<{ seq: number | string | null }>('SELECT MIN(last_seq) AS seq FROM webhooks WHERE disabled_at IS NULL');
    return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq);
  }
  async webhookFailed(id: string): Promise<void> {
    await this.db.run('UPDATE webhooks SET failures = failures + 1 WHERE id = ?', [id]);
  }
  async disableWebhook(id: string): Promise<void> {
    await this.db.run('UPDATE webhooks SET disabled_at = ? WHERE id = ?', [now(), id]);
  }

  // ---- telemetry
  async insertReading(vehicleId: string, tsMs: number, reading: string, leaf: string): Promise<number> {
    const row = await this.db.get<{ id: number | string }>(
      'INSERT INTO telemetry_readings (vehicle_id, ts_ms, reading, leaf, received_at) VALUES (?,?,?,?,?) RETURNING id',
      [vehicleId, tsMs, reading, leaf, now()],
    );
    return Number(row?.id);
  }
  /** Stores readings all or none (one transaction); answers their ids in order. */
  async insertReadings(
    vehicleId: string,
    readings: Array<{ tsMs: number; reading: string; leaf: string }>,
  ): Promise<number[]> {
    const at = now();
    const rows = await this.db.many<{ id: number | string }>(
      'INSERT INTO telemetry_readings (vehicle_id, ts_ms, reading, leaf, received_at) VALUES (?,?,?,?,?) RETURNING id',
      readings.map((r) => [vehicleId, r.tsMs, r.reading, r.leaf, at]),
    );
    return rows.map((r) => Number(r?.id));
  }
  /** Unsealed readings of a vehicle with timestamps in [fromMs, toMs), in time order. */
  async openReadings(vehicleId: string, fromMs: number, toMs: number, limit: number): Promise<ReadingRow[]> {
    const rows = await this.db.all<ReadingRow>(
      `SELECT * FROM telemetry_readings WHERE vehicle_id = ? AND window_id IS NULL AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms, id LIMIT ${Math.floor(limit)}`,
      [vehicleId, fromMs, toMs],
    );
    return rows.map(numericReading);
  }
  async earliestOpenReading(vehicleId: string): Promise<ReadingRow | undefined> {
    const r = await this.db.get<ReadingRow>(
      'SELECT * FROM telemetry_readings WHERE vehicle_id = ? AND window_id IS NULL ORDER BY ts_ms, id LIMIT 1',
      [vehicleId],
    );
    return r && numericReading(r);
  }
  async getReading(id: number): Promise<ReadingRow | undefined> {
    const r = await this.db.get<ReadingRow>('SELECT * FROM telemetry_readings WHERE id = ?', [id]);
    return r && numericReading(r);
  }
  async windowReadings(windowId: string): Promise<ReadingRow[]> {
    const rows = await this.db.all<ReadingRow>(
      'SELECT * FROM telemetry_readings WHERE window_id = ? ORDER BY idx',
      [windowId],
    );
    return rows.map(numericReading);
  }
  lastWindow(vehicleId: string): Promise<WindowRow | undefined> {
    return this.db.get<WindowRow>(
      'SELECT * FROM telemetry_windows WHERE vehicle_id = ? ORDER BY seq DESC LIMIT 1',
      [vehicleId],
    );
  }
  /** Seals a window: its row first (unique per vehicle and seq), then exactly the listed readings. */
  async insertWindow(w: Omit<WindowRow, 'created_at' | 'anchor_tx'>, readingIds: number[]): Promise<boolean> {
    const res = await this.db.run(
      'INSERT INTO telemetry_windows (id, vehicle_id, seq, window_start, window_end, root, size, created_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING',
      [w.id, w.vehicle_id, w.seq, w.window_start, w.window_end, w.root, w.size, now()],
    );
    if (res.changes === 0) return false;
    // One transaction for the window's readings: a window of thousands costs one commit, not thousands.
    await this.db.many(
      'UPDATE telemetry_readings SET window_id = ?, idx = ? WHERE id = ? AND window_id IS NULL',
      readingIds.map((id, i) => [w.id, i, id]),
    );
    return true;
  }
  getWindow(id: string): Promise<WindowRow | undefined> {
    return this.db.get<WindowRow>('SELECT * FROM telemetry_windows WHERE id = ?', [id]);
  }
  async setWindowAnchor(id: string, txId: string): Promise<void> {
    await this.db.run('UPDATE telemetry_windows SET anchor_tx = ? WHERE id = ?', [txId, id]);
  }

  // ---- retention (each call deletes at most `limit` rows, oldest first, and answers how many)
  /** Final transactions journalled before `before`; one still in flight is kept whatever its age. */
  async pruneTransactions(before: string, limit: number): Promise<number> {
    const res = await this.db.run(
      `DELETE FROM transactions WHERE tx_id IN (SELECT tx_id FROM transactions WHERE created_at < ?
       AND state IN ('committed', 'invalid', 'failed') ORDER BY created_at LIMIT ${Math.floor(limit)})`,
      [before],
    );
    return res.changes;
  }
  /** Answered idempotency keys claimed before `before`; a key whose request is unfinished is kept. */
  async pruneIdempotency(before: string, limit: number): Promise<number> {
    const res = await this.db.run(
      `DELETE FROM idempotency WHERE (principal, key) IN (SELECT principal, key FROM idempotency WHERE created_at < ?
       AND response IS NOT NULL ORDER BY created_at LIMIT ${Math.floor(limit)})`,
      [before],
    );
    return res.changes;
  }
  /**
   * Events stored before `before` with a sequence number up to `keepAbove` (what every consumer of the
   * log has read); remembers the highest sequence number deleted (eventsPrunedThrough).
   */
  async pruneEvents(before: string, limit: number, keepAbove: number): Promise<number> {
    const end = await this.oldestRowsEnd('events', 'seq', 'created_at', before, limit);
    if (!Number.isFinite(end)) return 0;
    const upTo = Math.min(end, keepAbove + 1);
    const last = await this.db.get<{ seq: number | string | null }>('SELECT MAX(seq) AS seq FROM events WHERE seq < ?', [upTo]);
    if (last?.seq === null || last?.seq === undefined) return 0;
    const res = await this.db.run('DELETE FROM events WHERE seq < ?', [upTo]);
    await this.saveCheckpoint(EVENTS_PRUNED_THROUGH, BigInt(last.seq), null);
    return res.changes;
  }
  /** The highest event sequence number retention has deleted (0: none). */
  async eventsPrunedThrough(): Promise<number> {
    const row = await this.getCheckpoint(EVENTS_PRUNED_THROUGH);
    return row ? Number(row.block_number) : 0;
  }
  /** Kept off-chain documents stored before `before` (the ledger keeps their hashes). */
  async pruneDocuments(before: string, limit: number): Promise<number> {
    const sql = `DELETE FROM kept_documents WHERE (chaincode, scope, doc_type, hash) IN
      (SELECT chaincode, scope, doc_type, hash FROM kept_documents WHERE created_at < ? ORDER BY created_at LIMIT ?)`;
    return (await this.db.run(sql, [before, limit])).changes;
  }

  /** Telemetry readings received before `before` (their windows' roots stay: they are what was anchored). */
  async pruneReadings(before: string, limit: number): Promise<number> {
    const end = await this.oldestRowsEnd('telemetry_readings', 'id', 'received_at', before, limit);
    if (!Number.isFinite(end)) return 0;
    return (await this.db.run('DELETE FROM telemetry_readings WHERE id < ?', [end])).changes;
  }
  /**
   * In a table whose serial id grows with its timestamp: the id below which up to `limit` of the oldest
   * rows are all older than `before` (Infinity when there is nothing to delete). Reads at most `limit`
   * rows, where a plain `WHERE time < ?` would scan every row kept.
   */
  private async oldestRowsEnd(table: string, id: string, time: string, before: string, limit: number): Promise<number> {
    const oldest = await this.db.get<{ id: number | string; t: string }>(`SELECT ${id} AS id, ${time} AS t FROM ${table} ORDER BY ${id} LIMIT 1`);
    if (!oldest || oldest.t >= before) return Infinity;
    const cap = Number(oldest.id) + Math.floor(limit);
    // The old rows come first: the first newer one within the batch ends it.
    const newer = await this.db.get<{ id: number | string }>(
      `SELECT ${id} AS id FROM ${table} WHERE ${id} >= ? AND ${id} < ? AND ${time} >= ? ORDER BY ${id} LIMIT 1`,
      [oldest.id, cap, before],
    );
    return newer ? Number(newer.id) : cap;
  }

  // ---- metadata
  async saveMetadata(chaincode: string, json: string): Promise<void> {
    await this.db.run(
      `INSERT INTO metadata (chaincode, json, fetched_at) VALUES (?,?,?) ON CONFLICT (chaincode) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at`,
      [chaincode, json, now()],
    );
  }
  allMetadata(): Promise<Array<{ chaincode: string; json: string }>> {
    return this.db.all('SELECT chaincode, json FROM metadata');
  }

  // ---- read tables
  async upsertProjection(p: Omit<ProjectionRow, 'updated_at'>): Promise<void> {
    await this.db.run(
      `INSERT INTO projections (channel, chaincode, entity, entity_id, status, data, seq, updated_at) VALUES (?,?,?,?,?,?,?,?)
       ON CONFLICT (channel, chaincode, entity, entity_id) DO UPDATE SET status = excluded.status, data = excluded.data,
       seq = excluded.seq, updated_at = excluded.updated_at WHERE projections.seq <= excluded.seq`,
      [p.channel, p.chaincode, p.entity, p.entity_id, p.status, p.data, p.seq, now()],
    );
  }
  getProjection(
    channel: string,
    chaincode: string,
    entity: string,
    id: string,
  ): Promise<ProjectionRow | undefined> {
    return this.db.get<ProjectionRow>(
      'SELECT * FROM projections WHERE channel = ? AND chaincode = ? AND entity = ? AND entity_id = ?',
      [channel, chaincode, entity, id],
    );
  }
  async listProjections(q: {
    chaincode: string;
    entity: string;
    status?: string;
    after?: string;
    limit: number;
    channels: string[];
  }): Promise<ProjectionRow[]> {
    if (q.channels.length === 0) return [];
    const where = ['chaincode = ?', 'entity = ?', `channel IN (${q.channels.map(() => '?').join(',')})`];
    const params: unknown[] = [q.chaincode, q.entity, ...q.channels];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.after) {
      where.push('entity_id > ?');
      params.push(q.after);
    }
    return this.db.all<ProjectionRow>(
      `SELECT * FROM projections WHERE ${where.join(' AND ')} ORDER BY entity_id LIMIT ${Math.floor(q.limit)}`,
      params,
    );
  }
}

export interface EventFilter {
  channel?: string;
  chaincode?: string;
  eventName?: string;
  /** Only these channels (the caller's org's channels). */
  channels?: string[];
}
