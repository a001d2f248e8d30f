import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { invalidArgument } from './errors';

/** Largest accepted argument or transient value, in bytes; bigger inputs are refused before parsing. */
export const MAX_INPUT_BYTES = 64 * 1024;

/** How many field errors an INVALID_ARGUMENT lists at most. */
const MAX_REPORTED_ERRORS = 20;

export interface FieldError {
  /** JSON pointer into the input ('' is the input itself). */
  path: string;
  message: string;
}

const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * The compiled check of `schema`, compiled on first use. Every transaction validates its arguments:
 * a compiled check costs a fraction of walking the schema (TypeBox's Value.Errors was 4 % of the
 * identity chaincode's CPU under the benchmark's issuance load), and field errors are worked out only
 * for an input that fails it.
 */
export function checkOf(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

/** Field errors of `value` against `schema` (empty when valid). */
export function fieldErrors(schema: TSchema, value: unknown): FieldError[] {
  const check = checkOf(schema);
  if (check.Check(value)) return [];
  const errors: FieldError[] = [];
  for (const e of check.Errors(value)) {
    errors.push({ path: e.path, message: e.message });
    if (errors.length >= MAX_REPORTED_ERRORS) break;
  }
  return errors;
}

/** Returns `value` typed by `schema`, or throws INVALID_ARGUMENT naming the offending fields. */
export function validate<S extends TSchema>(schema: S, value: unknown, what = 'input'): Static<S> {
  const errors = fieldErrors(schema, value);
  if (errors.length > 0) throw invalidArgument(`${what} is invalid`, { input: what, errors });
  return value as Static<S>;
}

/** Refuses a raw input larger than `limit` bytes. */
export function checkSize(bytes: Uint8Array | string, what: string, limit = MAX_INPUT_BYTES): void {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.length;
  if (size > limit) throw invalidArgument(`${what} is too large`, { input: what, size, limit });
}

/** Parses JSON text, refusing oversize or malformed input with INVALID_ARGUMENT. */
export function parseJson(text: string, what = 'input', limit = MAX_INPUT_BYTES): unknown {
  checkSize(text, what, limit);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidArgument(`${what} is not valid JSON`, { input: what });
  }
}

// Reusable field schemas. Patterns rather than `format`, so every JSON Schema validator agrees.

/** Identifiers used in keys: letters, digits and . _ : - (no NUL, no spaces), 1..128 chars. */
export const Id = (options: { description?: string } = {}) =>
  Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', ...options });

/** Lower-case hex SHA-256 digest. */
export const Sha256Hex = (options: { description?: string } = {}) =>
  Type.String({ minLength: 64, maxLength: 64, pattern: '^[0-9a-f]{64}$', ...options });

/** ISO-8601 UTC timestamp, e.g. 2026-11-25T14:35:00.000Z or 2026-11-25T14:35:00Z. */
export const IsoTime = (options: { description?: string } = {}) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$', ...options });

/** Bounded free text. */
export const Text = (maxLength = 1024, options: { description?: string } = {}) =>
  Type.String({ maxLength, ...options });

/** Page size for list queries. */
export const PageSize = Type.Integer({ minimum: 1, maximum: 200, description: 'items per page (1..200)' });

/** Opaque bookmark from a previous page ('' for the first page). */
export const Bookmark = Type.String({
  maxLength: 1024,
  description: "bookmark from the previous page, '' for the first",
});

/** Parses an IsoTime to epoch ms, refusing impossible dates. */
export function isoToMs(iso: string, field = 'time'): number {
  const ms = Date.parse(iso);
  // Date.parse rolls a day past the month's end over (June 31st is July 1st): the fields must survive.
  const fields = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/.exec(iso)?.[0];
  if (!Number.isFinite(ms) || (fields && new Date(ms).toISOString().slice(0, fields.length) !== fields))
    throw invalidArgument(`${field} is not a valid time`, { field, value: iso });
  return ms;
}
