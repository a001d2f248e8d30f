import { endorsersRequiredFor, identity, type ContractHarness } from '@cityledger/chaincode-common';
import {
  CRASH_AT,
  VIN_A,
  VIN_B,
  VIN_C,
  anchorWindows,
  at,
  code,
  ids,
  newHarness,
  ok,
  sealInput,
  seedWorld,
} from './mobility.fixtures';
import type { Crash } from './model';
import { MAX_SEALED_WINDOWS } from './crash-contract';

let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await seedWorld(h);
});

const report = (who = ids.carA, input: Record<string, unknown> = {}) =>
  h.submit<Crash>(
    who,
    'crash:ReportCrash',
    [{ crashId: 'C1', occurredAt: CRASH_AT, vins: [VIN_A, VIN_B], ...input }],
    { at: at(45) },
  );
const seal = (
  options: {
    who?: typeof ids.police;
    input?: Record<string, unknown>;
    when?: number;
    endorsers?: string[];
  } = {},
) =>
  h.submit<Crash>(options.who ?? ids.police, 'crash:SealEvidence', ['C1', sealInput(options.input)], {
    at: at(options.when ?? 60),
    endorsers: options.endorsers,
  });

describe('reporting a crash', () => {
  it('records the crash and puts its key under CityMSP + InsurerMSP endorsement', async () => {
    const r = await report();
    expect(r.committed).toBe(true);
    expect(r.value).toEqual({
      crashId: 'C1',
      occurredAt: CRASH_AT,
      vins: [VIN_A, VIN_B],
      status: 'REPORTED',
      reportedAt: at(45),
      reportedBy: 'CityMSP/car-a',
    });
    expect(r.event?.envelope.events).toEqual([
      { type: 'CrashReported', data: { crashId: 'C1', vins: [VIN_A, VIN_B] } },
    ]);
    const key = r.stub.createCompositeKey('crash', ['C1']);
    expect(await endorsersRequiredFor({ stub: r.stub.asStub() } as never, key)).toEqual([
      'CityMSP',
      'InsurerMSP',
    ]);
    expect(ok(await h.evaluate<Crash>(ids.portAgent, 'crash:GetCrash', ['C1'])).status).toBe('REPORTED');
  });

  it('accepts the police, an involved vehicle or the ACTIVE owner of one', async () => {
    expect((await report(ids.police, { crashId: 'C2' })).committed).toBe(true);
    expect((await report(ids.carB, { crashId: 'C3' })).committed).toBe(true);
    expect((await report(ids.alice, { crashId: 'C4' })).committed).toBe(true);
    expect((await report(ids.bob, { crashId: 'C5', vins: [VIN_B] })).committed).toBe(true);
  });

  it('refuses anyone not involved', async () => {
    for (const who of [
      ids.bob,
      ids.carB,
      ids.acme,
      ids.adj1,
      ids.portAgent,
      ids.fakePolice,
      identity('InsurerMSP', 'alice', { role: 'resident', residentId: 'R1' }),
    ]) {
      const r = await report(who, { vins: [VIN_A] });
      expect(r.error?.code).toBe('FORBIDDEN');
      expect(r.error?.details.reason).toBe('NOT_INVOLVED');
    }
  });

  it('refuses unknown vehicles, duplicates, future crashes and malformed reports', async () => {
    expect(code(await report(ids.police, { vins: [VIN_A, VIN_C] }))).toBe('NOT_FOUND');
    ok(await report());
    expect(code(await report())).toBe('CONFLICT');
    const future = await report(ids.police, { crashId: 'C2', occurredAt: at(200) });
    expect(future.error?.details).toEqual({ reason: 'IN_FUTURE', occurredAt: at(200) });
    for (const bad of [
      { vins: [] },
      { vins: [VIN_A, VIN_A] },
      { vins: Array(9).fill(VIN_A) },
      { vins: ['nope'] },
      { occurredAt: 'now' },
      { crashId: '' },
      { location: 'x'.repeat(257) },
      { weather: 'rain' },
    ]) {
      expect(code(await report(ids.police, { crashId: 'C9', ...bad }))).toBe('INVALID_ARGUMENT');
    }
    expect(code(await h.evaluate(ids.police, 'crash:GetCrash', ['C9']))).toBe('NOT_FOUND');
  });
});

describe('sealing evidence', () => {
  beforeEach(async () => {
    await anchorWindows(h, ids.carA, VIN_A, 6);
    await anchorWindows(h, ids.carB, VIN_B, 3);
    ok(await report());
  });

  it('seals the windows around the crash and who was driving, with both endorsements', async () => {
    const r = await seal({ endorsers: ['CityMSP', 'InsurerMSP'] });
    expect(r.committed).toBe(true);
    const evidence = r.value.evidence!;
    expect(r.value.status).toBe('SEALED');
    expect(evidence.from).toBe('2026-06-01T08:00:00.000Z');
    expect(evidence.to).toBe('2026-06-01T08:00:40.000Z');
    expect(evidence.scheme).toBe('rfc6962-sha256');
    expect(evidence.sealedBy).toBe('CityMSP/officer1');
    const [a, b] = evidence.vehicles;
    expect(a.vin).toBe(VIN_A);
    expect(a.windows.map((w) => w.seq)).toEqual([2, 3, 4, 5]);
    expect(a.complete).toBe(true);
    // VIN_B anchored only until 08:00:20.
    expect(b.windows.map((w) => w.seq)).toEqual([2, 3]);
    expect(b.complete).toBe(false);
    expect(evidence.driving.map((d) => d.vin)).toEqual([VIN_A, VIN_B]);
    expect(r.event?.envelope.events).toEqual([
      { type: 'EvidenceSealed', data: { crashId: 'C1', complete: false, windows: 6 } },
    ]);
  });

  it('is refused at commit when endorsed without InsurerMSP or without CityMSP', async () => {
    for (const endorsers of [
      ['CityMSP', 'HospitalMSP'],
      ['InsurerMSP', 'PortMSP'],
    ]) {
      const r = await seal({ endorsers });
      expect(r.ok).toBe(true);
      expect(r.committed).toBe(false);
      expect(r.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
    }
    expect(ok(await h.evaluate<Crash>(ids.police, 'crash:GetCrash', ['C1'])).status).toBe('REPORTED');
  });

  it('is write-once', async () => {
    ok(await seal());
    const again = await seal({ when: 90 });
    expect(again.error?.code).toBe('FAILED_PRECONDITION');
    expect(again.error?.details).toEqual({ state: 'SEALED' });
  });

  it('waits until the sealed span is over', async () => {
    const early = await seal({ when: 39 });
    expect(early.error?.code).toBe('FAILED_PRECONDITION');
    expect(early.error?.details).toEqual({
      reason: 'SPAN_NOT_OVER',
      state: 'REPORTED',
      to: '2026-06-01T08:00:40.000Z',
    });
  });

  it('lets only the City police seal', async () => {
    for (const who of [ids.acme, ids.adj1, ids.carA, ids.alice, ids.fakePolice])
      expect(code(await seal({ who }))).toBe('FORBIDDEN');
  });

  it('needs one consistent driving state per involved vehicle', async () => {
    const missing = await seal({ input: { driving: [sealInput().driving[0]] } });
    expect(missing.error?.details).toEqual({
      reason: 'DRIVING_STATES_MISMATCH',
      expected: [VIN_A, VIN_B],
      given: [VIN_A],
    });
    const stranger = await seal({
      input: { driving: [sealInput().driving[0], { ...sealInput().driving[1], vin: VIN_C }] },
    });
    expect(stranger.error?.details.reason).toBe('DRIVING_STATES_MISMATCH');
    const inconsistent = await seal({
      input: { driving: [sealInput().driving[0], { ...sealInput().driving[1], driverTookOverAt: at(29) }] },
    });
    expect(inconsistent.error?.details).toEqual({ reason: 'INCONSISTENT_DRIVING_STATE', vin: VIN_B });
    const inconsistent2 = await seal({
      input: { driving: [{ ...sealInput().driving[0], takeoverRequested: false }, sealInput().driving[1]] },
    });
    expect(inconsistent2.error?.details.reason).toBe('INCONSISTENT_DRIVING_STATE');
  });

  it('refuses malformed seals and unknown crashes', async () => {
    for (const bad of [
      { beforeSeconds: 0 },
      { afterSeconds: -1 },
      { beforeSeconds: 601 },
      { driving: [] },
      { driving: [{ vin: VIN_A }] },
      { note: 'x' },
    ]) {
      expect(code(await seal({ input: bad }))).toBe('INVALID_ARGUMENT');
    }
    expect(code(await h.submit(ids.police, 'crash:SealEvidence', ['C9', sealInput()], { at: at(60) }))).toBe(
      'NOT_FOUND',
    );
  });
});

/** Anchors `n` one-second windows of `vin` (registered to R2 first) from `startMs`, each as it ends. */
async function anchorSeconds(vin: string, startMs: number, n: number): Promise<void> {
  ok(await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [{ vin, ownerId: 'R2' }]));
  const car = identity('CityMSP', `car-${vin}`, { role: 'vehicle', vehicleId: vin });
  for (let seq = 1; seq <= n; seq++) {
    const w = {
      vin,
      seq,
      windowStart: new Date(startMs + (seq - 1) * 1000).toISOString(),
      windowEnd: new Date(startMs + seq * 1000).toISOString(),
      count: 1,
      root: 'a'.repeat(64),
    };
    ok(await h.submit(car, 'telemetry:AnchorWindow', [w], { at: w.windowEnd }));
  }
}

describe('sealing edge cases', () => {
  it('seals a vehicle without telemetry as incomplete, and refuses a span of too many windows', async () => {
    await anchorSeconds(VIN_C, Date.parse(at(-200)), MAX_SEALED_WINDOWS + 1);
    ok(
      await h.submit(ids.police, 'crash:ReportCrash', [
        { crashId: 'C7', occurredAt: at(-20), vins: [VIN_A] },
      ]),
    );
    const r = await h.submit<Crash>(ids.police, 'crash:SealEvidence', [
      'C7',
      {
        beforeSeconds: 30,
        afterSeconds: 10,
        driving: [{ vin: VIN_A, automationActive: false, takeoverRequested: false, driverTookOver: false }],
      },
    ]);
    expect(r.value.evidence?.vehicles).toEqual([{ vin: VIN_A, windows: [], complete: false }]);

    ok(
      await h.submit(ids.police, 'crash:ReportCrash', [
        { crashId: 'C8', occurredAt: at(-150), vins: [VIN_C] },
      ]),
    );
    const tooMany = await h.submit(ids.police, 'crash:SealEvidence', [
      'C8',
      {
        beforeSeconds: 60,
        afterSeconds: 60,
        driving: [{ vin: VIN_C, automationActive: false, takeoverRequested: false, driverTookOver: false }],
      },
    ]);
    expect(tooMany.error?.code).toBe('FAILED_PRECONDITION');
    expect(tooMany.error?.details).toEqual({ reason: 'TOO_MANY_WINDOWS', state: 'REPORTED', vin: VIN_C });
  });

  it('stops reading windows once the span holds more than the maximum', async () => {
    const n = 3 * MAX_SEALED_WINDOWS;
    await anchorSeconds(VIN_C, Date.parse(at(-400)), n);
    ok(
      await h.submit(ids.police, 'crash:ReportCrash', [
        { crashId: 'C9', occurredAt: at(-250), vins: [VIN_C] },
      ]),
    );
    const tooMany = await h.submit(ids.police, 'crash:SealEvidence', [
      'C9',
      {
        beforeSeconds: 150,
        afterSeconds: 150,
        driving: [{ vin: VIN_C, automationActive: false, takeoverRequested: false, driverTookOver: false }],
      },
    ]);
    expect(tooMany.error?.details).toEqual({ reason: 'TOO_MANY_WINDOWS', state: 'REPORTED', vin: VIN_C });
    // The binary search (log2 n) and the maximum + 1, not the span's 300 windows.
    const windowReads = [...tooMany.stub.reads].filter(
      (key) => tooMany.stub.splitCompositeKey(key).objectType === 'telemetryWindow',
    );
    expect(windowReads.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n + 1)) + MAX_SEALED_WINDOWS + 1);
  });

  it('declares its required endorsers in the metadata', async () => {
    const meta = await h.metadata(ids.police);
    const tx = meta.contracts.crash.transactions.find((t) => t.name === 'SealEvidence');
    expect(tx?.endorsers).toEqual(['CityMSP', 'InsurerMSP']);
  });
});
