/** What one step of offered load showed, as far as choosing the next rate goes. */
export interface StepOutcome {
  /** Committed per second. */
  tps: number;
  /** Past the knee (p95 over twice the unloaded p95, or failures over 1 %). */
  knee: boolean;
  /** Within the bars' latency budget, with failures at most 1 %. */
  withinBudget: boolean;
}

export interface StepSearch {
  /** Narrow down where the budget broke (the full plan). */
  refine: boolean;
  /** Stop at the first step past the knee, even within budget. */
  stopAtKnee: boolean;
}

/**
 * Runs the plan's rates in order while the latency budget holds, so a row shows both where queueing
 * starts and the highest rate served within budget. Where the budget broke between two steps, up to
 * two more halve the gap, so a coarse plan does not understate the rate a mode sustains. Where the
 * first step already broke it, up to two steps go down to 95 % of what the network committed there,
 * then halve the gap likewise: a row then shows a rate served within budget, not a growing backlog.
 * Every rate is a multiple of 5; at most 4 steps beyond the plan's.
 */
export async function searchSteps(
  rates: readonly number[],
  runStep: (rate: number) => Promise<StepOutcome>,
  options: StepSearch,
): Promise<void> {
  let good: number | undefined;
  for (const rate of rates) {
    const step = await runStep(rate);
    if (step.withinBudget) {
      good = rate;
      if (options.stopAtKnee && step.knee) return;
      continue;
    }
    if (!options.refine) return;
    let bad = rate;
    let last = step;
    for (let tries = 0; good === undefined && tries < 2; tries++) {
      const down = Math.floor((0.95 * last.tps) / 5) * 5;
      if (!(down > 0 && down < bad)) break;
      last = await runStep(down);
      if (last.withinBudget) good = down;
      else bad = down;
    }
    for (let halvings = 0; good !== undefined && halvings < 2; halvings++) {
      const mid = Math.round((good + bad) / 2 / 5) * 5;
      if (!(mid > good && mid < bad)) break;
      if ((await runStep(mid)).withinBudget) good = mid;
      else bad = mid;
    }
    return;
  }
}
