import os from 'node:os';
import { describeMachine, measureMachine } from './machine';

describe('machine', () => {
  it('counts P-256 signatures on one core and on every core at once', async () => {
    const m = await measureMachine(100);
    expect(m.cpus).toBe(os.availableParallelism());
    expect(m.signatures_per_s.one_core).toBeGreaterThan(0);
    expect(m.signatures_per_s.all_cores).toBeGreaterThan(0);
    expect(describeMachine(m)).toMatch(
      new RegExp(
        `^machine: ${m.cpus} × .+; P-256 signatures/s: one core [\\d,]+, all ${m.cpus} at once [\\d,]+ \\([\\d.]+× one\\)$`,
      ),
    );
  });
});
