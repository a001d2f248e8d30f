import fc from 'fast-check';
import { valueKrw } from './clearing';
import { FEES_ACCOUNT, UTILITY_ACCOUNT, buildingAccount, settle, type Balance, type SettlementInput, type SettlementTrade } from './settlement';

const A = buildingAccount('A');
const B = buildingAccount('B');
const trade = (tradeId: string, buyer: string, seller: string, quantityWh: number, price: number): SettlementTrade => ({
  tradeId, buyer, seller, quantityWh, valueKrw: valueKrw(quantityWh, price),
});
const base = (over: Partial<SettlementInput>): SettlementInput => ({
  importTariff: 200, exportTariff: 80, feeBps: 0, trades: [], escrows: {}, metered: {}, balances: {}, ...over,
});
const total = (balances: Record<string, Balance>): number => Object.values(balances).reduce((s, b) => s + b.available + b.escrowed, 0);

describe('settle', () => {
  it('pays a trade from escrow, releases the rest and issues certificates for delivered energy', () => {
    const r = settle(base({
      trades: [trade('A000001', 'A', 'B', 10_000, 150)], // 1500 KRW
      escrows: { A: 2_000 },
      metered: { A: { importWh: 10_000, exportWh: 0 }, B: { importWh: 0, exportWh: 10_000 } },
      balances: { [A]: { available: 500, escrowed: 2_000 } },
    }));
    expect(r.balances[A]).toEqual({ available: 1_000, escrowed: 0 });
    expect(r.balances[B]).toEqual({ available: 1_500, escrowed: 0 });
    expect(r.postings).toEqual([{ kind: 'TRADE', debit: A, credit: B, amountKrw: 1_500, ref: 'A000001' }]);
    expect(r.certificates).toEqual([{ tradeId: 'A000001', producer: 'B', buyer: 'A', quantityWh: 10_000 }]);
    expect(r.buildings.find((b) => b.buildingId === 'A')).toMatchObject({ imbalanceWh: 0, escrowReleasedKrw: 2_000, paidKrw: 1_500 });
    expect(r.energy).toMatchObject({ tradedWh: 10_000, deliveredWh: 10_000, utilitySuppliedWh: 0, utilityAbsorbedWh: 0 });
  });

  it('caps delivery at metered export and charges the seller its shortfall at the import tariff', () => {
    const r = settle(base({
      trades: [trade('A000001', 'A', 'B', 10_000, 150)],
      escrows: { A: 1_500 },
      metered: { A: { importWh: 10_000, exportWh: 0 }, B: { importWh: 0, exportWh: 4_000 } },
      balances: { [A]: { available: 0, escrowed: 1_500 }, [B]: { available: 5_000, escrowed: 0 } },
    }));
    const b = r.buildings.find((x) => x.buildingId === 'B')!;
    expect(b).toMatchObject({ soldWh: 10_000, deliveredWh: 4_000, imbalanceWh: -6_000, utilityChargeKrw: 1_200, unpaidKrw: 0 });
    expect(r.certificates).toEqual([{ tradeId: 'A000001', producer: 'B', buyer: 'A', quantityWh: 4_000 }]);
    expect(r.balances[B].available).toBe(5_000 + 1_500 - 1_200);
    expect(r.balances[UTILITY_ACCOUNT].available).toBe(1_200);
  });

  it('sells a surplus to the utility at the export tariff out of what the utility holds', () => {
    const r = settle(base({
      metered: { B: { importWh: 0, exportWh: 5_000 } },
      balances: { [UTILITY_ACCOUNT]: { available: 300, escrowed: 0 } },
    }));
    expect(r.buildings[0]).toMatchObject({ imbalanceWh: 5_000, utilityCreditKrw: 300, owedByUtilityKrw: 100 });
    expect(r.balances[UTILITY_ACCOUNT].available).toBe(0);
  });

  it('records what a building cannot pay as unpaid instead of a negative balance', () => {
    const r = settle(base({ metered: { A: { importWh: 10_000, exportWh: 0 } }, balances: { [A]: { available: 700, escrowed: 0 } } }));
    expect(r.buildings[0]).toMatchObject({ utilityChargeKrw: 700, unpaidKrw: 1_300 });
    expect(r.balances[A].available).toBe(0);
  });

  it('pays no surplus to a buyer without a reading: what it bought counts as used', () => {
    // B sold without producing (a shortfall it pays); A bought and has no meter reading at all.
    const r = settle(base({
      trades: [trade('A000001', 'A', 'B', 10_000, 0)],
      metered: { B: { importWh: 0, exportWh: 0 } },
      balances: { [UTILITY_ACCOUNT]: { available: 50_000, escrowed: 0 }, [B]: { available: 5_000, escrowed: 0 } },
    }));
    expect(r.buildings.find((b) => b.buildingId === 'A')).toMatchObject({ boughtWh: 10_000, imbalanceWh: 0, utilityCreditKrw: 0 });
    expect(r.buildings.find((b) => b.buildingId === 'B')).toMatchObject({ imbalanceWh: -10_000, utilityChargeKrw: 2_000 });
    expect(r.balances[UTILITY_ACCOUNT].available).toBe(52_000);
    expect(r.energy).toMatchObject({ utilitySuppliedWh: 10_000, utilityAbsorbedWh: 0, unmeteredBoughtWh: 10_000 });
  });

  it('settles buildings whose ids are Object.prototype members like any other', () => {
    const id = 'constructor';
    const r = settle(base({
      trades: [trade('A000001', id, 'toString', 10_000, 150)],
      escrows: { [id]: 1_500 },
      metered: { [id]: { importWh: 10_000, exportWh: 0 }, toString: { importWh: 0, exportWh: 10_000 } },
      balances: { [buildingAccount(id)]: { available: 0, escrowed: 1_500 } },
    }));
    expect(r.balances[buildingAccount(id)]).toEqual({ available: 0, escrowed: 0 });
    expect(r.balances[buildingAccount('toString')]).toEqual({ available: 1_500, escrowed: 0 });
    expect(r.buildings.map((b) => b.imbalanceWh)).toEqual([0, 0]);
  });

  it('takes the market fee from the seller', () => {
    const r = settle(base({
      feeBps: 100,
      trades: [trade('A000001', 'A', 'B', 10_000, 150)],
      escrows: { A: 1_500 },
      metered: { A: { importWh: 10_000, exportWh: 0 }, B: { importWh: 0, exportWh: 10_000 } },
      balances: { [A]: { available: 0, escrowed: 1_500 } },
    }));
    expect(r.balances[B].available).toBe(1_485);
    expect(r.balances[FEES_ACCOUNT].available).toBe(15);
    expect(r.money.feesKrw).toBe(15);
  });

  it('refuses an escrow the account does not hold and a self-trade (bugs upstream)', () => {
    expect(() => settle(base({ escrows: { A: 10 } }))).toThrow(/escrow of A is short/);
    expect(() => settle(base({ trades: [trade('A000001', 'A', 'A', 10, 100)] }))).toThrow(/self-trade/);
    expect(() => settle(base({ trades: [trade('A000001', 'A', 'B', 10_000, 100)] }))).toThrow(/overdraw/);
  });
});

// Random settled intervals: trades between five buildings with escrow covering them, random
// metering and random starting balances.
const ids = ['A', 'B', 'C', 'D', 'E'];
const inputArb = fc
  .record({
    trades: fc.array(
      fc.record({ buyer: fc.constantFrom(...ids), seller: fc.constantFrom(...ids), quantityWh: fc.integer({ min: 1, max: 20_000 }), price: fc.integer({ min: 0, max: 400 }) }),
      { maxLength: 15 },
    ),
    metered: fc.dictionary(fc.constantFrom(...ids), fc.record({ importWh: fc.integer({ min: 0, max: 30_000 }), exportWh: fc.integer({ min: 0, max: 30_000 }) })),
    available: fc.dictionary(fc.constantFrom(...ids, 'utility', 'fees'), fc.integer({ min: 0, max: 10_000 })),
    extraEscrow: fc.dictionary(fc.constantFrom(...ids), fc.integer({ min: 0, max: 1_000 })),
    tariffs: fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 })),
    feeBps: fc.integer({ min: 0, max: 1_000 }),
  })
  .map((x): SettlementInput => {
    const trades = x.trades.filter((t) => t.buyer !== t.seller).map((t, i) => trade(`A${String(i).padStart(6, '0')}`, t.buyer, t.seller, t.quantityWh, t.price));
    const escrows: Record<string, number> = {};
    for (const t of trades) escrows[t.buyer] = (escrows[t.buyer] ?? 0) + t.valueKrw;
    for (const [id, extra] of Object.entries(x.extraEscrow)) escrows[id] = (escrows[id] ?? 0) + extra;
    const balances: Record<string, Balance> = {};
    for (const [ref, available] of Object.entries(x.available)) {
      const key = ref === 'utility' || ref === 'fees' ? ref : buildingAccount(ref);
      balances[key] = { available, escrowed: 0 };
    }
    for (const [id, held] of Object.entries(escrows)) {
      const key = buildingAccount(id);
      balances[key] = { available: balances[key]?.available ?? 0, escrowed: held + 7 }; // other intervals' escrow stays put
    }
    const [t1, t2] = x.tariffs;
    return { importTariff: Math.max(t1, t2), exportTariff: Math.min(t1, t2), feeBps: x.feeBps, trades, escrows, metered: x.metered, balances };
  });

describe('settle: properties', () => {
  it('conserves money: postings balance, no account goes negative, total holdings unchanged', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = settle(input);
        const before: Record<string, Balance> = { ...input.balances };
        for (const ref of Object.keys(r.balances)) before[ref] ??= { available: 0, escrowed: 0 };
        const after = { ...before, ...r.balances };
        expect(total(after)).toBe(total(before));
        for (const b of Object.values(after)) {
          expect(b.available).toBeGreaterThanOrEqual(0);
          expect(b.escrowed).toBeGreaterThanOrEqual(0);
        }
        // Double entry: per account, the change equals credits minus debits.
        for (const ref of Object.keys(after)) {
          const credits = r.postings.filter((p) => p.credit === ref).reduce((s, p) => s + p.amountKrw, 0);
          const debits = r.postings.filter((p) => p.debit === ref).reduce((s, p) => s + p.amountKrw, 0);
          expect(after[ref].available + after[ref].escrowed - before[ref].available - before[ref].escrowed).toBe(credits - debits);
        }
        expect(r.money.debitsKrw).toBe(r.money.creditsKrw);
        for (const p of r.postings) expect(p.amountKrw).toBeGreaterThan(0);
        // Every escrow of the interval is released, and only that.
        for (const [id, held] of Object.entries(input.escrows)) expect(after[buildingAccount(id)].escrowed).toBe(input.balances[buildingAccount(id)].escrowed - held);
      }),
      { numRuns: 400 },
    );
  });

  it('conserves energy: metered net flow equals the utility net flow; delivery within export; certificates = delivery', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = settle(input);
        const net = r.buildings.reduce((s, b) => s + b.exportWh - b.importWh, 0);
        expect(net).toBe(r.energy.utilityAbsorbedWh - r.energy.utilitySuppliedWh + r.energy.unmeteredBoughtWh);
        expect(r.buildings.reduce((s, b) => s + b.soldWh, 0)).toBe(r.buildings.reduce((s, b) => s + b.boughtWh, 0));
        for (const b of r.buildings) {
          expect(b.deliveredWh).toBeLessThanOrEqual(Math.min(b.exportWh, b.soldWh));
          expect(b.deliveredWh).toBe(Math.min(b.exportWh, b.soldWh));
        }
        expect(r.certificates.reduce((s, c) => s + c.quantityWh, 0)).toBe(r.energy.deliveredWh);
        for (const c of r.certificates) expect(c.producer).not.toBe(c.buyer);
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic: the same interval in any order settles identically', () => {
    fc.assert(
      fc.property(inputArb.chain((input) => fc.tuple(fc.constant(input), fc.shuffledSubarray([...input.trades], { minLength: input.trades.length, maxLength: input.trades.length }))), ([input, shuffled]) => {
        const reordered: SettlementInput = {
          ...input,
          trades: shuffled,
          metered: Object.fromEntries(Object.entries(input.metered).reverse()),
          escrows: Object.fromEntries(Object.entries(input.escrows).reverse()),
        };
        expect(JSON.stringify(settle(reordered))).toBe(JSON.stringify(settle(input)));
      }),
      { numRuns: 200 },
    );
  });
});
