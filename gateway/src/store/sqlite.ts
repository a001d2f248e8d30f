import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Db } from './db';

interface PendingWrite {
  sql: string;
  params: unknown[];
  resolve(result: { changes: number }): void;
  reject(err: unknown): void;
}

/**
 * SQLite via better-sqlite3, in WAL mode. better-sqlite3 is synchronous, so every fsync blocks the
 * event loop: with synchronous=FULL each write waited for the disk and the gateway's throughput went
 * with it (seen in a CPU profile under load). NORMAL (the default) keeps every committed write across
 * a crash of the gateway process; only a power loss or OS crash may drop the last few. Choose FULL
 * (`sqlite:<file>?synchronous=full`) where that matters more than throughput.
 *
 * Group commit: the writes (`run`) requested during one turn of the event loop are committed together
 * in one transaction at the next, and each caller's promise settles only after that commit, so an
 * acknowledged write is as durable as before. Under load a commit per write was the gateway's largest
 * CPU cost (a profile of 200 submits/s: 0.8 ms of SQLite per transaction journalled).
 */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private pending: PendingWrite[] = [];

  constructor(file: string, synchronous: 'normal' | 'full' = 'normal') {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    this.db.pragma('busy_timeout = 5000');
    // The journal grows with every transaction and event: with SQLite's default 2 MB page cache each
    // insert at a random transaction id read its B-tree pages back from the OS (seen in a profile of a
    // 2 GB gateway database). 64 MiB keeps the hot pages of the indexes in memory.
    this.db.pragma('cache_size = -65536');
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return Promise.resolve(this.stmt(sql).all(...params) as T[]);
  }
  get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return Promise.resolve(this.stmt(sql).get(...params) as T | undefined);
  }
  run(sql: string, params: unknown[] = []): Promise<{ changes: number }> {
    if (/^\s*(CREATE|ALTER|DROP)/i.test(sql)) {
      this.flush();
      this.db.exec(sql);
      return Promise.resolve({ changes: 0 });
    }
    return new Promise((resolve, reject) => {
      if (this.pending.push({ sql, params, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits the queued writes in one transaction; a statement's own error fails only its caller. */
  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    if (batch.length === 1) {
      const [w] = batch;
      try {
        w.resolve({ changes: this.stmt(w.sql).run(...w.params).changes });
      } catch (err) {
        w.reject(err);
      }
      return;
    }
    const outcomes: Array<{ changes: number } | { error: unknown }> = [];
    try {
      this.db.exec('BEGIN');
      for (const w of batch) {
        try {
          outcomes.push({ changes: this.stmt(w.sql).run(...w.params).changes });
        } catch (error) {
          // A constraint error undoes its statement only; an I/O or busy error may end the whole
          // transaction, and then none of the batch was written.
          if (!this.db.inTransaction) throw error;
          outcomes.push({ error });
        }
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if ('error' in o) w.reject(o.error);
      else w.resolve(o);
    });
  }

  many<T>(sql: string, rows: unknown[][]): Promise<Array<T | undefined>> {
    // Queued writes were requested first: they go first.
    this.flush();
    const s = this.stmt(sql);
    // better-sqlite3 runs the function inside BEGIN/COMMIT (ROLLBACK on a throw): one fsync per batch.
    const runAll = this.db.transaction(() =>
      rows.map((p) => (s.reader ? (s.get(...p) as T | undefined) : (s.run(...p), undefined))),
    );
    try {
      return Promise.resolve(runAll());
    } catch (err) {
      return Promise.reject(err);
    }
  }
  columns(table: string): Promise<string[]> {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`invalid table name ${table}`);
    return Promise.resolve(
      (this.db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name),
    );
  }
  close(): Promise<void> {
    this.flush();
    this.db.close();
    return Promise.resolve();
  }
}
