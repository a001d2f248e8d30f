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

export interface ReceivedEvent {
  transactionId: string;
  blockNumber: bigint;
  eventName: string;
  payload: Buffer;
}

/**
 * The chaincode events of the transactions `txIds`, read from `startBlock` on; stops when all were seen, or
 * after `waitMs` without them (the answer then lacks the missing ones, for the caller's assertion to show).
 */
export async function chaincodeEventsOf(
  user: TestUser,
  channel: string,
  chaincode: string,
  startBlock: bigint,
  txIds: string[],
  waitMs = 30000,
): Promise<Map<string, ReceivedEvent>> {
  const events = await connectAs(user).getNetwork(channel).getChaincodeEvents(chaincode, { startBlock });
  const found = new Map<string, ReceivedEvent>();
  const timer = setTimeout(() => events.close(), waitMs);
  try {
    for await (const e of events) {
      if (txIds.includes(e.transactionId)) {
        found.set(e.transactionId, {
          transactionId: e.transactionId,
          blockNumber: e.blockNumber,
          eventName: e.eventName,
          payload: Buffer.from(e.payload),
        });
      }
      if (found.size === txIds.length) break;
    }
  } catch (err) {
    // Closing the stream on time-out cancels the call; anything else is a real failure.
    if (!/CANCELLED/i.test(String((err as Error).message))) throw err;
  } finally {
    clearTimeout(timer);
    events.close();
  }
  return found;
}
