import { BenchUsageError, benchOptions, USAGE } from './options';

const refusal = (args: string[]) => {
  try {
    benchOptions(args, 2);
  } catch (err) {
    expect(err).toBeInstanceOf(BenchUsageError);
    return (err as Error).message;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
};

describe('benchOptions', () => {
  it('gives the full plan, every mode and CommitStatus outcomes with no options', () => {
    expect(benchOptions([], 2)).toEqual({
      plan: 'full',
      modes: ['direct', 'rest', 'caliper'],
      noRefine: false,
      directCommits: 'status',
    });
  });

  it('reads every option it documents', () => {
    const options = benchOptions(
      [
        '--quick',
        '--workloads=noop,read',
        '--modes=direct,rest',
        '--pool=64',
        '--steady=10',
        '--warmup=2.5',
        '--submit-rates=100,200',
        '--evaluate-rates=1000',
        '--ingest-rates=40',
        '--no-refine',
        '--repeat=3',
        '--network-cpus=1.5',
        '--direct-commits=blocks',
      ],
      2,
    );
    expect(options).toEqual({
      plan: 'quick',
      workloads: ['noop', 'read'],
      modes: ['direct', 'rest'],
      pool: 64,
      steadyMs: 10_000,
      warmupMs: 2_500,
      submitRates: [100, 200],
      evaluateRates: [1000],
      ingestRates: [40],
      noRefine: true,
      repeat: 3,
      networkCpus: 1.5,
      directCommits: 'blocks',
    });
    for (const option of ['--quick', '--workloads', '--network-cpus', '--direct-commits', '--help'])
      expect(USAGE).toContain(option);
  });

  it('runs a smoke check without Caliper unless modes are named', () => {
    expect(benchOptions(['--smoke'], 2)).toMatchObject({ plan: 'smoke', modes: ['direct', 'rest'] });
  });

  it('answers --help instead of starting a run', () => {
    expect(benchOptions(['--help'], 2)).toBe('help');
  });

  it('refuses what it does not know before a long run starts', () => {
    expect(refusal(['--workload=noop'])).toMatch(/Unknown option '--workload'/);
    expect(refusal(['quick'])).toMatch(/positional/);
    expect(refusal(['--modes=direct,REST'])).toBe('unknown mode REST; known: direct, rest, caliper');
    expect(refusal(['--modes='])).toBe('--modes names no mode');
    expect(refusal(['--quick', '--smoke'])).toMatch(/pick one/);
    expect(refusal(['--steady=0'])).toMatch(/--steady must be seconds in \(0, 600\]/);
    expect(refusal(['--submit-rates=100,abc'])).toMatch(/--submit-rates must be integers/);
    expect(refusal(['--repeat=10'])).toMatch(/--repeat must be an integer in 1..9/);
    expect(refusal(['--pool=-1'])).toMatch(/--pool must be an integer/);
    expect(refusal(['--network-cpus=2'])).toMatch(/--network-cpus must be cores in \(0, 2\)/);
    expect(refusal(['--direct-commits=events'])).toMatch(/status or blocks/);
  });
});
