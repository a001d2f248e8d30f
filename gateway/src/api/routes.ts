import { ChaincodeMeta, JsonSchema, TxMeta, TxParam } from './metadata';

/**
 * THE resource mapping: chaincode metadata → REST routes. The router, request validation and the
 * OpenAPI document are all built from this table, so the API cannot drift from the chaincodes.
 *
 * Rules, applied to the transaction name split into words (FileClaim → File + Claim):
 *  - evaluate Get|Read<Noun>(id, ...)        → GET  /api/v1/{cc}/{nouns}/{id}        (other params in the query)
 *  - evaluate Get<Noun><Sub>(<noun>Id, ...)  → GET  /api/v1/{cc}/{nouns}/{id}/{sub}  (GetResidentHistory → /residents/{id}/history)
 *  - evaluate List|Query|Search|Find<Rest>   → GET  /api/v1/{cc}/{rest}               (params in the query)
 *    (and Get<Rest> whose first parameter is not an id, e.g. GetIssuerHistory(pageSize, bookmark))
 *  - evaluate anything else                  → GET  /api/v1/{cc}/{tx-name}            (params in the query)
 *  - submit Create|Register|File|...<Noun>   → POST /api/v1/{cc}/{nouns}              (all params in the JSON body)
 *  - submit <Verb><Noun>(<noun>Id|id, ...)   → POST /api/v1/{cc}/{nouns}/{id}/{verb}  (other params in the body)
 *  - submit anything else                    → POST /api/v1/{cc}/{tx-name}            (params in the body)
 * An evaluate with private (transient) inputs is a POST with a body, like a submit, but never ordered.
 * A body whose transaction takes a single object parameter (and no transient) is that object itself.
 * Non-default contracts get their kebab name as a prefix segment. A collision (two transactions on one
 * method+path) falls back to the explicit /api/v1/{cc}/{contract}/{Transaction} form for the later one.
 * OVERRIDES pins a path when the rules read badly.
 */
export interface RouteSpec {
  /** Operation id, unique: <chaincode>.<Contract>.<Transaction>. */
  id: string;
  method: 'get' | 'post';
  /** Express path with :params. */
  path: string;
  channel: string;
  chaincode: string;
  contract: string;
  isDefaultContract: boolean;
  tx: TxMeta;
  /** Where each parameter comes from. */
  pathParams: TxParam[];
  queryParams: TxParam[];
  bodyParams: TxParam[];
  /**
   * 'unwrapped': the transaction takes one object parameter (and no transient inputs), so the JSON
   * body IS that parameter; 'fields': the body holds one field per parameter (+ `transient`).
   */
  bodyMode: 'fields' | 'unwrapped';
  /** Component schemas for $ref resolution. */
  schemas: Record<string, JsonSchema>;
}

export const API_PREFIX = '/api/v1';

/** First path segments under API_PREFIX the gateway serves itself: no chaincode may be named like one. */
export const GATEWAY_SEGMENTS: readonly string[] = ['me', 'users', 'keys', 'transactions', 'events', 'webhooks', 'read', 'telemetry', 'documents'];

/** The first segment of a path relative to API_PREFIX (`/identity/residents/1` → `identity`): a chaincode or a GATEWAY_SEGMENT. */
export const firstSegment = (relativePath: string): string => relativePath.split('/', 2)[1] ?? '';

const CREATE_VERBS = new Set(['create', 'register', 'add', 'issue', 'open', 'record', 'submit', 'file', 'declare', 'enrol', 'enroll', 'place', 'post', 'new', 'mint', 'book', 'request', 'report', 'anchor', 'log']);
const GET_VERBS = new Set(['get', 'read', 'fetch']);
const LIST_VERBS = new Set(['list', 'query', 'search', 'find']);

/** Explicit paths by operation id, for names the rules map badly. */
export const OVERRIDES: Record<string, { method?: 'get' | 'post'; path: string }> = {};

export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export const kebab = (name: string) => words(name).join('-');

export function plural(noun: string): string {
  // Already plural (RecordObservations): keep it; but address → addresses.
  if (/[^su]s$/.test(noun)) return noun;
  if (/(s|x|z|ch|sh)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

function isIdParam(p: TxParam | undefined, nounWords: string[]): boolean {
  if (!p) return false;
  const n = p.name.toLowerCase();
  const noun = nounWords.join('');
  return n === 'id' || n === `${noun}id` || (n.endsWith('id') && nounWords.length > 0 && n.startsWith(nounWords[nounWords.length - 1]));
}

type Derived = Omit<RouteSpec, 'schemas' | 'bodyMode'>;

function derive(cc: ChaincodeMeta, contract: ChaincodeMeta['contracts'][number], tx: TxMeta): Derived {
  const id = `${cc.chaincode}.${contract.name}.${tx.name}`;
  const base = `${API_PREFIX}/${cc.chaincode}${contract.isDefault ? '' : `/${kebab(contract.name.replace(/Contract$/, '') || contract.name)}`}`;
  const [verb, ...noun] = words(tx.name);
  const params = tx.parameters;
  const common = { id, channel: cc.channel, chaincode: cc.chaincode, contract: contract.name, isDefaultContract: contract.isDefault, tx };
  const nounPath = noun.length > 0 ? [...noun.slice(0, -1), plural(noun[noun.length - 1])].join('-') : '';
  const override = OVERRIDES[id];

  if (!tx.submit && !tx.transient) {
    if (!override && GET_VERBS.has(verb) && noun.length > 1 && params.length > 0 && !isIdParam(params[0], noun) && isIdParam(params[0], noun.slice(0, -1))) {
      const [first, ...rest] = params;
      const parent = noun.slice(0, -1);
      const parentPath = [...parent.slice(0, -1), plural(parent[parent.length - 1])].join('-');
      return { ...common, method: 'get', path: `${base}/${parentPath}/:${first.name}/${noun[noun.length - 1]}`, pathParams: [first], queryParams: rest, bodyParams: [] };
    }
    if (!override && GET_VERBS.has(verb) && noun.length > 0 && params.length > 0 && /(^id|id|^key|key)$/i.test(params[0].name)) {
      const [first, ...rest] = params;
      return { ...common, method: 'get', path: `${base}/${nounPath}/:${first.name}`, pathParams: [first], queryParams: rest, bodyParams: [] };
    }
    const collection = (LIST_VERBS.has(verb) || GET_VERBS.has(verb)) && noun.length > 0;
    const path = override?.path ?? (collection ? `${base}/${noun.join('-')}` : `${base}/${kebab(tx.name)}`);
    return { ...common, method: override?.method ?? 'get', path, pathParams: pathParamsOf(path, params), queryParams: params.filter((p) => !path.includes(`:${p.name}`)), bodyParams: [] };
  }
  if (!override && CREATE_VERBS.has(verb) && noun.length > 0)
    return { ...common, method: 'post', path: `${base}/${nounPath}`, pathParams: [], queryParams: [], bodyParams: params };
  if (!override && noun.length > 0 && isIdParam(params[0], noun)) {
    const [first, ...rest] = params;
    return { ...common, method: 'post', path: `${base}/${nounPath}/:${first.name}/${verb}`, pathParams: [first], queryParams: [], bodyParams: rest };
  }
  const path = override?.path ?? `${base}/${kebab(tx.name)}`;
  return { ...common, method: override?.method ?? 'post', path, pathParams: pathParamsOf(path, params), queryParams: [], bodyParams: params.filter((p) => !path.includes(`:${p.name}`)) };
}

function pathParamsOf(path: string, params: TxParam[]): TxParam[] {
  return params.filter((p) => path.includes(`:${p.name}`));
}

/** Express treats /a/:x and /a/b as different routes but they shadow each other; compare by shape. */
const shape = (method: string, path: string) => `${method} ${path.replace(/:[^/]+/g, ':')}`;

export function buildRouteTable(chaincodes: ChaincodeMeta[]): RouteSpec[] {
  const routes: RouteSpec[] = [];
  const taken = new Map<string, string>();
  for (const cc of chaincodes) {
    for (const contract of [...cc.contracts].sort((a, b) => Number(b.isDefault) - Number(a.isDefault))) {
      for (const tx of contract.transactions) {
        let r: Derived = derive(cc, contract, tx);
        if (taken.has(shape(r.method, r.path)) || hasStaticConflict(taken, r)) {
          const path = `${API_PREFIX}/${cc.chaincode}/${contract.name}/${tx.name}`;
          const post = tx.submit || Boolean(tx.transient);
          r = { ...r, method: post ? 'post' : 'get', path, pathParams: [], queryParams: post ? [] : tx.parameters, bodyParams: post ? tx.parameters : [] };
        }
        taken.set(shape(r.method, r.path), r.id);
        const unwrapped = r.bodyParams.length === 1 && !tx.transient && isObjectSchema(r.bodyParams[0].schema, cc.schemas);
        routes.push({ ...r, bodyMode: unwrapped ? 'unwrapped' : 'fields', schemas: cc.schemas });
      }
    }
  }
  return routes;
}

function isObjectSchema(schema: JsonSchema, schemas: Record<string, JsonSchema>): boolean {
  if (typeof schema.$ref === 'string') {
    const target = schemas[schema.$ref.split('/').pop() ?? ''];
    return target ? isObjectSchema(target, schemas) : false;
  }
  return schema.type === 'object';
}

/** A GET /x/:id route would swallow a later GET /x/literal (and vice versa): treat as a collision. */
function hasStaticConflict(taken: Map<string, string>, r: Derived): boolean {
  const segs = r.path.split('/');
  for (const key of taken.keys()) {
    const [method, path] = key.split(' ');
    if (method !== r.method) continue;
    const other = path.split('/');
    if (other.length !== segs.length) continue;
    if (other.every((s, i) => s === segs[i] || s === ':' || segs[i].startsWith(':'))) return true;
  }
  return false;
}

/** Express path (:id) → OpenAPI path ({id}). */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
