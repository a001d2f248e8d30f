/**
 * The smallest SQL surface both SQLite and PostgreSQL implement. Statements use `?` placeholders and
 * portable SQL (INSERT ... ON CONFLICT DO NOTHING, no RETURNING-dependent logic); bytes are stored as
 * base64 TEXT and block numbers as TEXT decimal, so one set of repositories runs on both.
 */
export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  run(sql: string, params?: unknown[]): Promise<{ changes: number }>;
  /**
   * Runs one statement once per parameter row, all in ONE transaction (all or nothing); answers each
   * run's first result row (RETURNING), or undefined for statements that return none.
   */
  many<T>(sql: string, rows: unknown[][]): Promise<Array<T | undefined>>;
  /** The column names of a table (migrations add missing columns). */
  columns(table: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Dialect-specific bits of DDL. */
export function ddl(db: Db): { serial: string } {
  return { serial: db.dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY' };
}
