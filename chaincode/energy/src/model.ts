import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Id } from '@cityledger/chaincode-common';

// Who has powers here: (MSP, role) pairs from the City CA.
export const CITY = 'CityMSP';
export const MarketOperator = { mspId: CITY, role: 'market-operator' };
export const Utility = { mspId: CITY, role: 'utility' };
export const BuildingRole = { mspId: CITY, role: 'building' };
export const MeterRole = { mspId: CITY, role: 'meter' };

/** Upper bound for limit prices and tariffs (KRW per kWh): keeps every product of Wh and price exact. */
export const MAX_PRICE = 1_000_000;
/** Upper bound for one order or contract and for register values (Wh). */
export const MAX_WH = 1_000_000_000_000;

export const Wh = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_WH, description });
export const PositiveWh = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_WH, description });
export const Price = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_PRICE, description });
export const Krw = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

/** An interval is named by its start, minute precision, UTC: 2026-06-01T10:15Z. */
export const IntervalId = () =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}Z$', maxLength: 17, description: 'interval start, UTC, e.g. 2026-06-01T10:15Z' });

export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), bookmark: Type.String() });

// --- configuration --------------------------------------------------------------------------

export const MarketConfigSchema = Type.Object(
  {
    intervalMinutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'length of a market interval (divides 1440)' }),
    feeBps: Type.Integer({ minimum: 0, maximum: 1000, description: 'market fee on each trade value, basis points, paid by the seller' }),
  },
  { additionalProperties: false },
);
export type MarketConfig = Static<typeof MarketConfigSchema>;

export const TariffsSchema = Type.Object(
  {
    importTariff: Price('KRW/kWh the utility charges for energy it supplies (shortfalls)'),
    exportTariff: Price('KRW/kWh the utility pays for energy it absorbs (surpluses); <= importTariff'),
  },
  { additionalProperties: false },
);
export type Tariffs = Static<typeof TariffsSchema>;

// --- participants ---------------------------------------------------------------------------

export const RegisterBuildingInput = Type.Object(
  {
    buildingId: Id({ description: 'the buildingId attribute of the building and its meters' }),
    neighbours: Type.Array(Id(), { maxItems: 32, uniqueItems: true, description: 'buildings it may contract with bilaterally' }),
  },
  { additionalProperties: false },
);
export const BuildingSchema = Type.Object({
  buildingId: Type.String(),
  neighbours: Type.Array(Type.String()),
  registeredAt: Type.String(),
  registeredBy: Type.String(),
});
export type Building = Static<typeof BuildingSchema>;

export const RegisterMeterInput = Type.Object(
  {
    meterId: Id({ description: 'the meterId attribute of the meter certificate' }),
    buildingId: Id(),
    importWh: Wh('import register at installation'),
    exportWh: Wh('export register at installation'),
  },
  { additionalProperties: false },
);
export const MeterSchema = Type.Object({
  meterId: Type.String(),
  buildingId: Type.String(),
  /** Cumulative registers of the latest reading (or installation). Only the meter rewrites them. */
  importWh: Type.Integer(),
  exportWh: Type.Integer(),
  lastIntervalId: Type.Optional(Type.String()),
  registeredAt: Type.String(),
});
export type Meter = Static<typeof MeterSchema>;

// --- money ----------------------------------------------------------------------------------

export const AccountRef = () =>
  Type.String({ pattern: '^(utility|fees|building:[A-Za-z0-9][A-Za-z0-9._:-]*)$', maxLength: 140, description: "'utility', 'fees' or 'building:<buildingId>'" });

export const AccountSchema = Type.Object({
  account: Type.String(),
  available: Type.Integer(),
  escrowed: Type.Integer(),
});
export type Account = Static<typeof AccountSchema>;

export const MintInput = Type.Object(
  {
    mintId: Id({ description: 'payment reference of the confirmed top-up (unique)' }),
    account: AccountRef(),
    amountKrw: Krw('KRW received off-ledger'),
  },
  { additionalProperties: false },
);
export const BurnInput = Type.Object(
  {
    burnId: Id({ description: 'withdrawal reference (unique)' }),
    account: AccountRef(),
    amountKrw: Krw('KRW paid out off-ledger'),
  },
  { additionalProperties: false },
);

/** One side of a posting, per account, for statements. */
export const EntrySchema = Type.Object({
  account: Type.String(),
  entryId: Type.String(),
  at: Type.String(),
  kind: Type.String(),
  /** Signed change of the account's available funds. */
  amountKrw: Type.Integer(),
  counterparty: Type.String(),
  ref: Type.String(),
  intervalId: Type.Optional(Type.String()),
});
export type Entry = Static<typeof EntrySchema>;

export const SupplySchema = Type.Object({
  mintedKrw: Type.Integer(),
  burnedKrw: Type.Integer(),
  heldKrw: Type.Integer({ description: 'sum of every account (available + escrowed)' }),
  balanced: Type.Boolean({ description: 'minted - burned == held' }),
});

// --- market ---------------------------------------------------------------------------------

export const IntervalState = Type.Union(['OPEN', 'GATE_CLOSED', 'CLEARED', 'METERED', 'SETTLED'].map((s) => Type.Literal(s)));
export type IntervalStateName = 'OPEN' | 'GATE_CLOSED' | 'CLEARED' | 'METERED' | 'SETTLED';

export const IntervalSchema = Type.Object({
  intervalId: Type.String(),
  start: Type.String(),
  end: Type.String(),
  state: IntervalState,
  importTariff: Type.Integer(),
  exportTariff: Type.Integer(),
  feeBps: Type.Integer(),
  openedAt: Type.String(),
  updatedAt: Type.String(),
  clearingPrice: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  clearedWh: Type.Optional(Type.Integer()),
  tradeCount: Type.Optional(Type.Integer()),
});
export type Interval = Omit<Static<typeof IntervalSchema>, 'state'> & { state: IntervalStateName };

export const SideSchema = Type.Union([Type.Literal('BUY'), Type.Literal('SELL')]);

export const PlaceOrderInput = Type.Object(
  {
    intervalId: IntervalId(),
    side: SideSchema,
    quantityWh: PositiveWh('energy to buy or sell'),
    limitPrice: Price('KRW/kWh: the most a bid pays, the least an ask accepts'),
  },
  { additionalProperties: false },
);

export const OrderStatus = Type.Union(['OPEN', 'CANCELLED', 'FILLED', 'PARTIALLY_FILLED', 'UNFILLED'].map((s) => Type.Literal(s)));
export type OrderStatusName = 'OPEN' | 'CANCELLED' | 'FILLED' | 'PARTIALLY_FILLED' | 'UNFILLED';
export const OrderSchema = Type.Object({
  orderId: Type.String(),
  intervalId: Type.String(),
  buildingId: Type.String(),
  side: SideSchema,
  quantityWh: Type.Integer(),
  limitPrice: Type.Integer(),
  /** KRW held for a bid (quantity x limit); 0 for asks and after cancellation. */
  escrowKrw: Type.Integer(),
  filledWh: Type.Integer(),
  status: OrderStatus,
  placedAt: Type.String(),
  updatedAt: Type.String(),
});
export type Order = Omit<Static<typeof OrderSchema>, 'status'> & { status: OrderStatusName };

export const ProposeBilateralInput = Type.Object(
  {
    intervalId: IntervalId(),
    buyerBuildingId: Id({ description: 'a registered neighbour of the seller' }),
    quantityWh: PositiveWh('energy the seller delivers'),
    price: Price('KRW/kWh agreed'),
  },
  { additionalProperties: false },
);
export const BilateralStatus = Type.Union(['PROPOSED', 'ACCEPTED', 'CANCELLED', 'EXPIRED', 'TRADED'].map((s) => Type.Literal(s)));
export type BilateralStatusName = 'PROPOSED' | 'ACCEPTED' | 'CANCELLED' | 'EXPIRED' | 'TRADED';
export const BilateralSchema = Type.Object({
  contractId: Type.String(),
  intervalId: Type.String(),
  seller: Type.String(),
  buyer: Type.String(),
  quantityWh: Type.Integer(),
  price: Type.Integer(),
  valueKrw: Type.Integer(),
  /** KRW the buyer holds in escrow once ACCEPTED. */
  escrowKrw: Type.Integer(),
  status: BilateralStatus,
  proposedAt: Type.String(),
  updatedAt: Type.String(),
});
export type Bilateral = Omit<Static<typeof BilateralSchema>, 'status'> & { status: BilateralStatusName };

export const TradeSchema = Type.Object({
  intervalId: Type.String(),
  tradeId: Type.String(),
  kind: Type.Union([Type.Literal('AUCTION'), Type.Literal('BILATERAL')]),
  buyer: Type.String(),
  seller: Type.String(),
  buyRef: Type.String({ description: 'buy order id or bilateral contract id' }),
  sellRef: Type.String(),
  quantityWh: Type.Integer(),
  price: Type.Integer(),
  valueKrw: Type.Integer(),
});
export type Trade = Static<typeof TradeSchema>;

// --- metering -------------------------------------------------------------------------------

export const ReadingInput = Type.Object(
  {
    intervalId: IntervalId(),
    importWh: Wh('cumulative import register at the end of the interval'),
    exportWh: Wh('cumulative export register at the end of the interval'),
  },
  { additionalProperties: false },
);
export const ReadingSchema = Type.Object({
  intervalId: Type.String(),
  meterId: Type.String(),
  buildingId: Type.String(),
  importWh: Type.Integer(),
  exportWh: Type.Integer(),
  /** Change since the meter's previous reading: what this interval is settled on. */
  importDeltaWh: Type.Integer(),
  exportDeltaWh: Type.Integer(),
  recordedAt: Type.String(),
  txId: Type.String(),
});
export type Reading = Static<typeof ReadingSchema>;

// --- settlement -----------------------------------------------------------------------------

export const CertificateSchema = Type.Object({
  certificateId: Type.String(),
  intervalId: Type.String(),
  tradeId: Type.String(),
  producer: Type.String(),
  buyer: Type.String(),
  quantityWh: Type.Integer(),
  source: Type.Literal('solar'),
  status: Type.Literal('RETIRED'),
  issuedAt: Type.String(),
  retiredAt: Type.String(),
  retiredFor: Type.String(),
});
export type Certificate = Static<typeof CertificateSchema>;

export const BuildingSettlementSchema = Type.Object({
  buildingId: Type.String(),
  importWh: Type.Integer(),
  exportWh: Type.Integer(),
  boughtWh: Type.Integer(),
  soldWh: Type.Integer(),
  deliveredWh: Type.Integer(),
  imbalanceWh: Type.Integer(),
  escrowReleasedKrw: Type.Integer(),
  paidKrw: Type.Integer(),
  receivedKrw: Type.Integer(),
  feeKrw: Type.Integer(),
  utilityChargeKrw: Type.Integer(),
  utilityCreditKrw: Type.Integer(),
  unpaidKrw: Type.Integer(),
  owedByUtilityKrw: Type.Integer(),
});

export const SettlementSchema = Type.Object({
  intervalId: Type.String(),
  settledAt: Type.String(),
  txId: Type.String(),
  buildings: Type.Array(BuildingSettlementSchema),
  energy: Type.Object({
    importWh: Type.Integer(),
    exportWh: Type.Integer(),
    tradedWh: Type.Integer(),
    deliveredWh: Type.Integer(),
    utilitySuppliedWh: Type.Integer(),
    utilityAbsorbedWh: Type.Integer(),
    unmeteredBoughtWh: Type.Integer({ description: 'net purchases of buildings with no reading, counted as used' }),
  }),
  money: Type.Object({ debitsKrw: Type.Integer(), creditsKrw: Type.Integer(), feesKrw: Type.Integer() }),
  postingCount: Type.Integer(),
  certificateCount: Type.Integer(),
});
export type SettlementRecord = Static<typeof SettlementSchema>;
