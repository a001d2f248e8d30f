import { Type, type Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  PageSize,
  Submit,
  caller,
  emit,
  failedPrecondition,
  requireOrgRole,
  txTime,
  type Page,
} from '@cityledger/chaincode-common';
import { record, residentSubject } from './audit';
import { residentActor } from './actors';
import { residentLifecycle } from './lifecycle';
import {
  AuditEntrySchema,
  Page as PageOf,
  Reason,
  RegisterResidentInput,
  Registrar,
  ResidentSchema,
  type AuditEntry,
  type Resident,
  type ResidentStatus,
} from './model';
import { audit, residents } from './store';

/**
 * The resident registry: a stable resident id bound to the resident's own City CA enrolment, and
 * its status. Every status change is audited and emits an event.
 */
export class ResidentContract extends CityContract {
  constructor() {
    super('resident');
  }

  @Submit({
    description:
      'Register a resident (City registrar). enrollmentId binds the City CA enrolment the resident acts with.',
    params: { input: RegisterResidentInput },
    returns: ResidentSchema,
  })
  async RegisterResident(ctx: Context, input: Static<typeof RegisterResidentInput>): Promise<Resident> {
    requireOrgRole(ctx, Registrar);
    const now = txTime(ctx).iso;
    const resident: Resident = {
      residentId: input.residentId,
      status: 'ACTIVE',
      registeredAt: now,
      updatedAt: now,
      ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}),
    };
    await residents.create(ctx, resident);
    await record(ctx, residentSubject(resident.residentId), 'REGISTERED', { to: 'ACTIVE' });
    emit(ctx, 'ResidentRegistered', {
      residentId: resident.residentId,
      bound: resident.enrollmentId !== undefined,
    });
    return resident;
  }

  @Submit({
    description:
      'Bind (or re-bind, e.g. after identity theft) the City CA enrolment a resident acts with (City registrar).',
    params: { residentId: Id(), enrollmentId: Id(), reason: Reason },
    returns: ResidentSchema,
  })
  async BindResident(
    ctx: Context,
    residentId: string,
    enrollmentId: string,
    reason: string,
  ): Promise<Resident> {
    requireOrgRole(ctx, Registrar);
    const resident = await residents.require(ctx, residentId);
    if (resident.status === 'DECEASED')
      throw failedPrecondition(`resident ${residentId} is DECEASED`, { state: resident.status });
    const updated: Resident = { ...resident, enrollmentId, updatedAt: txTime(ctx).iso };
    await residents.put(ctx, updated);
    await record(ctx, residentSubject(residentId), 'BOUND', { reason });
    emit(ctx, 'ResidentBound', { residentId, rebound: resident.enrollmentId !== undefined });
    return updated;
  }

  @Submit({
    description:
      'Fraud lock: the resident (own certificate) or the police (also over a suspension) lock the identity; identity-bound actions elsewhere are refused while locked.',
    params: { residentId: Id(), reason: Reason },
    returns: ResidentSchema,
  })
  async LockResident(ctx: Context, residentId: string, reason: string): Promise<Resident> {
    return this.change(ctx, residentId, 'LOCKED', 'LOCKED', 'ResidentLocked', reason);
  }

  @Submit({
    description:
      'Lift a fraud lock: the police, or the resident when the resident locked it. A resident locked while SUSPENDED returns to SUSPENDED. Audited.',
    params: { residentId: Id(), reason: Reason },
    returns: ResidentSchema,
  })
  async UnlockResident(ctx: Context, residentId: string, reason: string): Promise<Resident> {
    return this.change(ctx, residentId, 'ACTIVE', 'UNLOCKED', 'ResidentUnlocked', reason);
  }

  @Submit({
    description: 'Administrative suspension (City registrar).',
    params: { residentId: Id(), reason: Reason },
    returns: ResidentSchema,
  })
  async SuspendResident(ctx: Context, residentId: string, reason: string): Promise<Resident> {
    return this.change(ctx, residentId, 'SUSPENDED', 'SUSPENDED', 'ResidentSuspended', reason);
  }

  @Submit({
    description: 'End an administrative suspension (City registrar).',
    params: { residentId: Id(), reason: Reason },
    returns: ResidentSchema,
  })
  async ReinstateResident(ctx: Context, residentId: string, reason: string): Promise<Resident> {
    return this.change(ctx, residentId, 'ACTIVE', 'REINSTATED', 'ResidentReinstated', reason);
  }

  @Submit({
    description: 'Record a death (City registrar). Final.',
    params: { residentId: Id(), reason: Reason },
    returns: ResidentSchema,
  })
  async RecordDeath(ctx: Context, residentId: string, reason: string): Promise<Resident> {
    return this.change(ctx, residentId, 'DECEASED', 'DECEASED', 'ResidentDeceased', reason);
  }

  @Evaluate({
    description: 'A resident record (ids and status only).',
    params: { residentId: Id() },
    returns: ResidentSchema,
  })
  async GetResident(ctx: Context, residentId: string): Promise<Resident> {
    return residents.require(ctx, residentId);
  }

  @Evaluate({
    description: "A resident's audit trail, oldest first.",
    params: { residentId: Id(), pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(AuditEntrySchema),
  })
  async GetResidentHistory(
    ctx: Context,
    residentId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<Page<AuditEntry>> {
    await residents.require(ctx, residentId);
    return audit.page(ctx, [residentSubject(residentId)], pageSize, bookmark);
  }

  @Evaluate({
    description: 'The resident record bound to the calling certificate.',
    returns: Type.Union([ResidentSchema, Type.Null()]),
  })
  async WhoAmI(ctx: Context): Promise<Resident | null> {
    const who = caller(ctx);
    if (!who.residentId) return null;
    const resident = await residents.get(ctx, who.residentId);
    return resident && residentActor(who, resident).includes('self') ? resident : null;
  }

  private async change(
    ctx: Context,
    residentId: string,
    to: ResidentStatus,
    action: string,
    event: string,
    reason: string,
  ): Promise<Resident> {
    const who = caller(ctx);
    const resident = await residents.require(ctx, residentId);
    residentLifecycle.move(resident.status, to, residentActor(who, resident));
    // Unlocking returns a resident locked while SUSPENDED to its suspension (see lifecycle.ts).
    const status = resident.status === 'LOCKED' && to === 'ACTIVE' ? (resident.lockedFrom ?? to) : to;
    const updated: Resident = { ...resident, status, updatedAt: txTime(ctx).iso };
    delete updated.lockedBy;
    delete updated.lockedFrom;
    if (status === 'LOCKED') {
      updated.lockedBy = who.role === 'police' ? 'police' : 'self';
      if (resident.status === 'SUSPENDED') updated.lockedFrom = 'SUSPENDED';
    }
    await residents.put(ctx, updated);
    await record(ctx, residentSubject(residentId), action, { from: resident.status, to: status, reason });
    emit(ctx, event, {
      residentId,
      from: resident.status,
      to: status,
      by: who.role === 'resident' ? 'self' : (who.role ?? 'unknown'),
    });
    return updated;
  }
}
