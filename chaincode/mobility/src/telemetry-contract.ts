import { Type, type Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  MERKLE_SCHEME,
  PageSize,
  Submit,
  emit,
  forbidden,
  invalidArgument,
  readingLeafHash,
  requireOrgRole,
  txTime,
  verifyReading,
  type Page,
} from '@cityledger/chaincode-common';
import {
  AnchorWindowInput,
  PageOf,
  ReadingProofSchema,
  TelemetryHeadSchema,
  TelemetryWindowSchema,
  VerifyReadingInput,
  Vin,
  type ReadingProof,
  type TelemetryHead,
  type TelemetryWindow,
} from './model';
import { VehicleRole } from './actors';
import { checkNextWindow } from './telemetry';
import { seqKey, telemetryHeads, telemetryWindows, vehicles } from './store';

/**
 * Tamper-evident driving data: per time window a vehicle anchors the RFC 6962 Merkle root of its
 * readings (kept off-chain by the gateway), signed by the vehicle's own certificate (the
 * transaction's creator). Any single reading is later proven against its window.
 */
export class TelemetryContract extends CityContract {
  constructor() {
    super('telemetry');
  }

  @Submit({
    description:
      'Anchor the Merkle root of a window of readings (the vehicle itself: City CA role vehicle, vehicleId = vin). seq must be the previous + 1 (first 1): a replay is CONFLICT, a gap FAILED_PRECONDITION.',
    params: { window: AnchorWindowInput },
    returns: TelemetryWindowSchema,
  })
  async AnchorWindow(ctx: Context, input: Static<typeof AnchorWindowInput>): Promise<TelemetryWindow> {
    const who = requireOrgRole(ctx, VehicleRole);
    if (who.vehicleId !== input.vin)
      throw forbidden('a vehicle anchors only its own telemetry', {
        reason: 'NOT_THIS_VEHICLE',
        vin: input.vin,
      });
    await vehicles.require(ctx, input.vin);
    const head = await telemetryHeads.get(ctx, input.vin);
    const now = txTime(ctx);
    checkNextWindow(head, input, now.ms);
    const window: TelemetryWindow = {
      ...input,
      scheme: MERKLE_SCHEME,
      anchoredAt: now.iso,
      anchoredBy: who.key,
      txId: ctx.stub.getTxID(),
    };
    await telemetryWindows.put(ctx, window);
    const next: TelemetryHead = { vin: input.vin, lastSeq: input.seq, lastWindowEnd: input.windowEnd };
    await telemetryHeads.put(ctx, next);
    emit(ctx, 'TelemetryAnchored', { vin: input.vin, seq: input.seq, count: input.count, root: input.root });
    return window;
  }

  @Evaluate({
    description: 'One anchored window.',
    params: { vin: Vin(), seq: Type.Integer({ minimum: 1, maximum: 999_999_999_999 }) },
    returns: TelemetryWindowSchema,
  })
  async GetWindow(ctx: Context, vin: string, seq: number): Promise<TelemetryWindow> {
    return telemetryWindows.require(ctx, vin, seqKey(seq));
  }

  @Evaluate({
    description: "A vehicle's anchored windows in sequence order.",
    params: { vin: Vin(), pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(TelemetryWindowSchema),
  })
  async ListWindows(
    ctx: Context,
    vin: string,
    pageSize: number,
    bookmark: string,
  ): Promise<Page<TelemetryWindow>> {
    return telemetryWindows.page(ctx, [vin], pageSize, bookmark);
  }

  @Evaluate({
    description: "A vehicle's last anchored seq and window end (NOT_FOUND before its first window).",
    params: { vin: Vin() },
    returns: TelemetryHeadSchema,
  })
  async GetHead(ctx: Context, vin: string): Promise<TelemetryHead> {
    return telemetryHeads.require(ctx, vin);
  }

  @Evaluate({
    description:
      'Check that a reading is leaf `index` of an anchored window with the given RFC 6962 audit path. valid=false for a forged reading or path.',
    params: { proof: VerifyReadingInput },
    returns: ReadingProofSchema,
  })
  async VerifyReading(ctx: Context, input: Static<typeof VerifyReadingInput>): Promise<ReadingProof> {
    const window = await telemetryWindows.require(ctx, input.vin, seqKey(input.seq));
    if (input.index >= window.count) {
      throw invalidArgument(`index ${input.index} outside a window of ${window.count} readings`, {
        reason: 'INDEX_OUT_OF_RANGE',
        count: window.count,
      });
    }
    return {
      valid: verifyReading(input.reading, input.index, window.count, input.path, window.root),
      vin: input.vin,
      seq: input.seq,
      index: input.index,
      count: window.count,
      leafHash: readingLeafHash(input.reading).toString('hex'),
      root: window.root,
      scheme: window.scheme,
    };
  }
}
