import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { round } from './stats';

/**
 * The machine a run's figures come from. Its name is not enough to compare runs: on two "2-core" VMs
 * the same network spent 9–14 ms of CPU per no-op transaction (an Intel Xeon) and at most 5.3 ms (an
 * AMD EPYC, which committed 292 a second on its 2 cores). So the run also measures its cores, alone
 * and together, on the work Fabric's clients and peers do most per transaction: P-256 signatures
 * (node:crypto, a thread per core). Measured before any load, on an idle network.
 */
export interface Machine {
  cpus: number;
  model: string | undefined;
  memoryGiB: number | null;
  node: string;
  /** P-256 signatures per second: one thread alone, then one per core at once (summed). */
  signatures_per_s: { one_core: number; all_cores: number };
}

// Plain JavaScript run by each worker: signs for `ms` milliseconds and answers how many it made.
const SIGNER = `
const { createSign, generateKeyPairSync } = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const data = Buffer.alloc(512, 7);
const sign = () => createSign('sha256').update(data).sign(privateKey);
for (let i = 0; i < 200; i++) sign();
let n = 0;
const end = performance.now() + workerData.ms;
while (performance.now() < end) { sign(); n++; }
parentPort.postMessage(n);
`;

async function signaturesPerSecond(threads: number, ms: number): Promise<number> {
  const counts = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(SIGNER, { eval: true, workerData: { ms } });
          worker.once('message', (n: number) => void worker.terminate().then(() => resolve(n)));
          worker.once('error', reject);
        }),
    ),
  );
  return Math.round((counts.reduce((a, b) => a + b, 0) * 1000) / ms);
}

export async function measureMachine(ms = 1000): Promise<Machine> {
  const cpus = os.availableParallelism();
  return {
    cpus,
    model: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    signatures_per_s: {
      one_core: await signaturesPerSecond(1, ms),
      all_cores: await signaturesPerSecond(cpus, ms),
    },
  };
}

export function describeMachine(m: Machine): string {
  const { one_core: one, all_cores: all } = m.signatures_per_s;
  return (
    `machine: ${m.cpus} × ${m.model ?? 'unknown CPU'}, ${m.memoryGiB} GiB, Node ${m.node}; ` +
    `P-256 signatures/s: one core ${one.toLocaleString('en')}, all ${m.cpus} at once ${all.toLocaleString('en')} ` +
    `(${(all / one).toFixed(2)}× one)`
  );
}
