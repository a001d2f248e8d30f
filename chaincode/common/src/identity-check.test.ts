import type { Context } from 'fabric-contract-api';
import { Type } from '@sinclair/typebox';
import {
  CityContract,
  ContractHarness,
  Evaluate,
  Id,
  IdentityService,
  assertCallerResidentActive,
  assertCredentialActive,
  assertHolderCredential,
  assertResidentActive,
  checkResident,
  fakeIdentityStatus,
  identity,
  notFound,
} from './index';

// A stand-in identity chaincode answering the status queries from tables.
const residents: Record<string, string> = { R1: 'ACTIVE', R2: 'LOCKED', R3: 'ACTIVE' };
/** R3 is registered but bound to no enrolment (e.g. a newborn). */
const enrollments: Record<string, string> = { R1: 'alice', R2: 'mallory' };
const credentials: Record<string, { status: string; holderId: string; holderStatus?: string }> = {
  C1: { status: 'ACTIVE', holderId: 'HospitalMSP/doc' },
  C2: { status: 'REVOKED', holderId: 'HospitalMSP/doc' },
  C3: { status: 'ACTIVE', holderId: 'R2', holderStatus: 'LOCKED' },
};
const FakeStatus = fakeIdentityStatus({
  residentStatus: (residentId) => residents[residentId],
  boundEnrollment: (residentId) => enrollments[residentId],
  credential: (credentialId) =>
    credentials[credentialId] && { type: 'doctor-licence', ...credentials[credentialId] },
  holderCredential: (holderId, type) => {
    if (type !== 'doctor-licence') return undefined;
    if (holderId === 'HospitalMSP/doc') return { credentialId: 'C1', status: 'ACTIVE' };
    if (holderId === 'HospitalMSP/old') return { credentialId: 'C2', status: 'REVOKED' };
    return undefined;
  },
});

// A consumer chaincode on another channel.
class Consumer extends CityContract {
  constructor() {
    super('consumer');
  }
  @Evaluate({ params: { residentId: Id() } })
  async Resident(ctx: Context, residentId: string) {
    return assertResidentActive(ctx, residentId);
  }
  @Evaluate({ params: { residentId: Id() } })
  async Peek(ctx: Context, residentId: string) {
    return checkResident(ctx, residentId);
  }
  @Evaluate()
  async Me(ctx: Context) {
    return assertCallerResidentActive(ctx);
  }
  @Evaluate({ params: { credentialId: Id() } })
  async Credential(ctx: Context, credentialId: string) {
    return assertCredentialActive(ctx, credentialId);
  }
  @Evaluate({ params: { holderId: Type.String(), type: Id() } })
  async Holder(ctx: Context, holderId: string, type: string) {
    return assertHolderCredential(ctx, holderId, type);
  }
}

const alice = identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' });
const mallory = identity('CityMSP', 'mallory', { role: 'resident', residentId: 'R2' });
const officer = identity('CityMSP', 'officer', { role: 'police' });
const ghost = identity('CityMSP', 'ghost', { role: 'resident', residentId: 'R9' });
const aliceOldPhone = identity('CityMSP', 'alice-old', { role: 'resident', residentId: 'R1' });
const aliceDevice = identity('CityMSP', 'alice', { role: 'device', residentId: 'R1' });
const newborn = identity('CityMSP', 'baby', { role: 'resident', residentId: 'R3' });

let consumer: ContractHarness;
beforeEach(() => {
  const idHarness = new ContractHarness([FakeStatus]);
  consumer = new ContractHarness([Consumer], { channel: 'health' });
  consumer.route(IdentityService.chaincode, IdentityService.channel, idHarness);
});

describe('identity checks across chaincodes', () => {
  it('passes an active resident and refuses a locked one with FORBIDDEN', async () => {
    expect((await consumer.evaluate(alice, 'consumer:Resident', ['R1'])).value).toEqual({
      residentId: 'R1',
      status: 'ACTIVE',
      active: true,
    });
    const locked = await consumer.evaluate(alice, 'consumer:Resident', ['R2']);
    expect(locked.error?.code).toBe('FORBIDDEN');
    expect(locked.error?.details).toEqual({
      reason: 'RESIDENT_NOT_ACTIVE',
      residentId: 'R2',
      status: 'LOCKED',
    });
    expect((await consumer.evaluate(alice, 'consumer:Peek', ['R2'])).value).toEqual({
      residentId: 'R2',
      status: 'LOCKED',
      active: false,
    });
  });

  it("passes on the identity chaincode's own refusal code", async () => {
    expect((await consumer.evaluate(alice, 'consumer:Resident', ['R9'])).error?.code).toBe('NOT_FOUND');
  });

  it("checks the caller's own residentId attribute", async () => {
    expect((await consumer.evaluate(alice, 'consumer:Me')).value).toEqual({
      residentId: 'R1',
      status: 'ACTIVE',
      active: true,
      bound: true,
    });
    expect((await consumer.evaluate(mallory, 'consumer:Me')).error?.details.status).toBe('LOCKED');
    expect((await consumer.evaluate(officer, 'consumer:Me')).error?.details).toEqual({
      reason: 'NOT_A_RESIDENT',
    });
    expect((await consumer.evaluate(ghost, 'consumer:Me')).error?.code).toBe('NOT_FOUND');
  });

  it('refuses a certificate that carries the residentId but is not the bound enrolment', async () => {
    // Another certificate claiming R1 (e.g. the one re-bound away after theft), R1's device, and a
    // certificate of a resident bound to no enrolment: the attribute alone proves nothing.
    for (const who of [aliceOldPhone, aliceDevice, newborn]) {
      const r = await consumer.evaluate(who, 'consumer:Me');
      expect(r.error?.code).toBe('FORBIDDEN');
      expect(r.error?.details).toEqual({
        reason: 'CERTIFICATE_NOT_BOUND',
        residentId: who === newborn ? 'R3' : 'R1',
      });
    }
  });

  it('checks credentials by id and by holder and type', async () => {
    expect((await consumer.evaluate(alice, 'consumer:Credential', ['C1'])).ok).toBe(true);
    expect((await consumer.evaluate(alice, 'consumer:Credential', ['C2'])).error?.details).toEqual({
      reason: 'CREDENTIAL_NOT_ACTIVE',
      credentialId: 'C2',
      status: 'REVOKED',
    });
    expect(
      (await consumer.evaluate(alice, 'consumer:Holder', ['HospitalMSP/doc', 'doctor-licence'])).ok,
    ).toBe(true);
    expect(
      (await consumer.evaluate(alice, 'consumer:Holder', ['HospitalMSP/old', 'doctor-licence'])).error
        ?.details.status,
    ).toBe('REVOKED');
    expect((await consumer.evaluate(alice, 'consumer:Credential', ['C3'])).error?.details).toEqual({
      reason: 'CREDENTIAL_NOT_ACTIVE',
      credentialId: 'C3',
      status: 'ACTIVE',
      holderStatus: 'LOCKED',
    });
    const none = await consumer.evaluate(alice, 'consumer:Holder', ['HospitalMSP/nobody', 'doctor-licence']);
    expect(none.error?.code).toBe('FORBIDDEN');
    expect(none.error?.details.status).toBeNull();
  });

  it('gives FAILED_PRECONDITION when the identity chaincode is unreachable or answers without a code', async () => {
    const lonely = new ContractHarness([Consumer]);
    const r = await lonely.evaluate(alice, 'consumer:Resident', ['R1']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details.cause).toMatch(/not found/);
    lonely.route('identity', 'city', async () => ({ status: 500, message: 'peer trouble' }));
    expect((await lonely.evaluate(alice, 'consumer:Resident', ['R1'])).error?.details).toEqual({
      cause: 'peer trouble',
    });
    lonely.route('identity', 'city', async () => {
      throw new Error(notFound('gone').message);
    });
    expect((await lonely.evaluate(alice, 'consumer:Resident', ['R1'])).error?.code).toBe('NOT_FOUND');
  });
});
