import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { connect, Gateway, hash } from '@hyperledger/fabric-gateway';
import type { ChaincodeEvent, Checkpoint, Contract, Transaction } from '@hyperledger/fabric-gateway';
import { LRUCache } from 'lru-cache';
import { OrgConfig, PeerConfig } from '../config';
import {
  BlockOutcomeStream,
  CommitOutcome,
  EndorsedTx,
  EventCheckpoint,
  EventStream,
  FabricPort,
  IDENTITY_CACHE_SIZE,
  PeerHealth,
  ProposalSpec,
  SigningIdentity,
  SubmittedTx,
  validationCodeName,
} from './port';
import { newLowSSigner } from './signer';

export interface Timeouts {
  evaluate: number;
  endorse: number;
  submit: number;
  commitStatus: number;
  connect: number;
}

const UNAVAILABLE = 14;

interface PeerClient {
  org: string;
  peer: PeerConfig;
  client: grpc.Client;
}

/**
 * FabricPort over @hyperledger/fabric-gateway. One gRPC client per peer endpoint, shared by every
 * identity; one Gateway connection per (identity, peer), cached (connections are cheap views over the
 * shared client, but creating one per request leaks). Calls go to the org's first peer and fail over to
 * the next on UNAVAILABLE; a peer that comes back is used again as soon as its channel reconnects.
 */
export class FabricGatewayAdapter implements FabricPort {
  private readonly peersByOrg = new Map<string, PeerClient[]>();
  // Bounded: a gateway serving thousands of users keeps connections only for the recently active ones
  // (an evicted connection is closed; the shared gRPC client stays).
  private readonly gateways = new LRUCache<string, Gateway>({ max: IDENTITY_CACHE_SIZE, dispose: (gw) => gw.close() });
  private readonly signers = new LRUCache<string, ReturnType<typeof newLowSSigner>>({ max: IDENTITY_CACHE_SIZE });

  constructor(
    orgs: OrgConfig[],
    private readonly timeouts: Timeouts,
    readFile: (file: string) => Buffer = (f) => readFileSync(f),
  ) {
    for (const org of orgs) {
      this.peersByOrg.set(
        org.name,
        org.peers.map((peer) => ({
          org: org.name,
          peer,
          client: new grpc.Client(peer.endpoint, grpc.credentials.createSsl(readFile(peer.tlsCaFile)), {
            'grpc.ssl_target_name_override': peer.hostAlias,
            'grpc.default_authority': peer.hostAlias,
            // Reconnect quickly when a peer returns, so requests recover by themselves.
            'grpc.initial_reconnect_backoff_ms': 250,
            'grpc.max_reconnect_backoff_ms': 5000,
            'grpc.keepalive_time_ms': 60000,
          }),
        })),
      );
    }
  }

  async evaluate(identity: SigningIdentity, spec: ProposalSpec): Promise<Uint8Array> {
    return this.withPeer(identity, (gw) =>
      contractOf(gw, spec.channel, spec.chaincode).evaluate(spec.transaction, proposalOptions(spec)),
    );
  }

  async endorse(identity: SigningIdentity, spec: ProposalSpec): Promise<EndorsedTx> {
    return this.withPeer(identity, async (gw) => {
      const proposal = contractOf(gw, spec.channel, spec.chaincode).newProposal(spec.transaction, proposalOptions(spec));
      const tx = await proposal.endorse();
      return {
        txId: tx.getTransactionId(),
        result: tx.getResult(),
        // The library signs lazily, on submit: bytes to journal carry their signature already.
        signedBytes: async () => gw.newSignedTransaction(tx.getBytes(), await this.signer(identity)(tx.getDigest())).getBytes(),
        send: () => this.sendEndorsed(identity, spec.channel, tx),
      };
    });
  }

  /** Sends on the connection that endorsed it; another peer of the org gets it as bytes if that one is down. */
  private async sendEndorsed(identity: SigningIdentity, channel: string, tx: Transaction): Promise<SubmittedTx> {
    try {
      const submitted = await tx.submit();
      return { txId: submitted.getTransactionId(), commitBytes: submitted.getBytes() };
    } catch (err) {
      if ((err as { code?: number }).code !== UNAVAILABLE) throw err;
      // Signed by then (submit signs before it sends): its bytes go as they are.
      return this.submit(identity, channel, tx.getBytes());
    }
  }

  async submit(identity: SigningIdentity, _channel: string, txBytes: Uint8Array): Promise<SubmittedTx> {
    return this.withPeer(identity, async (gw) => {
      const submitted = await gw.newTransaction(txBytes).submit();
      return { txId: submitted.getTransactionId(), commitBytes: submitted.getBytes() };
    });
  }

  async commitStatus(identity: SigningIdentity, _channel: string, commitBytes: Uint8Array): Promise<CommitOutcome> {
    return this.withPeer(identity, async (gw) => {
      const status = await gw.newCommit(commitBytes).getStatus();
      return {
        txId: status.transactionId,
        blockNumber: status.blockNumber,
        code: status.code,
        codeName: validationCodeName(status.code),
        successful: status.successful,
      };
    });
  }

  async chaincodeEvents(identity: SigningIdentity, channel: string, chaincode: string, after?: EventCheckpoint): Promise<EventStream> {
    return this.withPeer(identity, async (gw) => {
      const checkpoint: Checkpoint | undefined = after
        ? { getBlockNumber: () => after.blockNumber, getTransactionId: () => after.txId }
        : undefined;
      const events = await gw
        .getNetwork(channel)
        .getChaincodeEvents(chaincode, checkpoint ? { checkpoint } : { startBlock: 0n });
      return {
        close: () => events.close(),
        async *[Symbol.asyncIterator]() {
          for await (const e of events as AsyncIterable<ChaincodeEvent>) {
            yield { blockNumber: e.blockNumber, txId: e.transactionId, chaincode: e.chaincodeName, eventName: e.eventName, payload: e.payload };
          }
        },
      };
    });
  }

  async blockOutcomes(identity: SigningIdentity, channel: string): Promise<BlockOutcomeStream> {
    return this.withPeer(identity, async (gw) => {
      // Filtered blocks: transaction ids and validation codes only, no payloads.
      const blocks = await gw.getNetwork(channel).getFilteredBlockEvents();
      return {
        close: () => blocks.close(),
        async *[Symbol.asyncIterator]() {
          for await (const b of blocks) {
            yield {
              blockNumber: BigInt(b.getNumber()),
              txs: b.getFilteredTransactionsList().map((t) => ({ txId: t.getTxid(), code: t.getTxValidationCode() })),
            };
          }
        },
      };
    });
  }

  async health(org: string): Promise<PeerHealth[]> {
    const peers = this.peersByOrg.get(org) ?? [];
    return Promise.all(
      peers.map(
        (p) =>
          new Promise<PeerHealth>((resolve) => {
            p.client.waitForReady(Date.now() + this.timeouts.connect, (err) =>
              resolve({ org, peer: p.peer.name, endpoint: p.peer.endpoint, ready: !err, ...(err ? { error: err.message } : {}) }),
            );
          }),
      ),
    );
  }

  close(): void {
    this.gateways.clear(); // closes each (dispose)
    for (const peers of this.peersByOrg.values()) for (const p of peers) p.client.close();
  }

  /** Runs `fn` on the identity's org peers in order, failing over on UNAVAILABLE only. */
  private async withPeer<T>(identity: SigningIdentity, fn: (gw: Gateway) => Promise<T>): Promise<T> {
    const peers = this.peersByOrg.get(identity.org);
    if (!peers || peers.length === 0) throw new Error(`this gateway does not serve org ${identity.org}`);
    let lastError: unknown;
    for (const p of orderByReadiness(peers)) {
      try {
        return await fn(this.gateway(identity, p));
      } catch (err) {
        lastError = err;
        if ((err as { code?: number }).code !== UNAVAILABLE) throw err;
      }
    }
    throw lastError;
  }

  private gateway(identity: SigningIdentity, p: PeerClient): Gateway {
    const key = `${identity.id}\u0000${identity.certificate.length}\u0000${p.peer.endpoint}`;
    let gw = this.gateways.get(key);
    if (!gw) {
      const t = this.timeouts;
      const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
      gw = connect({
        client: p.client,
        identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificate) },
        signer: this.signer(identity),
        hash: hash.none,
        evaluateOptions: deadline(t.evaluate),
        endorseOptions: deadline(t.endorse),
        submitOptions: deadline(t.submit),
        commitStatusOptions: deadline(t.commitStatus),
      });
      this.gateways.set(key, gw);
    }
    return gw;
  }

  private signer(identity: SigningIdentity) {
    const key = `${identity.id}\u0000${identity.certificate.length}`;
    let s = this.signers.get(key);
    if (!s) {
      s = newLowSSigner(identity.privateKey);
      this.signers.set(key, s);
    }
    return s;
  }

  /** Drops cached connections of an identity (key rotation, revocation). */
  forget(identityId: string): void {
    const own = (key: string) => key.startsWith(`${identityId}\u0000`);
    for (const key of [...this.gateways.keys()].filter(own)) this.gateways.delete(key); // closes it (dispose)
    for (const key of [...this.signers.keys()].filter(own)) this.signers.delete(key);
  }
}

// A connection's contracts, made once: every request would otherwise build a Network and a Contract
// object for the same channel and chaincode. Weak, so they go with their (LRU-evicted) connection.
const contracts = new WeakMap<Gateway, Map<string, Contract>>();

function contractOf(gw: Gateway, channel: string, chaincode: string): Contract {
  let byName = contracts.get(gw);
  if (!byName) contracts.set(gw, (byName = new Map()));
  const key = `${channel}\u0000${chaincode}`;
  let contract = byName.get(key);
  if (!contract) byName.set(key, (contract = gw.getNetwork(channel).getContract(chaincode)));
  return contract;
}

/** Peers whose channel is READY or IDLE first, in configured order, so a dead first peer costs nothing. */
function orderByReadiness(peers: PeerClient[]): PeerClient[] {
  const ok = (p: PeerClient) => {
    const state = p.client.getChannel().getConnectivityState(false);
    return state !== grpc.connectivityState.TRANSIENT_FAILURE && state !== grpc.connectivityState.SHUTDOWN;
  };
  return [...peers.filter(ok), ...peers.filter((p) => !ok(p))];
}

function proposalOptions(spec: ProposalSpec) {
  return {
    arguments: spec.args,
    ...(spec.transient ? { transientData: spec.transient } : {}),
    ...(spec.endorsingOrgs ? { endorsingOrganizations: spec.endorsingOrgs } : {}),
  };
}
