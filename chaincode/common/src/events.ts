import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical';
import { txTime } from './time';

/** One domain fact, e.g. {type: 'CredentialSuspended', data: {credentialId: 'c1', by: 'holder'}}. */
export interface DomainEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * The payload of the single chaincode event a transaction emits (Fabric keeps only one per
 * transaction). The event's name is `<contract>.<transaction>`, e.g. `credential.SuspendCredential`.
 */
export interface EventEnvelope {
  txId: string;
  contract: string;
  transaction: string;
  /** Transaction time, ISO-8601. */
  timestamp: string;
  events: DomainEvent[];
}

const pending = new WeakMap<Context, DomainEvent[]>();

/** Records a domain event; all of a transaction's events go out together when it ends. */
export function emit(ctx: Context, type: string, data: Record<string, unknown> = {}): void {
  const list = pending.get(ctx) ?? [];
  list.push({ type, data });
  pending.set(ctx, list);
}

/** The events recorded so far in this transaction. */
export function pendingEvents(ctx: Context): readonly DomainEvent[] {
  return pending.get(ctx) ?? [];
}

/** Sets the one chaincode event (if anything was emitted). Called by CityContract after each transaction. */
export function flushEvents(ctx: Context, contract: string, transaction: string): EventEnvelope | undefined {
  const events = pending.get(ctx);
  pending.delete(ctx);
  if (!events || events.length === 0) return undefined;
  const envelope: EventEnvelope = {
    txId: ctx.stub.getTxID(),
    contract,
    transaction,
    timestamp: txTime(ctx).iso,
    events,
  };
  ctx.stub.setEvent(`${contract}.${transaction}`, Buffer.from(canonicalJson(envelope), 'utf8'));
  return envelope;
}
