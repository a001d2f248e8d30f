import { peer } from '@hyperledger/fabric-protos';
import { EventEmitter } from 'node:events';
import { ChaincodeStub } from 'fabric-shim';
import { createRequire } from 'node:module';
import {
  ShimHandlerClass,
  ShimStreamMessage,
  batchShimWrites,
  discardWriteBatch,
  finishWriteBatch,
  shimHandlerClass,
  shimMessageClass,
  startWriteBatch,
} from './shim-write-batch';

/** A message as fabric-shim's protos decode it off the stream. */
const streamMessage = (type: number, payload: Uint8Array = new Uint8Array()): ShimStreamMessage => ({
  getType: () => type,
  getPayload_asU8: () => payload,
});

const ready = (useWriteBatch: boolean, maxSize = 0) => {
  const params = new peer.ChaincodeAdditionalParams();
  params.setUseWriteBatch(useWriteBatch);
  params.setMaxSizeWriteBatch(maxSize);
  return streamMessage(peer.ChaincodeMessage.Type.READY, params.serializeBinary());
};

interface Written {
  type: number;
  collection: string;
  key: string;
  value: string;
  metadata?: string;
}

interface Sent {
  type: number;
  txId: string;
  channelId: string;
  records: Written[];
}

const written = (r: peer.WriteRecord): Written => {
  const metadata = r.getMetadata();
  return {
    type: r.getType(),
    collection: r.getCollection(),
    key: r.getKey(),
    value: Buffer.from(r.getValue_asU8()).toString(),
    ...(metadata && {
      metadata: `${metadata.getMetakey()}=${Buffer.from(metadata.getValue_asU8()).toString()}`,
    }),
  };
};

/** Stands in for fabric-shim's ChaincodeMessageHandler: records what reaches the peer, and how. */
class FakeHandler {
  readonly _stream = new EventEmitter();
  readonly direct: string[] = [];
  readonly batches: Sent[] = [];
  refusal?: string;

  chat(): void {}

  async _askPeerAndListen(
    message: { getType(): number; getPayload_asU8(): Uint8Array; getTxid(): string; getChannelId(): string },
    method: string,
  ): Promise<Buffer> {
    expect(method).toBe('WriteBatchState');
    expect(message).toBeInstanceOf(shimMessageClass());
    if (this.refusal) throw new Error(this.refusal);
    this.batches.push({
      type: message.getType(),
      txId: message.getTxid(),
      channelId: message.getChannelId(),
      records: peer.WriteBatchState.deserializeBinary(message.getPayload_asU8()).getRecList().map(written),
    });
    return Buffer.alloc(0);
  }

  async handlePutState(collection: string, key: string, value: Uint8Array): Promise<void> {
    this.direct.push(`put ${collection}/${key}=${Buffer.from(value).toString()}`);
  }
  async handleDeleteState(collection: string, key: string): Promise<void> {
    this.direct.push(`delete ${collection}/${key}`);
  }
  async handlePurgeState(collection: string, key: string): Promise<void> {
    this.direct.push(`purge ${collection}/${key}`);
  }
  async handlePutStateMetadata(collection: string, key: string, metakey: string): Promise<void> {
    this.direct.push(`metadata ${collection}/${key} ${metakey}`);
  }
}

batchShimWrites(FakeHandler as unknown as ShimHandlerClass);

/** A connection whose peer sent `readyMessage`, and fabric-shim's real stub for one transaction on it. */
function connect(readyMessage: ShimStreamMessage) {
  const handler = new FakeHandler();
  handler.chat();
  handler._stream.emit('data', readyMessage);
  const stub = (txId: string) => new Stub(handler, 'city', txId, new (shimInput())());
  return { handler, stub };
}

// fabric-shim's typings give ChaincodeStub no constructor; a peer connection builds one per transaction.
const Stub = ChaincodeStub as unknown as new (
  handler: FakeHandler,
  channelId: string,
  txId: string,
  input: unknown,
) => ChaincodeStub;

const shimInput = () =>
  (
    createRequire(require.resolve('fabric-shim/package.json'))('@hyperledger/fabric-protos') as {
      peer: { ChaincodeInput: new () => unknown };
    }
  ).peer.ChaincodeInput;

const { PUT_STATE, DEL_STATE, PURGE_PRIVATE_DATA, PUT_STATE_METADATA } = peer.WriteRecord.Type;

describe('batchShimWrites', () => {
  it("sends a transaction's writes in one WRITE_BATCH_STATE message, the last write per key", async () => {
    const { handler, stub } = connect(ready(true, 1000));
    const tx = stub('tx1');
    startWriteBatch(tx);
    await tx.putState('a', Buffer.from('first'));
    await tx.putState('a', Buffer.from('second'));
    await tx.deleteState('b');
    await tx.putPrivateData('values', 'c', Buffer.from('secret'));
    await tx.purgePrivateData('values', 'd');
    await tx.setStateValidationParameter('a', Buffer.from('policy'));
    expect(handler.direct).toEqual([]);
    expect(handler.batches).toEqual([]);

    await finishWriteBatch(tx);
    expect(handler.direct).toEqual([]);
    expect(handler.batches).toHaveLength(1);
    const [sent] = handler.batches;
    expect(sent).toMatchObject({
      type: peer.ChaincodeMessage.Type.WRITE_BATCH_STATE,
      txId: 'tx1',
      channelId: 'city',
    });
    expect(sent.records).toEqual([
      { type: PUT_STATE, collection: '', key: 'a', value: 'second' },
      { type: DEL_STATE, collection: '', key: 'b', value: '' },
      { type: PUT_STATE, collection: 'values', key: 'c', value: 'secret' },
      { type: PURGE_PRIVATE_DATA, collection: 'values', key: 'd', value: '' },
      {
        type: PUT_STATE_METADATA,
        collection: '',
        key: 'a',
        value: '',
        metadata: 'VALIDATION_PARAMETER=policy',
      },
    ]);

    // The batch is gone: a second finish sends nothing, later writes go straight to the peer.
    await finishWriteBatch(tx);
    await tx.putState('e', Buffer.from('late'));
    expect(handler.batches).toHaveLength(1);
    expect(handler.direct).toEqual(['put /e=late']);
  });

  it('splits a batch at the size the peer takes', async () => {
    const { handler, stub } = connect(ready(true, 2));
    const tx = stub('tx1');
    startWriteBatch(tx);
    for (const key of ['a', 'b', 'c', 'd', 'e']) await tx.putState(key, Buffer.from(key));
    await finishWriteBatch(tx);
    expect(handler.batches.map((b) => b.records.map((r) => r.key))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('writes at once, as before, when the peer offers no batching', async () => {
    for (const offer of [ready(false), streamMessage(peer.ChaincodeMessage.Type.READY)]) {
      const { handler, stub } = connect(offer);
      const tx = stub('tx1');
      startWriteBatch(tx);
      await tx.putState('a', Buffer.from('1'));
      await tx.deleteState('b');
      await finishWriteBatch(tx);
      expect(handler.direct).toEqual(['put /a=1', 'delete /b']);
      expect(handler.batches).toEqual([]);
    }
  });

  it('keeps each transaction of a connection apart', async () => {
    const { handler, stub } = connect(ready(true));
    const [one, two, other] = [stub('tx1'), stub('tx2'), stub('tx3')];
    startWriteBatch(one);
    startWriteBatch(two);
    await one.putState('a', Buffer.from('1'));
    await two.putState('a', Buffer.from('2'));
    await other.putState('a', Buffer.from('3')); // no batch started: straight to the peer
    await finishWriteBatch(two);
    await finishWriteBatch(one);
    expect(handler.direct).toEqual(['put /a=3']);
    expect(handler.batches.map((b) => `${b.txId}:${b.records[0].value}`)).toEqual(['tx2:2', 'tx1:1']);
  });

  it("drops a failed transaction's writes and passes a peer's refusal on", async () => {
    const { handler, stub } = connect(ready(true));
    const failed = stub('tx1');
    startWriteBatch(failed);
    await failed.putState('a', Buffer.from('1'));
    expect(discardWriteBatch(failed)?.size).toBe(1);
    await finishWriteBatch(failed);
    expect(handler.batches).toEqual([]);

    handler.refusal =
      'tx creator does not have write access permission on privatedata in chaincodeName:medical';
    const refused = stub('tx2');
    startWriteBatch(refused);
    await refused.putPrivateData('values', 'c', Buffer.from('secret'));
    await expect(finishWriteBatch(refused)).rejects.toThrow('does not have write access permission');
  });

  it("patches fabric-shim's own handler once", () => {
    batchShimWrites();
    const chat = shimHandlerClass().prototype.chat;
    batchShimWrites();
    expect(shimHandlerClass().prototype.chat).toBe(chat);
  });
});
