/**
 * Medical chaincode steps the security suites share (chaincode/medical/README.md, "For the gateway and the
 * integration tests"): a registered patient bound to its City enrolment, a device scan whose values travel
 * only in the transient map (endorsed by City and Hospital, the collection's members), a consent, an
 * access request.
 */
import { randomBytes } from 'node:crypto';
import { Committed, submitAs } from '../support/calls';
import { TestUser } from '../support/live';
import { freshId } from '../support/schema-sample';

export const COLLECTION_ORGS = ['CityMSP', 'HospitalMSP'];
export const BODY_WEIGHT = '29463-7';

export interface Measurement {
  effectiveAt: string;
  salt: string;
  items: { code: string; value: number; unit: string }[];
}

export const measurement = (items: Measurement['items']): Measurement => ({
  effectiveAt: new Date(Date.now() - 60000).toISOString(),
  salt: randomBytes(16).toString('hex'),
  items,
});

export const recordScan = (device: TestUser, m: Measurement) =>
  submitAs<{ observationIds: string[]; valueHashes: string[] }>(
    device,
    'medical',
    'observation:RecordObservations',
    [],
    { transient: { measurement: m }, endorsingOrganizations: COLLECTION_ORGS },
  );

export const registerResident = (registrar: TestUser, residentId: string, user: TestUser) =>
  submitAs(registrar, 'identity', 'resident:RegisterResident', [{ residentId, enrollmentId: user.name }]);

/** An ACTIVE permit for one person (`{mspId, enrollmentId}`) to read `codes` for treatment, for a day. */
export function permit(patientId: string, grantee: TestUser, codes = [BODY_WEIGHT], status = 'ACTIVE') {
  return {
    consentId: freshId('sec-consent'),
    patientId,
    provision: 'permit',
    status,
    grantee: { mspId: grantee.mspId, enrollmentId: grantee.name },
    actions: ['read'],
    codes,
    purposes: ['TREAT'],
    period: {
      start: new Date(Date.now() - 60000).toISOString(),
      end: new Date(Date.now() + 24 * 3600000).toISOString(),
    },
  };
}

export const createConsent = (
  patient: TestUser,
  consent: ReturnType<typeof permit>,
): Promise<Committed<unknown>> => submitAs(patient, 'medical', 'consent:CreateConsent', [consent]);
