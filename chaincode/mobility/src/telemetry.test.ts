import fc from 'fast-check';
import { identity, readingProof, type ContractHarness } from '@cityledger/chaincode-common';
import {
  VIN_A,
  VIN_B,
  VIN_C,
  anchorWindows,
  at,
  code,
  ids,
  newHarness,
  ok,
  readingsOf,
  seedWorld,
  windowInput,
} from './mobility.fixtures';
import type { ReadingProof, TelemetryHead, TelemetryWindow, WindowRef } from './model';
import { coversSpan, windowsOverlapping } from './telemetry';

let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await seedWorld(h);
});

const anchor = (w: Record<string, unknown>, who = ids.carA, when = w.windowEnd as string) =>
  h.submit<TelemetryWindow>(who, 'telemetry:AnchorWindow', [w], { at: when });

describe('anchoring telemetry windows', () => {
  it("anchors a vehicle's windows in sequence, signed by the vehicle, and announces each", async () => {
    const w = windowInput(VIN_A, 1, T(0));
    const r = await anchor(w);
    expect(r.committed).toBe(true);
    expect(r.value).toEqual({
      ...w,
      scheme: 'rfc6962-sha256',
      anchoredAt: w.windowEnd,
      anchoredBy: 'CityMSP/car-a',
      txId: r.stub.getTxID(),
    });
    expect(r.event?.envelope.events).toEqual([
      { type: 'TelemetryAnchored', data: { vin: VIN_A, seq: 1, count: 10, root: w.root } },
    ]);
    await anchorWindows(h, ids.carA, VIN_A, 3, T(10), 2);
    expect(ok(await h.evaluate<TelemetryHead>(ids.acme, 'telemetry:GetHead', [VIN_A]))).toEqual({
      vin: VIN_A,
      lastSeq: 4,
      lastWindowEnd: T(40),
    });
    expect(
      ok(await h.evaluate<TelemetryWindow>(ids.acme, 'telemetry:GetWindow', [VIN_A, 3])).windowStart,
    ).toBe(T(20));
    const page1 = ok(
      await h.evaluate<{ items: TelemetryWindow[]; bookmark: string }>(ids.acme, 'telemetry:ListWindows', [
        VIN_A,
        3,
        '',
      ]),
    );
    expect(page1.items.map((x) => x.seq)).toEqual([1, 2, 3]);
    const page2 = ok(
      await h.evaluate<{ items: TelemetryWindow[]; bookmark: string }>(ids.acme, 'telemetry:ListWindows', [
        VIN_A,
        3,
        page1.bookmark,
      ]),
    );
    expect(page2.items.map((x) => x.seq)).toEqual([4]);
    expect(code(await h.evaluate(ids.acme, 'telemetry:GetHead', [VIN_B]))).toBe('NOT_FOUND');
    expect(code(await h.evaluate(ids.acme, 'telemetry:GetWindow', [VIN_A, 5]))).toBe('NOT_FOUND');
  });

  it('refuses a gap (FAILED_PRECONDITION) and a replay (CONFLICT)', async () => {
    const first = await anchor(windowInput(VIN_A, 2, T(0)));
    expect(first.error?.code).toBe('FAILED_PRECONDITION');
    expect(first.error?.details).toEqual({ reason: 'SEQUENCE_GAP', expected: 1, seq: 2 });
    ok(await anchor(windowInput(VIN_A, 1, T(0))));
    const gap = await anchor(windowInput(VIN_A, 3, T(10)));
    expect(gap.error?.details).toEqual({ reason: 'SEQUENCE_GAP', expected: 2, seq: 3 });
    const replay = await anchor(windowInput(VIN_A, 1, T(0)));
    expect(replay.error?.code).toBe('CONFLICT');
    expect(replay.error?.details).toEqual({ reason: 'REPLAYED_SEQUENCE', expected: 2, seq: 1 });
    // Sequences are per vehicle.
    ok(await anchor(windowInput(VIN_B, 1, T(0)), ids.carB));
  });

  it('refuses overlapping, too short, too long and future windows', async () => {
    ok(await anchor(windowInput(VIN_A, 1, T(0))));
    const overlap = await anchor(windowInput(VIN_A, 2, T(5)));
    expect(overlap.error?.code).toBe('INVALID_ARGUMENT');
    expect(overlap.error?.details.reason).toBe('WINDOW_OVERLAP');
    const reason = async (extra: Record<string, unknown>, when?: string) =>
      (await anchor(windowInput(VIN_A, 2, T(10), extra), ids.carA, when ?? T(3700))).error?.details.reason;
    expect(await reason({ windowEnd: T(10.5) })).toBe('WINDOW_LENGTH');
    expect(await reason({ windowEnd: T(5) })).toBe('WINDOW_LENGTH');
    expect(await reason({ windowEnd: T(3611) })).toBe('WINDOW_LENGTH');
    expect(await reason({}, T(-100))).toBe('WINDOW_IN_FUTURE');
    expect(
      (await anchor(windowInput(VIN_A, 2, T(10), { windowEnd: T(3610) }), ids.carA, T(3600))).committed,
    ).toBe(true);
  });

  it('lets only the vehicle itself anchor, for a registered VIN', async () => {
    const w = windowInput(VIN_A, 1, T(0));
    const other = await anchor(w, ids.carB);
    expect(other.error?.code).toBe('FORBIDDEN');
    expect(other.error?.details).toEqual({ reason: 'NOT_THIS_VEHICLE', vin: VIN_A });
    for (const who of [
      ids.alice,
      ids.police,
      ids.acme,
      identity('InsurerMSP', 'car', { role: 'vehicle', vehicleId: VIN_A }),
    ]) {
      expect(code(await anchor(w, who))).toBe('FORBIDDEN');
    }
    const ghost = identity('CityMSP', 'car-c', { role: 'vehicle', vehicleId: VIN_C });
    expect(code(await anchor(windowInput(VIN_C, 1, T(0)), ghost))).toBe('NOT_FOUND');
  });

  it('refuses malformed windows with INVALID_ARGUMENT', async () => {
    const w = windowInput(VIN_A, 1, T(0));
    for (const bad of [
      { ...w, root: undefined },
      { ...w, root: w.root.toUpperCase() },
      { ...w, root: w.root.slice(1) },
      { ...w, count: 0 },
      { ...w, count: 1_000_001 },
      { ...w, seq: 0 },
      { ...w, seq: 1.5 },
      { ...w, seq: '1' },
      { ...w, windowStart: '2026-06-01 08:00:00' },
      { ...w, windowRef: 'has space' },
      { ...w, signature: 'x' },
    ]) {
      expect(code(await anchor(bad))).toBe('INVALID_ARGUMENT');
    }
    expect(code(await h.evaluate(ids.acme, 'telemetry:GetWindow', [VIN_A, 0]))).toBe('INVALID_ARGUMENT');
    expect(code(await h.evaluate(ids.acme, 'telemetry:ListWindows', [VIN_A, 0, '']))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('proving readings', () => {
  const readings = readingsOf(VIN_A, '2026-06-01T08:00:00.000Z');
  const verify = (index: number, reading: unknown, path: string[], seq = 1) =>
    h.evaluate<ReadingProof>(ids.acme, 'telemetry:VerifyReading', [
      { vin: VIN_A, seq, index, reading, path },
    ]);

  beforeEach(async () => {
    ok(await anchor(windowInput(VIN_A, 1, T(0))));
  });

  it('proves every reading of an anchored window', async () => {
    for (let i = 0; i < readings.length; i++) {
      const r = ok(await verify(i, readings[i], readingProof(readings, i)));
      expect(r).toEqual(
        expect.objectContaining({
          valid: true,
          vin: VIN_A,
          seq: 1,
          index: i,
          count: 10,
          scheme: 'rfc6962-sha256',
        }),
      );
    }
  });

  it('fails a forged reading, a tampered path and a wrong index', async () => {
    const path = readingProof(readings, 3);
    expect(ok(await verify(3, { ...readings[3], speedKmh: 10 }, path)).valid).toBe(false);
    expect(ok(await verify(3, { ...readings[3], automation: false }, path)).valid).toBe(false);
    expect(ok(await verify(3, readings[3], [path[1], path[0], ...path.slice(2)])).valid).toBe(false);
    expect(ok(await verify(4, readings[3], path)).valid).toBe(false);
    expect(ok(await verify(3, readings[3], path.slice(1))).valid).toBe(false);
  });

  it('refuses an index outside the window, an unknown window and malformed proofs', async () => {
    const oob = await verify(10, readings[0], []);
    expect(oob.error?.code).toBe('INVALID_ARGUMENT');
    expect(oob.error?.details).toEqual({ reason: 'INDEX_OUT_OF_RANGE', count: 10 });
    expect(code(await verify(0, readings[0], [], 2))).toBe('NOT_FOUND');
    expect(code(await verify(0, readings[0], ['XYZ']))).toBe('INVALID_ARGUMENT');
    expect(code(await verify(0, 'a string', []))).toBe('INVALID_ARGUMENT');
    expect(code(await verify(-1, readings[0], []))).toBe('INVALID_ARGUMENT');
    expect(code(await verify(0, readings[0], Array(65).fill('0'.repeat(64))))).toBe('INVALID_ARGUMENT');
  });
});

describe('telemetry rules (pure)', () => {
  const ref = (seq: number, start: number, end: number): WindowRef => ({
    seq,
    windowStart: new Date(start).toISOString(),
    windowEnd: new Date(end).toISOString(),
    count: 1,
    root: '',
  });

  it('a span is covered only by abutting windows reaching both ends', () => {
    expect(coversSpan([ref(1, 0, 10_000), ref(2, 10_000, 20_000)], 5_000, 20_000)).toBe(true);
    expect(coversSpan([], 0, 1)).toBe(false);
    expect(coversSpan([ref(1, 1_000, 10_000)], 0, 5_000)).toBe(false);
    expect(coversSpan([ref(1, 0, 10_000)], 0, 15_000)).toBe(false);
    expect(coversSpan([ref(1, 0, 10_000), ref(2, 11_000, 20_000)], 0, 20_000)).toBe(false);
  });

  it('finds exactly the windows overlapping a span (binary search = linear scan)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3 }), len: fc.integer({ min: 1, max: 5 }) }), {
          minLength: 0,
          maxLength: 40,
        }),
        fc.integer({ min: -5, max: 200 }),
        fc.integer({ min: 0, max: 60 }),
        async (shape, from, span) => {
          const windows: WindowRef[] = [];
          let t = 0;
          shape.forEach((s, i) => {
            t += s.gap;
            windows.push(ref(i + 1, t * 1000, (t + s.len) * 1000));
            t += s.len;
          });
          const [fromMs, toMs] = [from * 1000, (from + span) * 1000];
          const expected = windows.filter(
            (w) => Date.parse(w.windowEnd) > fromMs && Date.parse(w.windowStart) < toMs,
          );
          const found = await windowsOverlapping(
            windows.length,
            fromMs,
            toMs,
            async (seq) => windows[seq - 1],
          );
          expect(found).toEqual(expected);
          // A limit stops the scan, not the search.
          for (const limit of [1, 3])
            expect(
              await windowsOverlapping(windows.length, fromMs, toMs, async (seq) => windows[seq - 1], limit),
            ).toEqual(expected.slice(0, limit));
        },
      ),
    );
  });
});

function T(offsetSeconds: number): string {
  return at(offsetSeconds);
}
