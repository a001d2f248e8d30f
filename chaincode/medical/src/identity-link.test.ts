import { ContractHarness, identity, type TxResult } from '@cityledger/chaincode-common';
import { contracts as identityContracts } from '../../identity/src/index';
import { contracts } from './index';
import { DAY, T0, consentInput, ids, measurement, weight } from './medical.fixtures';
import { OBSERVATIONS_COLLECTION, type Access } from './model';

// The medical chaincode against the real identity chaincode (not the stand-in): the status queries
// it makes across channels and the answers it relies on.
const registrar = identity('CityMSP', 'registrar1', { role: 'registrar' });
const cityAdmin = identity('CityMSP', 'cityadmin', { role: 'admin' });
const hospitalAdmin = identity('HospitalMSP', 'hadmin', { role: 'admin' });
const police = identity('CityMSP', 'officer1', { role: 'police' });
const SALT = 'c'.repeat(32);

function ok<T>(r: TxResult<T>): T {
  if (!r.committed) throw new Error(`expected a commit, got ${r.message || r.validationCode}`);
  return r.value;
}

async function network() {
  const city = new ContractHarness(identityContracts, { channel: 'city', now: T0 });
  const health = new ContractHarness(contracts, {
    channel: 'health',
    orgs: ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
    now: T0,
  });
  health.ledger.collections.set(OBSERVATIONS_COLLECTION, ['CityMSP', 'HospitalMSP']);
  health.route('identity', 'city', city);
  ok(
    await city.submit(registrar, 'resident:RegisterResident', [{ residentId: 'R1', enrollmentId: 'alice' }]),
  );
  ok(
    await city.submit(cityAdmin, 'issuer:SetTrustedIssuer', [
      { credentialType: 'doctor-licence', mspId: 'HospitalMSP', role: 'admin' },
    ]),
  );
  ok(
    await city.submit(
      hospitalAdmin,
      'credential:IssueCredential',
      [{ credentialId: 'lic-kim', type: 'doctor-licence', holderId: ids.drKim.key }],
      {
        transient: { claims: { licenceNo: { value: 'MD-2031-77', salt: SALT } } },
        endorsers: ['CityMSP', 'HospitalMSP'],
      },
    ),
  );
  return { city, health };
}

describe('with the real identity chaincode on channel city', () => {
  it('honours a police lock of the resident and the revocation of the doctor licence', async () => {
    const { city, health } = await network();
    ok(
      await health.submit(ids.aliceScale, 'observation:RecordObservations', [], {
        transient: measurement([weight(80)], T0),
      }),
    );
    ok(await health.submit(ids.alice, 'consent:CreateConsent', [consentInput()]));
    const access = ok(
      await health.submit<Access>(ids.drKim, 'access:RequestAccess', [
        { patientId: 'R1', codes: ['29463-7'], purpose: 'TREAT' },
      ]),
    );
    expect(
      (
        await health.evaluate(ids.drKim, 'access:ReadObservations', [
          { accessId: access.accessId, code: '29463-7', pageSize: 10 },
        ])
      ).ok,
    ).toBe(true);
    expect(
      (
        await health.submit(ids.drLee, 'access:RequestAccess', [
          { patientId: 'R1', codes: ['29463-7'], purpose: 'TREAT' },
        ])
      ).error?.details.reason,
    ).toBe('CREDENTIAL_NOT_ACTIVE');

    ok(await city.submit(police, 'resident:LockResident', ['R1', 'reported identity theft']));
    const locked = await health.submit(ids.aliceScale, 'observation:RecordObservations', [], {
      transient: measurement([weight(80)], new Date(Date.parse(T0) + DAY).toISOString()),
      at: Date.parse(T0) + DAY,
    });
    expect(locked.error?.code).toBe('FORBIDDEN');
    expect(locked.error?.details).toMatchObject({ reason: 'RESIDENT_NOT_ACTIVE', status: 'LOCKED' });

    ok(
      await city.submit(hospitalAdmin, 'credential:RevokeCredential', [
        'lic-kim',
        'licence withdrawn by the medical board',
      ]),
    );
    const revoked = await health.evaluate(ids.drKim, 'access:ReadObservations', [
      { accessId: access.accessId, code: '29463-7', pageSize: 10 },
    ]);
    expect(revoked.error?.code).toBe('FORBIDDEN');
    expect(revoked.error?.details).toMatchObject({ reason: 'CREDENTIAL_NOT_ACTIVE', status: 'REVOKED' });
  });

  it('an unknown patient is NOT_FOUND from the identity chaincode', async () => {
    const { health } = await network();
    const r = await health.submit(ids.drKim, 'access:BreakGlass', [
      { patientId: 'R77', reason: 'unconscious in the emergency room' },
    ]);
    expect(r.error?.code).toBe('NOT_FOUND');
  });
});
