import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { channelHeight, channelPeers, Network } from '@cityledger/network';

/**
 * How much the network has served before a run. Figures from an aged network are not comparable
 * with a fresh one's: after a few days of benchmarks (38,000 blocks, a 4 GB gateway database) the
 * same code committed identity issuance at 148 tx/s where a fresh network took 198.
 */
export interface NetworkAge {
  /** Blocks per channel (its first peer's height). */
  blocks: Record<string, number | null>;
  ledgersGiB: number;
  gatewayGiB: number;
}

export async function networkAge(network: Network): Promise<NetworkAge> {
  const blocks: Record<string, number | null> = {};
  for (const channel of network.topology.channels) {
    const peer = channelPeers(network.topology, channel)[0];
    blocks[channel.name] = peer ? await channelHeight(network.paths, peer, channel.name).catch(() => null) : null;
  }
  const gib = (dir: string) => Math.round((bytesUnder(path.join(network.paths.state, dir)) / 2 ** 30) * 100) / 100;
  return { blocks, ledgersGiB: gib('ledgers'), gatewayGiB: gib('gateway') };
}

export function describeAge(age: NetworkAge): string {
  const chains = Object.entries(age.blocks).map(([ch, n]) => `${ch} ${n === null ? '?' : n.toLocaleString('en')} blocks`);
  return `network age: ${chains.join(', ')}; ledgers ${age.ledgersGiB} GiB, gateway database ${age.gatewayGiB} GiB`;
}

function bytesUnder(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += bytesUnder(p);
    else if (e.isFile()) total += statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}
