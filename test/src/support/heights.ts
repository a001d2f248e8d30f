/**
 * Read-your-writes across orgs. A submit returns once its block is committed on the submitter's own peer;
 * the other orgs' peers commit it a moment later. A test that then reads, or has a transaction endorsed, on
 * another org's peer may see the state before it (a stale read, or endorsements that disagree). These
 * helpers wait, through the system chaincode qscc, until every peer of a channel holds a given block.
 */
import { Contract } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { connectAs, network, orgAdmin, TestUser } from './live';

const qsccs = new Map<string, Contract>();
function qscc(user: TestUser, channel: string): Contract {
  const key = `${user.org}/${user.name}/${channel}`;
  let contract = qsccs.get(key);
  if (!contract) {
    contract = connectAs(user).getNetwork(channel).getContract('qscc');
    qsccs.set(key, contract);
  }
  return contract;
}

/** The height (number of blocks) of `channel` on `user`'s own org peer. */
export async function chainHeight(user: TestUser, channel: string): Promise<bigint> {
  const bytes = await qscc(user, channel).evaluateTransaction('GetChainInfo', channel);
  return BigInt(common.BlockchainInfo.deserializeBinary(bytes).getHeight());
}

/** Every org's peer on `channel` has committed block `blockNumber`; throws after `timeoutMs`. */
export async function untilEveryPeerHas(
  channel: string,
  blockNumber: bigint,
  timeoutMs = 30000,
): Promise<void> {
  const spec = network().topology.channels.find((c) => c.name === channel);
  if (!spec) throw new Error(`no channel ${channel} in the topology`);
  const deadline = Date.now() + timeoutMs;
  const pending = new Map<string, string>(spec.orgs.map((o) => [o, 'not asked']));
  while (pending.size > 0) {
    for (const org of [...pending.keys()]) {
      try {
        const height = await chainHeight(orgAdmin(org), channel);
        if (height > blockNumber) pending.delete(org);
        else pending.set(org, `at height ${height}`);
      } catch (err) {
        // A peer busy for a moment (e.g. installing a chaincode) answers later; the deadline decides.
        pending.set(org, `unreachable: ${(err as Error).message}`);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const behind = [...pending].map(([o, h]) => `${o} ${h}`).join('; ');
      throw new Error(
        `block ${blockNumber} of ${channel} not on every peer within ${timeoutMs} ms: ${behind}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Forgets the cached qscc contracts (call with closeConnections in afterAll). */
export function forgetChainInfo(): void {
  qsccs.clear();
}
