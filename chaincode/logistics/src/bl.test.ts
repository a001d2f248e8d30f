import type { ContractHarness } from '@cityledger/chaincode-common';
import { announced, consignmentInput, ids, newHarness, ok } from './logistics.fixtures';
import type { BillOfLading, Consignment } from './model';

let h: ContractHarness;
const HASH = 'ab'.repeat(32);
const HASH2 = 'cd'.repeat(32);

beforeEach(async () => {
  h = newHarness();
  await announced(h);
  await ok(h.submit(ids.agent, 'cargo:RegisterConsignment', [consignmentInput()]));
});

const draft = (who = ids.carrier, input: Record<string, unknown> = {}) =>
  h.submit<BillOfLading>(who, 'bl:DraftBillOfLading', [
    { blNumber: 'BL-1', consignmentId: 'CONS-1', documentHash: HASH, ...input },
  ]);
const issued = async () => {
  await ok(draft());
  return ok(h.submit<BillOfLading>(ids.carrier, 'bl:IssueBillOfLading', ['BL-1']));
};
const transfer = (who: typeof ids.agent, to: string, bl = 'BL-1') =>
  h.submit<BillOfLading>(who, 'bl:TransferBillOfLading', [bl, to]);
const getBl = async (bl = 'BL-1') =>
  (await h.evaluate<BillOfLading>(ids.agent, 'bl:GetBillOfLading', [bl])).value;

describe('drafting and issuing', () => {
  it('drafts with the shipper as first holder and links the consignment', async () => {
    const r = await draft();
    expect(r.value).toMatchObject({
      blNumber: 'BL-1',
      status: 'DRAFT',
      issuer: ids.carrier.key,
      holder: ids.shipper.key,
      callId: 'CALL-1',
      transfers: [],
    });
    expect(r.event?.envelope.events).toEqual([
      { type: 'BillOfLadingDrafted', data: { blNumber: 'BL-1', consignmentId: 'CONS-1', callId: 'CALL-1' } },
    ]);
    expect(
      (await h.evaluate<Consignment>(ids.agent, 'cargo:GetConsignment', ['CONS-1'])).value.blNumber,
    ).toBe('BL-1');
  });

  it('refuses a draft by a non-carrier, for an unknown consignment, twice, or with a bad hash', async () => {
    expect((await draft(ids.agent)).error?.code).toBe('FORBIDDEN');
    expect((await draft(ids.carrier, { consignmentId: 'CONS-X' })).error?.code).toBe('NOT_FOUND');
    const bad = await draft(ids.carrier, { documentHash: 'AB'.repeat(32) });
    expect(bad.error?.code).toBe('INVALID_ARGUMENT');
    expect((bad.error?.details.errors as { path: string }[])[0].path).toBe('/documentHash');
    expect((await draft(ids.carrier, { blNumber: undefined })).error?.code).toBe('INVALID_ARGUMENT');
    await ok(draft());
    const second = await draft(ids.carrier, { blNumber: 'BL-2' });
    expect(second.error?.code).toBe('CONFLICT');
    expect(second.error?.details).toEqual({ objectType: 'billOfLading', id: 'BL-1' });
  });

  it('is issued by its issuer only', async () => {
    await ok(draft());
    const other = await h.submit(ids.shipper, 'bl:IssueBillOfLading', ['BL-1']);
    expect(other.error?.code).toBe('FORBIDDEN');
    expect(other.error?.details.required).toEqual(['issuer']);
    const r = await h.submit<BillOfLading>(ids.carrier, 'bl:IssueBillOfLading', ['BL-1']);
    expect(r.value.status).toBe('ISSUED');
    expect(r.event?.envelope.events[0].type).toBe('BillOfLadingIssued');
    const again = await h.submit(ids.carrier, 'bl:IssueBillOfLading', ['BL-1']);
    expect(again.error?.code).toBe('FAILED_PRECONDITION');
    expect(again.error?.details).toMatchObject({ state: 'ISSUED', action: 'issue' });
  });

  it('refuses transfers and surrender of a draft', async () => {
    await ok(draft());
    expect((await transfer(ids.shipper, ids.buyer.key)).error?.details).toMatchObject({
      state: 'DRAFT',
      action: 'transfer',
    });
    expect((await h.submit(ids.shipper, 'bl:SurrenderBillOfLading', ['BL-1'])).error?.code).toBe(
      'FAILED_PRECONDITION',
    );
  });

  it('answers NOT_FOUND for an unknown bill', async () => {
    expect((await h.evaluate(ids.agent, 'bl:GetBillOfLading', ['BL-X'])).error?.code).toBe('NOT_FOUND');
    expect((await h.submit(ids.carrier, 'bl:IssueBillOfLading', ['BL-X'])).error?.code).toBe('NOT_FOUND');
  });
});

describe('transfer of title', () => {
  beforeEach(issued);

  it('is made by the current holder, who then loses it', async () => {
    const r = await transfer(ids.shipper, ids.bank.key);
    expect(r.value).toMatchObject({ holder: ids.bank.key, status: 'ISSUED' });
    expect(r.value.transfers).toEqual([
      { from: ids.shipper.key, to: ids.bank.key, at: '2026-06-01T00:00:00.000Z' },
    ]);
    expect(r.event?.envelope.events[0]).toMatchObject({
      type: 'BillOfLadingTransferred',
      data: { transfer: 1 },
    });
    const former = await transfer(ids.shipper, ids.buyer.key);
    expect(former.error?.code).toBe('FORBIDDEN');
    expect(former.error?.details.required).toEqual(['holder']);
    await ok(transfer(ids.bank, ids.buyer.key));
    expect((await getBl()).holder).toBe(ids.buyer.key);
  });

  it('refuses a transfer by a non-holder, even the issuer', async () => {
    for (const who of [ids.buyer, ids.carrier, ids.portAuthority, ids.customs]) {
      const r = await transfer(who, who.key);
      expect(r.error?.code).toBe('FORBIDDEN');
    }
    expect((await getBl()).holder).toBe(ids.shipper.key);
  });

  it('refuses a transfer to the holder itself or to a malformed party', async () => {
    const self = await transfer(ids.shipper, ids.shipper.key);
    expect(self.error?.code).toBe('INVALID_ARGUMENT');
    expect(self.error?.details.input).toBe('newHolder');
    expect((await transfer(ids.shipper, 'somebody')).error?.code).toBe('INVALID_ARGUMENT');
  });

  it('stops after the maximum number of transfers', async () => {
    const parties = [ids.shipper, ids.buyer];
    for (let i = 0; i < 50; i++) await ok(transfer(parties[i % 2], parties[(i + 1) % 2].key));
    const r = await transfer(parties[0], parties[1].key);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ reason: 'TOO_MANY_TRANSFERS' });
  });
});

describe('surrender and amendment', () => {
  beforeEach(issued);

  it('is surrendered by its holder only, and then nothing moves', async () => {
    expect((await h.submit(ids.carrier, 'bl:SurrenderBillOfLading', ['BL-1'])).error?.code).toBe('FORBIDDEN');
    await ok(transfer(ids.shipper, ids.buyer.key));
    const r = await h.submit<BillOfLading>(ids.buyer, 'bl:SurrenderBillOfLading', ['BL-1']);
    expect(r.value.status).toBe('SURRENDERED');
    expect(r.event?.envelope.events[0].type).toBe('BillOfLadingSurrendered');
    const after = await transfer(ids.buyer, ids.shipper.key);
    expect(after.error?.details).toMatchObject({ state: 'SURRENDERED', final: true });
  });

  it('voids and reissues under a new number to the same holder', async () => {
    await ok(transfer(ids.shipper, ids.bank.key));
    const r = await h.submit<BillOfLading>(ids.carrier, 'bl:AmendBillOfLading', [
      'BL-1',
      { newBlNumber: 'BL-1A', documentHash: HASH2, reason: 'wrong weight' },
    ]);
    expect(r.value).toMatchObject({
      blNumber: 'BL-1A',
      status: 'ISSUED',
      holder: ids.bank.key,
      replaces: 'BL-1',
      documentHash: HASH2,
      transfers: [],
    });
    expect(r.event?.envelope.events.map((e) => e.type)).toEqual(['BillOfLadingVoided', 'BillOfLadingIssued']);
    expect(await getBl()).toMatchObject({ status: 'VOID', replacedBy: 'BL-1A' });
    expect(
      (await h.evaluate<Consignment>(ids.agent, 'cargo:GetConsignment', ['CONS-1'])).value.blNumber,
    ).toBe('BL-1A');
    expect((await transfer(ids.bank, ids.buyer.key)).error?.details).toMatchObject({ state: 'VOID' });
    await ok(transfer(ids.bank, ids.buyer.key, 'BL-1A'));
  });

  it('refuses an amendment by anyone but the issuer, to an existing number, or with bad input', async () => {
    const input = { newBlNumber: 'BL-1A', documentHash: HASH2, reason: 'x' };
    expect((await h.submit(ids.shipper, 'bl:AmendBillOfLading', ['BL-1', input])).error?.code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await h.submit(ids.carrier, 'bl:AmendBillOfLading', ['BL-1', { ...input, newBlNumber: 'BL-1' }])).error
        ?.code,
    ).toBe('CONFLICT');
    expect(
      (await h.submit(ids.carrier, 'bl:AmendBillOfLading', ['BL-1', { ...input, reason: 'x'.repeat(300) }]))
        .error?.code,
    ).toBe('INVALID_ARGUMENT');
    expect(
      (await h.submit(ids.carrier, 'bl:AmendBillOfLading', ['BL-1', { documentHash: HASH2, reason: 'x' }]))
        .error?.code,
    ).toBe('INVALID_ARGUMENT');
  });
});

describe('reading the bill of lading document', () => {
  beforeEach(issued);
  const check = (who: typeof ids.agent) =>
    h.evaluate<{ grantedBy: string; documentHash: string }>(who, 'bl:CheckBillOfLadingAccess', ['BL-1']);

  it('lets the parties to the consignment and customs read it', async () => {
    expect((await check(ids.carrier)).value).toEqual({
      blNumber: 'BL-1',
      status: 'ISSUED',
      documentHash: HASH,
      grantedBy: 'issuer',
    });
    expect((await check(ids.shipper)).value.grantedBy).toBe('holder');
    expect((await check(ids.buyer)).value.grantedBy).toBe('consignee');
    expect((await check(ids.insurer)).value.grantedBy).toBe('consignment-insurer');
    expect((await check(ids.customs)).value.grantedBy).toBe('CityMSP:customs');
  });

  it('refuses everyone else, a former holder included', async () => {
    await ok(transfer(ids.shipper, ids.bank.key));
    expect((await check(ids.bank)).value.grantedBy).toBe('holder');
    expect((await check(ids.shipper)).value.grantedBy).toBe('shipper');
    await ok(transfer(ids.bank, ids.otherAgent.key));
    const former = await check(ids.bank);
    expect(former.error?.code).toBe('FORBIDDEN');
    expect(former.error?.details).toMatchObject({ blNumber: 'BL-1' });
    for (const who of [ids.trucker, ids.terminal, ids.otherInsurer, ids.immigration])
      expect((await check(who)).error?.code).toBe('FORBIDDEN');
  });

  it('answers NOT_FOUND for an unknown bill', async () => {
    expect((await h.evaluate(ids.customs, 'bl:CheckBillOfLadingAccess', ['BL-X'])).error?.code).toBe(
      'NOT_FOUND',
    );
  });
});
