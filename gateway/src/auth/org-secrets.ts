import { readFileSync } from 'node:fs';
import type { OrgConfig } from '../config';
import { apiKeyFromString } from './secrets';

/**
 * The operator's secrets of an org, read from their files: the CA bootstrap registrar and the admin API
 * key. Read at start-up twice: by config validation (checkFiles), so that a malformed file stops the
 * start (exit code 2) instead of failing the bootstrap retry loop for ever, and by that bootstrap.
 */

export function readRegistrar(org: OrgConfig): { id: string; secret: string } {
  if (org.ca.registrarId && org.ca.registrarSecret) return { id: org.ca.registrarId, secret: org.ca.registrarSecret };
  const shape = `${org.ca.registrarFile} must hold {"registrar": "<secret>"} or {"enrollmentId","enrollmentSecret"}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(org.ca.registrarFile, 'utf8'));
  } catch (err) {
    // Not the parser's message: it quotes the text, the secret.
    throw new Error(`${shape}: ${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(shape);
  const r = raw as Record<string, unknown>;
  // The network tooling's secrets.json: {"registrar": "<secret>", ...other identities' secrets}.
  const id = r.enrollmentId ?? r.id ?? (r.registrar ? 'registrar' : undefined);
  const secret = r.enrollmentSecret ?? r.secret ?? r.registrar;
  if (typeof id !== 'string' || !id || typeof secret !== 'string' || !secret) throw new Error(shape);
  return { id, secret };
}

/** The operator-chosen admin API key (config adminKey, else adminKeyFile), checked; undefined: none chosen. */
export function operatorAdminKey(org: OrgConfig): ReturnType<typeof apiKeyFromString> | undefined {
  const text = org.adminKey ?? (org.adminKeyFile ? readFileSync(org.adminKeyFile, 'utf8').trim() : undefined);
  return text ? apiKeyFromString(text) : undefined;
}
