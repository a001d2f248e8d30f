import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import { CityContract, ContractHarness, Submit, Id } from '@cityledger/chaincode-common';
import { contracts } from './index';
import { NOW, declared, ids, ok } from './logistics.fixtures';
import type { PortCall } from './model';
import { portCalls } from './store';

/**
 * The code is bypassed: a tampered chaincode on one org's peer writes a permit with approvals
 * missing. The key-level endorsement policy set at announcement still needs a CityMSP and a
 * PortMSP peer to sign the same write, so the network refuses it at commit.
 */
class TamperedPortCallContract extends CityContract {
  constructor() {
    super('tampered');
  }

  @Submit({ params: { callId: Id() }, returns: Type.Object({}) })
  async ForcePermit(ctx: Context, callId: string): Promise<PortCall> {
    const call = await portCalls.require(ctx, callId);
    const forged: PortCall = {
      ...call,
      status: 'PERMIT_ISSUED',
      permit: { permitId: 'forged', issuedAt: call.updatedAt, issuedBy: 'nobody' },
    };
    await portCalls.put(ctx, forged);
    return forged;
  }

  @Submit({ params: { callId: Id() }, returns: Type.Object({}) })
  async ForceCleared(ctx: Context, callId: string): Promise<PortCall> {
    const call = await portCalls.require(ctx, callId);
    const forged: PortCall = { ...call, status: 'CLEARED' };
    await portCalls.put(ctx, forged);
    return forged;
  }
}

describe('a permit forged by one organisation', () => {
  let h: ContractHarness;
  beforeEach(async () => {
    h = new ContractHarness([...contracts, TamperedPortCallContract], { now: NOW });
    await declared(h);
    await ok(h.submit(ids.customs, 'portcall:Approve', ['CALL-1']));
  });

  const status = async () =>
    (await h.evaluate<PortCall>(ids.agent, 'portcall:GetPortCall', ['CALL-1'])).value.status;

  it.each([
    ['PortMSP + InsurerMSP', ['PortMSP', 'InsurerMSP']],
    ['PortMSP + HospitalMSP + InsurerMSP', ['PortMSP', 'HospitalMSP', 'InsurerMSP']],
    ['CityMSP + HospitalMSP', ['CityMSP', 'HospitalMSP']],
  ])('is invalidated when endorsed by %s (no CityMSP and PortMSP pair)', async (_name, endorsers) => {
    const r = await h.submit(ids.portAuthority, 'tampered:ForcePermit', ['CALL-1'], { endorsers });
    expect(r.ok).toBe(true); // the tampered code happily endorsed it...
    expect(r.committed).toBe(false); // ...but the peers refuse to commit it
    expect(r.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
    expect(await status()).toBe('UNDER_REVIEW');
  });

  it('needs both organisations to collude, which the honest code of either prevents', async () => {
    const honest = await h.submit(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1'], {
      endorsers: ['CityMSP', 'PortMSP'],
    });
    expect(honest.error?.code).toBe('FAILED_PRECONDITION');
    const colluding = await h.submit(ids.portAuthority, 'tampered:ForcePermit', ['CALL-1'], {
      endorsers: ['CityMSP', 'PortMSP'],
    });
    expect(colluding.committed).toBe(true);
  });

  it('still finds the approvals missing when the honest code is asked to issue a permit on a forged CLEARED status', async () => {
    await ok(h.submit(ids.portAuthority, 'tampered:ForceCleared', ['CALL-1']));
    const r = await h.submit(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toEqual({
      state: 'CLEARED',
      reason: 'APPROVALS_MISSING',
      missing: ['immigration', 'quarantine', 'port-authority'],
    });
  });
});
