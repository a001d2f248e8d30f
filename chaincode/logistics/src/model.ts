import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { Id, IsoTime, Sha256Hex, Text } from '@cityledger/chaincode-common';

// Organisations and the (MSP, role) pairs this chaincode gives powers to.
export const CITY = 'CityMSP';
export const PORT = 'PortMSP';
export const INSURER = 'InsurerMSP';
export const Customs = { mspId: CITY, role: 'customs' };
export const Immigration = { mspId: CITY, role: 'immigration' };
export const Quarantine = { mspId: CITY, role: 'quarantine' };
export const PortAuthority = { mspId: PORT, role: 'port-authority' };
export const Agent = { mspId: PORT, role: 'agent' };
export const Terminal = { mspId: PORT, role: 'terminal' };
export const Carrier = { mspId: PORT, role: 'carrier' };
export const Trucker = { mspId: PORT, role: 'trucker' };
export const Insurer = { mspId: INSURER, role: 'insurer' };

/** Orgs whose peers must endorse every write to a port call (key-level endorsement). */
export const PORT_CALL_ENDORSERS = [CITY, PORT];

// --- identifiers -----------------------------------------------------------------------------------

/** IMO ship identification number: 'IMO' + 7 digits, the last a check digit (see imo.ts). */
export const ImoNumber = () =>
  Type.String({ pattern: '^IMO[0-9]{7}$', description: "IMO number, e.g. 'IMO9074729'" });
/** UN/LOCODE, e.g. KRPUS (Busan). */
export const Locode = () =>
  Type.String({ pattern: '^[A-Z]{2}[A-Z2-9]{3}$', description: 'UN/LOCODE, e.g. KRPUS' });
/** ISO 6346 container number: owner code, category, serial, check digit (see iso6346.ts). */
export const ContainerNumber = () =>
  Type.String({
    pattern: '^[A-Z]{3}[UJZ][0-9]{7}$',
    description: "ISO 6346 container number, e.g. 'CSQU3054383'",
  });
/** A consortium identity as `<mspId>/<enrollmentId>` (the library's Caller.key). */
export const PartyKey = (description = 'a consortium identity as <mspId>/<enrollmentId>') =>
  Type.String({
    minLength: 5,
    maxLength: 160,
    pattern: '^[A-Za-z0-9]+MSP/[A-Za-z0-9][A-Za-z0-9._@:-]*$',
    description,
  });

// --- port call ---------------------------------------------------------------------------------------

export const PORT_CALL_STATES = [
  'ANNOUNCED',
  'DECLARED',
  'UNDER_REVIEW',
  'CLEARED',
  'PERMIT_ISSUED',
  'ARRIVED',
  'BERTHED',
  'WORKING',
  'DEPARTURE_CLEARED',
  'DEPARTED',
  'REJECTED',
  'CANCELLED',
] as const;
export type PortCallStatus = (typeof PORT_CALL_STATES)[number];

/** The authorities whose approvals clear a ship; each is one (MSP, role). */
export const AUTHORITIES = ['customs', 'immigration', 'quarantine', 'port-authority'] as const;
export type Authority = (typeof AUTHORITIES)[number];
export const AUTHORITY_ROLES: Record<Authority, { mspId: string; role: string }> = {
  customs: Customs,
  immigration: Immigration,
  quarantine: Quarantine,
  'port-authority': PortAuthority,
};

/** FAL forms a port call carries: 1 general declaration, 2 cargo, 5 crew list, 6 passengers, 7 dangerous goods. */
export const DOC_TYPES = ['FAL1', 'FAL2', 'FAL5', 'FAL6', 'FAL7'] as const;
export type DocType = (typeof DOC_TYPES)[number];
export const DocTypeParam = () =>
  Type.String({ pattern: `^(${DOC_TYPES.join('|')})$`, description: DOC_TYPES.join(' | ') });

/** DCSA Just-in-Time port call events and timestamp classifiers. */
export const TIME_EVENTS = ['ARRIVAL', 'BERTHING', 'CARGO_OPS_START', 'CARGO_OPS_END', 'DEPARTURE'] as const;
export type TimeEvent = (typeof TIME_EVENTS)[number];
export const CLASSIFIERS = ['ESTIMATED', 'REQUESTED', 'PLANNED', 'ACTUAL'] as const;
export type Classifier = (typeof CLASSIFIERS)[number];

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };
/** A union of string literals that keeps its TypeScript type. */
const literals = <T extends readonly string[]>(values: T): TUnion<Literals<T>> =>
  Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Literals<T>>;

export const DocRecordSchema = Type.Object({
  docType: Type.String(),
  version: Type.Integer(),
  /** SHA-256 of the canonical JSON of the document (the document itself stays off-chain). */
  hash: Type.String(),
  /** Public, non-personal facts extracted from the document (counts, flags). */
  summary: Type.Record(Type.String(), Type.Unknown()),
  /** Who may read the document: 'MSP:role' entries and relations (see access.ts). */
  readers: Type.Array(Type.String()),
  submittedAt: Type.String(),
  submittedBy: Type.String(),
});
export type DocRecord = Static<typeof DocRecordSchema>;

export const ApprovalSchema = Type.Object({
  authority: Type.String(),
  by: Type.String(),
  at: Type.String(),
  /** The document versions the authority approved. */
  documents: Type.Record(Type.String(), Type.Integer()),
});
export type Approval = Static<typeof ApprovalSchema>;

export const TimeEntrySchema = Type.Object({
  event: Type.String(),
  classifier: Type.String(),
  time: Type.String(),
  /** 1, 2, ... per (event, classifier); ACTUAL is always 1 (write-once). */
  version: Type.Integer(),
  recordedAt: Type.String(),
  recordedBy: Type.String(),
  callId: Type.String(),
});
export type TimeEntry = Static<typeof TimeEntrySchema>;

export const PortCallSchema = Type.Object({
  callId: Type.String(),
  imo: Type.String(),
  vesselName: Type.String(),
  voyageNumber: Type.String(),
  portOfCall: Type.String(),
  /** The shipping agent who announced the call (Caller.key). */
  agent: Type.String(),
  status: literals(PORT_CALL_STATES),
  documents: Type.Record(Type.String(), DocRecordSchema),
  approvals: Type.Record(Type.String(), ApprovalSchema),
  /**
   * Latest entry per event and classifier (stored apart from the call record, under
   * portcallLatestTimes, for calls announced by this version); older versions under portcallTime keys.
   */
  times: Type.Record(Type.String(), Type.Record(Type.String(), TimeEntrySchema)),
  permit: Type.Optional(
    Type.Object({ permitId: Type.String(), issuedAt: Type.String(), issuedBy: Type.String() }),
  ),
  rejection: Type.Optional(
    Type.Object({ authority: Type.String(), by: Type.String(), at: Type.String(), reason: Type.String() }),
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type PortCall = Static<typeof PortCallSchema>;

export const AnnounceInput = Type.Object(
  {
    callId: Id({ description: 'unique port call id chosen by the agent' }),
    imo: ImoNumber(),
    vesselName: Type.String({ minLength: 1, maxLength: 100 }),
    voyageNumber: Id(),
    portOfCall: Locode(),
    eta: IsoTime({ description: 'estimated time of arrival, at least 24 h after the transaction time' }),
    etd: Type.Optional(IsoTime({ description: 'estimated time of departure, after the ETA' })),
  },
  { additionalProperties: false },
);
export type AnnounceInput = Static<typeof AnnounceInput>;

export const RecordTimeInput = Type.Object(
  {
    event: literals(TIME_EVENTS),
    classifier: literals(CLASSIFIERS),
    time: IsoTime(),
  },
  { additionalProperties: false },
);
export type RecordTimeInput = Static<typeof RecordTimeInput>;

export const Reason = Text(256, { description: 'why (free text, no personal data)' });

export const AccessGrantSchema = Type.Object({
  callId: Type.String(),
  docType: Type.String(),
  version: Type.Integer(),
  hash: Type.String(),
  /** The reader entry that let the caller in, e.g. 'CityMSP:customs' or 'agent'. */
  grantedBy: Type.String(),
});
export type AccessGrant = Static<typeof AccessGrantSchema>;

// --- cargo --------------------------------------------------------------------------------------------

export const ConsignmentInput = Type.Object(
  {
    consignmentId: Id(),
    callId: Id(),
    description: Type.String({ minLength: 1, maxLength: 256 }),
    shipper: PartyKey('the shipper, first holder of the bill of lading'),
    consignee: PartyKey('the consignee'),
    insurer: Type.Optional(PartyKey('the cargo insurer (reads the call cargo documents)')),
    dangerous: Type.Boolean(),
    containers: Type.Array(ContainerNumber(), { minItems: 1, maxItems: 200, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type ConsignmentInput = Static<typeof ConsignmentInput>;

export const ConsignmentSchema = Type.Object({
  consignmentId: Type.String(),
  callId: Type.String(),
  description: Type.String(),
  shipper: Type.String(),
  consignee: Type.String(),
  insurer: Type.Optional(Type.String()),
  dangerous: Type.Boolean(),
  containers: Type.Array(Type.String()),
  /** The current (not void) bill of lading, once drafted. */
  blNumber: Type.Optional(Type.String()),
  registeredBy: Type.String(),
  registeredAt: Type.String(),
});
export type Consignment = Static<typeof ConsignmentSchema>;

export const CONTAINER_STATES = ['ON_BOARD', 'DISCHARGED', 'GATED_OUT'] as const;
export type ContainerStatus = (typeof CONTAINER_STATES)[number];
export const CONTAINER_EVENTS = ['DISCHARGED', 'MOVED', 'GATE_OUT'] as const;
export type ContainerEventType = (typeof CONTAINER_EVENTS)[number];

export const ContainerSchema = Type.Object({
  callId: Type.String(),
  containerNumber: Type.String(),
  consignmentId: Type.String(),
  status: literals(CONTAINER_STATES),
  /** The terminal holding it, once discharged. */
  location: Type.Optional(Type.String()),
  eventCount: Type.Integer(),
  updatedAt: Type.String(),
});
export type Container = Static<typeof ContainerSchema>;

export const ContainerEventInput = Type.Object(
  {
    type: literals(CONTAINER_EVENTS),
    /** Terminal where the container now is (DISCHARGED, MOVED) or leaves from (GATE_OUT). */
    terminal: Id(),
  },
  { additionalProperties: false },
);
export type ContainerEventInput = Static<typeof ContainerEventInput>;

export const ContainerEventSchema = Type.Object({
  callId: Type.String(),
  containerNumber: Type.String(),
  seq: Type.Integer(),
  type: Type.String(),
  terminal: Type.String(),
  at: Type.String(),
  by: Type.String(),
});
export type ContainerEvent = Static<typeof ContainerEventSchema>;

// --- electronic bill of lading -----------------------------------------------------------------------

export const BL_STATES = ['DRAFT', 'ISSUED', 'SURRENDERED', 'VOID'] as const;
export type BlStatus = (typeof BL_STATES)[number];
/** A bill of lading is transferred at most this many times (keeps the record bounded). */
export const MAX_TRANSFERS = 50;

export const DraftBlInput = Type.Object(
  {
    blNumber: Id(),
    consignmentId: Id(),
    documentHash: Sha256Hex({ description: 'SHA-256 of the bill of lading document kept off-chain' }),
  },
  { additionalProperties: false },
);
export type DraftBlInput = Static<typeof DraftBlInput>;

export const AmendBlInput = Type.Object(
  { newBlNumber: Id(), documentHash: Sha256Hex(), reason: Reason },
  { additionalProperties: false },
);
export type AmendBlInput = Static<typeof AmendBlInput>;

export const BillOfLadingSchema = Type.Object({
  blNumber: Type.String(),
  consignmentId: Type.String(),
  callId: Type.String(),
  status: literals(BL_STATES),
  /** The carrier that drafted and issued it (Caller.key). */
  issuer: Type.String(),
  /** Who holds title now (Caller.key). */
  holder: Type.String(),
  documentHash: Type.String(),
  transfers: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), at: Type.String() })),
  replaces: Type.Optional(Type.String()),
  replacedBy: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type BillOfLading = Static<typeof BillOfLadingSchema>;

export const BillAccessGrantSchema = Type.Object({
  blNumber: Type.String(),
  status: Type.String(),
  documentHash: Type.String(),
  grantedBy: Type.String(),
});
export type BillAccessGrant = Static<typeof BillAccessGrantSchema>;

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), bookmark: Type.String() });
