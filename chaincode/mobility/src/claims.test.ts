import { policyCovers, policyInForce } from './policy';
import {
  checkFaultShares,
  checkPayout,
  claimLifecycle,
  interInsurerShares,
  isOpen,
  moveClaim,
  payoutBound,
} from './claims';
import type { Claim } from './model';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; details: Record<string, unknown> };
  }
  throw new Error('expected a refusal');
};

describe('fault shares', () => {
  const vins = ['VINA', 'VINB'];
  it('accepts shares of involved parties summing to 100', () => {
    expect(() =>
      checkFaultShares(
        [
          { party: 'VINA', percent: 30 },
          { party: 'VINB', percent: 70 },
        ],
        vins,
      ),
    ).not.toThrow();
    expect(() => checkFaultShares([{ party: 'THIRD_PARTY', percent: 100 }], [])).not.toThrow();
    expect(() =>
      checkFaultShares(
        [
          { party: 'VINA', percent: 0 },
          { party: 'INFRASTRUCTURE', percent: 100 },
        ],
        vins,
      ),
    ).not.toThrow();
  });
  it('refuses sums other than 100, duplicates and strangers', () => {
    expect(
      errorOf(() =>
        checkFaultShares(
          [
            { party: 'VINA', percent: 30 },
            { party: 'VINB', percent: 60 },
          ],
          vins,
        ),
      ).details,
    ).toEqual({ reason: 'FAULT_SHARES_NOT_100', total: 90 });
    expect(
      errorOf(() =>
        checkFaultShares(
          [
            { party: 'VINA', percent: 60 },
            { party: 'VINB', percent: 60 },
          ],
          vins,
        ),
      ).details.total,
    ).toBe(120);
    expect(
      errorOf(() =>
        checkFaultShares(
          [
            { party: 'VINA', percent: 50 },
            { party: 'VINA', percent: 50 },
          ],
          vins,
        ),
      ).details.reason,
    ).toBe('DUPLICATE_PARTY');
    expect(errorOf(() => checkFaultShares([{ party: 'VINC', percent: 100 }], vins)).details.reason).toBe(
      'UNKNOWN_PARTY',
    );
  });
});

describe('payout bound', () => {
  const policy = { coverage: 10_000, deductible: 1_000 };
  it('is min(coverage - deductible, approved estimate, invoice)', () => {
    expect(
      payoutBound(policy, {
        decision: { type: 'REPAIR', estimate: 5_000, at: '', by: '' },
        invoice: { amount: 4_000, reference: 'i', at: '' },
      }),
    ).toBe(4_000);
    expect(
      payoutBound(policy, {
        decision: { type: 'REPAIR', estimate: 5_000, at: '', by: '' },
        invoice: { amount: 6_000, reference: 'i', at: '' },
      }),
    ).toBe(5_000);
    expect(payoutBound(policy, { decision: { type: 'CASH', estimate: 50_000, at: '', by: '' } })).toBe(9_000);
    expect(payoutBound({ coverage: 1_000, deductible: 1_000 }, {})).toBe(0);
  });
  it('refuses a payout above it', () => {
    expect(() => checkPayout(9_000, 9_000)).not.toThrow();
    const e = errorOf(() => checkPayout(9_001, 9_000));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.details).toEqual({ reason: 'PAYOUT_ABOVE_BOUND', amount: 9_001, bound: 9_000 });
  });
});

describe('inter-insurer settlement', () => {
  const claim = { vin: 'VINA', insurerId: 'InsurerMSP/acme' };
  it("charges each other insurer its vehicle's share of the payout, truncated to whole won", () => {
    const insurers = new Map([
      ['VINB', 'InsurerMSP/bravo'],
      ['VINC', 'InsurerMSP/acme'],
      ['VIND', 'InsurerMSP/delta'],
    ]);
    const shares = [
      { party: 'VINA', percent: 10 },
      { party: 'VIND', percent: 33 },
      { party: 'VINB', percent: 33 },
      { party: 'VINC', percent: 20 },
      { party: 'THIRD_PARTY', percent: 4 },
    ];
    expect(interInsurerShares(1_001, claim, shares, insurers)).toEqual([
      { vin: 'VINB', payerInsurerId: 'InsurerMSP/bravo', faultPercent: 33, amount: 330 },
      { vin: 'VIND', payerInsurerId: 'InsurerMSP/delta', faultPercent: 33, amount: 330 },
    ]);
    expect(
      interInsurerShares(
        2,
        claim,
        [
          { party: 'VINB', percent: 1 },
          { party: 'VINA', percent: 99 },
        ],
        insurers,
      ),
    ).toEqual([]);
    expect(
      interInsurerShares(
        100,
        claim,
        [
          { party: 'VINB', percent: 0 },
          { party: 'VINA', percent: 100 },
        ],
        insurers,
      ),
    ).toEqual([]);
  });
});

describe('claim lifecycle', () => {
  const claim = (status: Claim['status'], kind: Claim['kind'] = 'COLLISION') => ({ status, kind }) as Claim;
  it('moves by step and relation', () => {
    expect(moveClaim('LinkEvidence', claim('REPORTED'), ['claimant'])).toBe('EVIDENCE_LINKED');
    expect(moveClaim('DetermineFault', claim('DISPUTED'), ['assigned-adjuster'])).toBe('FAULT_DETERMINED');
    expect(moveClaim('PayClaim', claim('APPROVED_CASH'), ['insurer'])).toBe('PAID');
    expect(errorOf(() => moveClaim('ConfirmTheft', claim('REPORTED', 'THEFT'), ['claimant'])).code).toBe(
      'FORBIDDEN',
    );
    expect(errorOf(() => moveClaim('PayClaim', claim('APPROVED_REPAIR'), ['insurer'])).details).toEqual({
      state: 'APPROVED_REPAIR',
      to: 'PAID',
      final: false,
    });
    expect(
      errorOf(() => moveClaim('StartAssessment', claim('REPORTED', 'THEFT'), ['adjuster'])).details,
    ).toEqual({ reason: 'THEFT_NOT_CONFIRMED', state: 'REPORTED' });
    expect(errorOf(() => moveClaim('StartAssessment', claim('REPORTED'), ['adjuster'])).details).toEqual({
      state: 'REPORTED',
      to: 'UNDER_ASSESSMENT',
      final: false,
    });
  });
  it('ends in REJECTED or CLOSED', () => {
    expect(isOpen('PAID')).toBe(true);
    expect(isOpen('REJECTED')).toBe(false);
    expect(isOpen('CLOSED')).toBe(false);
    expect(claimLifecycle.isFinal('CLOSED')).toBe(true);
    expect(claimLifecycle.next('FAULT_DETERMINED', ['assigned-adjuster']).sort()).toEqual([
      'APPROVED_CASH',
      'APPROVED_REPAIR',
      'REJECTED',
    ]);
    expect(claimLifecycle.next('FAULT_DETERMINED', ['claimant'])).toEqual(['DISPUTED']);
  });
});

describe('policy in force', () => {
  const policy = {
    status: 'ACTIVE' as const,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
  };
  it('covers its validity, bounds included, while ACTIVE', () => {
    expect(policyInForce(policy, Date.parse('2026-01-01T00:00:00Z'))).toBe(true);
    expect(policyInForce(policy, Date.parse('2027-01-01T00:00:00Z'))).toBe(true);
    expect(policyInForce(policy, Date.parse('2027-01-01T00:00:00.001Z'))).toBe(false);
    expect(policyInForce({ ...policy, status: 'CANCELLED' }, Date.parse('2026-06-01T00:00:00Z'))).toBe(false);
  });
});

describe('policy cover at an incident', () => {
  const policy = {
    status: 'ACTIVE' as const,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
  const t = Date.parse('2026-06-01T00:00:00Z');
  it('is not undone by a later cancellation', () => {
    expect(policyCovers(policy, t)).toBe(true);
    expect(policyCovers(policy, Date.parse('2027-01-01T00:00:00.001Z'))).toBe(false);
    const cancelled = { ...policy, status: 'CANCELLED' as const, cancelledAt: '2026-06-01T00:00:00.001Z' };
    expect(policyCovers(cancelled, t)).toBe(true);
    expect(policyCovers({ ...cancelled, cancelledAt: '2026-06-01T00:00:00Z' }, t)).toBe(false);
    expect(policyCovers({ ...cancelled, cancelledAt: '2026-03-01T00:00:00Z' }, t)).toBe(false);
  });
  it('takes a cancellation recorded without cancelledAt at its updatedAt (a cancelled policy is never written again)', () => {
    const old = { ...policy, status: 'CANCELLED' as const };
    expect(policyCovers({ ...old, updatedAt: '2026-07-01T00:00:00Z' }, t)).toBe(true);
    expect(policyCovers({ ...old, updatedAt: '2026-05-01T00:00:00Z' }, t)).toBe(false);
  });
});
