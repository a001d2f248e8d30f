import type { Context } from 'fabric-contract-api';
import { Bookmark, ChaincodeError, CityContract, Evaluate, Id, PageSize, Submit, caller, emit, txTime } from '@cityledger/chaincode-common';
import { requireBuildingViewer, requireOperator } from './access';
import { intervalMachine } from './intervals';
import { loadAccount, recordEntry, saveAccount } from './ledger';
import { CertificateSchema, IntervalId, MarketOperator, Page, SettlementSchema, Utility, type Certificate, type SettlementRecord } from './model';
import { FEES_ACCOUNT, UTILITY_ACCOUNT, buildingAccount, settle, type Balance } from './settlement';
import {
  bilaterals, certificates, certificatesByBuilding, intervals, orders, readings, settlements, trades,
} from './store';

/**
 * Settles an interval in one transaction: trades paid from escrow, fees, imbalances with the
 * utility, escrow released, green certificates issued and retired. Idempotent: settling a SETTLED
 * interval returns the recorded settlement and writes nothing.
 */
export class SettlementContract extends CityContract {
  constructor() {
    super('settlement');
  }

  @Submit({ description: 'Market operator: settles a METERED interval (again: returns the recorded settlement, changing nothing).', params: { intervalId: IntervalId() }, returns: SettlementSchema })
  async Settle(ctx: Context, intervalId: string): Promise<SettlementRecord> {
    const who = requireOperator(ctx);
    const interval = await intervals.require(ctx, intervalId);
    if (interval.state === 'SETTLED') return settlements.require(ctx, intervalId);
    const state = intervalMachine.move(interval.state, 'SETTLED', [who.role ?? '']);
    const now = txTime(ctx).iso;

    // Keyed by buildingId, which may be `constructor` or `toString`: no prototype to collide with.
    const escrows: Record<string, number> = Object.create(null);
    const addEscrow = (buildingId: string, krw: number): void => {
      escrows[buildingId] = (escrows[buildingId] ?? 0) + krw;
    };
    for (const o of await orders.all(ctx, [intervalId])) if (o.side === 'BUY' && o.status !== 'CANCELLED') addEscrow(o.buildingId, o.escrowKrw);
    for (const c of await bilaterals.all(ctx, [intervalId])) if (c.status === 'TRADED') addEscrow(c.buyer, c.escrowKrw);
    const metered: Record<string, { importWh: number; exportWh: number }> = Object.create(null);
    for (const r of await readings.all(ctx, [intervalId])) {
      const m = (metered[r.buildingId] ??= { importWh: 0, exportWh: 0 });
      m.importWh += r.importDeltaWh;
      m.exportWh += r.exportDeltaWh;
    }
    const tradeList = await trades.all(ctx, [intervalId]);

    const involved = new Set<string>([UTILITY_ACCOUNT, FEES_ACCOUNT]);
    for (const id of [...Object.keys(escrows), ...Object.keys(metered)]) involved.add(buildingAccount(id));
    for (const t of tradeList) involved.add(buildingAccount(t.buyer)).add(buildingAccount(t.seller));
    const balances: Record<string, Balance> = {};
    for (const ref of [...involved].sort()) {
      const acc = await loadAccount(ctx, ref);
      balances[ref] = { available: acc.available, escrowed: acc.escrowed };
    }

    const result = settle({
      importTariff: interval.importTariff, exportTariff: interval.exportTariff, feeBps: interval.feeBps,
      trades: tradeList.map((t) => ({ tradeId: t.tradeId, buyer: t.buyer, seller: t.seller, quantityWh: t.quantityWh, valueKrw: t.valueKrw })),
      escrows, metered, balances,
    });

    for (const ref of Object.keys(result.balances).sort()) {
      const before = balances[ref];
      const after = result.balances[ref];
      if (before.available !== after.available || before.escrowed !== after.escrowed) await saveAccount(ctx, ref, after);
    }
    let seq = 0;
    for (const b of result.buildings) {
      if (b.escrowReleasedKrw > 0) {
        await recordEntry(ctx, { account: buildingAccount(b.buildingId), kind: 'ESCROW_RELEASE', amountKrw: b.escrowReleasedKrw, counterparty: 'escrow', ref: intervalId, intervalId }, seq++);
      }
    }
    for (const p of result.postings) {
      await recordEntry(ctx, { account: p.debit, kind: p.kind, amountKrw: -p.amountKrw, counterparty: p.credit, ref: p.ref, intervalId }, seq++);
      await recordEntry(ctx, { account: p.credit, kind: p.kind, amountKrw: p.amountKrw, counterparty: p.debit, ref: p.ref, intervalId }, seq++);
    }
    for (const c of result.certificates) {
      const cert: Certificate = {
        certificateId: `GC.${intervalId}.${c.tradeId}`, intervalId, tradeId: c.tradeId, producer: c.producer, buyer: c.buyer,
        quantityWh: c.quantityWh, source: 'solar', status: 'RETIRED', issuedAt: now, retiredAt: now, retiredFor: c.buyer,
      };
      await certificates.put(ctx, cert);
      await certificatesByBuilding.put(ctx, { ...cert, buildingId: c.buyer });
      await certificatesByBuilding.put(ctx, { ...cert, buildingId: c.producer });
    }

    const record: SettlementRecord = {
      intervalId, settledAt: now, txId: ctx.stub.getTxID(), buildings: result.buildings, energy: result.energy, money: result.money,
      postingCount: result.postings.length, certificateCount: result.certificates.length,
    };
    await settlements.create(ctx, record);
    await intervals.put(ctx, { ...interval, state, updatedAt: now });
    emit(ctx, 'IntervalSettled', {
      intervalId, buildings: result.buildings.length, trades: tradeList.length, postings: result.postings.length,
      tradedWh: result.energy.tradedWh, deliveredWh: result.energy.deliveredWh, feesKrw: result.money.feesKrw,
    });
    if (result.certificates.length > 0) {
      emit(ctx, 'CertificatesRetired', { intervalId, count: result.certificates.length, quantityWh: result.energy.deliveredWh });
    }
    return record;
  }

  @Evaluate({ description: "An interval's settlement: its totals for anyone; every building's row for the operator and the utility, a building's own row for it and its meters.", params: { intervalId: IntervalId() }, returns: SettlementSchema })
  async GetSettlement(ctx: Context, intervalId: string): Promise<SettlementRecord> {
    const settlement = await settlements.require(ctx, intervalId);
    // A row holds the building's metered import and export, which GetReading shows only to it.
    const rows = await visibleRows(ctx, settlement.buildings);
    return { ...settlement, buildings: rows };
  }

  @Evaluate({ description: "Green certificates a building produced or had retired for it, paginated (the building, the operator, the utility).", params: { buildingId: Id(), pageSize: PageSize, bookmark: Bookmark }, returns: Page(CertificateSchema) })
  async ListCertificates(ctx: Context, buildingId: string, pageSize: number, bookmark: string): Promise<{ items: Certificate[]; bookmark: string }> {
    await requireBuildingViewer(ctx, buildingId);
    const page = await certificatesByBuilding.page(ctx, [buildingId], pageSize, bookmark);
    return { items: page.items.map(({ buildingId: _b, ...c }) => c), bookmark: page.bookmark };
  }
}

/** The rows of a settlement the caller may see (see GetSettlement). */
async function visibleRows(ctx: Context, rows: SettlementRecord['buildings']): Promise<SettlementRecord['buildings']> {
  const who = caller(ctx);
  if (who.mspId === MarketOperator.mspId && (who.role === MarketOperator.role || who.role === Utility.role)) return rows;
  const own = rows.filter((r) => r.buildingId === who.buildingId);
  if (own.length === 0) return [];
  try {
    await requireBuildingViewer(ctx, own[0].buildingId);
    return own;
  } catch (err) {
    // A certificate claiming the building without being it (or its bound meter) sees the totals only.
    if (err instanceof ChaincodeError && err.code === 'FORBIDDEN') return [];
    throw err;
  }
}
