#!/usr/bin/env node
/**
 * The network CLI: `npm run network -- <command>`. Every command reads network/topology.yaml.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { adminEnv } from './channels';
import { NetworkError } from './errors';
import { info } from './log';
import { Network } from './network';
import { org, peers } from './topology';

// Before anything is created: every file and folder this CLI and the processes it starts write (CA
// config, keys, the CA database, logs, pid records) is for this user only. Nothing is created on
// import, so setting it here, after the imports, is early enough.
const operatorUmask = process.umask(0o077);

const USAGE = `usage: cityledger-network <command>

  up                 build what is missing, start CAs, orderers, peers, channels, chaincodes and the gateway;
                     orgs and orderers the topology adds to a running channel join it by config updates
    --prune          also remove from running channels the orgs and orderers the topology no longer lists
    --no-gateway     leave the REST gateway out
  renew              as up, and issue every node certificate again now, each on its key (up itself does
                     it 30 days before one ends); running nodes restart on them one at a time
  down               stop every process (ledgers and crypto material are kept)
  clean              down, then wipe all generated state (binaries stay cached)
  status [--json]    every process with its health, channel heights per peer, each channel's members
                     and consenters, the first node certificate to end
  deploy [names...]  (re)deploy built chaincodes; a changed chaincode is upgraded (sequence + 1), its old
                     server answering until the commit; a running gateway then reads the new API
  logs <process> [-f]  show a process's log (names as in status: peer0.city, orderer0.hospital, chaincode.identity, gateway, ca.port)
  admin <org> [command...]  run a command (default: an interactive shell) as the org's admin, with the
                     Fabric CLI environment set (peer channel list, peer lifecycle chaincode querycommitted …)
  kill <process>     kill a process abruptly (for failure drills); 'up' starts it again
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    info(USAGE);
    return command ? 0 : 2;
  }
  const network = new Network();
  switch (command) {
    case 'up':
      await network.up({ gateway: !rest.includes('--no-gateway'), prune: rest.includes('--prune') });
      return 0;
    case 'renew':
      await network.up({ gateway: !rest.includes('--no-gateway'), renewWithinMs: Infinity });
      return 0;
    case 'down':
      await network.down();
      return 0;
    case 'clean':
      await network.clean();
      return 0;
    case 'status': {
      if (rest.includes('--json')) info(JSON.stringify(await network.status(), null, 2));
      else await network.printSummary();
      return 0;
    }
    case 'deploy':
      if ((await network.deploy(rest)).length > 0) await network.refreshGatewayApi();
      return 0;
    case 'logs': {
      const [name] = rest;
      const file = name && network.paths.logFile(name);
      if (!file || !existsSync(file)) {
        info(`no log for '${name ?? ''}'; known: ${network.processes.known().join(', ')}`);
        return 2;
      }
      const args = rest.includes('-f') ? ['-n', '200', '-F', file] : ['-n', '200', file];
      spawnSync('tail', args, { stdio: 'inherit' });
      return 0;
    }
    case 'admin': {
      const [orgName, ...cmd] = rest;
      if (!orgName) {
        info('usage: admin <org> [command...]');
        return 2;
      }
      const o = org(network.topology, orgName);
      const peer = peers(network.topology).find((p) => p.org.name === o.name)!;
      const env = {
        ...process.env,
        ...adminEnv(network.paths, peer),
        PATH: `${network.paths.bin}:${process.env.PATH}`,
        ORDERER_CA: `${network.paths.orgMsp(o.name)}/tlscacerts/ca.pem`,
        PS1: `[${o.mspId} admin] \\w $ `,
      };
      const [bin, ...args] = cmd.length ? cmd : [process.env.SHELL ?? 'bash', '--norc'];
      // The operator's shell creates files as the operator expects, not owner-only.
      process.umask(operatorUmask);
      const child = spawn(bin, args, { env, stdio: 'inherit' });
      return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    }
    case 'kill': {
      const [name] = rest;
      const pid = name ? network.processes.kill(name) : undefined;
      info(pid ? `killed ${name} (pid ${pid})` : `${name ?? '?'} is not running`);
      return pid ? 0 : 1;
    }
    default:
      info(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = err instanceof NetworkError ? ` [${err.code}]` : '';
    process.stderr.write(`\nerror${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
