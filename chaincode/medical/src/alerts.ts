import { BODY_WEIGHT, scaled } from './loinc';

/**
 * Alert rules on new measurements, pure. A rule compares the new value with the patient's earlier
 * values of the same code measured within its window before the new one; it fires when any of them
 * differs by at least `thresholdPercent` of that earlier value. Arithmetic is on integer
 * thousandths, so every endorser reaches the same verdict.
 */
export interface AlertRule {
  ruleId: string;
  code: string;
  windowMs: number;
  thresholdPercent: number;
}

export const ALERT_RULES: readonly AlertRule[] = [
  {
    ruleId: 'weight-change-5pct-30d',
    code: BODY_WEIGHT,
    windowMs: 30 * 24 * 60 * 60 * 1000,
    thresholdPercent: 5,
  },
];

export interface Reading {
  value: number;
  effectiveMs: number;
}

export interface Firing {
  ruleId: string;
  code: string;
  /** Signed change against the earlier reading that moved most, in whole percent (truncated). */
  changePercent: number;
}

export function rulesFor(code: string): AlertRule[] {
  return ALERT_RULES.filter((r) => r.code === code);
}

/** Whether some rule reads earlier values of `code` (their observations are indexed by time, see store.ts). */
export function isWatched(code: string): boolean {
  return ALERT_RULES.some((r) => r.code === code);
}

/** Whether `rule` fires for `latest` given `earlier` readings (any order; out-of-window ones are ignored). */
export function evaluateRule(
  rule: AlertRule,
  latest: Reading,
  earlier: readonly Reading[],
): Firing | undefined {
  const now = scaled(latest.value);
  let best: { num: number; den: number } | undefined;
  for (const r of earlier) {
    if (r.effectiveMs >= latest.effectiveMs || r.effectiveMs < latest.effectiveMs - rule.windowMs) continue;
    const before = scaled(r.value);
    if (before <= 0) continue;
    const delta = now - before;
    // |delta| / before ≥ threshold / 100, compared without division.
    if (Math.abs(delta) * 100 < rule.thresholdPercent * before) continue;
    if (!best || Math.abs(delta) * best.den > Math.abs(best.num) * before) best = { num: delta, den: before };
  }
  if (!best) return undefined;
  return { ruleId: rule.ruleId, code: rule.code, changePercent: Math.trunc((best.num * 100) / best.den) };
}

/** Every rule for the reading's code that fires. */
export function evaluateAlerts(code: string, latest: Reading, earlier: readonly Reading[]): Firing[] {
  return rulesFor(code).flatMap((rule) => {
    const firing = evaluateRule(rule, latest, earlier);
    return firing ? [firing] : [];
  });
}
