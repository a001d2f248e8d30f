/**
 * Walking a channel's whole ledger through qscc (GetChainInfo, GetBlockByNumber), e.g. to prove that a
 * value never reached any block. Blocks are scanned as raw bytes: whatever encoding a leak took inside the
 * protobuf envelope (argument, write set, event, result), its UTF-8 text is in those bytes.
 */
import { fetchBlock } from './ledger';
import { chainHeight } from './heights';
import { TestUser } from './live';

export interface BlockHit {
  needle: string;
  blockNumber: bigint;
}

/** Every block of `channel` from genesis to `height - 1` searched for each needle's UTF-8 bytes. */
export async function searchBlocks(
  user: TestUser,
  channel: string,
  needles: string[],
  height?: bigint,
): Promise<{ scanned: bigint; hits: BlockHit[] }> {
  const top = height ?? (await chainHeight(user, channel));
  const hits: BlockHit[] = [];
  const patterns = needles.map((n) => ({ needle: n, bytes: Buffer.from(n, 'utf8') }));
  for (let n = 0n; n < top; n++) {
    const block = await fetchBlock(user, channel, n);
    for (const p of patterns) if (block.includes(p.bytes)) hits.push({ needle: p.needle, blockNumber: n });
  }
  return { scanned: top, hits };
}
