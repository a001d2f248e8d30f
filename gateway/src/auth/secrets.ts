import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** AES-256-GCM sealing of secrets at rest (private keys, webhook secrets): "v1.<iv>.<tag>.<ciphertext>", base64url. */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The context (e.g. the user id) is bound as associated data: a sealed key cannot be swapped between rows.
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('unsupported sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** Active API keys a user (not an org admin) may hold unless configured (rateLimit.keysPerUser). */
export const DEFAULT_KEYS_PER_USER = 5;

/**
 * API keys: "clk_<keyId>_<secret>", 24 random bytes of secret. Only SHA-256(secret) is stored (the secret
 * has 192 bits of entropy, so a slow hash adds nothing); comparison is constant-time.
 */
export const API_KEY_PATTERN = /^clk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32})$/;

export function newApiKey(): { id: string; key: string; hash: string } {
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(24).toString('base64url');
  return { id, key: `clk_${id}_${secret}`, hash: hashSecret(secret) };
}

/** An operator-chosen key (env or secret file) in the same format; derived id so it is stable across restarts. */
export function apiKeyFromString(key: string): { id: string; key: string; hash: string } {
  const m = API_KEY_PATTERN.exec(key);
  if (m) return { id: m[1], key, hash: hashSecret(m[2]) };
  throw new Error('an admin API key must look like clk_<12 alphanumerics>_<32 base64url chars>');
}

export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const m = API_KEY_PATTERN.exec(key);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function verifySecret(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
