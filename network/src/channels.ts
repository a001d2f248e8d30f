import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { CommandError, retry, run } from './exec';
import { adminDir, ordererDir, peerConfigDir, peerDir } from './nodes';
import { operatorTls } from './operations';
import { Paths } from './paths';
import {
  ChannelSpec,
  channelOrderers,
  channelOrgs,
  Node,
  OrdererSpec,
  OrgSpec,
  peers,
  PeerSpec,
  Topology,
} from './topology';

/**
 * Channels are created without a system channel (Fabric 3): configtxgen writes each channel's genesis
 * block from a configtx.yaml generated from the topology, every orderer of the channel joins it through
 * its admin endpoint (osnadmin), then every peer of the channel's orgs joins as its org's admin.
 */
const signature = (rule: string) => ({ Type: 'Signature', Rule: rule });
const implicit = (rule: string) => ({ Type: 'ImplicitMeta', Rule: rule });

function orgDefinition(paths: Paths, t: Topology, org: OrgSpec) {
  const m = org.mspId;
  return {
    Name: m,
    ID: m,
    MSPDir: paths.orgMsp(org.name),
    Policies: {
      Readers: signature(`OR('${m}.member')`),
      Writers: signature(`OR('${m}.member')`),
      Admins: signature(`OR('${m}.admin')`),
      Endorsement: signature(`OR('${m}.peer')`),
    },
    OrdererEndpoints: org.orderers.map((o) => `${org.host}:${o.port}`),
    // Anchor peers let peers of other orgs find this org's peers, which cross-org discovery needs.
    AnchorPeers: peers(t)
      .filter((p) => p.org.name === org.name)
      .slice(0, 1)
      .map((p) => ({ Host: org.host, Port: p.spec.port })),
  };
}

/**
 * Readers and Writers of the channel and of its application orgs, as one Signature policy each: any
 * member of these orgs, exactly what 'ANY Readers' / 'ANY Writers' over the orgs' own policies (each
 * `OR('<msp>.member')`) allow. They are evaluated for every proposal (the peer/Propose ACL), every
 * broadcast to the orderers and every deliver stream. An ImplicitMeta 'ANY' policy evaluates the orgs'
 * policies one by one, in an order Fabric takes from a Go map afresh at each start, and each evaluation
 * verifies the request's signature again: a proposal cost one to four ECDSA verifications in the ACL
 * check, after the endorser had already verified it once. One Signature policy verifies it once.
 * An org joining the channel is added to these policies in the same config update (the topology does
 * it for a new channel).
 */
function memberPolicies(orgs: OrgSpec[]) {
  const anyMember = signature(`OR(${orgs.map((o) => `'${o.mspId}.member'`).join(', ')})`);
  return { Readers: anyMember, Writers: anyMember };
}

/** The orgs whose orderers are the channel's consenters. */
export function ordererOrgs(t: Topology, channel: ChannelSpec): OrgSpec[] {
  const names = new Set(channelOrderers(t, channel).map((o) => o.org.name));
  return t.orgs.filter((o) => names.has(o.name));
}

/** The configtxgen profile of a channel (its genesis configuration). */
export function channelProfile(paths: Paths, t: Topology, channel: ChannelSpec) {
  const tlsCert = (o: Node<OrdererSpec>) => path.join(ordererDir(paths, o), 'tls', 'server.crt');
  const consenters = channelOrderers(t, channel);
  const consensus =
    t.ordering.type === 'etcdraft'
      ? {
          OrdererType: 'etcdraft',
          EtcdRaft: {
            Consenters: consenters.map((o) => ({
              Host: o.org.host,
              Port: o.spec.port,
              ClientTLSCert: tlsCert(o),
              ServerTLSCert: tlsCert(o),
            })),
            Options: {
              TickInterval: '250ms',
              ElectionTick: 10,
              HeartbeatTick: 1,
              SnapshotIntervalSize: '16 MB',
            },
          },
        }
      : {
          OrdererType: 'BFT',
          ConsenterMapping: consenters.map((o, i) => ({
            ID: i + 1,
            Host: o.org.host,
            Port: o.spec.port,
            MSPID: o.org.mspId,
            ClientTLSCert: tlsCert(o),
            ServerTLSCert: tlsCert(o),
            Identity: path.join(ordererDir(paths, o), 'msp', 'signcerts', 'cert.pem'),
          })),
          // configtxgen leaves unset SmartBFT options empty (not defaulted), and the orderer then refuses
          // the channel: every option is given, Fabric's sample values but the batch interval.
          SmartBFT: {
            RequestBatchMaxInterval: t.ordering.batchTimeout,
            RequestForwardTimeout: '5s',
            RequestComplainTimeout: '20s',
            RequestAutoRemoveTimeout: '3m0s',
            ViewChangeResendInterval: '5s',
            ViewChangeTimeout: '20s',
            LeaderHeartbeatTimeout: '1m0s',
            CollectTimeout: '1s',
            IncomingMessageBufferSize: 200,
            RequestPoolSize: 100000,
            LeaderHeartbeatCount: 10,
          },
        };
  const groupPolicies = {
    Readers: implicit('ANY Readers'),
    Writers: implicit('ANY Writers'),
    Admins: implicit('MAJORITY Admins'),
  };
  const applicationOrgs = channelOrgs(t, channel);
  const orderingOrgs = ordererOrgs(t, channel);
  const channelMembers = t.orgs.filter((o) => applicationOrgs.includes(o) || orderingOrgs.includes(o));
  return {
    Policies: { ...groupPolicies, ...memberPolicies(channelMembers) },
    Capabilities: { V3_0: true },
    Orderer: {
      ...consensus,
      BatchTimeout: t.ordering.batchTimeout,
      BatchSize: {
        MaxMessageCount: t.ordering.maxMessageCount,
        AbsoluteMaxBytes: '10 MB',
        PreferredMaxBytes: t.ordering.preferredMaxBytes,
      },
      Organizations: orderingOrgs.map((o) => orgDefinition(paths, t, o)),
      Policies: { ...groupPolicies, BlockValidation: implicit('ANY Writers') },
      Capabilities: { V2_0: true },
    },
    Application: {
      Organizations: applicationOrgs.map((o) => orgDefinition(paths, t, o)),
      Policies: {
        ...groupPolicies,
        ...memberPolicies(applicationOrgs),
        LifecycleEndorsement: implicit('MAJORITY Endorsement'),
        Endorsement: implicit('MAJORITY Endorsement'),
      },
      Capabilities: { V2_5: true },
      ACLs: {},
    },
  };
}

/**
 * Writes the channel's genesis block once; an existing block is the channel's identity and is kept.
 * Returns whether it wrote one (the channel is new).
 */
export async function createGenesisBlock(paths: Paths, t: Topology, channel: ChannelSpec): Promise<boolean> {
  const block = paths.channelBlock(channel.name);
  if (existsSync(block)) return false;
  mkdirSync(path.dirname(block), { recursive: true });
  await writeProfileBlock(paths, t, channel, block);
  return true;
}

/** Writes the block configtxgen makes of the channel's profile as the topology describes it now. */
export async function writeProfileBlock(
  paths: Paths,
  t: Topology,
  channel: ChannelSpec,
  block: string,
): Promise<void> {
  const dir = path.join(paths.config, 'configtx', channel.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'configtx.yaml'),
    YAML.stringify(
      { Profiles: { [channel.name]: channelProfile(paths, t, channel) } },
      { aliasDuplicateObjects: false },
    ),
  );
  await run(paths.binary('configtxgen'), [
    '-configPath',
    dir,
    '-profile',
    channel.name,
    '-channelID',
    channel.name,
    '-outputBlock',
    block,
  ]);
}

/**
 * osnadmin as the org's operator, the one client the orderers' admin endpoint accepts (`operations.ts`);
 * `client` for another certificate (tests of that refusal).
 */
export function osnadminArgs(
  paths: Paths,
  orderer: Node<OrdererSpec>,
  client: { cert: string; key: string } = operatorTls(paths, orderer.org),
): string[] {
  return [
    '-o',
    `${orderer.org.host}:${orderer.spec.adminPort}`,
    '--ca-file',
    path.join(ordererDir(paths, orderer), 'tls', 'ca.crt'),
    '--client-cert',
    client.cert,
    '--client-key',
    client.key,
  ];
}

/** osnadmin exits 0 whatever the HTTP status it got: read the status line it prints. */
function expectStatus(output: string, expected: number[], what: string): string {
  const status = Number(/Status: (\d+)/.exec(output)?.[1]);
  if (!expected.includes(status)) throw new Error(`${what}: ${output.trim().slice(0, 600)}`);
  return output;
}

/**
 * Joins the orderer to the channel from `block`: the genesis block, or for an orderer added to a running
 * channel the latest config block, which names it a consenter.
 */
export async function joinOrderer(
  paths: Paths,
  channel: ChannelSpec,
  orderer: Node<OrdererSpec>,
  block = paths.channelBlock(channel.name),
): Promise<boolean> {
  const osnadmin = paths.binary('osnadmin');
  const listed = expectStatus(
    await run(osnadmin, ['channel', 'list', ...osnadminArgs(paths, orderer)]),
    [200],
    `listing ${orderer.id}'s channels`,
  );
  if (listed.includes(`"name": "${channel.name}"`) || listed.includes(`"name":"${channel.name}"`))
    return false;
  const joined = await run(osnadmin, [
    'channel',
    'join',
    '--channelID',
    channel.name,
    '--config-block',
    block,
    ...osnadminArgs(paths, orderer),
  ]);
  expectStatus(joined, [201], `${orderer.id} joining ${channel.name}`);
  return true;
}

/** The orderer leaves the channel (after a config update took it out of the consenters): its copy goes. */
export async function leaveChannel(
  paths: Paths,
  channel: ChannelSpec,
  orderer: Node<OrdererSpec>,
): Promise<void> {
  const out = await run(paths.binary('osnadmin'), [
    'channel',
    'remove',
    '--channelID',
    channel.name,
    ...osnadminArgs(paths, orderer),
  ]);
  // 404: it had left already.
  expectStatus(out, [204, 404], `${orderer.id} leaving ${channel.name}`);
}

/** The `peer` CLI's arguments to reach an orderer over TLS (the orderers do not ask for a client certificate). */
export function ordererArgs(paths: Paths, orderer: Node<OrdererSpec>): string[] {
  return ['-o', orderer.address, '--tls', '--cafile', path.join(ordererDir(paths, orderer), 'tls', 'ca.crt')];
}

/** Environment for the `peer` CLI acting as an org's admin against one of its peers. */
export function adminEnv(paths: Paths, peer: Node<PeerSpec>): NodeJS.ProcessEnv {
  const admin = adminDir(paths, peer.org);
  return {
    FABRIC_CFG_PATH: peerConfigDir(paths),
    CORE_PEER_LOCALMSPID: peer.org.mspId,
    CORE_PEER_MSPCONFIGPATH: path.join(admin, 'msp'),
    CORE_PEER_ADDRESS: peer.address,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: path.join(peerDir(paths, peer), 'tls', 'ca.crt'),
    CORE_PEER_TLS_CLIENTCERT_FILE: path.join(admin, 'tls', 'server.crt'),
    CORE_PEER_TLS_CLIENTKEY_FILE: path.join(admin, 'tls', 'server.key'),
    FABRIC_LOGGING_SPEC: 'WARNING',
  };
}

export async function joinedChannels(paths: Paths, peer: Node<PeerSpec>): Promise<string[]> {
  const out = await run(paths.binary('peer'), ['channel', 'list'], { env: adminEnv(paths, peer) });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Channels peers has joined'));
}

export async function joinPeer(paths: Paths, channel: ChannelSpec, peer: Node<PeerSpec>): Promise<boolean> {
  if ((await joinedChannels(paths, peer)).includes(channel.name)) return false;
  // Right after the orderers join, the channel may not have elected a leader yet; the peer fetches the
  // block from the file, but retries cover a peer still starting.
  await retry(`${peer.id} joining ${channel.name}`, async () => {
    try {
      await run(paths.binary('peer'), ['channel', 'join', '-b', paths.channelBlock(channel.name)], {
        env: adminEnv(paths, peer),
      });
    } catch (err) {
      if (err instanceof CommandError && /already exists|LedgerID already exists/i.test(err.output)) return;
      throw err;
    }
  });
  return true;
}

/** Height of a channel's ledger on one peer (from `peer channel getinfo`). */
export async function channelHeight(paths: Paths, peer: Node<PeerSpec>, channel: string): Promise<number> {
  const out = await run(paths.binary('peer'), ['channel', 'getinfo', '-c', channel], {
    env: adminEnv(paths, peer),
  });
  const json = out.slice(out.indexOf('{'));
  return (JSON.parse(json) as { height: number }).height;
}

export function channelPeers(t: Topology, channel: ChannelSpec): Node<PeerSpec>[] {
  return peers(t).filter((p) => channel.orgs.includes(p.org.name));
}
