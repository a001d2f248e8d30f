import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { sleep } from './exec';
import { warn } from './log';
import { Paths } from './paths';
import { redactArgs } from './redact';

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
  /** As started, with secrets (the CA's `-b registrar:<secret>`) redacted. */
  args: string[];
  startedAt: string;
}

export interface ProcessesOptions {
  /** A log larger than this when its process starts is moved to `<name>.log.1` (replacing one). */
  maxLogBytes?: number;
}

export class Processes {
  private readonly maxLogBytes: number;

  constructor(
    private readonly paths: Paths,
    options: ProcessesOptions = {},
  ) {
    this.maxLogBytes = options.maxLogBytes ?? 50 * 1024 * 1024;
  }

  start(spec: ProcessSpec): number {
    // What a dead predecessor left running would hold its port: the new process could not bind.
    const previous = this.record(spec.name);
    if (previous && !isAlive(spec.name, previous)) leftoversOf(spec.name, previous).signal('SIGKILL');
    // Pid records and logs are the owner's only: a CA's log prints its bootstrap registrar.
    mkdirSync(this.paths.runDir, { recursive: true, mode: 0o700 });
    const logFile = this.paths.logFile(spec.name);
    mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
    rotateLog(logFile, this.maxLogBytes);
    const log = openSync(logFile, 'a', 0o600);
    fchmodSync(log, 0o600); // one an older version created 0644
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
      args: redactArgs(spec.args),
      startedAt,
    };
    // Written aside and renamed into place: a crash mid-write never leaves a truncated pid file.
    const file = this.paths.pidFile(spec.name);
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, JSON.stringify(record), { mode: 0o600 });
    renameSync(staging, file);
    child.unref();
    return child.pid;
  }

  /** The pid record, or undefined when there is none or it cannot be read (stale, like a dead pid). */
  record(name: string): PidRecord | undefined {
    const file = this.paths.pidFile(name);
    if (!existsSync(file)) return undefined;
    let record: Partial<PidRecord> | undefined;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as Partial<PidRecord>;
    } catch {
      /* truncated or garbled: reported below */
    }
    if (
      !record ||
      !Number.isInteger(record.pid) ||
      (record.pid as number) <= 0 ||
      typeof record.command !== 'string' ||
      typeof record.startedAt !== 'string'
    ) {
      warn(`ignoring unreadable pid file ${file} (treated as stopped)`);
      return undefined;
    }
    return { args: [], ...record } as PidRecord;
  }

  pid(name: string): number | undefined {
    const record = this.record(name);
    return record && isAlive(name, record) ? record.pid : undefined;
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
    const target = isAlive(name, record) ? groupLedBy(record.pid) : leftoversOf(name, record);
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
    if (hasTag(Number(entry), wanted)) found.push(Number(entry));
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

/**
 * Alive, and still the process we started: a pid is reused after a reboot, and matching the command line
 * alone mistook any `node` for the gateway or a chaincode supervisor. The process must carry the tag
 * `start` gave it, name and start time; one whose environment we may not read is not ours.
 */
function isAlive(name: string, record: PidRecord): boolean {
  if (!processExists(record.pid)) return false;
  return hasTag(record.pid, `${PROCESS_TAG}=${tag(name, record.startedAt)}`);
}

function hasTag(pid: number, wanted: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(wanted);
  } catch {
    return false; // gone meanwhile, or another user's
  }
}

/** Moves a log past `maxBytes` to `<log>.1` (replacing the previous one): logs would grow forever. */
export function rotateLog(file: string, maxBytes: number): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // no log yet
  }
  if (size > maxBytes) renameSync(file, `${file}.1`);
}
