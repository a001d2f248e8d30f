import { createHash } from 'node:crypto';
import { Sealer } from '../auth/secrets';
import type { SigningIdentity } from '../fabric/port';
import { Problem } from '../problem';
import { Store } from '../store/store';
import { canonicalJson } from './merkle';

/**
 * Documents the ledger holds only the hash of, kept by the gateway so that their readers can have them:
 * a port call's FAL forms (crew and passenger lists are personal data, so the chaincode takes a form in
 * the transient map and records its hash, summary and readers). The agent's SubmitDocument through
 * the gateway leaves the form here, sealed at rest and addressed by its hash; a reader gets it after
 * the chaincode's access check, run as that reader, names the hash on the ledger now. A form never
 * committed, or replaced by an amendment, is never served: its hash is not the ledger's.
 */
export interface KeptDocumentKind {
  chaincode: string;
  /** The route (operation id) whose transient input is the document. */
  submittedBy: string;
  transientKey: string;
  /** The evaluate that answers `{hash, ...}` for (scope, docType) to a reader, or refuses. */
  accessCheck: string;
}

export const PORT_CALL_FORMS: KeptDocumentKind = {
  chaincode: 'logistics',
  submittedBy: 'logistics.portcall.SubmitDocument',
  transientKey: 'document',
  accessCheck: 'portcall:CheckDocumentAccess',
};

export interface ServedDocument {
  scope: string;
  docType: string;
  hash: string;
  version?: number;
  document: unknown;
}

type Evaluate = (identity: SigningIdentity, transaction: string, args: string[]) => Promise<unknown>;

const hashOf = (document: unknown) => createHash('sha256').update(canonicalJson(document), 'utf8').digest('hex');

export class DocumentService {
  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    private readonly kind: KeptDocumentKind = PORT_CALL_FORMS,
  ) {}

  /** Bound to a sealed form: a row moved to another call, type or hash does not open. */
  private sealContext(scope: string, docType: string, hash: string): string {
    return `${this.kind.chaincode}/${scope}/${docType}/${hash}`;
  }

  /** Whether the gateway keeps documents of this chaincode. */
  serves(chaincode: string): boolean {
    return chaincode === this.kind.chaincode;
  }

  /** Whether a route's requests carry a document to keep. */
  keeps(routeId: string): boolean {
    return routeId === this.kind.submittedBy;
  }

  /** Keeps the document a SubmitDocument(scope, docType) request carried (after its endorsement succeeded). */
  async keep(args: string[], transient: Record<string, Uint8Array> | undefined): Promise<void> {
    const [scope, docType] = args;
    const bytes = transient?.[this.kind.transientKey];
    if (!scope || !docType || !bytes) return;
    const document = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    const hash = hashOf(document);
    const sealed = this.sealer.seal(canonicalJson(document), this.sealContext(scope, docType, hash));
    await this.store.keepDocument(this.kind.chaincode, scope, docType, hash, sealed);
  }

  /** The document the ledger names for (scope, docType), if the chaincode lets `identity` read it. */
  async read(identity: SigningIdentity, scope: string, docType: string, evaluate: Evaluate): Promise<ServedDocument> {
    // Refusals (FORBIDDEN, NOT_FOUND) are the chaincode's, with its codes.
    const grant = (await evaluate(identity, this.kind.accessCheck, [scope, docType])) as { hash?: unknown; version?: unknown };
    if (typeof grant?.hash !== 'string') throw new Problem(502, 'FABRIC_ERROR', `${this.kind.accessCheck} answered no hash`);
    const sealed = await this.store.keptDocument(this.kind.chaincode, scope, docType, grant.hash);
    if (!sealed)
      throw new Problem(404, 'DOCUMENT_NOT_KEPT', `the ${docType} of ${scope} on the ledger (hash ${grant.hash}) was not submitted through this gateway`);
    const document = JSON.parse(this.sealer.open(sealed, this.sealContext(scope, docType, grant.hash))) as unknown;
    // Addressed by its hash, sealed with it as context: a row changed in the database does not open.
    if (hashOf(document) !== grant.hash) throw new Problem(500, 'INTERNAL', 'a kept document does not match its hash');
    return { scope, docType, hash: grant.hash, ...(typeof grant.version === 'number' ? { version: grant.version } : {}), document };
  }
}
