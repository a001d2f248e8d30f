import type { Action, Consent, DataPeriod, Grantee, Purpose } from './model';

/**
 * Consent evaluation (after HL7 FHIR Consent), pure: no Fabric, no clock but the one passed in.
 *
 * A consent applies to a request when it is ACTIVE, the request time lies in its period
 * (start inclusive, end exclusive), its grantee matches the caller, and it covers the action and
 * the purpose. A permit must cover every requested code and overlap the requested data period (the
 * access then gets the intersection); a deny applies as soon as it touches one requested code and
 * overlaps the data period. Deny overrides permit.
 */
export interface Requester {
  mspId: string;
  enrollmentId: string;
  role?: string;
}

export interface AccessRequest {
  requester: Requester;
  action: Action;
  codes: readonly string[];
  purpose: Purpose;
  /** Requested measurement window (either side open). */
  dataPeriod: DataPeriod;
  nowMs: number;
}

export type RefusalReason = 'DENIED_BY_CONSENT' | 'CONSENT_EXPIRED' | 'CONSENT_NOT_YET_VALID' | 'NO_CONSENT';

export type Decision =
  | { permit: true; consent: Consent; dataPeriod: DataPeriod }
  | { permit: false; reason: RefusalReason; consentId?: string };

export function granteeMatches(grantee: Grantee, who: Requester): boolean {
  return (
    grantee.mspId === who.mspId &&
    (grantee.enrollmentId === undefined || grantee.enrollmentId === who.enrollmentId) &&
    (grantee.role === undefined || grantee.role === who.role)
  );
}

export type Timing = 'before' | 'within' | 'after';

export function timing(consent: Consent, nowMs: number): Timing {
  if (nowMs < Date.parse(consent.period.start)) return 'before';
  if (nowMs >= Date.parse(consent.period.end)) return 'after';
  return 'within';
}

const lo = (p: DataPeriod) => (p.start === undefined ? -Infinity : Date.parse(p.start));
const hi = (p: DataPeriod) => (p.end === undefined ? Infinity : Date.parse(p.end));

export function dataOverlaps(a: DataPeriod, b: DataPeriod): boolean {
  return Math.max(lo(a), lo(b)) < Math.min(hi(a), hi(b));
}

/** The window a permit grants for a request: the requested one, narrowed to the consent's. */
export function effectiveDataPeriod(requested: DataPeriod, consent: DataPeriod | undefined): DataPeriod {
  const c = consent ?? {};
  const start = lo(requested) >= lo(c) ? requested.start : c.start;
  const end = hi(requested) <= hi(c) ? requested.end : c.end;
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/** Everything but the period: who, what, why and which data. */
function permitCovers(consent: Consent, req: AccessRequest): boolean {
  return (
    consent.provision === 'permit' &&
    consent.status === 'ACTIVE' &&
    granteeMatches(consent.grantee, req.requester) &&
    consent.actions.includes(req.action) &&
    consent.purposes.includes(req.purpose) &&
    req.codes.every((c) => consent.codes.includes(c)) &&
    dataOverlaps(req.dataPeriod, consent.dataPeriod ?? {})
  );
}

function denies(consent: Consent, req: AccessRequest): boolean {
  return (
    consent.provision === 'deny' &&
    consent.status === 'ACTIVE' &&
    timing(consent, req.nowMs) === 'within' &&
    granteeMatches(consent.grantee, req.requester) &&
    consent.actions.includes(req.action) &&
    consent.purposes.includes(req.purpose) &&
    req.codes.some((c) => consent.codes.includes(c)) &&
    dataOverlaps(req.dataPeriod, consent.dataPeriod ?? {})
  );
}

/**
 * The decision for a request over a patient's consents. Among several permits the one lasting
 * longest wins (ties: smallest consentId), so every endorser picks the same one.
 */
export function decide(consents: readonly Consent[], req: AccessRequest): Decision {
  const deny = consents.find((c) => denies(c, req));
  if (deny) return { permit: false, reason: 'DENIED_BY_CONSENT', consentId: deny.consentId };
  const covering = consents.filter((c) => permitCovers(c, req));
  const current = covering
    .filter((c) => timing(c, req.nowMs) === 'within')
    .sort(
      (a, b) => Date.parse(b.period.end) - Date.parse(a.period.end) || (a.consentId < b.consentId ? -1 : 1),
    );
  if (current.length > 0) {
    const consent = current[0];
    return { permit: true, consent, dataPeriod: effectiveDataPeriod(req.dataPeriod, consent.dataPeriod) };
  }
  const expired = covering.find((c) => timing(c, req.nowMs) === 'after');
  if (expired) return { permit: false, reason: 'CONSENT_EXPIRED', consentId: expired.consentId };
  const early = covering.find((c) => timing(c, req.nowMs) === 'before');
  if (early) return { permit: false, reason: 'CONSENT_NOT_YET_VALID', consentId: early.consentId };
  return { permit: false, reason: 'NO_CONSENT' };
}

/**
 * Who is told about an alert on the measurement of `code` taken at `effectiveMs`: the named people
 * (grantee with an enrollmentId) at `mspId` whom the consents let read that very measurement for
 * treatment now, judged as doctors (only a doctor reads an alert) by `decide`: so a deny naming their
 * role counts, and so does each permit's data window.
 */
export function alertRecipients(
  consents: readonly Consent[],
  code: string,
  effectiveMs: number,
  nowMs: number,
  mspId: string,
): Grantee[] {
  const out = new Map<string, Grantee>();
  for (const c of consents) {
    const g = c.grantee;
    // Named in a permit of their own for this code and treatment, holding this measurement...
    if (c.provision !== 'permit' || g.mspId !== mspId || g.enrollmentId === undefined) continue;
    const request = alertRead({ mspId: g.mspId, enrollmentId: g.enrollmentId, role: ALERT_READER_ROLE }, code, effectiveMs, nowMs);
    if (!applies(c, request)) continue;
    // ...and allowed it by the consents as a whole (a deny of them, their organisation or the role).
    if (decide(consents, request).permit)
      out.set(`${g.mspId}/${g.enrollmentId}`, { mspId: g.mspId, enrollmentId: g.enrollmentId });
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g);
}

/** A permit that lets this request through now, on its own. */
function applies(consent: Consent, req: AccessRequest): boolean {
  return permitCovers(consent, req) && timing(consent, req.nowMs) === 'within';
}

/** The role an alert's reader holds (GetAlert is for doctors and the patient). */
export const ALERT_READER_ROLE = 'doctor';

/** Reading the one measurement an alert is about, for treatment. */
export function alertRead(requester: Requester, code: string, effectiveMs: number, nowMs: number): AccessRequest {
  return {
    requester,
    action: 'read',
    codes: [code],
    purpose: 'TREAT',
    dataPeriod: { start: new Date(effectiveMs).toISOString(), end: new Date(effectiveMs + 1).toISOString() },
    nowMs,
  };
}
