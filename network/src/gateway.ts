import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Paths } from './paths';
import { ProcessSpec } from './processes';
import { repoRoot, topologyPath, Topology } from './topology';

export const gatewayProcess = 'gateway';
const entry = path.join(repoRoot, 'gateway', 'dist', 'main.js');

/** The REST gateway runs beside the network when it has been built; it reads the same topology. */
export function gatewaySpec(paths: Paths, t: Topology): ProcessSpec | undefined {
  if (!existsSync(entry)) return undefined;
  return {
    name: gatewayProcess,
    command: process.execPath,
    args: [entry],
    cwd: path.join(repoRoot, 'gateway'),
    env: {
      ...process.env,
      CITYLEDGER_TOPOLOGY: topologyPath(),
      CITYLEDGER_STATE_DIR: paths.state,
      GATEWAY_HOST: process.env.GATEWAY_HOST ?? t.gateway.host,
      GATEWAY_PORT: process.env.GATEWAY_PORT ?? String(t.gateway.port),
    },
  };
}

/**
 * The gateway reads the topology once, when it starts (its orgs, their peers and CAs): a gateway started
 * on another topology file than the one there now is restarted by `up`. What it started on is recorded
 * here, by digest.
 */
function startedOnFile(paths: Paths): string {
  return path.join(paths.state, 'gateway', 'topology.sha256');
}

function topologyDigest(): string {
  return createHash('sha256').update(readFileSync(topologyPath())).digest('hex');
}

/** Whether the running gateway started on another topology than the current one (unknown: no). */
export function gatewayTopologyChanged(paths: Paths): boolean {
  const file = startedOnFile(paths);
  return existsSync(file) && readFileSync(file, 'utf8').trim() !== topologyDigest();
}

export function recordGatewayTopology(paths: Paths): void {
  mkdirSync(path.dirname(startedOnFile(paths)), { recursive: true });
  writeFileSync(startedOnFile(paths), `${topologyDigest()}\n`);
}
