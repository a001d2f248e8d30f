/**
 * Bad requests for one OpenAPI operation, generated from its description: a fixed, seeded set per
 * operation (at most `limit`), each either certainly invalid (`mustFail`: the answer must be 4xx) or
 * merely odd but possibly valid (unicode or injection text in a free-text field: any non-5xx answer).
 */
import { JsonSchema, sample } from '../support/schema-sample';

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. `/api/v1/mobility/vehicles/{vin}`. */
  template: string;
  parameters: OpenApiParameter[];
  body?: JsonSchema;
}

export interface Mutation {
  name: string;
  mustFail: boolean;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** A small deterministic PRNG (mulberry32), so every run sends the same mutations. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const hashSeed = (text: string): number =>
  [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);

const UNICODE = '😀 مرحبا \u202Eevil\u202C \u0000 ü 𝔘';
const INJECTIONS = [
  "' OR '1'='1'; DROP TABLE users; --",
  '{"a":1,"$where":"1==1"}',
  '../../../../etc/passwd',
  '${jndi:ldap://127.0.0.1/x}',
  '<script>alert(1)</script>',
];
const WRONG_TYPE: Record<string, unknown> = {
  string: 12345,
  integer: 'abc',
  number: 'abc',
  boolean: 'yes',
  array: { a: 1 },
  object: 'text',
};

const typeOf = (s: JsonSchema): string | undefined =>
  (Array.isArray(s.type) ? s.type[0] : s.type) ??
  (s.anyOf ? typeOf(s.anyOf[0]) : s.properties ? 'object' : undefined);

/** `value` with `field` replaced by the raw JSON text `raw` (lets 1e309 and 2^63 reach the server unrounded). */
function withRaw(value: Record<string, unknown>, field: string, raw: string): string {
  const marker = `__RAW_${Math.random().toString(36).slice(2)}__`;
  return JSON.stringify({ ...value, [field]: marker }).replace(`"${marker}"`, raw);
}

function fillPath(op: Operation, overrides: Record<string, string> = {}): string {
  let path = op.template;
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const value = overrides[p.name] ?? encodeURIComponent(String(sampleParam(p)));
    path = path.replace(`{${p.name}}`, value);
  }
  return path;
}

function sampleParam(p: OpenApiParameter): unknown {
  if (p.schema.type === 'integer') return 1;
  if (p.schema.type === 'string' && !p.schema.pattern && !p.schema.enum) return `sec-fuzz-${p.name}`;
  return sample(p.schema);
}

function query(op: Operation, overrides: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const p of op.parameters.filter((x) => x.in === 'query' && (x.required || x.name in overrides))) {
    const v = p.name in overrides ? overrides[p.name] : String(sampleParam(p));
    if (v !== undefined) params.set(p.name, v);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** All candidate mutations of `op`, then a seeded choice of at most `limit`. */
export function mutationsOf(op: Operation, limit = 15): Mutation[] {
  const all: Mutation[] = [];
  const m = (name: string, mustFail: boolean, rest: Partial<Mutation>) =>
    all.push({ name, mustFail, method: op.method, path: fillPath(op) + query(op), ...rest });
  const body = op.body;
  if (body) {
    const base = (sample(body) ?? {}) as Record<string, unknown>;
    const props = Object.entries(body.properties ?? {});
    const required = body.required ?? [];
    const json = 'application/json';
    const stringField = props.find(([, s]) => typeOf(s) === 'string');
    const numberField = props.find(([, s]) => ['integer', 'number'].includes(typeOf(s) ?? ''));
    const arrayField = props.find(([, s]) => typeOf(s) === 'array');
    if (required.length > 0) m('missing required fields', true, { body: '{}', contentType: json });
    m('body of the wrong type (array)', true, { body: '[1,2,3]', contentType: json });
    for (const [name, schema] of props.slice(0, 2)) {
      const wrong = WRONG_TYPE[typeOf(schema) ?? 'object'] ?? 42;
      m(`wrong type for ${name}`, true, {
        body: JSON.stringify({ ...base, [name]: wrong }),
        contentType: json,
      });
    }
    if (stringField) {
      const [name, s] = stringField;
      m(`100k-char ${name}`, (s.maxLength ?? Infinity) < 100000 || s.pattern !== undefined || !!s.anyOf, {
        body: JSON.stringify({ ...base, [name]: 'A'.repeat(100000) }),
        contentType: json,
      });
      m(`unicode (emoji, RTL, NUL) in ${name}`, s.pattern !== undefined || !!s.anyOf, {
        body: JSON.stringify({ ...base, [name]: UNICODE }),
        contentType: json,
      });
      const injection = INJECTIONS[hashSeed(op.template + op.method) & 3];
      m(`injection text in ${name}`, s.pattern !== undefined || !!s.anyOf, {
        body: JSON.stringify({ ...base, [name]: injection }),
        contentType: json,
      });
      m(`operator object {"$gt":""} as ${name}`, true, {
        body: JSON.stringify({ ...base, [name]: { $gt: '' } }),
        contentType: json,
      });
    }
    if (numberField) {
      const [name, s] = numberField;
      m(`negative ${name}`, (s.minimum ?? -Infinity) >= 0, {
        body: JSON.stringify({ ...base, [name]: -1 }),
        contentType: json,
      });
      m(`1e309 as ${name}`, true, { body: withRaw(base, name, '1e309'), contentType: json });
      m(`2^63 as ${name}`, s.maximum !== undefined, {
        body: withRaw(base, name, '9223372036854775808'),
        contentType: json,
      });
    } else {
      const name = props[0]?.[0] ?? 'x';
      m(`1e309 as ${name}`, true, { body: withRaw(base, name, '1e309'), contentType: json });
    }
    if (arrayField) {
      const [name, s] = arrayField;
      m(`10k-item ${name}`, (s.maxItems ?? Infinity) < 10000, {
        body: JSON.stringify({ ...base, [name]: Array.from({ length: 10000 }, () => 'x') }),
        contentType: json,
      });
    } else if (props.length > 0) {
      m(`10k-item array as ${props[0][0]}`, true, {
        body: JSON.stringify({ ...base, [props[0][0]]: Array.from({ length: 10000 }, (_, i) => i) }),
        contentType: json,
      });
    }
    m('1 MB body', true, {
      body: JSON.stringify({ ...base, padding: 'x'.repeat(1100000) }),
      contentType: json,
    });
    m('malformed JSON', true, { body: '{"a": [1, 2', contentType: json });
    m('wrong content type (text/plain)', required.length > 0, {
      body: JSON.stringify(base),
      contentType: 'text/plain',
    });
    m('wrong content type (form)', required.length > 0, {
      body: 'a=1&b=2',
      contentType: 'application/x-www-form-urlencoded',
    });
  }
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const at = (v: string) => fillPath(op, { [p.name]: v }) + query(op);
    m(`path traversal in ${p.name}`, true, { path: at('..%2F..%2F..%2Fetc%2Fpasswd') });
    m(`NUL in ${p.name}`, true, { path: at('abc%00def') });
    m(`4000-char ${p.name}`, true, { path: at('A'.repeat(4000)) });
    m(`injection in ${p.name}`, true, { path: at(encodeURIComponent("x' OR 1=1 --")) });
    m(`unicode in ${p.name}`, true, { path: at(encodeURIComponent(UNICODE)) });
  }
  for (const p of op.parameters.filter((x) => x.in === 'query')) {
    const path = fillPath(op);
    const t = typeOf(p.schema);
    if (t === 'integer' || t === 'number') {
      m(`negative ${p.name}`, (p.schema.minimum ?? -Infinity) >= 0, {
        path: path + query(op, { [p.name]: '-1' }),
      });
      m(`1e309 as ${p.name}`, true, { path: path + query(op, { [p.name]: '1e309' }) });
      m(`2^63 as ${p.name}`, p.schema.maximum !== undefined, {
        path: path + query(op, { [p.name]: '9223372036854775808' }),
      });
      m(`text as ${p.name}`, true, { path: path + query(op, { [p.name]: 'abc' }) });
    } else if (p.schema.pattern || p.schema.enum || p.schema.maxLength) {
      m(`5000-char ${p.name}`, true, { path: path + query(op, { [p.name]: 'A'.repeat(5000) }) });
      // An opaque string (a bookmark) may hold any short text: refused only where a pattern or enum applies.
      m(`injection in ${p.name}`, !!(p.schema.pattern || p.schema.enum), {
        path: path + query(op, { [p.name]: '{"$gt":""}' }),
      });
    }
    if (p.required) m(`missing ${p.name}`, true, { path: path + query(op, { [p.name]: undefined }) });
  }
  const random = seeded(hashSeed(`${op.method} ${op.template}`));
  const chosen = all
    .map((x) => ({ x, r: random() }))
    .sort((a, b) => a.r - b.r)
    .slice(0, limit)
    .map(({ x }) => x);
  return chosen;
}
