/**
 * What every live suite needs: the running network (started if it is not), real identities enrolled at
 * each org's Fabric CA with the certificate attributes chaincodes check, and Fabric Gateway connections
 * acting as them. Nothing here fakes Fabric.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { newLowSSigner } from '@cityledger/gateway';
import { connect, Contract, Gateway, hash } from '@hyperledger/fabric-gateway';
import {
  adminDir,
  enrollIdentity,
  Network,
  Node,
  OrdererSpec,
  org as findOrg,
  operationsGet,
  operatorTls,
  osnadminArgs,
  peerDir,
  peers,
  PeerSpec,
  run,
  adminEnv,
} from '@cityledger/network';

let shared: Network | undefined;

/** The network of this checkout (network/topology.yaml), as the CLI sees it. */
export function network(): Network {
  shared ??= new Network();
  return shared;
}

/** Starts whatever is not running, gateway included (idempotent: a running network is left as it is). */
export async function ensureNetwork(): Promise<Network> {
  const n = network();
  const report = await n.status();
  if (report.processes.some((p) => p.pid === undefined)) await n.up();
  return n;
}

export interface TestUser {
  org: string;
  name: string;
  mspId: string;
  certificate: string;
  privateKey: string;
}

function loadUser(orgName: string, name: string, dir: string): TestUser {
  const o = findOrg(network().topology, orgName);
  const msp = path.join(dir, 'msp');
  const keystore = path.join(msp, 'keystore');
  return {
    org: o.name,
    name,
    mspId: o.mspId,
    certificate: readFileSync(path.join(msp, 'signcerts', 'cert.pem'), 'utf8'),
    privateKey: readFileSync(path.join(keystore, readdirSync(keystore)[0]), 'utf8'),
  };
}

/** The org's admin (role=admin), enrolled by `up`. */
export function orgAdmin(orgName: string): TestUser {
  const o = findOrg(network().topology, orgName);
  return loadUser(o.name, 'admin', adminDir(network().paths, o));
}

/**
 * A user of `orgName` with certificate attributes `attrs` (role, residentId, …), registered and enrolled
 * at that org's CA once; later calls reuse the enrolment. Names must be unique per attribute set.
 */
export async function enrolUser(
  orgName: string,
  name: string,
  attrs: Record<string, string>,
): Promise<TestUser> {
  const n = network();
  const o = findOrg(n.topology, orgName);
  const dir = n.paths.identity(o.name, 'users', name);
  if (!existsSync(path.join(dir, 'msp', 'signcerts', 'cert.pem')))
    await enrollIdentity(n.paths, o, dir, { name, type: 'client', attrs, tls: false });
  return loadUser(o.name, name, dir);
}

export function peerOf(orgName: string): Node<PeerSpec> {
  const o = findOrg(network().topology, orgName);
  return peers(network().topology).find((p) => p.org.name === o.name)!;
}

const grpcClients = new Map<string, grpc.Client>();
const gateways: Gateway[] = [];

function grpcClient(peer: Node<PeerSpec>): grpc.Client {
  let client = grpcClients.get(peer.id);
  if (!client) {
    const tlsRoot = readFileSync(path.join(peerDir(network().paths, peer), 'tls', 'ca.crt'));
    client = new grpc.Client(peer.address, grpc.credentials.createSsl(tlsRoot));
    grpcClients.set(peer.id, client);
  }
  return client;
}

/** A Fabric Gateway connection as `user`, through its own org's peer (or `via`). */
export function connectAs(user: TestUser, via?: Node<PeerSpec>): Gateway {
  const gateway = connect({
    client: grpcClient(via ?? peerOf(user.org)),
    identity: { mspId: user.mspId, credentials: Buffer.from(user.certificate) },
    // The gateway's own signer (native ECDSA, low-S): tests exercise it, and the benchmark's direct
    // driver does the same client work as the REST gateway (the library's pure-JS signer costs ~0.4 ms
    // a signature, three per submit, on the machine under test).
    signer: newLowSSigner(createPrivateKey(user.privateKey)),
    hash: hash.none,
    evaluateOptions: () => ({ deadline: Date.now() + 10000 }),
    endorseOptions: () => ({ deadline: Date.now() + 20000 }),
    submitOptions: () => ({ deadline: Date.now() + 10000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60000 }),
  });
  gateways.push(gateway);
  return gateway;
}

export function contractAs(user: TestUser, chaincode: string, via?: Node<PeerSpec>): Contract {
  return connectAs(user, via).getNetwork(channelOf(chaincode)).getContract(chaincode);
}

/** The channel `chaincode` is deployed on, per the topology. */
export function channelOf(chaincode: string): string {
  const cc = network().topology.chaincodes.find((c) => c.name === chaincode);
  if (!cc) throw new Error(`no chaincode ${chaincode} in the topology`);
  return cc.channel;
}

/** Closes every connection the suite opened (call in afterAll). */
export function closeConnections(): void {
  for (const g of gateways.splice(0)) g.close();
  for (const c of grpcClients.values()) c.close();
  grpcClients.clear();
}

export const json = (bytes: Uint8Array): unknown =>
  bytes.length === 0 ? undefined : JSON.parse(Buffer.from(bytes).toString('utf8'));

/** Runs the `peer` CLI as the org's admin against the org's first peer. */
export function peerCli(orgName: string, args: string[]): Promise<string> {
  const n = network();
  return run(n.paths.binary('peer'), args, { env: adminEnv(n.paths, peerOf(orgName)) });
}

/** What an orderer says of its part in a channel (`osnadmin channel list --channelID`, as its org's operator). */
export async function ordererChannelInfo(
  orderer: Node<OrdererSpec>,
  channelName: string,
): Promise<{ httpStatus: number; height?: number; consensusRelation?: string; status?: string }> {
  const n = network();
  const out = await run(n.paths.binary('osnadmin'), [
    'channel',
    'list',
    '--channelID',
    channelName,
    ...osnadminArgs(n.paths, orderer),
  ]);
  const body = JSON.parse(out.slice(out.indexOf('{'))) as {
    height?: number;
    consensusRelation?: string;
    status?: string;
  };
  return { httpStatus: Number(/Status: (\d+)/.exec(out)?.[1]), ...body };
}

/**
 * The messages a chaincode has sent its org's peer, by type (GET_STATE, PUT_STATE, WRITE_BATCH_STATE …),
 * from the peer's `chaincode_shim_requests_received` counter (its operations endpoint, as the org's operator).
 */
export async function shimRequests(orgName: string, chaincode: string): Promise<Record<string, number>> {
  const n = network();
  const peer = peerOf(orgName);
  const res = await operationsGet(
    operatorTls(n.paths, peer.org),
    peer.org.host,
    peer.spec.operationsPort,
    '/metrics',
  );
  if (res.status !== 200) throw new Error(`${peer.id} /metrics: ${res.status} ${res.text}`);
  const counts: Record<string, number> = {};
  // The chaincode label is its package id: <name>_<hash>:<hash>.
  const sample = new RegExp(
    `^chaincode_shim_requests_received\\{chaincode="${chaincode}_[^"]*",channel="[^"]*",type="([A-Z_]+)"\\} (\\d+)$`,
  );
  for (const line of res.text.split('\n')) {
    const m = sample.exec(line);
    if (m) counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2]);
  }
  return counts;
}
