import { Type, type Static } from '@sinclair/typebox';
import { Id, IsoTime, Sha256Hex, Text } from '@cityledger/chaincode-common';

// Organisations and the (MSP, role) pairs this chaincode gives powers to.
export const CITY = 'CityMSP';
export const HOSPITAL = 'HospitalMSP';
export const Registrar = { mspId: CITY, role: 'registrar' };
export const CityAdmin = { mspId: CITY, role: 'admin' };
export const Police = { mspId: CITY, role: 'police' };
export const BirthAttestor = { mspId: HOSPITAL, role: 'birth-attestor' };

/** The credential type only birth registration issues. */
export const BIRTH_CERTIFICATE = 'birth-certificate';

export const ResidentStatusSchema = Type.Union([
  Type.Literal('ACTIVE'),
  Type.Literal('SUSPENDED'),
  Type.Literal('LOCKED'),
  Type.Literal('DECEASED'),
]);
export type ResidentStatus = Static<typeof ResidentStatusSchema>;

export const CredentialStatusSchema = Type.Union([
  Type.Literal('ACTIVE'),
  Type.Literal('SUSPENDED'),
  Type.Literal('REVOKED'),
  Type.Literal('EXPIRED'),
]);
export type CredentialStatus = Static<typeof CredentialStatusSchema>;

/** Who holds a credential: a residentId, or a non-resident identity as `<mspId>/<enrollmentId>` (Caller.key). */
export const HolderId = () =>
  Type.String({
    minLength: 1,
    maxLength: 160,
    pattern: '^([A-Za-z0-9][A-Za-z0-9._:-]*|[A-Za-z0-9]+MSP/[A-Za-z0-9][A-Za-z0-9._@:-]*)$',
    description: 'a residentId, or <mspId>/<enrollmentId> for a non-resident holder',
  });

export const Reason = Text(256, { description: 'why (free text, no personal data)' });

// --- records on the ledger (public: ids, hashes and statuses only) -----------------------------

export const ResidentSchema = Type.Object({
  residentId: Type.String(),
  status: ResidentStatusSchema,
  /** The City CA enrolment the resident acts with; absent until bound (e.g. a newborn). */
  enrollmentId: Type.Optional(Type.String()),
  registeredAt: Type.String(),
  updatedAt: Type.String(),
  /** Set while LOCKED: who locked (the resident or the police) decides who may unlock. */
  lockedBy: Type.Optional(Type.Union([Type.Literal('self'), Type.Literal('police')])),
  /** Set while LOCKED when the police locked a SUSPENDED resident: unlocking returns it there. */
  lockedFrom: Type.Optional(Type.Literal('SUSPENDED')),
  birthCertificateId: Type.Optional(Type.String()),
});
export type Resident = Static<typeof ResidentSchema>;

export const IssuerRefSchema = Type.Object({ mspId: Type.String(), role: Type.String(), key: Type.String() });
export type IssuerRef = Static<typeof IssuerRefSchema>;

export const CredentialSchema = Type.Object({
  credentialId: Type.String(),
  type: Type.String(),
  holderId: Type.String(),
  issuer: IssuerRefSchema,
  /** SHA-256 of the canonical JSON of the credential document the holder keeps off-chain. */
  documentHash: Type.String(),
  /** Per-claim salted hashes: SHA-256 of canonical {name, salt, value}. */
  claimHashes: Type.Record(Type.String(), Type.String()),
  /** Stored status; reads report EXPIRED once the transaction time passes validUntil. */
  status: CredentialStatusSchema,
  validUntil: Type.Optional(Type.String()),
  issuedAt: Type.String(),
  updatedAt: Type.String(),
  /** Who suspended decides who may reinstate ('city': the City acting over the issuer). */
  suspendedBy: Type.Optional(
    Type.Union([Type.Literal('issuer'), Type.Literal('holder'), Type.Literal('city')]),
  ),
  attestationId: Type.Optional(Type.String()),
});
export type Credential = Static<typeof CredentialSchema>;

export const TrustedIssuerSchema = Type.Object({
  credentialType: Type.String(),
  mspId: Type.String(),
  role: Type.String(),
  active: Type.Boolean(),
  updatedAt: Type.String(),
  updatedBy: Type.String(),
});
export type TrustedIssuer = Static<typeof TrustedIssuerSchema>;

/** Index: the attestation that registered a hospital birth record, so one birth is attested once. */
export const BirthRecordSchema = Type.Object({ recordHash: Type.String(), attestationId: Type.String() });
export type BirthRecord = Static<typeof BirthRecordSchema>;

export const BirthAttestationSchema = Type.Object({
  attestationId: Type.String(),
  /** SHA-256 of the hospital's birth record (kept by the hospital). */
  recordHash: Type.String(),
  hospital: Type.String(),
  status: Type.Union([Type.Literal('ATTESTED'), Type.Literal('CERTIFIED')]),
  attestedAt: Type.String(),
  certifiedAt: Type.Optional(Type.String()),
  residentId: Type.Optional(Type.String()),
  credentialId: Type.Optional(Type.String()),
});
export type BirthAttestation = Static<typeof BirthAttestationSchema>;

export const AuditEntrySchema = Type.Object({
  subject: Type.String(),
  at: Type.String(),
  txId: Type.String(),
  action: Type.String(),
  by: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), bookmark: Type.String() });

// --- inputs ---------------------------------------------------------------------------------

export const ClaimName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' });
export const ClaimValue = Type.Union([Type.String({ maxLength: 1024 }), Type.Integer(), Type.Boolean()]);
/** High-entropy salt (16..64 random bytes, hex) so a claim hash cannot be brute-forced. */
export const Salt = Type.String({ pattern: '^[0-9a-f]{32,128}$' });
export const SaltedClaim = Type.Object({ value: ClaimValue, salt: Salt }, { additionalProperties: false });
export type SaltedClaim = Static<typeof SaltedClaim>;
export const Claims = Type.Record(ClaimName, SaltedClaim, {
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 64,
});
export type Claims = Static<typeof Claims>;

/** The document a holder keeps and presents; its canonical JSON hashes to Credential.documentHash. */
export const CredentialDocumentSchema = Type.Object(
  {
    credentialId: Id(),
    type: Id(),
    holderId: HolderId(),
    issuer: Type.String({ maxLength: 200 }),
    validUntil: Type.Optional(IsoTime()),
    claims: Claims,
  },
  { additionalProperties: false },
);
export type CredentialDocument = Static<typeof CredentialDocumentSchema>;

export const RegisterResidentInput = Type.Object(
  {
    residentId: Id(),
    enrollmentId: Type.Optional(Id({ description: 'City CA enrolment id of the resident' })),
  },
  { additionalProperties: false },
);
export const TrustedIssuerInput = Type.Object(
  { credentialType: Id(), mspId: Id(), role: Id() },
  { additionalProperties: false },
);
export const IssueCredentialInput = Type.Object(
  { credentialId: Id(), type: Id(), holderId: HolderId(), validUntil: Type.Optional(IsoTime()) },
  { additionalProperties: false },
);
export const IssueTransient = Type.Object({ claims: Claims }, { additionalProperties: false });
export const VerifyTransient = Type.Object(
  { document: CredentialDocumentSchema },
  { additionalProperties: false },
);
export const ClaimTransient = Type.Object({ claim: SaltedClaim }, { additionalProperties: false });
export const AttestBirthInput = Type.Object(
  { attestationId: Id(), recordHash: Sha256Hex() },
  { additionalProperties: false },
);
export const IssueBirthCertificateInput = Type.Object(
  { attestationId: Id(), residentId: Id(), credentialId: Id() },
  { additionalProperties: false },
);

export const VerificationSchema = Type.Object({
  valid: Type.Boolean(),
  reason: Type.Optional(
    Type.Union([
      Type.Literal('UNKNOWN_CREDENTIAL'),
      Type.Literal('DOCUMENT_MISMATCH'),
      Type.Literal('UNKNOWN_CLAIM'),
      Type.Literal('CLAIM_MISMATCH'),
      Type.Literal('SUSPENDED'),
      Type.Literal('REVOKED'),
      Type.Literal('EXPIRED'),
      Type.Literal('HOLDER_NOT_ACTIVE'),
    ]),
  ),
  credentialId: Type.String(),
  status: Type.Optional(CredentialStatusSchema),
  /** For a resident holder: the resident's status (a credential of a non-ACTIVE resident is not valid). */
  holderStatus: Type.Optional(ResidentStatusSchema),
  type: Type.Optional(Type.String()),
  holderId: Type.Optional(Type.String()),
  claim: Type.Optional(Type.String()),
  checkedAt: Type.String(),
});
export type Verification = Static<typeof VerificationSchema>;

export const ResidentCheckSchema = Type.Object({
  residentId: Type.String(),
  status: ResidentStatusSchema,
  active: Type.Boolean(),
});
export const CallerCheckSchema = Type.Object({
  residentId: Type.String(),
  status: ResidentStatusSchema,
  active: Type.Boolean(),
  /** The calling certificate is the resident's bound enrolment (see actors.ts isSelf). */
  bound: Type.Boolean(),
});
export const CredentialCheckSchema = Type.Object({
  credentialId: Type.String(),
  type: Type.String(),
  holderId: Type.String(),
  status: CredentialStatusSchema,
  /** Active only when the credential is ACTIVE and, for a resident holder, the resident is ACTIVE. */
  active: Type.Boolean(),
  validUntil: Type.Optional(Type.String()),
  /** For a resident holder: the resident's status. */
  holderStatus: Type.Optional(ResidentStatusSchema),
});
