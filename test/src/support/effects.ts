/**
 * What a committed transaction did to world state, read from the ledger itself (qscc
 * GetTransactionByID): its validation code, the keys it read and wrote per chaincode namespace, and its
 * chaincode event. Lets a test prove "this transaction changed nothing" or sum what it posted, without
 * trusting the chaincode's own summary of it.
 */
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { connectAs, TestUser } from './live';

export interface KeyWrite {
  key: string;
  isDelete: boolean;
  value: Buffer;
}

/** A range query the transaction ran (what each peer runs again when it validates the block). */
export interface RangeRead {
  startKey: string;
  endKey: string;
  /** The keys it returned, when the peer kept them (small ranges; a large one keeps Merkle hashes). */
  keys?: string[];
}

export interface NamespaceEffects {
  namespace: string;
  reads: string[];
  ranges: RangeRead[];
  writes: KeyWrite[];
}

export interface TransactionEffects {
  txId: string;
  /** Name of the peer's validation code, e.g. VALID, MVCC_READ_CONFLICT. */
  validation: string;
  namespaces: NamespaceEffects[];
  /** The chaincode event, if the transaction set one. */
  event?: { name: string; payload: Buffer };
}

const codeNames = new Map(
  Object.entries(peer.TxValidationCode).map(([name, value]) => [value as number, name]),
);

function rangeRead(query: ledger.rwset.kvrwset.RangeQueryInfo): RangeRead {
  const raw = query.getRawReads();
  return {
    startKey: query.getStartKey(),
    endKey: query.getEndKey(),
    ...(raw ? { keys: raw.getKvReadsList().map((r) => r.getKey()) } : {}),
  };
}

/** The effects of transaction `txId` on `channel`, as `user` (a channel member) reads them from its org's peer. */
export async function transactionEffects(
  user: TestUser,
  channel: string,
  txId: string,
): Promise<TransactionEffects> {
  const qscc = connectAs(user).getNetwork(channel).getContract('qscc');
  const processed = peer.ProcessedTransaction.deserializeBinary(
    await qscc.evaluateTransaction('GetTransactionByID', channel, txId),
  );
  const envelope = processed.getTransactionenvelope();
  if (!envelope) throw new Error(`transaction ${txId} has no envelope`);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const namespaces: NamespaceEffects[] = [];
  let event: TransactionEffects['event'];
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (!endorsed) continue;
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(
      endorsed.getProposalResponsePayload_asU8(),
    );
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
    const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const ns of rwset.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      namespaces.push({
        namespace: ns.getNamespace(),
        reads: kv.getReadsList().map((r) => r.getKey()),
        ranges: kv.getRangeQueriesInfoList().map(rangeRead),
        writes: kv.getWritesList().map((w) => ({
          key: w.getKey(),
          isDelete: w.getIsDelete(),
          value: Buffer.from(w.getValue_asU8()),
        })),
      });
    }
    const eventBytes = chaincodeAction.getEvents_asU8();
    if (eventBytes.length > 0) {
      const e = peer.ChaincodeEvent.deserializeBinary(eventBytes);
      if (e.getEventName()) event = { name: e.getEventName(), payload: Buffer.from(e.getPayload_asU8()) };
    }
  }
  const code = processed.getValidationcode();
  return { txId, validation: codeNames.get(code) ?? `CODE_${code}`, namespaces, ...(event ? { event } : {}) };
}

/** The writes of one namespace (a chaincode), or none. */
export const writesIn = (effects: TransactionEffects, namespace: string): KeyWrite[] =>
  effects.namespaces.filter((n) => n.namespace === namespace).flatMap((n) => n.writes);

/** The range queries one namespace (a chaincode) ran, or none. */
export const rangesIn = (effects: TransactionEffects, namespace: string): RangeRead[] =>
  effects.namespaces.filter((n) => n.namespace === namespace).flatMap((n) => n.ranges);

/** A composite key (`\u0000objectType\u0000part\u0000…\u0000`) split into its object type and parts. */
export function splitCompositeKey(key: string): { objectType: string; parts: string[] } | undefined {
  if (!key.startsWith('\u0000')) return undefined;
  const [objectType, ...parts] = key.slice(1, -1).split('\u0000');
  return { objectType, parts };
}
