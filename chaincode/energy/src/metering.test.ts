import type { ContractHarness } from '@cityledger/chaincode-common';
import { AFTER_I1, AFTER_I2, I1, I2, evaluate, ids, newHarness, ok, read, refused, seedMarket, submit } from './energy.fixtures';

async function market(): Promise<ContractHarness> {
  const h = newHarness();
  await seedMarket(h);
  ok(await submit(h, ids.operator, 'market:OpenInterval', I1));
  ok(await submit(h, ids.operator, 'market:OpenInterval', I2));
  return h;
}

describe('metering', () => {
  it('records one reading per meter per interval with its deltas, after the interval ends', async () => {
    const h = await market();
    refused(await read(h, ids.meterA, 100, 0), 'FAILED_PRECONDITION', { reason: 'INTERVAL_NOT_ENDED', end: '2026-06-01T09:15:00.000Z' });
    h.setTime(AFTER_I1);
    const r = await read(h, ids.meterA, 100, 40);
    expect(ok(r)).toMatchObject({ intervalId: I1, meterId: 'MA', buildingId: 'A', importWh: 1_100, exportWh: 540, importDeltaWh: 100, exportDeltaWh: 40 });
    expect(r.event?.envelope.events).toEqual([
      { type: 'ReadingRecorded', data: { intervalId: I1, meterId: 'MA', buildingId: 'A', importDeltaWh: 100, exportDeltaWh: 40 } },
    ]);
    expect(ok(await evaluate(h, ids.operator, 'registry:GetMeter', 'MA'))).toMatchObject({ importWh: 1_100, exportWh: 540, lastIntervalId: I1 });
    refused(await read(h, ids.meterA, 200, 40), 'CONFLICT', { objectType: 'reading', id: `${I1}/MA` });

    h.setTime(AFTER_I2);
    const second = ok(await read(h, ids.meterA, 300, 50, I2)) as { importDeltaWh: number; exportDeltaWh: number };
    expect(second).toMatchObject({ importDeltaWh: 200, exportDeltaWh: 10 });
    const page = ok(await evaluate(h, ids.a, 'metering:ListReadings', 'A', 1, '')) as { items: { intervalId: string }[]; bookmark: string };
    expect(page.items.map((x) => x.intervalId)).toEqual([I1]);
    const next = ok(await evaluate(h, ids.meterA, 'metering:ListReadings', 'A', 5, page.bookmark)) as { items: { intervalId: string }[]; bookmark: string };
    expect(next).toMatchObject({ items: [{ intervalId: I2 }], bookmark: '' });
    expect(ok(await evaluate(h, ids.utility, 'metering:GetReading', I1, 'MA'))).toMatchObject({ importDeltaWh: 100 });
    refused(await evaluate(h, ids.b, 'metering:GetReading', I1, 'MA'), 'FORBIDDEN');
    refused(await evaluate(h, ids.b, 'metering:ListReadings', 'A', 5, ''), 'FORBIDDEN');
    refused(await evaluate(h, ids.operator, 'metering:GetReading', I1, 'MB'), 'NOT_FOUND');
  });

  it('refuses late readings: an interval before the last one read, or one already METERED', async () => {
    const h = await market();
    h.setTime(AFTER_I2);
    ok(await read(h, ids.meterB, 0, 100, I2));
    refused(await read(h, ids.meterB, 0, 100, I1), 'FAILED_PRECONDITION', { reason: 'LATE_READING', lastIntervalId: I2 });
    for (const step of ['market:CloseGate', 'market:Clear', 'metering:MarkMetered']) ok(await submit(h, ids.operator, step, I1));
    refused(await read(h, ids.meterA, 10, 0, I1), 'FAILED_PRECONDITION', { reason: 'LATE_READING', state: 'METERED' });
    refused(await read(h, ids.meterA, 10, 0, '2026-06-01T10:00Z'), 'NOT_FOUND', { objectType: 'interval' });
  });

  it('refuses registers that go down and malformed readings', async () => {
    const h = await market();
    h.setTime(AFTER_I1);
    refused(await read(h, ids.meterA, -1, 0), 'FAILED_PRECONDITION', { reason: 'REGISTER_DECREASED', previous: { importWh: 1_000, exportWh: 500 } });
    refused(await read(h, ids.meterA, 0, -1), 'FAILED_PRECONDITION', { reason: 'REGISTER_DECREASED' });
    refused(await submit(h, ids.meterA, 'metering:SubmitReading', { intervalId: I1, importWh: -5, exportWh: 0 }), 'INVALID_ARGUMENT', { input: 'reading' });
    refused(await submit(h, ids.meterA, 'metering:SubmitReading', { intervalId: I1, importWh: 5 }), 'INVALID_ARGUMENT', { input: 'reading' });
    refused(await submit(h, ids.meterA, 'metering:SubmitReading', { intervalId: I1, importWh: 5, exportWh: '7' }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.meterA, 'metering:SubmitReading', { intervalId: 'yesterday', importWh: 5, exportWh: 7 }), 'INVALID_ARGUMENT');
  });

  it('accepts readings only from the registered meter bound to its building', async () => {
    const h = await market();
    h.setTime(AFTER_I1);
    refused(await read(h, ids.a, 1, 1), 'FORBIDDEN', { required: ['CityMSP:meter'] });
    refused(await read(h, ids.meterAasB, 1, 1), 'FORBIDDEN', { reason: 'METER_NOT_BOUND' });
    refused(await read(h, ids.unknownMeter, 1, 1), 'FORBIDDEN', { reason: 'METER_NOT_REGISTERED' });
    refused(await read(h, ids.meterNoAttrs, 1, 1), 'FORBIDDEN', { attribute: 'meterId' });
  });

  it('closes metering only for a cleared interval after its end, by the operator', async () => {
    const h = await market();
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    refused(await submit(h, ids.operator, 'metering:MarkMetered', I1), 'FAILED_PRECONDITION', { state: 'GATE_CLOSED', to: 'METERED' });
    ok(await submit(h, ids.operator, 'market:Clear', I1));
    refused(await submit(h, ids.operator, 'metering:MarkMetered', I1), 'FAILED_PRECONDITION', { reason: 'INTERVAL_NOT_ENDED' });
    h.setTime(AFTER_I1);
    ok(await read(h, ids.meterA, 1, 2));
    refused(await submit(h, ids.utility, 'metering:MarkMetered', I1), 'FORBIDDEN');
    const r = await submit(h, ids.operator, 'metering:MarkMetered', I1);
    expect(ok(r)).toMatchObject({ state: 'METERED' });
    expect(r.event?.envelope.events).toEqual([{ type: 'IntervalMetered', data: { intervalId: I1 } }]);
    expect(r.stub.scanned).toEqual([]); // nothing that grows with the meters (nor a range a late reading could change)
  });
});
