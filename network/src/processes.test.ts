import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './exec';
import type { Paths } from './paths';
import { procStat, Processes } from './processes';

function processesIn(dir: string): Processes {
  const paths = {
    runDir: path.join(dir, 'run'),
    pidFile: (name: string) => path.join(dir, 'run', `${name}.pid`),
    logFile: (name: string) => path.join(dir, 'logs', `${name}.log`),
  };
  return new Processes(paths as unknown as Paths);
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
