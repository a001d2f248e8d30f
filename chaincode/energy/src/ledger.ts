import type { Context } from 'fabric-contract-api';
import { failedPrecondition, txTime } from '@cityledger/chaincode-common';
import type { Account } from './model';
import type { Balance } from './settlement';
import { accounts, entries } from './store';

/**
 * Account balances: one key per account, rewritten only by transactions about that account
 * (its top-ups, withdrawals, its own bids, and the settlement of an interval it took part in).
 */
export async function loadAccount(ctx: Context, account: string): Promise<Account> {
  return (await accounts.get(ctx, account)) ?? { account, available: 0, escrowed: 0 };
}

export async function saveAccount(ctx: Context, account: string, balance: Balance): Promise<Account> {
  if (balance.available < 0 || balance.escrowed < 0) throw new Error(`account ${account} would go negative`); // a bug: refused as INTERNAL
  // Past 2^53 a sum of KRW is no longer exact: refuse rather than round someone's money.
  if (!Number.isSafeInteger(balance.available) || !Number.isSafeInteger(balance.escrowed)) {
    throw failedPrecondition(`account ${account} would exceed the largest balance kept exactly`, {
      reason: 'BALANCE_LIMIT',
      account,
      limit: Number.MAX_SAFE_INTEGER,
    });
  }
  const value = { account, available: balance.available, escrowed: balance.escrowed };
  await accounts.put(ctx, value);
  return value;
}

/** Moves `amount` of a building's available funds into escrow, refusing when it cannot. */
export async function hold(ctx: Context, account: string, amount: number): Promise<Account> {
  const acc = await loadAccount(ctx, account);
  if (acc.available < amount) {
    throw failedPrecondition(`insufficient funds: ${acc.available} KRW available, ${amount} KRW needed`, {
      reason: 'INSUFFICIENT_FUNDS',
      available: acc.available,
      required: amount,
    });
  }
  return saveAccount(ctx, account, { available: acc.available - amount, escrowed: acc.escrowed + amount });
}

/** Returns escrow to available (cancellation). */
export async function release(ctx: Context, account: string, amount: number): Promise<Account> {
  const acc = await loadAccount(ctx, account);
  return saveAccount(ctx, account, { available: acc.available + amount, escrowed: acc.escrowed - amount });
}

/** Records one statement line; unique per (account, tx, sequence), so never a shared key. */
export async function recordEntry(
  ctx: Context,
  line: { account: string; kind: string; amountKrw: number; counterparty: string; ref: string; intervalId?: string },
  seq: number,
): Promise<void> {
  const at = txTime(ctx).iso;
  await entries.put(ctx, { ...line, at, entryId: `${ctx.stub.getTxID()}.${seq}` });
}
