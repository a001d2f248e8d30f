import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NetworkError } from './errors';

/**
 * One command at a time changes a state dir: two `up`s at once would each start a CA, peer… and keep
 * only the last pid file, orphaning the other's processes. The lock is a file created exclusively
 * holding the holder's pid; one whose holder is gone (crashed, killed, rebooted) is stale and taken
 * over. It is written aside and hard-linked into place (link fails if the name exists, like O_EXCL), so
 * it never appears empty: an unreadable one is damaged, not being written, and counts as stale.
 */
export interface LockHolder {
  pid: number;
  command: string;
  since: string;
  token: string;
}

export interface StateLock {
  release(): void;
}

/** Whether a pid names a process: one of another user (EPERM) counts, we cannot tell it is not a holder. */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

export function acquireLock(file: string, command: string): StateLock {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: LockHolder = {
    pid: process.pid,
    command,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const staging = `${file}.${process.pid}.${me.token}`;
  writeFileSync(staging, JSON.stringify(me), { mode: 0o600 });
  try {
    takeOver(file, staging);
  } finally {
    rmSync(staging, { force: true });
  }
  return {
    release() {
      // Not if `clean` removed it with the state dir and another command has taken the lock since.
      const holder = readHolder(file);
      if (holder !== 'unreadable' && holder?.token === me.token) rmSync(file, { force: true });
    },
  };
}

function takeOver(file: string, staging: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      linkSync(staging, file);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder !== 'unreadable' && holder !== undefined && pidExists(holder.pid))
      throw new NetworkError(
        'STATE_LOCKED',
        `'${holder.command}' (pid ${holder.pid}, since ${holder.since}) is changing this network ` +
          `(lock ${file}): wait for it to finish; if pid ${holder.pid} is no cityledger command, delete the file`,
      );
    // Stale: its holder is gone. Only a few attempts, so two processes taking over cannot loop forever.
    if (attempt >= 3) throw new NetworkError('STATE_LOCKED', `could not take over the stale lock ${file}`);
    if (holder !== undefined) rmSync(file, { force: true });
  }
}
