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

export interface ProposalSpec {
  channel: string;
  chaincode: string;
  /** Fully qualified transaction name, e.g. "ClaimContract:FileClaim". */
  transaction: string;
  args: string[];
  /** Private inputs: never stored in the block, never logged. */
  transient?: Record<string, Uint8Array>;
  endorsingOrgs?: string[];
}

/** An endorsed, signed transaction: `bytes` can be submitted later, by this or a restarted process. */
export interface EndorsedTx {
  txId: string;
  result: Uint8Array;
  bytes: Uint8Array;
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
  health(org: string): Promise<PeerHealth[]>;
  close(): void;
}

export const MVCC_READ_CONFLICT = 11;
export const PHANTOM_READ_CONFLICT = 12;
