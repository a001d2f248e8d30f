import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { OrgConfig } from '../config';
import { IDENTITY_CACHE_SIZE, SigningIdentity } from '../fabric/port';
import { badRequest, forbidden, notFound, Problem } from '../problem';
import { Store, UserRow } from '../store/store';
import { CaError, CaIdentity, certificateInfo, FabricCa } from './ca-client';
import { operatorAdminKey } from './org-secrets';
import { ATTRIBUTE_ROLES, REQUIRED_ATTRIBUTE, USER_ATTRIBUTES } from './roles';
import { DEFAULT_KEYS_PER_USER, newApiKey, parseApiKey, Sealer, verifySecret } from './secrets';

export { readRegistrar } from './org-secrets';

/** Who is calling: exactly one enrolled identity of one org. */
export interface Principal {
  userId: string;
  org: string;
  mspId: string;
  enrollmentId: string;
  role: string;
  attrs: Record<string, string>;
  isAdmin: boolean;
  keyId: string;
  /** This key's own limit (requests per minute); null: the gateway's rateLimit.max. */
  rateLimitPerMinute: number | null;
}

// Where they have always been found.
export { USER_ATTRIBUTES } from './roles';
const ENROLLMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const REGISTRAR = '_ca-registrar';

export interface NewUserInput {
  enrollmentId: string;
  role: string;
  residentId?: string;
  vehicleId?: string;
  buildingId?: string;
  meterId?: string;
  /** Requests per minute for the user's first key (org admin only, 1..rateLimit.maxPerKey). */
  rateLimitPerMinute?: number;
}

export interface AuthOptions {
  /** The highest per-key limit (requests per minute) an org admin may set: config rateLimit.maxPerKey. */
  maxRateLimitPerKey: number;
  /** How long a looked-up API key is reused without reading the database (config apiKeyCacheMs; 0: never). */
  apiKeyCacheMs?: number;
  /**
   * Active keys a user (not the org admin) may hold (config rateLimit.keysPerUser): the rate limit is per
   * key, so without a cap a user escaped it by minting itself new keys. Default DEFAULT_KEYS_PER_USER.
   */
  keysPerUser?: number;
  /** Told of each certificate renewal's outcome (the gateway counts them in its metrics). */
  onRenewal?: (outcome: 'renewed' | 'failed') => void;
}

export interface PublicUser {
  userId: string;
  org: string;
  mspId: string;
  enrollmentId: string;
  role: string;
  attrs: Record<string, string>;
  isAdmin: boolean;
  disabled: boolean;
}

/**
 * Fabric CA issues certificates for a year: each user's (the org admins' and the CA registrar's too) is
 * issued again, on a new key, when it is used this close to its end, and by the daily sweep
 * (`renewDueCertificates`) for users who are not.
 */
export const CERTIFICATE_RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** After a renewal or a failed one, a certificate still valid is not renewed again for this long. */
const RENEWAL_RETRY_MS = 10 * 60 * 1000;

export class AuthService {
  /** Decrypted identities of recently active users: bounded, so a gateway serving many users stays small. */
  private readonly identities = new LRUCache<string, SigningIdentity>({ max: IDENTITY_CACHE_SIZE });
  /**
   * Active keys recently presented, with their stored hash (each request's secret is still checked):
   * every request presents one, and two database reads a request showed in the gateway's profile.
   * This process forgets a key it revokes at once; another process sharing the database within the TTL.
   */
  private readonly keys?: LRUCache<string, { hash: string; principal: Principal }>;
  private readonly orgs: Map<string, OrgConfig>;
  /**
   * Bumped whenever this process revokes keys or replaces a key's secret. A lookup that began before
   * (it may have read the key row just before the revocation) does not cache what it read: written
   * after the revocation cleared the cache, it would have kept a revoked key working for apiKeyCacheMs.
   */
  private revocations = 0;
  /** Key issuance per user, one at a time in this process, so concurrent requests cannot pass the cap together. */
  private readonly issuing = new Map<string, Promise<unknown>>();
  /**
   * When each user's certificate was last renewed or tried: not again within RENEWAL_RETRY_MS while it
   * is valid (after a failure, or when the CA issues certificates shorter than the renewal window).
   */
  private readonly renewalAttempts = new Map<string, number>();
  /** Each cached identity's certificate end, parsed once rather than at every request. */
  private readonly certificateEnds = new WeakMap<SigningIdentity, number | undefined>();

  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    orgs: OrgConfig[],
    private readonly ca: (org: string) => FabricCa,
    private readonly masterKey: Buffer,
    private readonly log: Logger,
    private readonly onForget: (userId: string) => void = () => undefined,
    private readonly options: AuthOptions = { maxRateLimitPerKey: 100000 },
  ) {
    this.orgs = new Map(orgs.map((o) => [o.name, o]));
    const ttl = options.apiKeyCacheMs ?? 0;
    if (ttl > 0) this.keys = new LRUCache({ max: IDENTITY_CACHE_SIZE, ttl });
  }

  /** Resolves an API key to its principal; undefined for anything not an active key of an active user. */
  async authenticate(presented: string | undefined): Promise<Principal | undefined> {
    const parsed = presented ? parseApiKey(presented.trim()) : undefined;
    if (!parsed) return undefined;
    const cached = this.keys?.get(parsed.id);
    if (cached) return verifySecret(parsed.secret, cached.hash) ? cached.principal : undefined;
    const generation = this.revocations;
    const key = await this.store.getApiKey(parsed.id);
    // Compare even for unknown ids, so timing does not reveal which key ids exist.
    const ok = verifySecret(parsed.secret, key?.hash ?? '0'.repeat(64));
    if (!key || !ok || key.revoked_at) return undefined;
    const user = await this.store.getUser(key.user_id);
    if (!user || user.disabled_at || !this.orgs.has(user.org)) return undefined;
    const principal: Principal = { ...toPublic(user, this.mspId(user.org)), keyId: key.id, rateLimitPerMinute: key.rate_limit };
    // A revocation since this lookup began: answer this request (it read the key first) but cache nothing.
    if (generation === this.revocations) this.keys?.set(key.id, { hash: key.hash, principal });
    return principal;
  }

  /** The Fabric identity a principal signs with; the private key is decrypted once and kept in memory. */
  async identity(userId: string): Promise<SigningIdentity> {
    const identity = this.identities.get(userId) ?? (await this.loadIdentity(userId));
    return this.renewedIfDue(identity);
  }

  private async loadIdentity(userId: string): Promise<SigningIdentity> {
    const user = await this.store.getUser(userId);
    if (!user) throw notFound(`no user ${userId}`);
    const identity: SigningIdentity = {
      id: user.id,
      org: user.org,
      mspId: this.mspId(user.org),
      certificate: user.certificate,
      privateKey: this.sealer.open(user.key_enc, user.id),
    };
    this.identities.set(userId, identity);
    return identity;
  }

  /**
   * The identity, with a new certificate when its own ends within CERTIFICATE_RENEW_BEFORE_MS. A failed
   * renewal keeps the old certificate while it is valid (logged, tried again later); once it has
   * expired, the call fails with CERTIFICATE_EXPIRED.
   */
  private async renewedIfDue(identity: SigningIdentity): Promise<SigningIdentity> {
    if (!this.certificateEnds.has(identity)) this.certificateEnds.set(identity, certificateEnd(identity.certificate));
    const endsAt = this.certificateEnds.get(identity);
    const now = Date.now();
    if (endsAt === undefined || endsAt - now > CERTIFICATE_RENEW_BEFORE_MS) return identity;
    const triedAt = this.renewalAttempts.get(identity.id);
    if (endsAt > now && triedAt !== undefined && now - triedAt < RENEWAL_RETRY_MS) return identity;
    try {
      return await this.oneAtATime(identity.id, () => this.renew(identity));
    } catch (err) {
      this.options.onRenewal?.('failed');
      this.renewalAttempts.set(identity.id, now);
      const endsIso = new Date(endsAt).toISOString();
      this.log.warn({ userId: identity.id, endsAt: endsIso, err: (err as Error).message }, 'certificate renewal failed');
      if (endsAt > now) return identity;
      throw new Problem(503, 'CERTIFICATE_EXPIRED', `the Fabric certificate of ${identity.id} ended ${endsIso} and could not be renewed: ${(err as Error).message}`);
    }
  }

  private async renew(due: SigningIdentity): Promise<SigningIdentity> {
    const userId = due.id;
    // Renewed meanwhile (a request ahead in the queue, or another gateway process sharing the database).
    const current = await this.loadIdentity(userId);
    if (current.certificate !== due.certificate) {
      this.onForget(userId);
      return current;
    }
    const e = await this.ca(current.org).reenroll({ certificate: current.certificate, privateKey: current.privateKey });
    await this.store.updateUserCredentials(userId, e.certificate, this.sealer.seal(e.privateKey, userId));
    const renewed: SigningIdentity = { ...current, certificate: e.certificate, privateKey: e.privateKey };
    this.identities.set(userId, renewed);
    this.renewalAttempts.set(userId, Date.now());
    this.options.onRenewal?.('renewed');
    // Connections and signers made for the old certificate go.
    this.onForget(userId);
    this.log.info({ userId, endsAt: new Date(certificateEnd(e.certificate) ?? 0).toISOString() }, 'certificate renewed');
    return renewed;
  }

  /**
   * Renews every certificate due, users idle for months included (the gateway runs it at start and
   * daily). Returns how many were due; a failure is logged and tried again at the next run.
   */
  async renewDueCertificates(): Promise<number> {
    let due = 0;
    for (const org of this.orgs.keys())
      for (const user of await this.store.listUsers(org)) {
        const endsAt = certificateEnd(user.certificate);
        if (user.disabled_at || endsAt === undefined || endsAt - Date.now() > CERTIFICATE_RENEW_BEFORE_MS) continue;
        due++;
        await this.identity(user.id).catch(() => undefined); // renewedIfDue logs a failure
      }
    return due;
  }

  /** The org admin's identity (event listeners and metadata reads run as it). */
  adminUserId(org: string): string {
    return `${org}:${this.adminEnrollmentId(org)}`;
  }

  /**
   * First start of an org: enrol the CA registrar, register + enrol the org admin (role=admin) and give
   * it an API key (operator-supplied, or generated and written to `adminKeysOut`, mode 0600). Idempotent.
   */
  async bootstrapOrg(org: OrgConfig, registrar: { id: string; secret: string }, adminKeysOut: string): Promise<void> {
    const registrarId = `${org.name}:${REGISTRAR}`;
    if (!(await this.store.getUser(registrarId))) {
      const e = await this.ca(org.name).enroll(registrar.id, registrar.secret);
      await this.store.insertUser({
        id: registrarId,
        org: org.name,
        enrollment_id: registrar.id,
        role: REGISTRAR,
        attrs: '{}',
        certificate: e.certificate,
        key_enc: this.sealer.seal(e.privateKey, registrarId),
        is_admin: 0,
      });
      this.log.info({ org: org.name }, 'enrolled CA registrar');
    }
    const adminId = this.adminUserId(org.name);
    if (!(await this.store.getUser(adminId))) {
      const enrollmentId = this.adminEnrollmentId(org.name);
      // A secret derived from the master key lets a gateway whose database was wiped re-enrol the same admin.
      const secret = createHmac('sha256', this.masterKey).update(`admin:${org.name}`).digest('hex').slice(0, 32);
      await this.registerAtCa(org.name, { enrollmentId, secret, type: 'client', maxEnrollments: -1, attrs: [{ name: 'role', value: 'admin' }] }, true);
      const e = await this.ca(org.name).enroll(enrollmentId, secret);
      await this.store.insertUser({
        id: adminId,
        org: org.name,
        enrollment_id: enrollmentId,
        role: 'admin',
        attrs: '{}',
        certificate: e.certificate,
        key_enc: this.sealer.seal(e.privateKey, adminId),
        is_admin: 1,
      });
      this.log.info({ org: org.name, userId: adminId }, 'enrolled org admin');
    }
    const operator = operatorAdminKey(org);
    if (operator) {
      await this.installOperatorKey(org.name, adminId, operator);
      return;
    }
    const active = (await this.store.listApiKeys(adminId)).filter((k) => !k.revoked_at);
    if (active.length === 0) {
      const k = newApiKey();
      await this.store.insertApiKey({ id: k.id, user_id: adminId, hash: k.hash });
      writeAdminKey(adminKeysOut, org.name, { userId: adminId, mspId: org.mspId, apiKey: k.key });
      this.log.info({ org: org.name, file: adminKeysOut }, 'generated org admin API key');
    }
  }

  /**
   * The operator's configured admin key is the admin's credential. Rotating it (a new key, under a new
   * id or under the same id with a new secret) installs the new one and revokes the admin's other keys,
   * the replaced one among them: otherwise a same-id key kept its old secret (the new key got 401) and a
   * new-id key left the old one working for ever. Unchanged, nothing is touched (every restart, every
   * process of a shared database).
   */
  private async installOperatorKey(org: string, adminId: string, operator: { id: string; hash: string }): Promise<void> {
    const stored = await this.store.getApiKey(operator.id);
    if (stored && stored.user_id !== adminId)
      throw new Error(`${org}: the configured admin key's id ${operator.id} is another user's key id; configure a new key`);
    if (stored && stored.hash === operator.hash) {
      // A key revoked (through the API, or replaced by a later rotation) is not brought back by a restart.
      if (stored.revoked_at) this.log.warn({ org, keyId: operator.id }, 'the configured admin API key was revoked; configure a new one');
      return;
    }
    if (stored) await this.store.replaceApiKeySecret(operator.id, operator.hash);
    else await this.store.insertApiKey({ id: operator.id, user_id: adminId, hash: operator.hash });
    const revoked: string[] = [];
    for (const k of await this.store.listApiKeys(adminId))
      if (k.id !== operator.id && !k.revoked_at && (await this.store.revokeApiKey(k.id))) revoked.push(k.id);
    // This process may hold the old secret, or a replaced key, in its cache; other processes forget them
    // within apiKeyCacheMs.
    this.forgetKeys([operator.id, ...revoked]);
    this.log.info({ org, keyId: operator.id, revoked }, 'installed the configured admin API key');
  }

  async createUser(actor: Principal, input: NewUserInput): Promise<{ user: PublicUser; apiKey: string; keyId: string; rateLimitPerMinute: number | null }> {
    this.requireAdmin(actor);
    const org = this.orgs.get(actor.org)!;
    const problems: Array<{ field: string; message: string }> = [];
    if (typeof input.enrollmentId !== 'string' || !ENROLLMENT_ID.test(input.enrollmentId))
      problems.push({ field: 'enrollmentId', message: `must match ${ENROLLMENT_ID.source}` });
    else if (input.enrollmentId.startsWith('_') || input.enrollmentId === this.adminEnrollmentId(org.name))
      problems.push({ field: 'enrollmentId', message: 'is reserved' });
    if (typeof input.role !== 'string' || !org.roles.includes(input.role))
      problems.push({ field: 'role', message: `must be one of ${org.name}'s roles: ${org.roles.join(', ')}` });
    const attrs: Record<string, string> = {};
    for (const a of USER_ATTRIBUTES) {
      const v = input[a];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.length === 0 || v.length > 128) problems.push({ field: a, message: 'must be a non-empty string' });
      // Only on the roles that use it: elsewhere it is an unchecked claim a chaincode may honour later.
      else if (!ATTRIBUTE_ROLES[a].includes(input.role)) problems.push({ field: a, message: `is not allowed for role ${String(input.role)} (only ${ATTRIBUTE_ROLES[a].join(', ')})` });
      else attrs[a] = v;
    }
    const required = REQUIRED_ATTRIBUTE[input.role];
    if (required && !attrs[required]) problems.push({ field: required, message: `is required for role ${input.role}` });
    const rateLimit = this.rateLimitProblem(input.rateLimitPerMinute);
    if (rateLimit) problems.push(rateLimit);
    for (const k of Object.keys(input))
      if (!['enrollmentId', 'role', 'rateLimitPerMinute', ...USER_ATTRIBUTES].includes(k)) problems.push({ field: k, message: 'is not allowed' });
    if (problems.length > 0) throw badRequest('invalid user', problems);

    const userId = `${org.name}:${input.enrollmentId}`;
    if (await this.store.getUser(userId)) throw new Problem(409, 'USER_EXISTS', `user ${userId} already exists`);
    const secret = randomBytes(18).toString('base64url');
    await this.registerAtCa(org.name, {
      enrollmentId: input.enrollmentId,
      secret,
      type: 'client',
      maxEnrollments: 1,
      attrs: [{ name: 'role', value: input.role }, ...Object.entries(attrs).map(([name, value]) => ({ name, value }))],
    });
    const e = await this.ca(org.name).enroll(input.enrollmentId, secret);
    await this.store.insertUser({
      id: userId,
      org: org.name,
      enrollment_id: input.enrollmentId,
      role: input.role,
      attrs: JSON.stringify(attrs),
      certificate: e.certificate,
      key_enc: this.sealer.seal(e.privateKey, userId),
      is_admin: 0,
    });
    const k = newApiKey();
    const rateLimitPerMinute = input.rateLimitPerMinute ?? null;
    await this.store.insertApiKey({ id: k.id, user_id: userId, hash: k.hash, rate_limit: rateLimitPerMinute });
    this.log.info({ org: org.name, userId, role: input.role, rateLimitPerMinute, by: actor.userId }, 'user created');
    return { user: toPublic((await this.store.getUser(userId))!, org.mspId), apiKey: k.key, keyId: k.id, rateLimitPerMinute };
  }

  /**
   * Rotation: a new key for the user (self or org admin); optionally revoke all the others. Only the
   * org admin may give the key its own rate limit; without one it has the gateway's default.
   */
  async issueKey(
    actor: Principal,
    userId: string,
    options: { revokeOthers?: unknown; rateLimitPerMinute?: unknown } = {},
  ): Promise<{ apiKey: string; keyId: string; revoked: string[]; rateLimitPerMinute: number | null }> {
    const problems: Array<{ field: string; message: string }> = [];
    if (options.revokeOthers !== undefined && typeof options.revokeOthers !== 'boolean') problems.push({ field: 'revokeOthers', message: 'must be boolean' });
    const limitProblem = this.rateLimitProblem(options.rateLimitPerMinute);
    if (limitProblem) problems.push(limitProblem);
    if (problems.length > 0) throw badRequest('invalid key request', problems);
    const user = await this.userActorMayManage(actor, userId);
    if (options.rateLimitPerMinute !== undefined) this.requireAdmin(actor);
    const rateLimitPerMinute = (options.rateLimitPerMinute as number | undefined) ?? null;
    const revokeOthers = options.revokeOthers === true;
    const { k, revoked } = await this.oneAtATime(user.id, async () => {
      // The org admin is exempt: it sets any key's limit anyway (its automation holds several high-limit keys).
      // A rotation with revokeOthers leaves one key, so it is always allowed.
      const cap = this.options.keysPerUser ?? DEFAULT_KEYS_PER_USER;
      if (!revokeOthers && !user.is_admin && (await this.store.listApiKeys(user.id)).filter((x) => !x.revoked_at).length >= cap)
        throw new Problem(409, 'KEY_LIMIT', `${user.id} already has ${cap} active API keys (rateLimit.keysPerUser): revoke one, or rotate with revokeOthers`);
      const k = newApiKey();
      await this.store.insertApiKey({ id: k.id, user_id: user.id, hash: k.hash, rate_limit: rateLimitPerMinute });
      const revoked: string[] = [];
      if (revokeOthers)
        for (const old of await this.store.listApiKeys(user.id))
          if (old.id !== k.id && !old.revoked_at && (await this.store.revokeApiKey(old.id))) revoked.push(old.id);
      this.forgetKeys(revoked);
      return { k, revoked };
    });
    this.log.info({ userId, keyId: k.id, revoked, rateLimitPerMinute, by: actor.userId }, 'api key issued');
    return { apiKey: k.key, keyId: k.id, revoked, rateLimitPerMinute };
  }

  async revokeKey(actor: Principal, keyId: string): Promise<void> {
    const key = await this.store.getApiKey(keyId);
    const owner = key ? await this.store.getUser(key.user_id) : undefined;
    // Another org's key is answered as an unknown one: naming its owner told who holds which key.
    if (!key || !owner || owner.org !== actor.org || owner.role === REGISTRAR) throw notFound(`no key ${keyId}`);
    await this.userActorMayManage(actor, key.user_id);
    await this.store.revokeApiKey(keyId);
    this.forgetKeys([keyId]);
    this.log.info({ keyId, by: actor.userId }, 'api key revoked');
  }

  async disableUser(actor: Principal, userId: string): Promise<void> {
    this.requireAdmin(actor);
    const user = await this.userActorMayManage(actor, userId);
    if (user.is_admin) throw forbidden('the org admin cannot be disabled through the API');
    await this.store.disableUser(userId);
    const keys = await this.store.listApiKeys(userId);
    for (const k of keys) if (!k.revoked_at) await this.store.revokeApiKey(k.id);
    this.forgetKeys(keys.map((k) => k.id));
    // Its webhooks would otherwise go on sending the org's events to a departed user's URL (and start
    // again with every restart). The app stops their workers in this process; other processes' workers
    // see them disabled before their next page of events.
    const webhooks = await this.store.disableWebhooksOfUser(userId);
    this.identities.delete(userId);
    this.onForget(userId);
    this.log.info({ userId, webhooks, by: actor.userId }, 'user disabled');
  }

  /** After keys were revoked (or a secret replaced) in the database: forget them, and any lookup in flight. */
  private forgetKeys(ids: string[]): void {
    if (ids.length === 0) return;
    this.revocations++;
    for (const id of ids) this.keys?.delete(id);
  }

  /** Runs `work` after any other issuance for the same user in this process has finished. */
  private async oneAtATime<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const before = this.issuing.get(userId) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(work);
    this.issuing.set(userId, mine);
    try {
      return await mine;
    } finally {
      if (this.issuing.get(userId) === mine) this.issuing.delete(userId);
    }
  }

  async listUsers(actor: Principal): Promise<PublicUser[]> {
    this.requireAdmin(actor);
    return (await this.store.listUsers(actor.org)).filter((u) => u.role !== REGISTRAR).map((u) => toPublic(u, actor.mspId));
  }

  /** A per-key limit is a whole number of requests per minute, at most rateLimit.maxPerKey. */
  private rateLimitProblem(v: unknown): { field: string; message: string } | undefined {
    if (v === undefined) return undefined;
    const max = this.options.maxRateLimitPerKey;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
      return { field: 'rateLimitPerMinute', message: `must be an integer 1..${max} (requests per minute)` };
    return undefined;
  }

  private requireAdmin(actor: Principal): void {
    if (!actor.isAdmin) throw forbidden('only the org admin may manage users');
  }

  private async userActorMayManage(actor: Principal, userId: string): Promise<UserRow> {
    const user = await this.store.getUser(userId);
    // Another org's user is reported as absent: an admin of one org learns nothing about another's.
    if (!user || user.org !== actor.org || user.role === REGISTRAR) throw notFound(`no user ${userId}`);
    if (user.id !== actor.userId && !actor.isAdmin) throw forbidden('only the org admin may manage other users');
    return user;
  }

  private async registerAtCa(org: string, req: Parameters<FabricCa['register']>[1], tolerateExisting = false): Promise<void> {
    const registrar = await this.registrarIdentity(org);
    try {
      await this.ca(org).register(registrar, req);
    } catch (err) {
      if (tolerateExisting && err instanceof CaError && /already registered/i.test(err.message)) return;
      if (err instanceof CaError && /already registered/i.test(err.message))
        throw new Problem(409, 'USER_EXISTS', `${req.enrollmentId} is already registered at ${org}'s CA`);
      if (err instanceof CaError) throw new Problem(err.status >= 500 ? 503 : 502, 'CA_ERROR', err.message);
      throw err;
    }
  }

  private async registrarIdentity(org: string): Promise<CaIdentity> {
    const id = `${org}:${REGISTRAR}`;
    if (!(await this.store.getUser(id))) throw new Problem(503, 'NOT_BOOTSTRAPPED', `org ${org} has no enrolled CA registrar yet`);
    const { certificate, privateKey } = await this.identity(id);
    return { certificate, privateKey };
  }

  private adminEnrollmentId(org: string): string {
    return `${org}-gateway-admin`;
  }

  private mspId(org: string): string {
    return this.orgs.get(org)?.mspId ?? '';
  }
}

/** A stored certificate's end (epoch ms); undefined for one that does not parse as X.509. */
function certificateEnd(pem: string): number | undefined {
  try {
    return certificateInfo(pem).endsAt;
  } catch {
    return undefined;
  }
}

function toPublic(u: UserRow, mspId: string): PublicUser {
  return {
    userId: u.id,
    org: u.org,
    mspId,
    enrollmentId: u.enrollment_id,
    role: u.role,
    attrs: JSON.parse(u.attrs) as Record<string, string>,
    isAdmin: u.is_admin === 1,
    disabled: u.disabled_at !== null,
  };
}

/** Merges one org's admin key into the local keys file; atomic rename, owner-only permissions. */
export function writeAdminKey(file: string, org: string, entry: { userId: string; mspId: string; apiKey: string }): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  current[org] = entry;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

