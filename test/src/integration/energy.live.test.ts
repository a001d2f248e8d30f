/**
 * The energy chaincode on the live network (issue 6, Bars), with real identities enrolled at the City CA:
 * a market operator, the utility, six buildings and their smart meters. One interval runs from top-ups
 * (mints the utility confirms) through bids, offers and a bilateral contract between neighbours, gate
 * closure, the uniform-price clearing and the meter readings to its settlement; the test checks the
 * trades, the price, every balance, the green certificates, that money adds up across all accounts
 * (buildings, utility and fees, read from what the settlement transaction wrote to the ledger) and that
 * no seller is credited with more energy than its meter exported. Settling again writes nothing. A bid
 * beyond a building's funds, a register going down and calls by the wrong identities are refused with
 * their coded errors.
 *
 * Ids and enrolment names are unique per run, and the interval is a random past 15-minute slot checked to
 * be unused, so the suite passes repeatedly on the same ledger. Amounts shared with other runs (the
 * `utility` and `fees` accounts, the market configuration) are never compared as absolutes: the
 * interval's own snapshot of tariffs and fee is used, and the shared accounts' changes are read from the
 * settlement transaction's write set.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { evaluateAs, forgetContracts, InvalidAtCommit, submitAs } from '../support/calls';
import { transactionEffects, splitCompositeKey, writesIn } from '../support/effects';
import { chaincodeError, expectRefusal } from '../support/errors';
import { channelOf, closeConnections, enrolUser, ensureNetwork, TestUser } from '../support/live';
import type {
  Account,
  Bilateral,
  BuildingSettlement,
  Certificate,
  Entry,
  Interval,
  Order,
  Reading,
  SettlementRecord,
  Trade,
} from '@cityledger/energy-chaincode';

const CC = 'energy';
const run = randomUUID().slice(0, 8);
const channel = () => channelOf(CC);

// ---- what the chaincode returns (the parts these tests read) ---------------------------------------

// Their shapes are the chaincode's own types (one definition, no drift).
type Settlement = SettlementRecord;
interface Page<T> {
  items: T[];
  bookmark: string;
}

// ---- calling the chaincode ------------------------------------------------------------------------

const submit = <T>(user: TestUser, tx: string, args: unknown[]) => submitAs<T>(user, CC, tx, args);
const evaluate = <T>(user: TestUser, tx: string, args: unknown[]) => evaluateAs<T>(user, CC, tx, args);

/**
 * For transactions that read a key other suites write too (the `utility` and `fees` accounts): an MVCC
 * conflict at commit means someone else's transaction got there first, so endorse again. Only safe for
 * transactions that are idempotent or were not applied (an invalid transaction changes nothing).
 */
async function submitRetryingConflicts<T>(user: TestUser, tx: string, args: unknown[]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit<T>(user, tx, args);
    } catch (err) {
      const conflict = err instanceof InvalidAtCommit && (err.code === 11 || err.code === 12); // MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT
      if (!conflict || attempt === 5) throw err;
    }
  }
}

/** Every item of a paginated query. */
async function all<T>(user: TestUser, tx: string, key: string): Promise<T[]> {
  const items: T[] = [];
  let bookmark = '';
  do {
    const page = await evaluate<Page<T>>(user, tx, [key, 100, bookmark]);
    items.push(...page.items);
    bookmark = page.bookmark;
  } while (bookmark !== '');
  return items;
}

/** The value of `wh` at `krwPerKwh` (README: floor(wh × price / 1000)). */
const value = (wh: number, krwPerKwh: number) => Math.floor((wh * krwPerKwh) / 1000);
const fee = (krw: number, bps: number) => Math.floor((krw * bps) / 10000);
const total = (a: Account) => a.available + a.escrowed;

// ---- the cast --------------------------------------------------------------------------------------

/** Sellers s1, s2 (auction) and s3 (bilateral, neighbour of b1); buyers b1, b2; b3 has almost no money. */
const NAMES = ['s1', 's2', 's3', 'b1', 'b2', 'b3'] as const;
type Name = (typeof NAMES)[number];
const METERED: Name[] = ['s1', 's2', 's3', 'b1', 'b2'];
const ids = Object.fromEntries(NAMES.map((n) => [n, `bld-${n}-${run}`])) as Record<Name, string>;
const meterIds = Object.fromEntries(NAMES.map((n) => [n, `mtr-${n}-${run}`])) as Record<Name, string>;
const acct = (n: Name) => `building:${ids[n]}`;

/** Top-ups (KRW) the utility confirms before the interval. */
const MINTS: Record<Name, number> = { s1: 50, s2: 1000, s3: 50, b1: 2000, b2: 1000, b3: 100 };
/** Registers at installation; readings add the interval's deltas. */
const INSTALLED = { importWh: 100_000, exportWh: 50_000 };
/** What each building's meter measured over the interval (Wh). s2 exports far less than it sells. */
const DELTAS: Record<Exclude<Name, 'b3'>, { importWh: number; exportWh: number }> = {
  s1: { importWh: 200, exportWh: 4500 },
  s2: { importWh: 0, exportWh: 1000 },
  s3: { importWh: 0, exportWh: 1500 },
  b1: { importWh: 6500, exportWh: 0 },
  b2: { importWh: 2500, exportWh: 0 },
};

let operator: TestUser;
let utility: TestUser;
let buildings: Record<Name, TestUser>;
let meters: Record<Exclude<Name, 'b3'>, TestUser>;
let rogueMeter: TestUser; // a real meter certificate claiming b1, for s1's meter id
let portUtility: TestUser; // another org's certificate claiming the City's utility role

/** A past 15-minute slot (interval id, README: start in UTC to the minute) that no earlier run opened. */
async function unusedInterval(): Promise<string> {
  const slot = 15 * 60_000;
  for (let attempt = 0; attempt < 10; attempt++) {
    // Between 1 day and ~10 years ago: long ended, so meters may read it at once.
    const start = (Math.floor(Date.now() / slot) - randomInt(96, 350_000)) * slot;
    const intervalId = new Date(start).toISOString().slice(0, 16) + 'Z';
    try {
      await evaluate(operator, 'market:GetInterval', [intervalId]);
    } catch (err) {
      if (chaincodeError(err)?.code === 'NOT_FOUND') return intervalId; // OpenInterval checks again (CONFLICT)
      throw err;
    }
  }
  throw new Error('no unused interval found');
}

let intervalId: string;
let interval: Interval; // the snapshot taken at opening: tariffs and fee of this interval

beforeAll(async () => {
  await ensureNetwork();
  operator = await enrolUser('city', `market-operator-${run}`, { role: 'market-operator' });
  utility = await enrolUser('city', `utility-${run}`, { role: 'utility' });
  buildings = {} as Record<Name, TestUser>;
  for (const n of NAMES) {
    buildings[n] = await enrolUser('city', `building-${n}-${run}`, { role: 'building', buildingId: ids[n] });
  }
  meters = {} as typeof meters;
  for (const n of METERED) {
    meters[n as Exclude<Name, 'b3'>] = await enrolUser('city', `meter-${n}-${run}`, {
      role: 'meter',
      buildingId: ids[n],
      meterId: meterIds[n],
    });
  }
  rogueMeter = await enrolUser('city', `meter-rogue-${run}`, {
    role: 'meter',
    buildingId: ids.b1,
    meterId: meterIds.s1,
  });
  portUtility = await enrolUser('port', `utility-${run}`, { role: 'utility' });

  // The market (README, integration step 1). Shared settings: each interval snapshots them at opening.
  await Promise.all([
    submit(operator, 'registry:SetMarketConfig', [{ intervalMinutes: 15, feeBps: 100 }]),
    submit(utility, 'registry:SetTariffs', [{ importTariff: 200, exportTariff: 80 }]),
  ]);
  await Promise.all(
    NAMES.map((n) =>
      submit(operator, 'registry:RegisterBuilding', [
        { buildingId: ids[n], neighbours: n === 's3' ? [ids.b1] : [] },
      ]),
    ),
  );
  await Promise.all([
    ...METERED.map((n) =>
      submit(operator, 'registry:RegisterMeter', [
        { meterId: meterIds[n], buildingId: ids[n], ...INSTALLED },
      ]),
    ),
    ...NAMES.map((n) =>
      submit(utility, 'funds:Mint', [{ mintId: `topup-${n}-${run}`, account: acct(n), amountKrw: MINTS[n] }]),
    ),
    // The utility funds its own buy-backs.
    submitRetryingConflicts(utility, 'funds:Mint', [
      { mintId: `utility-${run}`, account: 'utility', amountKrw: 1000 },
    ]),
  ]);

  intervalId = await unusedInterval();
  interval = (await submit<Interval>(operator, 'market:OpenInterval', [intervalId])).result;
}, 300_000);

afterAll(() => {
  forgetContracts();
  closeConnections();
});

// ---- the tests -------------------------------------------------------------------------------------

describe('before trading', () => {
  test('the interval opened with a snapshot of the tariffs and fee, and the top-ups are in the accounts', async () => {
    expect(interval).toMatchObject({ intervalId, state: 'OPEN' });
    expect(interval.exportTariff).toBeLessThanOrEqual(interval.importTariff);
    for (const n of NAMES) {
      await expect(evaluate<Account>(buildings[n], 'funds:GetBalance', [acct(n)])).resolves.toEqual({
        account: acct(n),
        available: MINTS[n],
        escrowed: 0,
      });
    }
    const [mint] = await all<Entry>(buildings.b1, 'funds:ListEntries', acct('b1'));
    expect(mint).toMatchObject({ kind: 'MINT', amountKrw: MINTS.b1, ref: `topup-b1-${run}` });
  });

  test('a bid beyond the available balance is refused with FAILED_PRECONDITION INSUFFICIENT_FUNDS, and holds nothing', async () => {
    // 1000 Wh at 200 KRW/kWh must escrow 200 KRW; b3 has 100.
    const refusal = await expectRefusal(
      submit(buildings.b3, 'market:PlaceOrder', [
        { intervalId, side: 'BUY', quantityWh: 1000, limitPrice: 200 },
      ]),
      'FAILED_PRECONDITION',
    );
    expect(refusal).toEqual({
      code: 'FAILED_PRECONDITION',
      message: 'insufficient funds: 100 KRW available, 200 KRW needed',
      details: { reason: 'INSUFFICIENT_FUNDS', available: 100, required: 200 },
    });
    await expect(evaluate<Account>(buildings.b3, 'funds:GetBalance', [acct('b3')])).resolves.toEqual({
      account: acct('b3'),
      available: 100,
      escrowed: 0,
    });
  });

  test('wrong identities are refused with FORBIDDEN', async () => {
    // A building cannot run the market, confirm its own top-up, or read another building's money.
    const gate = await expectRefusal(submit(buildings.b1, 'market:CloseGate', [intervalId]), 'FORBIDDEN');
    expect(gate.details).toMatchObject({
      mspId: 'CityMSP',
      role: 'building',
      required: ['CityMSP:market-operator'],
    });
    await expectRefusal(
      submit(buildings.b1, 'funds:Mint', [
        { mintId: `self-${run}`, account: acct('b1'), amountKrw: 1_000_000 },
      ]),
      'FORBIDDEN',
    );
    await expectRefusal(evaluate(buildings.b2, 'funds:GetBalance', [acct('b1')]), 'FORBIDDEN');
    // The utility role only counts from the City CA.
    const port = await expectRefusal(
      submit(portUtility, 'funds:Mint', [
        { mintId: `port-${run}`, account: acct('b1'), amountKrw: 1_000_000 },
      ]),
      'FORBIDDEN',
    );
    expect(port.details).toMatchObject({ mspId: 'PortMSP', role: 'utility' });
    // A meter certificate claiming another building than the one its meter id is registered to.
    const rogue = await expectRefusal(
      submit(rogueMeter, 'metering:SubmitReading', [
        { intervalId, importWh: INSTALLED.importWh, exportWh: INSTALLED.exportWh + 10_000 },
      ]),
      'FORBIDDEN',
    );
    expect(rogue.details).toEqual({ reason: 'METER_NOT_BOUND', meterId: meterIds.s1 });
    // None of it moved money.
    await expect(evaluate<Account>(operator, 'funds:GetBalance', [acct('b1')])).resolves.toEqual({
      account: acct('b1'),
      available: MINTS.b1,
      escrowed: 0,
    });
  });

  test('a meter register going down is refused with FAILED_PRECONDITION REGISTER_DECREASED', async () => {
    const refusal = await expectRefusal(
      submit(meters.s1, 'metering:SubmitReading', [
        { intervalId, importWh: INSTALLED.importWh + 10, exportWh: INSTALLED.exportWh - 1 },
      ]),
      'FAILED_PRECONDITION',
    );
    expect(refusal.details).toEqual({ reason: 'REGISTER_DECREASED', previous: INSTALLED });
    await expectRefusal(evaluate(operator, 'metering:GetReading', [intervalId, meterIds.s1]), 'NOT_FOUND');
    await expect(evaluate(meters.s1, 'registry:GetMeter', [meterIds.s1])).resolves.toMatchObject(INSTALLED);
  });
});

describe('a full interval: bids and offers, clearing, readings, settlement', () => {
  const orderIds = {} as Record<'s1' | 's2' | 'b1' | 'b2', string>;
  let contractId: string;
  let before: Record<Name, Account>;
  let settlement: Settlement;
  let settleTxId: string;

  test('orders and a bilateral contract are placed, escrowing the bids', async () => {
    const place = async (
      n: keyof typeof orderIds,
      side: 'BUY' | 'SELL',
      quantityWh: number,
      limitPrice: number,
    ) => {
      const { result, txId } = await submit<Order>(buildings[n], 'market:PlaceOrder', [
        { intervalId, side, quantityWh, limitPrice },
      ]);
      expect(result).toMatchObject({ orderId: txId, buildingId: ids[n], side, status: 'OPEN', filledWh: 0 });
      orderIds[n] = txId;
      return result;
    };
    // Different buildings' orders do not touch each other's keys: in parallel.
    const [, , b1Bid, b2Bid] = await Promise.all([
      place('s1', 'SELL', 4000, 100),
      place('s2', 'SELL', 3000, 120),
      place('b1', 'BUY', 5000, 150),
      place('b2', 'BUY', 3000, 130),
    ]);
    expect(b1Bid.escrowKrw).toBe(750);
    expect(b2Bid.escrowKrw).toBe(390);

    // s3 sells to its neighbour b1 at 110 KRW/kWh; b1 accepts, escrowing 165 KRW.
    const proposed = await submit<Bilateral>(buildings.s3, 'market:ProposeBilateral', [
      { intervalId, buyerBuildingId: ids.b1, quantityWh: 1500, price: 110 },
    ]);
    contractId = proposed.txId;
    expect(proposed.result).toMatchObject({ contractId, status: 'PROPOSED', valueKrw: 165 });
    // Only a neighbour may be offered a contract.
    const notNeighbour = await expectRefusal(
      submit(buildings.s3, 'market:ProposeBilateral', [
        { intervalId, buyerBuildingId: ids.b2, quantityWh: 100, price: 110 },
      ]),
      'FORBIDDEN',
    );
    expect(notNeighbour.details).toMatchObject({ reason: 'NOT_NEIGHBOUR' });
    const accepted = await submit<Bilateral>(buildings.b1, 'market:AcceptBilateral', [
      intervalId,
      contractId,
    ]);
    expect(accepted.result).toMatchObject({ status: 'ACCEPTED', escrowKrw: 165 });

    await expect(evaluate<Account>(buildings.b1, 'funds:GetBalance', [acct('b1')])).resolves.toEqual({
      account: acct('b1'),
      available: MINTS.b1 - 750 - 165,
      escrowed: 750 + 165,
    });
    // What b1 still has is what limits its next bid: 10 kWh at 150 needs 1500, 1085 available.
    const refusal = await expectRefusal(
      submit(buildings.b1, 'market:PlaceOrder', [
        { intervalId, side: 'BUY', quantityWh: 10_000, limitPrice: 150 },
      ]),
      'FAILED_PRECONDITION',
    );
    expect(refusal).toEqual({
      code: 'FAILED_PRECONDITION',
      message: 'insufficient funds: 1085 KRW available, 1500 KRW needed',
      details: { reason: 'INSUFFICIENT_FUNDS', available: 1085, required: 1500 },
    });
  });

  test('gate closure and clearing: one uniform price, the marginal bid partly filled, no one beyond its limit', async () => {
    // Gate closed: no more orders.
    await submit(operator, 'market:CloseGate', [intervalId]);
    const late = await expectRefusal(
      submit(buildings.b2, 'market:PlaceOrder', [
        { intervalId, side: 'BUY', quantityWh: 100, limitPrice: 130 },
      ]),
      'FAILED_PRECONDITION',
    );
    expect(late.details).toMatchObject({ state: 'GATE_CLOSED' });

    // Bids 150 (b1, 5000), 130 (b2, 3000); asks 100 (s1, 4000), 120 (s2, 3000). b1 takes s1's 4000 and
    // 1000 of s2; b2 takes s2's remaining 2000 and is the marginal bid, s2 the marginal ask:
    // price = floor((130 + 120) / 2) = 125.
    const { result: cleared } = await submit<Interval>(operator, 'market:Clear', [intervalId]);
    expect(cleared).toMatchObject({
      state: 'CLEARED',
      clearingPrice: 125,
      clearedWh: 7000 + 1500,
      tradeCount: 4,
    });

    const trades = await all<Trade>(buildings.b3, 'market:ListTrades', intervalId); // public market data
    expect(trades).toEqual([
      {
        intervalId,
        tradeId: 'A000001',
        kind: 'AUCTION',
        buyer: ids.b1,
        seller: ids.s1,
        buyRef: orderIds.b1,
        sellRef: orderIds.s1,
        quantityWh: 4000,
        price: 125,
        valueKrw: 500,
      },
      {
        intervalId,
        tradeId: 'A000002',
        kind: 'AUCTION',
        buyer: ids.b1,
        seller: ids.s2,
        buyRef: orderIds.b1,
        sellRef: orderIds.s2,
        quantityWh: 1000,
        price: 125,
        valueKrw: 125,
      },
      {
        intervalId,
        tradeId: 'A000003',
        kind: 'AUCTION',
        buyer: ids.b2,
        seller: ids.s2,
        buyRef: orderIds.b2,
        sellRef: orderIds.s2,
        quantityWh: 2000,
        price: 125,
        valueKrw: 250,
      },
      {
        intervalId,
        tradeId: 'B000001',
        kind: 'BILATERAL',
        buyer: ids.b1,
        seller: ids.s3,
        buyRef: contractId,
        sellRef: contractId,
        quantityWh: 1500,
        price: 110,
        valueKrw: 165,
      },
    ]);
    for (const t of trades) expect(t.buyer).not.toBe(t.seller);

    const status = async (n: keyof typeof orderIds) =>
      (await all<Order>(buildings[n], 'market:ListOrders', ids[n])).map((o) => [
        o.orderId,
        o.status,
        o.filledWh,
      ]);
    await expect(status('s1')).resolves.toEqual([[orderIds.s1, 'FILLED', 4000]]);
    await expect(status('s2')).resolves.toEqual([[orderIds.s2, 'FILLED', 3000]]);
    await expect(status('b1')).resolves.toEqual([[orderIds.b1, 'FILLED', 5000]]);
    await expect(status('b2')).resolves.toEqual([[orderIds.b2, 'PARTIALLY_FILLED', 2000]]);
  });

  test('each meter reads once; the interval is metered and settled', async () => {
    const readings = await Promise.all(
      METERED.map((n) => {
        const d = DELTAS[n as keyof typeof DELTAS];
        return submit<Reading>(meters[n as keyof typeof meters], 'metering:SubmitReading', [
          {
            intervalId,
            importWh: INSTALLED.importWh + d.importWh,
            exportWh: INSTALLED.exportWh + d.exportWh,
          },
        ]);
      }),
    );
    readings.forEach(({ result }, i) =>
      expect(result).toMatchObject({
        meterId: meterIds[METERED[i]],
        importDeltaWh: DELTAS[METERED[i] as keyof typeof DELTAS].importWh,
        exportDeltaWh: DELTAS[METERED[i] as keyof typeof DELTAS].exportWh,
      }),
    );
    // A second reading for the same interval is a duplicate.
    await expectRefusal(
      submit(meters.b1, 'metering:SubmitReading', [
        { intervalId, importWh: INSTALLED.importWh + 9000, exportWh: INSTALLED.exportWh },
      ]),
      'CONFLICT',
    );

    await submit(operator, 'metering:MarkMetered', [intervalId]);
    before = Object.fromEntries(
      await Promise.all(
        NAMES.map(async (n) => [n, await evaluate<Account>(operator, 'funds:GetBalance', [acct(n)])]),
      ),
    ) as Record<Name, Account>;

    // Settle reads the shared utility and fees accounts: retried if another settlement commits first.
    const settled = await submitRetryingConflicts<Settlement>(operator, 'settlement:Settle', [intervalId]);
    settlement = settled.result;
    settleTxId = settled.txId;
    expect(settlement).toMatchObject({ intervalId, txId: settleTxId });
    await expect(evaluate<Interval>(buildings.b3, 'market:GetInterval', [intervalId])).resolves.toMatchObject(
      {
        state: 'SETTLED',
      },
    );
  });

  test('settlement: each building paid, paid for, fined and credited as the rules say; escrow released', async () => {
    const { importTariff: it, exportTariff: et, feeBps: bps } = interval;
    const row = (over: Partial<BuildingSettlement> & { buildingId: string }): BuildingSettlement => ({
      importWh: 0,
      exportWh: 0,
      boughtWh: 0,
      soldWh: 0,
      deliveredWh: 0,
      imbalanceWh: 0,
      escrowReleasedKrw: 0,
      paidKrw: 0,
      receivedKrw: 0,
      feeKrw: 0,
      utilityChargeKrw: 0,
      utilityCreditKrw: 0,
      unpaidKrw: 0,
      owedByUtilityKrw: 0,
      ...over,
    });
    const expected = [
      // s1: exported 4500, used 200, sold 4000 -> 300 Wh surplus bought back by the utility.
      row({
        buildingId: ids.s1,
        importWh: 200,
        exportWh: 4500,
        soldWh: 4000,
        deliveredWh: 4000,
        imbalanceWh: 300,
        receivedKrw: 500,
        feeKrw: fee(500, bps),
        utilityCreditKrw: value(300, et),
      }),
      // s2: sold 3000, exported only 1000 -> delivered 1000, 2000 Wh shortfall supplied by the utility.
      row({
        buildingId: ids.s2,
        exportWh: 1000,
        soldWh: 3000,
        deliveredWh: 1000,
        imbalanceWh: -2000,
        receivedKrw: 375,
        feeKrw: fee(125, bps) + fee(250, bps),
        utilityChargeKrw: value(2000, it),
      }),
      // s3: delivered its bilateral sale exactly.
      row({
        buildingId: ids.s3,
        exportWh: 1500,
        soldWh: 1500,
        deliveredWh: 1500,
        receivedKrw: 165,
        feeKrw: fee(165, bps),
      }),
      // b1: used exactly what it bought; 750 + 165 escrowed come back, 790 paid.
      row({ buildingId: ids.b1, importWh: 6500, boughtWh: 6500, escrowReleasedKrw: 915, paidKrw: 790 }),
      // b2: bought 2000, used 2500 -> 500 Wh from the utility.
      row({
        buildingId: ids.b2,
        importWh: 2500,
        boughtWh: 2000,
        imbalanceWh: -500,
        escrowReleasedKrw: 390,
        paidKrw: 250,
        utilityChargeKrw: value(500, it),
      }),
    ].sort((a, b) => (a.buildingId < b.buildingId ? -1 : 1));
    expect(settlement.buildings).toEqual(expected);

    const fees = fee(500, bps) + fee(125, bps) + fee(250, bps) + fee(165, bps);
    expect(settlement.money.feesKrw).toBe(fees);
    expect(settlement.money.debitsKrw).toBe(settlement.money.creditsKrw);
    expect(settlement.energy).toEqual({
      importWh: 9200,
      exportWh: 7000,
      tradedWh: 8500,
      deliveredWh: 6500,
      utilitySuppliedWh: 2500,
      utilityAbsorbedWh: 300,
      unmeteredBoughtWh: 0,
    });

    const after = (n: Name) => evaluate<Account>(operator, 'funds:GetBalance', [acct(n)]);
    const expectBalance = async (n: Name, available: number) =>
      expect(await after(n)).toEqual({ account: acct(n), available, escrowed: 0 });
    await expectBalance('s1', MINTS.s1 + 500 - fee(500, bps) + value(300, et));
    await expectBalance('s2', MINTS.s2 + 375 - fee(125, bps) - fee(250, bps) - value(2000, it));
    await expectBalance('s3', MINTS.s3 + 165 - fee(165, bps));
    await expectBalance('b1', MINTS.b1 - 790);
    await expectBalance('b2', MINTS.b2 - 250 - value(500, it));
    await expectBalance('b3', MINTS.b3);
  });

  test('green certificates: delivered solar energy, issued and retired to the buyer in the same settlement', async () => {
    const mine = (await all<Certificate>(buildings.b1, 'settlement:ListCertificates', ids.b1)).map((c) => [
      c.certificateId,
      c.producer,
      c.quantityWh,
      c.status,
      c.source,
      c.retiredFor,
    ]);
    expect(mine).toEqual([
      [`GC.${intervalId}.A000001`, ids.s1, 4000, 'RETIRED', 'solar', ids.b1],
      [`GC.${intervalId}.A000002`, ids.s2, 1000, 'RETIRED', 'solar', ids.b1],
      [`GC.${intervalId}.B000001`, ids.s3, 1500, 'RETIRED', 'solar', ids.b1],
    ]);
    // b2 bought from s2, whose metered export was used up by the earlier trade A000002: no certificate
    // names b2 (its empty list is read in the last test).
    const produced = await Promise.all(
      (['s1', 's2', 's3'] as const).map((n) =>
        all<Certificate>(buildings[n], 'settlement:ListCertificates', ids[n]),
      ),
    );
    expect(produced.flat().filter((c) => c.buyer === ids.b2)).toEqual([]);
    expect(settlement.certificateCount).toBe(3);
  });

  test('money and energy add up: the balance changes of all accounts (utility and fees included) sum to zero', async () => {
    // What the settlement transaction wrote, read from the ledger: new account records and statement lines.
    const effects = await transactionEffects(operator, channel(), settleTxId);
    expect(effects.validation).toBe('VALID');
    // Its one chaincode event announces the settlement and the retired certificates (ids and totals only).
    expect(effects.event?.name).toBe('settlement.Settle');
    const announced = JSON.parse(effects.event!.payload.toString('utf8')) as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    expect(announced.events).toEqual([
      {
        type: 'IntervalSettled',
        data: expect.objectContaining({ intervalId, trades: 4, tradedWh: 8500, deliveredWh: 6500 }),
      },
      { type: 'CertificatesRetired', data: { intervalId, count: 3, quantityWh: 6500 } },
    ]);
    const writes = writesIn(effects, CC).map((w) => ({ ...w, parts: splitCompositeKey(w.key) }));
    const entries = writes
      .filter((w) => w.parts?.objectType === 'entry')
      .map((w) => JSON.parse(w.value.toString('utf8')) as Entry);
    expect(entries.every((e) => e.intervalId === intervalId)).toBe(true);

    // Change of each account's holdings (available + escrowed): every line but escrow releases, which only
    // move a building's money from escrowed to available.
    const change = new Map<string, number>();
    for (const e of entries) {
      if (e.kind === 'ESCROW_RELEASE') continue;
      change.set(e.account, (change.get(e.account) ?? 0) + e.amountKrw);
    }
    // Buildings: the statement lines agree with the balances measured before and after.
    for (const n of NAMES) {
      const after = await evaluate<Account>(operator, 'funds:GetBalance', [acct(n)]);
      expect([n, total(after) - total(before[n])]).toEqual([n, change.get(acct(n)) ?? 0]);
    }
    // The utility and fees accounts: what this settlement posted to them.
    const { importTariff: it, exportTariff: et, feeBps: bps } = interval;
    expect(change.get('utility')).toBe(value(2000, it) + value(500, it) - value(300, et));
    expect(change.get('fees')).toBe(fee(500, bps) + fee(125, bps) + fee(250, bps) + fee(165, bps));
    // Every account the settlement touched is one of ours, the utility or fees; together they sum to zero.
    expect([...change.keys()].sort()).toEqual([...METERED.map(acct), 'fees', 'utility'].sort());
    expect([...change.values()].reduce((s, x) => s + x, 0)).toBe(0);
    // And the written account records are whole: nothing left in escrow for this interval's buildings.
    const accounts = writes
      .filter((w) => w.parts?.objectType === 'account')
      .map((w) => JSON.parse(w.value.toString('utf8')) as Account);
    for (const a of accounts.filter((x) => x.account.startsWith('building:'))) expect(a.escrowed).toBe(0);
    for (const a of accounts) expect(a.available).toBeGreaterThanOrEqual(0);

    // Energy: no seller is credited with more than its meter exported.
    for (const b of settlement.buildings) expect(b.deliveredWh).toBeLessThanOrEqual(b.exportWh);
    expect(settlement.energy.deliveredWh).toBeLessThanOrEqual(settlement.energy.exportWh);
    const certified = writes
      .filter((w) => w.parts?.objectType === 'certificate')
      .reduce((s, w) => s + (JSON.parse(w.value.toString('utf8')) as Certificate).quantityWh, 0);
    expect(certified).toBe(settlement.energy.deliveredWh);
  });

  test('a second settlement of the same interval returns the same record and changes nothing', async () => {
    const snapshot = async () => ({
      interval: await evaluate(operator, 'market:GetInterval', [intervalId]),
      settlement: await evaluate(operator, 'settlement:GetSettlement', [intervalId]),
      balances: await Promise.all(NAMES.map((n) => evaluate(operator, 'funds:GetBalance', [acct(n)]))),
      statements: await Promise.all(NAMES.map((n) => all(operator, 'funds:ListEntries', acct(n)))),
      // Buildings with certificates (an empty list is read in the last test).
      certificates: await Promise.all(
        (['s1', 's2', 's3', 'b1'] as const).map((n) => all(operator, 'settlement:ListCertificates', ids[n])),
      ),
      trades: await all(operator, 'market:ListTrades', intervalId),
    });
    const first = await snapshot();
    const again = await submitRetryingConflicts<Settlement>(operator, 'settlement:Settle', [intervalId]);
    expect(again.result).toEqual(settlement);
    expect(again.txId).not.toBe(settleTxId);

    // On the ledger: the second transaction is valid, wrote no key and emitted no event.
    const effects = await transactionEffects(operator, channel(), again.txId);
    expect(effects.validation).toBe('VALID');
    expect(writesIn(effects, CC)).toEqual([]);
    expect(effects.event).toBeUndefined();

    expect(await snapshot()).toEqual(first);
    // The money supply still balances (minted - burned = held across every account of the ledger).
    await expect(evaluate(operator, 'funds:GetSupply', [])).resolves.toMatchObject({ balanced: true });
  });

  test('an over-delivery is capped at the metered export', async () => {
    // s2 sold 3000 Wh but its meter exported 1000: it is credited with 1000 delivered, certificates for
    // exactly 1000 go to the first trade in trade order, and the 2000 Wh shortfall is charged at the
    // utility's import tariff (the contracts are financially firm: s2 is still paid for 3000).
    const s2 = settlement.buildings.find((b) => b.buildingId === ids.s2)!;
    expect(s2).toMatchObject({ soldWh: 3000, exportWh: 1000, deliveredWh: 1000, imbalanceWh: -2000 });
    expect(s2.utilityChargeKrw).toBe(value(2000, interval.importTariff));
    const produced = (await all<Certificate>(buildings.s2, 'settlement:ListCertificates', ids.s2)).filter(
      (c) => c.producer === ids.s2,
    );
    expect(produced.map((c) => [c.tradeId, c.quantityWh, c.buyer])).toEqual([['A000002', 1000, ids.b1]]);
    await expect(
      evaluate(meters.s2, 'metering:GetReading', [intervalId, meterIds.s2]),
    ).resolves.toMatchObject({
      exportDeltaWh: 1000,
    });
  });

  // The chaincode-common fix for empty pages (Repository.page read `metadata.bookmark`, but fabric-shim
  // gives no metadata for an empty range, so every empty paginated list failed with INTERNAL "Cannot read
  // properties of undefined (reading 'bookmark')") needs the chaincodes redeployed: this test fails on a
  // network deployed before that fix.
  test('an empty list is an empty page: no orders for b3, no certificates for b2 or b3', async () => {
    await expect(all(buildings.b3, 'market:ListOrders', ids.b3)).resolves.toEqual([]);
    await expect(all(buildings.b2, 'settlement:ListCertificates', ids.b2)).resolves.toEqual([]);
    await expect(all(operator, 'settlement:ListCertificates', ids.b3)).resolves.toEqual([]);
    await expect(all(operator, 'metering:ListReadings', ids.b3)).resolves.toEqual([]);
  });
});
