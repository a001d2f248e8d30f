import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { claimsMetadata, medicalMetadata } from '../testing/fixtures';
import { ChaincodeMeta, normaliseMetadata, RawMetadata } from './metadata';
import { buildOpenApi } from './openapi';
import { buildRouteTable, kebab, openApiPath, plural, RouteSpec, words } from './routes';

/** Just enough of an OpenAPI operation for these assertions. */
interface Op {
  operationId: string;
  parameters: Array<{ name: string }>;
  requestBody: { content: Record<string, { schema: { properties: Record<string, { description?: string }> } }> };
  responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }>;
}

const table = (routes: RouteSpec[]) => routes.map((r) => `${r.method.toUpperCase()} ${r.path} ${r.id}`);

describe('the resource mapping', () => {
  it('splits names and pluralises like a person would', () => {
    expect(words('ListClaimsByStatus')).toEqual(['list', 'claims', 'by', 'status']);
    expect(words('WhoAmI')).toEqual(['who', 'am', 'i']);
    expect(words('GetETAForPortCall')).toEqual(['get', 'eta', 'for', 'port', 'call']);
    expect(kebab('GetResidentHistory')).toBe('get-resident-history');
    expect(['claim', 'address', 'delivery', 'day', 'batch', 'observations', 'bus'].map(plural)).toEqual(['claims', 'addresses', 'deliveries', 'days', 'batches', 'observations', 'buses']);
  });

  it('derives resource routes from the fixture metadata', () => {
    const routes = buildRouteTable([normaliseMetadata('claims', 'city', claimsMetadata), normaliseMetadata('medical', 'health', medicalMetadata)]);
    expect(table(routes)).toEqual([
      'POST /api/v1/claims/claims claims.ClaimContract.FileClaim',
      'POST /api/v1/claims/claims/:claimId/approve claims.ClaimContract.ApproveClaim',
      'GET /api/v1/claims/claims/:claimId claims.ClaimContract.GetClaim',
      'GET /api/v1/claims/claims-by-status claims.ClaimContract.ListClaimsByStatus',
      'POST /api/v1/claims/attach-evidence claims.ClaimContract.AttachEvidence',
      'POST /api/v1/medical/measurements medical.MeasurementContract.RecordMeasurement',
      'GET /api/v1/medical/my-measurements medical.MeasurementContract.ListMyMeasurements',
      'POST /api/v1/medical/access/grant-access medical.AccessContract.GrantAccess',
    ]);
    const file = routes[0];
    expect(file.bodyParams.map((p) => p.name)).toEqual(['claimId', 'vin', 'amount']);
    expect(routes.find((r) => r.tx.name === 'AttachEvidence')?.bodyMode).toBe('unwrapped');
    expect(routes.find((r) => r.tx.name === 'RecordMeasurement')?.bodyMode).toBe('fields');
  });

  it('falls back to /{chaincode}/{contract}/{Transaction} when two transactions would share a route', () => {
    const meta: ChaincodeMeta = {
      chaincode: 'x',
      channel: 'city',
      schemas: {},
      contracts: [
        {
          name: 'c',
          isDefault: true,
          transactions: [
            { name: 'GetThing', submit: false, parameters: [{ name: 'thingId', schema: { type: 'string' } }] },
            { name: 'ReadThing', submit: false, parameters: [{ name: 'id', schema: { type: 'string' } }] },
          ],
        },
      ],
    };
    expect(table(buildRouteTable([meta]))).toEqual(['GET /api/v1/x/things/:thingId x.c.GetThing', 'GET /api/v1/x/c/ReadThing x.c.ReadThing']);
  });

  it('builds an OpenAPI 3.1 document with namespaced schemas, problem responses and the transient body', () => {
    const routes = buildRouteTable([normaliseMetadata('claims', 'city', claimsMetadata), normaliseMetadata('medical', 'health', medicalMetadata)]);
    const doc = buildOpenApi(routes, { version: '1', serverUrl: 'http://x' }) as { openapi: string; paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    const get = doc.paths['/api/v1/claims/claims/{claimId}'].get;
    expect(get.operationId).toBe('claims.ClaimContract.GetClaim');
    expect(get.responses['200'].content['application/json'].schema.properties.result).toEqual({ $ref: '#/components/schemas/claims.Claim' });
    expect(doc.components.schemas['claims.Claim']).toBeDefined();
    expect(get.responses['404'].content['application/problem+json']).toBeDefined();
    const record = doc.paths['/api/v1/medical/measurements'].post;
    expect(record.requestBody.content['application/json'].schema.properties.transient.description).toMatch(/never stored on the ledger/);
    expect(record.parameters.map((p: { name: string }) => p.name)).toEqual(['Idempotency-Key', 'wait']);
    // Every $ref points at a schema that exists.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toContain('claims.Claim');
    for (const ref of refs) expect(doc.components.schemas[ref]).toBeDefined();
  });
});

/**
 * The drift check: every transaction of every chaincode in the tree gets exactly one route and one
 * OpenAPI operation. Metadata comes from the chaincode itself, through fabric-shim's own dispatcher
 * (chaincode/common's ContractHarness), exactly as GetMetadata answers on a peer.
 */
describe('derived API covers every chaincode transaction', () => {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const topology = YAML.parse(readFileSync(path.join(repo, 'network', 'topology.yaml'), 'utf8')) as { chaincodes: Array<{ name: string; channel: string; path: string }> };
  const present = topology.chaincodes.filter((cc) => existsSync(path.join(repo, cc.path, 'src', 'index.ts')));

  it('has at least one chaincode to check', () => {
    expect(present.length).toBeGreaterThan(0);
  });

  it.each(present.map((cc) => [cc.name, cc] as const))('%s', async (_name, cc) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const common = require('@cityledger/chaincode-common') as { ContractHarness: new (c: unknown[]) => { metadata(i: unknown): Promise<RawMetadata> }; identity: (msp: string, id: string, attrs: object) => unknown };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { contracts } = require(path.join(repo, cc.path, 'src')) as { contracts: unknown[] };
    const raw = await new common.ContractHarness(contracts).metadata(common.identity('CityMSP', 'drift-check', { role: 'admin' }));
    const meta = normaliseMetadata(cc.name, cc.channel, raw);
    const routes = buildRouteTable([meta]);
    const expected = meta.contracts.flatMap((c) => c.transactions.map((t) => `${cc.name}.${c.name}.${t.name}`)).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(routes.map((r) => r.id).sort()).toEqual(expected);
    expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(routes.length);
    const doc = buildOpenApi(routes, { version: '1', serverUrl: 'http://x' }) as { paths: Record<string, Record<string, { operationId?: string }>> };
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId)).filter(Boolean);
    for (const id of expected) expect(ops).toContain(id);
    for (const r of routes) expect(doc.paths[openApiPath(r.path)][r.method].operationId).toBe(r.id);
    // Transactions with private inputs never become GETs (a body carries the transient map).
    for (const r of routes.filter((x) => x.tx.transient)) expect(r.method).toBe('post');
    if (process.env.CITYLEDGER_PRINT_ROUTES) process.stdout.write(`${table(routes).join('\n')}\n`);
  });
});
