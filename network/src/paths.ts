import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetworkError } from './errors';
import { repoRoot, Topology } from './topology';

/**
 * Where everything generated lives. One git-ignored folder per checkout (crypto material, ledgers, logs,
 * pids), so `clean` is one delete; Fabric binaries live in a per-user cache shared by checkouts, keyed by
 * the pinned versions, so a clean never forces a rebuild.
 */
export class Paths {
  readonly state: string;
  readonly cache: string;

  constructor(t: Topology) {
    // An empty CITYLEDGER_STATE_DIR is refused, not replaced by the topology's: `??` would have kept
    // it and resolved it to the repository root, which `clean` then deleted.
    const fromEnv = process.env.CITYLEDGER_STATE_DIR;
    this.state =
      fromEnv !== undefined
        ? safeStateDir(fromEnv, 'CITYLEDGER_STATE_DIR')
        : safeStateDir(t.stateDir, 'stateDir in the topology');
    const cacheRoot = process.env.CITYLEDGER_CACHE ?? path.join(os.homedir(), '.cache', 'cityledger');
    this.cache = path.join(cacheRoot, `fabric-${t.fabric.version}-ca-${t.fabric.caVersion}`);
  }

  get bin(): string {
    return path.join(this.cache, 'bin');
  }
  binary(name: string): string {
    return path.join(this.bin, name);
  }
  /** Fabric's sample core.yaml and orderer.yaml, copied from the module at build time. */
  get sampleConfig(): string {
    return path.join(this.cache, 'sampleconfig');
  }
  get builder(): string {
    return path.join(repoRoot, 'network', 'ccaas-builder');
  }

  get config(): string {
    return path.join(this.state, 'config');
  }
  org(org: string): string {
    return path.join(this.state, 'orgs', org);
  }
  caHome(org: string): string {
    return path.join(this.org(org), 'ca');
  }
  /** The CA's TLS server certificate (signed by caCert, the root that TLS clients trust). */
  caTlsCert(org: string): string {
    return path.join(this.caHome(org), 'tls-cert.pem');
  }
  /** The org's root CA certificate: signs enrolment and TLS certificates alike. */
  caCert(org: string): string {
    return path.join(this.caHome(org), 'ca-cert.pem');
  }
  registrar(org: string): string {
    return path.join(this.org(org), 'registrar');
  }
  orgMsp(org: string): string {
    return path.join(this.org(org), 'msp');
  }
  /** A node (peer, orderer) or user identity: msp/ and tls/ folders below it. */
  identity(org: string, kind: 'peers' | 'orderers' | 'users', name: string): string {
    return path.join(this.org(org), kind, name);
  }
  channelBlock(channel: string): string {
    return path.join(this.state, 'channels', `${channel}.block`);
  }
  /** The channel's application orgs and consenters as `up` last saw them in its config (channel-update.ts). */
  channelMembers(channel: string): string {
    return path.join(this.state, 'channels', `${channel}.members.json`);
  }
  ledger(nodeId: string): string {
    return path.join(this.state, 'ledgers', nodeId);
  }
  chaincode(name: string): string {
    return path.join(this.state, 'chaincode', name);
  }
  pidFile(process: string): string {
    return path.join(this.state, 'run', `${process}.pid`);
  }
  logFile(process: string): string {
    return path.join(this.state, 'logs', `${process}.log`);
  }
  get runDir(): string {
    return path.join(this.state, 'run');
  }
  /** Written by `up` into the state dir it creates: `clean` deletes only a folder carrying it. */
  get stateMarker(): string {
    return path.join(this.state, '.cityledger-state');
  }
  get lockFile(): string {
    return path.join(this.runDir, 'cityledger.lock');
  }
}

/** `dir` is `other` or one of its ancestors. */
const contains = (dir: string, other: string) => {
  const rel = path.relative(dir, other);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
};

function unsafeReason(dir: string, root: string, home: string): string | undefined {
  if (dir === path.parse(dir).root) return 'the filesystem root';
  if (contains(dir, home)) return dir === home ? 'the home directory' : 'an ancestor of the home directory';
  if (contains(dir, root)) return dir === root ? 'the repository root' : 'an ancestor of the repository root';
  return undefined;
}

/**
 * The state dir, resolved against the repository root, or an UNSAFE_STATE_DIR error: `clean` deletes
 * it recursively, so it must never be empty, `/`, the home directory, the repository or one of their
 * ancestors (also through a symbolic link).
 */
export function safeStateDir(
  configured: string,
  source: string,
  root = repoRoot,
  home = os.homedir(),
): string {
  if (configured.trim() === '')
    throw new NetworkError('UNSAFE_STATE_DIR', `${source} is empty: refusing to use it as the state dir`);
  const dir = path.resolve(root, configured);
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  for (const candidate of new Set([dir, real(dir)])) {
    const reason =
      unsafeReason(candidate, path.resolve(root), path.resolve(home)) ??
      unsafeReason(candidate, real(root), real(home));
    if (reason)
      throw new NetworkError(
        'UNSAFE_STATE_DIR',
        `${source} '${configured}' resolves to ${candidate}, ${reason}: refusing to use it as the state dir`,
      );
  }
  return dir;
}
