import { ContractHarness, identity, type TestIdentity, type TxResult } from '@cityledger/chaincode-common';
import { contracts } from './index';

/** Interval used throughout: 15 minutes from 09:00 UTC; the harness clock starts inside it. */
export const I1 = '2026-06-01T09:00Z';
export const I2 = '2026-06-01T09:15Z';
export const DURING_I1 = '2026-06-01T09:05:00.000Z';
export const AFTER_I1 = '2026-06-01T09:15:00.000Z';
export const AFTER_I2 = '2026-06-01T09:30:00.000Z';

export const ids = {
  operator: identity('CityMSP', 'market-op', { role: 'market-operator' }),
  utility: identity('CityMSP', 'kepco', { role: 'utility' }),
  a: identity('CityMSP', 'bldg-a', { role: 'building', buildingId: 'A' }),
  b: identity('CityMSP', 'bldg-b', { role: 'building', buildingId: 'B' }),
  c: identity('CityMSP', 'bldg-c', { role: 'building', buildingId: 'C' }),
  /** A building certificate for a building the operator never registered. */
  z: identity('CityMSP', 'bldg-z', { role: 'building', buildingId: 'Z' }),
  noBuildingId: identity('CityMSP', 'bldg-x', { role: 'building' }),
  meterA: identity('CityMSP', 'meter-a', { role: 'meter', buildingId: 'A', meterId: 'MA' }),
  meterB: identity('CityMSP', 'meter-b', { role: 'meter', buildingId: 'B', meterId: 'MB' }),
  meterC: identity('CityMSP', 'meter-c', { role: 'meter', buildingId: 'C', meterId: 'MC' }),
  /** Claims meter MA but for building B: the binding is the registry's, not the certificate's. */
  meterAasB: identity('CityMSP', 'meter-ax', { role: 'meter', buildingId: 'B', meterId: 'MA' }),
  unknownMeter: identity('CityMSP', 'meter-q', { role: 'meter', buildingId: 'A', meterId: 'MQ' }),
  meterNoAttrs: identity('CityMSP', 'meter-n', { role: 'meter' }),
  resident: identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' }),
  /** The role means nothing outside the City CA. */
  insurerOperator: identity('InsurerMSP', 'fake-op', { role: 'market-operator' }),
  portBuilding: identity('PortMSP', 'warehouse', { role: 'building', buildingId: 'A' }),
};

export function newHarness(now = DURING_I1): ContractHarness {
  return new ContractHarness(contracts, { now, title: 'energy' });
}

/** The submit's value; fails with the chaincode's message unless it succeeded and committed. */
export function ok<T>(r: TxResult<T>): T {
  if (!r.ok || (r.stub.writes.size > 0 && !r.committed)) throw new Error(`expected success, got ${r.message || r.validationCode}`);
  return r.value;
}

/** Asserts a coded refusal (and optional details) and returns the error. */
export function refused(r: TxResult, code: string, details: Record<string, unknown> = {}) {
  expect(r.ok).toBe(false);
  expect(r.error?.code).toBe(code);
  expect(r.error?.details).toMatchObject(details);
  return r.error!;
}

export const submit = (h: ContractHarness, who: TestIdentity, fn: string, ...args: unknown[]) => h.submit(who, fn, args);
export const evaluate = (h: ContractHarness, who: TestIdentity, fn: string, ...args: unknown[]) => h.evaluate(who, fn, args);

/** Config (15-minute intervals, no fee), tariffs (import 200, export 80 KRW/kWh), buildings A-B-C, meters MA/MB/MC. */
export async function seedMarket(h: ContractHarness, feeBps = 0): Promise<void> {
  ok(await submit(h, ids.operator, 'registry:SetMarketConfig', { intervalMinutes: 15, feeBps }));
  ok(await submit(h, ids.utility, 'registry:SetTariffs', { importTariff: 200, exportTariff: 80 }));
  ok(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'A', neighbours: ['B'] }));
  ok(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'B', neighbours: ['A', 'C'] }));
  ok(await submit(h, ids.operator, 'registry:RegisterBuilding', { buildingId: 'C', neighbours: ['B'] }));
  for (const [meterId, buildingId] of [['MA', 'A'], ['MB', 'B'], ['MC', 'C']]) {
    ok(await submit(h, ids.operator, 'registry:RegisterMeter', { meterId, buildingId, importWh: 1_000, exportWh: 500 }));
  }
}

export async function mint(h: ContractHarness, account: string, amountKrw: number, mintId = `pay-${account}-${amountKrw}`): Promise<void> {
  ok(await submit(h, ids.utility, 'funds:Mint', { mintId, account, amountKrw }));
}

export async function balance(h: ContractHarness, account: string): Promise<{ available: number; escrowed: number }> {
  const { available, escrowed } = ok(await evaluate(h, ids.operator, 'funds:GetBalance', account)) as { available: number; escrowed: number };
  return { available, escrowed };
}

export async function bid(h: ContractHarness, who: TestIdentity, quantityWh: number, limitPrice: number, intervalId = I1): Promise<string> {
  return (ok(await submit(h, who, 'market:PlaceOrder', { intervalId, side: 'BUY', quantityWh, limitPrice })) as { orderId: string }).orderId;
}

export async function ask(h: ContractHarness, who: TestIdentity, quantityWh: number, limitPrice: number, intervalId = I1): Promise<string> {
  return (ok(await submit(h, who, 'market:PlaceOrder', { intervalId, side: 'SELL', quantityWh, limitPrice })) as { orderId: string }).orderId;
}

/** A reading at the interval's end with registers relative to installation (1000 import, 500 export). */
export async function read(h: ContractHarness, who: TestIdentity, importDeltaWh: number, exportDeltaWh: number, intervalId = I1) {
  return submit(h, who, 'metering:SubmitReading', { intervalId, importWh: 1_000 + importDeltaWh, exportWh: 500 + exportDeltaWh });
}
