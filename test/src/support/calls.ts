/**
 * Calling any chaincode of the topology as a real identity, the way chaincode-common's serializer expects
 * its arguments (string parameters raw, everything else as JSON): submit waits for the commit on every
 * peer of the channel and throws when the transaction is refused or invalid; evaluate returns the
 * parsed result.
 */
import { randomBytes } from 'node:crypto';
import {
  openSealedResult,
  RESULT_KEY,
  type SealedResult,
} from '@cityledger/chaincode-common/dist/sealed-result';
import { Contract, Status, SubmittedTransaction } from '@hyperledger/fabric-gateway';
import { transient } from './credentials';
import { forgetChainInfo, untilEveryPeerHas } from './heights';
import { channelOf, contractAs, json, TestUser } from './live';

export interface CallOptions {
  /** Each key's value is sent as its UTF-8 JSON. */
  transient?: Record<string, unknown>;
  endorsingOrganizations?: string[];
  /**
   * The transaction answers sealed (metadata `sealed`): a fresh result key goes in the transient map and
   * the answer is opened, as any client of Fabric does it; `result` is the opened answer.
   */
  sealed?: boolean;
}

export interface Committed<T> {
  result: T;
  txId: string;
  blockNumber: bigint;
  /** The answer's bytes as the block holds them (sealed ones unopened). */
  answer: Uint8Array;
}

/** A transaction that did not commit as valid; `code` is the peer's validation code (fabric-protos TxValidationCode). */
export class InvalidAtCommit extends Error {
  constructor(
    readonly transaction: string,
    readonly txId: string,
    readonly code: number,
  ) {
    super(`${transaction} ${txId} invalid at commit: code ${code}`);
    this.name = 'InvalidAtCommit';
  }
}

/** String parameters go as they are, everything else as JSON. */
export const arg = (a: unknown): string => (typeof a === 'string' ? a : JSON.stringify(a));

const contracts = new Map<string, Contract>();

/** One Contract per (user, chaincode), reused across calls. */
export function chaincodeAs(user: TestUser, chaincode: string): Contract {
  const key = `${user.org}/${user.name}/${chaincode}`;
  let contract = contracts.get(key);
  if (!contract) {
    contract = contractAs(user, chaincode);
    contracts.set(key, contract);
  }
  return contract;
}

/** Forgets the cached contracts, and the chain-height ones submits use (call with closeConnections in afterAll). */
export function forgetContracts(): void {
  contracts.clear();
  forgetChainInfo();
}

/**
 * Endorses, orders and waits for the commit; throws the gateway's error when the chaincode refuses.
 * Returns once every org's peer has the block, not only the submitter's: the next call's endorsers
 * (any two orgs) would otherwise simulate on the state before it, and refuse or disagree.
 */
export async function submitAs<T>(
  user: TestUser,
  chaincode: string,
  tx: string,
  args: unknown[],
  options: CallOptions = {},
): Promise<Committed<T>> {
  const call = proposalFor(args, options);
  const submitted = await chaincodeAs(user, chaincode)
    .submitAsync(tx, call.proposal)
    .catch((err: unknown) => Promise.reject(withPeerDetails(err, tx)));
  const status = await settledEverywhere(submitted, chaincode);
  if (!status.successful) throw new InvalidAtCommit(tx, status.transactionId, status.code);
  return {
    result: call.answer(submitted.getResult()) as T,
    answer: submitted.getResult(),
    txId: status.transactionId,
    blockNumber: status.blockNumber,
  };
}

/**
 * A submitted transaction's commit status (valid or not), once every org's peer on the chaincode's
 * channel has its block: the next call may be endorsed or evaluated by any of them.
 */
export async function settledEverywhere(submitted: SubmittedTransaction, chaincode: string): Promise<Status> {
  const status = await submitted.getStatus();
  await untilEveryPeerHas(channelOf(chaincode), status.blockNumber);
  return status;
}

export async function evaluateAs<T>(
  user: TestUser,
  chaincode: string,
  tx: string,
  args: unknown[],
  /** `endorsingOrganizations`: evaluate on a peer of these orgs (e.g. to see what that peer has committed). */
  options: CallOptions = {},
): Promise<T> {
  const call = proposalFor(args, options);
  return call.answer(await chaincodeAs(user, chaincode).evaluate(tx, call.proposal)) as T;
}

/** The proposal's options, and how to read its answer (JSON; opened first when sealed). */
function proposalFor(args: unknown[], options: CallOptions) {
  const resultKey = options.sealed ? randomBytes(32) : undefined;
  const transientData = {
    ...(options.transient ? transient(options.transient) : {}),
    ...(resultKey ? { [RESULT_KEY]: resultKey } : {}),
  };
  return {
    proposal: {
      arguments: args.map(arg),
      ...(Object.keys(transientData).length > 0 ? { transientData } : {}),
      ...(options.endorsingOrganizations ? { endorsingOrganizations: options.endorsingOrganizations } : {}),
    },
    answer: (bytes: Uint8Array): unknown =>
      resultKey ? json(openSealedResult(resultKey, json(bytes) as SealedResult)) : json(bytes),
  };
}

/**
 * fabric-gateway puts each peer's answer in `details`, which a failing test's report does not show:
 * appended to the message (the error stays the same object, so callers reading `details` still can).
 */
function withPeerDetails(err: unknown, tx: string): unknown {
  const details = (err as { details?: { mspId?: string; address?: string; message?: string }[] }).details;
  if (err instanceof Error && details?.length)
    err.message += ` [${tx}: ${details.map((d) => `${d.mspId ?? '?'}@${d.address ?? '?'}: ${d.message ?? ''}`).join('; ')}]`;
  return err;
}
