import { peer } from '@hyperledger/fabric-protos';
import { createRequire } from 'node:module';

const BATCHING = Symbol.for('cityledger.write-batching');

/** Message types fabric-shim 2.5.8's protos do not name (Fabric 3.1's chaincode_shim.proto). */
const READY = 4;
const WRITE_BATCH_STATE = 24;
/** What a batch holds at most when the peer offers batching without a size (fabric-chaincode-go's default). */
const DEFAULT_MAX_BATCH = 100;

/** A message of the stream between the peer and fabric-shim, as fabric-shim's protos decode it. */
export interface ShimStreamMessage {
  getType(): number;
  getPayload_asU8(): Uint8Array;
}

interface ShimStream {
  on(event: 'data', listener: (message: ShimStreamMessage) => void): unknown;
  removeListener(event: 'data', listener: (message: ShimStreamMessage) => void): unknown;
}

/** The message class fabric-shim's stream serializes (it refuses any other class). */
export interface ShimMessageClass {
  new (): {
    setType(type: number): void;
    setPayload(payload: Uint8Array): void;
    setTxid(txId: string): void;
    setChannelId(channelId: string): void;
  };
}

/** fabric-shim's ChaincodeMessageHandler: one per peer connection, shared by every stub it creates. */
export interface ShimHandler {
  _stream: ShimStream;
  chat(starter: unknown): unknown;
  _askPeerAndListen(message: unknown, method: string): Promise<unknown>;
  handlePutState(
    collection: string,
    key: string,
    value: Uint8Array,
    channelId: string,
    txId: string,
  ): Promise<unknown>;
  handleDeleteState(collection: string, key: string, channelId: string, txId: string): Promise<unknown>;
  handlePurgeState(collection: string, key: string, channelId: string, txId: string): Promise<unknown>;
  handlePutStateMetadata(
    collection: string,
    key: string,
    metakey: string,
    value: Uint8Array,
    channelId: string,
    txId: string,
  ): Promise<unknown>;
}

export interface ShimHandlerClass {
  prototype: ShimHandler & { [BATCHING]?: true };
}

/** What every ChaincodeStub of fabric-shim carries: the handler of its connection. */
interface StubWithHandler {
  handler?: ShimHandler;
  getChannelID(): string;
  getTxID(): string;
}

/** The writes of one transaction, the last per key and kind (a key's value and its metadata apart). */
type Batch = Map<string, peer.WriteRecord>;

/** Handlers whose peer offered write batching in its READY message, with the size it takes. */
const offers = new WeakMap<ShimHandler, number>();
/** Open batches per handler, by channel and transaction (a handler runs many transactions at once). */
const open = new WeakMap<ShimHandler, Map<string, Batch>>();

const shimRequire = () => createRequire(require.resolve('fabric-shim/package.json'));

/** fabric-shim's ChaincodeMessageHandler class. */
export const shimHandlerClass = (): ShimHandlerClass =>
  (shimRequire()('./lib/handler.js') as { ChaincodeMessageHandler: ShimHandlerClass })
    .ChaincodeMessageHandler;

/** The ChaincodeMessage class of the protos fabric-shim itself loads. */
export const shimMessageClass = (): ShimMessageClass =>
  (shimRequire()('@hyperledger/fabric-protos') as { peer: { ChaincodeMessage: ShimMessageClass } }).peer
    .ChaincodeMessage;

const transactionKey = (channelId: string, txId: string) => `${channelId}\u0000${txId}`;
const writeKey = (collection: string, key: string) => `${collection}\u0000${key}`;

function batchOf(handler: ShimHandler, channelId: string, txId: string): Batch | undefined {
  return open.get(handler)?.get(transactionKey(channelId, txId));
}

function record(
  type: peer.WriteRecord.TypeMap[keyof peer.WriteRecord.TypeMap],
  collection: string,
  key: string,
): peer.WriteRecord {
  const write = new peer.WriteRecord();
  write.setType(type);
  write.setCollection(collection);
  write.setKey(key);
  return write;
}

/**
 * Every key a chaincode writes costs a round trip to the peer (a message each way, both sides
 * encoding and decoding it), and each transaction runs on two endorsing peers: a medical submission
 * writes eight keys, most other writes two or three. Fabric 3.1 peers take all of a transaction's
 * writes in one WRITE_BATCH_STATE message and say so when a chaincode connects (READY's
 * ChaincodeAdditionalParams, `chaincode.runtimeParams.useWriteBatch` in core.yaml, on by default);
 * fabric-chaincode-go batches since then, fabric-shim 2.5.8 — the newest Node shim — does not
 * (fabric-chaincode-node#453). This brings the Go shim's behaviour to fabric-shim:
 *
 * - the handler notes, per connection, whether the peer offered batching and the batch size it takes;
 * - between `startWriteBatch(stub)` and `finishWriteBatch(stub)`, the stub's writes (state and private
 *   data puts, deletes, purges, validation parameters) are kept, the last per key, and
 *   `finishWriteBatch` sends them in as few messages as the peer's size allows;
 * - a peer that offered nothing (Fabric before 3.1, or batching switched off) gets each write at once,
 *   as before, and so does every write outside a batch.
 *
 * Reads are not affected: Fabric never shows a transaction its own writes, so a read after a kept
 * write returns what it returned before. What changes is when a refused write fails: at
 * `finishWriteBatch` instead of at the write, still inside the transaction. Idempotent.
 */
export function batchShimWrites(Handler: ShimHandlerClass = shimHandlerClass()): void {
  const proto = Handler.prototype;
  if (proto[BATCHING]) return;

  const chat = proto.chat;
  proto.chat = function (this: ShimHandler, starter: unknown) {
    const stream = this._stream;
    const listen = (message: ShimStreamMessage) => {
      if (message.getType() !== READY) return;
      stream.removeListener('data', listen);
      const params = peer.ChaincodeAdditionalParams.deserializeBinary(message.getPayload_asU8());
      if (params.getUseWriteBatch()) offers.set(this, params.getMaxSizeWriteBatch() || DEFAULT_MAX_BATCH);
    };
    stream.on('data', listen);
    return chat.call(this, starter);
  };

  const { PUT_STATE, DEL_STATE, PURGE_PRIVATE_DATA, PUT_STATE_METADATA } = peer.WriteRecord.Type;
  const putState = proto.handlePutState;
  proto.handlePutState = function (this: ShimHandler, collection, key, value, channelId, txId) {
    const batch = batchOf(this, channelId, txId);
    if (!batch) return putState.call(this, collection, key, value, channelId, txId);
    const write = record(PUT_STATE, collection, key);
    write.setValue(value);
    batch.set(writeKey(collection, key), write);
    return Promise.resolve();
  };
  // Deleting and purging name a key and nothing else.
  const keyOnly = (
    send: ShimHandler['handleDeleteState'],
    type: typeof DEL_STATE | typeof PURGE_PRIVATE_DATA,
  ) =>
    function (this: ShimHandler, collection: string, key: string, channelId: string, txId: string) {
      const batch = batchOf(this, channelId, txId);
      if (!batch) return send.call(this, collection, key, channelId, txId);
      batch.set(writeKey(collection, key), record(type, collection, key));
      return Promise.resolve();
    };
  proto.handleDeleteState = keyOnly(proto.handleDeleteState, DEL_STATE);
  proto.handlePurgeState = keyOnly(proto.handlePurgeState, PURGE_PRIVATE_DATA);
  const putMetadata = proto.handlePutStateMetadata;
  proto.handlePutStateMetadata = function (
    this: ShimHandler,
    collection,
    key,
    metakey,
    value,
    channelId,
    txId,
  ) {
    const batch = batchOf(this, channelId, txId);
    if (!batch) return putMetadata.call(this, collection, key, metakey, value, channelId, txId);
    const metadata = new peer.StateMetadata();
    metadata.setMetakey(metakey);
    metadata.setValue(value);
    const write = record(PUT_STATE_METADATA, collection, key);
    write.setMetadata(metadata);
    // A key's value and its metadata are separate writes: keep one of each.
    batch.set(`${writeKey(collection, key)}\u0000metadata`, write);
    return Promise.resolve();
  };

  proto[BATCHING] = true;
}

/** Keeps the stub's writes from here on when its peer takes batches; otherwise does nothing. */
export function startWriteBatch(stub: StubWithHandler): void {
  const handler = stub.handler;
  if (!handler || !offers.has(handler)) return;
  let batches = open.get(handler);
  if (!batches) open.set(handler, (batches = new Map()));
  const key = transactionKey(stub.getChannelID(), stub.getTxID());
  if (!batches.has(key)) batches.set(key, new Map());
}

/** Ends the stub's batch without sending it (the transaction failed: its writes do not matter). */
export function discardWriteBatch(stub: StubWithHandler): Batch | undefined {
  const handler = stub.handler;
  const batches = handler && open.get(handler);
  if (!batches) return undefined;
  const key = transactionKey(stub.getChannelID(), stub.getTxID());
  const batch = batches.get(key);
  batches.delete(key);
  return batch;
}

/** Sends the writes kept since `startWriteBatch`, in messages of at most the peer's batch size. */
export async function finishWriteBatch(
  stub: StubWithHandler,
  Message: ShimMessageClass = shimMessageClass(),
): Promise<void> {
  const batch = discardWriteBatch(stub);
  const handler = stub.handler;
  if (!batch || batch.size === 0 || !handler) return;
  const writes = [...batch.values()];
  const size = offers.get(handler) ?? DEFAULT_MAX_BATCH;
  for (let from = 0; from < writes.length; from += size) {
    const state = new peer.WriteBatchState();
    state.setRecList(writes.slice(from, from + size));
    const message = new Message();
    message.setType(WRITE_BATCH_STATE);
    message.setPayload(state.serializeBinary());
    message.setTxid(stub.getTxID());
    message.setChannelId(stub.getChannelID());
    // The shim's queue sends one message of a transaction at a time and settles it with the peer's
    // RESPONSE, or rejects it with the peer's ERROR text (a refused write).
    await handler._askPeerAndListen(message, 'WriteBatchState');
  }
}
