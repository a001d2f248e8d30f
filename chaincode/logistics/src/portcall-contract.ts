import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  IsoTime,
  PageSize,
  Submit,
  caller,
  conflict,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  notFound,
  readTransient,
  requireEndorsementBy,
  requireOrgRole,
  txTime,
  type Caller,
  type Page,
} from '@cityledger/chaincode-common';
import { READERS, readGrant } from './access';
import { approvedVersions, authorityOf, missingApprovals, withDocument } from './clearance';
import { checkDeclaration } from './declaration';
import { AnyDocumentTransient, DocumentTransient, checkDocument } from './documents';
import { isValidImo } from './identifiers';
import { amendmentMachine, amendmentTarget, portCallMachine } from './lifecycle';
import {
  AccessGrantSchema,
  Agent,
  AnnounceInput,
  DocTypeParam,
  PORT_CALL_ENDORSERS,
  PageOf,
  PortCallSchema,
  Reason,
  RecordTimeInput,
  TIME_EVENTS,
  TimeEntrySchema,
  type AccessGrant,
  type DocType,
  type PortCall,
  type PortCallStatus,
  type TimeEntry,
  type TimeEvent,
} from './model';
import { callTimes, consignmentsByCall, insuredConsignments, latestTimes, portCalls } from './store';
import { checkAnnouncedEta, checkRecordTime, nextEntry, withTime } from './times';

const CallId = () => Id({ description: 'port call id' });
const ActualTime = () => IsoTime({ description: 'the actual time (not after the transaction time)' });
const TimeEventParam = () =>
  Type.String({ pattern: `^(${TIME_EVENTS.join('|')})$`, description: TIME_EVENTS.join(' | ') });
/** Every write to a port call needs a CityMSP and a PortMSP peer (key-level endorsement). */
const endorsers = PORT_CALL_ENDORSERS;

/**
 * Port calls from announcement to departure: the FAL declaration, the authorities' clearance and
 * the permit, and the ship's timestamps. Every transaction that writes a call must be endorsed by
 * CityMSP and PortMSP peers (set on the call's key when it is announced).
 */
export class PortCallContract extends CityContract {
  constructor() {
    super('portcall');
  }

  @Submit({
    description:
      'Announce a port call (PortMSP agent); the ETA must be at least 24 h ahead. Sets the call key to require CityMSP and PortMSP endorsement.',
    params: { input: AnnounceInput },
    returns: PortCallSchema,
  })
  async Announce(ctx: Context, input: AnnounceInput): Promise<PortCall> {
    const who = requireOrgRole(ctx, Agent);
    if (!isValidImo(input.imo)) {
      throw invalidArgument('IMO number check digit is wrong', {
        input: 'input',
        errors: [{ path: '/imo', message: 'invalid IMO check digit' }],
      });
    }
    const now = txTime(ctx);
    checkAnnouncedEta(input.eta, input.etd, now.ms);
    let call: PortCall = {
      callId: input.callId,
      imo: input.imo,
      vesselName: input.vesselName,
      voyageNumber: input.voyageNumber,
      portOfCall: input.portOfCall,
      agent: who.key,
      status: 'ANNOUNCED',
      documents: {},
      approvals: {},
      times: {},
      createdAt: now.iso,
      updatedAt: now.iso,
    };
    const estimates: [TimeEvent, string | undefined][] = [
      ['ARRIVAL', input.eta],
      ['DEPARTURE', input.etd],
    ];
    for (const [event, time] of estimates) {
      if (time === undefined) continue;
      const entry = nextEntry(call, event, 'ESTIMATED', time, who.key, now);
      call = withTime(call, entry);
      await callTimes.put(ctx, entry);
    }
    const key = await portCalls.create(ctx, { ...call, times: {} });
    await requireEndorsementBy(ctx, key, PORT_CALL_ENDORSERS);
    const timesKey = await putTimes(ctx, call);
    await requireEndorsementBy(ctx, timesKey, PORT_CALL_ENDORSERS);
    emit(ctx, 'PortCallAnnounced', {
      callId: call.callId,
      imo: call.imo,
      portOfCall: call.portOfCall,
      eta: input.eta,
      status: call.status,
    });
    return call;
  }

  @Submit({
    description:
      'Submit or amend a FAL form (agent of the call). The form goes in the transient map under `document`; the ledger keeps its hash, a summary and its readers. After the declaration an amendment withdraws the approvals of the authorities that review the form.',
    params: { callId: CallId(), docType: DocTypeParam() },
    transient: DocumentTransient,
    returns: PortCallSchema,
    endorsers,
  })
  async SubmitDocument(ctx: Context, callId: string, docType: DocType): Promise<PortCall> {
    const { call, split, who, actor } = await this.load(ctx, callId);
    const status = amendmentMachine.move(call.status, amendmentTarget(call.status), actor);
    const { document } = readTransient(ctx, AnyDocumentTransient);
    const { hash, summary } = checkDocument(docType, document, call.imo);
    const previous = call.documents[docType];
    if (previous?.hash === hash)
      throw conflict(`${docType} is unchanged`, { docType, version: previous.version });
    const now = txTime(ctx);
    const doc = {
      docType,
      version: (previous?.version ?? 0) + 1,
      hash,
      summary,
      readers: [...READERS[docType]],
      submittedAt: now.iso,
      submittedBy: who.key,
    };
    const { call: updated, withdrawn, withdrawnPermit } = withDocument(call, doc, status);
    await putRecord(ctx, { ...updated, updatedAt: now.iso }, split);
    emit(ctx, 'DocumentSubmitted', { callId, docType, version: doc.version, hash, status });
    if (withdrawn.length > 0) emit(ctx, 'ReviewRestarted', { callId, docType, authorities: withdrawn });
    if (withdrawnPermit) emit(ctx, 'PermitWithdrawn', { callId, permitId: withdrawnPermit });
    return { ...updated, updatedAt: now.iso };
  }

  @Submit({
    description:
      'Declare the call (agent): needs FAL 1, 2 and 5, FAL 6 if passengers, FAL 7 if dangerous goods, with agreeing counts.',
    params: { callId: CallId() },
    returns: PortCallSchema,
    endorsers,
  })
  async Declare(ctx: Context, callId: string): Promise<PortCall> {
    const { call, split, actor } = await this.load(ctx, callId);
    const status = portCallMachine.move(call.status, 'DECLARED', actor);
    assertComplete(call);
    return this.save(ctx, { ...call, status }, split, 'PortCallDeclared');
  }

  @Submit({
    description:
      "Approve the call as the caller's authority (CityMSP customs, immigration, quarantine; PortMSP port-authority). The last approval clears it.",
    params: { callId: CallId() },
    returns: PortCallSchema,
    endorsers,
  })
  async Approve(ctx: Context, callId: string): Promise<PortCall> {
    const { call, split, who, actor } = await this.load(ctx, callId);
    const authority = authorityOf(who.mspId, who.role);
    if (authority && call.approvals[authority])
      throw conflict(`${authority} has already approved`, { authority, state: call.status });
    const approvals = authority
      ? {
          ...call.approvals,
          [authority]: {
            authority,
            by: who.key,
            at: txTime(ctx).iso,
            documents: approvedVersions(call.documents),
          },
        }
      : call.approvals;
    const target: PortCallStatus = missingApprovals(approvals).length === 0 ? 'CLEARED' : 'UNDER_REVIEW';
    const status = portCallMachine.move(call.status, target, actor);
    emit(ctx, 'AuthorityApproved', { callId, authority });
    return this.save(
      ctx,
      { ...call, status, approvals },
      split,
      status === 'CLEARED' ? 'PortCallCleared' : 'PortCallUnderReview',
    );
  }

  @Submit({
    description: "Reject the call as the caller's authority (final).",
    params: { callId: CallId(), reason: Reason },
    returns: PortCallSchema,
    endorsers,
  })
  async Reject(ctx: Context, callId: string, reason: string): Promise<PortCall> {
    const { call, split, who, actor } = await this.load(ctx, callId);
    const status = portCallMachine.move(call.status, 'REJECTED', actor);
    const authority = authorityOf(who.mspId, who.role) as string;
    const rejection = { authority, by: who.key, at: txTime(ctx).iso, reason };
    return this.save(ctx, { ...call, status, rejection }, split, 'PortCallRejected', { authority });
  }

  @Submit({
    description:
      'Issue the port-entry permit (PortMSP port-authority) once every authority has approved the current documents. Endorse with CityMSP and PortMSP: no single org can issue it.',
    params: { callId: CallId() },
    returns: PortCallSchema,
    endorsers,
  })
  async IssuePermit(ctx: Context, callId: string): Promise<PortCall> {
    const { call, split, who, actor } = await this.load(ctx, callId);
    const status = portCallMachine.move(call.status, 'PERMIT_ISSUED', actor);
    // CLEARED implies both, but the permit is the point of the flow: check again what it rests on.
    const missing = missingApprovals(call.approvals);
    if (missing.length > 0)
      throw failedPrecondition('authorities have not approved', {
        state: call.status,
        reason: 'APPROVALS_MISSING',
        missing,
      });
    assertComplete(call);
    const permit = { permitId: ctx.stub.getTxID(), issuedAt: txTime(ctx).iso, issuedBy: who.key };
    return this.save(ctx, { ...call, status, permit }, split, 'PermitIssued', {
      permitId: permit.permitId,
    });
  }

  @Submit({
    description:
      'Cancel the call before arrival (agent of the call or port authority). Nothing changes afterwards.',
    params: { callId: CallId(), reason: Reason },
    returns: PortCallSchema,
    endorsers,
  })
  async Cancel(ctx: Context, callId: string, reason: string): Promise<PortCall> {
    const { call, split, actor } = await this.load(ctx, callId);
    const status = portCallMachine.move(call.status, 'CANCELLED', actor);
    return this.save(ctx, { ...call, status }, split, 'PortCallCancelled', { reason });
  }

  @Submit({
    description:
      'Record an estimated (agent, carrier), requested (agent), planned (port authority, terminal) or actual time. Each new value is a new version; an actual time is written once (CONFLICT); actual arrival, berthing, cargo start and departure are recorded by their transitions.',
    params: { callId: CallId(), input: RecordTimeInput },
    returns: TimeEntrySchema,
    endorsers,
  })
  async RecordTime(ctx: Context, callId: string, input: RecordTimeInput): Promise<TimeEntry> {
    const { call, split, who, actor } = await this.load(ctx, callId);
    if (portCallMachine.isFinal(call.status)) {
      throw failedPrecondition(`port call is ${call.status}`, { state: call.status, final: true });
    }
    checkRecordTime(call, input.event, input.classifier, actor);
    const entry = nextEntry(call, input.event, input.classifier, input.time, who.key, txTime(ctx));
    await callTimes.put(ctx, entry);
    const data = {
      event: entry.event,
      classifier: entry.classifier,
      time: entry.time,
      version: entry.version,
    };
    if (split) {
      // The status does not change: only the times key is written, so the record, which every
      // cargo transaction reads, stays as it is and no discharge in flight is invalidated.
      await putTimes(ctx, withTime(call, entry));
      emit(ctx, 'TimeRecorded', { callId, status: call.status, ...data });
    } else await this.save(ctx, withTime(call, entry), split, 'TimeRecorded', data);
    return entry;
  }

  @Submit({
    description: 'The ship has arrived (port authority): records the actual arrival time.',
    params: { callId: CallId(), time: ActualTime() },
    returns: PortCallSchema,
    endorsers,
  })
  async Arrive(ctx: Context, callId: string, time: string): Promise<PortCall> {
    return this.moveWithActual(ctx, callId, 'ARRIVED', 'ARRIVAL', time, 'ShipArrived');
  }

  @Submit({
    description: 'The ship is alongside (port authority or terminal): records the actual berthing time.',
    params: { callId: CallId(), time: ActualTime() },
    returns: PortCallSchema,
    endorsers,
  })
  async Berth(ctx: Context, callId: string, time: string): Promise<PortCall> {
    return this.moveWithActual(ctx, callId, 'BERTHED', 'BERTHING', time, 'ShipBerthed');
  }

  @Submit({
    description: 'Cargo operations started (terminal): records the actual start time.',
    params: { callId: CallId(), time: ActualTime() },
    returns: PortCallSchema,
    endorsers,
  })
  async StartWork(ctx: Context, callId: string, time: string): Promise<PortCall> {
    return this.moveWithActual(ctx, callId, 'WORKING', 'CARGO_OPS_START', time, 'CargoOperationsStarted');
  }

  @Submit({
    description: 'Clear the ship for departure (port authority).',
    params: { callId: CallId() },
    returns: PortCallSchema,
    endorsers,
  })
  async ClearDeparture(ctx: Context, callId: string): Promise<PortCall> {
    const { call, split, actor } = await this.load(ctx, callId);
    const status = portCallMachine.move(call.status, 'DEPARTURE_CLEARED', actor);
    return this.save(ctx, { ...call, status }, split, 'DepartureCleared');
  }

  @Submit({
    description: 'The ship has left (port authority): records the actual departure time.',
    params: { callId: CallId(), time: ActualTime() },
    returns: PortCallSchema,
    endorsers,
  })
  async Depart(ctx: Context, callId: string, time: string): Promise<PortCall> {
    return this.moveWithActual(ctx, callId, 'DEPARTED', 'DEPARTURE', time, 'ShipDeparted');
  }

  @Evaluate({ description: 'A port call.', params: { callId: CallId() }, returns: PortCallSchema })
  async GetPortCall(ctx: Context, callId: string): Promise<PortCall> {
    return (await withLatestTimes(ctx, await portCalls.require(ctx, callId))).call;
  }

  @Evaluate({
    description: 'Port calls, by call id.',
    params: { pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(PortCallSchema),
  })
  async ListPortCalls(ctx: Context, pageSize: number, bookmark: string): Promise<Page<PortCall>> {
    const page = await portCalls.page(ctx, [], pageSize, bookmark);
    const items = await Promise.all(page.items.map(async (c) => (await withLatestTimes(ctx, c)).call));
    return { items, bookmark: page.bookmark };
  }

  @Evaluate({
    description: 'Every version of one timestamp event of a call, by classifier then version.',
    params: { callId: CallId(), event: TimeEventParam() },
    returns: Type.Array(TimeEntrySchema),
  })
  async GetTimeHistory(ctx: Context, callId: string, event: string): Promise<TimeEntry[]> {
    await portCalls.require(ctx, callId);
    return callTimes.all(ctx, [callId, event]);
  }

  @Evaluate({
    description:
      'May the caller read this FAL form of the call (permission matrix role x document type)? Returns the hash to verify the off-chain copy against; FORBIDDEN otherwise. The gateway asks this as the user before serving a document.',
    params: { callId: CallId(), docType: DocTypeParam() },
    returns: AccessGrantSchema,
  })
  async CheckDocumentAccess(ctx: Context, callId: string, docType: DocType): Promise<AccessGrant> {
    const call = await portCalls.require(ctx, callId);
    const doc = call.documents[docType];
    if (!doc) throw notFoundDocument(callId, docType);
    const who = caller(ctx);
    const relations = relationsOf(call, who);
    if (await insuresCargoOf(ctx, callId, who)) relations.push('consignment-insurer');
    const grantedBy = readGrant(doc.readers, { mspId: who.mspId, role: who.role, relations });
    if (!grantedBy) {
      throw forbidden(`${who.mspId} ${who.role ?? '(no role)'} may not read ${docType}`, {
        docType,
        readers: doc.readers,
        mspId: who.mspId,
        role: who.role ?? null,
      });
    }
    return { callId, docType, version: doc.version, hash: doc.hash, grantedBy };
  }

  // --- helpers ---------------------------------------------------------------------------------------

  /**
   * The call with its latest times, whether they are kept apart (`split`), the caller and the caller
   * as an actor; nothing changes on a cancelled call (CONFLICT).
   */
  private async load(
    ctx: Context,
    callId: string,
  ): Promise<{ call: PortCall; split: boolean; who: Caller; actor: string[] }> {
    const record = await portCalls.require(ctx, callId);
    if (record.status === 'CANCELLED')
      throw conflict('port call is cancelled: nothing changes', { state: record.status, callId });
    const { call, split } = await withLatestTimes(ctx, record);
    const who = caller(ctx);
    return { call, split, who, actor: actorOf(call, who) };
  }

  /** Writes the call's record (not its times when they are kept apart) at the transaction time. */
  private async save(
    ctx: Context,
    call: PortCall,
    split: boolean,
    event: string,
    data: Record<string, unknown> = {},
  ): Promise<PortCall> {
    const updated = { ...call, updatedAt: txTime(ctx).iso };
    await putRecord(ctx, updated, split);
    emit(ctx, event, { callId: call.callId, status: call.status, ...data });
    return updated;
  }

  private async moveWithActual(
    ctx: Context,
    callId: string,
    to: PortCallStatus,
    event: TimeEvent,
    time: string,
    name: string,
  ): Promise<PortCall> {
    const { call, split, who, actor } = await this.load(ctx, callId);
    const status = portCallMachine.move(call.status, to, actor);
    const entry = nextEntry(call, event, 'ACTUAL', time, who.key, txTime(ctx));
    await callTimes.put(ctx, entry);
    const updated = { ...withTime(call, entry), status };
    if (split) await putTimes(ctx, updated);
    return this.save(ctx, updated, split, name, { time });
  }
}

/** The caller as the state machine sees it: 'MSP:role' plus 'agent' when it announced the call. */
function actorOf(call: PortCall, who: Caller): string[] {
  return [...(who.role ? [`${who.mspId}:${who.role}`] : []), ...relationsOf(call, who)];
}

function relationsOf(call: PortCall, who: Caller): string[] {
  return call.agent === who.key ? ['agent'] : [];
}

/**
 * A call's record with its latest times. A call announced by this version keeps them under their own
 * key (`split`), so that a time update leaves the record, which cargo transactions read, alone; one
 * announced by an older version keeps them in its record.
 */
async function withLatestTimes(ctx: Context, record: PortCall): Promise<{ call: PortCall; split: boolean }> {
  const latest = await latestTimes.get(ctx, record.callId);
  if (!latest) return { call: record, split: false };
  // A time update changes the call as its readers see it, though not its record.
  const updatedAt = latest.updatedAt > record.updatedAt ? latest.updatedAt : record.updatedAt;
  return { call: { ...record, times: latest.times, updatedAt }, split: true };
}

/** Writes the call's record; its times stay out of it when they are kept apart. */
async function putRecord(ctx: Context, call: PortCall, split: boolean): Promise<void> {
  await portCalls.put(ctx, split ? { ...call, times: {} } : call);
}

/** Writes the call's latest times (kept apart) at the transaction time; returns their key. */
function putTimes(ctx: Context, call: PortCall): Promise<string> {
  return latestTimes.put(ctx, { callId: call.callId, times: call.times, updatedAt: txTime(ctx).iso });
}

/**
 * Whether the caller insures a consignment of the call: at most one key of the insurer index, however
 * many consignments the call carries. A call announced by an older version (no latest-times key) may
 * have consignments registered before the index existed: for it, the scan of all its consignments.
 */
async function insuresCargoOf(ctx: Context, callId: string, who: Caller): Promise<boolean> {
  if (await insuredConsignments.any(ctx, [callId, who.key])) return true;
  if (await latestTimes.exists(ctx, callId)) return false;
  const entries = await consignmentsByCall.all(ctx, [callId]);
  return entries.some((e) => e.insurer === who.key);
}

function assertComplete(call: PortCall): void {
  const check = checkDeclaration(call.documents);
  if (!check.complete) {
    throw failedPrecondition('the declaration is incomplete', {
      state: call.status,
      reason: 'DOCUMENTS_INCOMPLETE',
      missing: check.missing,
      mismatches: check.mismatches,
    });
  }
}

function notFoundDocument(callId: string, docType: DocType) {
  return notFound(`${docType} of port call ${callId} not found`, {
    objectType: 'document',
    id: `${callId}/${docType}`,
  });
}
