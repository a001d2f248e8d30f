/**
 * The gateway's only view of Fabric. The real adapter (adapter.ts) speaks @hyperledger/fabric-gateway;
 * unit tests use FakeFabric. Everything above this interface is Fabric-SDK-free.
 */

/** An enrolled identity able to sign for its org. Private key material never leaves the gateway process. */
export interface SigningIdentity {
  /** Stable id used to cache connections (the gateway's user id). */
  id: string;
  org: string;
  mspId: string;
  certificate: string;
  privateKey: string;
}

/** Users whose signing identity and Fabric connections stay cached in memory (least recently used go). */
export const IDENTITY_CACHE_SIZE = 2000;

export interface ProposalSpec {
  channel: string;
  chaincode: string;
  /** Fully qualified transaction name, e.g. "ClaimContract:FileClaim". */
  transaction: string;
  args: string[];
  /** Private inputs: never stored in the block, never logged. */
  transient?: Record<string, Uint8Array>;
  endorsingOrgs?: string[];
  /** The transaction answers sealed under a result key (sealed-result.ts); evaluates only. */
  sealed?: boolean;
}

/** An endorsed transaction, not yet signed for ordering nor sent: either journal its bytes or send it. */
export interface EndorsedTx {
  txId: string;
  result: Uint8Array;
  /** Signs it; the bytes can be submitted later, by this or a restarted process. */
  signedBytes(): Promise<Uint8Array>;
  /**
   * Signs and sends it now (the same as `submit` of its signed bytes): for a transaction nobody will
   * resume, it skips encoding the envelope to bytes and decoding it again.
   */
  send(): Promise<SubmittedTx>;
}

export interface SubmittedTx {
  txId: string;
  /** A commit status request that can be rebuilt after a restart to learn the outcome. */
  commitBytes: Uint8Array;
}

export interface CommitOutcome {
  txId: string;
  blockNumber: bigint;
  /** Fabric validation code (0 = VALID) and its name. */
  code: number;
  codeName: string;
  successful: boolean;
}

export interface ChaincodeEventRecord {
  blockNumber: bigint;
  txId: string;
  chaincode: string;
  eventName: string;
  payload: Uint8Array;
}

/** Resume point: the last event fully processed. */
export interface EventCheckpoint {
  blockNumber: bigint;
  txId?: string;
}

export interface EventStream extends AsyncIterable<ChaincodeEventRecord> {
  close(): void;
}

/** The validation outcome of every transaction in one block. */
export interface BlockOutcomes {
  blockNumber: bigint;
  txs: Array<{ txId: string; code: number }>;
}

export interface BlockOutcomeStream extends AsyncIterable<BlockOutcomes> {
  close(): void;
}

export interface PeerHealth {
  org: string;
  peer: string;
  endpoint: string;
  ready: boolean;
  error?: string;
}

export interface FabricPort {
  evaluate(identity: SigningIdentity, spec: ProposalSpec): Promise<Uint8Array>;
  /** Endorse and sign: nothing reaches the orderer yet. */
  endorse(identity: SigningIdentity, spec: ProposalSpec): Promise<EndorsedTx>;
  /** Send a signed transaction to the orderer. Resubmitting the same bytes never commits twice. */
  submit(identity: SigningIdentity, channel: string, txBytes: Uint8Array): Promise<SubmittedTx>;
  commitStatus(identity: SigningIdentity, channel: string, commitBytes: Uint8Array): Promise<CommitOutcome>;
  chaincodeEvents(
    identity: SigningIdentity,
    channel: string,
    chaincode: string,
    after?: EventCheckpoint,
  ): Promise<EventStream>;
  /** Transaction outcomes block by block, from the newest block (delivered first) onwards. */
  blockOutcomes(identity: SigningIdentity, channel: string): Promise<BlockOutcomeStream>;
  health(org: string): Promise<PeerHealth[]>;
  close(): void;
}

/** Fabric validation code names (peer.TxValidationCode), for readable errors. */
const VALIDATION_CODES: Record<number, string> = {
  0: 'VALID', 1: 'NIL_ENVELOPE', 2: 'BAD_PAYLOAD', 3: 'BAD_COMMON_HEADER', 4: 'BAD_CREATOR_SIGNATURE',
  5: 'INVALID_ENDORSER_TRANSACTION', 6: 'INVALID_CONFIG_TRANSACTION', 7: 'UNSUPPORTED_TX_PAYLOAD',
  8: 'BAD_PROPOSAL_TXID', 9: 'DUPLICATE_TXID', 10: 'ENDORSEMENT_POLICY_FAILURE', 11: 'MVCC_READ_CONFLICT',
  12: 'PHANTOM_READ_CONFLICT', 13: 'UNKNOWN_TX_TYPE', 14: 'TARGET_CHAIN_NOT_FOUND', 15: 'MARSHAL_TX_ERROR',
  16: 'NIL_TXACTION', 17: 'EXPIRED_CHAINCODE', 18: 'CHAINCODE_VERSION_CONFLICT', 19: 'BAD_HEADER_EXTENSION',
  20: 'BAD_CHANNEL_HEADER', 21: 'BAD_RESPONSE_PAYLOAD', 22: 'BAD_RWSET', 23: 'ILLEGAL_WRITESET',
  24: 'INVALID_WRITESET', 25: 'INVALID_CHAINCODE', 254: 'NOT_VALIDATED', 255: 'INVALID_OTHER_REASON',
};
export const validationCodeName = (code: number) => VALIDATION_CODES[code] ?? `CODE_${code}`;

/**
 * A copy of a transaction already in the ledger (the same signed bytes resubmitted): it says nothing of
 * the outcome, which is the first instance's (what CommitStatus reports for the txId).
 */
export const DUPLICATE_TXID = 9;
export const MVCC_READ_CONFLICT = 11;
export const PHANTOM_READ_CONFLICT = 12;
