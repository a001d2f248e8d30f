import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Amount, Id, IsoTime, Sha256Hex, Text } from '@cityledger/chaincode-common';

// --- field schemas --------------------------------------------------------------------------------

/** ISO 3779 vehicle identification number: 17 characters, no I, O or Q. */
export const Vin = (options: { description?: string } = {}) =>
  Type.String({ minLength: 17, maxLength: 17, pattern: '^[A-HJ-NPR-Z0-9]{17}$', ...options });

/** A non-resident actor as `<mspId>/<enrollmentId>` (Caller.key), e.g. an insurer, adjuster or repair shop. */
export const ActorKey = (options: { description?: string } = {}) =>
  Type.String({
    minLength: 3,
    maxLength: 160,
    pattern: '^[A-Za-z0-9]+MSP/[A-Za-z0-9][A-Za-z0-9._@:-]*$',
    ...options,
  });

export const Reason = Text(256, { description: 'why (free text, no personal data)' });

/** Whole KRW, at least 1. */
export const PositiveAmount = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

const Obj = <P extends Record<string, TSchema>>(props: P) =>
  Type.Object(props, { additionalProperties: false });

// --- registry -------------------------------------------------------------------------------------

export const RegisterVehicleInput = Obj({
  vin: Vin(),
  ownerId: Id({ description: 'residentId of the owner' }),
  make: Type.Optional(Text(64)),
  model: Type.Optional(Text(64)),
  year: Type.Optional(Type.Integer({ minimum: 1886, maximum: 2100 })),
});

export const VehicleSchema = Type.Object({
  vin: Type.String(),
  ownerId: Type.String(),
  make: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  year: Type.Optional(Type.Integer()),
  registeredAt: Type.String(),
  updatedAt: Type.String(),
});
export type Vehicle = Static<typeof VehicleSchema>;

export const PolicyStatusSchema = Type.Union([Type.Literal('ACTIVE'), Type.Literal('CANCELLED')]);

export const IssuePolicyInput = Obj({
  policyId: Id(),
  vin: Vin(),
  coverage: PositiveAmount,
  deductible: Amount,
  validFrom: IsoTime(),
  validUntil: IsoTime(),
});

export const PolicySchema = Type.Object({
  policyId: Type.String(),
  vin: Type.String(),
  /** residentId of the vehicle's owner when the policy was issued: the one who may file claims. */
  holderId: Type.String(),
  /** The issuing insurer identity (`InsurerMSP/<enrollmentId>`). */
  insurerId: Type.String(),
  coverage: Type.Integer(),
  deductible: Type.Integer(),
  validFrom: Type.String(),
  validUntil: Type.String(),
  status: PolicyStatusSchema,
  issuedAt: Type.String(),
  updatedAt: Type.String(),
  /** Set by CancelPolicy: the cover ends here; incidents before it stay covered. */
  cancelledAt: Type.Optional(Type.String()),
});
export type Policy = Static<typeof PolicySchema>;

export const PartnerKindSchema = Type.Union([Type.Literal('repair-shop'), Type.Literal('adjuster')]);
export type PartnerKind = Static<typeof PartnerKindSchema>;

/** A repair shop approved, or an adjuster appointed, by an insurer. */
export const PartnerSchema = Type.Object({
  insurerId: Type.String(),
  kind: PartnerKindSchema,
  partnerId: Type.String(),
  status: Type.Union([Type.Literal('APPROVED'), Type.Literal('REVOKED')]),
  updatedAt: Type.String(),
});
export type Partner = Static<typeof PartnerSchema>;

// --- telemetry ------------------------------------------------------------------------------------

export const AnchorWindowInput = Obj({
  vin: Vin({ description: "must be the calling vehicle's vehicleId attribute" }),
  seq: Type.Integer({
    minimum: 1,
    maximum: 999_999_999_999,
    description: 'contiguous per vehicle, starting at 1',
  }),
  windowStart: IsoTime({ description: 'first instant covered (inclusive)' }),
  windowEnd: IsoTime({ description: 'end of the window (exclusive); the next window should start here' }),
  count: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'number of readings (leaves)' }),
  root: Sha256Hex({ description: 'RFC 6962 Merkle root of the readings (lower-case hex)' }),
  windowRef: Type.Optional(Id({ description: "the gateway's off-chain window id" })),
});
export type AnchorWindow = Static<typeof AnchorWindowInput>;

export const TelemetryWindowSchema = Type.Object({
  vin: Type.String(),
  seq: Type.Integer(),
  windowStart: Type.String(),
  windowEnd: Type.String(),
  count: Type.Integer(),
  root: Type.String(),
  scheme: Type.String(),
  windowRef: Type.Optional(Type.String()),
  anchoredAt: Type.String(),
  anchoredBy: Type.String(),
  txId: Type.String(),
});
export type TelemetryWindow = Static<typeof TelemetryWindowSchema>;

/** Per-vehicle sequence head: written only by that vehicle's anchors (no hot key across vehicles). */
export const TelemetryHeadSchema = Type.Object({
  vin: Type.String(),
  lastSeq: Type.Integer(),
  lastWindowEnd: Type.String(),
});
export type TelemetryHead = Static<typeof TelemetryHeadSchema>;

export const VerifyReadingInput = Obj({
  vin: Vin(),
  seq: Type.Integer({ minimum: 1, maximum: 999_999_999_999 }),
  index: Type.Integer({
    minimum: 0,
    maximum: 999_999,
    description: 'leaf index of the reading in the window (0-based)',
  }),
  reading: Type.Record(Type.String(), Type.Unknown(), {
    description: 'the reading exactly as the gateway stored it (hashed as canonical JSON)',
  }),
  path: Type.Array(Sha256Hex(), { maxItems: 64, description: 'RFC 6962 audit path, leaf to root' }),
});

export const ReadingProofSchema = Type.Object({
  valid: Type.Boolean(),
  vin: Type.String(),
  seq: Type.Integer(),
  index: Type.Integer(),
  count: Type.Integer(),
  leafHash: Type.String(),
  root: Type.String(),
  scheme: Type.String(),
});
export type ReadingProof = Static<typeof ReadingProofSchema>;

// --- crashes --------------------------------------------------------------------------------------

export const ReportCrashInput = Obj({
  crashId: Id(),
  occurredAt: IsoTime(),
  vins: Type.Array(Vin(), { minItems: 1, maxItems: 8, uniqueItems: true }),
  location: Type.Optional(Text(256)),
  description: Type.Optional(Text(1024)),
});

export const DrivingStateSchema = Obj({
  vin: Vin(),
  automationActive: Type.Boolean({ description: 'the automated driving system was in control at the crash' }),
  takeoverRequested: Type.Boolean({ description: 'the system asked the driver to take over' }),
  takeoverRequestedAt: Type.Optional(IsoTime()),
  driverTookOver: Type.Boolean({ description: 'the driver had taken control' }),
  driverTookOverAt: Type.Optional(IsoTime()),
});
export type DrivingState = Static<typeof DrivingStateSchema>;

export const SealEvidenceInput = Obj({
  beforeSeconds: Type.Integer({
    minimum: 1,
    maximum: 600,
    description: 'seconds sealed before the crash (e.g. 30)',
  }),
  afterSeconds: Type.Integer({
    minimum: 0,
    maximum: 600,
    description: 'seconds sealed after the crash (e.g. 10)',
  }),
  driving: Type.Array(DrivingStateSchema, {
    minItems: 1,
    maxItems: 8,
    description: 'one entry per involved vehicle: who was driving',
  }),
});
export type SealEvidence = Static<typeof SealEvidenceInput>;

export const WindowRefSchema = Type.Object({
  seq: Type.Integer(),
  windowStart: Type.String(),
  windowEnd: Type.String(),
  count: Type.Integer(),
  root: Type.String(),
});
export type WindowRef = Static<typeof WindowRefSchema>;

export const VehicleEvidenceSchema = Type.Object({
  vin: Type.String(),
  /** The anchored windows overlapping [from, to), in order. */
  windows: Type.Array(WindowRefSchema),
  /** The windows abut and span all of [from, to). */
  complete: Type.Boolean(),
});
export type VehicleEvidence = Static<typeof VehicleEvidenceSchema>;

export const EvidenceSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  scheme: Type.String(),
  vehicles: Type.Array(VehicleEvidenceSchema),
  driving: Type.Array(DrivingStateSchema),
  sealedAt: Type.String(),
  sealedBy: Type.String(),
});
export type Evidence = Static<typeof EvidenceSchema>;

export const CrashStatusSchema = Type.Union([Type.Literal('REPORTED'), Type.Literal('SEALED')]);

export const CrashSchema = Type.Object({
  crashId: Type.String(),
  occurredAt: Type.String(),
  vins: Type.Array(Type.String()),
  location: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  status: CrashStatusSchema,
  reportedAt: Type.String(),
  reportedBy: Type.String(),
  /** Write-once, present once SEALED. */
  evidence: Type.Optional(EvidenceSchema),
});
export type Crash = Static<typeof CrashSchema>;

// --- claims ---------------------------------------------------------------------------------------

export const CLAIM_STATES = [
  'REPORTED',
  'EVIDENCE_LINKED',
  'UNDER_ASSESSMENT',
  'FAULT_DETERMINED',
  'DISPUTED',
  'APPROVED_REPAIR',
  'APPROVED_CASH',
  'REJECTED',
  'REPAIRING',
  'REPAIRED',
  'PAID',
  'CLOSED',
] as const;
export type ClaimStatus = (typeof CLAIM_STATES)[number];
export const ClaimStatusSchema = Type.Unsafe<ClaimStatus>(Type.String({ enum: [...CLAIM_STATES] }));

export const ClaimKindSchema = Type.Union([Type.Literal('COLLISION'), Type.Literal('THEFT')]);
export type ClaimKind = Static<typeof ClaimKindSchema>;

export const FileClaimInput = Obj({
  claimId: Id(),
  policyId: Id(),
  kind: ClaimKindSchema,
  incidentId: Id({ description: 'COLLISION: the crashId; THEFT: the police case number' }),
  occurredAt: Type.Optional(IsoTime({ description: 'THEFT only (a collision takes the crash time)' })),
  injury: Type.Optional(
    Type.Boolean({ description: 'someone was hurt: medical evidence may be referenced' }),
  ),
  description: Type.Optional(Text(1024)),
});
export type FileClaim = Static<typeof FileClaimInput>;

/** Parties fault can be assigned to besides the crash's vehicles. */
export const OTHER_PARTIES = ['THIRD_PARTY', 'INFRASTRUCTURE'] as const;

export const FaultShareSchema = Obj({
  party: Type.String({
    minLength: 1,
    maxLength: 17,
    description: `a VIN of the crash, or ${OTHER_PARTIES.join(' / ')}`,
  }),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
});
export type FaultShare = Static<typeof FaultShareSchema>;
export const FaultShares = Type.Array(FaultShareSchema, {
  minItems: 1,
  maxItems: 10,
  description: 'percentages summing to 100',
});

export const ApproveRepairInput = Obj({
  shopId: ActorKey({ description: 'an approved repair shop of the insurer' }),
  estimate: PositiveAmount,
});

export const InvoiceInput = Obj({
  amount: PositiveAmount,
  reference: Text(128, { description: "the shop's invoice number" }),
});

export const PaymentInput = Obj({
  amount: PositiveAmount,
  reference: Type.Optional(Text(128, { description: 'payment reference' })),
});

export const ClaimSchema = Type.Object({
  claimId: Type.String(),
  policyId: Type.String(),
  vin: Type.String(),
  insurerId: Type.String(),
  claimantId: Type.String(),
  kind: ClaimKindSchema,
  incidentId: Type.String(),
  occurredAt: Type.String(),
  injury: Type.Boolean(),
  description: Type.Optional(Type.String()),
  status: ClaimStatusSchema,
  theftConfirmation: Type.Optional(
    Type.Object({ by: Type.String(), at: Type.String(), caseReference: Type.String() }),
  ),
  evidenceLinkedAt: Type.Optional(Type.String()),
  adjusterId: Type.Optional(Type.String()),
  fault: Type.Optional(
    Type.Object({
      shares: Type.Array(FaultShareSchema),
      determinedAt: Type.String(),
      determinedBy: Type.String(),
    }),
  ),
  dispute: Type.Optional(Type.Object({ reason: Type.String(), at: Type.String() })),
  decision: Type.Optional(
    Type.Object({
      type: Type.Union([Type.Literal('REPAIR'), Type.Literal('CASH'), Type.Literal('REJECT')]),
      shopId: Type.Optional(Type.String()),
      estimate: Type.Optional(Type.Integer()),
      reason: Type.Optional(Type.String()),
      at: Type.String(),
      by: Type.String(),
    }),
  ),
  invoice: Type.Optional(
    Type.Object({ amount: Type.Integer(), reference: Type.String(), at: Type.String() }),
  ),
  payment: Type.Optional(
    Type.Object({
      amount: Type.Integer(),
      payee: Type.String(),
      reference: Type.Optional(Type.String()),
      at: Type.String(),
      settlementIds: Type.Array(Type.String()),
    }),
  ),
  /** Access ids issued by the medical chaincode (channel health) after its consent check; no medical data. */
  medicalRefs: Type.Array(Type.String()),
  filedAt: Type.String(),
  updatedAt: Type.String(),
});
export type Claim = Static<typeof ClaimSchema>;

export const SettlementSchema = Type.Object({
  settlementId: Type.String(),
  claimId: Type.String(),
  crashId: Type.String(),
  /** The at-fault vehicle whose insurer owes. */
  vin: Type.String(),
  payerInsurerId: Type.String(),
  payeeInsurerId: Type.String(),
  faultPercent: Type.Integer(),
  amount: Type.Integer(),
  status: Type.Union([Type.Literal('RECORDED'), Type.Literal('ACKNOWLEDGED')]),
  recordedAt: Type.String(),
  acknowledgedAt: Type.Optional(Type.String()),
});
export type Settlement = Static<typeof SettlementSchema>;

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), bookmark: Type.String() });
