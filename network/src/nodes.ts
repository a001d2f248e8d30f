import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { retry } from './exec';
import { health, operationsGet, OperationsTls, operatorTls, serverTls } from './operations';
import { Paths } from './paths';
import { ProcessSpec } from './processes';
import { Node, OrdererSpec, OrgSpec, orderers, PeerSpec, peers, Topology } from './topology';

/**
 * Peers and orderers run from one shared core.yaml / orderer.yaml each (Fabric's samples, with the few
 * settings a Docker-free network needs changed); per-node settings go in the environment, where Fabric
 * expects overrides.
 */
export function writeNodeConfig(paths: Paths): void {
  const core = YAML.parseDocument(readFileSync(path.join(paths.sampleConfig, 'core.yaml'), 'utf8'));
  // An empty env var is ignored by viper: the Docker endpoint must go from the file itself, or the
  // peer's health check pings a Docker daemon that does not exist.
  core.setIn(['vm', 'endpoint'], '');
  core.setIn(
    ['chaincode', 'externalBuilders'],
    [{ name: 'ccaas', path: paths.builder, propagateEnvironment: [] }],
  );
  core.setIn(['metrics', 'provider'], 'prometheus');
  core.setIn(['peer', 'gateway', 'enabled'], true);
  // No chaincode of ours reads key history (GetHistoryForKey); the history index cost every peer a
  // write per key per committed transaction. Audit trails are explicit records on the ledger.
  core.setIn(['ledger', 'history', 'enableHistoryDatabase'], false);
  // Chaincode runs as a service that is up before the peer dials it: five minutes (Fabric's default,
  // sized for image builds) only prolong a wrong launch. During an upgrade the server already answers
  // for the new package while a call may still launch the old one; the peer then waited 300 s for a
  // registration that never came, and held the upgrade's own transactions behind it.
  core.setIn(['chaincode', 'startuptimeout'], '60s');
  // A proposal's timestamp is the client's, and chaincode takes it as the time (audit entries, access
  // expiry, credential validity). Fabric's TimeWindowCheck filter refuses proposals (and event
  // requests) dated further than this from the peer's clock; its default of 15 minutes would let a
  // client that signs its own proposals read a 1-hour medical access a quarter of an hour past expiry.
  core.setIn(['peer', 'authentication', 'timewindow'], PROPOSAL_TIME_WINDOW);
  mkdirSync(peerConfigDir(paths), { recursive: true });
  writeFileSync(path.join(peerConfigDir(paths), 'core.yaml'), core.toString());

  const orderer = readFileSync(path.join(paths.sampleConfig, 'orderer.yaml'), 'utf8');
  mkdirSync(ordererConfigDir(paths), { recursive: true });
  writeFileSync(path.join(ordererConfigDir(paths), 'orderer.yaml'), orderer);
}

/** How far a proposal's timestamp may be from the endorsing peer's clock (core.yaml). */
export const PROPOSAL_TIME_WINDOW = '5m';

/**
 * INFO, less the lines Fabric writes for every transaction (each gRPC call, each endorsement, each
 * orderer hand-off; and the orderer's warning each time the peer gateway closes its broadcast stream,
 * which it does after every submit): at 200 tx/s they were most of the log volume and a write(2) each.
 * Failures still log (WARN and up). CITYLEDGER_PEER_LOGGING / CITYLEDGER_ORDERER_LOGGING override.
 */
const PEER_LOGGING = 'info:comm.grpc.server,endorser,gateway=warning';
const ORDERER_LOGGING = 'info:comm.grpc.server=warning:orderer.common.broadcast=error';

/**
 * Go threads for each peer and orderer: `up` runs every node on this machine, and a Go runtime that
 * assumes it has every core to itself keeps that many threads running and spins idle ones looking for
 * work, in each of the nodes at once. Each node gets its share of the cores instead (at least one;
 * measured in the README's tuning list). A GOMAXPROCS in the environment wins.
 */
export function goMaxProcs(t: Topology, cores = availableParallelism()): string {
  return process.env.GOMAXPROCS ?? String(Math.max(1, Math.ceil(cores / nodesOnThisHost(t))));
}

const nodesOnThisHost = (t: Topology) => peers(t).length + orderers(t).length;

export const peerConfigDir = (paths: Paths) => path.join(paths.config, 'peer');
export const ordererConfigDir = (paths: Paths) => path.join(paths.config, 'orderer');

export const tlsHosts = (org: OrgSpec, id: string) => [...new Set(['localhost', '127.0.0.1', org.host, id])];

export function peerDir(paths: Paths, peer: Node<PeerSpec>): string {
  return paths.identity(peer.org.name, 'peers', peer.spec.name);
}

export function ordererDir(paths: Paths, orderer: Node<OrdererSpec>): string {
  return paths.identity(orderer.org.name, 'orderers', orderer.spec.name);
}

export function adminDir(paths: Paths, org: OrgSpec): string {
  return paths.identity(org.name, 'users', 'admin');
}

export function peerProcessSpec(paths: Paths, t: Topology, peer: Node<PeerSpec>): ProcessSpec {
  const dir = peerDir(paths, peer);
  const { host } = peer.org;
  const bootstrap = peer.org.peers[0];
  return {
    name: peer.id,
    command: paths.binary('peer'),
    args: ['node', 'start'],
    env: {
      ...process.env,
      FABRIC_CFG_PATH: peerConfigDir(paths),
      FABRIC_LOGGING_SPEC: process.env.CITYLEDGER_PEER_LOGGING ?? PEER_LOGGING,
      GOMAXPROCS: goMaxProcs(t),
      CORE_PEER_ID: peer.id,
      CORE_PEER_NETWORKID: t.name,
      CORE_PEER_ADDRESS: peer.address,
      CORE_PEER_LISTENADDRESS: `${host}:${peer.spec.port}`,
      CORE_PEER_CHAINCODEADDRESS: `${host}:${peer.spec.chaincodePort}`,
      CORE_PEER_CHAINCODELISTENADDRESS: `${host}:${peer.spec.chaincodePort}`,
      CORE_PEER_GOSSIP_BOOTSTRAP: `${host}:${bootstrap.port}`,
      // Without an external endpoint, other orgs never learn of this peer and discovery (which the
      // Gateway service uses) finds no endorsers outside the caller's org.
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: peer.address,
      CORE_PEER_LOCALMSPID: peer.org.mspId,
      CORE_PEER_MSPCONFIGPATH: path.join(dir, 'msp'),
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CERT_FILE: path.join(dir, 'tls', 'server.crt'),
      CORE_PEER_TLS_KEY_FILE: path.join(dir, 'tls', 'server.key'),
      CORE_PEER_TLS_ROOTCERT_FILE: path.join(dir, 'tls', 'ca.crt'),
      CORE_PEER_FILESYSTEMPATH: paths.ledger(peer.id),
      CORE_OPERATIONS_LISTENADDRESS: `${host}:${peer.spec.operationsPort}`,
      ...peerOperationsTls(serverTls(paths, peer.org, peer.id)),
      CORE_LEDGER_SNAPSHOTS_ROOTDIR: path.join(paths.ledger(peer.id), 'snapshots'),
    },
  };
}

export function ordererProcessSpec(paths: Paths, t: Topology, orderer: Node<OrdererSpec>): ProcessSpec {
  const dir = ordererDir(paths, orderer);
  const tls = (f: string) => path.join(dir, 'tls', f);
  const { host } = orderer.org;
  const ledger = paths.ledger(orderer.id);
  return {
    name: orderer.id,
    command: paths.binary('orderer'),
    args: [],
    env: {
      ...process.env,
      FABRIC_CFG_PATH: ordererConfigDir(paths),
      FABRIC_LOGGING_SPEC: process.env.CITYLEDGER_ORDERER_LOGGING ?? ORDERER_LOGGING,
      GOMAXPROCS: goMaxProcs(t),
      ORDERER_GENERAL_LISTENADDRESS: host,
      ORDERER_GENERAL_LISTENPORT: String(orderer.spec.port),
      ORDERER_GENERAL_LOCALMSPID: orderer.org.mspId,
      ORDERER_GENERAL_LOCALMSPDIR: path.join(dir, 'msp'),
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_GENERAL_TLS_PRIVATEKEY: tls('server.key'),
      ORDERER_GENERAL_TLS_CERTIFICATE: tls('server.crt'),
      ORDERER_GENERAL_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: tls('server.crt'),
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: tls('server.key'),
      ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_ADMIN_LISTENADDRESS: `${host}:${orderer.spec.adminPort}`,
      ORDERER_ADMIN_TLS_ENABLED: 'true',
      ORDERER_ADMIN_TLS_PRIVATEKEY: tls('server.key'),
      ORDERER_ADMIN_TLS_CERTIFICATE: tls('server.crt'),
      ORDERER_ADMIN_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
      // Channel participation (join, remove) for the org operator's certificate only: the org's Fabric
      // CA signed every user, device and meter of the org, and none of them administers orderers.
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${operatorTls(paths, orderer.org).ca}]`,
      ORDERER_OPERATIONS_LISTENADDRESS: `${host}:${orderer.spec.operationsPort}`,
      ...ordererOperationsTls(serverTls(paths, orderer.org, orderer.id)),
      ORDERER_METRICS_PROVIDER: 'prometheus',
      ORDERER_FILELEDGER_LOCATION: ledger,
      ORDERER_CONSENSUS_WALDIR: path.join(ledger, 'etcdraft', 'wal'),
      ORDERER_CONSENSUS_SNAPDIR: path.join(ledger, 'etcdraft', 'snapshot'),
    },
  };
}

/** Operations endpoint over TLS from the org's operations CA (`operations.ts`); clients may show a certificate. */
const peerOperationsTls = (tls: OperationsTls) => ({
  CORE_OPERATIONS_TLS_ENABLED: 'true',
  CORE_OPERATIONS_TLS_CERT_FILE: tls.cert,
  CORE_OPERATIONS_TLS_KEY_FILE: tls.key,
  CORE_OPERATIONS_TLS_CLIENTAUTHREQUIRED: 'false',
  CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES: tls.ca,
});

const ordererOperationsTls = (tls: OperationsTls) => ({
  ORDERER_OPERATIONS_TLS_ENABLED: 'true',
  ORDERER_OPERATIONS_TLS_CERTIFICATE: tls.cert,
  ORDERER_OPERATIONS_TLS_PRIVATEKEY: tls.key,
  ORDERER_OPERATIONS_TLS_CLIENTAUTHREQUIRED: 'false',
  ORDERER_OPERATIONS_TLS_CLIENTROOTCAS: `[${tls.ca}]`,
});

export async function waitHealthy(
  what: string,
  paths: Paths,
  org: OrgSpec,
  operationsPort: number,
  timeoutMs = 30000,
) {
  await retry(
    what,
    async () => {
      const h = await health(paths, org, operationsPort);
      if (h !== 'OK') throw new Error(h);
    },
    timeoutMs,
  );
}

/**
 * Waits until a restarted etcdraft orderer is back in each channel's cluster: its leader's heartbeats
 * report every consenter active (the follower's `consensus_etcdraft_active_nodes` equals the channel's
 * `cluster_size`). Healthy alone is not enough: stopping the next orderer before this one rejoins would
 * leave a three-node cluster without a quorum.
 */
export async function waitRaftMember(
  paths: Paths,
  orderer: Node<OrdererSpec>,
  channels: string[],
  timeoutMs = 60000,
): Promise<void> {
  await retry(
    `${orderer.id} back in the Raft cluster of ${channels.join(', ')}`,
    async () => {
      const { text } = await operationsGet(
        operatorTls(paths, orderer.org),
        orderer.org.host,
        orderer.spec.operationsPort,
        '/metrics',
      );
      for (const channel of channels) {
        const [active, size] = [
          raftGauge(text, 'active_nodes', channel),
          raftGauge(text, 'cluster_size', channel),
        ];
        if (!(size > 0 && active === size))
          throw new Error(`${channel}: ${active} of ${size} consenters active`);
      }
    },
    timeoutMs,
    250,
  );
}

/** One of an orderer's etcdraft gauges for a channel, from its `/metrics` text (NaN when absent). */
export function raftGauge(metrics: string, name: 'active_nodes' | 'cluster_size', channel: string): number {
  return Number(
    new RegExp(`^consensus_etcdraft_${name}\\{channel="${channel}"\\} (\\S+)$`, 'm').exec(metrics)?.[1],
  );
}
