import { mulDiv } from '@cityledger/chaincode-common';
import { valueKrw } from './clearing';

/**
 * Settlement of one interval, as a pure function of the cleared trades, the escrow held, the
 * metered deltas and the current balances. The contract feeds it ledger state and writes back
 * what it returns; tests and the property test drive it directly.
 *
 * Money (KRW): each trade's value moves from the buyer's escrow to the seller, less the market fee
 * (feeBps of the value, paid by the seller to the fees account); the rest of every escrow returns to
 * its building. Energy (Wh): a building's metered net export (export - import) is compared with its
 * contracted net position (sold - bought); a negative imbalance is supplied by the utility at its
 * import tariff, a positive one absorbed at its export tariff. Contracts are financially firm; only
 * energy actually exported counts as delivered: a seller's delivered energy is min(sold, metered
 * export), allocated to its trades in trade order, and becomes green certificates retired to the
 * buyers. Nobody pays more than it holds: a charge beyond a building's funds (or an export credit
 * beyond the utility's) is recorded as unpaid, never as a negative balance.
 */

export const UTILITY_ACCOUNT = 'utility';
export const FEES_ACCOUNT = 'fees';
export const buildingAccount = (buildingId: string): string => `building:${buildingId}`;

export interface Balance {
  available: number;
  escrowed: number;
}

export interface SettlementTrade {
  tradeId: string;
  buyer: string;
  seller: string;
  quantityWh: number;
  valueKrw: number;
}

export interface SettlementInput {
  importTariff: number;
  exportTariff: number;
  feeBps: number;
  trades: readonly SettlementTrade[];
  /** Escrow each building holds for this interval (its bids and accepted bilateral purchases). */
  escrows: Readonly<Record<string, number>>;
  /** Metered deltas per building for this interval (all its meters summed). */
  metered: Readonly<Record<string, { importWh: number; exportWh: number }>>;
  /** Current balances of every account involved (missing = zero). */
  balances: Readonly<Record<string, Balance>>;
}

export type PostingKind = 'TRADE' | 'FEE' | 'UTILITY_IMPORT' | 'UTILITY_EXPORT';

export interface Posting {
  kind: PostingKind;
  debit: string;
  credit: string;
  amountKrw: number;
  /** The trade or building the posting settles. */
  ref: string;
}

export interface BuildingSettlement {
  buildingId: string;
  importWh: number;
  exportWh: number;
  boughtWh: number;
  soldWh: number;
  deliveredWh: number;
  /** Metered net export minus contracted net sale: < 0 bought from the utility, > 0 sold to it. */
  imbalanceWh: number;
  escrowReleasedKrw: number;
  paidKrw: number;
  receivedKrw: number;
  feeKrw: number;
  utilityChargeKrw: number;
  utilityCreditKrw: number;
  /** What the building could not pay the utility (arrears, collected off-ledger). */
  unpaidKrw: number;
  /** What the utility could not pay the building. */
  owedByUtilityKrw: number;
}

export interface Certificate {
  tradeId: string;
  producer: string;
  buyer: string;
  quantityWh: number;
}

export interface SettlementResult {
  postings: Posting[];
  /** New balances of every account that changed or was involved. */
  balances: Record<string, Balance>;
  buildings: BuildingSettlement[];
  certificates: Certificate[];
  energy: {
    importWh: number;
    exportWh: number;
    tradedWh: number;
    deliveredWh: number;
    utilitySuppliedWh: number;
    utilityAbsorbedWh: number;
    /** Net purchases of buildings with no reading, counted as used (no surplus credit without a reading). */
    unmeteredBoughtWh: number;
  };
  money: { debitsKrw: number; creditsKrw: number; feesKrw: number };
}

/** A building's entry, never an Object.prototype member (a buildingId may be `constructor`). */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

export function settle(input: SettlementInput): SettlementResult {
  const balances: Record<string, Balance> = {};
  const account = (ref: string): Balance => (balances[ref] ??= { ...(input.balances[ref] ?? { available: 0, escrowed: 0 }) });
  const postings: Posting[] = [];
  const post = (kind: PostingKind, debit: string, credit: string, amountKrw: number, ref: string): void => {
    if (amountKrw === 0) return;
    const from = account(debit);
    if (from.available < amountKrw) throw new Error(`settlement would overdraw ${debit}`);
    from.available -= amountKrw;
    account(credit).available += amountKrw;
    postings.push({ kind, debit, credit, amountKrw, ref });
  };

  const ids = new Set<string>([...Object.keys(input.escrows), ...Object.keys(input.metered)]);
  for (const t of input.trades) ids.add(t.buyer).add(t.seller);
  const buildingIds = [...ids].sort();
  const rows = new Map<string, BuildingSettlement>();
  for (const id of buildingIds) {
    const m = own(input.metered, id) ?? { importWh: 0, exportWh: 0 };
    rows.set(id, {
      buildingId: id, importWh: m.importWh, exportWh: m.exportWh, boughtWh: 0, soldWh: 0, deliveredWh: 0, imbalanceWh: 0,
      escrowReleasedKrw: 0, paidKrw: 0, receivedKrw: 0, feeKrw: 0, utilityChargeKrw: 0, utilityCreditKrw: 0, unpaidKrw: 0, owedByUtilityKrw: 0,
    });
  }
  const row = (id: string): BuildingSettlement => rows.get(id) as BuildingSettlement;
  account(UTILITY_ACCOUNT);
  account(FEES_ACCOUNT);

  // 1. Release every escrow of the interval back to available; trades are then paid from it.
  for (const id of buildingIds) {
    const held = own(input.escrows, id) ?? 0;
    const acc = account(buildingAccount(id));
    if (acc.escrowed < held) throw new Error(`escrow of ${id} is short`);
    acc.escrowed -= held;
    acc.available += held;
    row(id).escrowReleasedKrw = held;
  }

  // 2. Trades, in trade order: value buyer -> seller, fee seller -> fees.
  const trades = [...input.trades].sort((a, b) => (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0));
  let feesKrw = 0;
  for (const t of trades) {
    if (t.buyer === t.seller) throw new Error(`trade ${t.tradeId} is a self-trade`);
    const fee = mulDiv(t.valueKrw, input.feeBps, 10_000);
    post('TRADE', buildingAccount(t.buyer), buildingAccount(t.seller), t.valueKrw, t.tradeId);
    post('FEE', buildingAccount(t.seller), FEES_ACCOUNT, fee, t.tradeId);
    feesKrw += fee;
    Object.assign(row(t.buyer), { boughtWh: row(t.buyer).boughtWh + t.quantityWh, paidKrw: row(t.buyer).paidKrw + t.valueKrw });
    Object.assign(row(t.seller), {
      soldWh: row(t.seller).soldWh + t.quantityWh,
      receivedKrw: row(t.seller).receivedKrw + t.valueKrw,
      feeKrw: row(t.seller).feeKrw + fee,
    });
  }

  // 3. Delivery: a seller delivers at most what its meters exported; certificates follow delivery.
  const certificates: Certificate[] = [];
  const exportLeft = new Map(buildingIds.map((id) => [id, row(id).exportWh]));
  for (const t of trades) {
    const q = Math.min(t.quantityWh, exportLeft.get(t.seller) as number);
    exportLeft.set(t.seller, (exportLeft.get(t.seller) as number) - q);
    row(t.seller).deliveredWh += q;
    if (q > 0) certificates.push({ tradeId: t.tradeId, producer: t.seller, buyer: t.buyer, quantityWh: q });
  }

  // 4. Imbalances against the utility: buildings pay first, then the utility pays out of what it holds.
  let supplied = 0;
  let absorbed = 0;
  let unmeteredBought = 0;
  for (const id of buildingIds) {
    const r = row(id);
    r.imbalanceWh = r.exportWh - r.importWh - (r.soldWh - r.boughtWh);
    // Without a reading nothing shows that a building fed the grid: what it bought counts as used,
    // never as a surplus the utility pays for (else an unmetered buyer is paid for energy it only bought).
    if (own(input.metered, id) === undefined && r.imbalanceWh > 0) {
      unmeteredBought += r.imbalanceWh;
      r.imbalanceWh = 0;
    }
    if (r.imbalanceWh >= 0) continue;
    supplied += -r.imbalanceWh;
    const due = valueKrw(-r.imbalanceWh, input.importTariff);
    const paid = Math.min(due, account(buildingAccount(id)).available);
    post('UTILITY_IMPORT', buildingAccount(id), UTILITY_ACCOUNT, paid, id);
    r.utilityChargeKrw = paid;
    r.unpaidKrw = due - paid;
  }
  for (const id of buildingIds) {
    const r = row(id);
    if (r.imbalanceWh <= 0) continue;
    absorbed += r.imbalanceWh;
    const due = valueKrw(r.imbalanceWh, input.exportTariff);
    const paid = Math.min(due, account(UTILITY_ACCOUNT).available);
    post('UTILITY_EXPORT', UTILITY_ACCOUNT, buildingAccount(id), paid, id);
    r.utilityCreditKrw = paid;
    r.owedByUtilityKrw = due - paid;
  }

  const total = postings.reduce((s, p) => s + p.amountKrw, 0);
  const buildings = buildingIds.map(row);
  const sum = (f: (r: BuildingSettlement) => number): number => buildings.reduce((s, r) => s + f(r), 0);
  return {
    postings,
    balances,
    buildings,
    certificates,
    energy: {
      importWh: sum((r) => r.importWh),
      exportWh: sum((r) => r.exportWh),
      tradedWh: trades.reduce((s, t) => s + t.quantityWh, 0),
      deliveredWh: sum((r) => r.deliveredWh),
      utilitySuppliedWh: supplied,
      utilityAbsorbedWh: absorbed,
      unmeteredBoughtWh: unmeteredBought,
    },
    // Every posting debits one account and credits another by the same amount.
    money: { debitsKrw: total, creditsKrw: total, feesKrw },
  };
}
