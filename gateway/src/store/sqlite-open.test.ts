import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from './store';

describe('openDb for SQLite', () => {
  const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'gw-db-')), 'gateway.db');

  it('defaults to WAL with synchronous=NORMAL, and takes FULL on request', async () => {
    const normal = file();
    await openDb(`sqlite:${normal}`).run('CREATE TABLE t (x INTEGER)');
    expect(new Database(normal).pragma('journal_mode', { simple: true })).toBe('wal');
    // synchronous is per connection: check the one openDb made.
    const full = openDb(`sqlite:${file()}?synchronous=full`) as unknown as { db: Database.Database };
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2);
    const def = openDb(`sqlite:${file()}`) as unknown as { db: Database.Database };
    expect(def.db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('refuses an unknown synchronous mode', () => {
    expect(() => openDb(`sqlite:${file()}?synchronous=off`)).toThrow(/normal or full/);
  });
});
