import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './exec';
import * as log from './log';
import type { Paths } from './paths';
import { procStat, Processes } from './processes';

function processesIn(dir: string, options?: ConstructorParameters<typeof Processes>[1]): Processes {
  const paths = {
    runDir: path.join(dir, 'run'),
    pidFile: (name: string) => path.join(dir, 'run', `${name}.pid`),
    logFile: (name: string) => path.join(dir, 'logs', `${name}.log`),
  };
  return new Processes(paths as unknown as Paths, options);
}

const running = (pid: number) => {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
};

/** Live members of a process group (a leader killed alone leaves its children in it). */
const membersOf = (group: number) =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => running(pid) && procStat(pid)?.pgrp === group);

async function until(what: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

// A leader (sh) that starts a child of its own, as the chaincode supervisor does, and one more child
// whose environment is wiped: it is in the group but carries no trace of having been started by us.
const node = JSON.stringify(process.execPath);
const spec = (name: string) => ({
  name,
  command: '/bin/sh',
  args: [
    '-c',
    `${node} -e 'setInterval(() => {}, 1000)' & env -i ${node} -e 'setInterval(() => {}, 1000)' & wait`,
  ],
  env: process.env,
});

describe('Processes', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'processes-'));
  const processes = processesIn(dir);
  const strays: number[] = [];
  afterAll(() => strays.forEach((pid) => running(pid) && process.kill(pid, 'SIGKILL')));

  async function startWithLeaderKilled(name: string) {
    const leader = processes.start(spec(name));
    await until(() => membersOf(leader).length === 3);
    const children = membersOf(leader).filter((pid) => pid !== leader);
    strays.push(...children);
    process.kill(leader, 'SIGKILL'); // the leader alone, as when a supervisor is killed on its own
    await until(() => !running(leader));
    const ours = children.filter((pid) =>
      readFileSync(`/proc/${pid}/environ`, 'utf8').includes('CITYLEDGER_PROCESS='),
    );
    expect(ours).toHaveLength(1);
    return { ours, other: children.filter((pid) => !ours.includes(pid)) };
  }

  it('stops what a process left behind when it died alone, and nothing it did not start', async () => {
    const { ours, other } = await startWithLeaderKilled('leaves');
    expect(processes.isRunning('leaves')).toBe(false);
    expect(await processes.stop('leaves', 2000)).toBe(true);
    await until(() => !running(ours[0]));
    expect(running(other[0])).toBe(true);
    expect(await processes.stop('leaves')).toBe(false); // nothing left, and no pid file
  });

  it('clears what a dead predecessor left before starting again', async () => {
    const { ours } = await startWithLeaderKilled('again');
    const leader = processes.start(spec('again'));
    await until(() => !running(ours[0]));
    expect(processes.pid('again')).toBe(leader);
    strays.push(...membersOf(leader));
    expect(await processes.stop('again', 2000)).toBe(true);
    await until(() => membersOf(leader).length === 0);
  });
});

describe('pid records and logs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'processes-'));
  const processes = processesIn(dir, { maxLogBytes: 100 });
  const pidFile = (name: string) => path.join(dir, 'run', `${name}.pid`);
  const logFile = (name: string) => path.join(dir, 'logs', `${name}.log`);
  const mode = (file: string) => statSync(file).mode & 0o777;
  // What the CA is started with: its bootstrap registrar's secret on the command line.
  const ca = (name: string) => ({
    name,
    command: '/bin/sh',
    args: ['-c', 'sleep 30', 'fabric-ca-server', '-b', 'registrar:top-secret', '--port', '7054'],
    env: process.env,
  });
  afterAll(async () => {
    for (const name of processes.known()) await processes.stop(name, 2000);
  });

  it("do not hold the CA's bootstrap secret, and are for their owner only", async () => {
    processes.start(ca('ca.test'));
    const text = readFileSync(pidFile('ca.test'), 'utf8');
    expect(text).not.toContain('top-secret');
    expect(processes.record('ca.test')?.args).toEqual([
      '-c',
      'sleep 30',
      'fabric-ca-server',
      '-b',
      'registrar:***',
      '--port',
      '7054',
    ]);
    expect(processes.isRunning('ca.test')).toBe(true);
    expect(mode(pidFile('ca.test'))).toBe(0o600);
    expect(mode(logFile('ca.test'))).toBe(0o600);
    expect(mode(path.join(dir, 'run'))).toBe(0o700);
    expect(readdirSync(path.join(dir, 'run'))).toEqual(['ca.test.pid']); // no staging file left
    expect(await processes.stop('ca.test', 2000)).toBe(true);
  });

  it('do not take another process for ours: a stale pid file naming the test runner is not running', () => {
    const record = {
      pid: process.pid,
      command: process.execPath,
      args: [],
      startedAt: new Date().toISOString(),
    };
    writeFileSync(pidFile('gateway'), JSON.stringify(record));
    try {
      expect(processes.isRunning('gateway')).toBe(false);
      expect(processes.pid('gateway')).toBeUndefined();
    } finally {
      // Never left for afterAll's stop: were the runner taken for the gateway, it would be killed.
      rmSync(pidFile('gateway'));
    }
  });

  it('treat a truncated pid file as stale, and down removes it', async () => {
    mkdirSync(path.join(dir, 'run'), { recursive: true });
    writeFileSync(pidFile('peer0.torn'), '{"pid": 12');
    writeFileSync(pidFile('peer1.torn'), '{"pid": "x", "command": 1}');
    const warned = jest.spyOn(log, 'warn').mockImplementation(() => undefined);
    expect(processes.known()).toEqual(expect.arrayContaining(['peer0.torn', 'peer1.torn']));
    expect(processes.record('peer0.torn')).toBeUndefined();
    expect(processes.isRunning('peer1.torn')).toBe(false);
    expect(await processes.stop('peer0.torn')).toBe(false);
    expect(existsSync(pidFile('peer0.torn'))).toBe(false);
    expect(warned).toHaveBeenCalledWith(expect.stringContaining(pidFile('peer0.torn')));
    expect(await processes.stop('peer1.torn')).toBe(false);
    warned.mockRestore();
  });

  it('rotate a log past the size limit to <name>.log.1 when the process starts', async () => {
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    writeFileSync(logFile('big'), 'x'.repeat(101));
    writeFileSync(`${logFile('big')}.1`, 'older');
    writeFileSync(logFile('small'), 'y'.repeat(100));
    for (const name of ['big', 'small']) processes.start({ ...ca(name), args: ['-c', 'echo started'] });
    expect(readFileSync(`${logFile('big')}.1`, 'utf8')).toBe('x'.repeat(101));
    expect(existsSync(`${logFile('small')}.1`)).toBe(false);
    await until(() => readFileSync(logFile('small'), 'utf8').includes('started'));
    expect(readFileSync(logFile('small'), 'utf8')).toBe(`${'y'.repeat(100)}started\n`);
    await until(() => readFileSync(logFile('big'), 'utf8') === 'started\n');
  });
});
