import os from 'node:os';
import { parseArgs } from 'node:util';

export const MODES = ['direct', 'rest', 'caliper'] as const;
export type Mode = (typeof MODES)[number];

export const USAGE = `npm run bench [-- options]

Measures the running network (starting it if needed); the last line printed is the JSON report's path.

  --quick                  the same workloads, up to two short steps each (under 5 minutes)
  --smoke                  does every workload work? a few transactions at 3/s, no Caliper
  --workloads=a,b          only these workloads (default: all whose chaincodes are deployed)
  --modes=direct,rest      drivers to run: direct, rest, caliper (default: all three; --smoke: direct,rest)
  --pool=N                 most identities/objects a domain workload sets up (default: enough for the top rate)
  --steady=S --warmup=S    seconds of each step's steady window and warm-up, in (0, 600]
  --submit-rates=100,200   offered rates of write steps (--evaluate-rates=, --ingest-rates= likewise), 1..20000
  --no-refine              no extra steps between the last good rate and the knee
  --repeat=N               each workload's modes N times, alternating; the row is the median round (1..9)
  --network-cpus=N         cap the network's processes at N cores; the gateway and drivers get the rest
  --direct-commits=blocks  the direct driver learns outcomes from block streams, as the gateway does
                           (default: status, one CommitStatus call per transaction, as a plain client)
  --help                   this text`;

/** What a run was asked for on its command line: each value checked, nothing defaulted that the plan decides. */
export interface BenchOptions {
  plan: 'full' | 'quick' | 'smoke';
  workloads?: string[];
  modes: Mode[];
  pool?: number;
  warmupMs?: number;
  steadyMs?: number;
  submitRates?: number[];
  evaluateRates?: number[];
  ingestRates?: number[];
  noRefine: boolean;
  repeat?: number;
  networkCpus?: number;
  directCommits: 'status' | 'blocks';
}

/** A command line the benchmark refuses: a long run must not start on a typo. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

const list = (v: string) => v.split(',').filter((s) => s !== '');

function seconds(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0 && n <= 600)) throw new BenchUsageError(`--${name} must be seconds in (0, 600], got ${v}`);
  return Math.round(n * 1000);
}

function rates(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const rs = v.split(',').map(Number);
  if (rs.some((r) => !(Number.isInteger(r) && r > 0 && r <= 20000)))
    throw new BenchUsageError(`--${name} must be integers in 1..20000, got ${v}`);
  return rs;
}

function integer(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min && n <= max))
    throw new BenchUsageError(`--${name} must be an integer in ${min}..${max}, got ${v}`);
  return n;
}

/** Reads the benchmark's command line; 'help' when --help was asked for. */
export function benchOptions(args: string[], cores = os.availableParallelism()): BenchOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        quick: { type: 'boolean' },
        smoke: { type: 'boolean' },
        workloads: { type: 'string' },
        modes: { type: 'string' },
        pool: { type: 'string' },
        steady: { type: 'string' },
        warmup: { type: 'string' },
        'submit-rates': { type: 'string' },
        'evaluate-rates': { type: 'string' },
        'ingest-rates': { type: 'string' },
        'no-refine': { type: 'boolean' },
        repeat: { type: 'string' },
        'network-cpus': { type: 'string' },
        'direct-commits': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message);
  }
  if (values.help) return 'help';
  if (values.quick && values.smoke) throw new BenchUsageError('--quick and --smoke are two plans: pick one');
  const plan = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';

  const modes = values.modes === undefined ? undefined : list(values.modes);
  for (const m of modes ?? [])
    if (!(MODES as readonly string[]).includes(m))
      throw new BenchUsageError(`unknown mode ${m}; known: ${MODES.join(', ')}`);
  if (modes?.length === 0) throw new BenchUsageError('--modes names no mode');

  const directCommits = values['direct-commits'] ?? 'status';
  if (directCommits !== 'status' && directCommits !== 'blocks')
    throw new BenchUsageError(`--direct-commits must be status or blocks, got ${directCommits}`);

  let networkCpus: number | undefined;
  if (values['network-cpus'] !== undefined) {
    networkCpus = Number(values['network-cpus']);
    if (!(networkCpus > 0 && networkCpus < cores))
      throw new BenchUsageError(
        `--network-cpus must be cores in (0, ${cores}), leaving some to the client side, got ${values['network-cpus']}`,
      );
  }

  const workloads = values.workloads === undefined ? undefined : list(values.workloads);
  if (workloads?.length === 0) throw new BenchUsageError('--workloads names no workload');

  return {
    plan,
    workloads,
    modes: (modes as Mode[] | undefined) ?? (plan === 'smoke' ? ['direct', 'rest'] : [...MODES]),
    pool: integer('pool', values.pool, 1, 100_000),
    warmupMs: seconds('warmup', values.warmup),
    steadyMs: seconds('steady', values.steady),
    submitRates: rates('submit-rates', values['submit-rates']),
    evaluateRates: rates('evaluate-rates', values['evaluate-rates']),
    ingestRates: rates('ingest-rates', values['ingest-rates']),
    noRefine: values['no-refine'] ?? false,
    repeat: integer('repeat', values.repeat, 1, 9),
    networkCpus,
    directCommits,
  };
}
