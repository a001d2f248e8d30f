import type { Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark, CityContract, Evaluate, Id, PageSize, Submit, emit, failedPrecondition, forbidden, invalidArgument, txTime,
} from '@cityledger/chaincode-common';
import { requireBuilding, requireBuildingViewer, requireOperator } from './access';
import { clear, valueKrw, type BookOrder } from './clearing';
import { intervalBounds, intervalMachine, requireIntervalIn } from './intervals';
import { hold, recordEntry, release } from './ledger';
import {
  BilateralSchema, IntervalId, IntervalSchema, OrderSchema, Page, PlaceOrderInput, ProposeBilateralInput, TradeSchema,
  type Bilateral, type Interval, type Order, type OrderStatusName, type Trade,
} from './model';
import { buildingAccount } from './settlement';
import {
  bilaterals, bilateralsByBuilding, buildings, intervals, marketConfig, orders, ordersByBuilding, tariffs, trades, tradesByBuilding,
} from './store';

/**
 * The market of one interval: bids and asks (escrowed bids), bilateral contracts between
 * neighbours, gate closure and the uniform-price clearing. Every order and contract has its own
 * key; the interval key is written only by the operator's transitions.
 */
export class MarketContract extends CityContract {
  constructor() {
    super('market');
  }

  @Submit({ description: 'Market operator: opens the market for the interval starting at intervalId, fixing its tariffs and fee.', params: { intervalId: IntervalId() }, returns: IntervalSchema })
  async OpenInterval(ctx: Context, intervalId: string): Promise<Interval> {
    requireOperator(ctx);
    const config = await marketConfig.get(ctx, 'market');
    const tariff = await tariffs.get(ctx, 'tariffs');
    if (!config || !tariff) throw failedPrecondition('market config and utility tariffs must be set first', { reason: 'NOT_CONFIGURED' });
    const bounds = intervalBounds(intervalId, config.intervalMinutes);
    if (!bounds.aligned) throw invalidArgument(`intervalId must start on a ${config.intervalMinutes}-minute boundary`, { input: 'intervalId', intervalId });
    const now = txTime(ctx).iso;
    const interval: Interval = {
      intervalId, start: bounds.start, end: bounds.end, state: 'OPEN',
      importTariff: tariff.importTariff, exportTariff: tariff.exportTariff, feeBps: config.feeBps,
      openedAt: now, updatedAt: now,
    };
    await intervals.create(ctx, interval);
    emit(ctx, 'IntervalOpened', { intervalId, start: interval.start, end: interval.end, importTariff: interval.importTariff, exportTariff: interval.exportTariff, feeBps: interval.feeBps });
    return interval;
  }

  @Submit({
    description: 'Building: places a bid (BUY, quantity x limit escrowed from its available funds) or an ask (SELL). A building may not both buy and sell in one interval. The order id is the transaction id.',
    params: { order: PlaceOrderInput },
    returns: OrderSchema,
  })
  async PlaceOrder(ctx: Context, input: Static<typeof PlaceOrderInput>): Promise<Order> {
    const { building } = await requireBuilding(ctx);
    await requireIntervalIn(ctx, input.intervalId, ['OPEN']);
    const mine = await ordersByBuilding.all(ctx, [building.buildingId, input.intervalId]);
    const opposite = mine.find((o) => o.side !== input.side && o.status === 'OPEN');
    if (opposite) {
      throw failedPrecondition(`building ${building.buildingId} already has a ${opposite.side} order in this interval`, { reason: 'SELF_TRADE', orderId: opposite.orderId });
    }
    const now = txTime(ctx).iso;
    const escrowKrw = input.side === 'BUY' ? valueKrw(input.quantityWh, input.limitPrice) : 0;
    const order: Order = {
      orderId: ctx.stub.getTxID(), intervalId: input.intervalId, buildingId: building.buildingId, side: input.side,
      quantityWh: input.quantityWh, limitPrice: input.limitPrice, escrowKrw, filledWh: 0, status: 'OPEN', placedAt: now, updatedAt: now,
    };
    if (escrowKrw > 0) {
      await hold(ctx, buildingAccount(building.buildingId), escrowKrw);
      await recordEntry(ctx, { account: buildingAccount(building.buildingId), kind: 'ESCROW_HOLD', amountKrw: -escrowKrw, counterparty: 'escrow', ref: order.orderId, intervalId: order.intervalId }, 0);
    }
    // put, not create: the order id is this transaction's id, so nothing can hold it yet.
    await orders.put(ctx, order);
    await ordersByBuilding.put(ctx, order);
    emit(ctx, 'OrderPlaced', { intervalId: order.intervalId, orderId: order.orderId, buildingId: order.buildingId, side: order.side, quantityWh: order.quantityWh, limitPrice: order.limitPrice, escrowKrw });
    return order;
  }

  @Submit({ description: 'Building: cancels its open order while the interval is OPEN; a bid’s escrow is released.', params: { intervalId: IntervalId(), orderId: Id() }, returns: OrderSchema })
  async CancelOrder(ctx: Context, intervalId: string, orderId: string): Promise<Order> {
    const { building } = await requireBuilding(ctx);
    const order = await orders.require(ctx, intervalId, orderId);
    if (order.buildingId !== building.buildingId) throw forbidden('only the building that placed an order may cancel it', { orderId });
    await requireIntervalIn(ctx, intervalId, ['OPEN']);
    if (order.status !== 'OPEN') throw failedPrecondition(`order ${orderId} is ${order.status}`, { state: order.status });
    const released = order.escrowKrw;
    const cancelled: Order = { ...order, status: 'CANCELLED', escrowKrw: 0, updatedAt: txTime(ctx).iso };
    if (released > 0) {
      await release(ctx, buildingAccount(order.buildingId), released);
      await recordEntry(ctx, { account: buildingAccount(order.buildingId), kind: 'ESCROW_RELEASE', amountKrw: released, counterparty: 'escrow', ref: orderId, intervalId }, 0);
    }
    await orders.put(ctx, cancelled);
    await ordersByBuilding.put(ctx, cancelled);
    emit(ctx, 'OrderCancelled', { intervalId, orderId, buildingId: order.buildingId, releasedKrw: released });
    return cancelled;
  }

  @Submit({
    description: 'Building (seller): proposes a bilateral contract to a registered neighbour for the interval. The contract id is the transaction id.',
    params: { contract: ProposeBilateralInput },
    returns: BilateralSchema,
  })
  async ProposeBilateral(ctx: Context, input: Static<typeof ProposeBilateralInput>): Promise<Bilateral> {
    const { building } = await requireBuilding(ctx);
    if (input.buyerBuildingId === building.buildingId) throw invalidArgument('a building cannot contract with itself', { input: 'contract', reason: 'SELF_TRADE' });
    if (!building.neighbours.includes(input.buyerBuildingId)) {
      throw forbidden(`${input.buyerBuildingId} is not a neighbour of ${building.buildingId}`, { reason: 'NOT_NEIGHBOUR', buyerBuildingId: input.buyerBuildingId });
    }
    await buildings.require(ctx, input.buyerBuildingId);
    await requireIntervalIn(ctx, input.intervalId, ['OPEN']);
    const now = txTime(ctx).iso;
    const contract: Bilateral = {
      contractId: ctx.stub.getTxID(), intervalId: input.intervalId, seller: building.buildingId, buyer: input.buyerBuildingId,
      quantityWh: input.quantityWh, price: input.price, valueKrw: valueKrw(input.quantityWh, input.price), escrowKrw: 0,
      status: 'PROPOSED', proposedAt: now, updatedAt: now,
    };
    await bilaterals.create(ctx, contract);
    for (const b of [contract.seller, contract.buyer]) await bilateralsByBuilding.put(ctx, { buildingId: b, intervalId: contract.intervalId, contractId: contract.contractId });
    emit(ctx, 'BilateralProposed', { intervalId: contract.intervalId, contractId: contract.contractId, seller: contract.seller, buyer: contract.buyer, quantityWh: contract.quantityWh, price: contract.price });
    return contract;
  }

  @Submit({ description: 'Building (buyer): accepts a proposed bilateral contract while the interval is OPEN; its value is escrowed.', params: { intervalId: IntervalId(), contractId: Id() }, returns: BilateralSchema })
  async AcceptBilateral(ctx: Context, intervalId: string, contractId: string): Promise<Bilateral> {
    const { building } = await requireBuilding(ctx);
    const contract = await bilaterals.require(ctx, intervalId, contractId);
    if (contract.buyer !== building.buildingId) throw forbidden('only the named buyer may accept a bilateral contract', { contractId });
    await requireIntervalIn(ctx, intervalId, ['OPEN']);
    if (contract.status !== 'PROPOSED') throw failedPrecondition(`contract ${contractId} is ${contract.status}`, { state: contract.status });
    if (contract.valueKrw > 0) {
      await hold(ctx, buildingAccount(building.buildingId), contract.valueKrw);
      await recordEntry(ctx, { account: buildingAccount(building.buildingId), kind: 'ESCROW_HOLD', amountKrw: -contract.valueKrw, counterparty: 'escrow', ref: contractId, intervalId }, 0);
    }
    const accepted: Bilateral = { ...contract, status: 'ACCEPTED', escrowKrw: contract.valueKrw, updatedAt: txTime(ctx).iso };
    await bilaterals.put(ctx, accepted);
    emit(ctx, 'BilateralAccepted', { intervalId, contractId, seller: contract.seller, buyer: contract.buyer, escrowKrw: accepted.escrowKrw });
    return accepted;
  }

  @Submit({ description: 'Market operator: closes the gate; no more orders or contracts for the interval.', params: { intervalId: IntervalId() }, returns: IntervalSchema })
  async CloseGate(ctx: Context, intervalId: string): Promise<Interval> {
    const who = requireOperator(ctx);
    const interval = await intervals.require(ctx, intervalId);
    const next = { ...interval, state: intervalMachine.move(interval.state, 'GATE_CLOSED', [who.role ?? '']), updatedAt: txTime(ctx).iso };
    await intervals.put(ctx, next);
    emit(ctx, 'GateClosed', { intervalId });
    return next;
  }

  @Submit({
    description: 'Market operator: clears the interval: the double auction at one uniform price, plus the accepted bilateral contracts; unaccepted proposals expire.',
    params: { intervalId: IntervalId() },
    returns: IntervalSchema,
  })
  async Clear(ctx: Context, intervalId: string): Promise<Interval> {
    const who = requireOperator(ctx);
    const interval = await intervals.require(ctx, intervalId);
    const state = intervalMachine.move(interval.state, 'CLEARED', [who.role ?? '']);
    const now = txTime(ctx).iso;

    const book = (await orders.all(ctx, [intervalId])).filter((o) => o.status === 'OPEN');
    const result = clear(book.map(toBookOrder));
    const price = result.price ?? 0;
    const made: Trade[] = result.matches.map((m, i) => ({
      intervalId, tradeId: `A${String(i + 1).padStart(6, '0')}`, kind: 'AUCTION', buyer: m.buyer, seller: m.seller,
      buyRef: m.buyOrderId, sellRef: m.sellOrderId, quantityWh: m.quantityWh, price, valueKrw: valueKrw(m.quantityWh, price),
    }));
    for (const order of book) {
      const filled = result.fills[order.orderId] ?? 0;
      const updated: Order = { ...order, filledWh: filled, status: fillStatus(filled, order.quantityWh), updatedAt: now };
      await orders.put(ctx, updated);
      await ordersByBuilding.put(ctx, updated);
    }

    let expired = 0;
    let bilateralCount = 0;
    const contracts = (await bilaterals.all(ctx, [intervalId])).filter((c) => c.status === 'PROPOSED' || c.status === 'ACCEPTED');
    for (const c of contracts.sort((a, b) => (a.contractId < b.contractId ? -1 : 1))) {
      if (c.status === 'ACCEPTED') {
        made.push({
          intervalId, tradeId: `B${String(++bilateralCount).padStart(6, '0')}`, kind: 'BILATERAL', buyer: c.buyer, seller: c.seller,
          buyRef: c.contractId, sellRef: c.contractId, quantityWh: c.quantityWh, price: c.price, valueKrw: c.valueKrw,
        });
      } else expired += 1;
      await bilaterals.put(ctx, { ...c, status: c.status === 'ACCEPTED' ? 'TRADED' : 'EXPIRED', updatedAt: now });
    }

    for (const t of made) {
      await trades.create(ctx, t);
      await tradesByBuilding.put(ctx, { ...t, buildingId: t.buyer });
      await tradesByBuilding.put(ctx, { ...t, buildingId: t.seller });
    }
    const bilateralWh = made.filter((t) => t.kind === 'BILATERAL').reduce((s, t) => s + t.quantityWh, 0);
    const next: Interval = { ...interval, state, updatedAt: now, clearingPrice: result.price, clearedWh: result.volumeWh + bilateralWh, tradeCount: made.length };
    await intervals.put(ctx, next);
    for (const t of made) {
      emit(ctx, 'TradeMatched', { intervalId, tradeId: t.tradeId, kind: t.kind, buyer: t.buyer, seller: t.seller, quantityWh: t.quantityWh, price: t.price });
    }
    emit(ctx, 'IntervalCleared', { intervalId, clearingPrice: result.price, auctionWh: result.volumeWh, bilateralWh, trades: made.length, expiredContracts: expired });
    return next;
  }

  @Evaluate({ description: 'An interval: state, tariffs and clearing result.', params: { intervalId: IntervalId() }, returns: IntervalSchema })
  async GetInterval(ctx: Context, intervalId: string): Promise<Interval> {
    return intervals.require(ctx, intervalId);
  }

  @Evaluate({ description: "The interval's trades (public market data), paginated.", params: { intervalId: IntervalId(), pageSize: PageSize, bookmark: Bookmark }, returns: Page(TradeSchema) })
  async ListTrades(ctx: Context, intervalId: string, pageSize: number, bookmark: string): Promise<{ items: Trade[]; bookmark: string }> {
    return trades.page(ctx, [intervalId], pageSize, bookmark);
  }

  @Evaluate({ description: "A building's orders, oldest interval first, paginated (the building, the operator, the utility).", params: { buildingId: Id(), pageSize: PageSize, bookmark: Bookmark }, returns: Page(OrderSchema) })
  async ListOrders(ctx: Context, buildingId: string, pageSize: number, bookmark: string): Promise<{ items: Order[]; bookmark: string }> {
    await requireBuildingViewer(ctx, buildingId);
    return ordersByBuilding.page(ctx, [buildingId], pageSize, bookmark);
  }

  @Evaluate({ description: "A building's trades as buyer or seller, paginated (the building, the operator, the utility).", params: { buildingId: Id(), pageSize: PageSize, bookmark: Bookmark }, returns: Page(TradeSchema) })
  async ListBuildingTrades(ctx: Context, buildingId: string, pageSize: number, bookmark: string): Promise<{ items: Trade[]; bookmark: string }> {
    await requireBuildingViewer(ctx, buildingId);
    const page = await tradesByBuilding.page(ctx, [buildingId], pageSize, bookmark);
    return { items: page.items.map(({ buildingId: _b, ...t }) => t), bookmark: page.bookmark };
  }

  @Evaluate({ description: "A building's bilateral contracts, paginated (the building, the operator, the utility).", params: { buildingId: Id(), pageSize: PageSize, bookmark: Bookmark }, returns: Page(BilateralSchema) })
  async ListBilaterals(ctx: Context, buildingId: string, pageSize: number, bookmark: string): Promise<{ items: Bilateral[]; bookmark: string }> {
    await requireBuildingViewer(ctx, buildingId);
    const page = await bilateralsByBuilding.page(ctx, [buildingId], pageSize, bookmark);
    const items = await Promise.all(page.items.map((x) => bilaterals.require(ctx, x.intervalId, x.contractId)));
    return { items, bookmark: page.bookmark };
  }
}

function toBookOrder(o: Order): BookOrder {
  return { orderId: o.orderId, buildingId: o.buildingId, side: o.side, quantityWh: o.quantityWh, limitPrice: o.limitPrice, placedAt: o.placedAt };
}

function fillStatus(filled: number, quantity: number): OrderStatusName {
  return filled === 0 ? 'UNFILLED' : filled === quantity ? 'FILLED' : 'PARTIALLY_FILLED';
}
