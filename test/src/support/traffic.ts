/**
 * Steady background writes for failure drills, and the accounting that says what a fault cost: every
 * write gets its own probe key, so afterwards the ledger answers which acknowledged writes are there
 * (lost must be 0) and the ProbeWritten events say how many times each key was written (duplicated
 * must be 0).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Network as FabricNetwork } from '@hyperledger/fabric-gateway';
import { network } from './live';

export interface WriteRecord {
  key: string;
  sentAt: number;
  ackedAt?: number;
  blockNumber?: bigint;
  error?: string;
}

/** Sends one write for `key` and resolves once it is acknowledged (committed, for a synchronous API). */
export type Send = (key: string) => Promise<{ blockNumber?: bigint }>;

export class Traffic {
  readonly records: WriteRecord[] = [];
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly prefix: string,
    private readonly send: Send,
    private readonly ratePerSecond: number,
    private readonly maxWrites = 5000,
  ) {}

  start(): void {
    const intervalMs = 1000 / this.ratePerSecond;
    this.timer = setInterval(() => {
      if (this.records.length >= this.maxWrites) return this.halt();
      const record: WriteRecord = { key: `${this.prefix}-${this.records.length}`, sentAt: Date.now() };
      this.records.push(record);
      const p = this.send(record.key).then(
        (r) => {
          record.ackedAt = Date.now();
          record.blockNumber = r.blockNumber;
        },
        (err: unknown) => {
          record.error = err instanceof Error ? `${err.name}: ${err.message.slice(0, 120)}` : String(err);
        },
      );
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, intervalMs);
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops sending and waits (bounded) for the answers still due. */
  async stop(drainMs = 60000): Promise<void> {
    this.halt();
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((r) => setTimeout(r, drainMs).unref()),
    ]);
  }

  acknowledged(): WriteRecord[] {
    return this.records.filter((r) => r.ackedAt !== undefined);
  }

  /** The first write sent at or after `t` that was acknowledged: when service came back. */
  firstAckAfter(t: number): WriteRecord | undefined {
    return this.records.find((r) => r.sentAt >= t && r.ackedAt !== undefined);
  }
}

/**
 * Counts ProbeWritten events per key for the chaincode from `startBlock` up to the block of `sentinelKey`,
 * a write the caller made after the traffic stopped: reaching it proves every earlier event was seen.
 */
export async function probeWritesPerKey(
  fabricNetwork: FabricNetwork,
  chaincode: string,
  startBlock: bigint,
  sentinelKey: string,
  timeoutMs = 60000,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const events = await fabricNetwork.getChaincodeEvents(chaincode, { startBlock });
  const timer = setTimeout(() => events.close(), timeoutMs);
  try {
    for await (const event of events) {
      const envelope = JSON.parse(Buffer.from(event.payload).toString('utf8')) as {
        events: { type: string; data: { key?: string } }[];
      };
      let sentinel = false;
      for (const e of envelope.events) {
        if (e.type !== 'ProbeWritten' || !e.data.key) continue;
        if (e.data.key === sentinelKey) sentinel = true;
        else counts.set(e.data.key, (counts.get(e.data.key) ?? 0) + 1);
      }
      if (sentinel) return counts;
    }
    throw new Error(`events stream ended before the sentinel write ${sentinelKey}`);
  } finally {
    clearTimeout(timer);
    events.close();
  }
}

export interface DrillReport {
  drill: string;
  sent: number;
  acknowledged: number;
  committed: number;
  lost: number;
  duplicated: number;
  failedWhileDown: number;
  recoverySeconds: number | null;
  notes?: string;
}

/**
 * The figures of a drill: `committed` = keys found on the ledger (acknowledged or not), `lost` =
 * acknowledged but not on the ledger, `duplicated` = keys written more than once.
 */
export function account(
  drill: string,
  traffic: Traffic,
  onLedger: Set<string>,
  writesPerKey: Map<string, number>,
  faultAt: number,
): DrillReport {
  const acked = traffic.acknowledged();
  const back = traffic.firstAckAfter(faultAt);
  return {
    drill,
    sent: traffic.records.length,
    acknowledged: acked.length,
    committed: traffic.records.filter((r) => onLedger.has(r.key)).length,
    lost: acked.filter((r) => !onLedger.has(r.key)).length,
    duplicated: [...writesPerKey.values()].filter((n) => n > 1).length,
    failedWhileDown: traffic.records.filter((r) => r.error !== undefined).length,
    recoverySeconds: back ? Number(((back.ackedAt! - faultAt) / 1000).toFixed(2)) : null,
  };
}

/** Prints a drill's figures and appends them to .cityledger/reliability/report.json. */
export function publish(report: DrillReport): void {
  process.stdout.write(
    `${report.drill}: sent ${report.sent}, acknowledged ${report.acknowledged}, committed ${report.committed}, ` +
      `lost ${report.lost}, duplicated ${report.duplicated}, failed while down ${report.failedWhileDown}, ` +
      `recovered in ${report.recoverySeconds ?? '-'} s\n`,
  );
  const dir = path.join(network().paths.state, 'reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${report.drill.replace(/\W+/g, '-')}.json`), JSON.stringify(report, null, 2));
}
