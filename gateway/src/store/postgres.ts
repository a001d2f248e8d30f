import { Pool } from 'pg';
import { Db } from './db';

/** PostgreSQL via pg: the same statements, `?` rewritten to $n. */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  private readonly pool: Pool;

  /** `schema` (tests, multi-tenant deployments) becomes the connections' search_path. */
  constructor(connectionString: string, schema?: string) {
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    this.pool = new Pool({ connectionString, max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  }

  private static rewrite(sql: string): string {
    let i = 0;
    return sql.replace(/\?/g, () => `$${++i}`);
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const res = await this.pool.query(PostgresDb.rewrite(sql), params);
    return res.rows as T[];
  }
  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }
  async run(sql: string, params: unknown[] = []): Promise<{ changes: number }> {
    const res = await this.pool.query(PostgresDb.rewrite(sql), params);
    return { changes: res.rowCount ?? 0 };
  }
  close(): Promise<void> {
    return this.pool.end();
  }
}
