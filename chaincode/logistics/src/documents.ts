import { createHash } from 'node:crypto';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Id, IsoTime, canonicalJson, invalidArgument, validate } from '@cityledger/chaincode-common';
import { ContainerNumber, ImoNumber, Locode, type DocType } from './model';

/**
 * The FAL forms (IMO Convention on Facilitation of International Maritime Traffic) a port call
 * carries, reduced to the fields the authorities check. The documents travel in the transient map
 * and stay off-chain; the ledger keeps their hash, a non-personal summary and who may read them.
 */

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const IdentityDocument = {
  documentType: Type.Union([Type.Literal('PASSPORT'), Type.Literal('SEAMANS_BOOK'), Type.Literal('OTHER')]),
  documentNumber: Type.String({ minLength: 1, maxLength: 32 }),
};
const Mass = Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'kilograms' });
const MAX_PEOPLE = 10_000;

/** FAL 1: general declaration. */
export const GeneralDeclaration = Type.Object(
  {
    imo: ImoNumber(),
    vesselName: Name,
    callSign: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    flagState: Country,
    portOfArrival: Locode(),
    lastPortOfCall: Locode(),
    nextPortOfCall: Type.Optional(Locode()),
    arrival: IsoTime(),
    masterName: Name,
    grossTonnage: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    netTonnage: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    crewCount: Type.Integer({ minimum: 1, maximum: MAX_PEOPLE }),
    passengerCount: Type.Integer({ minimum: 0, maximum: MAX_PEOPLE }),
    dangerousGoodsOnBoard: Type.Boolean(),
    cargoBrief: Type.String({ maxLength: 512 }),
  },
  { additionalProperties: false },
);

/** FAL 2: cargo declaration. */
export const CargoDeclaration = Type.Object(
  {
    imo: ImoNumber(),
    portOfLoading: Locode(),
    portOfDischarge: Locode(),
    items: Type.Array(
      Type.Object(
        {
          consignmentId: Id(),
          description: Type.String({ minLength: 1, maxLength: 256 }),
          hsCode: Type.Optional(Type.String({ pattern: '^[0-9]{6,10}$' })),
          packages: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          grossMassKg: Mass,
          containers: Type.Array(ContainerNumber(), { maxItems: 200 }),
          dangerous: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      { minItems: 0, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

/** FAL 5: crew list. */
export const CrewList = Type.Object(
  {
    imo: ImoNumber(),
    crew: Type.Array(
      Type.Object(
        {
          familyName: Name,
          givenNames: Name,
          rank: Type.String({ minLength: 1, maxLength: 64 }),
          nationality: Country,
          dateOfBirth: Day,
          ...IdentityDocument,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

/** FAL 6: passenger list. */
export const PassengerList = Type.Object(
  {
    imo: ImoNumber(),
    passengers: Type.Array(
      Type.Object(
        {
          familyName: Name,
          givenNames: Name,
          nationality: Country,
          dateOfBirth: Day,
          portOfEmbarkation: Locode(),
          portOfDisembarkation: Locode(),
          transit: Type.Boolean(),
          ...IdentityDocument,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

/** FAL 7: dangerous goods manifest. */
export const DangerousGoodsManifest = Type.Object(
  {
    imo: ImoNumber(),
    items: Type.Array(
      Type.Object(
        {
          unNumber: Type.String({ pattern: '^UN[0-9]{4}$' }),
          properShippingName: Type.String({ minLength: 1, maxLength: 256 }),
          hazardClass: Type.String({ pattern: '^[1-9](\\.[1-6])?$' }),
          packingGroup: Type.Optional(
            Type.Union([Type.Literal('I'), Type.Literal('II'), Type.Literal('III')]),
          ),
          quantityKg: Mass,
          stowagePosition: Type.String({ minLength: 1, maxLength: 16 }),
          containerNumber: Type.Optional(ContainerNumber()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

export type GeneralDeclaration = Static<typeof GeneralDeclaration>;
export type CargoDeclaration = Static<typeof CargoDeclaration>;
export type CrewList = Static<typeof CrewList>;
export type PassengerList = Static<typeof PassengerList>;
export type DangerousGoodsManifest = Static<typeof DangerousGoodsManifest>;

export const DOCUMENT_SCHEMAS: Record<DocType, TSchema> = {
  FAL1: GeneralDeclaration,
  FAL2: CargoDeclaration,
  FAL5: CrewList,
  FAL6: PassengerList,
  FAL7: DangerousGoodsManifest,
};

/** The transient map of SubmitDocument: key `document`, the FAL form of the declared type. */
export const DocumentTransient = Type.Object(
  {
    document: Type.Union(
      [GeneralDeclaration, CargoDeclaration, CrewList, PassengerList, DangerousGoodsManifest],
      { description: 'the FAL form named by docType' },
    ),
  },
  { additionalProperties: false },
);
/** What readTransient checks before the per-type schema (which gives precise field errors). */
export const AnyDocumentTransient = Type.Object(
  { document: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: false },
);

/** Public facts about each form: counts and flags the declaration rules need, never names. */
export type Summary = Record<string, string | number | boolean | string[]>;

export function summarise(docType: DocType, document: unknown): Summary {
  switch (docType) {
    case 'FAL1': {
      const d = document as GeneralDeclaration;
      return {
        flagState: d.flagState,
        grossTonnage: d.grossTonnage,
        crewCount: d.crewCount,
        passengerCount: d.passengerCount,
        dangerousGoodsOnBoard: d.dangerousGoodsOnBoard,
        lastPortOfCall: d.lastPortOfCall,
      };
    }
    case 'FAL2': {
      const d = document as CargoDeclaration;
      return {
        itemCount: d.items.length,
        dangerousItems: d.items.filter((i) => i.dangerous).length,
        totalGrossMassKg: d.items.reduce((sum, i) => sum + i.grossMassKg, 0),
        consignmentIds: [...new Set(d.items.map((i) => i.consignmentId))].sort(),
      };
    }
    case 'FAL5':
      return { crewCount: (document as CrewList).crew.length };
    case 'FAL6':
      return { passengerCount: (document as PassengerList).passengers.length };
    case 'FAL7': {
      const d = document as DangerousGoodsManifest;
      return {
        itemCount: d.items.length,
        hazardClasses: [...new Set(d.items.map((i) => i.hazardClass))].sort(),
      };
    }
  }
}

/** SHA-256 (hex) of the canonical JSON of a document: what the ledger keeps and readers verify. */
export function documentHash(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document), 'utf8').digest('hex');
}

/**
 * Validates a document against its form and the call it belongs to; INVALID_ARGUMENT with
 * `details.input = 'transient'` and JSON-pointer paths into the document.
 */
export function checkDocument(
  docType: DocType,
  document: unknown,
  imo: string,
): { hash: string; summary: Summary } {
  validate(DOCUMENT_SCHEMAS[docType], document, 'transient');
  const doc = document as { imo: string };
  if (doc.imo !== imo) {
    throw invalidArgument('document is for another ship', {
      input: 'transient',
      errors: [{ path: '/imo', message: `expected ${imo}` }],
    });
  }
  return { hash: documentHash(document), summary: summarise(docType, document) };
}
