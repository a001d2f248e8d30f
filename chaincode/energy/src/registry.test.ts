import { evaluate, ids, newHarness, ok, refused, seedMarket, submit } from './energy.fixtures';

describe('registry', () => {
  it('lets the operator configure the market and the utility set tariffs', async () => {
    const h = newHarness();
    expect(ok(await evaluate(h, ids.a, 'registry:GetConfig'))).toEqual({ market: null, tariffs: null });
    const r = await submit(h, ids.operator, 'registry:SetMarketConfig', { intervalMinutes: 15, feeBps: 25 });
    expect(ok(r)).toEqual({ intervalMinutes: 15, feeBps: 25 });
    expect(r.event?.envelope.events).toEqual([{ type: 'MarketConfigSet', data: { intervalMinutes: 15, feeBps: 25 } }]);
    ok(await submit(h, ids.utility, 'registry:SetTariffs', { importTariff: 200, exportTariff: 80 }));
    expect(ok(await evaluate(h, ids.a, 'registry:GetConfig'))).toEqual({
      market: { intervalMinutes: 15, feeBps: 25 },
      tariffs: { importTariff: 200, exportTariff: 80 },
    });
  });

  it('refuses configuration from anyone else and bad values', async () => {
    const h = newHarness();
    refused(await submit(h, ids.utility, 'registry:SetMarketConfig', { intervalMinutes: 15, feeBps: 0 }), 'FORBIDDEN', { required: ['CityMSP:market-operator'] });
    refused(await submit(h, ids.insurerOperator, 'registry:SetMarketConfig', { intervalMinutes: 15, feeBps: 0 }), 'FORBIDDEN');
    refused(await submit(h, ids.operator, 'registry:SetTariffs', { importTariff: 200, exportTariff: 80 }), 'FORBIDDEN', { required: ['CityMSP:utility'] });
    refused(await submit(h, ids.operator, 'registry:SetMarketConfig', { intervalMinutes: 7, feeBps: 0 }), 'INVALID_ARGUMENT', { intervalMinutes: 7 });
    refused(await submit(h, ids.operator, 'registry:SetMarketConfig', { intervalMinutes: 15 }), 'INVALID_ARGUMENT', { input: 'config' });
    refused(await submit(h, ids.operator, 'registry:SetMarketConfig', { intervalMinutes: '15', feeBps: 0 }), 'INVALID_ARGUMENT', { input: 'config' });
    refused(await submit(h, ids.operator, 'registry:SetMarketConfig', { intervalMinutes: 15, feeBps: 1001 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.utility, 'registry:SetTariffs', { importTariff: 80, exportTariff: 200 }), 'INVALID_ARGUMENT', { input: 'tariffs' });
    refused(await submit(h, ids.utility, 'registry:SetTariffs', { importTariff: 1.5, exportTariff: 1 }), 'INVALID_ARGUMENT');
  });

  it('registers buildings and meters once, by the operator only', async () => {
    const h = newHarness();
    const r = await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'A', neighbours: ['C', 'B'] });
    expect(ok(r)).toMatchObject({ buildingId: 'A', neighbours: ['B', 'C'], registeredBy: 'CityMSP/market-op' });
    expect(r.event?.envelope.events[0]).toEqual({ type: 'BuildingRegistered', data: { buildingId: 'A', neighbours: ['B', 'C'] } });
    refused(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'A', neighbours: [] }), 'CONFLICT', { objectType: 'building', id: 'A' });
    refused(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'Q', neighbours: ['Q'] }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'bad id', neighbours: [] }), 'INVALID_ARGUMENT', { input: 'building' });
    refused(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'Q', neighbours: Array.from({ length: 33 }, (_, i) => `N${i}`) }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.a, 'registry:RegisterBuilding', { buildingId: 'Q', neighbours: [] }), 'FORBIDDEN');

    const m = await submit(h, ids.operator, 'registry:RegisterMeter', { meterId: 'MA', buildingId: 'A', importWh: 10, exportWh: 0 });
    expect(ok(m)).toMatchObject({ meterId: 'MA', buildingId: 'A', importWh: 10, exportWh: 0 });
    expect(m.event?.envelope.events[0].type).toBe('MeterRegistered');
    refused(await submit(h, ids.operator, 'registry:RegisterMeter', { meterId: 'MA', buildingId: 'A', importWh: 0, exportWh: 0 }), 'CONFLICT');
    refused(await submit(h, ids.operator, 'registry:RegisterMeter', { meterId: 'MX', buildingId: 'NOPE', importWh: 0, exportWh: 0 }), 'FAILED_PRECONDITION', { reason: 'BUILDING_NOT_REGISTERED' });
    refused(await submit(h, ids.operator, 'registry:RegisterMeter', { meterId: 'MX', buildingId: 'A', importWh: -1, exportWh: 0 }), 'INVALID_ARGUMENT');
    refused(await submit(h, ids.utility, 'registry:RegisterMeter', { meterId: 'MX', buildingId: 'A', importWh: 0, exportWh: 0 }), 'FORBIDDEN');
  });

  it('shows buildings to anyone and meters to their building, the operator and the utility', async () => {
    const h = newHarness();
    await seedMarket(h);
    expect(ok(await evaluate(h, ids.resident, 'registry:GetBuilding', 'A'))).toMatchObject({ buildingId: 'A' });
    refused(await evaluate(h, ids.resident, 'registry:GetBuilding', 'NOPE'), 'NOT_FOUND', { objectType: 'building', id: 'NOPE' });
    expect(ok(await evaluate(h, ids.a, 'registry:GetMeter', 'MA'))).toMatchObject({ meterId: 'MA', buildingId: 'A' });
    expect(ok(await evaluate(h, ids.meterA, 'registry:GetMeter', 'MA'))).toMatchObject({ meterId: 'MA' });
    expect(ok(await evaluate(h, ids.utility, 'registry:GetMeter', 'MB'))).toMatchObject({ meterId: 'MB' });
    refused(await evaluate(h, ids.a, 'registry:GetMeter', 'MB'), 'FORBIDDEN');
    refused(await evaluate(h, ids.resident, 'registry:GetMeter', 'MB'), 'FORBIDDEN');
    refused(await evaluate(h, ids.operator, 'registry:GetMeter', 'MQ'), 'NOT_FOUND');
  });
});
