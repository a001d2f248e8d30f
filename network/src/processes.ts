import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { sleep } from './exec';
import { Paths } from './paths';

/**
 * Every process the network runs is started detached, logged to its own file and tracked by a pid file,
 * so `down`, `status` and the tests find it by name and stop it by pid. A process whose pid file points at
 * a dead (or reused) pid counts as stopped.
 */
export interface ProcessSpec {
  /** Unique name, e.g. peer0.city, ca.city, chaincode.identity. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface PidRecord {
  pid: number;
  command: string;
  args: string[];
  startedAt: string;
}

export class Processes {
  constructor(private readonly paths: Paths) {}

  start(spec: ProcessSpec): number {
    mkdirSync(this.paths.runDir, { recursive: true });
    mkdirSync(path.dirname(this.paths.logFile(spec.name)), { recursive: true });
    const log = openSync(this.paths.logFile(spec.name), 'a');
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    const record: PidRecord = {
      pid: child.pid,
      command: spec.command,
      args: spec.args,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(this.paths.pidFile(spec.name), JSON.stringify(record));
    child.unref();
    return child.pid;
  }

  record(name: string): PidRecord | undefined {
    const file = this.paths.pidFile(name);
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  }

  pid(name: string): number | undefined {
    const record = this.record(name);
    return record && isAlive(record) ? record.pid : undefined;
  }

  isRunning(name: string): boolean {
    return this.pid(name) !== undefined;
  }

  /** Names of every process with a pid file, running or not. */
  known(): string[] {
    if (!existsSync(this.paths.runDir)) return [];
    return readdirSync(this.paths.runDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => f.slice(0, -4))
      .sort();
  }

  /** SIGTERM to the process group, then SIGKILL after `graceMs`; removes the pid file. */
  async stop(name: string, graceMs = 10000): Promise<boolean> {
    const pid = this.pid(name);
    rmSync(this.paths.pidFile(name), { force: true });
    if (pid === undefined) return false;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!processExists(pid)) return true;
      await sleep(100);
    }
    signalGroup(pid, 'SIGKILL');
    return true;
  }

  /** Kills a process abruptly without forgetting it (reliability tests): `status` then shows it down. */
  kill(name: string): number | undefined {
    const pid = this.pid(name);
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    return pid;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie (state Z) has exited; only its parent has not reaped it yet.
    return stat.split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Alive, and still the program we started (a pid can be reused after a reboot). */
function isAlive(record: PidRecord): boolean {
  if (!processExists(record.pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    return cmdline.includes(path.basename(record.command));
  } catch {
    return false;
  }
}
