import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  PageSize,
  StateMachine,
  Submit,
  caller,
  checkResident,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  isoToMs,
  txTime,
  type Caller,
  type Page,
} from '@cityledger/chaincode-common';
import { grantee, isPatient, patient } from './actors';
import { granteeMatches } from './consent-rules';
import { assertKnownCodes } from './loinc';
import { checkDataPeriod } from './periods';
import { ConsentSchema, CreateConsentInput, PageOf, type Consent, type ConsentStatus } from './model';
import { consents } from './store';

/**
 * FHIR Consent lifecycle. Only the patient activates, rejects or revokes; whoever wrote a draft
 * (the patient or a proposer) may withdraw it as entered-in-error; the patient may so mark any.
 */
export const consentLifecycle = new StateMachine<ConsentStatus>(
  'consent',
  [
    { from: ['DRAFT'], to: 'ACTIVE', roles: ['patient'] },
    { from: ['DRAFT'], to: 'REJECTED', roles: ['patient'] },
    { from: ['ACTIVE'], to: 'INACTIVE', roles: ['patient'] },
    { from: ['DRAFT'], to: 'ENTERED_IN_ERROR', roles: ['patient', 'author'] },
    { from: ['ACTIVE', 'INACTIVE', 'REJECTED'], to: 'ENTERED_IN_ERROR', roles: ['patient'] },
  ],
  ['ENTERED_IN_ERROR'],
);

function consentActor(who: Caller, consent: Consent): string[] {
  const labels: string[] = [];
  if (isPatient(who, consent.patientId)) labels.push('patient');
  if (who.key === consent.createdBy) labels.push('author');
  return labels;
}

/** INVALID_ARGUMENT unless the periods are real times in order and the consent has not already ended. */
function checkPeriods(input: CreateConsentInput, nowMs: number): void {
  const start = isoToMs(input.period.start, 'period.start');
  const end = isoToMs(input.period.end, 'period.end');
  if (end <= start) throw invalidArgument('period must end after it starts', { field: 'period' });
  if (end <= nowMs) throw invalidArgument('period has already ended', { field: 'period.end' });
  checkDataPeriod(input.dataPeriod);
}

export class ConsentContract extends CityContract {
  constructor() {
    super('consent');
  }

  @Submit({
    description:
      'Create a consent. The patient may create it DRAFT or ACTIVE; a doctor, insurer or adjuster may propose a DRAFT permit for its own organisation, which the patient then activates or rejects.',
    params: { input: CreateConsentInput },
    returns: ConsentSchema,
  })
  async CreateConsent(ctx: Context, input: CreateConsentInput): Promise<Consent> {
    const now = txTime(ctx);
    const who = caller(ctx);
    const status = input.status ?? 'DRAFT';
    if (isPatient(who, input.patientId)) {
      await patient(ctx);
    } else {
      const proposer = await grantee(ctx);
      if (status !== 'DRAFT')
        throw forbidden('only the patient may activate a consent', {
          reason: 'PATIENT_ONLY',
          required: ['patient'],
        });
      if (input.provision !== 'permit')
        throw forbidden('only the patient may write a deny consent', {
          reason: 'PATIENT_ONLY',
          required: ['patient'],
        });
      if (input.grantee.mspId !== proposer.mspId) {
        throw forbidden('a proposal may only name grantees of the proposer’s organisation', {
          reason: 'FOREIGN_GRANTEE',
          mspId: proposer.mspId,
        });
      }
      await checkResident(ctx, input.patientId); // NOT_FOUND for an unknown patient
    }
    assertKnownCodes(input.codes, 'codes');
    checkPeriods(input, now.ms);

    const { status: _ignored, ...terms } = input;
    const consent: Consent = {
      ...terms,
      status,
      createdBy: who.key,
      createdAt: now.iso,
      updatedAt: now.iso,
      history: [{ status, at: now.iso, by: who.key }],
    };
    await consents.create(ctx, consent);
    emit(ctx, 'ConsentCreated', {
      patientId: consent.patientId,
      consentId: consent.consentId,
      status,
      provision: consent.provision,
    });
    return consent;
  }

  @Submit({
    description: 'The patient activates a DRAFT consent (its period must not have ended).',
    params: { consentId: Id() },
    returns: ConsentSchema,
  })
  async ActivateConsent(ctx: Context, consentId: string): Promise<Consent> {
    return this.move(ctx, consentId, 'ACTIVE', 'ConsentActivated');
  }

  @Submit({
    description: 'The patient rejects a DRAFT consent (e.g. a proposal).',
    params: { consentId: Id() },
    returns: ConsentSchema,
  })
  async RejectConsent(ctx: Context, consentId: string): Promise<Consent> {
    return this.move(ctx, consentId, 'REJECTED', 'ConsentRejected');
  }

  @Submit({
    description:
      'The patient revokes an ACTIVE consent (INACTIVE): accesses granted under it stop working at once.',
    params: { consentId: Id() },
    returns: ConsentSchema,
  })
  async RevokeConsent(ctx: Context, consentId: string): Promise<Consent> {
    return this.move(ctx, consentId, 'INACTIVE', 'ConsentRevoked');
  }

  @Submit({
    description: 'Mark a consent entered-in-error: the patient any non-final one, its author a DRAFT.',
    params: { patientId: Id(), consentId: Id() },
    returns: ConsentSchema,
  })
  async MarkConsentEnteredInError(ctx: Context, patientId: string, consentId: string): Promise<Consent> {
    const who = caller(ctx);
    if (isPatient(who, patientId)) await patient(ctx);
    else await grantee(ctx);
    return this.transition(
      ctx,
      who,
      await consents.require(ctx, patientId, consentId),
      'ENTERED_IN_ERROR',
      'ConsentEnteredInError',
    );
  }

  @Evaluate({
    description: 'A consent: for the patient, its author, or anyone it names.',
    params: { patientId: Id(), consentId: Id() },
    returns: ConsentSchema,
  })
  async GetConsent(ctx: Context, patientId: string, consentId: string): Promise<Consent> {
    const who = caller(ctx);
    const consent = await consents.require(ctx, patientId, consentId);
    const named = granteeMatches(consent.grantee, who);
    // The patient by its bound certificate only: another certificate carrying the same residentId
    // (an impostor an org admin could have enrolled) is not the patient.
    if (isPatient(who, patientId)) await patient(ctx);
    else if (who.key !== consent.createdBy && !named) throw forbidden('not your consent', { reason: 'NOT_A_PARTY' });
    return consent;
  }

  @Evaluate({
    description: "The calling patient's consents, by consentId.",
    params: { pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(ConsentSchema),
  })
  async ListMyConsents(ctx: Context, pageSize: number, bookmark: string): Promise<Page<Consent>> {
    const { patientId } = await patient(ctx);
    return consents.page(ctx, [patientId], pageSize, bookmark);
  }

  /** Patient-only moves: the consent is looked up under the caller's own residentId. */
  private async move(ctx: Context, consentId: string, to: ConsentStatus, event: string): Promise<Consent> {
    const { who, patientId } = await patient(ctx);
    return this.transition(ctx, who, await consents.require(ctx, patientId, consentId), to, event);
  }

  private async transition(
    ctx: Context,
    who: Caller,
    consent: Consent,
    to: ConsentStatus,
    event: string,
  ): Promise<Consent> {
    const now = txTime(ctx);
    consentLifecycle.move(consent.status, to, consentActor(who, consent));
    if (to === 'ACTIVE' && Date.parse(consent.period.end) <= now.ms) {
      throw failedPrecondition('the consent period has ended', {
        reason: 'CONSENT_EXPIRED',
        state: consent.status,
        end: consent.period.end,
      });
    }
    const updated: Consent = {
      ...consent,
      status: to,
      updatedAt: now.iso,
      history: [...consent.history, { status: to, at: now.iso, by: who.key }],
    };
    await consents.put(ctx, updated);
    emit(ctx, event, { patientId: consent.patientId, consentId: consent.consentId, status: to });
    return updated;
  }
}
