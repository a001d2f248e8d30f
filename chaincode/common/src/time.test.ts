import type { Context } from 'fabric-contract-api';
import { txTime } from './time';

function contextAt(seconds: number, nanos: number) {
  const getTxTimestamp = jest.fn(() => ({ seconds: { toString: () => String(seconds) }, nanos }));
  return { ctx: { stub: { getTxTimestamp } } as unknown as Context, getTxTimestamp };
}

describe('txTime', () => {
  it('reads the client timestamp to the millisecond, rounding nanoseconds down', () => {
    const { ctx } = contextAt(1_795_700_000, 123_999_999);
    expect(txTime(ctx)).toEqual({ ms: 1_795_700_000_123, iso: '2026-11-26T13:33:20.123Z' });
  });

  it("decodes a transaction's timestamp once, however often it is asked for", () => {
    const { ctx, getTxTimestamp } = contextAt(1_795_700_000, 0);
    const first = txTime(ctx);
    expect(txTime({ stub: ctx.stub } as Context)).toBe(first); // a context over the same stub
    expect(getTxTimestamp).toHaveBeenCalledTimes(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(txTime(contextAt(1_795_700_001, 0).ctx).ms).toBe(1_795_700_001_000);
  });
});
