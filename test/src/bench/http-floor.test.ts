import { execFileSync } from 'node:child_process';
import { judgeBars } from './bars';
import { closeHttpClients } from './http';
import { describeHttpFloor, measureHttpFloor } from './http-floor';
import type { Row } from './run';

describe('HTTP floor', () => {
  afterAll(() => closeHttpClients());

  it('measures round trips and CPU of an empty HTTP server in its own process, then stops it', async () => {
    const servers = () =>
      execFileSync('ps', ['-eo', 'args'])
        .toString()
        .split('\n')
        .filter((l) => l.includes("require('node:http')")).length;
    const before = servers();
    const steps = await measureHttpFloor([10, 100], { warmupMs: 100, durationMs: 500 });
    expect(steps.map((s) => s.offered_tps)).toEqual([10, 100]);
    expect(steps[0].p50_ms).toBeGreaterThan(0);
    expect(steps[1].p50_ms).toBeGreaterThan(0);
    // CPU only under load: at a few requests per second the loop's own timers outweigh the requests.
    expect(steps[0].cpu_ms_per_request).toBeNull();
    expect(steps[1].cpu_ms_per_request).not.toBeNull();
    expect(describeHttpFloor(steps)).toMatch(
      /^10\/s: p50 [\d.]+ ms; 100\/s: p50 [\d.]+ ms, CPU -?[\d.]+ ms a request$/,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(servers()).toBe(before);
  });

  it("is quoted beside the query overhead bar's figure", () => {
    const row = (mode: Row['mode'], unloaded: number, p50: number) =>
      ({
        workload: 'read',
        mode,
        unloaded_p50_ms: unloaded,
        steps: [{ offered_tps: 500, p50_ms: p50, knee: false }],
      }) as unknown as Row;
    const bars = judgeBars([row('direct', 4.4, 1.7), row('rest', 6.4, 1.9)], {}, [
      { offered_tps: 10, p50_ms: 0.79, cpu_ms_per_request: 0.4 },
    ]);
    const query = bars.find((b) => b.bar.startsWith('read: REST adds'));
    expect(query?.figure).toBe(
      'unloaded: +2.0 ms, 500/s: +0.2 ms; an empty HTTP round trip: p50 0.79 ms at 10/s',
    );
    expect(query?.holds).toBe(false);
  });
});
