import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Db } from './db';

/**
 * SQLite via better-sqlite3, in WAL mode. better-sqlite3 is synchronous, so every fsync blocks the
 * event loop: with synchronous=FULL each write waited for the disk and the gateway's throughput went
 * with it (seen in a CPU profile under load). NORMAL (the default) keeps every committed write across
 * a crash of the gateway process; only a power loss or OS crash may drop the last few. Choose FULL
 * (`sqlite:<file>?synchronous=full`) where that matters more than throughput.
 */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string, synchronous: 'normal' | 'full' = 'normal') {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    this.db.pragma('busy_timeout = 5000');
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
      this.db.exec(sql);
      return Promise.resolve({ changes: 0 });
    }
    return Promise.resolve({ changes: this.stmt(sql).run(...params).changes });
  }
  many<T>(sql: string, rows: unknown[][]): Promise<Array<T | undefined>> {
    const s = this.stmt(sql);
    // better-sqlite3 runs the function inside BEGIN/COMMIT (ROLLBACK on a throw): one fsync per batch.
    const runAll = this.db.transaction(() =>
      rows.map((p) => (s.reader ? (s.get(...p) as T | undefined) : (s.run(...p), undefined))),
    );
    return Promise.resolve(runAll());
  }
  columns(table: string): Promise<string[]> {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`invalid table name ${table}`);
    return Promise.resolve(
      (this.db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name),
    );
  }
  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
