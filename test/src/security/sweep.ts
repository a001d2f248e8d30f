/**
 * Trying a transaction as an identity and classifying the answer. The sweep only asks for endorsement:
 * that is where the chaincode decides, and an endorsement that succeeds is already an accepted
 * unauthorized call (the failure the suite looks for) — without ordering anything onto the shared ledger.
 */
import { arg, chaincodeAs } from '../support/calls';
import { transient } from '../support/credentials';
import { chaincodeError } from '../support/errors';
import { TransactionMetadata } from '../support/metadata';
import { TestUser } from '../support/live';

export type Outcome =
  /** The chaincode endorsed it: accepted. */
  | { kind: 'accepted' }
  /** The chaincode refused with a coded error. */
  | { kind: 'coded'; code: string; message: string; details?: Record<string, unknown> }
  /** Fabric refused before the chaincode (e.g. the caller's org is not a member of the channel). */
  | { kind: 'network'; message: string };

export interface Attempt {
  args: unknown[];
  transient?: Record<string, unknown>;
}

export async function tryEndorse(
  user: TestUser,
  chaincode: string,
  tx: TransactionMetadata,
  attempt: Attempt,
): Promise<Outcome> {
  try {
    const proposal = chaincodeAs(user, chaincode).newProposal(tx.id, {
      arguments: attempt.args.map(arg),
      ...(attempt.transient ? { transientData: transient(attempt.transient) } : {}),
      ...(tx.endorsers ? { endorsingOrganizations: tx.endorsers } : {}),
    });
    await proposal.endorse();
    return { kind: 'accepted' };
  } catch (err) {
    const coded = chaincodeError(err);
    if (coded) return { kind: 'coded', code: coded.code, message: coded.message, details: coded.details };
    return { kind: 'network', message: (err as Error).message };
  }
}

/** Runs `work` over `items` with at most `limit` in flight (the machine is shared). */
export async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}
