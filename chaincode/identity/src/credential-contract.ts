import type { Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  PageSize,
  Submit,
  caller,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  isoToMs,
  readTransient,
  txTime,
  type Page,
} from '@cityledger/chaincode-common';
import { credentialSubject, record } from './audit';
import { credentialActor } from './actors';
import { isTrustedIssuer } from './issuer-contract';
import { claimHash, claimHashes, documentHash } from './hashing';
import { credentialLifecycle, effectiveStatus, holderStatus } from './lifecycle';
import {
  AuditEntrySchema,
  BIRTH_CERTIFICATE,
  ClaimName,
  ClaimTransient,
  CredentialSchema,
  HolderId,
  IssueCredentialInput,
  IssueTransient,
  Page as PageOf,
  Reason,
  VerificationSchema,
  VerifyTransient,
  type AuditEntry,
  type Claims,
  type Credential,
  type CredentialStatus,
  type IssuerRef,
  type Verification,
} from './model';
import { audit, credentials, credentialsByHolder, residents } from './store';

/**
 * Credentials: only hashes and status on the ledger. The claims arrive in the transient map, are
 * hashed on the endorsing peers and never written; the holder keeps the document off-chain.
 */
export class CredentialContract extends CityContract {
  constructor() {
    super('credential');
  }

  @Submit({
    description:
      'Issue a credential (a trusted issuer for the type). Claims go in transient "claims" as {name: {value, salt}}; only their salted hashes are stored.',
    params: { input: IssueCredentialInput },
    transient: IssueTransient,
    returns: CredentialSchema,
  })
  async IssueCredential(ctx: Context, input: Static<typeof IssueCredentialInput>): Promise<Credential> {
    if (input.type === BIRTH_CERTIFICATE)
      throw forbidden('birth certificates are issued by birth registration', { type: input.type });
    if (!(await isTrustedIssuer(ctx, input.type))) {
      const who = caller(ctx);
      throw forbidden(`${who.mspId} ${who.role ?? '(no role)'} is not a trusted issuer of ${input.type}`, {
        type: input.type,
        mspId: who.mspId,
        role: who.role ?? null,
      });
    }
    const { claims } = readTransient(ctx, IssueTransient);
    return issueCredential(ctx, input, claims);
  }

  @Submit({
    description:
      'Suspend (the issuing authority, the holder e.g. after losing a phone, or the City registrar or admin).',
    params: { credentialId: Id(), reason: Reason },
    returns: CredentialSchema,
  })
  async SuspendCredential(ctx: Context, credentialId: string, reason: string): Promise<Credential> {
    return this.change(ctx, credentialId, 'SUSPENDED', 'CredentialSuspended', reason);
  }

  @Submit({
    description:
      'Lift a suspension: the issuing authority while still trusted (not over a City suspension), the holder when the holder suspended, the City when the City suspended.',
    params: { credentialId: Id(), reason: Reason },
    returns: CredentialSchema,
  })
  async ReinstateCredential(ctx: Context, credentialId: string, reason: string): Promise<Credential> {
    return this.change(ctx, credentialId, 'ACTIVE', 'CredentialReinstated', reason);
  }

  @Submit({
    description: 'Revoke for good (the issuing authority, or the City registrar or admin).',
    params: { credentialId: Id(), reason: Reason },
    returns: CredentialSchema,
  })
  async RevokeCredential(ctx: Context, credentialId: string, reason: string): Promise<Credential> {
    return this.change(ctx, credentialId, 'REVOKED', 'CredentialRevoked', reason);
  }

  @Submit({
    description:
      'Record that a credential expired, once the transaction time has passed validUntil (the issuing authority, the holder, or the City registrar or admin).',
    params: { credentialId: Id() },
    returns: CredentialSchema,
  })
  async ExpireCredential(ctx: Context, credentialId: string): Promise<Credential> {
    const credential = await credentials.require(ctx, credentialId);
    if (effectiveStatus(credential, txTime(ctx).ms) !== 'EXPIRED') {
      throw failedPrecondition(`credential ${credentialId} has not expired`, {
        state: credential.status,
        validUntil: credential.validUntil ?? null,
      });
    }
    return this.change(ctx, credentialId, 'EXPIRED', 'CredentialExpired', '', credential.status);
  }

  @Evaluate({
    description: 'A credential (hashes and status; status as of now).',
    params: { credentialId: Id() },
    returns: CredentialSchema,
  })
  async GetCredential(ctx: Context, credentialId: string): Promise<Credential> {
    const credential = await credentials.require(ctx, credentialId);
    return { ...credential, status: effectiveStatus(credential, txTime(ctx).ms) };
  }

  @Evaluate({
    description: "A holder's credentials, by type.",
    params: { holderId: HolderId(), pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(CredentialSchema),
  })
  async ListHolderCredentials(
    ctx: Context,
    holderId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<Page<Credential>> {
    const page = await credentialsByHolder.page(ctx, [holderId], pageSize, bookmark);
    const now = txTime(ctx).ms;
    const items = await Promise.all(page.items.map((x) => credentials.require(ctx, x.credentialId)));
    return { items: items.map((c) => ({ ...c, status: effectiveStatus(c, now) })), bookmark: page.bookmark };
  }

  @Evaluate({
    description: "A credential's audit trail, oldest first.",
    params: { credentialId: Id(), pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(AuditEntrySchema),
  })
  async GetCredentialHistory(
    ctx: Context,
    credentialId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<Page<AuditEntry>> {
    await credentials.require(ctx, credentialId);
    return audit.page(ctx, [credentialSubject(credentialId)], pageSize, bookmark);
  }

  @Evaluate({
    description:
      'Verify a presented document (transient "document") against the on-chain hash and status. Invalid documents give valid=false and a reason.',
    params: { credentialId: Id() },
    transient: VerifyTransient,
    returns: VerificationSchema,
  })
  async VerifyCredential(ctx: Context, credentialId: string): Promise<Verification> {
    const { document } = readTransient(ctx, VerifyTransient);
    const checked = await this.lookup(ctx, credentialId);
    if ('verdict' in checked) return checked.verdict;
    const { credential, base } = checked;
    if (document.credentialId !== credentialId || documentHash(document) !== credential.documentHash) {
      return { ...base, valid: false, reason: 'DOCUMENT_MISMATCH' };
    }
    return statusVerdict(base);
  }

  @Evaluate({
    description:
      'Selective disclosure: prove one claim (transient "claim" = {value, salt}) of a credential without the rest.',
    params: { credentialId: Id(), claimName: ClaimName },
    transient: ClaimTransient,
    returns: VerificationSchema,
  })
  async VerifyClaim(ctx: Context, credentialId: string, claimName: string): Promise<Verification> {
    const { claim } = readTransient(ctx, ClaimTransient);
    const checked = await this.lookup(ctx, credentialId);
    if ('verdict' in checked) return { ...checked.verdict, claim: claimName };
    const { credential, base } = checked;
    const withClaim = { ...base, claim: claimName };
    // Own names only: 'constructor' or 'toString' are not claims of any credential.
    if (!Object.hasOwn(credential.claimHashes, claimName))
      return { ...withClaim, valid: false, reason: 'UNKNOWN_CLAIM' };
    if (claimHash(claimName, claim) !== credential.claimHashes[claimName])
      return { ...withClaim, valid: false, reason: 'CLAIM_MISMATCH' };
    return statusVerdict(withClaim);
  }

  private async lookup(
    ctx: Context,
    credentialId: string,
  ): Promise<{ verdict: Verification } | { credential: Credential; base: Verification }> {
    const checkedAt = txTime(ctx).iso;
    const credential = await credentials.get(ctx, credentialId);
    if (!credential)
      return { verdict: { valid: false, reason: 'UNKNOWN_CREDENTIAL', credentialId, checkedAt } };
    const status = effectiveStatus(credential, txTime(ctx).ms);
    const holder = await holderStatus(ctx, credential.holderId);
    return {
      credential,
      base: {
        valid: true,
        credentialId,
        status,
        type: credential.type,
        holderId: credential.holderId,
        ...(holder !== undefined ? { holderStatus: holder } : {}),
        checkedAt,
      },
    };
  }

  private async change(
    ctx: Context,
    credentialId: string,
    to: CredentialStatus,
    event: string,
    reason: string,
    storedFrom?: CredentialStatus,
  ): Promise<Credential> {
    const credential = await credentials.require(ctx, credentialId);
    const now = txTime(ctx);
    // Expiry is a fact of time: an expired credential is EXPIRED for every other move.
    const from = storedFrom ?? effectiveStatus(credential, now.ms);
    const actor = await credentialActor(ctx, credential);
    credentialLifecycle.move(from, to, actor);
    // Every move needs one of these (lifecycle.ts); the first names who acted.
    const by = (['issuer', 'holder', 'city'] as const).find((a) => actor.includes(a)) ?? 'city';
    const updated: Credential = { ...credential, status: to, updatedAt: now.iso };
    delete updated.suspendedBy;
    if (to === 'SUSPENDED') updated.suspendedBy = by;
    await credentials.put(ctx, updated);
    await record(ctx, credentialSubject(credentialId), to, { from, to, reason });
    emit(ctx, event, {
      credentialId,
      type: credential.type,
      from,
      to,
      by,
    });
    return updated;
  }
}

/** Writes a new credential with its holder index, audit entry and event. Shared with birth registration. */
export async function issueCredential(
  ctx: Context,
  input: {
    credentialId: string;
    type: string;
    holderId: string;
    validUntil?: string;
    attestationId?: string;
  },
  claims: Claims,
): Promise<Credential> {
  requireDistinctSalts(claims);
  const who = caller(ctx);
  const now = txTime(ctx);
  if (input.validUntil !== undefined && isoToMs(input.validUntil, 'validUntil') <= now.ms) {
    throw failedPrecondition('validUntil is already past', { validUntil: input.validUntil, now: now.iso });
  }
  if (!input.holderId.includes('/')) {
    // A resident holder must exist and be ACTIVE: nothing is issued to a locked identity.
    const resident = await residents.get(ctx, input.holderId);
    if (resident && resident.status !== 'ACTIVE') {
      throw failedPrecondition(`resident ${input.holderId} is ${resident.status}`, {
        state: resident.status,
        residentId: input.holderId,
      });
    }
    if (!resident && input.type !== BIRTH_CERTIFICATE) {
      throw failedPrecondition(`resident ${input.holderId} is not registered`, {
        residentId: input.holderId,
      });
    }
  }
  const issuer: IssuerRef = { mspId: who.mspId, role: who.role ?? '', key: who.key };
  const document = {
    credentialId: input.credentialId,
    type: input.type,
    holderId: input.holderId,
    issuer: who.key,
    ...(input.validUntil !== undefined ? { validUntil: input.validUntil } : {}),
    claims,
  };
  const credential: Credential = {
    credentialId: input.credentialId,
    type: input.type,
    holderId: input.holderId,
    issuer,
    documentHash: documentHash(document),
    claimHashes: claimHashes(claims),
    status: 'ACTIVE',
    issuedAt: now.iso,
    updatedAt: now.iso,
    ...(input.validUntil !== undefined ? { validUntil: input.validUntil } : {}),
    ...(input.attestationId !== undefined ? { attestationId: input.attestationId } : {}),
  };
  await credentials.create(ctx, credential);
  await credentialsByHolder.put(ctx, {
    holderId: input.holderId,
    type: input.type,
    credentialId: input.credentialId,
  });
  await record(ctx, credentialSubject(input.credentialId), 'ISSUED', { to: 'ACTIVE' });
  emit(ctx, 'CredentialIssued', {
    credentialId: input.credentialId,
    type: input.type,
    holderId: input.holderId,
    issuer: issuer.mspId,
  });
  return credential;
}

/** The credential's own status first; then a resident holder who is not ACTIVE invalidates it too. */
function statusVerdict(base: Verification): Verification {
  if (base.status !== 'ACTIVE')
    return { ...base, valid: false, reason: base.status as 'SUSPENDED' | 'REVOKED' | 'EXPIRED' };
  if (base.holderStatus !== undefined && base.holderStatus !== 'ACTIVE')
    return { ...base, valid: false, reason: 'HOLDER_NOT_ACTIVE' };
  return base;
}

/**
 * One salt per claim: disclosing a claim reveals its salt, and a salt shared with another claim
 * would let a verifier brute-force that claim's hash (a birth date has few possible values).
 */
function requireDistinctSalts(claims: Claims): void {
  const seen = new Map<string, string>();
  for (const [name, { salt }] of Object.entries(claims)) {
    const other = seen.get(salt);
    if (other !== undefined)
      throw invalidArgument('every claim needs its own salt', { field: 'claims', claims: [other, name] });
    seen.set(salt, name);
  }
}
