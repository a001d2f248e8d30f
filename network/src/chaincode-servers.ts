import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { chaincodeProcess, chaincodeSupervisorSpec, serversFile } from './chaincode';
import { NetworkError } from './errors';
import { retry } from './exec';
import { Paths } from './paths';
import { PidRecord, Processes } from './processes';
import { readServers, ServerEntry, writeServers } from './servers';
import { ChaincodeSpec, chaincodePorts } from './topology';

/**
 * The servers of each chaincode, run by one supervisor process per chaincode (`chaincode.<name>`). The
 * first server listed is the package the committed definition names; during an upgrade the new package
 * runs beside it on the chaincode's other port until the new definition is committed on every peer, so
 * calls never meet a chaincode without a server (`deploy` in network.ts).
 */
export class ChaincodeServers {
  constructor(
    private readonly paths: Paths,
    private readonly processes: Processes,
    /** The chaincode servers' TLS root: a server is ready when it completes a handshake under it. */
    private readonly tlsRootFile: string,
  ) {}

  /** The servers `cc`'s supervisor runs or will run when started; [] before its first deploy. */
  listed(cc: ChaincodeSpec): ServerEntry[] {
    const file = serversFile(this.paths, cc);
    if (existsSync(file)) return readServers(file);
    const legacy = legacyServer(this.processes.record(chaincodeProcess(cc)));
    return legacy && this.processes.isRunning(chaincodeProcess(cc)) ? [legacy] : [];
  }

  /**
   * Runs exactly `servers` for `cc` (starting its supervisor if needed) and waits until each answers a
   * TLS handshake under the chaincode servers' root. A server to start on a port another process holds
   * is refused (PORT_IN_USE) before anything changes: the peers would otherwise dial that process.
   */
  async run(cc: ChaincodeSpec, servers: ServerEntry[]): Promise<void> {
    const name = chaincodeProcess(cc);
    const running = this.processes.isRunning(name) ? this.listed(cc).map((s) => s.id) : [];
    for (const s of servers) if (!running.includes(s.id)) await assertFree(cc, s.port);
    writeServers(serversFile(this.paths, cc), servers);
    // A supervisor of the single-server layout (before upgrades ran side by side) has no file to read
    // again: it is replaced, once.
    if (legacyServer(this.processes.record(name))) await this.processes.stop(name);
    const pid = this.processes.pid(name);
    if (pid === undefined) this.processes.start(chaincodeSupervisorSpec(this.paths, cc));
    else process.kill(pid, 'SIGHUP');
    const ca = readFileSync(this.tlsRootFile);
    for (const s of servers)
      await retry(
        `${cc.name}'s server answering TLS on port ${s.port}`,
        () => answersTls(s.port, ca),
        30000,
        200,
      );
  }
}

/** The port of `cc` that `used` is not. */
export function otherPort(cc: ChaincodeSpec, used: number): number {
  const [first, second] = chaincodePorts(cc);
  return used === first ? second : first;
}

/** The server a single-server supervisor runs (`supervise.js <node> <cli> server --chaincode-id=…`). */
export function legacyServer(record: PidRecord | undefined): ServerEntry | undefined {
  const args = record?.args ?? [];
  const id = args.find((a) => a.startsWith('--chaincode-id='))?.slice('--chaincode-id='.length);
  const address = args.find((a) => a.startsWith('--chaincode-address='));
  if (!id || !address || args.length < 3) return undefined;
  return {
    id,
    port: Number(address.slice(address.lastIndexOf(':') + 1)),
    command: args[1],
    args: args.slice(2),
  };
}

async function assertFree(cc: ChaincodeSpec, port: number): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  if (!free)
    throw new NetworkError(
      'PORT_IN_USE',
      `port ${port} (chaincode ${cc.name}'s ${port === cc.port ? 'port' : 'upgradePort'}) is held by another process: free it or give the chaincode other ports in the topology`,
    );
}

/** A TLS handshake with the server on `port`, its certificate checked against `ca` (not its host name). */
function answersTls(port: number, ca: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, checkServerIdentity: () => undefined }, () => {
      socket.destroy();
      resolve();
    });
    // A process that accepts but does not speak TLS must not hold the deploy.
    socket.setTimeout(2000, () => socket.destroy(new Error(`no TLS answer on port ${port} within 2 s`)));
    socket.on('error', reject);
  });
}
