import { readFileSync } from 'node:fs';

/**
 * CPU time of processes, from /proc (user + system, including reaped children such as a supervised
 * chaincode server). Sampled before and after a run, the difference divided by committed transactions
 * gives the CPU cost of one transaction per process.
 */
const TICKS_PER_SECOND = 100;

export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11..14] = utime, stime, cutime, cstime (fields are numbered from state = index 0).
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return (utime + stime + cutime + cstime) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A process and its descendants: a supervisor's live child is not in its own counters until it exits. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const child of children) tree.push(...processTree(Number(child)));
  } catch {
    /* gone, or no children file: kernel without CONFIG_PROC_CHILDREN */
  }
  return tree;
}

export function treeCpuSeconds(pid: number): number | undefined {
  const own = cpuSeconds(pid);
  if (own === undefined) return undefined;
  return processTree(pid)
    .slice(1)
    .reduce((total, child) => total + (cpuSeconds(child) ?? 0), own);
}

export type CpuSnapshot = Map<string, number>;

export function snapshot(pids: Map<string, number>): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [name, pid] of pids) {
    const s = treeCpuSeconds(pid);
    if (s !== undefined) out.set(name, s);
  }
  out.set('bench-driver', process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6);
  return out;
}

export function cpuPerTx(before: CpuSnapshot, after: CpuSnapshot, committed: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, end] of after) {
    const start = before.get(name);
    if (start !== undefined && committed > 0) out[name] = Number(((end - start) / committed).toFixed(6));
  }
  return out;
}

/**
 * The processes on the client side of a run: the bench's driver and the REST gateway (whose background
 * work, following the chain, runs in both modes). Everything else is the network: peers, orderers,
 * chaincode servers, CAs.
 */
export const CLIENT_SIDE = new Set(['bench-driver', 'gateway']);

/** CPU per committed transaction, ms, split into the client side and the network. */
export function cpuSplitMs(perTx: Record<string, number>): { client: number; network: number } {
  let client = 0;
  let network = 0;
  for (const [name, seconds] of Object.entries(perTx)) {
    if (CLIENT_SIDE.has(name)) client += seconds * 1000;
    else network += seconds * 1000;
  }
  return { client, network };
}

/** The machine's CPU time as /proc/stat counts it, all cores, in ticks: in all, and given to other guests. */
export interface MachineTicks {
  total: number;
  steal: number;
}

export function machineTicks(): MachineTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * Percent of the machine's CPU time the hypervisor ran other guests on between two readings ("steal"):
 * on a shared VM the same run goes slower while it is high, so figures from such a window do not
 * compare with others.
 */
export function stealPct(before: MachineTicks | undefined, after: MachineTicks | undefined): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return Number(((100 * (after.steal - before.steal)) / (after.total - before.total)).toFixed(1));
}
