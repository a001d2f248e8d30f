/**
 * Act 4 — work: three office buildings with solar roofs trade their energy for one 15-minute interval with
 * no intermediary: their meters record production and consumption, two sell and one buys in a
 * uniform-price auction, the market operator clears the interval, the meters read, and the settlement pays
 * the trades, sells the buildings' surplus to the utility (KEPCO) at its export tariff, charges the
 * shortfall at its import tariff, and retires a green certificate for every delivered kWh sold.
 */
import { randomInt } from 'node:crypto';
import { Client, GatewayProblem } from './client';
import type { Account, Certificate, Interval, SettlementRecord } from '@cityledger/energy-chaincode';
import { Day } from './context';
import { check } from './narrator';

type Settlement = SettlementRecord;

export interface WorkOutcome {
  intervalId: string;
  state: string;
  clearingPrice: number | null | undefined;
  clearedWh: number | undefined;
  soldToUtilityWh: number;
  /** Σ change of the three buildings' money + fees + utility's net = 0, from the settlement and the balances. */
  balancesConserved: boolean;
  certificatesWh: number;
}

/** What each building does: its order and what its meter measured over the interval. */
const PLAN = {
  centum: {
    name: 'Centum Tower',
    order: { side: 'SELL', quantityWh: 4000, limitPrice: 90 },
    importWh: 200,
    exportWh: 5000,
    topUp: 100,
  },
  marine: {
    name: 'Marine City Offices',
    order: { side: 'SELL', quantityWh: 2000, limitPrice: 110 },
    importWh: 0,
    exportWh: 2500,
    topUp: 100,
  },
  bifc: {
    name: 'BIFC',
    order: { side: 'BUY', quantityWh: 3000, limitPrice: 150 },
    importWh: 3600,
    exportWh: 0,
    topUp: 1000,
  },
} as const;
type Name = keyof typeof PLAN;
const NAMES = Object.keys(PLAN) as Name[];
const INSTALLED = { importWh: 100_000, exportWh: 50_000 };

const total = (a: Account) => a.available + a.escrowed;

export async function workAct(day: Day): Promise<WorkOutcome> {
  const { narrator: n } = day;
  n.act(4, 'Work: three office buildings trade their solar power');

  const buildingId = (b: Name) => day.id(`bld-${b}`);
  const meterId = (b: Name) => day.id(`mtr-${b}`);
  const [operator, utility] = await Promise.all([
    day.enrol('city', 'market-operator', 'market-operator'),
    day.enrol('city', 'kepco', 'utility'),
  ]);
  const buildings = {} as Record<Name, Client>;
  const meters = {} as Record<Name, Client>;
  for (const b of NAMES) {
    buildings[b] = await day.enrol('city', `building-${b}`, 'building', { buildingId: buildingId(b) });
    meters[b] = await day.enrol('city', `meter-${b}`, 'meter', {
      buildingId: buildingId(b),
      meterId: meterId(b),
    });
  }

  // The market's settings are shared by every interval; set them only if no one has yet.
  const config = (
    await operator.get<{ result: { market: { intervalMinutes: number } | null; tariffs: unknown } }>(
      'energy/config',
    )
  ).result;
  if (!config.market)
    n.tx(
      'operator sets the market: 15-minute intervals, 1 % fee',
      await operator.submit('energy/set-market-config', { intervalMinutes: 15, feeBps: 100 }),
    );
  if (!config.tariffs)
    n.tx(
      'KEPCO sets its tariffs: import 200, export 80 KRW/kWh',
      await utility.submit('energy/set-tariffs', { importTariff: 200, exportTariff: 80 }),
    );
  const minutes = config.market?.intervalMinutes ?? 15;

  for (const b of NAMES) {
    n.tx(
      `operator registers ${PLAN[b].name} (${buildingId(b)})`,
      await operator.submit('energy/buildings', {
        buildingId: buildingId(b),
        neighbours: NAMES.filter((o) => o !== b).map(buildingId),
      }),
    );
    n.tx(
      `operator registers its meter ${meterId(b)} (registers at installation)`,
      await operator.submit('energy/meters', {
        meterId: meterId(b),
        buildingId: buildingId(b),
        ...INSTALLED,
      }),
    );
    n.tx(
      `KEPCO confirms a top-up of ${PLAN[b].topUp} KRW for ${PLAN[b].name}`,
      await utility.submit('energy/funds/mint', {
        mintId: day.id(`topup-${b}`),
        account: `building:${buildingId(b)}`,
        amountKrw: PLAN[b].topUp,
      }),
    );
  }
  n.tx(
    'KEPCO funds its buy-back account (500 KRW)',
    await utility.submit('energy/funds/mint', {
      mintId: day.id('kepco'),
      account: 'utility',
      amountKrw: 500,
    }),
  );

  const balance = async (b: Name) =>
    (
      await operator.get<{ result: Account }>('energy/funds/balance', {
        account: `building:${buildingId(b)}`,
      })
    ).result;
  const before = Object.fromEntries(
    await Promise.all(NAMES.map(async (b) => [b, total(await balance(b))])),
  ) as Record<Name, number>;

  // An interval that has already ended (so the meters can read at once) and that no earlier day used.
  const intervalId = await unusedInterval(operator, minutes);
  const opened = n.tx(
    `operator opens interval ${intervalId}`,
    await operator.submit<Interval>('energy/market/intervals', { intervalId }),
  );
  const { importTariff, exportTariff, feeBps } = opened.result;
  n.info(`snapshot: import ${importTariff} KRW/kWh, export ${exportTariff} KRW/kWh, fee ${feeBps / 100} %`);
  for (const b of NAMES) {
    const o = PLAN[b].order;
    n.tx(
      `${PLAN[b].name} ${o.side === 'SELL' ? 'offers' : 'bids for'} ${o.quantityWh} Wh at ${o.side === 'SELL' ? 'least' : 'most'} ${o.limitPrice} KRW/kWh`,
      await buildings[b].submit('energy/market/orders', { intervalId, ...o }),
    );
  }
  n.tx('operator closes the gate', await operator.submit('energy/market/close-gate', { intervalId }));
  const cleared = n.tx(
    'operator clears the interval (uniform-price double auction)',
    await operator.submit<Interval>('energy/market/clear', { intervalId }),
  );
  n.info(
    `clearing price ${cleared.result.clearingPrice} KRW/kWh, ${cleared.result.clearedWh} Wh traded in ${cleared.result.tradeCount} trade(s)`,
  );

  for (const b of NAMES) {
    n.tx(
      `the meter of ${PLAN[b].name} reads: +${PLAN[b].exportWh} Wh produced to the grid, +${PLAN[b].importWh} Wh drawn`,
      await meters[b].submit('energy/metering/readings', {
        intervalId,
        importWh: INSTALLED.importWh + PLAN[b].importWh,
        exportWh: INSTALLED.exportWh + PLAN[b].exportWh,
      }),
    );
  }
  n.tx(
    'operator marks the interval metered',
    await operator.submit('energy/metering/mark-metered', { intervalId }),
  );
  const settled = n.tx(
    'operator settles it: trades paid, surplus sold to KEPCO, shortfall charged',
    await operator.submit<Settlement>('energy/settlement/settle', { intervalId }),
  );
  const s = settled.result;

  let conserved = s.money.debitsKrw === s.money.creditsKrw;
  let utilityNet = 0;
  for (const b of NAMES) {
    const row = s.buildings.find((x) => x.buildingId === buildingId(b))!;
    const after = total(await balance(b));
    const expected =
      row.receivedKrw -
      row.paidKrw -
      row.feeKrw -
      (row.utilityChargeKrw - row.unpaidKrw) +
      (row.utilityCreditKrw - row.owedByUtilityKrw);
    conserved &&= after - before[b] === expected;
    utilityNet += row.utilityChargeKrw - row.unpaidKrw - (row.utilityCreditKrw - row.owedByUtilityKrw);
    const parts = [
      row.soldWh ? `sold ${row.soldWh} Wh (+${row.receivedKrw} KRW, fee ${row.feeKrw})` : '',
      row.boughtWh ? `bought ${row.boughtWh} Wh (−${row.paidKrw} KRW)` : '',
      row.imbalanceWh > 0 ? `surplus ${row.imbalanceWh} Wh sold to KEPCO (+${row.utilityCreditKrw} KRW)` : '',
      row.imbalanceWh < 0 ? `shortfall ${-row.imbalanceWh} Wh from KEPCO (−${row.utilityChargeKrw} KRW)` : '',
    ].filter(Boolean);
    n.say(`${PLAN[b].name}: ${parts.join(', ')}; balance ${before[b]} → ${after} KRW`);
  }
  const buildingsDelta = NAMES.reduce((sum, b) => {
    const row = s.buildings.find((x) => x.buildingId === buildingId(b))!;
    return (
      sum +
      row.receivedKrw -
      row.paidKrw -
      row.feeKrw -
      (row.utilityChargeKrw - row.unpaidKrw) +
      (row.utilityCreditKrw - row.owedByUtilityKrw)
    );
  }, 0);
  conserved &&= buildingsDelta + s.money.feesKrw + utilityNet === 0;
  n.info(
    `money conserved: debits ${s.money.debitsKrw} = credits ${s.money.creditsKrw} KRW; buildings ${buildingsDelta >= 0 ? '+' : ''}${buildingsDelta}, fees +${s.money.feesKrw}, KEPCO ${utilityNet >= 0 ? '+' : ''}${utilityNet} (sum 0)`,
  );

  const certificates = (
    await buildings.bifc.get<{ result: { items: Certificate[] } }>('energy/settlement/certificates', {
      buildingId: buildingId('bifc'),
      pageSize: 20,
      bookmark: '',
    })
  ).result.items;
  const certificatesWh = certificates.reduce((sum, c) => sum + c.quantityWh, 0);
  for (const c of certificates)
    n.say(
      `green certificate ${c.certificateId}: ${c.quantityWh} Wh of solar from ${c.producer}, retired for ${c.retiredFor}`,
    );
  check(conserved, 'balances are conserved by the settlement');

  const final = (await operator.get<{ result: Interval }>(`energy/market/intervals/${intervalId}`)).result;
  return {
    intervalId,
    state: final.state,
    clearingPrice: cleared.result.clearingPrice,
    clearedWh: cleared.result.clearedWh,
    soldToUtilityWh: s.energy.utilityAbsorbedWh,
    balancesConserved: conserved,
    certificatesWh,
  };
}

/** A past interval start, aligned to the interval length, that no earlier run opened (checked on the ledger). */
async function unusedInterval(operator: Client, minutes: number): Promise<string> {
  const slot = minutes * 60_000;
  for (let attempt = 0; attempt < 10; attempt++) {
    // Between a day and ~10 years ago: long ended, so the meters read at once.
    const start = (Math.floor(Date.now() / slot) - randomInt(96, 350_000)) * slot;
    const intervalId = new Date(start).toISOString().slice(0, 16) + 'Z';
    try {
      await operator.get(`energy/market/intervals/${intervalId}`);
    } catch (err) {
      if (err instanceof GatewayProblem && err.code === 'NOT_FOUND') return intervalId;
      throw err;
    }
  }
  throw new Error('no unused interval found');
}
