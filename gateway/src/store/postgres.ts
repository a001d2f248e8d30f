import { Pool } from 'pg';
import { Db } from './db';

/** PostgreSQL via pg: the same statements, `?` rewritten to $n. */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  private readonly pool: Pool;

  /** `schema` (tests, multi-tenant deployments) becomes the connections' search_path. */
  constructor(connectionString: string, schema?: string) {
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
      throw new Error(`invalid schema name ${schema}`);
    this.pool = new Pool({
      connectionString,
      max: 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
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
  async many<T>(sql: string, rows: unknown[][]): Promise<Array<T | undefined>> {
    const client = await this.pool.connect();
    const text = PostgresDb.rewrite(sql);
    try {
      await client.query('BEGIN');
      const out: Array<T | undefined> = [];
      for (const p of rows) out.push((await client.query(text, p)).rows[0] as T | undefined);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  async columns(table: string): Promise<string[]> {
    const rows = await this.all<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()',
      [table],
    );
    return rows.map((r) => r.column_name);
  }
  close(): Promise<void> {
    return this.pool.end();
  }
}
