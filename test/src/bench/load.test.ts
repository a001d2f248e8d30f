import { openLoop, sentToAnsweredTps, sustainedTps, type Operation } from './load';

/** A system that answers every request after `latencyMs`, or serves one at a time every `serviceMs`. */
function system(opts: { latencyMs: number; serviceMs?: number }) {
  let busyUntil = 0;
  const indexes: number[] = [];
  const operation: Operation = (index) => {
    indexes.push(index);
    let waitMs = opts.latencyMs;
    if (opts.serviceMs) {
      busyUntil = Math.max(busyUntil, performance.now()) + opts.serviceMs;
      waitMs = busyUntil - performance.now();
    }
    return new Promise((resolve) => setTimeout(() => resolve({ ok: true, stages: { all: waitMs } }), waitMs));
  };
  return { operation, indexes };
}

describe('openLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function run(operation: Operation, options: Parameters<typeof openLoop>[1]) {
    const done = openLoop(operation, options);
    await jest.advanceTimersByTimeAsync(60_000);
    return done;
  }

  it('measures the window on a loaded system: answers in it per second, whatever their latency', async () => {
    const edges: string[] = [];
    const { operation, indexes } = system({ latencyMs: 800 });
    const r = await run(operation, {
      rate: 100,
      warmupMs: 1000,
      durationMs: 2000,
      firstIndex: 7,
      onWindow: (edge) => edges.push(edge),
    });
    expect(edges).toEqual(['open', 'close']);
    expect(r.warmupSent).toBe(100);
    expect(r.sent).toBe(200);
    expect(r.ok).toBe(200);
    expect(indexes[0]).toBe(7);
    expect(indexes).toHaveLength(300);
    // The system keeps up: 100/s sustained, though each answer takes 0.8 s.
    expect(sustainedTps(r)).toBeGreaterThan(97);
    expect(sustainedTps(r)).toBeLessThan(103);
    // Caliper's count adds one latency to the window: 200 answers over 2.8 s.
    expect(sentToAnsweredTps(r)).toBeGreaterThan(69);
    expect(sentToAnsweredTps(r)).toBeLessThan(73);
    // Latencies and stages are the window's requests' own.
    expect(r.latenciesMs).toHaveLength(200);
    expect(Math.min(...r.latenciesMs)).toBeGreaterThanOrEqual(800);
    expect(r.stagesMs.all).toHaveLength(200);
  });

  it('reads the capacity of a system offered more than it serves', async () => {
    const { operation } = system({ latencyMs: 0, serviceMs: 20 }); // 50/s at most
    const r = await run(operation, { rate: 100, warmupMs: 1000, durationMs: 2000 });
    expect(sustainedTps(r)).toBeGreaterThan(48);
    expect(sustainedTps(r)).toBeLessThan(52);
    expect(r.ok).toBe(200); // all answered in the drain, late
    expect(Math.max(...r.latenciesMs)).toBeGreaterThan(2000);
  });

  it('without a warm-up, opens the window on an idle system', async () => {
    const { operation } = system({ latencyMs: 500 });
    const r = await run(operation, { rate: 100, durationMs: 2000 });
    expect(r.warmupSent).toBe(0);
    expect(r.sent).toBe(200);
    // The first half second of the window has nothing to answer yet.
    expect(sustainedTps(r)).toBeLessThan(80);
  });

  it("counts only the window's requests as failed", async () => {
    let i = 0;
    const failing: Operation = async () =>
      i++ % 2 === 0 ? { ok: false, failure: 'MVCC_READ_CONFLICT' } : { ok: true };
    const r = await run(failing, { rate: 100, warmupMs: 1000, durationMs: 1000 });
    expect(r.sent).toBe(100);
    expect(r.failed).toBe(50);
    expect(r.failures).toEqual({ MVCC_READ_CONFLICT: 50 });
  });
});
