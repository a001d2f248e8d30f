import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminEnv, channelPeers, ordererArgs } from './channels';
import { CommandError, retry, run } from './exec';
import { peerDir } from './nodes';
import { Paths } from './paths';
import { ProcessSpec } from './processes';
import { ServerEntry } from './servers';
import { channel, channelOrderers, ChaincodeSpec, Node, PeerSpec, repoRoot, Topology } from './topology';

/**
 * Chaincode runs as a service (CCaaS): the tooling starts each chaincode's server process itself and the
 * peers dial it, as the package's connection.json says. The package holds no code, so its label carries
 * a hash of the built code: a code change makes a new package, and a new definition (sequence + 1) is
 * approved and committed — an upgrade that keeps the ledger.
 */
export interface Deployment {
  label: string;
  packageId: string;
  packageFile: string;
  /**
   * Identifies code, definition (policy, collections) and server port: what the committed definition's
   * version holds. The port is in it because the same code on the other port is another package, which
   * the peers reach only through a new definition.
   */
  version: string;
  /** The port its server listens on (the package's connection.json): one of chaincodePorts(cc). */
  port: number;
}

const CHAINCODE_TLS_IDENTITY = 'chaincode-server';

export function chaincodeTlsDir(paths: Paths, t: Topology): string {
  return path.join(paths.identity(t.orgs[0].name, 'users', CHAINCODE_TLS_IDENTITY), 'tls');
}
export const chaincodeTlsIdentity = CHAINCODE_TLS_IDENTITY;

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir).sort()) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) hashTree(hash, p);
    else if (!entry.endsWith('.map') && !entry.endsWith('.tsbuildinfo'))
      hash.update(entry).update(readFileSync(p));
  }
}

/** Hash of what the chaincode server runs: its build output and the shared library's, plus manifests. */
export function codeHash(cc: ChaincodeSpec): string {
  const hash = createHash('sha256');
  for (const pkg of [path.resolve(repoRoot, cc.path), path.join(repoRoot, 'chaincode', 'common')]) {
    hash.update(readFileSync(path.join(pkg, 'package.json')));
    hashTree(hash, path.join(pkg, 'dist'));
  }
  return hash.digest('hex');
}

function collectionsConfig(cc: ChaincodeSpec): string | undefined {
  if (!cc.collections?.length) return undefined;
  return JSON.stringify(
    cc.collections.map((c) => ({
      name: c.name,
      policy: c.policy,
      requiredPeerCount: c.requiredPeerCount,
      maxPeerCount: c.maxPeerCount,
      blockToLive: c.blockToLive,
      memberOnlyRead: c.memberOnlyRead,
      memberOnlyWrite: c.memberOnlyWrite,
      ...(c.endorsementPolicy ? { endorsementPolicy: { signaturePolicy: c.endorsementPolicy } } : {}),
    })),
  );
}

/** The package of `cc`'s built code whose server listens on `port` (default: the chaincode's first port). */
export async function packageChaincode(
  paths: Paths,
  t: Topology,
  cc: ChaincodeSpec,
  port = cc.port,
): Promise<Deployment> {
  const code = codeHash(cc).slice(0, 12);
  const definition = createHash('sha256')
    .update(cc.endorsementPolicy)
    .update(collectionsConfig(cc) ?? '')
    .digest('hex')
    .slice(0, 8);
  const label = `${cc.name}_${code}`;
  const dir = paths.chaincode(cc.name);
  const packageFile = path.join(dir, `${label}.${port}.tgz`);
  // The package ID is the label plus the hash of this exact file: make it once, install it everywhere.
  if (!existsSync(packageFile)) {
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(path.join(os.tmpdir(), 'ccaas-'));
    const connection = {
      address: `127.0.0.1:${port}`,
      dial_timeout: '10s',
      tls_required: true,
      client_auth_required: false,
      root_cert: readFileSync(path.join(chaincodeTlsDir(paths, t), 'ca.crt'), 'utf8'),
    };
    mkdirSync(path.join(work, 'src'));
    writeFileSync(path.join(work, 'src', 'connection.json'), JSON.stringify(connection));
    writeFileSync(path.join(work, 'metadata.json'), JSON.stringify({ type: 'ccaas', label }));
    await run('tar', [
      '-czf',
      path.join(work, 'code.tar.gz'),
      '-C',
      path.join(work, 'src'),
      'connection.json',
    ]);
    await run('tar', ['-czf', packageFile, '-C', work, 'metadata.json', 'code.tar.gz']);
    rmSync(work, { recursive: true, force: true });
  }
  const sha = createHash('sha256').update(readFileSync(packageFile)).digest('hex');
  return { label, packageId: `${label}:${sha}`, packageFile, version: `${code}-${definition}-${port}`, port };
}

export function chaincodeProcess(cc: ChaincodeSpec): string {
  return `chaincode.${cc.name}`;
}

/** Where `cc`'s supervisor finds the servers it runs (servers.ts). */
export function serversFile(paths: Paths, cc: ChaincodeSpec): string {
  return path.join(paths.chaincode(cc.name), 'servers.json');
}

/** The supervisor of `cc`'s servers: one process, whatever the servers (supervise.ts). */
export function chaincodeSupervisorSpec(paths: Paths, cc: ChaincodeSpec): ProcessSpec {
  return {
    name: chaincodeProcess(cc),
    command: process.execPath,
    args: [path.join(repoRoot, 'network', 'dist', 'supervise.js'), serversFile(paths, cc)],
    cwd: path.resolve(repoRoot, cc.path),
    env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: process.env.CITYLEDGER_CHAINCODE_LOGGING ?? 'info' },
  };
}

/** The server of one package, as its chaincode's supervisor runs it. */
export function chaincodeServer(paths: Paths, t: Topology, d: Deployment): ServerEntry {
  const tls = chaincodeTlsDir(paths, t);
  return {
    id: d.packageId,
    port: d.port,
    command: process.execPath,
    args: [
      path.join(repoRoot, 'node_modules', 'fabric-shim', 'cli.js'),
      'server',
      `--chaincode-address=127.0.0.1:${d.port}`,
      `--chaincode-id=${d.packageId}`,
      `--chaincode-tls-cert-file=${path.join(tls, 'server.crt')}`,
      `--chaincode-tls-key-file=${path.join(tls, 'server.key')}`,
    ],
  };
}

async function installOn(paths: Paths, peer: Node<PeerSpec>, d: Deployment): Promise<void> {
  const env = adminEnv(paths, peer);
  const installed = await run(
    paths.binary('peer'),
    ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'],
    {
      env,
    },
  );
  if (installed.includes(d.packageId)) return;
  try {
    await run(paths.binary('peer'), ['lifecycle', 'chaincode', 'install', d.packageFile], { env });
  } catch (err) {
    if (!(err instanceof CommandError && /already successfully installed/.test(err.output))) throw err;
  }
}

interface CommittedDefinition {
  sequence: number;
  version: string;
  /** Which of the channel's orgs have approved this definition, by MSP ID. */
  approvals?: Record<string, boolean>;
}

async function committed(paths: Paths, peer: Node<PeerSpec>, ch: string, name: string) {
  try {
    const out = await run(
      paths.binary('peer'),
      ['lifecycle', 'chaincode', 'querycommitted', '-C', ch, '-n', name, '--output', 'json'],
      { env: adminEnv(paths, peer) },
    );
    return JSON.parse(out) as CommittedDefinition;
  } catch (err) {
    if (err instanceof CommandError && /not found|does not exist|is not defined/i.test(err.output))
      return undefined;
    throw err;
  }
}

/** The definition committed on the chaincode's channel, as its first peer reports it. */
export async function committedDefinition(paths: Paths, t: Topology, cc: ChaincodeSpec) {
  const peer = channelPeers(t, channel(t, cc.channel))[0];
  return committed(paths, peer, cc.channel, cc.name);
}

/** Throws until every peer of `cc`'s channel has committed the definition of `version`. */
export async function committedOnEveryPeer(
  paths: Paths,
  t: Topology,
  cc: ChaincodeSpec,
  version: string,
): Promise<void> {
  for (const peer of channelPeers(t, channel(t, cc.channel))) {
    const found = (await committed(paths, peer, cc.channel, cc.name))?.version;
    if (found !== version)
      throw new Error(`${peer.id} has ${found ?? 'no definition'} committed, not ${version}`);
  }
}

/**
 * Installs the package on every peer of the channel, then approves (each org) and commits the definition
 * if what is committed is not already this code and this definition. An org that joined the channel
 * after the commit approves the committed definition: until it has, its peers do not run the chaincode.
 * Returns the committed sequence.
 */
export async function deployChaincode(
  paths: Paths,
  t: Topology,
  cc: ChaincodeSpec,
  d: Deployment,
): Promise<number> {
  const ch = channel(t, cc.channel);
  const channelPeerNodes = channelPeers(t, ch);
  await Promise.all(channelPeerNodes.map((p) => installOn(paths, p, d)));
  // One peer per org approves for its org; orgs approve in parallel (separate transactions).
  const firstPeerPerOrg = ch.orgs.map((o) => channelPeerNodes.find((p) => p.org.name === o)!);
  const definition = new Definition(paths, t, cc, d);

  const current = await committed(paths, channelPeerNodes[0], ch.name, cc.name);
  if (current?.version === d.version) {
    const late = firstPeerPerOrg.filter((p) => current.approvals?.[p.org.mspId] !== true);
    await Promise.all(late.map((peer) => definition.approve(peer, current.sequence)));
    return current.sequence;
  }
  const sequence = (current?.sequence ?? 0) + 1;
  await Promise.all(firstPeerPerOrg.map((peer) => definition.approve(peer, sequence)));
  const endorsers = firstPeerPerOrg.flatMap((p) => [
    '--peerAddresses',
    p.address,
    '--tlsRootCertFiles',
    path.join(peerDir(paths, p), 'tls', 'ca.crt'),
  ]);
  await retry(
    `committing ${cc.name}`,
    async () => {
      // A commit whose answer timed out may still have been ordered: check before sending it again.
      if ((await committed(paths, channelPeerNodes[0], ch.name, cc.name))?.version === d.version) return;
      await run(
        paths.binary('peer'),
        ['lifecycle', 'chaincode', 'commit', ...definition.args(sequence), ...endorsers],
        { env: adminEnv(paths, firstPeerPerOrg[0]) },
      );
    },
    60000,
  );
  return sequence;
}

/** A chaincode definition as the `peer lifecycle` commands take it: approved per org, committed once. */
class Definition {
  private readonly collectionsFile?: string;
  private readonly toOrderer: string[];

  constructor(
    private readonly paths: Paths,
    t: Topology,
    private readonly cc: ChaincodeSpec,
    private readonly d: Deployment,
  ) {
    this.toOrderer = ordererArgs(paths, channelOrderers(t, channel(t, cc.channel))[0]);
    const collections = collectionsConfig(cc);
    if (collections) {
      this.collectionsFile = path.join(paths.chaincode(cc.name), 'collections.json');
      writeFileSync(this.collectionsFile, collections);
    }
  }

  args(sequence: number): string[] {
    return [
      ...this.toOrderer,
      '-C',
      this.cc.channel,
      '-n',
      this.cc.name,
      '--version',
      this.d.version,
      '--sequence',
      String(sequence),
      '--signature-policy',
      this.cc.endorsementPolicy,
      ...(this.collectionsFile ? ['--collections-config', this.collectionsFile] : []),
    ];
  }

  approve(peer: Node<PeerSpec>, sequence: number): Promise<void> {
    return retry(
      `${peer.org.name} approving ${this.cc.name}`,
      async () => {
        try {
          await run(
            this.paths.binary('peer'),
            [
              'lifecycle',
              'chaincode',
              'approveformyorg',
              ...this.args(sequence),
              '--package-id',
              this.d.packageId,
              '--waitForEvent',
            ],
            { env: adminEnv(this.paths, peer) },
          );
        } catch (err) {
          // A retry after a slow answer finds its own approval already in place.
          if (err instanceof CommandError && /unchanged content/.test(err.output)) return;
          throw err;
        }
      },
      60000,
    );
  }
}

/** Calls the contract's own metadata function: proves the chaincode answers a query end to end. */
export async function queryMetadata(
  paths: Paths,
  t: Topology,
  cc: ChaincodeSpec,
  peer: Node<PeerSpec> = channelPeers(t, channel(t, cc.channel))[0],
): Promise<string> {
  return run(
    paths.binary('peer'),
    [
      'chaincode',
      'query',
      '-C',
      cc.channel,
      '-n',
      cc.name,
      '-c',
      JSON.stringify({ function: 'org.hyperledger.fabric:GetMetadata', Args: [] }),
    ],
    { env: adminEnv(paths, peer) },
  );
}

/**
 * The endorsers a peer's discovery service offers for `cc` (the `discover` CLI, as the org's admin).
 * A peer's gateway plans endorsements from this view, which gossip fills in: until the peer has
 * learnt which peers of the other orgs run the chaincode, a transaction its policy needs them for
 * fails ("no combination of peers can be derived which satisfy the endorsement policy"). Fails the
 * same way while the view is short.
 */
export async function discoverEndorsers(paths: Paths, cc: ChaincodeSpec, peer: Node<PeerSpec>): Promise<string> {
  const env = adminEnv(paths, peer);
  // Enrolment gives every MSP fixed file names (ca.ts, normaliseMsp).
  const msp = env.CORE_PEER_MSPCONFIGPATH!;
  return run(
    paths.binary('discover'),
    [
      `--peerTLSCA=${env.CORE_PEER_TLS_ROOTCERT_FILE}`,
      `--tlsCert=${env.CORE_PEER_TLS_CLIENTCERT_FILE}`,
      `--tlsKey=${env.CORE_PEER_TLS_CLIENTKEY_FILE}`,
      `--userKey=${path.join(msp, 'key.pem')}`,
      `--userCert=${path.join(msp, 'signcerts', 'cert.pem')}`,
      `--MSP=${peer.org.mspId}`,
      'endorsers',
      `--channel=${cc.channel}`,
      `--chaincode=${cc.name}`,
      `--server=${peer.address}`,
    ],
    { env: { FABRIC_LOGGING_SPEC: 'ERROR' } },
  );
}
