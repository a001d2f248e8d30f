/**
 * A minimal supervisor: runs one command and starts it again whenever it exits, with a growing backoff
 * that resets after a healthy minute. Chaincode servers run under it, so a crashed chaincode comes back
 * without anyone's help. SIGTERM stops the child and the supervisor.
 *
 * Usage: node supervise.js <command> [args...]
 */
import { ChildProcess, spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: supervise <command> [args...]\n');
  process.exit(2);
}

let child: ChildProcess | undefined;
let stopping = false;
let backoffMs = 500;

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} [supervise] ${message}\n`);
}

function startChild(): void {
  const startedAt = Date.now();
  child = spawn(command, args, { stdio: 'inherit' });
  log(`started ${command} (pid ${child.pid})`);
  child.on('exit', (code, signal) => {
    if (stopping) process.exit(0);
    if (Date.now() - startedAt > 60000) backoffMs = 500;
    log(`child exited (code ${code}, signal ${signal}); restarting in ${backoffMs} ms`);
    setTimeout(startChild, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 10000);
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    stopping = true;
    if (child && child.exitCode === null) child.kill('SIGTERM');
    else process.exit(0);
  });
}

startChild();
