import { copyFileSync, appendFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gatewayTopologyChanged, recordGatewayTopology } from './gateway';
import { Paths } from './paths';
import { loadTopology, topologyPath } from './topology';

describe('the topology the gateway started on', () => {
  const saved = { topology: process.env.CITYLEDGER_TOPOLOGY, state: process.env.CITYLEDGER_STATE_DIR };
  afterEach(() => {
    for (const [key, value] of [
      ['CITYLEDGER_TOPOLOGY', saved.topology],
      ['CITYLEDGER_STATE_DIR', saved.state],
    ] as const)
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  });

  it('is unknown (no restart) until recorded, then any edit of the file counts as a change', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-topology-'));
    const file = path.join(dir, 'topology.yaml');
    copyFileSync(topologyPath(), file);
    process.env.CITYLEDGER_TOPOLOGY = file;
    process.env.CITYLEDGER_STATE_DIR = path.join(dir, 'state');
    const paths = new Paths(loadTopology());

    expect(gatewayTopologyChanged(paths)).toBe(false);
    recordGatewayTopology(paths);
    expect(gatewayTopologyChanged(paths)).toBe(false);
    appendFileSync(file, '# a new org would be listed here\n');
    expect(gatewayTopologyChanged(paths)).toBe(true);
    recordGatewayTopology(paths);
    expect(gatewayTopologyChanged(paths)).toBe(false);
  });
});
