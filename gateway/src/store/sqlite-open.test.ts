import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteDb } from './sqlite';
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

describe('SqliteDb group commit', () => {
  const open = () => new SqliteDb(path.join(mkdtempSync(path.join(os.tmpdir(), 'gw-db-')), 'gateway.db'));

  it('commits writes of one event-loop turn together, each caller getting its own result', async () => {
    const db = open();
    await db.run('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    const answers = await Promise.allSettled([
      db.run('INSERT INTO t VALUES (?, ?)', ['a', 1]),
      db.run('INSERT INTO t VALUES (?, ?)', ['a', 2]), // same key: only this one fails
      db.run('INSERT INTO t VALUES (?, ?) ON CONFLICT DO NOTHING', ['a', 3]),
      db.run('UPDATE t SET v = v + 10 WHERE k = ?', ['a']),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.changes : 'error'))).toEqual([1, 'error', 0, 1]);
    expect(await db.all('SELECT k, v FROM t')).toEqual([{ k: 'a', v: 11 }]);
    await db.close();
  });

  it('runs queued writes before a batch (many) and before closing', async () => {
    const db = open();
    await db.run('CREATE TABLE t (k TEXT PRIMARY KEY)');
    const queued = db.run('INSERT INTO t VALUES (?)', ['first']);
    await expect(db.many('INSERT INTO t VALUES (?)', [['first']])).rejects.toHaveProperty('code', 'SQLITE_CONSTRAINT_PRIMARYKEY');
    await queued;
    const last = db.run('INSERT INTO t VALUES (?)', ['last']);
    await db.close();
    await expect(last).resolves.toEqual({ changes: 1 });
  });
});
