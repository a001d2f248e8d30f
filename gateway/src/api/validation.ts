import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { badRequest } from '../problem';
import { JsonSchema, TxParam } from './metadata';
import { RouteSpec } from './routes';

/**
 * Request validation from the route table: one compiled JSON Schema per route over the merged input
 * (path + query + body parameters, and `transient` when the transaction declares private inputs).
 * Fails with 400 listing every offending field, before anything reaches Fabric.
 */
/**
 * Paging parameters (chaincode-common PageSize/Bookmark) are optional in query strings: the first page
 * of 50. Applied only when the parameter is absent and its schema has the expected type.
 */
export const QUERY_DEFAULTS: Record<string, { type: string; value: unknown }> = {
  bookmark: { type: 'string', value: '' },
  pageSize: { type: 'integer', value: 50 },
};

export function queryDefault(p: TxParam): unknown {
  const d = QUERY_DEFAULTS[p.name];
  if (!d || p.schema.type !== d.type) return undefined;
  const max = typeof p.schema.maximum === 'number' ? p.schema.maximum : undefined;
  return typeof d.value === 'number' && max !== undefined ? Math.min(d.value, max) : d.value;
}

export interface ValidatedInput {
  args: string[];
  transient?: Record<string, Uint8Array>;
}

export class RouteValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, useDefaults: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  compile(route: RouteSpec): void {
    const params = [...route.pathParams, ...route.queryParams, ...route.bodyParams];
    const properties: Record<string, JsonSchema> = {};
    for (const p of params) properties[p.name] = p.schema;
    const required = params.map((p) => p.name);
    if (route.tx.transient) {
      properties.transient = route.tx.transient;
      required.push('transient');
    }
    const schema = {
      type: 'object',
      properties,
      required,
      additionalProperties: false,
      // fabric-contract-api refers to shared types as #/components/schemas/<Name>.
      components: { schemas: route.schemas },
    };
    this.compiled.set(route.id, this.ajv.compile(schema));
  }

  /** Builds the chaincode arguments (in declared order) and transient map from a request. */
  validate(route: RouteSpec, req: { params: Record<string, string>; query: Record<string, unknown>; body: unknown }): ValidatedInput {
    const input: Record<string, unknown> = {};
    const fieldErrors: Array<{ field: string; message: string }> = [];
    for (const p of route.pathParams) input[p.name] = coerce(route, p, req.params[p.name]);
    const repeated = new Set<string>();
    for (const p of route.queryParams) {
      const raw = req.query[p.name];
      // Given twice (?a=1&a=2) a parameter is an array: refused, whatever its schema (a structured value
      // comes as one JSON string). Reported once: not also as missing.
      if (raw !== undefined && typeof raw !== 'string') {
        fieldErrors.push({ field: p.name, message: 'must be given once' });
        repeated.add(p.name);
      } else if (raw !== undefined) input[p.name] = coerce(route, p, raw);
      else if (queryDefault(p) !== undefined) input[p.name] = queryDefault(p);
    }
    if (route.bodyParams.length > 0 || route.tx.transient) {
      const body = req.body ?? {};
      if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object', [{ field: 'body', message: 'must be object' }]);
      if (route.bodyMode === 'unwrapped') input[route.bodyParams[0].name] = body;
      else for (const [k, v] of Object.entries(body)) {
        if (route.bodyParams.some((p) => p.name === k) || (k === 'transient' && route.tx.transient)) input[k] = v;
        else fieldErrors.push({ field: k, message: 'is not a parameter of this transaction' });
      }
    }
    const validate = this.compiled.get(route.id);
    if (!validate) throw new Error(`route ${route.id} was not compiled`);
    if (!validate(input)) fieldErrors.push(...(validate.errors ?? []).map(toFieldError).filter((e) => !repeated.has(e.field)));
    if (fieldErrors.length > 0)
      throw badRequest(`invalid request for ${route.tx.name}`, dedupe(fieldErrors.map((e) => ({ ...e, field: unwrapField(route, e.field) }))));

    const ordered = route.tx.parameters;
    const args = ordered.map((p) => {
      const v = input[p.name];
      return typeof v === 'string' && schemaType(route, p.schema) === 'string' ? v : JSON.stringify(v);
    });
    if (!route.tx.transient) return { args };
    const transient: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(input.transient as Record<string, unknown>))
      transient[k] = Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
    return { args, transient };
  }
}

/** Path and query values are strings: parse them as JSON unless the parameter is a string. */
function coerce(route: RouteSpec, p: TxParam, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (schemaType(route, p.schema) === 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // left as a string: the schema check reports the field
  }
}

function schemaType(route: RouteSpec, schema: JsonSchema): string | undefined {
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const name = ref.split('/').pop() ?? '';
    const target = route.schemas[name];
    return target ? schemaType(route, target) : 'object';
  }
  return typeof schema.type === 'string' ? schema.type : undefined;
}

function toFieldError(e: ErrorObject): { field: string; message: string } {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { field: path ? `${path}.${missing}` : missing, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { field: path ? `${path}.${extra}` : extra, message: 'is not allowed' };
  }
  return { field: path || '(body)', message: e.message ?? 'is invalid' };
}

/** In an unwrapped body the parameter name is not part of what the client sent: drop it from field paths. */
export function unwrapField(route: RouteSpec, field: string): string {
  if (route.bodyMode !== 'unwrapped') return field;
  const name = route.bodyParams[0].name;
  return field === name ? '(body)' : field.startsWith(`${name}.`) ? field.slice(name.length + 1) : field;
}

function dedupe(errors: Array<{ field: string; message: string }>) {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.field}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
