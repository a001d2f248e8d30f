import { Repository } from '@cityledger/chaincode-common';
import type { Account, Bilateral, Building, Certificate, Entry, Interval, MarketConfig, Meter, Order, Reading, SettlementRecord, Tariffs, Trade } from './model';

// Key layout: every bid, reading, trade and posting gets its own key; the only keys rewritten are
// per building or meter (written by that building's own transactions and the interval's settlement)
// and per interval (written by the market operator's few transitions). Nothing is rewritten by every
// bid or reading across buildings.

export const marketConfig = new Repository<MarketConfig & { key: 'market' }>('energyConfig', () => ['market']);
export const tariffs = new Repository<Tariffs & { key: 'tariffs' }>('energyConfig', () => ['tariffs']);

export const buildings = new Repository<Building>('building', (b) => [b.buildingId]);
export const meters = new Repository<Meter>('meter', (m) => [m.meterId]);

export const accounts = new Repository<Account>('account', (a) => [a.account]);
/** Statement lines per account, in time order. */
export const entries = new Repository<Entry>('entry', (e) => [e.account, e.at, e.entryId]);
/** Money supply: one record per mint and per burn (summed on demand, never a running total). */
export const supply = new Repository<{ kind: 'MINT' | 'BURN'; id: string; account: string; amountKrw: number; at: string; by: string }>(
  'supply',
  (s) => [s.kind, s.id],
);

export const intervals = new Repository<Interval>('interval', (i) => [i.intervalId]);
export const orders = new Repository<Order>('order', (o) => [o.intervalId, o.orderId]);
export const ordersByBuilding = new Repository<Order>('orderByBuilding', (o) => [o.buildingId, o.intervalId, o.orderId]);
export const bilaterals = new Repository<Bilateral>('bilateral', (c) => [c.intervalId, c.contractId]);
export const bilateralsByBuilding = new Repository<{ buildingId: string; intervalId: string; contractId: string }>(
  'bilateralByBuilding',
  (x) => [x.buildingId, x.intervalId, x.contractId],
);
export const trades = new Repository<Trade>('trade', (t) => [t.intervalId, t.tradeId]);
export const tradesByBuilding = new Repository<Trade & { buildingId: string }>('tradeByBuilding', (t) => [t.buildingId, t.intervalId, t.tradeId]);

export const readings = new Repository<Reading>('reading', (r) => [r.intervalId, r.meterId]);
export const readingsByBuilding = new Repository<Reading>('readingByBuilding', (r) => [r.buildingId, r.intervalId, r.meterId]);

export const settlements = new Repository<SettlementRecord>('settlement', (s) => [s.intervalId]);
export const certificates = new Repository<Certificate>('certificate', (c) => [c.intervalId, c.certificateId]);
export const certificatesByBuilding = new Repository<Certificate & { buildingId: string }>(
  'certificateByBuilding',
  (c) => [c.buildingId, c.intervalId, c.certificateId],
);
