import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `--network-cpus=N`: the network's processes (peers, orderers, chaincode servers, CAs) share one CPU
 * quota of N cores for the run, in a cgroup of their own, and the gateway and the drivers have what is
 * left. On one machine this stands in for the deployment the REST/direct bar is about, a gateway on
 * cores of its own: uncapped, every millisecond the gateway spends is taken from the peers once the
 * machine's CPU is the ceiling. Children (a chaincode server its supervisor restarts) inherit the
 * cgroup. Needs root and a writable cgroup CPU controller (v2, or v1's at /sys/fs/cgroup/cpu).
 */
export interface CpuCap {
  cores: number;
  cgroup: 'v1' | 'v2';
  /** Seconds the capped processes were held back by the quota since the cap began. */
  throttledSeconds(): number;
  /** Moves every process back to the cgroup it came from; safe to call twice. */
  release(): void;
}

const ROOT = '/sys/fs/cgroup';
// A short period bounds how long the network stands still once a burst has spent its quota (up to
// tens of ms with the default 100 ms period).
const PERIOD_US = 10_000;

interface Layout {
  version: 'v1' | 'v2';
  /** Where the CPU controller's hierarchy is mounted. */
  mount: string;
  /** A process's cgroup in that hierarchy, from its /proc/<pid>/cgroup. */
  cgroupOf(pid: number): string | undefined;
  setQuota(dir: string, cores: number): void;
  throttledSeconds(dir: string): number;
}

function procCgroups(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
}

function layout(): Layout {
  const v2 = path.join(ROOT, 'cgroup.controllers');
  if (existsSync(v2) && readFileSync(v2, 'utf8').split(/\s+/).includes('cpu')) {
    return {
      version: 'v2',
      mount: ROOT,
      cgroupOf: (pid) =>
        procCgroups(pid)
          .find((l) => l.startsWith('0::'))
          ?.slice(3),
      setQuota: (dir, cores) =>
        writeFileSync(path.join(dir, 'cpu.max'), `${Math.round(cores * PERIOD_US)} ${PERIOD_US}`),
      throttledSeconds: (dir) => stat(dir, 'throttled_usec') / 1e6,
    };
  }
  const v1 = path.join(ROOT, 'cpu');
  if (existsSync(path.join(v1, 'cpu.cfs_quota_us'))) {
    return {
      version: 'v1',
      mount: v1,
      cgroupOf: (pid) =>
        procCgroups(pid)
          .map((l) => l.split(':'))
          .find(([, controllers]) => controllers.split(',').includes('cpu'))?.[2],
      setQuota: (dir, cores) => {
        writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(Math.round(cores * PERIOD_US)));
      },
      throttledSeconds: (dir) => stat(dir, 'throttled_time') / 1e9,
    };
  }
  throw new Error(
    `--network-cpus needs a cgroup CPU controller (v2 at ${ROOT}, or v1 at ${v1}); this machine has neither`,
  );
}

function stat(dir: string, key: string): number {
  const line = readFileSync(path.join(dir, 'cpu.stat'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Puts `pids` under one quota of `cores` CPUs, in the cgroup `name` (created, or reused if left behind). */
export function capCpu(name: string, pids: number[], cores: number): CpuCap {
  const l = layout();
  const dir = path.join(l.mount, name);
  if (l.version === 'v2') {
    // A v2 cgroup offers the cpu controller to its children only once enabled on the parent.
    const subtree = path.join(l.mount, 'cgroup.subtree_control');
    if (!readFileSync(subtree, 'utf8').split(/\s+/).includes('cpu')) writeFileSync(subtree, '+cpu');
  }
  mkdirSync(dir, { recursive: true });
  l.setQuota(dir, cores);
  const origin = new Map<number, string>();
  const release = () => {
    // Processes started under the cap (a chaincode server its supervisor restarted) go where their
    // parent came from.
    const fallback = origin.values().next().value ?? '/';
    let inCap: number[] = [];
    try {
      inCap = readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      /* released already */
    }
    for (const pid of new Set([...origin.keys(), ...inCap])) {
      try {
        writeFileSync(path.join(l.mount, origin.get(pid) ?? fallback, 'cgroup.procs'), String(pid));
      } catch {
        /* exited meanwhile */
      }
    }
    origin.clear();
    try {
      rmdirSync(dir);
    } catch {
      /* gone already */
    }
  };
  try {
    for (const pid of pids) {
      const from = l.cgroupOf(pid);
      if (from === undefined) continue;
      writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
      origin.set(pid, from);
    }
  } catch (err) {
    release();
    throw err;
  }
  const throttledAtStart = l.throttledSeconds(dir);
  return {
    cores,
    cgroup: l.version,
    throttledSeconds: () => l.throttledSeconds(dir) - throttledAtStart,
    release,
  };
}
