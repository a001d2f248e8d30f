import { ContractHarness, conflictsAmong, identity, type TestIdentity } from '@cityledger/chaincode-common';
import { AFTER_I1, I1, ids, newHarness, ok, seedMarket, submit } from './energy.fixtures';

/**
 * Fabric's MVCC check: a transaction is invalidated when a key it read (or a range it scanned) was
 * written by a transaction committed before it. Here many buildings endorse against the same state,
 * as in one busy block, and we check that no transaction writes anything another one read.
 */
const N = 40;

async function busyMarket(): Promise<{ h: ContractHarness; buildings: TestIdentity[]; meters: TestIdentity[] }> {
  const h = newHarness();
  await seedMarket(h);
  const buildings: TestIdentity[] = [];
  const meters: TestIdentity[] = [];
  for (let i = 0; i < N; i++) {
    const id = `P${i}`;
    ok(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: id, neighbours: [] }));
    ok(await submit(h, ids.operator, 'registry:RegisterMeter', { meterId: `M${i}`, buildingId: id, importWh: 0, exportWh: 0 }));
    ok(await submit(h, ids.utility, 'funds:Mint', { mintId: `pay-${i}`, account: `building:${id}`, amountKrw: 100_000 }));
    buildings.push(identity('CityMSP', `bldg-${i}`, { role: 'building', buildingId: id }));
    meters.push(identity('CityMSP', `meter-${i}`, { role: 'meter', buildingId: id, meterId: `M${i}` }));
  }
  ok(await submit(h, ids.operator, 'market:OpenInterval', I1));
  return { h, buildings, meters };
}

describe('hot keys: concurrent bids and readings in one interval', () => {
  it('lets every building bid against the same state without an MVCC conflict', async () => {
    const { h, buildings } = await busyMarket();
    // Endorse all against the same committed state (evaluate = endorse without committing).
    const results = await Promise.all(
      buildings.map((b, i) =>
        h.evaluate(b, 'market:PlaceOrder', [{ intervalId: I1, side: i % 2 ? 'SELL' : 'BUY', quantityWh: 1_000 + i, limitPrice: 100 + i }]),
      ),
    );
    expect(results.filter((r) => !r.ok).map((r) => r.message)).toEqual([]);
    expect(conflictsAmong(results)).toEqual([]);
    for (const r of results) r.stub.commit();
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    const cleared = ok(await submit(h, ids.operator, 'market:Clear', I1)) as { tradeCount: number };
    expect(cleared.tradeCount).toBeGreaterThan(0);
  });

  it('lets every meter read the same interval without an MVCC conflict', async () => {
    const { h, meters } = await busyMarket();
    h.setTime(AFTER_I1);
    const results = await Promise.all(meters.map((m, i) => h.evaluate(m, 'metering:SubmitReading', [{ intervalId: I1, importWh: 10 * i, exportWh: 5 * i }])));
    expect(results.filter((r) => !r.ok).map((r) => r.message)).toEqual([]);
    expect(conflictsAmong(results)).toEqual([]);
  });

  it('detects a conflict where one exists: two bids of the same building share its account', async () => {
    const { h, buildings } = await busyMarket();
    const order = { intervalId: I1, side: 'BUY', quantityWh: 1_000, limitPrice: 100 };
    const results = await Promise.all([h.evaluate(buildings[0], 'market:PlaceOrder', [order]), h.evaluate(buildings[0], 'market:PlaceOrder', [order])]);
    expect(conflictsAmong(results).length).toBeGreaterThan(0);
  });
});
