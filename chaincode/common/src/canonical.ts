/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, no undefined members.
 * Every endorser must produce byte-identical state and results, so nothing is written or returned
 * through plain JSON.stringify.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(normalise(value, new Set()));
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

function normalise(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new TypeError('non-finite number in JSON');
    if (typeof value === 'bigint') throw new TypeError('bigint in JSON');
    return value;
  }
  if (seen.has(value)) throw new TypeError('cyclic value in JSON');
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalise(v, seen)));
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return normalise(withJson.toJSON(), seen);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== 'function') out[key] = normalise(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

export function toBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalJson(value), 'utf8');
}

export function fromBytes<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}
