import fc from 'fast-check';
import { ALERT_RULES, evaluateAlerts, evaluateRule, rulesFor } from './alerts';

const DAY = 86400000;
const rule = ALERT_RULES[0];

describe('weight change rule', () => {
  it('fires at exactly 5% and not below, both directions', () => {
    expect(
      evaluateRule(rule, { value: 95, effectiveMs: 10 * DAY }, [{ value: 100, effectiveMs: 0 }]),
    ).toEqual({ ruleId: 'weight-change-5pct-30d', code: '29463-7', changePercent: -5 });
    expect(
      evaluateRule(rule, { value: 105, effectiveMs: 10 * DAY }, [{ value: 100, effectiveMs: 0 }]),
    ).toMatchObject({ changePercent: 5 });
    expect(
      evaluateRule(rule, { value: 95.001, effectiveMs: 10 * DAY }, [{ value: 100, effectiveMs: 0 }]),
    ).toBeUndefined();
    expect(
      evaluateRule(rule, { value: 104.999, effectiveMs: 10 * DAY }, [{ value: 100, effectiveMs: 0 }]),
    ).toBeUndefined();
  });

  it('looks only 30 days back and only at earlier readings', () => {
    const latest = { value: 90, effectiveMs: 30 * DAY };
    expect(evaluateRule(rule, latest, [{ value: 100, effectiveMs: 0 }])).toBeDefined(); // exactly 30 days: inside
    expect(evaluateRule(rule, latest, [{ value: 100, effectiveMs: -1 }])).toBeUndefined();
    expect(evaluateRule(rule, latest, [{ value: 100, effectiveMs: 30 * DAY }])).toBeUndefined(); // same time is not earlier
    expect(evaluateRule(rule, latest, [{ value: 0, effectiveMs: DAY }])).toBeUndefined(); // nonsense baseline ignored
    expect(evaluateRule(rule, latest, [])).toBeUndefined();
  });

  it('reports the largest change', () => {
    const f = evaluateRule(rule, { value: 100, effectiveMs: 20 * DAY }, [
      { value: 94, effectiveMs: DAY },
      { value: 110, effectiveMs: 2 * DAY },
      { value: 106, effectiveMs: 3 * DAY },
    ]);
    expect(f?.changePercent).toBe(-9);
  });

  it('applies to body weight only', () => {
    expect(rulesFor('29463-7')).toEqual([rule]);
    expect(rulesFor('39156-5')).toEqual([]);
    expect(
      evaluateAlerts('39156-5', { value: 50, effectiveMs: DAY }, [{ value: 20, effectiveMs: 0 }]),
    ).toEqual([]);
    expect(
      evaluateAlerts('29463-7', { value: 50, effectiveMs: DAY }, [{ value: 60, effectiveMs: 0 }]),
    ).toHaveLength(1);
  });

  it('agrees with exact rational arithmetic and ignores reading order (property)', () => {
    const reading = fc.record({
      value: fc.integer({ min: 20_000, max: 300_000 }).map((t) => t / 1000),
      effectiveMs: fc.integer({ min: 0, max: 60 * DAY }),
    });
    fc.assert(
      fc.property(reading, fc.array(reading, { maxLength: 8 }), (latest, earlier) => {
        const f = evaluateRule(rule, latest, earlier);
        expect(evaluateRule(rule, latest, [...earlier].reverse())?.changePercent).toBe(f?.changePercent);
        const expected = earlier.some((r) => {
          if (r.effectiveMs >= latest.effectiveMs || r.effectiveMs < latest.effectiveMs - 30 * DAY)
            return false;
          const a = BigInt(Math.round(latest.value * 1000));
          const b = BigInt(Math.round(r.value * 1000));
          const d = a > b ? a - b : b - a;
          return d * 100n >= 5n * b;
        });
        expect(f !== undefined).toBe(expected);
      }),
    );
  });
});
