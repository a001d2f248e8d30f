import { balance, evaluate, ids, mint, newHarness, ok, refused, seedMarket, submit } from './energy.fixtures';

describe('funds', () => {
  it('mints only on the utility’s confirmation, once per payment reference', async () => {
    const h = newHarness();
    await seedMarket(h);
    const r = await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-1', account: 'building:A', amountKrw: 5_000 });
    expect(ok(r)).toEqual({ account: 'building:A', available: 5_000, escrowed: 0 });
    expect(r.event?.name).toBe('funds.Mint');
    expect(r.event?.envelope.events).toEqual([{ type: 'FundsMinted', data: { mintId: 'pay-1', account: 'building:A', amountKrw: 5_000 } }]);
    refused(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-1', account: 'building:A', amountKrw: 5_000 }), 'CONFLICT', { objectType: 'mint', id: 'pay-1' });
    refused(await submit(h, ids.a, 'funds:Mint', { mintId: 'pay-2', account: 'building:A', amountKrw: 5_000 }), 'FORBIDDEN');
    refused(await submit(h, ids.operator, 'funds:Mint', { mintId: 'pay-2', account: 'building:A', amountKrw: 5_000 }), 'FORBIDDEN');
    refused(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-2', account: 'building:NOPE', amountKrw: 5 }), 'FAILED_PRECONDITION', { reason: 'BUILDING_NOT_REGISTERED' });
    refused(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-2', account: 'fees', amountKrw: 5 }), 'INVALID_ARGUMENT', { account: 'fees' });
    refused(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-2', account: 'bank', amountKrw: 5 }), 'INVALID_ARGUMENT', { input: 'mint' });
    refused(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-2', account: 'building:A', amountKrw: 0 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-2', account: 'building:A', amountKrw: 1.5 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-2', account: 'building:A' }), 'INVALID_ARGUMENT');
    ok(await submit(h, ids.utility, 'funds:Mint', { mintId: 'pay-u', account: 'utility', amountKrw: 100 }));
    expect(await balance(h, 'utility')).toEqual({ available: 100, escrowed: 0 });
  });

  it('burns only from the owner’s available funds', async () => {
    const h = newHarness();
    await seedMarket(h);
    await mint(h, 'building:A', 1_000);
    await mint(h, 'utility', 500);
    const r = await submit(h, ids.a, 'funds:Burn', { burnId: 'w-1', account: 'building:A', amountKrw: 400 });
    expect(ok(r)).toEqual({ account: 'building:A', available: 600, escrowed: 0 });
    expect(r.event?.envelope.events[0]).toEqual({ type: 'FundsBurned', data: { burnId: 'w-1', account: 'building:A', amountKrw: 400 } });
    refused(await submit(h, ids.a, 'funds:Burn', { burnId: 'w-1', account: 'building:A', amountKrw: 1 }), 'CONFLICT', { objectType: 'burn' });
    refused(await submit(h, ids.a, 'funds:Burn', { burnId: 'w-2', account: 'building:A', amountKrw: 601 }), 'FAILED_PRECONDITION', { reason: 'INSUFFICIENT_FUNDS', available: 600 });
    refused(await submit(h, ids.b, 'funds:Burn', { burnId: 'w-2', account: 'building:A', amountKrw: 1 }), 'FORBIDDEN', { account: 'building:A' });
    refused(await submit(h, ids.utility, 'funds:Burn', { burnId: 'w-2', account: 'building:A', amountKrw: 1 }), 'FORBIDDEN');
    refused(await submit(h, ids.a, 'funds:Burn', { burnId: 'w-2', account: 'utility', amountKrw: 1 }), 'FORBIDDEN');
    refused(await submit(h, ids.utility, 'funds:Burn', { burnId: 'w-2', account: 'fees', amountKrw: 1 }), 'FORBIDDEN');
    ok(await submit(h, ids.utility, 'funds:Burn', { burnId: 'w-3', account: 'utility', amountKrw: 500 }));
    refused(await submit(h, ids.operator, 'funds:Burn', { burnId: 'w-4', account: 'fees', amountKrw: 1 }), 'FAILED_PRECONDITION', { reason: 'INSUFFICIENT_FUNDS' });
    expect(ok(await evaluate(h, ids.operator, 'funds:GetSupply'))).toEqual({ mintedKrw: 1_500, burnedKrw: 900, heldKrw: 600, balanced: true });
  });

  it('audits the whole supply however many records one peer query may return', async () => {
    const h = newHarness();
    await seedMarket(h);
    h.ledger.totalQueryLimit = 4; // the peer's totalQueryLimit (100,000) in miniature
    for (let i = 1; i <= 9; i++) await mint(h, 'building:A', 100, `p${i}`);
    ok(await submit(h, ids.a, 'funds:Burn', { burnId: 'w-1', account: 'building:A', amountKrw: 50 }));
    expect(ok(await evaluate(h, ids.operator, 'funds:GetSupply'))).toEqual({ mintedKrw: 900, burnedKrw: 50, heldKrw: 850, balanced: true });
  });

  it('shows a balance and statement to the building, the operator and the utility only', async () => {
    const h = newHarness();
    await seedMarket(h);
    await mint(h, 'building:A', 1_000, 'p1');
    h.advance(1_000);
    await mint(h, 'building:A', 2_000, 'p2');
    expect(ok(await evaluate(h, ids.a, 'funds:GetBalance', 'building:A'))).toEqual({ account: 'building:A', available: 3_000, escrowed: 0 });
    expect(ok(await evaluate(h, ids.meterA, 'funds:GetBalance', 'building:A'))).toMatchObject({ available: 3_000 });
    // A meter is the building's as the registry binds it, whatever its certificate claims.
    refused(await evaluate(h, ids.meterAasB, 'funds:GetBalance', 'building:B'), 'FORBIDDEN', { reason: 'METER_NOT_BOUND' });
    refused(await evaluate(h, ids.unknownMeter, 'funds:ListEntries', 'building:A', 10, ''), 'FORBIDDEN', { reason: 'METER_NOT_REGISTERED' });
    expect(ok(await evaluate(h, ids.b, 'funds:GetBalance', 'building:B'))).toEqual({ account: 'building:B', available: 0, escrowed: 0 });
    refused(await evaluate(h, ids.b, 'funds:GetBalance', 'building:A'), 'FORBIDDEN', { buildingId: 'A' });
    refused(await evaluate(h, ids.a, 'funds:GetBalance', 'utility'), 'FORBIDDEN');
    refused(await evaluate(h, ids.a, 'funds:GetBalance', 'nonsense'), 'INVALID_ARGUMENT', { input: 'account' });
    expect(ok(await evaluate(h, ids.utility, 'funds:GetBalance', 'fees'))).toEqual({ account: 'fees', available: 0, escrowed: 0 });

    const page1 = ok(await evaluate(h, ids.a, 'funds:ListEntries', 'building:A', 1, '')) as { items: { ref: string; amountKrw: number }[]; bookmark: string };
    expect(page1.items).toMatchObject([{ ref: 'p1', amountKrw: 1_000, kind: 'MINT', counterparty: 'off-ledger' }]);
    expect(page1.bookmark).not.toBe('');
    const page2 = ok(await evaluate(h, ids.a, 'funds:ListEntries', 'building:A', 1, page1.bookmark)) as { items: { ref: string }[]; bookmark: string };
    expect(page2.items.map((e) => e.ref)).toEqual(['p2']);
    refused(await evaluate(h, ids.c, 'funds:ListEntries', 'building:A', 10, ''), 'FORBIDDEN');
    refused(await evaluate(h, ids.a, 'funds:ListEntries', 'building:A', 0, ''), 'INVALID_ARGUMENT', { input: 'pageSize' });
    refused(await evaluate(h, ids.a, 'funds:GetSupply'), 'FORBIDDEN');
  });
});
