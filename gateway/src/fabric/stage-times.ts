export type Stage = 'evaluate' | 'endorse' | 'submit' | 'commit';

/**
 * Where one request's time went, per Fabric stage (summed over read-conflict retries). Sent back as a
 * Server-Timing header, so an integrator (or the benchmark) can tell a slow peer from a slow orderer,
 * and both from the gateway itself, without access to the gateway's metrics.
 */
export class StageTimes {
  private readonly ms = new Map<Stage, number>();

  add(stage: Stage, seconds: number): void {
    this.ms.set(stage, (this.ms.get(stage) ?? 0) + seconds * 1000);
  }

  /** `endorse;dur=12.3, submit;dur=4.0, commit;dur=310.2` (W3C Server-Timing); '' when nothing ran. */
  toHeader(): string {
    return [...this.ms].map(([stage, ms]) => `${stage};dur=${ms.toFixed(1)}`).join(', ');
  }
}
