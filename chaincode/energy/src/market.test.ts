import { identity, type ContractHarness } from '@cityledger/chaincode-common';
import { I1, I2, ask, balance, bid, evaluate, ids, mint, newHarness, ok, refused, seedMarket, submit } from './energy.fixtures';

async function openMarket(feeBps = 0): Promise<ContractHarness> {
  const h = newHarness();
  await seedMarket(h, feeBps);
  ok(await submit(h, ids.operator, 'market:OpenInterval', I1));
  return h;
}

describe('market: intervals', () => {
  it('opens an interval with the tariffs and fee in force', async () => {
    const h = newHarness();
    refused(await submit(h, ids.operator, 'market:OpenInterval', I1), 'FAILED_PRECONDITION', { reason: 'NOT_CONFIGURED' });
    await seedMarket(h, 30);
    const r = await submit(h, ids.operator, 'market:OpenInterval', I1);
    expect(ok(r)).toMatchObject({
      intervalId: I1, state: 'OPEN', start: '2026-06-01T09:00:00.000Z', end: '2026-06-01T09:15:00.000Z', importTariff: 200, exportTariff: 80, feeBps: 30,
    });
    expect(r.event?.envelope.events[0].type).toBe('IntervalOpened');
    refused(await submit(h, ids.operator, 'market:OpenInterval', I1), 'CONFLICT', { objectType: 'interval' });
    refused(await submit(h, ids.operator, 'market:OpenInterval', '2026-06-01T09:07Z'), 'INVALID_ARGUMENT', { input: 'intervalId' });
    refused(await submit(h, ids.operator, 'market:OpenInterval', '2026-13-01T09:00Z'), 'INVALID_ARGUMENT', { input: 'intervalId' });
    refused(await submit(h, ids.operator, 'market:OpenInterval', '2026-06-01 09:00'), 'INVALID_ARGUMENT', { input: 'intervalId' });
    refused(await submit(h, ids.a, 'market:OpenInterval', I2), 'FORBIDDEN');
    refused(await evaluate(h, ids.a, 'market:GetInterval', I2), 'NOT_FOUND', { objectType: 'interval', id: I2 });
    expect(ok(await evaluate(h, ids.resident, 'market:GetInterval', I1))).toMatchObject({ state: 'OPEN' });
  });

  it('moves OPEN -> GATE_CLOSED -> CLEARED by the operator only, in order', async () => {
    const h = await openMarket();
    refused(await submit(h, ids.operator, 'market:Clear', I1), 'FAILED_PRECONDITION', { state: 'OPEN', to: 'CLEARED' });
    refused(await submit(h, ids.a, 'market:CloseGate', I1), 'FORBIDDEN');
    refused(await submit(h, ids.operator, 'market:CloseGate', I2), 'NOT_FOUND');
    const closed = await submit(h, ids.operator, 'market:CloseGate', I1);
    expect(ok(closed)).toMatchObject({ state: 'GATE_CLOSED' });
    expect(closed.event?.envelope.events).toEqual([{ type: 'GateClosed', data: { intervalId: I1 } }]);
    refused(await submit(h, ids.operator, 'market:CloseGate', I1), 'FAILED_PRECONDITION', { state: 'GATE_CLOSED' });
    refused(await submit(h, ids.utility, 'market:Clear', I1), 'FORBIDDEN');
    const cleared = await submit(h, ids.operator, 'market:Clear', I1);
    expect(ok(cleared)).toMatchObject({ state: 'CLEARED', clearingPrice: null, clearedWh: 0, tradeCount: 0 });
    expect(cleared.event?.envelope.events[0]).toMatchObject({ type: 'IntervalCleared', data: { clearingPrice: null, trades: 0 } });
    refused(await submit(h, ids.operator, 'market:Clear', I1), 'FAILED_PRECONDITION', { state: 'CLEARED' });
  });
});

describe('market: orders', () => {
  it('escrows a bid from available funds and refuses a bid beyond the balance', async () => {
    const h = await openMarket();
    await mint(h, 'building:A', 2_500);
    const r = await submit(h, ids.a, 'market:PlaceOrder', { intervalId: I1, side: 'BUY', quantityWh: 10_000, limitPrice: 200 });
    const order = ok(r) as { orderId: string; escrowKrw: number; status: string; buildingId: string };
    expect(order).toMatchObject({ escrowKrw: 2_000, status: 'OPEN', buildingId: 'A', orderId: r.stub.getTxID() });
    expect(r.event?.envelope.events[0]).toMatchObject({ type: 'OrderPlaced', data: { side: 'BUY', escrowKrw: 2_000, buildingId: 'A' } });
    expect(await balance(h, 'building:A')).toEqual({ available: 500, escrowed: 2_000 });
    refused(await submit(h, ids.a, 'market:PlaceOrder', { intervalId: I1, side: 'BUY', quantityWh: 3_000, limitPrice: 200 }), 'FAILED_PRECONDITION', {
      reason: 'INSUFFICIENT_FUNDS', available: 500, required: 600,
    });
    refused(await submit(h, ids.b, 'market:PlaceOrder', { intervalId: I1, side: 'BUY', quantityWh: 1_000, limitPrice: 200 }), 'FAILED_PRECONDITION', { reason: 'INSUFFICIENT_FUNDS' });
    // An ask needs no funds.
    expect(await ask(h, ids.b, 5_000, 100)).toEqual(expect.any(String));
  });

  it('refuses a building buying and selling in the same interval (self-trade prevention)', async () => {
    const h = await openMarket();
    await mint(h, 'building:A', 10_000);
    await bid(h, ids.a, 1_000, 100);
    refused(await submit(h, ids.a, 'market:PlaceOrder', { intervalId: I1, side: 'SELL', quantityWh: 1_000, limitPrice: 50 }), 'FAILED_PRECONDITION', { reason: 'SELF_TRADE' });
    await bid(h, ids.a, 1_000, 120); // more of the same side is fine
  });

  it('refuses orders from non-buildings, unregistered buildings, bad input and closed intervals', async () => {
    const h = await openMarket();
    const good = { intervalId: I1, side: 'SELL', quantityWh: 1_000, limitPrice: 100 };
    refused(await submit(h, ids.operator, 'market:PlaceOrder', good), 'FORBIDDEN', { required: ['CityMSP:building'] });
    refused(await submit(h, ids.portBuilding, 'market:PlaceOrder', good), 'FORBIDDEN');
    refused(await submit(h, ids.meterA, 'market:PlaceOrder', good), 'FORBIDDEN');
    refused(await submit(h, ids.z, 'market:PlaceOrder', good), 'FORBIDDEN', { reason: 'BUILDING_NOT_REGISTERED' });
    refused(await submit(h, ids.noBuildingId, 'market:PlaceOrder', good), 'FORBIDDEN', { attribute: 'buildingId' });
    refused(await submit(h, ids.a, 'market:PlaceOrder', { ...good, side: 'HOLD' }), 'INVALID_ARGUMENT', { input: 'order' });
    refused(await submit(h, ids.a, 'market:PlaceOrder', { ...good, quantityWh: 0 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.a, 'market:PlaceOrder', { ...good, limitPrice: 1_000_001 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.a, 'market:PlaceOrder', { ...good, extra: 1 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.a, 'market:PlaceOrder', { side: 'SELL', quantityWh: 1, limitPrice: 1 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.a, 'market:PlaceOrder', '{not json'), 'INVALID_ARGUMENT', { input: 'order' });
    refused(await submit(h, ids.a, 'market:PlaceOrder', { ...good, pad: 'x'.repeat(70_000) }), 'INVALID_ARGUMENT', { input: 'order', limit: 65536 });
    refused(await submit(h, ids.a, 'market:PlaceOrder', { ...good, intervalId: I2 }), 'NOT_FOUND');
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    refused(await submit(h, ids.a, 'market:PlaceOrder', good), 'FAILED_PRECONDITION', { state: 'GATE_CLOSED' });
  });

  it('cancels an open order, releasing its escrow', async () => {
    const h = await openMarket();
    await mint(h, 'building:A', 1_000);
    const orderId = await bid(h, ids.a, 2_000, 300);
    refused(await submit(h, ids.b, 'market:CancelOrder', I1, orderId), 'FORBIDDEN', { orderId });
    refused(await submit(h, ids.a, 'market:CancelOrder', I1, 'nope'), 'NOT_FOUND');
    const r = await submit(h, ids.a, 'market:CancelOrder', I1, orderId);
    expect(ok(r)).toMatchObject({ status: 'CANCELLED', escrowKrw: 0 });
    expect(r.event?.envelope.events[0]).toMatchObject({ type: 'OrderCancelled', data: { releasedKrw: 600 } });
    expect(await balance(h, 'building:A')).toEqual({ available: 1_000, escrowed: 0 });
    refused(await submit(h, ids.a, 'market:CancelOrder', I1, orderId), 'FAILED_PRECONDITION', { state: 'CANCELLED' });
    // Cancelling the bid lifts the one-side rule.
    await ask(h, ids.a, 500, 100);
    const sell = await ask(h, ids.a, 500, 100);
    ok(await submit(h, ids.a, 'market:CancelOrder', I1, sell));
    const another = await ask(h, ids.a, 500, 100);
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    refused(await submit(h, ids.a, 'market:CancelOrder', I1, another), 'FAILED_PRECONDITION', { state: 'GATE_CLOSED' });
  });

  it('clears at one uniform price with a partial marginal fill and lists trades and orders', async () => {
    const h = await openMarket();
    await mint(h, 'building:A', 10_000);
    await mint(h, 'building:C', 1_000);
    const bA = await bid(h, ids.a, 10_000, 200);
    const bC = await bid(h, ids.c, 5_000, 150);
    const sB = await ask(h, ids.b, 12_000, 100);
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    const r = await submit(h, ids.operator, 'market:Clear', I1);
    expect(ok(r)).toMatchObject({ state: 'CLEARED', clearingPrice: 125, clearedWh: 12_000, tradeCount: 2 });
    expect(r.event?.envelope.events.map((e) => e.type)).toEqual(['TradeMatched', 'TradeMatched', 'IntervalCleared']);
    expect(r.event?.envelope.events[0]).toEqual({
      type: 'TradeMatched',
      data: { intervalId: I1, tradeId: 'A000001', kind: 'AUCTION', buyer: 'A', seller: 'B', quantityWh: 10_000, price: 125 },
    });
    expect(r.event?.envelope.events[2]).toEqual({
      type: 'IntervalCleared',
      data: { intervalId: I1, clearingPrice: 125, auctionWh: 12_000, bilateralWh: 0, trades: 2, expiredContracts: 0 },
    });
    const tradesPage = ok(await evaluate(h, ids.resident, 'market:ListTrades', I1, 10, '')) as { items: unknown[]; bookmark: string };
    expect(tradesPage).toEqual({
      bookmark: '',
      items: [
        { intervalId: I1, tradeId: 'A000001', kind: 'AUCTION', buyer: 'A', seller: 'B', buyRef: bA, sellRef: sB, quantityWh: 10_000, price: 125, valueKrw: 1_250 },
        { intervalId: I1, tradeId: 'A000002', kind: 'AUCTION', buyer: 'C', seller: 'B', buyRef: bC, sellRef: sB, quantityWh: 2_000, price: 125, valueKrw: 250 },
      ],
    });
    const cOrders = ok(await evaluate(h, ids.c, 'market:ListOrders', 'C', 10, '')) as { items: { filledWh: number; status: string }[] };
    expect(cOrders.items).toMatchObject([{ filledWh: 2_000, status: 'PARTIALLY_FILLED' }]);
    const bTrades = ok(await evaluate(h, ids.b, 'market:ListBuildingTrades', 'B', 1, '')) as { items: { tradeId: string }[]; bookmark: string };
    expect(bTrades.items.map((t) => t.tradeId)).toEqual(['A000001']);
    expect(bTrades.items[0]).not.toHaveProperty('buildingId');
    expect(bTrades.bookmark).not.toBe('');
    refused(await evaluate(h, ids.a, 'market:ListOrders', 'C', 10, ''), 'FORBIDDEN');
    refused(await evaluate(h, ids.a, 'market:ListBuildingTrades', 'B', 10, ''), 'FORBIDDEN');
    expect((ok(await evaluate(h, ids.utility, 'market:ListOrders', 'A', 10, '')) as { items: { status: string }[] }).items[0].status).toBe('FILLED');
  });

  it('leaves orders UNFILLED when the book does not cross', async () => {
    const h = await openMarket();
    await mint(h, 'building:A', 10_000);
    await bid(h, ids.a, 1_000, 90);
    await ask(h, ids.b, 1_000, 100);
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    expect(ok(await submit(h, ids.operator, 'market:Clear', I1))).toMatchObject({ clearingPrice: null, tradeCount: 0 });
    const orders = ok(await evaluate(h, ids.operator, 'market:ListOrders', 'A', 10, '')) as { items: { status: string }[] };
    expect(orders.items[0].status).toBe('UNFILLED');
  });
});

describe('market: bilateral contracts', () => {
  it('trades an accepted contract between neighbours at its own price and expires an unaccepted one', async () => {
    const h = await openMarket();
    await mint(h, 'building:A', 5_000);
    const p = await submit(h, ids.b, 'market:ProposeBilateral', { intervalId: I1, buyerBuildingId: 'A', quantityWh: 4_000, price: 150 });
    const contract = ok(p) as { contractId: string; valueKrw: number; status: string };
    expect(contract).toMatchObject({ status: 'PROPOSED', valueKrw: 600, seller: 'B', buyer: 'A', escrowKrw: 0 });
    expect(p.event?.envelope.events[0].type).toBe('BilateralProposed');
    const unaccepted = ok(await submit(h, ids.b, 'market:ProposeBilateral', { intervalId: I1, buyerBuildingId: 'C', quantityWh: 1_000, price: 150 })) as { contractId: string };

    refused(await submit(h, ids.b, 'market:AcceptBilateral', I1, contract.contractId), 'FORBIDDEN', { contractId: contract.contractId });
    refused(await submit(h, ids.a, 'market:AcceptBilateral', I1, 'nope'), 'NOT_FOUND');
    const acc = await submit(h, ids.a, 'market:AcceptBilateral', I1, contract.contractId);
    expect(ok(acc)).toMatchObject({ status: 'ACCEPTED', escrowKrw: 600 });
    expect(acc.event?.envelope.events[0]).toMatchObject({ type: 'BilateralAccepted', data: { escrowKrw: 600 } });
    expect(await balance(h, 'building:A')).toEqual({ available: 4_400, escrowed: 600 });
    refused(await submit(h, ids.a, 'market:AcceptBilateral', I1, contract.contractId), 'FAILED_PRECONDITION', { state: 'ACCEPTED' });

    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    refused(await submit(h, ids.c, 'market:AcceptBilateral', I1, unaccepted.contractId), 'FAILED_PRECONDITION', { state: 'GATE_CLOSED' });
    const cleared = await submit(h, ids.operator, 'market:Clear', I1);
    expect(ok(cleared)).toMatchObject({ clearedWh: 4_000, tradeCount: 1, clearingPrice: null });
    expect(cleared.event?.envelope.events[1].data).toMatchObject({ bilateralWh: 4_000, expiredContracts: 1 });
    const list = ok(await evaluate(h, ids.a, 'market:ListBuildingTrades', 'A', 10, '')) as { items: unknown[] };
    expect(list.items).toMatchObject([{ tradeId: 'B000001', kind: 'BILATERAL', buyer: 'A', seller: 'B', price: 150, valueKrw: 600, buyRef: contract.contractId }]);
    const bContracts = ok(await evaluate(h, ids.b, 'market:ListBilaterals', 'B', 10, '')) as { items: { status: string }[] };
    expect(bContracts.items.map((c) => c.status).sort()).toEqual(['EXPIRED', 'TRADED']);
    refused(await evaluate(h, ids.c, 'market:ListBilaterals', 'A', 10, ''), 'FORBIDDEN');
  });

  it('refuses contracts with non-neighbours, oneself, unknown buyers, without funds or after the gate', async () => {
    const h = await openMarket();
    const c = { intervalId: I1, buyerBuildingId: 'C', quantityWh: 1_000, price: 100 };
    refused(await submit(h, ids.a, 'market:ProposeBilateral', c), 'FORBIDDEN', { reason: 'NOT_NEIGHBOUR' });
    refused(await submit(h, ids.a, 'market:ProposeBilateral', { ...c, buyerBuildingId: 'A' }), 'INVALID_ARGUMENT', { reason: 'SELF_TRADE' });
    refused(await submit(h, ids.z, 'market:ProposeBilateral', c), 'FORBIDDEN', { reason: 'BUILDING_NOT_REGISTERED' });
    refused(await submit(h, ids.a, 'market:ProposeBilateral', { ...c, price: -1 }), 'INVALID_ARGUMENT', { input: 'contract' });
    ok(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'D', neighbours: ['GHOST'] }));
    const d = identity('CityMSP', 'bldg-d', { role: 'building', buildingId: 'D' });
    refused(await submit(h, d, 'market:ProposeBilateral', { ...c, buyerBuildingId: 'GHOST' }), 'NOT_FOUND', { objectType: 'building' });
    const p = ok(await submit(h, ids.b, 'market:ProposeBilateral', { ...c, buyerBuildingId: 'C' })) as { contractId: string };
    refused(await submit(h, ids.c, 'market:AcceptBilateral', I1, p.contractId), 'FAILED_PRECONDITION', { reason: 'INSUFFICIENT_FUNDS', required: 100 });
    ok(await submit(h, ids.operator, 'market:CloseGate', I1));
    refused(await submit(h, ids.b, 'market:ProposeBilateral', { ...c, buyerBuildingId: 'C' }), 'FAILED_PRECONDITION', { state: 'GATE_CLOSED' });
  });
});
