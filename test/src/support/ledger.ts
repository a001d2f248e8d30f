/**
 * Reading the ledger itself (not world state) on the live network: a block's raw bytes through the
 * system chaincode qscc, as a channel member.
 */
import { connectAs, TestUser } from './live';

/** The serialised common.Block number `blockNumber` of `channel`, as `user` sees it on its org's peer. */
export async function fetchBlock(user: TestUser, channel: string, blockNumber: bigint): Promise<Buffer> {
  const qscc = connectAs(user).getNetwork(channel).getContract('qscc');
  const bytes = await qscc.evaluateTransaction('GetBlockByNumber', channel, blockNumber.toString());
  return Buffer.from(bytes);
}
