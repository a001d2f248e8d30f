import fc from 'fast-check';
import { clear, valueKrw, type BookOrder, type Side } from './clearing';

const T0 = '2026-06-01T09:00:00.000Z';
const T1 = '2026-06-01T09:01:00.000Z';
const o = (orderId: string, buildingId: string, side: Side, quantityWh: number, limitPrice: number, placedAt = T0): BookOrder => ({
  orderId, buildingId, side, quantityWh, limitPrice, placedAt,
});

describe('clear (uniform-price double auction)', () => {
  it('matches nothing when the best bid is below the best ask', () => {
    const r = clear([o('b1', 'A', 'BUY', 100, 90), o('s1', 'B', 'SELL', 100, 100)]);
    expect(r).toEqual({ price: null, volumeWh: 0, matches: [], fills: { b1: 0, s1: 0 } });
  });

  it('matches nothing on an empty or one-sided book', () => {
    expect(clear([]).price).toBeNull();
    expect(clear([o('b1', 'A', 'BUY', 100, 90)]).volumeWh).toBe(0);
  });

  it('clears a crossing pair at the midpoint of the marginal limits', () => {
    const r = clear([o('b1', 'A', 'BUY', 100, 200), o('s1', 'B', 'SELL', 100, 100)]);
    expect(r.price).toBe(150);
    expect(r.matches).toEqual([{ buyOrderId: 'b1', sellOrderId: 's1', buyer: 'A', seller: 'B', quantityWh: 100 }]);
  });

  it('fills the marginal order partly and pays everyone one price within their limits', () => {
    const r = clear([o('b1', 'A', 'BUY', 100, 200), o('s1', 'B', 'SELL', 60, 100), o('s2', 'C', 'SELL', 80, 150), o('s3', 'D', 'SELL', 50, 210)]);
    expect(r.price).toBe(175); // marginal bid 200, marginal ask 150
    expect(r.fills).toEqual({ b1: 100, s1: 60, s2: 40, s3: 0 });
    expect(r.volumeWh).toBe(100);
  });

  it('floors a half-KRW midpoint', () => {
    expect(clear([o('b1', 'A', 'BUY', 10, 101), o('s1', 'B', 'SELL', 10, 100)]).price).toBe(100);
  });

  it('breaks price ties by time, then by order id', () => {
    const r = clear([
      o('b-late', 'A', 'BUY', 50, 200, T1),
      o('b-z', 'B', 'BUY', 50, 200, T0),
      o('b-a', 'C', 'BUY', 50, 200, T0),
      o('s1', 'D', 'SELL', 100, 100),
    ]);
    expect(r.fills).toEqual({ 'b-late': 0, 'b-z': 50, 'b-a': 50, s1: 100 });
    expect(r.matches.map((m) => m.buyOrderId)).toEqual(['b-a', 'b-z']);
  });

  it('ranks asks ascending with the same tie-breaks', () => {
    const r = clear([
      o('b1', 'A', 'BUY', 60, 200),
      o('s-late', 'B', 'SELL', 50, 100, T1),
      o('s-early', 'C', 'SELL', 50, 100, T0),
      o('s-cheap', 'D', 'SELL', 10, 90, T1),
    ]);
    expect(r.fills).toEqual({ b1: 60, 's-cheap': 10, 's-early': 50, 's-late': 0 });
  });

  it('never lets a building trade with itself', () => {
    const r = clear([o('b1', 'A', 'BUY', 100, 200), o('s1', 'A', 'SELL', 100, 100)]);
    expect(r).toMatchObject({ price: null, volumeWh: 0, matches: [] });
    expect(r.fills).toEqual({ b1: 0, s1: 0 });
  });

  it('pairs a building with the next seller when the best ask is its own', () => {
    const r = clear([o('b1', 'A', 'BUY', 100, 200), o('s1', 'A', 'SELL', 50, 100), o('s2', 'B', 'SELL', 50, 120), o('b2', 'C', 'BUY', 50, 180)]);
    // Accepted: b1 100 (s1 50 + s2 50), b2 0 -> pairing gives b1 only s2.
    expect(r.matches).toEqual([{ buyOrderId: 'b1', sellOrderId: 's2', buyer: 'A', seller: 'B', quantityWh: 50 }]);
    expect(r.matches.every((m) => m.buyer !== m.seller)).toBe(true);
  });

  it('ignores zero-quantity orders', () => {
    expect(clear([o('b1', 'A', 'BUY', 0, 200), o('s1', 'B', 'SELL', 10, 100)]).volumeWh).toBe(0);
  });

  it('values energy in whole KRW (Wh x KRW/kWh / 1000, truncated)', () => {
    expect(valueKrw(1500, 200)).toBe(300);
    expect(valueKrw(1, 999)).toBe(0);
    expect(valueKrw(0, 5)).toBe(0);
  });
});

// Random books: a handful of buildings, prices and times from small ranges so ties and crossings happen.
const orderArb = fc.record({
  buildingId: fc.constantFrom('A', 'B', 'C', 'D', 'E'),
  side: fc.constantFrom<Side>('BUY', 'SELL'),
  quantityWh: fc.integer({ min: 1, max: 5_000 }),
  limitPrice: fc.integer({ min: 80, max: 200 }),
  minute: fc.integer({ min: 0, max: 3 }),
});
const bookArb = fc.array(orderArb, { maxLength: 40 }).map((list) =>
  list.map((x, i) => o(`o${String(i).padStart(3, '0')}`, x.buildingId, x.side, x.quantityWh, x.limitPrice, `2026-06-01T09:0${x.minute}:00.000Z`)),
);

describe('clear: properties', () => {
  it('conserves energy, respects limits and quantities, never self-trades', () => {
    fc.assert(
      fc.property(bookArb, (book) => {
        const r = clear(book);
        const byId = new Map(book.map((x) => [x.orderId, x]));
        const bought = book.filter((x) => x.side === 'BUY').reduce((s, x) => s + r.fills[x.orderId], 0);
        const sold = book.filter((x) => x.side === 'SELL').reduce((s, x) => s + r.fills[x.orderId], 0);
        expect(bought).toBe(r.volumeWh);
        expect(sold).toBe(r.volumeWh);
        expect(r.matches.reduce((s, m) => s + m.quantityWh, 0)).toBe(r.volumeWh);
        for (const x of book) expect(r.fills[x.orderId]).toBeLessThanOrEqual(x.quantityWh);
        for (const m of r.matches) {
          expect(m.buyer).not.toBe(m.seller);
          expect(m.quantityWh).toBeGreaterThan(0);
          expect(byId.get(m.buyOrderId)!.limitPrice).toBeGreaterThanOrEqual(r.price!);
          expect(byId.get(m.sellOrderId)!.limitPrice).toBeLessThanOrEqual(r.price!);
        }
        if (r.volumeWh === 0) expect(r.price).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same book in any order clears identically', () => {
    fc.assert(
      fc.property(bookArb.chain((book) => fc.tuple(fc.constant(book), fc.shuffledSubarray(book, { minLength: book.length, maxLength: book.length }))), ([book, shuffled]) => {
        expect(clear(shuffled)).toEqual(clear(book));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves no crossing between an unfilled bid and an unfilled ask of different buildings', () => {
    fc.assert(
      fc.property(bookArb, (book) => {
        const r = clear(book);
        const open = book.filter((x) => r.fills[x.orderId] < x.quantityWh);
        const bids = open.filter((x) => x.side === 'BUY');
        const asks = open.filter((x) => x.side === 'SELL');
        // Books with a building on both sides may leave self-only volume unfilled; otherwise the book is exhausted at the crossing.
        const twoSided = new Set(book.filter((x) => x.side === 'BUY').map((x) => x.buildingId));
        if (book.some((x) => x.side === 'SELL' && twoSided.has(x.buildingId))) return;
        for (const b of bids) for (const a of asks) expect(b.limitPrice < a.limitPrice).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
