/**
 * The interval's double auction: one uniform price for every matched order. Pure and
 * deterministic (no Fabric imports) so it can be tested exhaustively and reproduced off-chain.
 *
 * 1. Priority: bids by limit price descending, asks ascending; ties by placement time, then order id.
 * 2. Acceptance: walk both books while the best remaining bid's limit >= the best remaining ask's
 *    limit, accepting min(remaining) on each side. The last bid and ask that received volume are
 *    the marginal orders (either may fill partly).
 * 3. Price: floor((marginal bid limit + marginal ask limit) / 2). Every accepted bid's limit is >= the
 *    marginal bid's and every accepted ask's <= the marginal ask's, so nobody trades beyond its limit.
 * 4. Pairing: accepted volume is matched bid-by-bid in priority order against asks in priority order,
 *    skipping asks of the bid's own building (a building never trades with itself); volume that could
 *    only pair with its own building stays unfilled.
 */
import { mulDiv } from '@cityledger/chaincode-common';

export type Side = 'BUY' | 'SELL';

export interface BookOrder {
  orderId: string;
  buildingId: string;
  side: Side;
  quantityWh: number;
  /** KRW per kWh. */
  limitPrice: number;
  /** ISO time the order was placed (transaction time). */
  placedAt: string;
}

export interface Match {
  buyOrderId: string;
  sellOrderId: string;
  buyer: string;
  seller: string;
  quantityWh: number;
}

export interface ClearingResult {
  /** Uniform price in KRW per kWh; null when nothing crossed. */
  price: number | null;
  volumeWh: number;
  matches: Match[];
  /** Filled Wh per order id (0 for orders that did not fill). */
  fills: Record<string, number>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function bidPriority(a: BookOrder, b: BookOrder): number {
  return b.limitPrice - a.limitPrice || byText(a.placedAt, b.placedAt) || byText(a.orderId, b.orderId);
}

export function askPriority(a: BookOrder, b: BookOrder): number {
  return a.limitPrice - b.limitPrice || byText(a.placedAt, b.placedAt) || byText(a.orderId, b.orderId);
}

export function clear(orders: readonly BookOrder[]): ClearingResult {
  const bids = orders.filter((o) => o.side === 'BUY' && o.quantityWh > 0).sort(bidPriority);
  const asks = orders.filter((o) => o.side === 'SELL' && o.quantityWh > 0).sort(askPriority);
  const fills: Record<string, number> = {};
  for (const o of orders) fills[o.orderId] = 0;

  // Acceptance (ignoring who owns what): the crossing volume and the marginal pair.
  const accepted = new Map<string, number>();
  let i = 0;
  let j = 0;
  let remBid = bids[0]?.quantityWh ?? 0;
  let remAsk = asks[0]?.quantityWh ?? 0;
  let marginal: { bid: BookOrder; ask: BookOrder } | undefined;
  while (i < bids.length && j < asks.length && bids[i].limitPrice >= asks[j].limitPrice) {
    const q = Math.min(remBid, remAsk);
    accepted.set(bids[i].orderId, (accepted.get(bids[i].orderId) ?? 0) + q);
    accepted.set(asks[j].orderId, (accepted.get(asks[j].orderId) ?? 0) + q);
    marginal = { bid: bids[i], ask: asks[j] };
    remBid -= q;
    remAsk -= q;
    if (remBid === 0 && ++i < bids.length) remBid = bids[i].quantityWh;
    if (remAsk === 0 && ++j < asks.length) remAsk = asks[j].quantityWh;
  }
  if (!marginal) return { price: null, volumeWh: 0, matches: [], fills };
  const price = Math.floor((marginal.bid.limitPrice + marginal.ask.limitPrice) / 2);

  // Pairing within the accepted volume, never across one building.
  const sellers = asks.filter((a) => accepted.has(a.orderId)).map((a) => ({ order: a, left: accepted.get(a.orderId) as number }));
  const matches: Match[] = [];
  for (const bid of bids) {
    let want = accepted.get(bid.orderId) ?? 0;
    for (const s of sellers) {
      if (want === 0) break;
      if (s.left === 0 || s.order.buildingId === bid.buildingId) continue;
      const q = Math.min(want, s.left);
      matches.push({ buyOrderId: bid.orderId, sellOrderId: s.order.orderId, buyer: bid.buildingId, seller: s.order.buildingId, quantityWh: q });
      fills[bid.orderId] += q;
      fills[s.order.orderId] += q;
      want -= q;
      s.left -= q;
    }
  }
  const volumeWh = matches.reduce((sum, m) => sum + m.quantityWh, 0);
  return volumeWh === 0 ? { price: null, volumeWh: 0, matches: [], fills } : { price, volumeWh, matches, fills };
}

/** KRW for `wh` Wh at `krwPerKwh`, truncated (integer money). */
export function valueKrw(wh: number, krwPerKwh: number): number {
  return mulDiv(wh, krwPerKwh, 1000);
}
