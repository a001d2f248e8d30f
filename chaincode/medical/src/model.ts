import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime, Sha256Hex, Text } from '@cityledger/chaincode-common';

// Organisations of the health channel and the (MSP, role) pairs this chaincode gives powers to.
export const CITY = 'CityMSP';
export const HOSPITAL = 'HospitalMSP';
export const INSURER = 'InsurerMSP';
export const HEALTH_ORGS = [CITY, HOSPITAL, INSURER] as const;

export const Resident = { mspId: CITY, role: 'resident' };
export const Doctor = { mspId: HOSPITAL, role: 'doctor' };
export const Insurer = { mspId: INSURER, role: 'insurer' };
export const Adjuster = { mspId: INSURER, role: 'adjuster' };
/** Devices enrol at the City CA or the Hospital CA, bound to one resident by their residentId attribute. */
export const Devices = [
  { mspId: CITY, role: 'device' },
  { mspId: HOSPITAL, role: 'device' },
];
/** Who may ask for access to a patient's observations (consent decides whether they get it). */
export const Grantees = [Doctor, Insurer, Adjuster];
/** Admins of the orgs that hold the values: they run the upgrade steps of the chaincode's public state. */
export const ValueHolderAdmins = [
  { mspId: CITY, role: 'admin' },
  { mspId: HOSPITAL, role: 'admin' },
];

/** Identity-chaincode credential type a doctor must hold (holderId = `HospitalMSP/<enrollmentId>`). */
export const DOCTOR_LICENCE = 'doctor-licence';

/** The private data collection holding measurement values (network/topology.yaml). */
export const OBSERVATIONS_COLLECTION = 'medicalObservations';

/** How long an access granted under consent lasts (capped by the consent's period). */
export const CONSENT_ACCESS_TTL_MS = 60 * 60 * 1000;
/** How long a break-the-glass access lasts. */
export const EMERGENCY_ACCESS_TTL_MS = 24 * 60 * 60 * 1000;
/** Most observations one erasure transaction purges (call again for the rest). */
export const MAX_ERASE_PER_TX = 200;

// --- inputs -------------------------------------------------------------------------------------

export const MspIdSchema = Type.Union(HEALTH_ORGS.map((m) => Type.Literal(m)));
export const EnrollmentId = () =>
  Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._@:-]*$' });
export const LoincCode = () =>
  Type.String({
    minLength: 3,
    maxLength: 10,
    pattern: '^[0-9]{1,7}-[0-9]$',
    description: 'LOINC code, e.g. 29463-7',
  });

/** HL7 v3 PurposeOfUse codes this chaincode understands. */
export const PURPOSES = ['TREAT', 'ETREAT', 'CLMATTCH', 'HPAYMT', 'PATRQT', 'HRESCH'] as const;
export const PurposeSchema = Type.Union(
  PURPOSES.map((p) => Type.Literal(p)),
  { description: 'HL7 v3 PurposeOfUse' },
);
export type Purpose = Static<typeof PurposeSchema>;

export const ACTIONS = ['read'] as const;
export const ActionSchema = Type.Union(ACTIONS.map((a) => Type.Literal(a)));
export type Action = Static<typeof ActionSchema>;

/**
 * Whom a consent names (FHIR Consent.provision.actor): every field given must match the caller.
 * {mspId, enrollmentId} = one person (a doctor); {mspId, role} = everyone with that role there
 * (a hospital's doctors, an insurer's adjusters); {mspId} = the whole organisation.
 */
export const GranteeSchema = Type.Object(
  { mspId: MspIdSchema, role: Type.Optional(Id()), enrollmentId: Type.Optional(EnrollmentId()) },
  { additionalProperties: false },
);
export type Grantee = Static<typeof GranteeSchema>;

export const PeriodSchema = Type.Object(
  { start: IsoTime(), end: IsoTime() },
  { additionalProperties: false },
);
export type Period = Static<typeof PeriodSchema>;
/** Which measurement times a consent or access covers (effectiveAt); an open side is unbounded. */
export const DataPeriodSchema = Type.Object(
  { start: Type.Optional(IsoTime()), end: Type.Optional(IsoTime()) },
  { additionalProperties: false },
);
export type DataPeriod = Static<typeof DataPeriodSchema>;

export const ProvisionSchema = Type.Union([Type.Literal('permit'), Type.Literal('deny')]);
export type Provision = Static<typeof ProvisionSchema>;

export const CreateConsentInput = Type.Object(
  {
    consentId: Id(),
    patientId: Id({ description: 'residentId of the patient' }),
    provision: ProvisionSchema,
    grantee: GranteeSchema,
    actions: Type.Array(ActionSchema, { minItems: 1, maxItems: 1, uniqueItems: true }),
    codes: Type.Array(LoincCode(), { minItems: 1, maxItems: 20, uniqueItems: true }),
    period: PeriodSchema,
    dataPeriod: Type.Optional(DataPeriodSchema),
    purposes: Type.Array(PurposeSchema, { minItems: 1, maxItems: PURPOSES.length, uniqueItems: true }),
    /** Only the patient may create a consent directly ACTIVE; proposals start as DRAFT. */
    status: Type.Optional(Type.Union([Type.Literal('DRAFT'), Type.Literal('ACTIVE')])),
  },
  { additionalProperties: false },
);
export type CreateConsentInput = Static<typeof CreateConsentInput>;

export const RequestAccessInput = Type.Object(
  {
    patientId: Id(),
    codes: Type.Array(LoincCode(), { minItems: 1, maxItems: 20, uniqueItems: true }),
    purpose: PurposeSchema,
    dataPeriod: Type.Optional(DataPeriodSchema),
  },
  { additionalProperties: false },
);
export type RequestAccessInput = Static<typeof RequestAccessInput>;

export const BreakGlassInput = Type.Object(
  {
    patientId: Id(),
    reason: Type.String({
      minLength: 10,
      maxLength: 512,
      description: 'why consent cannot be obtained (audit text, no clinical details)',
    }),
    codes: Type.Optional(Type.Array(LoincCode(), { minItems: 1, maxItems: 20, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type BreakGlassInput = Static<typeof BreakGlassInput>;

export const ReadObservationsQuery = Type.Object(
  {
    accessId: Id(),
    code: LoincCode(),
    pageSize: Type.Integer({ minimum: 1, maximum: 200 }),
    bookmark: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type ReadObservationsQuery = Static<typeof ReadObservationsQuery>;

export const MyObservationsQuery = Type.Object(
  {
    code: LoincCode(),
    dataPeriod: Type.Optional(DataPeriodSchema),
    pageSize: Type.Integer({ minimum: 1, maximum: 200 }),
    bookmark: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type MyObservationsQuery = Static<typeof MyObservationsQuery>;

export const EraseInput = Type.Object(
  {
    /** Omitted: every observation of the patient not erased yet (at most MAX_ERASE_PER_TX per call). */
    observationIds: Type.Optional(
      Type.Array(Id(), { minItems: 1, maxItems: MAX_ERASE_PER_TX, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
export type EraseInput = Static<typeof EraseInput>;

/** Transient key `measurement`: one scan (several codes measured at once). Never an argument. */
export const MeasurementSchema = Type.Object(
  {
    effectiveAt: IsoTime({ description: 'when the device measured' }),
    /** Random, ≥ 128 bits: makes the on-chain hash of a low-entropy value (a weight) unguessable. */
    salt: Type.String({ minLength: 32, maxLength: 128, pattern: '^[0-9a-f]+$' }),
    /** The patient's residentId, if the device states it: must be the device's bound resident. */
    subject: Type.Optional(Id()),
    items: Type.Array(
      Type.Object(
        { code: LoincCode(), value: Type.Number(), unit: Type.String({ minLength: 1, maxLength: 16 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);
export type Measurement = Static<typeof MeasurementSchema>;
export const RecordTransient = Type.Object(
  { measurement: MeasurementSchema },
  { additionalProperties: false },
);

// --- records ------------------------------------------------------------------------------------

export const ConsentStatusSchema = Type.Union([
  Type.Literal('DRAFT'),
  Type.Literal('ACTIVE'),
  Type.Literal('INACTIVE'),
  Type.Literal('REJECTED'),
  Type.Literal('ENTERED_IN_ERROR'),
]);
export type ConsentStatus = Static<typeof ConsentStatusSchema>;

export const ConsentSchema = Type.Object({
  consentId: Type.String(),
  patientId: Type.String(),
  status: ConsentStatusSchema,
  provision: ProvisionSchema,
  grantee: GranteeSchema,
  actions: Type.Array(ActionSchema),
  codes: Type.Array(Type.String()),
  period: PeriodSchema,
  dataPeriod: Type.Optional(DataPeriodSchema),
  purposes: Type.Array(PurposeSchema),
  /** Caller.key of whoever created it (the patient's or a proposer's). */
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  history: Type.Array(Type.Object({ status: ConsentStatusSchema, at: Type.String(), by: Type.String() })),
});
export type Consent = Static<typeof ConsentSchema>;

/** Public: what was measured, when and by which device, and the hash of the private value. */
export const ObservationRecordSchema = Type.Object({
  observationId: Type.String(),
  patientId: Type.String(),
  code: Type.String(),
  effectiveAt: Type.String(),
  device: Type.String(),
  recordedAt: Type.String(),
  /** SHA-256 (hex) of the private value's canonical JSON: Fabric's private data hash, kept after purge. */
  valueHash: Sha256Hex(),
  erasedAt: Type.Optional(Type.String()),
  erasureId: Type.Optional(Type.String()),
});
export type ObservationRecord = Static<typeof ObservationRecordSchema>;

/** Private (collection medicalObservations): the measurement itself. */
export const ObservationValueSchema = Type.Object({
  observationId: Type.String(),
  patientId: Type.String(),
  code: Type.String(),
  value: Type.Number(),
  unit: Type.String(),
  effectiveAt: Type.String(),
  device: Type.String(),
  salt: Type.String(),
});
export type ObservationValue = Static<typeof ObservationValueSchema>;

export const AccessorSchema = Type.Object({
  mspId: Type.String(),
  enrollmentId: Type.String(),
  role: Type.String(),
  key: Type.String(),
});
export type Accessor = Static<typeof AccessorSchema>;

export const AccessKindSchema = Type.Union([Type.Literal('CONSENT'), Type.Literal('EMERGENCY')]);

export const AccessSchema = Type.Object({
  accessId: Type.String(),
  patientId: Type.String(),
  grantee: AccessorSchema,
  kind: AccessKindSchema,
  consentId: Type.Optional(Type.String()),
  codes: Type.Array(Type.String()),
  dataPeriod: DataPeriodSchema,
  purpose: PurposeSchema,
  reason: Type.Optional(Text(512)),
  grantedAt: Type.String(),
  expiresAt: Type.String(),
});
export type Access = Static<typeof AccessSchema>;

export const ErasureSchema = Type.Object({
  erasureId: Type.String(),
  patientId: Type.String(),
  observationIds: Type.Array(Type.String()),
  requestedBy: Type.String(),
  at: Type.String(),
});
export type Erasure = Static<typeof ErasureSchema>;

export const PageOf = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), bookmark: Type.String() });

/** Private (collection medicalObservations): an alert raised by a measurement; the event carries only its id. */
/**
 * One alert rule run on one measurement, fired or not: every watched value gets one, so that nothing
 * in a block (event, result, private-write key) tells the channel's other members which fired.
 */
export const AlertSchema = Type.Object({
  alertId: Type.String(),
  patientId: Type.String(),
  observationId: Type.String(),
  ruleId: Type.String(),
  code: Type.String(),
  /** Whether the rule fired (e.g. weight changed ≥ 5 % within 30 days). */
  fired: Type.Boolean(),
  /** When fired: the signed change against the earlier value that moved most, whole percent. */
  changePercent: Type.Optional(Type.Integer()),
  raisedAt: Type.String(),
  /** Caller keys (`<mspId>/<enrollmentId>`) of the consented doctors told about it. */
  recipients: Type.Array(Type.String()),
  /** Salts the record's hash on the ledger, which a guess of `fired`/`changePercent` would otherwise match. */
  salt: Type.String(),
});
export type Alert = Static<typeof AlertSchema>;
