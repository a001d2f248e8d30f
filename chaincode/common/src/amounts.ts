import { Type } from '@sinclair/typebox';
import { invalidArgument } from './errors';

/** Non-negative integer amount in the smallest unit (cents, Wh, ...). No floats on the ledger. */
export const Amount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** Signed integer amount (a delta). */
export const SignedAmount = Type.Integer({
  minimum: -Number.MAX_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
});

export function assertAmount(value: unknown, field = 'amount'): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidArgument(`${field} must be a safe integer`, { field, value: String(value) });
  }
}

export function addAmounts(...values: number[]): number {
  let sum = 0;
  for (const v of values) {
    assertAmount(v);
    sum += v;
    assertAmount(sum, 'sum');
  }
  return sum;
}

/** a - b, refusing a result below zero unless allowNegative. */
export function subtractAmounts(a: number, b: number, allowNegative = false): number {
  assertAmount(a);
  assertAmount(b);
  const diff = a - b;
  assertAmount(diff, 'difference');
  if (!allowNegative && diff < 0) throw invalidArgument('amount would become negative', { a, b });
  return diff;
}

/** amount * numerator / denominator in exact integer arithmetic, truncated toward zero. */
export function mulDiv(amount: number, numerator: number, denominator: number): number {
  assertAmount(amount);
  assertAmount(numerator, 'numerator');
  assertAmount(denominator, 'denominator');
  if (denominator === 0) throw invalidArgument('denominator must not be zero');
  const result = (BigInt(amount) * BigInt(numerator)) / BigInt(denominator);
  const n = Number(result);
  assertAmount(n, 'result');
  return n;
}
