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
  identity,
  notFound,
} from './index';

// A stand-in identity chaincode answering the status queries from a table.
const residents: Record<string, string> = { R1: 'ACTIVE', R2: 'LOCKED' };
const credentials: Record<string, string> = { C1: 'ACTIVE', C2: 'REVOKED' };

class FakeStatus extends CityContract {
  constructor() {
    super('status');
  }
  @Evaluate({ params: { residentId: Id() } })
  async CheckResident(_ctx: Context, residentId: string) {
    const status = residents[residentId];
    if (!status) throw notFound(`resident ${residentId} not found`);
    return { residentId, status, active: status === 'ACTIVE' };
  }
  @Evaluate({ params: { credentialId: Id() } })
  async CheckCredential(_ctx: Context, credentialId: string) {
    const status = credentials[credentialId];
    return {
      credentialId,
      type: 'doctor-licence',
      holderId: 'HospitalMSP/doc',
      status,
      active: status === 'ACTIVE',
    };
  }
  @Evaluate({ params: { holderId: Type.String(), type: Id() } })
  async CheckHolderCredential(_ctx: Context, holderId: string, type: string) {
    if (holderId === 'HospitalMSP/doc' && type === 'doctor-licence') {
      return { credentialId: 'C1', type, holderId, status: 'ACTIVE', active: true };
    }
    if (holderId === 'HospitalMSP/old')
      return { credentialId: 'C2', type, holderId, status: 'REVOKED', active: false };
    return null;
  }
}

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
    expect((await consumer.evaluate(alice, 'consumer:Me')).ok).toBe(true);
    expect((await consumer.evaluate(mallory, 'consumer:Me')).error?.details.status).toBe('LOCKED');
    expect((await consumer.evaluate(officer, 'consumer:Me')).error?.details).toEqual({
      reason: 'NOT_A_RESIDENT',
    });
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
