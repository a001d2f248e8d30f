import os from 'node:os';
import path from 'node:path';
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
    this.state = path.resolve(repoRoot, process.env.CITYLEDGER_STATE_DIR ?? t.stateDir);
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
}
