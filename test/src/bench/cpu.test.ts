import { machineTicks, stealPct } from './cpu';

describe('steal', () => {
  it("reads the machine's CPU ticks from /proc/stat", () => {
    const ticks = machineTicks();
    expect(ticks?.total).toBeGreaterThan(0);
    expect(ticks?.steal).toBeGreaterThanOrEqual(0);
    expect(ticks!.steal).toBeLessThanOrEqual(ticks!.total);
  });

  it('is the share of CPU time given to other guests between two readings', () => {
    expect(stealPct({ total: 1000, steal: 10 }, { total: 1400, steal: 70 })).toBe(15);
    expect(stealPct({ total: 1000, steal: 10 }, { total: 1000, steal: 10 })).toBeNull();
    expect(stealPct(undefined, { total: 1400, steal: 70 })).toBeNull();
  });
});
