/**
 * The network foundation on the live network: every process healthy, every chaincode committed and
 * answering the Fabric CLI as each org's admin, and medical data kept off the port authority's peer.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { channelOrderers, retry } from '@cityledger/network';
import { ensureNetwork, network, peerCli, peerOf } from '../support/live';

beforeAll(async () => {
  await ensureNetwork();
});

describe('the running network', () => {
  it('runs every CA, orderer and peer of the topology, each healthy on its operations endpoint', async () => {
    const report = await network().status();
    const fabricNodes = report.processes.filter((p) => /^(ca\.|orderer|peer)/.test(p.process));
    expect(fabricNodes.length).toBeGreaterThanOrEqual(4 + 3 + 4);
    for (const p of fabricNodes)
      expect({ process: p.process, health: p.health }).toEqual({ process: p.process, health: 'OK' });
  });

  it('has every peer of each channel at the same height', async () => {
    // Gossip and delivery may lag by a block for a moment: allow them a few seconds to agree.
    await retry(
      'peers agreeing on channel heights',
      async () => {
        const { heights } = await network().status();
        for (const channel of network().topology.channels) {
          const onChannel = new Set(heights.filter((h) => h.channel === channel.name).map((h) => h.height));
          if (onChannel.size !== 1 || onChannel.has(undefined))
            throw new Error(`${channel.name}: ${[...onChannel]}`);
        }
      },
      10000,
    );
  });

  it("reports each channel's members and consenters as the topology lists them", async () => {
    const { members } = await network().status();
    const t = network().topology;
    expect(members).toEqual(
      t.channels.map((ch) => ({
        channel: ch.name,
        orgs: ch.orgs.map((name) => t.orgs.find((o) => o.name === name)!.mspId).sort(),
        consenters: channelOrderers(t, ch)
          .map((o) => o.address)
          .sort(),
      })),
    );
  });

  it.each(network().topology.chaincodes.map((cc) => [cc.name, cc.channel] as const))(
    'serves chaincode %s on channel %s to `peer chaincode query` as every member org admin',
    async (name, channelName) => {
      const channel = network().topology.channels.find((c) => c.name === channelName)!;
      const committed = await peerCli(channel.orgs[0], [
        'lifecycle',
        'chaincode',
        'querycommitted',
        '-C',
        channelName,
      ]);
      expect(committed).toContain(`Name: ${name},`);
      for (const org of channel.orgs) {
        const out = await peerCli(org, [
          'chaincode',
          'query',
          '-C',
          channelName,
          '-n',
          name,
          '-c',
          JSON.stringify({ function: 'org.hyperledger.fabric:GetMetadata', Args: [] }),
        ]);
        const metadata = JSON.parse(out) as { contracts: Record<string, unknown> };
        expect(Object.keys(metadata.contracts).length).toBeGreaterThan(0);
      }
    },
  );

  it("keeps the health channel, and so all medical data, off the port authority's peer", async () => {
    const joined = await peerCli('port', ['channel', 'list']);
    expect(joined).toContain('city');
    expect(joined).not.toContain('health');
    const chains = path.join(network().paths.ledger(peerOf('port').id), 'ledgersData', 'chains', 'chains');
    // The port peer's block store holds the city channel's chain and nothing of health.
    expect(readdirSync(chains)).toEqual(['city']);
  });
});
