import { identity, type ContractHarness } from '@cityledger/chaincode-common';
import { AFTER_I1, I1, ask, balance, bid, evaluate, ids, mint, newHarness, ok, read, refused, seedMarket, submit } from './energy.fixtures';

/** A, C buy from B: the interval from the market tests (price 125: A 10 kWh, C 2 kWh). */
async function clearedInterval(feeBps = 0): Promise<ContractHarness> {
  const h = newHarness();
  await seedMarket(h, feeBps);
  await mint(h, 'building:A', 10_000);
  await mint(h, 'building:C', 1_000);
  await mint(h, 'utility', 50_000);
  ok(await submit(h, ids.operator, 'market:OpenInterval', I1));
  await bid(h, ids.a, 10_000, 200);
  await bid(h, ids.c, 5_000, 150);
  await ask(h, ids.b, 12_000, 100);
  ok(await submit(h, ids.operator, 'market:CloseGate', I1));
  ok(await submit(h, ids.operator, 'market:Clear', I1));
  h.setTime(AFTER_I1);
  return h;
}

async function meterAndSettle(h: ContractHarness, exportB: number) {
  ok(await read(h, ids.meterA, 10_000, 0));
  ok(await read(h, ids.meterB, 0, exportB));
  ok(await read(h, ids.meterC, 2_000, 0));
  ok(await submit(h, ids.operator, 'metering:MarkMetered', I1));
  return submit(h, ids.operator, 'settlement:Settle', I1);
}

describe('settlement', () => {
  it('settles a building whose id is an Object.prototype member like any other', async () => {
    const h = newHarness();
    await seedMarket(h);
    const k = identity('CityMSP', 'bldg-k', { role: 'building', buildingId: 'constructor' });
    const meterK = identity('CityMSP', 'meter-k', { role: 'meter', buildingId: 'constructor', meterId: 'MK' });
    ok(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'constructor', neighbours: [] }));
    ok(await submit(h, ids.operator, 'registry:RegisterMeter', { meterId: 'MK', buildingId: 'constructor', importWh: 1_000, exportWh: 500 }));
    await mint(h, 'building:constructor', 5_000);
    ok(await submit(h, ids.operator, 'market:OpenInterval', I1));
    await bid(h, k, 10_000, 200); // escrows 2,000
    await ask(h, ids.b, 10_000, 100); // clears at 150: 1,500
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    ok(await submit(h, ids.operator, 'market:Clear', I1));
    h.setTime(AFTER_I1);
    ok(await read(h, meterK, 10_000, 0));
    ok(await read(h, ids.meterB, 0, 10_000));
    ok(await submit(h, ids.operator, 'metering:MarkMetered', I1));
    ok(await submit(h, ids.operator, 'settlement:Settle', I1));
    expect(await balance(h, 'building:constructor')).toEqual({ available: 3_500, escrowed: 0 });
    expect(await balance(h, 'building:B')).toEqual({ available: 1_500, escrowed: 0 });
    expect(ok(await evaluate(h, ids.utility, 'funds:GetSupply'))).toMatchObject({ balanced: true });
  });

  it('refuses a settlement that would take a balance past the largest amount kept exactly', async () => {
    const h = await clearedInterval();
    await mint(h, 'building:B', Number.MAX_SAFE_INTEGER - 1_000); // B then receives 1,500
    refused(await meterAndSettle(h, 12_000), 'FAILED_PRECONDITION', { reason: 'BALANCE_LIMIT', account: 'building:B' });
    expect(await balance(h, 'building:B')).toEqual({ available: Number.MAX_SAFE_INTEGER - 1_000, escrowed: 0 });
    expect(ok(await evaluate(h, ids.resident, 'market:GetInterval', I1))).toMatchObject({ state: 'METERED' });
  });

  it('settles a full interval: trades paid from escrow, escrow released, certificates retired, money conserved', async () => {
    const h = await clearedInterval();
    const r = await meterAndSettle(h, 12_000);
    const s = ok(r) as { buildings: Record<string, unknown>[]; energy: Record<string, number>; money: Record<string, number>; postingCount: number; certificateCount: number };
    expect(s.energy).toEqual({ importWh: 12_000, exportWh: 12_000, tradedWh: 12_000, deliveredWh: 12_000, utilitySuppliedWh: 0, utilityAbsorbedWh: 0, unmeteredBoughtWh: 0 });
    expect(s.money).toEqual({ debitsKrw: 1_500, creditsKrw: 1_500, feesKrw: 0 });
    expect(s).toMatchObject({ postingCount: 2, certificateCount: 2 });
    expect(await balance(h, 'building:A')).toEqual({ available: 8_750, escrowed: 0 });
    expect(await balance(h, 'building:B')).toEqual({ available: 1_500, escrowed: 0 });
    expect(await balance(h, 'building:C')).toEqual({ available: 750, escrowed: 0 });
    expect(r.event?.name).toBe('settlement.Settle');
    expect(r.event?.envelope.events.map((e) => e.type)).toEqual(['IntervalSettled', 'CertificatesRetired']);
    expect(ok(await evaluate(h, ids.resident, 'market:GetInterval', I1))).toMatchObject({ state: 'SETTLED' });
    expect(ok(await evaluate(h, ids.utility, 'funds:GetSupply'))).toMatchObject({ balanced: true, heldKrw: 61_000 });

    const certsA = ok(await evaluate(h, ids.a, 'settlement:ListCertificates', 'A', 10, '')) as { items: Record<string, unknown>[] };
    expect(certsA.items).toEqual([
      {
        certificateId: `GC.${I1}.A000001`, intervalId: I1, tradeId: 'A000001', producer: 'B', buyer: 'A', quantityWh: 10_000,
        source: 'solar', status: 'RETIRED', issuedAt: AFTER_I1, retiredAt: AFTER_I1, retiredFor: 'A',
      },
    ]);
    const certsB = ok(await evaluate(h, ids.b, 'settlement:ListCertificates', 'B', 10, '')) as { items: unknown[] };
    expect(certsB.items).toHaveLength(2);
    refused(await evaluate(h, ids.a, 'settlement:ListCertificates', 'B', 10, ''), 'FORBIDDEN');

    const statement = ok(await evaluate(h, ids.a, 'funds:ListEntries', 'building:A', 20, '')) as { items: { kind: string; amountKrw: number }[] };
    expect(statement.items.map((e) => [e.kind, e.amountKrw])).toEqual(
      expect.arrayContaining([['MINT', 10_000], ['ESCROW_HOLD', -2_000], ['ESCROW_RELEASE', 2_000], ['TRADE', -1_250]]),
    );
    const sum = statement.items.reduce((acc, e) => acc + e.amountKrw, 0);
    expect(sum).toBe(8_750);
  });

  it('is idempotent: settling again returns the recorded settlement and writes nothing', async () => {
    const h = await clearedInterval();
    const first = ok(await meterAndSettle(h, 12_000));
    const stateBefore = new Map(h.ledger.state);
    const again = await submit(h, ids.operator, 'settlement:Settle', I1);
    expect(ok(again)).toEqual(first);
    expect(again.stub.writes.size).toBe(0);
    expect(again.event).toBeUndefined();
    expect(h.ledger.state).toEqual(stateBefore);
    expect(ok(await evaluate(h, ids.utility, 'settlement:GetSettlement', I1))).toEqual(first);
  });

  it("shows every building's row to the operator and the utility, a building its own, anyone else the totals", async () => {
    const h = await clearedInterval();
    const full = ok(await meterAndSettle(h, 12_000)) as { buildings: { buildingId: string }[] };
    expect(full.buildings.map((b) => b.buildingId)).toEqual(['A', 'B', 'C']);
    const rowsFor = async (who: (typeof ids)[keyof typeof ids]) =>
      ((ok(await evaluate(h, who, 'settlement:GetSettlement', I1)) as typeof full).buildings).map((b) => b.buildingId);
    expect(await rowsFor(ids.operator)).toEqual(['A', 'B', 'C']);
    expect(await rowsFor(ids.a)).toEqual(['A']);
    expect(await rowsFor(ids.meterB)).toEqual(['B']);
    expect(await rowsFor(ids.meterAasB)).toEqual([]); // meter MA claiming building B
    expect(await rowsFor(ids.resident)).toEqual([]);
    expect(await rowsFor(ids.insurerOperator)).toEqual([]);
    expect(ok(await evaluate(h, ids.resident, 'settlement:GetSettlement', I1))).toEqual({ ...full, buildings: [] });
  });

  it('caps an over-delivery at the metered export and charges the shortfall to the seller', async () => {
    const h = await clearedInterval();
    await mint(h, 'building:B', 500);
    const s = ok(await meterAndSettle(h, 5_000)) as { buildings: { buildingId: string }[]; energy: Record<string, number> };
    const b = s.buildings.find((x) => x.buildingId === 'B');
    expect(b).toMatchObject({ soldWh: 12_000, exportWh: 5_000, deliveredWh: 5_000, imbalanceWh: -7_000, utilityChargeKrw: 1_400, unpaidKrw: 0 });
    expect(s.energy).toMatchObject({ deliveredWh: 5_000, utilitySuppliedWh: 7_000 });
    expect(await balance(h, 'building:B')).toEqual({ available: 500 + 1_500 - 1_400, escrowed: 0 });
    expect(await balance(h, 'utility')).toEqual({ available: 51_400, escrowed: 0 });
    const certs = ok(await evaluate(h, ids.operator, 'settlement:ListCertificates', 'B', 10, '')) as { items: { quantityWh: number }[] };
    expect(certs.items.map((c) => c.quantityWh)).toEqual([5_000]); // the first trade takes the whole delivery
    expect(ok(await evaluate(h, ids.operator, 'funds:GetSupply'))).toMatchObject({ balanced: true });
  });

  it('takes fees for the fees account and buys surpluses with the utility’s funds', async () => {
    const h = await clearedInterval(200);
    const s = ok(await meterAndSettle(h, 20_000)) as { money: Record<string, number>; buildings: { buildingId: string }[] };
    expect(s.money.feesKrw).toBe(25 + 5);
    expect(s.buildings.find((x) => x.buildingId === 'B')).toMatchObject({ imbalanceWh: 8_000, utilityCreditKrw: 640, feeKrw: 30 });
    expect(await balance(h, 'fees')).toEqual({ available: 30, escrowed: 0 });
    expect(await balance(h, 'building:B')).toEqual({ available: 1_500 - 30 + 640, escrowed: 0 });
    ok(await submit(h, ids.operator, 'funds:Burn', { burnId: 'fees-out', account: 'fees', amountKrw: 30 }));
  });

  it('releases the escrow of an unfilled bid and settles an interval without readings', async () => {
    const h = newHarness();
    await seedMarket(h);
    await mint(h, 'building:A', 1_000);
    ok(await submit(h, ids.operator, 'market:OpenInterval', I1));
    await bid(h, ids.a, 1_000, 90);
    for (const step of ['market:CloseGate', 'market:Clear']) ok(await submit(h, ids.operator, step, I1));
    h.setTime(AFTER_I1);
    ok(await submit(h, ids.operator, 'metering:MarkMetered', I1));
    const s = ok(await submit(h, ids.operator, 'settlement:Settle', I1)) as { postingCount: number; buildings: unknown[] };
    expect(s).toMatchObject({ postingCount: 0, certificateCount: 0 });
    expect(s.buildings).toMatchObject([{ buildingId: 'A', escrowReleasedKrw: 90 }]);
    expect(await balance(h, 'building:A')).toEqual({ available: 1_000, escrowed: 0 });
  });

  it('refuses settling before metering closes, by anyone but the operator, or an unknown interval', async () => {
    const h = await clearedInterval();
    refused(await submit(h, ids.operator, 'settlement:Settle', I1), 'FAILED_PRECONDITION', { state: 'CLEARED', to: 'SETTLED' });
    ok(await submit(h, ids.operator, 'metering:MarkMetered', I1));
    refused(await submit(h, ids.utility, 'settlement:Settle', I1), 'FORBIDDEN');
    refused(await submit(h, ids.a, 'settlement:Settle', I1), 'FORBIDDEN');
    refused(await submit(h, ids.operator, 'settlement:Settle', '2026-06-01T10:00Z'), 'NOT_FOUND');
    refused(await submit(h, ids.operator, 'settlement:Settle', 'not-an-interval'), 'INVALID_ARGUMENT', { input: 'intervalId' });
    refused(await evaluate(h, ids.operator, 'settlement:GetSettlement', I1), 'NOT_FOUND', { objectType: 'settlement' });
  });
});
