import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorCodeOf } from './testing';
import { acquireLock } from './lock';

describe('the state lock', () => {
  const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'lock-')), 'run', 'cityledger.lock');
  const code = (fn: () => unknown) => errorCodeOf(fn, 'acquired');

  it('lets one command in at a time, and the next one in once it is released', () => {
    const lock = file();
    const first = acquireLock(lock, 'up');
    expect(code(() => acquireLock(lock, 'up'))).toBe('STATE_LOCKED');
    expect(() => acquireLock(lock, 'down')).toThrow(/'up' \(pid \d+, since .*\) is changing this network/);
    first.release();
    expect(existsSync(lock)).toBe(false);
    const second = acquireLock(lock, 'down');
    expect(readdirSync(path.dirname(lock))).toEqual(['cityledger.lock']);
    second.release();
  });

  it('takes over a lock whose holder is gone, or that is damaged', () => {
    const lock = file();
    acquireLock(lock, 'up').release();
    // pid_max is at most 2^22: this pid cannot exist.
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 30, command: 'up', since: 'then', token: 'x' }));
    const taken = acquireLock(lock, 'clean');
    expect(code(() => acquireLock(lock, 'up'))).toBe('STATE_LOCKED');
    taken.release();
    writeFileSync(lock, '{"pid"');
    acquireLock(lock, 'up').release();
  });

  it('is not released by a holder whose lock was removed and taken by another', () => {
    const lock = file();
    const first = acquireLock(lock, 'clean');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, command: 'up', since: 'now', token: 'other' }));
    first.release();
    expect(existsSync(lock)).toBe(true);
  });
});
