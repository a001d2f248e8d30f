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
    // What a dead predecessor left running would hold its port: the new process could not bind.
    const previous = this.record(spec.name);
    if (previous && !isAlive(previous)) leftoversOf(spec.name, previous).signal('SIGKILL');
    mkdirSync(this.paths.runDir, { recursive: true });
    mkdirSync(path.dirname(this.paths.logFile(spec.name)), { recursive: true });
    const log = openSync(this.paths.logFile(spec.name), 'a');
    const startedAt = new Date().toISOString();
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      // Inherited by everything the process starts: how `stop` recognises what it left behind.
      env: { ...spec.env, [PROCESS_TAG]: tag(spec.name, startedAt) },
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    const record: PidRecord = {
      pid: child.pid,
      command: spec.command,
      args: spec.args,
      startedAt,
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

  /**
   * SIGTERM to the process group, then SIGKILL after `graceMs`; removes the pid file. When the process
   * itself is gone but what it started is not (a supervisor killed on its own leaves its chaincode
   * server running, still holding its port), those leftovers are stopped the same way.
   */
  async stop(name: string, graceMs = 10000): Promise<boolean> {
    const record = this.record(name);
    rmSync(this.paths.pidFile(name), { force: true });
    if (!record) return false;
    const target = isAlive(record) ? groupLedBy(record.pid) : leftoversOf(name, record);
    if (!target.remains()) return false;
    target.signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!target.remains()) return true;
      await sleep(100);
    }
    target.signal('SIGKILL');
    return true;
  }

  /** Kills a process abruptly without forgetting it (reliability tests): `status` then shows it down. */
  kill(name: string): number | undefined {
    const pid = this.pid(name);
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    return pid;
  }
}

const PROCESS_TAG = 'CITYLEDGER_PROCESS';
const tag = (name: string, startedAt: string) => `${name}@${startedAt}`;

/** What `stop` signals and waits for. */
interface StopTarget {
  remains(): boolean;
  signal(signal: NodeJS.Signals): void;
}

const groupLedBy = (pid: number): StopTarget => ({
  remains: () => processExists(pid),
  signal: (signal) => signalGroup(pid, signal),
});

const leftoversOf = (name: string, record: PidRecord): StopTarget => ({
  remains: () => leftoverPids(name, record).length > 0,
  signal: (signal) => leftoverPids(name, record).forEach((pid) => signalProcess(pid, signal)),
});

/**
 * Processes still in the group a dead process led, that it started: same process group (the number of
 * a group that still has members is never given to a new process) and our tag in their environment.
 */
function leftoverPids(name: string, record: PidRecord): number[] {
  const wanted = `${PROCESS_TAG}=${tag(name, record.startedAt)}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat || stat.state === 'Z' || stat.pgrp !== record.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(wanted))
        found.push(Number(entry));
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
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

/** A process's state letter and process group, from /proc; undefined once it is gone. */
export function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: fields start after its closing one.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (state Z) has exited; only its parent has not reaped it yet.
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
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
