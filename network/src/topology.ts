import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';

/** The repository root: network/dist/topology.js lives two levels below it. */
export const repoRoot = path.resolve(__dirname, '..', '..');

const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Name = Type.String({ pattern: '^[a-z][a-z0-9-]*$' });

const PeerSpec = Type.Object(
  { name: Name, port: Port, chaincodePort: Port, operationsPort: Port },
  { additionalProperties: false },
);
const OrdererSpec = Type.Object(
  { name: Name, port: Port, adminPort: Port, operationsPort: Port },
  { additionalProperties: false },
);
const OrgSpec = Type.Object(
  {
    name: Name,
    mspId: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]*$' }),
    description: Type.String(),
    host: Type.String({ minLength: 1 }),
    ca: Type.Object({ port: Port, operationsPort: Port }, { additionalProperties: false }),
    peers: Type.Array(PeerSpec, { minItems: 1 }),
    orderers: Type.Array(OrdererSpec),
    roles: Type.Array(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
const CollectionSpec = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    policy: Type.String({ minLength: 1 }),
    requiredPeerCount: Type.Integer({ minimum: 0 }),
    maxPeerCount: Type.Integer({ minimum: 0 }),
    blockToLive: Type.Integer({ minimum: 0 }),
    memberOnlyRead: Type.Boolean(),
    memberOnlyWrite: Type.Boolean(),
    endorsementPolicy: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
const ChaincodeSpec = Type.Object(
  {
    name: Name,
    path: Type.String({ minLength: 1 }),
    channel: Name,
    port: Port,
    /** The server's second port: an upgrade starts the new package there while the old one serves. */
    upgradePort: Type.Optional(Port),
    endorsementPolicy: Type.String({ minLength: 1 }),
    collections: Type.Optional(Type.Array(CollectionSpec)),
  },
  { additionalProperties: false },
);
const TopologySchema = Type.Object(
  {
    name: Name,
    fabric: Type.Object(
      { version: Type.String(), caVersion: Type.String() },
      { additionalProperties: false },
    ),
    stateDir: Type.String({ minLength: 1 }),
    orgs: Type.Array(OrgSpec, { minItems: 1 }),
    ordering: Type.Object(
      {
        type: Type.Union([Type.Literal('etcdraft'), Type.Literal('BFT')]),
        batchTimeout: Type.String({ pattern: '^[0-9]+(ms|s)$' }),
        maxMessageCount: Type.Integer({ minimum: 1 }),
        preferredMaxBytes: Type.String(),
      },
      { additionalProperties: false },
    ),
    channels: Type.Array(
      Type.Object(
        {
          name: Name,
          orgs: Type.Array(Name, { minItems: 1 }),
          orderers: Type.Array(Type.String(), { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    chaincodes: Type.Array(ChaincodeSpec),
    gateway: Type.Object({ host: Type.String(), port: Port }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export type Topology = Static<typeof TopologySchema>;
export type OrgSpec = Static<typeof OrgSpec>;
export type PeerSpec = Static<typeof PeerSpec>;
export type OrdererSpec = Static<typeof OrdererSpec>;
export type ChaincodeSpec = Static<typeof ChaincodeSpec>;
export type ChannelSpec = Topology['channels'][number];
export type CollectionSpec = Static<typeof CollectionSpec>;

/** A peer or orderer together with the org that runs it. */
export interface Node<S> {
  org: OrgSpec;
  spec: S;
  /** e.g. peer0.city: unique across the consortium, used for file names and TLS host names. */
  id: string;
  address: string;
}

export class TopologyError extends Error {
  override name = 'TopologyError';
}

export function topologyPath(): string {
  return process.env.CITYLEDGER_TOPOLOGY ?? path.join(repoRoot, 'network', 'topology.yaml');
}

/** Reads and validates topology.yaml; every cross-reference (org, orderer, channel) is checked too. */
export function loadTopology(file = topologyPath()): Topology {
  const raw: unknown = YAML.parse(readFileSync(file, 'utf8'));
  const errors = [...Value.Errors(TopologySchema, raw)];
  if (errors.length > 0) {
    const lines = errors.slice(0, 10).map((e) => `  ${e.path || '/'}: ${e.message}`);
    throw new TopologyError(`${file} is not a valid topology:\n${lines.join('\n')}`);
  }
  const topology = raw as Topology;
  checkReferences(topology, file);
  return topology;
}

/** The values that occur more than once, each named once. */
function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

function checkReferences(t: Topology, file: string): void {
  const problems: string[] = [];
  // Names become pid, log and folder names, MSP ids and chaincode definitions: a duplicate would make
  // two processes share one pid file, or two orgs one MSP.
  const names: [string, string[]][] = [
    ['org name', t.orgs.map((o) => o.name)],
    ['mspId', t.orgs.map((o) => o.mspId)],
    ['peer/orderer', [...peers(t), ...orderers(t)].map((n) => n.id)],
    ['channel name', t.channels.map((c) => c.name)],
    ['chaincode name', t.chaincodes.map((c) => c.name)],
  ];
  for (const [what, values] of names)
    for (const d of duplicates(values)) problems.push(`duplicate ${what} ${d}`);
  const orgNames = new Set(t.orgs.map((o) => o.name));
  const ordererIds = new Set(orderers(t).map((o) => o.id));
  const channelNames = new Set(t.channels.map((c) => c.name));
  for (const c of t.channels) {
    for (const o of c.orgs) if (!orgNames.has(o)) problems.push(`channel ${c.name}: unknown org ${o}`);
    for (const o of c.orderers)
      if (!ordererIds.has(ordererIdFromRef(o))) problems.push(`channel ${c.name}: unknown orderer ${o}`);
  }
  for (const cc of t.chaincodes)
    if (!channelNames.has(cc.channel)) problems.push(`chaincode ${cc.name}: unknown channel ${cc.channel}`);
  const ports = new Map<string, string>();
  const claim = (host: string, port: number, what: string) => {
    const key = `${host}:${port}`;
    const owner = ports.get(key);
    if (owner) problems.push(`port ${key} is used by both ${owner} and ${what}`);
    ports.set(key, what);
  };
  for (const org of t.orgs) {
    claim(org.host, org.ca.port, `ca.${org.name}`);
    claim(org.host, org.ca.operationsPort, `ca.${org.name} operations`);
    for (const p of org.peers) {
      claim(org.host, p.port, `${p.name}.${org.name}`);
      claim(org.host, p.chaincodePort, `${p.name}.${org.name} chaincode`);
      claim(org.host, p.operationsPort, `${p.name}.${org.name} operations`);
    }
    for (const o of org.orderers) {
      claim(org.host, o.port, `${o.name}.${org.name}`);
      claim(org.host, o.adminPort, `${o.name}.${org.name} admin`);
      claim(org.host, o.operationsPort, `${o.name}.${org.name} operations`);
    }
  }
  for (const cc of t.chaincodes) {
    const [first, second] = chaincodePorts(cc);
    claim('127.0.0.1', first, `chaincode ${cc.name}`);
    claim('127.0.0.1', second, `chaincode ${cc.name} upgrade`);
  }
  claim(t.gateway.host, t.gateway.port, 'gateway');
  if (problems.length > 0) throw new TopologyError(`${file}:\n  ${problems.join('\n  ')}`);
}

/**
 * The two ports a chaincode's server alternates between: each upgrade runs the new package on the port
 * the current one does not use, so both serve until the new definition is committed. `upgradePort`
 * defaults to `port` + 100.
 */
export function chaincodePorts(cc: ChaincodeSpec): [number, number] {
  return [cc.port, cc.upgradePort ?? cc.port + 100];
}

/** `city.orderer0` (as written in channels[].orderers) → the node id `orderer0.city`. */
function ordererIdFromRef(ref: string): string {
  const [org, name] = ref.split('.');
  return `${name}.${org}`;
}

export function peers(t: Topology): Node<PeerSpec>[] {
  return t.orgs.flatMap((org) =>
    org.peers.map((spec) => ({
      org,
      spec,
      id: `${spec.name}.${org.name}`,
      address: `${org.host}:${spec.port}`,
    })),
  );
}

export function orderers(t: Topology): Node<OrdererSpec>[] {
  return t.orgs.flatMap((org) =>
    org.orderers.map((spec) => ({
      org,
      spec,
      id: `${spec.name}.${org.name}`,
      address: `${org.host}:${spec.port}`,
    })),
  );
}

export function org(t: Topology, name: string): OrgSpec {
  const found = t.orgs.find((o) => o.name === name || o.mspId === name);
  if (!found) throw new TopologyError(`unknown org ${name} (known: ${t.orgs.map((o) => o.name).join(', ')})`);
  return found;
}

export function channelOrgs(t: Topology, channel: ChannelSpec): OrgSpec[] {
  return channel.orgs.map((name) => org(t, name));
}

export function channelOrderers(t: Topology, channel: ChannelSpec): Node<OrdererSpec>[] {
  const ids = new Set(channel.orderers.map(ordererIdFromRef));
  return orderers(t).filter((o) => ids.has(o.id));
}

export function channel(t: Topology, name: string): ChannelSpec {
  const found = t.channels.find((c) => c.name === name);
  if (!found) throw new TopologyError(`unknown channel ${name}`);
  return found;
}
