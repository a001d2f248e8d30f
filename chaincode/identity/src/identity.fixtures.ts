import { ContractHarness, identity, type TxResult } from '@cityledger/chaincode-common';
import { contracts } from './index';
import type { Claims } from './model';

/** The identities the identity chaincode deals with, as real City/Hospital/Insurer/Port certificates. */
export const ids = {
  registrar: identity('CityMSP', 'registrar1', { role: 'registrar' }),
  registrar2: identity('CityMSP', 'registrar2', { role: 'registrar' }),
  cityAdmin: identity('CityMSP', 'cityadmin', { role: 'admin' }),
  police: identity('CityMSP', 'officer1', { role: 'police' }),
  alice: identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' }),
  aliceNewPhone: identity('CityMSP', 'alice-2', { role: 'resident', residentId: 'R1' }),
  /** Claims R1 in its certificate but is not the enrolment R1 is bound to. */
  aliceImpostor: identity('CityMSP', 'mallory', { role: 'resident', residentId: 'R1' }),
  aliceDevice: identity('CityMSP', 'alice-scale', { role: 'device', residentId: 'R1' }),
  bob: identity('CityMSP', 'bob', { role: 'resident', residentId: 'R2' }),
  attestor: identity('HospitalMSP', 'ward7', { role: 'birth-attestor' }),
  doctor: identity('HospitalMSP', 'dr-kim', { role: 'doctor' }),
  hospitalAdmin: identity('HospitalMSP', 'hadmin', { role: 'admin' }),
  insurer: identity('InsurerMSP', 'uw1', { role: 'insurer' }),
  portAgent: identity('PortMSP', 'agent1', { role: 'agent' }),
  /** A City certificate claiming a hospital role: the role means nothing outside HospitalMSP. */
  fakeAttestor: identity('CityMSP', 'faker', { role: 'birth-attestor' }),
};

export const SALT = 'a'.repeat(32);
export const SALT2 = 'b'.repeat(32);

export const licenceClaims: Claims = {
  name: { value: 'Kim Ji-woo', salt: SALT },
  licenceNo: { value: 'MD-2031-77', salt: SALT2 },
};

export const residencyClaims: Claims = {
  city: { value: 'Busan', salt: SALT },
  bornBefore2007: { value: true, salt: SALT2 },
  birthDate: { value: '1990-04-01', salt: 'c'.repeat(32) },
};

export function newHarness(now = '2026-06-01T00:00:00.000Z'): ContractHarness {
  return new ContractHarness(contracts, { now, title: 'identity' });
}

/** Fails the test with the chaincode's message unless the submit committed. */
export function ok<T>(r: TxResult<T>): T {
  if (!r.ok || r.validationCode) {
    throw new Error(`expected success, got ${r.message || r.validationCode}`);
  }
  return r.value;
}

/** Registers R1 (alice) and R2 (bob) bound to their enrolments. */
export async function seedResidents(h: ContractHarness): Promise<void> {
  ok(
    await h.submit(ids.registrar, 'resident:RegisterResident', [{ residentId: 'R1', enrollmentId: 'alice' }]),
  );
  ok(await h.submit(ids.registrar, 'resident:RegisterResident', [{ residentId: 'R2', enrollmentId: 'bob' }]));
}

/** Trusts City registrars for residency and HospitalMSP admins for doctor licences. */
export async function seedIssuers(h: ContractHarness): Promise<void> {
  ok(
    await h.submit(ids.registrar, 'issuer:SetTrustedIssuer', [
      { credentialType: 'residency', mspId: 'CityMSP', role: 'registrar' },
    ]),
  );
  ok(
    await h.submit(ids.cityAdmin, 'issuer:SetTrustedIssuer', [
      { credentialType: 'doctor-licence', mspId: 'HospitalMSP', role: 'admin' },
    ]),
  );
}
