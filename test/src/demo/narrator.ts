/**
 * The demo's voice: one line per step, with the transaction id and block number of every write, and the
 * refusals the story expects shown as such. Output goes to `out` (console by default; tests collect it).
 */
import { Committed, GatewayProblem } from './client';

export type Out = (line: string) => void;

const short = (txId: string) => `${txId.slice(0, 10)}…`;

export class Narrator {
  private readonly started = Date.now();
  /** Every write the demo made: what, its transaction id and block. */
  readonly transactions: { what: string; txId: string; blockNumber: string }[] = [];

  constructor(private readonly out: Out = (line) => console.log(line)) {}

  title(text: string): void {
    this.out(`\n${text}\n${'═'.repeat(Math.min(text.length, 100))}`);
  }

  act(n: number, title: string): void {
    this.out(`\n── ${n}. ${title} ${'─'.repeat(Math.max(0, 90 - title.length))}`);
  }

  /** A committed write. */
  tx<T>(what: string, committed: Committed<T>): Committed<T> {
    this.transactions.push({ what, txId: committed.txId, blockNumber: committed.blockNumber });
    this.out(`  ✔ ${what}  [tx ${short(committed.txId)} · block ${committed.blockNumber}]`);
    return committed;
  }

  /** A read or a fact. */
  info(text: string): void {
    this.out(`    ${text}`);
  }

  say(text: string): void {
    this.out(`  • ${text}`);
  }

  refused(what: string, problem: GatewayProblem): void {
    const reason = problem.details?.reason ?? problem.details?.state;
    this.out(
      `  ✘ ${what}: refused, ${problem.status} ${problem.code}${reason ? ` (${String(reason)})` : ''}`,
    );
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)} s`;
  }
}

/** Awaits an action the story expects to be refused with `code`; returns the refusal. */
export async function refusal(action: Promise<unknown>, code: string): Promise<GatewayProblem> {
  try {
    await action;
  } catch (err) {
    if (err instanceof GatewayProblem && err.code === code) return err;
    throw err;
  }
  throw new Error(`expected a ${code} refusal, but it was accepted`);
}

/** Fails the demo with a clear message when an outcome is not what the story says. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`demo check failed: ${message}`);
}
