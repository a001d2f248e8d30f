import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  chaincodePorts,
  channelOrderers,
  loadTopology,
  orderers,
  peers,
  Topology,
  TopologyError,
  topologyPath,
} from './topology';

function withTopology(edit: (t: Topology) => void): string {
  const t = YAML.parse(YAML.stringify(loadTopology())) as Topology;
  edit(t);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'topology-')), 'topology.yaml');
  writeFileSync(file, YAML.stringify(t));
  return file;
}

describe('the repository topology', () => {
  const t = loadTopology(topologyPath());

  it('has four orgs with a CA and a peer each, three orderers of different orgs, and two channels', () => {
    expect(t.orgs.map((o) => o.mspId)).toEqual(['CityMSP', 'HospitalMSP', 'InsurerMSP', 'PortMSP']);
    expect(peers(t)).toHaveLength(4);
    expect(new Set(orderers(t).map((o) => o.org.name)).size).toBe(3);
    expect(t.channels.map((c) => c.name)).toEqual(['city', 'health']);
  });

  it('keeps the port authority off the health channel and out of its ordering', () => {
    const health = t.channels.find((c) => c.name === 'health')!;
    expect(health.orgs).not.toContain('port');
    expect(channelOrderers(t, health).map((o) => o.org.name)).not.toContain('port');
    expect(t.chaincodes.find((c) => c.name === 'medical')!.channel).toBe('health');
  });
});

describe('topology validation', () => {
  it('names every schema problem with its path', () => {
    const file = withTopology((t) => {
      (t.orgs[0].peers[0] as { port: unknown }).port = 'seven';
      delete (t as Partial<Topology>).gateway;
    });
    expect(() => loadTopology(file)).toThrow(TopologyError);
    expect(() => loadTopology(file)).toThrow(/\/orgs\/0\/peers\/0\/port/);
  });

  it('refuses a channel naming an unknown org or orderer, and a chaincode on an unknown channel', () => {
    const file = withTopology((t) => {
      t.channels[0].orgs.push('atlantis');
      t.channels[1].orderers.push('port.orderer9');
      t.chaincodes[0].channel = 'nowhere';
    });
    expect(() => loadTopology(file)).toThrow(
      /unknown org atlantis[\s\S]*unknown orderer port.orderer9[\s\S]*unknown channel nowhere/,
    );
  });

  it('refuses two processes on one port', () => {
    const file = withTopology((t) => {
      t.orgs[1].peers[0].operationsPort = t.orgs[0].peers[0].operationsPort;
      t.chaincodes[1].port = t.gateway.port;
    });
    expect(() => loadTopology(file)).toThrow(
      /port 127.0.0.1:17051 is used by both peer0.city operations and peer0.hospital operations/,
    );
    expect(() => loadTopology(file)).toThrow(/used by both chaincode medical and gateway/);
  });

  it("claims a chaincode's upgrade port too, by default its port + 100", () => {
    const given = withTopology((t) => {
      t.chaincodes[1].upgradePort = t.chaincodes[0].port;
    });
    expect(() => loadTopology(given)).toThrow(
      /used by both chaincode identity and chaincode medical upgrade/,
    );
    const defaulted = withTopology((t) => {
      delete t.chaincodes[0].upgradePort;
      t.chaincodes[1].port = t.chaincodes[0].port + 100;
    });
    expect(() => loadTopology(defaulted)).toThrow(
      /used by both chaincode identity upgrade and chaincode medical\b/,
    );
    expect(chaincodePorts({ ...loadTopology().chaincodes[0], upgradePort: undefined })).toEqual([7100, 7200]);
  });

  it('refuses duplicate org names, mspIds, peers, orderers and chaincodes, naming each', () => {
    const file = withTopology((t) => {
      t.orgs.push({ ...t.orgs[0], host: '127.0.0.2' }); // same name and mspId, other ports' host
      t.orgs[1].peers.push({ ...t.orgs[1].peers[0], port: 9999, chaincodePort: 9998, operationsPort: 9997 });
      t.orgs[1].orderers.push({ name: 'peer0', port: 9996, adminPort: 9995, operationsPort: 9994 });
      t.chaincodes.push({ ...t.chaincodes[0], port: 9993 });
    });
    const message = (() => {
      try {
        loadTopology(file);
      } catch (err) {
        expect(err).toBeInstanceOf(TopologyError);
        return (err as Error).message;
      }
      return 'accepted';
    })();
    expect(message).toMatch(/duplicate org name city\b/);
    expect(message).toMatch(/duplicate mspId CityMSP\b/);
    expect(message).toMatch(/duplicate peer\/orderer peer0.hospital\b/);
    expect(message).toMatch(/duplicate peer\/orderer peer0.city\b/);
    expect(message).toMatch(/duplicate chaincode name identity\b/);
  });

  it('refuses one duplicate name alone, e.g. an orderer named twice in one org', () => {
    const file = withTopology((t) => {
      const org = t.orgs.find((o) => o.orderers.length > 0)!;
      org.orderers.push({ ...org.orderers[0], port: 9996, adminPort: 9995, operationsPort: 9994 });
    });
    expect(() => loadTopology(file)).toThrow(/duplicate peer\/orderer orderer0\.city$/);
  });
});
