import { createHash } from 'node:crypto';
import Long from 'long';
import type { ChaincodeResponse, ChaincodeStub, Iterators } from 'fabric-shim-api';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { compareKeys, MAX_UNICODE_RUNE as MAX_RUNE } from '../repository';

const NS = '\u0000';

type Bytes = Uint8Array;

/**
 * Committed world state of one chaincode (one namespace): public keys, private collections (with
 * value hashes), key-level endorsement parameters and the chaincode events of committed transactions.
 */
export class MemoryLedger {
  readonly state = new Map<string, Bytes>();
  readonly validation = new Map<string, Bytes>();
  readonly privateData = new Map<string, Map<string, Bytes>>();
  readonly privateHashes = new Map<string, Map<string, Bytes>>();
  readonly privateValidation = new Map<string, Map<string, Bytes>>();
  /** Keys purged from each collection (their history is gone from the peers that held them). */
  readonly purged = new Map<string, Set<string>>();
  readonly events: { txId: string; name: string; payload: Bytes }[] = [];
  /** Collection name -> member MSP ids; a collection not listed is readable by every peer. */
  readonly collections = new Map<string, string[]>();
  /**
   * The peer's `ledger.state.totalQueryLimit` (core.yaml's 100,000): a query without pagination
   * silently ends after this many records, a paginated one after min(pageSize, this).
   */
  totalQueryLimit = 100_000;

  /** The state value as a string (for assertions), undefined when absent. */
  text(key: string): string | undefined {
    const v = this.state.get(key);
    return v === undefined ? undefined : Buffer.from(v).toString('utf8');
  }
}

/** Handles an invokeChaincode call routed to another (fake) chaincode. */
export type InvokeHandler = (args: string[], caller: MemoryStub) => Promise<ChaincodeResponse>;

export interface StubOptions {
  /** Function name first, as on the wire (e.g. 'credential:IssueCredential'). */
  args: string[];
  creator: { mspid: string; idBytes: Bytes };
  txId?: string;
  channel?: string;
  /** Transaction time, epoch ms. */
  timestamp?: number;
  transient?: Map<string, Bytes>;
  /** MSP of the endorsing peer (getMspID); defaults to the creator's. */
  peerMspId?: string;
  /** `${chaincode}/${channel}` -> handler, for invokeChaincode. */
  routes?: Map<string, InvokeHandler>;
}

type Write = { value: Bytes | null; purge?: boolean };

let txCounter = 0;

/**
 * One transaction's view of a MemoryLedger, with Fabric's semantics: reads see committed state
 * only (no read-your-writes), writes are buffered until `commit`, paginated queries and writes
 * exclude each other, so do private-data range queries and writes, rich queries are refused (LevelDB), the last setEvent wins.
 */
export class MemoryStub {
  readonly writes = new Map<string, Write>();
  readonly privateWrites = new Map<string, Map<string, Write>>();
  readonly validationWrites = new Map<string, Bytes>();
  readonly privateValidationWrites = new Map<string, Map<string, Bytes>>();
  event?: { name: string; payload: Bytes };
  /**
   * Every key a range query's iterator returned, in order. A peer re-runs a writing transaction's
   * range queries when it validates the block, so this is work the whole channel repeats.
   */
  readonly scanned: string[] = [];
  /**
   * Every public range this transaction queried, [start, end): a write of another transaction into
   * one of them is a phantom read that invalidates this one at validation.
   */
  readonly ranges: { start: string; end: string }[] = [];
  /** Every public key this transaction read with getState (its read set's point reads). */
  readonly reads = new Set<string>();
  private paginated = false;
  private pvtQueried = false;
  private wrote = false;
  private readonly txId: string;
  private readonly channel: string;
  private readonly timestamp: number;

  constructor(
    readonly ledger: MemoryLedger,
    private readonly options: StubOptions,
  ) {
    this.txId = options.txId ?? `tx${String(++txCounter).padStart(6, '0')}`;
    this.channel = options.channel ?? 'city';
    this.timestamp = options.timestamp ?? Date.parse('2026-01-01T00:00:00.000Z');
  }

  /** This stub as the shim's ChaincodeStub type. */
  asStub(): ChaincodeStub {
    return this as unknown as ChaincodeStub;
  }

  // --- arguments, identity, time --------------------------------------------------------------
  getBufferArgs(): Buffer[] {
    return this.options.args.map((a) => Buffer.from(a, 'utf8'));
  }
  getArgs(): string[] {
    return [...this.options.args];
  }
  getStringArgs(): string[] {
    return [...this.options.args];
  }
  getFunctionAndParameters(): { fcn: string; params: string[] } {
    const [fcn = '', ...params] = this.options.args;
    return { fcn, params };
  }
  getTxID(): string {
    return this.txId;
  }
  getChannelID(): string {
    return this.channel;
  }
  getCreator(): { mspid: string; idBytes: Bytes } {
    return this.options.creator;
  }
  getMspID(): string {
    return this.options.peerMspId ?? this.options.creator.mspid;
  }
  getTransient(): Map<string, Bytes> {
    return new Map(this.options.transient ?? []);
  }
  getTxTimestamp(): { seconds: Long; nanos: number } {
    return {
      seconds: Long.fromNumber(Math.floor(this.timestamp / 1000), true),
      nanos: (this.timestamp % 1000) * 1_000_000,
    };
  }
  getDateTimestamp(): Date {
    return new Date(this.timestamp);
  }

  // --- keys -----------------------------------------------------------------------------------
  createCompositeKey(objectType: string, attributes: string[]): string {
    for (const part of [objectType, ...attributes]) {
      if (part.includes(NS) || part.includes(MAX_RUNE))
        throw new Error(`input contains unicode ${JSON.stringify(part)} starting with U+0000 or U+10FFFF`);
    }
    return NS + objectType + NS + attributes.map((a) => a + NS).join('');
  }
  splitCompositeKey(key: string): { objectType: string | null; attributes: string[] } {
    if (!key.startsWith(NS)) return { objectType: null, attributes: [] };
    const parts = key.substring(1).split(NS);
    return { objectType: parts[0], attributes: parts.slice(1, -1) };
  }

  // --- public state ---------------------------------------------------------------------------
  async getState(key: string): Promise<Bytes> {
    this.reads.add(key);
    return this.ledger.state.get(key) ?? Buffer.alloc(0);
  }
  async putState(key: string, value: Bytes): Promise<void> {
    this.beforeWrite(key);
    if (!value || value.length === 0) throw new Error(`value for key ${key} is empty`);
    this.writes.set(key, { value: Buffer.from(value) });
  }
  async deleteState(key: string): Promise<void> {
    this.beforeWrite(key);
    this.writes.set(key, { value: null });
  }
  async setStateValidationParameter(key: string, ep: Bytes): Promise<void> {
    this.beforeWrite(key);
    this.validationWrites.set(key, Buffer.from(ep));
  }
  async getStateValidationParameter(key: string): Promise<Bytes> {
    return this.ledger.validation.get(key) ?? Buffer.alloc(0);
  }
  async getStateByRange(startKey: string, endKey: string): Promise<Iterators.StateQueryIterator> {
    simpleKeysOnly(startKey, endKey);
    return this.iterator(this.publicRange(startKey || '\u0001', endKey || MAX_RUNE));
  }
  async getStateByPartialCompositeKey(
    objectType: string,
    attributes: string[],
  ): Promise<Iterators.StateQueryIterator> {
    const prefix = this.createCompositeKey(objectType, attributes);
    return this.iterator(this.publicRange(prefix, prefix + MAX_RUNE));
  }
  async getStateByRangeWithPagination(startKey: string, endKey: string, pageSize: number, bookmark = '') {
    simpleKeysOnly(startKey, endKey);
    // As the peer: a page starts at the bookmark, whatever the range asked for.
    return this.paginate(this.range(this.ledger.state, bookmark || startKey || '\u0001', endKey || MAX_RUNE), pageSize);
  }
  async getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark = '',
  ) {
    const prefix = this.createCompositeKey(objectType, attributes);
    return this.paginate(this.range(this.ledger.state, bookmark || prefix, prefix + MAX_RUNE), pageSize);
  }
  async getQueryResult(): Promise<never> {
    throw new Error('ExecuteQuery not supported for leveldb');
  }
  async getQueryResultWithPagination(): Promise<never> {
    throw new Error('ExecuteQuery not supported for leveldb');
  }

  // --- private data ---------------------------------------------------------------------------
  async getPrivateData(collection: string, key: string): Promise<Bytes> {
    this.assertMember(collection);
    return this.ledger.privateData.get(collection)?.get(key) ?? Buffer.alloc(0);
  }
  async getPrivateDataHash(collection: string, key: string): Promise<Bytes> {
    return this.ledger.privateHashes.get(collection)?.get(key) ?? Buffer.alloc(0);
  }
  async putPrivateData(collection: string, key: string, value: Bytes): Promise<void> {
    this.beforeWrite(key);
    if (!value || value.length === 0) throw new Error(`value for key ${key} is empty`);
    this.privateWrite(collection).set(key, { value: Buffer.from(value) });
  }
  async deletePrivateData(collection: string, key: string): Promise<void> {
    this.beforeWrite(key);
    this.privateWrite(collection).set(key, { value: null });
  }
  /** Like delete, and the value's history is removed from the peers that hold it. */
  async purgePrivateData(collection: string, key: string): Promise<void> {
    this.beforeWrite(key);
    this.privateWrite(collection).set(key, { value: null, purge: true });
  }
  async setPrivateDataValidationParameter(collection: string, key: string, ep: Bytes): Promise<void> {
    this.beforeWrite(key);
    const m = this.privateValidationWrites.get(collection) ?? new Map<string, Bytes>();
    m.set(key, Buffer.from(ep));
    this.privateValidationWrites.set(collection, m);
  }
  async getPrivateDataValidationParameter(collection: string, key: string): Promise<Bytes> {
    return this.ledger.privateValidation.get(collection)?.get(key) ?? Buffer.alloc(0);
  }
  async getPrivateDataByRange(
    collection: string,
    startKey: string,
    endKey: string,
  ): Promise<Iterators.StateQueryIterator> {
    this.assertMember(collection);
    this.beforePrivateQuery();
    return this.privateAnswer(
      this.range(this.ledger.privateData.get(collection), startKey || '\u0001', endKey || MAX_RUNE),
    );
  }
  async getPrivateDataByPartialCompositeKey(
    collection: string,
    objectType: string,
    attributes: string[],
  ): Promise<Iterators.StateQueryIterator> {
    this.assertMember(collection);
    this.beforePrivateQuery();
    const prefix = this.createCompositeKey(objectType, attributes);
    return this.privateAnswer(this.range(this.ledger.privateData.get(collection), prefix, prefix + MAX_RUNE));
  }
  async getPrivateDataQueryResult(): Promise<never> {
    throw new Error('ExecuteQuery not supported for leveldb');
  }

  // --- events and other chaincodes ------------------------------------------------------------
  setEvent(name: string, payload: Bytes): void {
    if (!name) throw new Error('Event name must be a non-empty string');
    this.event = { name, payload: Buffer.from(payload) };
  }
  async invokeChaincode(chaincodeName: string, args: string[], channel: string): Promise<ChaincodeResponse> {
    const target = `${chaincodeName}/${channel || this.channel}`;
    const handler = this.options.routes?.get(target);
    if (!handler) throw new Error(`chaincode ${target} not found`);
    return handler(args, this);
  }

  // --- commit ---------------------------------------------------------------------------------
  /** Every key this transaction writes (values, deletions, endorsement parameters), public and private. */
  writtenKeys(): { collection?: string; key: string }[] {
    const keys = new Map<string, { collection?: string; key: string }>();
    for (const key of [...this.writes.keys(), ...this.validationWrites.keys()])
      keys.set(`\u0000${key}`, { key });
    for (const source of [this.privateWrites, this.privateValidationWrites]) {
      for (const [collection, m] of source)
        for (const key of m.keys()) keys.set(`${collection}\u0000${key}`, { collection, key });
    }
    return [...keys.values()];
  }

  /**
   * The orgs a key-level policy requires for each written key, from the committed endorsement
   * parameters (a parameter set in this transaction applies from the next one, as in Fabric).
   */
  requiredEndorsers(): { collection?: string; key: string; orgs: string[] }[] {
    return this.writtenKeys().flatMap(({ collection, key }) => {
      const ep = collection
        ? this.ledger.privateValidation.get(collection)?.get(key)
        : this.ledger.validation.get(key);
      return ep && ep.length > 0 ? [{ collection, key, orgs: new KeyEndorsementPolicy(ep).listOrgs() }] : [];
    });
  }

  /** Applies the buffered writes and the event to the ledger. */
  commit(): void {
    for (const [key, w] of this.writes) {
      if (w.value) this.ledger.state.set(key, w.value);
      else this.ledger.state.delete(key);
    }
    for (const [key, ep] of this.validationWrites) this.ledger.validation.set(key, ep);
    for (const [collection, m] of this.privateWrites) {
      const data = mapIn(this.ledger.privateData, collection);
      const hashes = mapIn(this.ledger.privateHashes, collection);
      for (const [key, w] of m) {
        if (w.value) {
          data.set(key, w.value);
          hashes.set(key, createHash('sha256').update(w.value).digest());
        } else {
          data.delete(key);
          hashes.delete(key);
          if (w.purge) {
            const purged = this.ledger.purged.get(collection) ?? new Set<string>();
            purged.add(key);
            this.ledger.purged.set(collection, purged);
          }
        }
      }
    }
    for (const [collection, m] of this.privateValidationWrites) {
      const target = mapIn(this.ledger.privateValidation, collection);
      for (const [key, ep] of m) target.set(key, ep);
    }
    if (this.event) this.ledger.events.push({ txId: this.txId, ...this.event });
  }

  // --- internals ------------------------------------------------------------------------------
  private beforeWrite(key: string): void {
    if (!key) throw new Error('key must not be empty');
    if (this.paginated)
      throw new Error('txmgr: writes are not allowed in a transaction that ran a paginated query');
    if (this.pvtQueried)
      throw new Error(
        `txid [${this.txId}]: Transaction has already performed queries on pvt data. Writes are not allowed`,
      );
    this.wrote = true;
  }

  /** As Fabric's transaction simulator: range queries on private data only in read-only transactions. */
  private beforePrivateQuery(): void {
    if (this.wrote)
      throw new Error(
        `txid [${this.txId}]: unsuppored transaction. Queries on pvt data is supported only in a read-only transaction`,
      );
    this.pvtQueried = true;
  }

  private privateWrite(collection: string): Map<string, Write> {
    return mapIn(this.privateWrites, collection);
  }

  private assertMember(collection: string): void {
    const members = this.ledger.collections.get(collection);
    if (members && !members.includes(this.getMspID())) {
      throw new Error(
        `private data of collection ${collection} is not available on a peer of ${this.getMspID()}`,
      );
    }
  }

  private iterator(items: Iterators.KV[]): Iterators.StateQueryIterator {
    return iterator(items.slice(0, this.ledger.totalQueryLimit), this.scanned);
  }

  /**
   * fabric-shim 2.5.8 resolves private-data queries to `{iterator, metadata}` although its typings say
   * iterator: the stub answers the same way, so code that trusts the typings fails here as it does live.
   */
  private privateAnswer(items: Iterators.KV[]): Iterators.StateQueryIterator {
    return { iterator: this.iterator(items) } as unknown as Iterators.StateQueryIterator;
  }

  private publicRange(start: string, end: string): Iterators.KV[] {
    this.ranges.push({ start, end });
    return this.range(this.ledger.state, start, end);
  }

  private range(source: Map<string, Bytes> | undefined, start: string, end: string): Iterators.KV[] {
    // A real peer's LevelDB panics (the peer process dies) on a range that starts after its end.
    if (compareKeys(start, end) > 0)
      throw new Error(`leveldb: range starts after its end (${JSON.stringify(start)} > ${JSON.stringify(end)}): a peer crashes on this`);
    return [...(source ?? new Map<string, Bytes>()).entries()]
      .filter(([k]) => k >= start && k < end)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ namespace: 'memory', key, value }));
  }

  private paginate(from: Iterators.KV[], pageSize: number) {
    if (this.wrote) throw new Error('txmgr: paginated queries are not allowed in a transaction with writes');
    this.paginated = true;
    const page = from.slice(0, Math.min(pageSize, this.ledger.totalQueryLimit));
    // As LevelDB: the bookmark is the key that follows the page, '' when the range is exhausted.
    const next = from[page.length];
    // As fabric-shim: an empty page's metadata (count 0, bookmark '') encodes to zero bytes, which the
    // shim reads as no metadata at all.
    if (page.length === 0) return { iterator: this.iterator(page), metadata: undefined };
    return {
      iterator: this.iterator(page),
      metadata: { fetchedRecordsCount: page.length, bookmark: next ? next.key : '' },
    };
  }
}

/** As fabric-shim: public ranges are over simple keys only; composite keys are read by prefix. */
function simpleKeysOnly(...keys: string[]): void {
  for (const key of keys)
    if (key.startsWith(NS))
      throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
}

function mapIn<V>(outer: Map<string, Map<string, V>>, name: string): Map<string, V> {
  let inner = outer.get(name);
  if (!inner) {
    inner = new Map<string, V>();
    outer.set(name, inner);
  }
  return inner;
}

function iterator(items: Iterators.KV[], scanned: string[]): Iterators.StateQueryIterator {
  let i = 0;
  let closed = false;
  return {
    async next() {
      if (closed) throw new Error('iterator closed');
      if (i >= items.length) return { done: true } as Iterators.NextResult<Iterators.KV>;
      scanned.push(items[i].key);
      // As fabric-shim: the last result comes with done = true, so a loop that stops at `done` without
      // taking its value misses it, here as on a peer.
      const value = items[i++];
      return { value, done: i >= items.length };
    },
    async close() {
      closed = true;
    },
  };
}
