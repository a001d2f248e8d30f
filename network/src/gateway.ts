import { existsSync } from 'node:fs';
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
