import type { Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import { Bookmark, CityContract, Evaluate, Id, PageSize, Submit, conflict, emit, failedPrecondition, txTime } from '@cityledger/chaincode-common';
import { requireBuildingViewer, requireMeter, requireOperator } from './access';
import { intervalMachine, requireEnded, requireIntervalIn } from './intervals';
import { IntervalId, IntervalSchema, Page, ReadingInput, ReadingSchema, type Interval, type Reading } from './model';
import { intervals, meters, readings, readingsByBuilding } from './store';

/**
 * Smart-meter readings: one signed transaction per meter per interval with the cumulative import
 * and export registers. Each reading has its own key; the only key rewritten is the meter's own
 * record (its latest registers), so meters of different buildings never collide.
 */
export class MeteringContract extends CityContract {
  constructor() {
    super('metering');
  }

  @Submit({
    description: 'Meter: records its cumulative registers at the end of an interval. Refused before the interval ends, once it is METERED, for an interval not after its last reading, twice, or with a register going down.',
    params: { reading: ReadingInput },
    returns: ReadingSchema,
  })
  async SubmitReading(ctx: Context, input: Static<typeof ReadingInput>): Promise<Reading> {
    const { meter } = await requireMeter(ctx);
    const interval = await requireIntervalIn(ctx, input.intervalId, ['OPEN', 'GATE_CLOSED', 'CLEARED'], 'LATE_READING');
    requireEnded(ctx, interval);
    if (await readings.exists(ctx, input.intervalId, meter.meterId)) {
      throw conflict(`meter ${meter.meterId} already read for ${input.intervalId}`, { objectType: 'reading', id: `${input.intervalId}/${meter.meterId}` });
    }
    if (meter.lastIntervalId !== undefined && meter.lastIntervalId >= input.intervalId) {
      throw failedPrecondition(`meter ${meter.meterId} has already read ${meter.lastIntervalId}`, { reason: 'LATE_READING', lastIntervalId: meter.lastIntervalId });
    }
    if (input.importWh < meter.importWh || input.exportWh < meter.exportWh) {
      throw failedPrecondition('meter registers never go down', {
        reason: 'REGISTER_DECREASED',
        previous: { importWh: meter.importWh, exportWh: meter.exportWh },
      });
    }
    const reading: Reading = {
      intervalId: input.intervalId, meterId: meter.meterId, buildingId: meter.buildingId,
      importWh: input.importWh, exportWh: input.exportWh,
      importDeltaWh: input.importWh - meter.importWh, exportDeltaWh: input.exportWh - meter.exportWh,
      recordedAt: txTime(ctx).iso, txId: ctx.stub.getTxID(),
    };
    await readings.put(ctx, reading);
    await readingsByBuilding.put(ctx, reading);
    await meters.put(ctx, { ...meter, importWh: input.importWh, exportWh: input.exportWh, lastIntervalId: input.intervalId });
    emit(ctx, 'ReadingRecorded', {
      intervalId: reading.intervalId, meterId: reading.meterId, buildingId: reading.buildingId,
      importDeltaWh: reading.importDeltaWh, exportDeltaWh: reading.exportDeltaWh,
    });
    return reading;
  }

  @Submit({ description: 'Market operator: closes metering for a cleared interval after its end; later readings are refused.', params: { intervalId: IntervalId() }, returns: IntervalSchema })
  async MarkMetered(ctx: Context, intervalId: string): Promise<Interval> {
    const who = requireOperator(ctx);
    const interval = await intervals.require(ctx, intervalId);
    const state = intervalMachine.move(interval.state, 'METERED', [who.role ?? '']);
    requireEnded(ctx, interval);
    const next: Interval = { ...interval, state, updatedAt: txTime(ctx).iso };
    await intervals.put(ctx, next);
    // No count of the readings here: reading the interval's readings would put every meter's key in
    // this transaction's read set, and a late reading committed meanwhile would invalidate it.
    emit(ctx, 'IntervalMetered', { intervalId });
    return next;
  }

  @Evaluate({ description: 'One reading.', params: { intervalId: IntervalId(), meterId: Id() }, returns: ReadingSchema })
  async GetReading(ctx: Context, intervalId: string, meterId: string): Promise<Reading> {
    const reading = await readings.require(ctx, intervalId, meterId);
    await requireBuildingViewer(ctx, reading.buildingId);
    return reading;
  }

  @Evaluate({ description: "A building's readings, oldest interval first, paginated (the building, its meters, the operator, the utility).", params: { buildingId: Id(), pageSize: PageSize, bookmark: Bookmark }, returns: Page(ReadingSchema) })
  async ListReadings(ctx: Context, buildingId: string, pageSize: number, bookmark: string): Promise<{ items: Reading[]; bookmark: string }> {
    await requireBuildingViewer(ctx, buildingId);
    return readingsByBuilding.page(ctx, [buildingId], pageSize, bookmark);
  }
}
