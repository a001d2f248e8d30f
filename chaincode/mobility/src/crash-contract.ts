import type { Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  MERKLE_SCHEME,
  Submit,
  assertCallerResidentActive,
  caller,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  isoToMs,
  requireEndorsementBy,
  requireOrgRole,
  txTime,
  type Caller,
} from '@cityledger/chaincode-common';
import {
  CrashSchema,
  ReportCrashInput,
  SealEvidenceInput,
  type Crash,
  type DrivingState,
  type VehicleEvidence,
  type WindowRef,
} from './model';
import { Police, SEAL_ENDORSERS, holds, isResident, isVehicle } from './actors';
import { coversSpan, WINDOW_RULES, windowsOverlapping } from './telemetry';
import { crashes, seqKey, telemetryHeads, telemetryWindows, vehicles } from './store';

/** At most this many windows per vehicle in a sealed span (windows are >= 1 s long). */
export const MAX_SEALED_WINDOWS = 100;

/**
 * Accident evidence. A crash is reported, then the police seal the anchored telemetry windows
 * around it with who was driving. The crash key carries a key-level endorsement policy from the
 * report on (CityMSP and InsurerMSP peers), so the seal, and anything after it, commits only if
 * both the city and the insurers endorse; once SEALED the record is never written again.
 */
export class CrashContract extends CityContract {
  constructor() {
    super('crash');
  }

  @Submit({
    description:
      'Report a crash involving registered vehicles: the police, one of the vehicles itself, or the (ACTIVE) owner of one of them.',
    params: { input: ReportCrashInput },
    returns: CrashSchema,
  })
  async ReportCrash(ctx: Context, input: Static<typeof ReportCrashInput>): Promise<Crash> {
    const who = caller(ctx);
    const owners = new Set<string>();
    for (const vin of input.vins) owners.add((await vehicles.require(ctx, vin)).ownerId);
    await this.requireReporter(ctx, who, input.vins, owners);
    const now = txTime(ctx);
    if (isoToMs(input.occurredAt, 'occurredAt') > now.ms + WINDOW_RULES.maxFutureSkewMs) {
      throw invalidArgument('the crash lies in the future', {
        reason: 'IN_FUTURE',
        occurredAt: input.occurredAt,
      });
    }
    const crash: Crash = { ...input, status: 'REPORTED', reportedAt: now.iso, reportedBy: who.key };
    const key = await crashes.create(ctx, crash);
    await requireEndorsementBy(ctx, key, SEAL_ENDORSERS);
    emit(ctx, 'CrashReported', { crashId: crash.crashId, vins: crash.vins });
    return crash;
  }

  @Submit({
    description:
      'Seal the anchored telemetry around the crash ([occurredAt - beforeSeconds, occurredAt + afterSeconds)) and who was driving, once that span is over (City police). Write-once; must be endorsed by CityMSP and InsurerMSP peers.',
    params: { crashId: Id(), seal: SealEvidenceInput },
    returns: CrashSchema,
    endorsers: SEAL_ENDORSERS,
  })
  async SealEvidence(ctx: Context, crashId: string, seal: Static<typeof SealEvidenceInput>): Promise<Crash> {
    const who = requireOrgRole(ctx, Police);
    const crash = await crashes.require(ctx, crashId);
    if (crash.status !== 'REPORTED')
      throw failedPrecondition(`crash ${crashId} is already sealed`, { state: crash.status });
    checkDriving(seal.driving, crash.vins);
    const now = txTime(ctx);
    const at = isoToMs(crash.occurredAt);
    const from = at - seal.beforeSeconds * 1000;
    const to = at + seal.afterSeconds * 1000;
    if (now.ms < to)
      throw failedPrecondition('the sealed span is not over yet', {
        reason: 'SPAN_NOT_OVER',
        state: crash.status,
        to: new Date(to).toISOString(),
      });

    const vehiclesEvidence: VehicleEvidence[] = [];
    for (const vin of crash.vins) {
      const head = await telemetryHeads.get(ctx, vin);
      const windows = head
        ? await windowsOverlapping(
            head.lastSeq,
            from,
            to,
            (seq) => windowRef(ctx, vin, seq),
            MAX_SEALED_WINDOWS + 1,
          )
        : [];
      if (windows.length > MAX_SEALED_WINDOWS) {
        throw failedPrecondition(`more than ${MAX_SEALED_WINDOWS} windows of ${vin} in the span`, {
          reason: 'TOO_MANY_WINDOWS',
          state: crash.status,
          vin,
        });
      }
      vehiclesEvidence.push({ vin, windows, complete: coversSpan(windows, from, to) });
    }
    const sealed: Crash = {
      ...crash,
      status: 'SEALED',
      evidence: {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        scheme: MERKLE_SCHEME,
        vehicles: vehiclesEvidence,
        driving: [...seal.driving].sort((a, b) => (a.vin < b.vin ? -1 : 1)),
        sealedAt: now.iso,
        sealedBy: who.key,
      },
    };
    await crashes.put(ctx, sealed);
    emit(ctx, 'EvidenceSealed', {
      crashId,
      complete: vehiclesEvidence.every((v) => v.complete),
      windows: vehiclesEvidence.reduce((n, v) => n + v.windows.length, 0),
    });
    return sealed;
  }

  @Evaluate({
    description: 'A crash and, once sealed, its evidence.',
    params: { crashId: Id() },
    returns: CrashSchema,
  })
  async GetCrash(ctx: Context, crashId: string): Promise<Crash> {
    return crashes.require(ctx, crashId);
  }

  private async requireReporter(
    ctx: Context,
    who: Caller,
    vins: string[],
    owners: Set<string>,
  ): Promise<void> {
    if (holds(who, Police) || vins.some((vin) => isVehicle(who, vin))) return;
    if (who.residentId !== undefined && owners.has(who.residentId) && isResident(who, who.residentId)) {
      await assertCallerResidentActive(ctx);
      return;
    }
    throw forbidden('only the police, an involved vehicle or its owner may report a crash', {
      reason: 'NOT_INVOLVED',
      mspId: who.mspId,
      role: who.role ?? null,
    });
  }
}

async function windowRef(ctx: Context, vin: string, seq: number): Promise<WindowRef> {
  const w = await telemetryWindows.require(ctx, vin, seqKey(seq));
  return { seq: w.seq, windowStart: w.windowStart, windowEnd: w.windowEnd, count: w.count, root: w.root };
}

/** One driving state per involved vehicle, and times only for what happened. */
function checkDriving(driving: readonly DrivingState[], vins: readonly string[]): void {
  const given = driving.map((d) => d.vin).sort();
  const expected = [...vins].sort();
  if (given.length !== expected.length || given.some((v, i) => v !== expected[i])) {
    throw invalidArgument('give one driving state per involved vehicle', {
      reason: 'DRIVING_STATES_MISMATCH',
      expected,
      given,
    });
  }
  for (const d of driving) {
    if (
      (d.takeoverRequestedAt !== undefined && !d.takeoverRequested) ||
      (d.driverTookOverAt !== undefined && !d.driverTookOver)
    ) {
      throw invalidArgument(`driving state of ${d.vin}: a time is given for something that did not happen`, {
        reason: 'INCONSISTENT_DRIVING_STATE',
        vin: d.vin,
      });
    }
  }
}
