import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  PageSize,
  Submit,
  caller,
  checkResident,
  emit,
  forbidden,
  txTime,
  type Page,
} from '@cityledger/chaincode-common';
import { accessor, doctor, grantee, isPatient, patient } from './actors';
import { decide, type AccessRequest } from './consent-rules';
import { assertKnownCodes, knownCodes } from './loinc';
import {
  AccessSchema,
  BreakGlassInput,
  CONSENT_ACCESS_TTL_MS,
  EMERGENCY_ACCESS_TTL_MS,
  ObservationValueSchema,
  PageOf,
  ReadObservationsQuery,
  RequestAccessInput,
  type Access,
} from './model';
import { checkDataPeriod } from './periods';
import { VALUE_HOLDERS, accessLog, accesses, consents, valuesInWindow, type ValuePage } from './store';

/**
 * Reading a patient's values takes two calls. A SUBMIT (RequestAccess, or BreakGlass in an
 * emergency) checks consent and records the access on the ledger, returning only the access.
 * An EVALUATE (ReadObservations) then returns values under that recorded access: it never reaches
 * the orderer, so the values never land in a block.
 */
export class AccessContract extends CityContract {
  constructor() {
    super('access');
  }

  @Submit({
    description:
      "A doctor (licensed), insurer or adjuster asks to read a patient's observations. Granted only if an ACTIVE permit consent covers the caller, action read, every code, the purpose and the data period now, and no deny consent applies; recorded in the patient's audit trail. Returns the access (valid 1 hour, at most until the consent ends).",
    params: { request: RequestAccessInput },
    returns: AccessSchema,
  })
  async RequestAccess(ctx: Context, request: RequestAccessInput): Promise<Access> {
    const who = await grantee(ctx);
    assertKnownCodes(request.codes, 'codes');
    checkDataPeriod(request.dataPeriod);
    await checkResident(ctx, request.patientId); // NOT_FOUND for an unknown patient
    const now = txTime(ctx);
    const decision = decide(await consents.all(ctx, [request.patientId]), {
      requester: who,
      action: 'read',
      codes: request.codes,
      purpose: request.purpose,
      dataPeriod: request.dataPeriod ?? {},
      nowMs: now.ms,
    });
    if (!decision.permit) {
      throw forbidden('no consent permits this access', {
        reason: decision.reason,
        ...(decision.consentId ? { consentId: decision.consentId } : {}),
      });
    }
    const expiresMs = Math.min(now.ms + CONSENT_ACCESS_TTL_MS, Date.parse(decision.consent.period.end));
    const access: Access = {
      accessId: ctx.stub.getTxID(),
      patientId: request.patientId,
      grantee: accessor(who),
      kind: 'CONSENT',
      consentId: decision.consent.consentId,
      codes: [...request.codes].sort(),
      dataPeriod: decision.dataPeriod,
      purpose: request.purpose,
      grantedAt: now.iso,
      expiresAt: new Date(expiresMs).toISOString(),
    };
    return this.record(ctx, access, 'AccessGranted');
  }

  @Submit({
    description:
      "Break the glass: a licensed doctor reads a patient's observations without consent, giving a reason. Valid 24 hours, audited, and the patient is notified by the EmergencyAccessGranted event.",
    params: { request: BreakGlassInput },
    returns: AccessSchema,
  })
  async BreakGlass(ctx: Context, request: BreakGlassInput): Promise<Access> {
    const who = await doctor(ctx);
    if (request.codes) assertKnownCodes(request.codes, 'codes');
    await checkResident(ctx, request.patientId);
    const now = txTime(ctx);
    const access: Access = {
      accessId: ctx.stub.getTxID(),
      patientId: request.patientId,
      grantee: accessor(who),
      kind: 'EMERGENCY',
      codes: [...(request.codes ?? knownCodes())].sort(),
      dataPeriod: {},
      purpose: 'ETREAT',
      reason: request.reason,
      grantedAt: now.iso,
      expiresAt: new Date(now.ms + EMERGENCY_ACCESS_TTL_MS).toISOString(),
    };
    return this.record(ctx, access, 'EmergencyAccessGranted');
  }

  @Evaluate({
    description:
      'The grantee of a recorded access reads values of one granted code (oldest first). Refused once the access has expired, or — for consent-based access — as soon as no consent permits it any more (revoked, expired, denied).',
    params: { query: ReadObservationsQuery },
    returns: PageOf(ObservationValueSchema),
    endorsers: VALUE_HOLDERS, // evaluate on a City or Hospital peer: an insurer's peer holds no values
    sealed: true, // values: a client that submits this puts only ciphertext in the block
  })
  async ReadObservations(ctx: Context, query: ReadObservationsQuery): Promise<ValuePage> {
    const who = await grantee(ctx);
    const access = await accesses.require(ctx, query.accessId);
    if (access.grantee.key !== who.key)
      throw forbidden('this access was granted to someone else', { reason: 'NOT_GRANTEE' });
    const now = txTime(ctx);
    if (now.ms >= Date.parse(access.expiresAt))
      throw forbidden('this access has expired', { reason: 'ACCESS_EXPIRED', expiresAt: access.expiresAt });
    if (!access.codes.includes(query.code))
      throw forbidden(`code ${query.code} is not part of this access`, {
        reason: 'CODE_NOT_GRANTED',
        codes: access.codes,
      });
    let window = access.dataPeriod;
    if (access.kind === 'CONSENT') {
      const request: AccessRequest = {
        requester: who,
        action: 'read',
        codes: [query.code],
        purpose: access.purpose,
        dataPeriod: access.dataPeriod,
        nowMs: now.ms,
      };
      const decision = decide(await consents.all(ctx, [access.patientId]), request);
      if (!decision.permit) {
        throw forbidden('consent no longer permits this access', {
          reason: decision.reason,
          ...(decision.consentId ? { consentId: decision.consentId } : {}),
        });
      }
      // What the consent that permits now allows: the one the access was granted under may be revoked
      // and a narrower one permit still.
      window = decision.dataPeriod;
    }
    return valuesInWindow(
      ctx,
      access.patientId,
      query.code,
      window,
      query.pageSize,
      query.bookmark ?? '',
    );
  }

  @Evaluate({
    description: 'A recorded access: for its patient or its grantee.',
    params: { accessId: Id() },
    returns: AccessSchema,
  })
  async GetAccess(ctx: Context, accessId: string): Promise<Access> {
    const who = caller(ctx);
    const access = await accesses.require(ctx, accessId);
    // The patient by its bound certificate only (see GetConsent).
    if (isPatient(who, access.patientId)) await patient(ctx);
    else if (who.key !== access.grantee.key) throw forbidden('not your access', { reason: 'NOT_A_PARTY' });
    return access;
  }

  @Evaluate({
    description:
      "The calling patient's audit trail: who was granted access to what, when, why and until when (oldest first).",
    params: { pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(AccessSchema),
  })
  async ListMyAccessLog(ctx: Context, pageSize: number, bookmark: string): Promise<Page<Access>> {
    const { patientId } = await patient(ctx);
    return accessLog.page(ctx, [patientId], pageSize, bookmark);
  }

  private async record(ctx: Context, access: Access, event: string): Promise<Access> {
    await accesses.create(ctx, access);
    await accessLog.put(ctx, access);
    emit(ctx, event, {
      accessId: access.accessId,
      patientId: access.patientId,
      grantee: access.grantee.key,
      kind: access.kind,
      expiresAt: access.expiresAt,
      ...(access.consentId ? { consentId: access.consentId } : {}),
    });
    return access;
  }
}
