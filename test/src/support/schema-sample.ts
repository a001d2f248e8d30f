/**
 * Schema-valid sample values built from the JSON Schemas of a chaincode's metadata (and so of the
 * gateway's OpenAPI document), for suites that must call every transaction with arguments that pass
 * validation: the security sweep wants the chaincode's authorization decision, not a schema refusal.
 *
 * Covers what the chaincodes' TypeBox schemas use: type, const, enum, anyOf, pattern (by a table of the
 * patterns in use, plus `^(A|B)$` alternations), min/max length and bounds, arrays, objects (required
 * properties only) and patternProperties records. A pattern not in the table throws, so a new one is
 * noticed rather than sampled wrongly.
 */
import { randomBytes } from 'node:crypto';

export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  patternProperties?: Record<string, JsonSchema>;
  minProperties?: number;
  [key: string]: unknown;
}

/** Per-property (or per-parameter) values that win over sampling, by name, anywhere in the value. */
export type Overrides = Record<string, () => unknown>;

let counter = 0;
const tag = randomBytes(3).toString('hex');
/** A fresh id matching `^[A-Za-z0-9][A-Za-z0-9._:-]*$`, unique per process. */
export const freshId = (prefix = 'sec'): string => `${prefix}-${tag}-${++counter}`;

const hex = (n: number): string =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);

/** ISO 3779 VIN characters (no I, O, Q). */
export function freshVin(): string {
  const chars = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
  return Array.from(randomBytes(17), (b) => chars[b % chars.length]).join('');
}

/** An IMO number with a valid check digit. */
export function freshImo(): string {
  const d = Array.from(randomBytes(6), (b) => b % 10);
  if (d[0] === 0) d[0] = 9;
  const check = d.reduce((s, v, i) => s + v * (7 - i), 0) % 10;
  return `IMO${d.join('')}${check}`;
}

/** An ISO 6346 container number (owner code, category U, serial, check digit). */
export function freshContainer(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (;;) {
    const owner = Array.from(randomBytes(3), (b) => letters[b % 26]).join('') + 'U';
    const serial = Array.from(randomBytes(6), (b) => String(b % 10)).join('');
    const code = owner + serial;
    const value = (c: string): number => {
      if (/[0-9]/.test(c)) return Number(c);
      let v = 10 + (c.charCodeAt(0) - 65);
      v += Math.floor((v - 1) / 10); // values 11, 22, 33 are skipped
      return v;
    };
    const sum = [...code].reduce((s, c, i) => s + value(c) * 2 ** i, 0);
    const check = (sum % 11) % 10;
    return code + String(check);
  }
}

const iso = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString();

/** The 15-minute slot before the current one, e.g. `2026-06-01T09:15Z`. */
export function previousSlot(minutes = 15): string {
  const slot = minutes * 60000;
  const start = Math.floor(Date.now() / slot) * slot - slot;
  return new Date(start).toISOString().slice(0, 16) + 'Z';
}

const PATTERNS: Record<string, () => string> = {
  '^[A-Za-z0-9][A-Za-z0-9._:-]*$': () => freshId(),
  '^[A-Za-z0-9][A-Za-z0-9._@:-]*$': () => freshId(),
  '^[A-Za-z][A-Za-z0-9_.-]{0,63}$': () => `c${hex(8)}`,
  '^[A-Za-z0-9]+MSP/[A-Za-z0-9][A-Za-z0-9._@:-]*$': () => `CityMSP/${freshId()}`,
  '^([A-Za-z0-9][A-Za-z0-9._:-]*|[A-Za-z0-9]+MSP/[A-Za-z0-9][A-Za-z0-9._@:-]*)$': () => freshId(),
  '^(utility|fees|building:[A-Za-z0-9][A-Za-z0-9._:-]*)$': () => `building:${freshId()}`,
  '^IMO[0-9]{7}$': freshImo,
  '^UN[0-9]{4}$': () => 'UN1203',
  '^[0-9]{1,7}-[0-9]$': () => '29463-7',
  '^[0-9]{6,10}$': () => '870321',
  '^[0-9a-f]+$': () => hex(32),
  '^[0-9a-f]{32,128}$': () => hex(32),
  '^[0-9a-f]{64}$': () => hex(64),
  '^[1-9](\\.[1-6])?$': () => '3',
  '^[A-HJ-NPR-Z0-9]{17}$': freshVin,
  '^[A-Z]{2}$': () => 'KR',
  '^[A-Z]{2}[A-Z2-9]{3}$': () => 'KRPUS',
  '^[A-Z]{3}[UJZ][0-9]{7}$': freshContainer,
  '^\\d{4}-\\d{2}-\\d{2}$': () => '1990-01-01',
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$': () => iso(-60000),
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}Z$': () => previousSlot(),
};

function stringFor(schema: JsonSchema): string {
  if (schema.pattern !== undefined) {
    const known = PATTERNS[schema.pattern];
    if (known) return known();
    const alternation = /^\^\(([A-Za-z0-9_|-]+)\)\$$/.exec(schema.pattern);
    if (alternation) return alternation[1].split('|')[0];
    throw new Error(`no sample for pattern ${schema.pattern}`);
  }
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  const text = 'security sweep sample text';
  const wanted = Math.max(min, Math.min(text.length, max));
  return text.padEnd(wanted, '.').slice(0, wanted);
}

function numberFor(schema: JsonSchema): number {
  let lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
  const hi =
    schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : Infinity);
  if (lo < 1 && hi >= 1) lo = 1;
  return Math.min(lo, hi);
}

/** A value valid against `schema`; `overrides` supply values for properties by name. */
export function sample(schema: JsonSchema, overrides: Overrides = {}): unknown {
  if ('const' in schema) return schema.const;
  if (schema.enum) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return sample(variants.find((v) => v.type !== 'null') ?? variants[0], overrides);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
    case 'number':
      return numberFor(schema);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const n = Math.max(1, schema.minItems ?? 0);
      return Array.from({ length: n }, () => sample(schema.items ?? {}, overrides));
    }
    case 'object':
    case undefined: {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const prop = schema.properties?.[name] ?? {};
        out[name] = name in overrides ? overrides[name]() : sample(prop, overrides);
      }
      if (Object.keys(out).length < (schema.minProperties ?? 0) && schema.patternProperties) {
        const [pattern, value] = Object.entries(schema.patternProperties)[0];
        out[stringFor({ pattern })] = sample(value, overrides);
      }
      return out;
    }
    default:
      throw new Error(`no sample for type ${String(type)}`);
  }
}
