import { createHash, randomBytes } from 'node:crypto';
import { Sealer } from '../auth/secrets';
import type { SigningIdentity } from '../fabric/port';
import { Problem } from '../problem';
import { Store } from '../store/store';
import { testDb } from '../testing/harness';
import { DocumentService } from './documents';
import { canonicalJson } from './merkle';

const crewList = { imo: 'IMO9395044', crew: [{ familyName: 'Kim', givenNames: 'Minsu', rank: 'Master' }] };
const hashOf = (d: unknown) => createHash('sha256').update(canonicalJson(d)).digest('hex');
const customs = { id: 'city:customs', org: 'city', mspId: 'CityMSP', certificate: '', privateKey: '' } as SigningIdentity;
const transient = (d: unknown) => ({ document: Buffer.from(JSON.stringify(d)) });

describe('documents kept off-chain for their readers (port-call forms)', () => {
  let store: Store;
  let documents: DocumentService;

  beforeEach(async () => {
    store = new Store(await testDb());
    await store.migrate();
    documents = new DocumentService(store, new Sealer(randomBytes(32)));
  });

  it("keeps what SubmitDocument carried and serves it when the chaincode's check names its hash", async () => {
    expect(documents.keeps('logistics.portcall.SubmitDocument')).toBe(true);
    expect(documents.keeps('logistics.portcall.Declare')).toBe(false);
    await documents.keep(['call-1', 'FAL5'], transient(crewList));
    const asked: unknown[] = [];
    const served = await documents.read(customs, 'call-1', 'FAL5', (identity, transaction, args) => {
      asked.push({ identity: identity.id, transaction, args });
      return Promise.resolve({ callId: 'call-1', docType: 'FAL5', version: 2, hash: hashOf(crewList), grantedBy: 'customs' });
    });
    expect(asked).toEqual([{ identity: 'city:customs', transaction: 'portcall:CheckDocumentAccess', args: ['call-1', 'FAL5'] }]);
    expect(served).toEqual({ scope: 'call-1', docType: 'FAL5', hash: hashOf(crewList), version: 2, document: crewList });
  });

  it('serves nothing the ledger does not name now: a form replaced by an amendment, or submitted elsewhere', async () => {
    await documents.keep(['call-1', 'FAL5'], transient(crewList));
    const amended = { ...crewList, crew: [...crewList.crew, { familyName: 'Lee', givenNames: 'Jin', rank: 'Cook' }] };
    const refusal = await documents
      .read(customs, 'call-1', 'FAL5', () => Promise.resolve({ version: 3, hash: hashOf(amended) }))
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(Problem);
    expect(refusal).toMatchObject({ status: 404, code: 'DOCUMENT_NOT_KEPT' });
  });

  it("passes the chaincode's refusal on, and reads nothing", async () => {
    await documents.keep(['call-1', 'FAL5'], transient(crewList));
    const forbidden = new Problem(403, 'FORBIDDEN', 'not a reader of FAL5');
    await expect(documents.read(customs, 'call-1', 'FAL5', () => Promise.reject(forbidden))).rejects.toBe(forbidden);
  });

  it('keeps forms sealed at rest, bound to their call, type and hash', async () => {
    await documents.keep(['call-1', 'FAL5'], transient(crewList));
    const sealed = (await store.keptDocument('logistics', 'call-1', 'FAL5', hashOf(crewList)))!;
    expect(sealed).not.toContain('Minsu');
    // The same row under another call does not open.
    await store.keepDocument('logistics', 'call-2', 'FAL5', hashOf(crewList), sealed);
    await expect(
      documents.read(customs, 'call-2', 'FAL5', () => Promise.resolve({ hash: hashOf(crewList) })),
    ).rejects.toThrow();
  });
});
