import { cpuCeiling, judgeBars } from './bars';
import type { Row } from './run';

type Step = Row['steps'][number];

const step = (offered: number, committed: number, cpu: Record<string, number>): Step =>
  ({ offered_tps: offered, committed, sent: committed, failed: 0, cpu_s_per_tx: cpu }) as unknown as Step;

describe('CPU ceiling of a row', () => {
  it("divides the machine's cores by the cheapest step's CPU per transaction, every process counted", () => {
    const row = {
      steps: [
        // 20 ms a transaction at 50/s, 16 ms at 100/s (fuller blocks): the ceiling takes the cheaper.
        step(50, 1000, { 'peer0.city': 0.012, gateway: 0.003, 'bench-driver': 0.005 }),
        step(100, 2000, { 'peer0.city': 0.01, gateway: 0.002, 'bench-driver': 0.004 }),
      ],
    };
    expect(cpuCeiling(row, 2)).toEqual({ msPerTx: 16, tps: 125 });
  });

  it('skips steps that committed nothing and answers null without a figure', () => {
    expect(cpuCeiling({ steps: [step(100, 0, { 'peer0.city': 0.01 })] }, 2)).toBeNull();
    expect(cpuCeiling({ steps: [] }, 2)).toBeNull();
    expect(cpuCeiling({ steps: [step(100, 10, { 'peer0.city': 0.01 })] }, 0)).toBeNull();
  });

  it("is quoted in a main write's bar when the machine's cores are known", () => {
    const row = {
      workload: 'medical-submit',
      mode: 'direct',
      tps: 73.8,
      p95_ms: 788,
      offered_tps: 75,
      sent: 1500,
      failed: 0,
      steps: [step(75, 1500, { 'peer0.city': 0.0125 })],
    } as unknown as Row;
    const [bar] = judgeBars([row], {}, undefined, 2);
    expect(bar.figure).toBe(
      '73.8 tx/s, p95 788 ms (offered 75/s); CPU ceiling 160 tx/s (12.50 ms of CPU a transaction at its cheapest step, 2 cores)',
    );
    expect(judgeBars([row], {})[0].figure).toBe('73.8 tx/s, p95 788 ms (offered 75/s)');
  });
});
