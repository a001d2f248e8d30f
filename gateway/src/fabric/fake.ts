import { createHash, randomBytes } from 'node:crypto';
import {
  BlockOutcomes,
  BlockOutcomeStream,
  ChaincodeEventRecord,
  CommitOutcome,
  DUPLICATE_TXID,
  EndorsedTx,
  EventCheckpoint,
  EventStream,
  FabricPort,
  PeerHealth,
  ProposalSpec,
  SigningIdentity,
  SubmittedTx,
  validationCodeName,
} from './port';

/**
 * An in-memory FabricPort for unit tests (and demos without a network): transactions are handled by
 * registered functions, every call is recorded, and failures can be scripted per stage.
 */
export type Handler = (call: { args: string[]; transient?: Record<string, Uint8Array>; identity: SigningIdentity }) => unknown;

interface PendingTx {
  spec: ProposalSpec;
  identity: SigningIdentity;
  result: Uint8Array;
  event?: { name: string; payload: unknown };
}

export class FakeFabric implements FabricPort {
  readonly handlers = new Map<string, Handler>();
  readonly calls: Array<{ kind: string; identity: string; spec?: ProposalSpec; txId?: string }> = [];
  /** Validation codes to return for the next commits (e.g. 11 = MVCC_READ_CONFLICT). */
  readonly commitCodes: number[] = [];
  /**
   * Errors to throw at the next call of a stage. `submitAfterOrdering`: the transaction reaches ordering
   * (and commits) but the submit call still fails, as when its reply is lost (DEADLINE_EXCEEDED).
   */
  readonly failures: { evaluate: unknown[]; endorse: unknown[]; submit: unknown[]; submitAfterOrdering: unknown[]; commitStatus: unknown[] } = {
    evaluate: [],
    endorse: [],
    submit: [],
    submitAfterOrdering: [],
    commitStatus: [],
  };
  /** Promises the next endorsements wait for before they answer (one held while another process retries). */
  readonly holds: { endorse: Array<Promise<unknown>> } = { endorse: [] };
  readonly events: ChaincodeEventRecord[] = [];
  healthy = true;
  private block = 10n;
  private readonly pending = new Map<string, PendingTx>();
  private readonly committed = new Map<string, CommitOutcome>();
  private readonly listeners = new Set<() => void>();
  /** Blocks cut so far (one per first submission), for blockOutcomes. */
  private readonly blocks: BlockOutcomes[] = [];

  /** Registers a transaction; a handler may return `{ result, event }` to emit a chaincode event on commit. */
  on(chaincode: string, transaction: string, handler: Handler): this {
    this.handlers.set(`${chaincode}:${transaction}`, handler);
    return this;
  }

  submittedCount(): number {
    return this.calls.filter((c) => c.kind === 'submit').length;
  }

  private invoke(identity: SigningIdentity, spec: ProposalSpec): { result: Uint8Array; event?: PendingTx['event'] } {
    const handler = this.handlers.get(`${spec.chaincode}:${spec.transaction}`);
    if (!handler) throw Object.assign(new Error('10 ABORTED: failed to endorse'), { name: 'EndorseError', code: 10, details: [{ address: 'peer0', mspId: identity.mspId, message: `chaincode response 500, Unknown function ${spec.transaction}` }] });
    const out = handler({ args: spec.args, transient: spec.transient, identity });
    const withEvent = out && typeof out === 'object' && 'event' in (out as object) ? (out as { result?: unknown; event: PendingTx['event'] }) : undefined;
    const value = withEvent ? withEvent.result : out;
    const result = value === undefined ? new Uint8Array() : new Uint8Array(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
    return { result, event: withEvent?.event };
  }

  evaluate(identity: SigningIdentity, spec: ProposalSpec): Promise<Uint8Array> {
    this.calls.push({ kind: 'evaluate', identity: identity.id, spec });
    const f = this.failures.evaluate.shift();
    if (f) return Promise.reject(f);
    try {
      return Promise.resolve(this.invoke(identity, spec).result);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  endorse(identity: SigningIdentity, spec: ProposalSpec): Promise<EndorsedTx> {
    const f = this.failures.endorse.shift();
    const txId = randomBytes(32).toString('hex');
    this.calls.push({ kind: 'endorse', identity: identity.id, spec, txId });
    const hold = this.holds.endorse.shift();
    if (hold) return hold.then(() => this.endorsed(identity, spec, txId, f));
    return this.endorsed(identity, spec, txId, f);
  }

  private endorsed(identity: SigningIdentity, spec: ProposalSpec, txId: string, f: unknown): Promise<EndorsedTx> {
    if (f) return Promise.reject(f);
    try {
      const { result, event } = this.invoke(identity, spec);
      this.pending.set(txId, { spec, identity, result, event });
      const bytes = new Uint8Array(Buffer.from(`tx:${txId}`));
      const signedBytes = () => {
        this.calls.push({ kind: 'signedBytes', identity: identity.id, txId });
        return Promise.resolve(bytes);
      };
      return Promise.resolve({ txId, result, signedBytes, send: () => this.submit(identity, spec.channel, bytes) });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  submit(identity: SigningIdentity, _channel: string, txBytes: Uint8Array): Promise<SubmittedTx> {
    const txId = Buffer.from(txBytes).toString().replace(/^tx:/, '');
    this.calls.push({ kind: 'submit', identity: identity.id, txId });
    const f = this.failures.submit.shift();
    if (f) return Promise.reject(f);
    // Like Fabric: the first submission of a txId decides its outcome (CommitStatus reports it); a copy
    // sent again is ordered too, into a later block, and marked DUPLICATE_TXID there.
    const blockNumber = ++this.block;
    if (this.committed.has(txId)) {
      this.blocks.push({ blockNumber, txs: [{ txId, code: DUPLICATE_TXID }] });
      for (const l of this.listeners) l();
    } else {
      const code = this.commitCodes.shift() ?? 0;
      const p = this.pending.get(txId);
      this.committed.set(txId, { txId, blockNumber, code, codeName: validationCodeName(code), successful: code === 0 });
      this.blocks.push({ blockNumber, txs: [{ txId, code }] });
      for (const l of this.listeners) l();
      if (code === 0 && p?.event) this.emit({ blockNumber, txId, chaincode: p.spec.chaincode, eventName: p.event.name, payload: new Uint8Array(Buffer.from(JSON.stringify(p.event.payload))) });
    }
    const lost = this.failures.submitAfterOrdering.shift();
    if (lost) return Promise.reject(lost);
    return Promise.resolve({ txId, commitBytes: new Uint8Array(Buffer.from(`commit:${txId}`)) });
  }

  commitStatus(identity: SigningIdentity, _channel: string, commitBytes: Uint8Array): Promise<CommitOutcome> {
    const txId = Buffer.from(commitBytes).toString().replace(/^commit:/, '');
    this.calls.push({ kind: 'commitStatus', identity: identity.id, txId });
    const f = this.failures.commitStatus.shift();
    if (f) return Promise.reject(f);
    const outcome = this.committed.get(txId);
    if (!outcome) return Promise.reject(Object.assign(new Error('4 DEADLINE_EXCEEDED'), { name: 'CommitStatusError', code: 4, transactionId: txId, details: [] }));
    return Promise.resolve(outcome);
  }

  /** Appends a chaincode event as if a block had been committed. */
  emit(e: ChaincodeEventRecord): void {
    this.events.push(e);
    for (const l of this.listeners) l();
  }

  chaincodeEvents(identity: SigningIdentity, _channel: string, chaincode: string, after?: EventCheckpoint): Promise<EventStream> {
    this.calls.push({ kind: 'events', identity: identity.id });
    // Resume semantics of fabric-gateway checkpoints: skip events up to and including the checkpointed one.
    let index = 0;
    if (after) {
      const pos = this.events.findIndex((e) => e.chaincode === chaincode && e.txId === after.txId);
      index = pos >= 0 ? pos + 1 : this.events.findIndex((e) => e.blockNumber > after.blockNumber);
      if (index < 0) index = this.events.length;
    }
    return Promise.resolve(this.tail(this.events, index, (e) => e.chaincode === chaincode));
  }

  blockOutcomes(identity: SigningIdentity): Promise<BlockOutcomeStream> {
    this.calls.push({ kind: 'blocks', identity: identity.id });
    // Like Fabric's deliver service from "newest": the current block first, then each new one.
    return Promise.resolve(this.tail(this.blocks, this.blocks.length, () => true, { blockNumber: this.block, txs: [] }));
  }

  /** A stream over an append-only list from `index` on, woken by every append, until closed. */
  private tail<T>(items: T[], index: number, keep: (item: T) => boolean, first?: T): AsyncIterable<T> & { close(): void } {
    let closed = false;
    let wake: (() => void) | undefined;
    const listener = () => wake?.();
    const listeners = this.listeners;
    listeners.add(listener);
    return {
      close() {
        closed = true;
        listeners.delete(listener);
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        if (first) yield first;
        while (!closed) {
          while (index < items.length && !closed) {
            const item = items[index++];
            if (keep(item)) yield item;
          }
          if (closed) break;
          await new Promise<void>((r) => (wake = r));
        }
      },
    };
  }

  health(org: string): Promise<PeerHealth[]> {
    return Promise.resolve([{ org, peer: 'peer0', endpoint: 'fake:0', ready: this.healthy, ...(this.healthy ? {} : { error: 'down' }) }]);
  }

  close(): void {
    for (const l of this.listeners) l();
  }
}

/** A throwaway identity for tests. */
export function fakeIdentity(org: string, mspId: string, name = 'user'): SigningIdentity {
  return { id: `${org}:${name}`, org, mspId, certificate: `cert-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`, privateKey: 'unused' };
}

/** A chaincode error as Fabric delivers it: JSON inside a peer detail message. */
export function chaincodeError(code: string, message: string, details: Record<string, unknown> = {}, txId?: string): Error {
  return Object.assign(new Error('10 ABORTED: failed to endorse transaction, see attached details for more info'), {
    name: 'EndorseError',
    code: 10,
    transactionId: txId ?? 'tx-refused',
    details: [{ address: '127.0.0.1:7051', mspId: 'CityMSP', message: `chaincode response 500, ${JSON.stringify({ code, details, message })}` }],
  });
}
