/**
 * A minimal supervisor for a chaincode's servers: runs every server its servers file lists and starts
 * each again whenever it exits, with a growing backoff that resets after a healthy minute, so a crashed
 * chaincode comes back without anyone's help. SIGHUP reads the file again: servers it no longer lists
 * are stopped, new ones started (an upgrade runs the old and the new package side by side until the new
 * definition is committed). SIGTERM stops every server, then the supervisor.
 *
 * Usage: node supervise.js <servers.json>   (see servers.ts)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readServers, ServerEntry } from './servers';

const file = process.argv[2];
if (!file || process.argv.length !== 3) {
  process.stderr.write('usage: supervise <servers.json>\n');
  process.exit(2);
}

interface Supervised {
  entry: ServerEntry;
  child?: ChildProcess;
  retired: boolean;
  backoffMs: number;
  timer?: NodeJS.Timeout;
}

const running = new Map<string, Supervised>();
let stopping = false;

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} [supervise] ${message}\n`);
}

function start(s: Supervised): void {
  const startedAt = Date.now();
  const child = spawn(s.entry.command, s.entry.args, { stdio: 'inherit' });
  s.child = child;
  log(`started ${s.entry.id} on port ${s.entry.port} (pid ${child.pid})`);
  // A child that cannot be spawned must not take the other servers down with an unhandled error.
  child.on('error', (err) => log(`${s.entry.id}: ${err.message}`));
  child.on('exit', (code, signal) => {
    if (stopping || s.retired) {
      running.delete(s.entry.id);
      log(`${s.entry.id} stopped`);
      if (stopping && running.size === 0) process.exit(0);
      // Listed again while it was stopping: the file decides.
      if (!stopping) reconcile();
      return;
    }
    if (Date.now() - startedAt > 60000) s.backoffMs = 500;
    log(`${s.entry.id} exited (code ${code}, signal ${signal}); restarting in ${s.backoffMs} ms`);
    s.timer = setTimeout(() => start(s), s.backoffMs);
    s.backoffMs = Math.min(s.backoffMs * 2, 10000);
  });
}

function stop(s: Supervised): void {
  s.retired = true;
  clearTimeout(s.timer);
  if (s.child && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  else running.delete(s.entry.id);
}

/** Makes the running servers those the file lists; a file that cannot be read changes nothing. */
function reconcile(): void {
  if (stopping) return;
  let wanted: ServerEntry[];
  try {
    wanted = readServers(file);
  } catch (err) {
    log(`${file}: ${(err as Error).message}; servers left as they are`);
    return;
  }
  const ids = new Set(wanted.map((e) => e.id));
  for (const s of running.values()) if (!ids.has(s.entry.id) && !s.retired) stop(s);
  for (const entry of wanted) {
    if (running.has(entry.id)) continue;
    const s: Supervised = { entry, retired: false, backoffMs: 500 };
    running.set(entry.id, s);
    start(s);
  }
}

process.on('SIGHUP', reconcile);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    stopping = true;
    for (const s of running.values()) stop(s);
    if (running.size === 0) process.exit(0);
  });
}

reconcile();
