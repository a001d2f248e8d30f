import {
  CityContract,
  ContractHarness,
  Id,
  IdentityService,
  Submit,
  assertCallerResidentActive,
  assertHolderCredential,
  caller,
  identity,
  type CredentialCheck,
} from '@cityledger/chaincode-common';
import type { Context } from 'fabric-contract-api';
import { ids, licenceClaims, newHarness, ok, seedIssuers, seedResidents } from './identity.fixtures';

// A consumer on another channel (like medical on `health`) that refuses identity-bound actions.
class Clinic extends CityContract {
  constructor() {
    super('clinic');
  }
  @Submit({ params: { note: Id() } })
  async ResidentAction(ctx: Context, note: string): Promise<string> {
    await assertCallerResidentActive(ctx);
    return note;
  }
  @Submit({ params: { note: Id() } })
  async DoctorAction(ctx: Context, note: string): Promise<string> {
    await assertHolderCredential(ctx, caller(ctx).key, 'doctor-licence');
    return note;
  }
}

let identityCc: ContractHarness;
let clinic: ContractHarness;
beforeEach(async () => {
  identityCc = newHarness();
  await seedResidents(identityCc);
  await seedIssuers(identityCc);
  clinic = new ContractHarness([Clinic], { channel: 'health' });
  clinic.route(IdentityService.chaincode, IdentityService.channel, identityCc);
});

describe('status checks for other chaincodes', () => {
  it('reports resident status', async () => {
    expect(ok(await identityCc.evaluate(ids.doctor, 'status:CheckResident', ['R1']))).toEqual({
      residentId: 'R1',
      status: 'ACTIVE',
      active: true,
    });
    expect((await identityCc.evaluate(ids.doctor, 'status:CheckResident', ['R9'])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect((await identityCc.evaluate(ids.doctor, 'status:CheckResident', ['bad id'])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('makes other chaincodes refuse a locked identity and accept it again once unlocked', async () => {
    expect(ok(await clinic.submit(ids.alice, 'clinic:ResidentAction', ['n1']))).toBe('n1');
    ok(await identityCc.submit(ids.alice, 'resident:LockResident', ['R1', 'stolen']));
    const refused = await clinic.submit(ids.alice, 'clinic:ResidentAction', ['n2']);
    expect(refused.error?.code).toBe('FORBIDDEN');
    expect(refused.error?.details).toEqual({
      reason: 'RESIDENT_NOT_ACTIVE',
      residentId: 'R1',
      status: 'LOCKED',
    });
    ok(await identityCc.submit(ids.alice, 'resident:UnlockResident', ['R1', 'found']));
    expect((await clinic.submit(ids.alice, 'clinic:ResidentAction', ['n3'])).ok).toBe(true);
    ok(await identityCc.submit(ids.registrar, 'resident:RecordDeath', ['R2', '']));
    expect((await clinic.submit(ids.bob, 'clinic:ResidentAction', ['n4'])).error?.details.status).toBe(
      'DECEASED',
    );
  });

  it('makes other chaincodes refuse a certificate re-bound away after theft, and accept the new one', async () => {
    ok(await identityCc.submit(ids.police, 'resident:LockResident', ['R1', 'phone stolen']));
    ok(await identityCc.submit(ids.registrar, 'resident:BindResident', ['R1', 'alice-2', 'new phone']));
    ok(await identityCc.submit(ids.police, 'resident:UnlockResident', ['R1', 'rebound']));
    for (const who of [ids.alice, ids.aliceImpostor, ids.aliceDevice]) {
      const refused = await clinic.submit(who, 'clinic:ResidentAction', ['n1']);
      expect(refused.error?.code).toBe('FORBIDDEN');
      expect(refused.error?.details).toEqual({ reason: 'CERTIFICATE_NOT_BOUND', residentId: 'R1' });
    }
    expect(ok(await clinic.submit(ids.aliceNewPhone, 'clinic:ResidentAction', ['n2']))).toBe('n2');
  });

  it('answers CheckCaller for the calling certificate; an unbound resident acts nowhere', async () => {
    expect(ok(await identityCc.evaluate(ids.alice, 'status:CheckCaller'))).toEqual({
      residentId: 'R1',
      status: 'ACTIVE',
      active: true,
      bound: true,
    });
    expect(ok(await identityCc.evaluate(ids.aliceImpostor, 'status:CheckCaller'))).toMatchObject({
      residentId: 'R1',
      bound: false,
    });
    expect((await identityCc.evaluate(ids.doctor, 'status:CheckCaller')).error?.details).toEqual({
      reason: 'NOT_A_RESIDENT',
    });
    const ghost = identity('CityMSP', 'ghost', { role: 'resident', residentId: 'R9' });
    expect((await identityCc.evaluate(ghost, 'status:CheckCaller')).error?.code).toBe('NOT_FOUND');
    // Registered without an enrolment (e.g. a newborn): no certificate is the resident yet.
    ok(await identityCc.submit(ids.registrar, 'resident:RegisterResident', [{ residentId: 'R3' }]));
    const carol = identity('CityMSP', 'carol', { role: 'resident', residentId: 'R3' });
    expect((await clinic.submit(carol, 'clinic:ResidentAction', ['n1'])).error?.details.reason).toBe(
      'CERTIFICATE_NOT_BOUND',
    );
    ok(await identityCc.submit(ids.registrar, 'resident:BindResident', ['R3', 'carol', 'enrolled']));
    expect((await clinic.submit(carol, 'clinic:ResidentAction', ['n2'])).ok).toBe(true);
  });

  it('makes other chaincodes refuse a doctor whose licence is suspended, revoked or expired', async () => {
    expect((await clinic.submit(ids.doctor, 'clinic:DoctorAction', ['n1'])).error?.details).toEqual({
      reason: 'CREDENTIAL_NOT_ACTIVE',
      holderId: 'HospitalMSP/dr-kim',
      type: 'doctor-licence',
      status: null,
    });
    const issue = (id: string, validUntil?: string) =>
      identityCc.submit(
        ids.hospitalAdmin,
        'credential:IssueCredential',
        [
          {
            credentialId: id,
            type: 'doctor-licence',
            holderId: 'HospitalMSP/dr-kim',
            ...(validUntil ? { validUntil } : {}),
          },
        ],
        {
          transient: { claims: licenceClaims },
        },
      );
    ok(await issue('L1', '2027-01-01T00:00:00.000Z'));
    expect(ok(await clinic.submit(ids.doctor, 'clinic:DoctorAction', ['n2']))).toBe('n2');
    ok(await identityCc.submit(ids.hospitalAdmin, 'credential:SuspendCredential', ['L1', 'investigation']));
    expect((await clinic.submit(ids.doctor, 'clinic:DoctorAction', ['n3'])).error?.details.status).toBe(
      'SUSPENDED',
    );
    identityCc.advance(60_000);
    ok(await issue('L2'));
    const check = ok(
      await identityCc.evaluate<CredentialCheck>(ids.doctor, 'status:CheckHolderCredential', [
        'HospitalMSP/dr-kim',
        'doctor-licence',
      ]),
    );
    expect(check).toMatchObject({ credentialId: 'L2', active: true });
    ok(await identityCc.submit(ids.hospitalAdmin, 'credential:RevokeCredential', ['L2', 'struck off']));
    const latest = ok(
      await identityCc.evaluate<CredentialCheck>(ids.doctor, 'status:CheckHolderCredential', [
        'HospitalMSP/dr-kim',
        'doctor-licence',
      ]),
    );
    expect(latest).toMatchObject({ credentialId: 'L2', status: 'REVOKED', active: false });
    expect(
      ok(await identityCc.evaluate<CredentialCheck>(ids.doctor, 'status:CheckCredential', ['L1'])),
    ).toEqual({
      credentialId: 'L1',
      type: 'doctor-licence',
      holderId: 'HospitalMSP/dr-kim',
      status: 'SUSPENDED',
      active: false,
      validUntil: '2027-01-01T00:00:00.000Z',
    });
    clinic.setTime('2027-06-01T00:00:00.000Z');
    expect((await clinic.submit(ids.doctor, 'clinic:DoctorAction', ['n4'])).error?.code).toBe('FORBIDDEN');
    expect((await identityCc.evaluate(ids.doctor, 'status:CheckCredential', ['L9'])).error?.code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('metadata', () => {
  it('describes every identity transaction with named, typed parameters and SUBMIT/EVALUATE tags', async () => {
    const md = await identityCc.metadata(ids.alice);
    const names = (c: string) =>
      md.contracts[c].transactions.map((t) => `${t.name}:${(t.tag as string[])[0]}`).sort();
    expect(names('resident')).toEqual(
      [
        'BindResident:SUBMIT',
        'GetResident:EVALUATE',
        'GetResidentHistory:EVALUATE',
        'LockResident:SUBMIT',
        'RecordDeath:SUBMIT',
        'RegisterResident:SUBMIT',
        'ReinstateResident:SUBMIT',
        'SuspendResident:SUBMIT',
        'UnlockResident:SUBMIT',
        'WhoAmI:EVALUATE',
      ].sort(),
    );
    expect(names('status')).toEqual([
      'CheckCaller:EVALUATE',
      'CheckCredential:EVALUATE',
      'CheckHolderCredential:EVALUATE',
      'CheckResident:EVALUATE',
    ]);
    expect(Object.keys(md.contracts).sort()).toEqual([
      'birth',
      'credential',
      'issuer',
      'org.hyperledger.fabric',
      'probe',
      'resident',
      'status',
    ]);
    for (const contract of Object.values(md.contracts)) {
      for (const tx of contract.transactions) {
        if (contract.name === 'org.hyperledger.fabric') continue;
        expect(typeof tx.description).toBe('string');
        for (const p of (tx.parameters as { name: string; schema: { type?: string } }[]) ?? []) {
          expect(p.name).not.toMatch(/^arg\d+$/);
          expect(p.schema.type).toEqual(expect.any(String));
        }
      }
    }
    const birth = md.contracts.birth.transactions.find((t) => t.name === 'IssueBirthCertificate') as Record<
      string,
      unknown
    >;
    expect(birth.endorsers).toEqual(['CityMSP', 'HospitalMSP']);
    expect((birth.transient as { required: string[] }).required).toEqual(['claims']);
  });
});
