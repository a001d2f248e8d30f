import { Context, Contract } from 'fabric-contract-api';
import { notFound, toChaincodeError } from './errors';
import { flushEvents } from './events';
import { discardWriteBatch, finishWriteBatch, startWriteBatch } from './shim-write-batch';

const running = new WeakMap<Context, string>();

/**
 * Base class of every CityLedger contract: every failure leaves as a coded ChaincodeError, the
 * domain events of a successful transaction leave as one chaincode event, and its writes reach the
 * peer in one message where the peer takes batches (shim-write-batch.ts).
 */
export class CityContract extends Contract {
  override async aroundTransaction(ctx: Context, fn: Function, parameters: unknown[]): Promise<void> {
    const name = String(fn);
    running.set(ctx, name);
    startWriteBatch(ctx.stub);
    try {
      const method = (this as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
      const result = await method.call(this, ctx, ...parameters);
      await finishWriteBatch(ctx.stub);
      // The result goes back to the shim through the serializer; the base class types it as void.
      return result as void;
    } catch (err) {
      discardWriteBatch(ctx.stub);
      throw toChaincodeError(err);
    }
  }

  override async afterTransaction(ctx: Context, _result: unknown): Promise<void> {
    flushEvents(ctx, this.getName(), running.get(ctx) ?? 'unknown');
  }

  override async unknownTransaction(ctx: Context): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    throw notFound(`no transaction ${fcn} in contract ${this.getName()}`, {
      transaction: fcn,
      contract: this.getName(),
    });
  }
}
