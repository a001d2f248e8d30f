import { existsSync } from 'node:fs';
import net from 'node:net';
import { chaincodeProcess, chaincodeSupervisorSpec, serversFile } from './chaincode';
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
  ) {}

  /** The servers `cc`'s supervisor runs or will run when started; [] before its first deploy. */
  listed(cc: ChaincodeSpec): ServerEntry[] {
    const file = serversFile(this.paths, cc);
    if (existsSync(file)) return readServers(file);
    const legacy = legacyServer(this.processes.record(chaincodeProcess(cc)));
    return legacy && this.processes.isRunning(chaincodeProcess(cc)) ? [legacy] : [];
  }

  /** Runs exactly `servers` for `cc` (starting its supervisor if needed) and waits until each listens. */
  async run(cc: ChaincodeSpec, servers: ServerEntry[]): Promise<void> {
    const name = chaincodeProcess(cc);
    writeServers(serversFile(this.paths, cc), servers);
    // A supervisor of the single-server layout (before upgrades ran side by side) has no file to read
    // again: it is replaced, once.
    if (legacyServer(this.processes.record(name))) await this.processes.stop(name);
    const pid = this.processes.pid(name);
    if (pid === undefined) this.processes.start(chaincodeSupervisorSpec(this.paths, cc));
    else process.kill(pid, 'SIGHUP');
    for (const s of servers)
      await retry(`${cc.name}'s server listening on port ${s.port}`, () => listening(s.port), 30000, 200);
  }
}

/** The port of `cc` that `used` is not. */
export function otherPort(cc: ChaincodeSpec, used: number): number {
  const [first, second] = chaincodePorts(cc);
  return used === first ? second : first;
}

/** The server a single-server supervisor runs (`supervise.js <node> <cli> server --chaincode-id=…`). */
function legacyServer(record: PidRecord | undefined): ServerEntry | undefined {
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

function listening(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}
