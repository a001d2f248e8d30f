import { appendFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gatewayTopologyChanged, recordGatewayTopology } from './gateway';
import { Paths } from './paths';
import { rememberStateDir } from './testing';
import { loadTopology, topologyPath } from './topology';

describe('the topology the gateway started on', () => {
  const restoreStateDir = rememberStateDir();
  const savedTopology = process.env.CITYLEDGER_TOPOLOGY;
  afterEach(() => {
    restoreStateDir();
    if (savedTopology === undefined) delete process.env.CITYLEDGER_TOPOLOGY;
    else process.env.CITYLEDGER_TOPOLOGY = savedTopology;
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
