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
 * Who is told about an alert on `code`: the named people (grantee with an enrollmentId) at
 * `mspId` whom an active permit lets read `code` for treatment now, unless an active deny for
 * treatment on that code names them (or their organisation or role).
 */
export function alertRecipients(
  consents: readonly Consent[],
  code: string,
  nowMs: number,
  mspId: string,
): Grantee[] {
  const live = consents.filter(
    (c) =>
      c.status === 'ACTIVE' &&
      timing(c, nowMs) === 'within' &&
      c.codes.includes(code) &&
      c.purposes.includes('TREAT') &&
      c.actions.includes('read'),
  );
  const denied = live.filter((c) => c.provision === 'deny');
  const out = new Map<string, Grantee>();
  for (const c of live) {
    const g = c.grantee;
    if (c.provision !== 'permit' || g.mspId !== mspId || g.enrollmentId === undefined) continue;
    const who: Requester = { mspId: g.mspId, enrollmentId: g.enrollmentId, role: g.role };
    if (denied.some((d) => granteeMatches(d.grantee, who))) continue;
    out.set(`${g.mspId}/${g.enrollmentId}`, { mspId: g.mspId, enrollmentId: g.enrollmentId });
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g);
}
