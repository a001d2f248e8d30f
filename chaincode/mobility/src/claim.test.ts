import {
  identity,
  readConflicts,
  type ContractHarness,
  type TestIdentity,
} from '@cityledger/chaincode-common';
import {
  VIN_A,
  VIN_B,
  VIN_C,
  at,
  code,
  ids,
  newHarness,
  ok,
  policyInput,
  residentStatus,
  sealedCrash,
  seedWorld,
} from './mobility.fixtures';
import type { Claim, Settlement } from './model';
import { MAX_MEDICAL_REFS } from './claim-contract';

let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await seedWorld(h);
  await sealedCrash(h);
  h.setTime(at(3600));
});
afterEach(() => {
  residentStatus.R1 = 'ACTIVE';
});

const submit = (who: TestIdentity, fn: string, args: unknown[]) => h.submit<Claim>(who, `claim:${fn}`, args);
const collision = (extra: Record<string, unknown> = {}) => ({
  claimId: 'CL1',
  policyId: 'P1',
  kind: 'COLLISION',
  incidentId: 'C1',
  ...extra,
});
const theft = (extra: Record<string, unknown> = {}) => ({
  claimId: 'CL2',
  policyId: 'P1',
  kind: 'THEFT',
  incidentId: 'CASE-77',
  occurredAt: '2026-05-30T22:00:00Z',
  ...extra,
});
const shares = (a: number, b: number) => [
  { party: VIN_A, percent: a },
  { party: VIN_B, percent: b },
];
const adj3 = identity('InsurerMSP', 'adj3', { role: 'adjuster' });

/** The steps of a repair claim, in order, each by the identity that takes it. */
const repairSteps: [TestIdentity, string, unknown[]][] = [
  [ids.alice, 'FileClaim', [collision()]],
  [ids.alice, 'LinkEvidence', ['CL1']],
  [ids.adj1, 'StartAssessment', ['CL1']],
  [ids.adj1, 'DetermineFault', ['CL1', shares(30, 70)]],
  [ids.adj1, 'ApproveRepair', ['CL1', { shopId: ids.shop1.key, estimate: 3_000_000 }]],
  [ids.shop1, 'StartRepair', ['CL1']],
  [ids.shop1, 'CompleteRepair', ['CL1', { amount: 2_800_000, reference: 'INV-1' }]],
  [ids.acme, 'PayClaim', ['CL1', { amount: 2_800_000, reference: 'TX-1' }]],
  [ids.acme, 'CloseClaim', ['CL1']],
];

/** Takes the repair claim through its first `n` steps. */
async function upTo(n: number): Promise<Claim> {
  let last: Claim | undefined;
  for (const [who, fn, args] of repairSteps.slice(0, n)) last = ok(await submit(who, fn, args));
  return last as Claim;
}

const status = async (claimId = 'CL1') =>
  ok(await h.evaluate<Claim>(ids.acme, 'claim:GetClaim', [claimId])).status;

describe('a collision claim from filing to payout', () => {
  it('goes REPORTED → … → CLOSED, each step by its role, each announced', async () => {
    const expected = [
      'REPORTED',
      'EVIDENCE_LINKED',
      'UNDER_ASSESSMENT',
      'FAULT_DETERMINED',
      'APPROVED_REPAIR',
      'REPAIRING',
      'REPAIRED',
      'PAID',
      'CLOSED',
    ];
    const events = [
      'ClaimFiled',
      'EvidenceLinked',
      'AssessmentStarted',
      'FaultDetermined',
      'RepairApproved',
      'RepairStarted',
      'RepairCompleted',
      'ClaimPaid',
      'ClaimClosed',
    ];
    let from = '';
    for (const [i, [who, fn, args]] of repairSteps.entries()) {
      const r = await submit(who, fn, args);
      expect(r.committed).toBe(true);
      expect(r.value.status).toBe(expected[i]);
      const last = r.event!.envelope.events[r.event!.envelope.events.length - 1];
      expect(last.type).toBe(events[i]);
      if (i > 0) expect(last.data).toEqual({ claimId: 'CL1', from, to: expected[i] });
      from = expected[i];
    }
    const claim = ok(await h.evaluate<Claim>(ids.alice, 'claim:GetClaim', ['CL1']));
    expect(claim).toEqual(
      expect.objectContaining({
        vin: VIN_A,
        insurerId: 'InsurerMSP/acme',
        claimantId: 'R1',
        occurredAt: '2026-06-01T08:00:30.000Z',
        adjusterId: 'InsurerMSP/adj1',
        decision: expect.objectContaining({
          type: 'REPAIR',
          shopId: 'InsurerMSP/shop1',
          estimate: 3_000_000,
          by: 'InsurerMSP/adj1',
        }),
        invoice: expect.objectContaining({ amount: 2_800_000, reference: 'INV-1' }),
        payment: expect.objectContaining({
          amount: 2_800_000,
          payee: 'InsurerMSP/shop1',
          reference: 'TX-1',
          settlementIds: [`CL1:${VIN_B}`],
        }),
      }),
    );
    expect(claim.fault?.shares).toEqual(shares(30, 70));
    // The incident is free again once the claim is closed.
    expect((await submit(ids.alice, 'FileClaim', [collision({ claimId: 'CL9' })])).committed).toBe(true);
  });

  it("records what the other vehicle's insurer owes for its fault share, acknowledged by that insurer", async () => {
    const paid = await upTo(8);
    expect(paid.payment?.settlementIds).toEqual([`CL1:${VIN_B}`]);
    const s = ok(await h.evaluate<Settlement>(ids.bravo, 'claim:GetSettlement', [`CL1:${VIN_B}`]));
    expect(s).toEqual(
      expect.objectContaining({
        claimId: 'CL1',
        crashId: 'C1',
        vin: VIN_B,
        payerInsurerId: 'InsurerMSP/bravo',
        payeeInsurerId: 'InsurerMSP/acme',
        faultPercent: 70,
        amount: 1_960_000,
        status: 'RECORDED',
      }),
    );
    expect(code(await h.evaluate(ids.alice, 'claim:GetSettlement', [`CL1:${VIN_B}`]))).toBe('FORBIDDEN');
    expect(code(await h.evaluate(ids.bravo, 'claim:GetSettlement', ['nope']))).toBe('NOT_FOUND');
    const notPayer = await h.submit(ids.acme, 'claim:AcknowledgeSettlement', [`CL1:${VIN_B}`]);
    expect(notPayer.error?.details).toEqual({ reason: 'NOT_THE_PAYER' });
    expect(code(await h.submit(ids.adj2, 'claim:AcknowledgeSettlement', [`CL1:${VIN_B}`]))).toBe('FORBIDDEN');
    const ack = await h.submit<Settlement>(ids.bravo, 'claim:AcknowledgeSettlement', [`CL1:${VIN_B}`]);
    expect(ack.value.status).toBe('ACKNOWLEDGED');
    expect(ack.event?.envelope.events).toEqual([
      { type: 'SettlementAcknowledged', data: { settlementId: `CL1:${VIN_B}`, claimId: 'CL1' } },
    ]);
    expect(
      (await h.submit(ids.bravo, 'claim:AcknowledgeSettlement', [`CL1:${VIN_B}`])).error?.details,
    ).toEqual({ state: 'ACKNOWLEDGED' });
    expect(code(await h.submit(ids.bravo, 'claim:AcknowledgeSettlement', ['nope']))).toBe('NOT_FOUND');
  });

  it("still settles with the other vehicle's insurer when its policy was cancelled after the crash", async () => {
    // The cover at the crash counts: a later cancellation does not undo what bravo owed then.
    ok(await h.submit(ids.bravo, 'insurance:CancelPolicy', ['P2', 'x']));
    expect((await upTo(8)).payment?.settlementIds).toEqual([`CL1:${VIN_B}`]);
    expect(ok(await h.evaluate<Settlement>(ids.bravo, 'claim:GetSettlement', [`CL1:${VIN_B}`]))).toEqual(
      expect.objectContaining({ payerInsurerId: 'InsurerMSP/bravo', faultPercent: 70, amount: 1_960_000 }),
    );
  });

  it('records no settlement when the other vehicle had no policy in force at the crash, or the same insurer', async () => {
    // A fresh world where bravo cancels P2 before the crash.
    h = newHarness();
    await seedWorld(h);
    ok(await h.submit(ids.bravo, 'insurance:CancelPolicy', ['P2', 'x'], { at: at(10) }));
    await sealedCrash(h);
    h.setTime(at(3600));
    expect((await upTo(8)).payment?.settlementIds).toEqual([]);
    h.setTime(at(7200));
    ok(
      await h.submit(ids.acme, 'insurance:IssuePolicy', [
        policyInput('P3', VIN_B, { validFrom: '2026-01-01T00:00:00Z' }),
      ]),
    );
    ok(await submit(ids.acme, 'CloseClaim', ['CL1']));
    for (const [who, fn, args] of repairSteps.slice(0, 8)) {
      const a = JSON.parse(JSON.stringify(args).replace(/"CL1"/g, '"CL5"')) as unknown[];
      ok(await submit(who, fn, a));
    }
    expect(ok(await h.evaluate<Claim>(ids.acme, 'claim:GetClaim', ['CL5'])).payment?.settlementIds).toEqual(
      [],
    );
  });

  /**
   * Policies on VIN_B: bravo's for 2016..2025 and P2 (2026), renewals for 2027 and 2028, and acme's
   * P5 from March 2026, cancelled before the crash.
   */
  async function insureForYears(): Promise<void> {
    for (let year = 2016; year <= 2028; year++) {
      if (year === 2026) continue;
      ok(
        await h.submit(ids.bravo, 'insurance:IssuePolicy', [
          policyInput(`B${year}`, VIN_B, {
            validFrom: `${year}-01-01T00:00:00Z`,
            validUntil: `${year + 1}-01-01T00:00:00Z`,
          }),
        ]),
      );
    }
    ok(
      await h.submit(ids.acme, 'insurance:IssuePolicy', [
        policyInput('P5', VIN_B, { validFrom: '2026-03-01T00:00:00Z' }),
      ]),
    );
    ok(await h.submit(ids.acme, 'insurance:CancelPolicy', ['P5', 'x'], { at: at(10) }));
  }

  it("reads the other vehicle's policies from the crash back, only up to the one in force", async () => {
    await insureForYears();
    await upTo(7);
    const paid = await submit(ids.acme, 'PayClaim', ['CL1', { amount: 2_800_000 }]);
    expect(paid.value.payment?.settlementIds).toEqual([`CL1:${VIN_B}`]);
    expect(
      ok(await h.evaluate<Settlement>(ids.bravo, 'claim:GetSettlement', [`CL1:${VIN_B}`])).payerInsurerId,
    ).toBe('InsurerMSP/bravo');
    // P5 (started later, cancelled before the crash), then P2 (in force): neither the renewals nor the past years.
    expect(paid.stub.scanned.map((key) => key.split('~').pop())).toEqual(['P5', 'P2']);
  });

  it('cannot be invalidated by a renewal issued for the other vehicle meanwhile (no phantom read)', async () => {
    await insureForYears();
    await upTo(7);
    // Endorsed against the same state as the renewal (evaluate = endorse without committing).
    const paid = await h.evaluate<Claim>(ids.acme, 'claim:PayClaim', ['CL1', { amount: 2_800_000 }]);
    expect(paid.ok).toBe(true);
    const renewal = await h.submit(ids.bravo, 'insurance:IssuePolicy', [
      policyInput('B2029', VIN_B, { validFrom: '2029-01-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z' }),
    ]);
    expect(renewal.committed).toBe(true);
    expect(paid.stub.ranges.length).toBeGreaterThan(0);
    expect(readConflicts(renewal, paid)).toEqual([]);
  });

  it('finds a policy issued before the policyStart index existed (an upgraded ledger)', async () => {
    // As an older version left it: P2 in policyByVehicle only.
    const started = [...h.ledger.state.keys()].filter((k) => k.startsWith(`policyStart~${VIN_B}~`));
    expect(started).toHaveLength(1);
    h.ledger.state.delete(started[0]);
    expect((await upTo(8)).payment?.settlementIds).toEqual([`CL1:${VIN_B}`]);
    expect(
      ok(await h.evaluate<Settlement>(ids.bravo, 'claim:GetSettlement', [`CL1:${VIN_B}`])).payerInsurerId,
    ).toBe('InsurerMSP/bravo');
  });

  it('lets the claimant dispute fault and the assigned adjuster determine it again', async () => {
    await upTo(4);
    const d = await submit(ids.alice, 'DisputeFault', ['CL1', 'the other car ran a red light']);
    expect(d.value.status).toBe('DISPUTED');
    expect(d.value.dispute?.reason).toBe('the other car ran a red light');
    expect(code(await submit(ids.adj1, 'ApproveCash', ['CL1', 100]))).toBe('FAILED_PRECONDITION');
    const again = await submit(ids.adj1, 'DetermineFault', ['CL1', shares(0, 100)]);
    expect(again.value.status).toBe('FAULT_DETERMINED');
    expect(again.value.fault?.shares).toEqual(shares(0, 100));
  });

  it('pays cash to the claimant, and a rejection frees the incident', async () => {
    await upTo(4);
    ok(await submit(ids.adj1, 'ApproveCash', ['CL1', 1_200_000]));
    const paid = await submit(ids.acme, 'PayClaim', ['CL1', { amount: 1_200_000 }]);
    expect(paid.value.payment).toEqual(expect.objectContaining({ amount: 1_200_000, payee: 'R1' }));
    expect(paid.event?.envelope.events.map((e) => e.type)).toEqual(['SettlementRecorded', 'ClaimPaid']);

    ok(
      await h.submit(ids.police, 'crash:ReportCrash', [
        { crashId: 'C2', occurredAt: at(3000), vins: [VIN_A] },
      ]),
    );
    ok(await submit(ids.alice, 'FileClaim', [collision({ claimId: 'CL3', incidentId: 'C2' })]));
    ok(
      await h.submit(ids.police, 'crash:SealEvidence', [
        'C2',
        {
          beforeSeconds: 30,
          afterSeconds: 10,
          driving: [{ vin: VIN_A, automationActive: false, takeoverRequested: false, driverTookOver: false }],
        },
      ]),
    );
    ok(await submit(ids.adj1, 'LinkEvidence', ['CL3']));
    ok(await submit(ids.adj1, 'StartAssessment', ['CL3']));
    ok(await submit(ids.adj1, 'DetermineFault', ['CL3', [{ party: VIN_A, percent: 100 }]]));
    const rejected = await submit(ids.adj1, 'RejectClaim', ['CL3', 'not covered']);
    expect(rejected.value.status).toBe('REJECTED');
    expect(rejected.value.decision).toEqual(
      expect.objectContaining({ type: 'REJECT', reason: 'not covered' }),
    );
    const after = await submit(ids.adj1, 'ApproveCash', ['CL3', 1]);
    expect(after.error?.details).toEqual({ state: 'REJECTED', to: 'APPROVED_CASH', final: true });
    expect(
      (await submit(ids.alice, 'FileClaim', [collision({ claimId: 'CL4', incidentId: 'C2' })])).committed,
    ).toBe(true);
    expect(ok(await h.evaluate(ids.alice, 'claim:ListPolicyClaims', ['P1']))).toEqual(['CL1', 'CL3', 'CL4']);
  });
});

describe('invariants', () => {
  it('refuses a payout above min(coverage − deductible, estimate, invoice)', async () => {
    await upTo(7);
    const over = await submit(ids.acme, 'PayClaim', ['CL1', { amount: 2_800_001 }]);
    expect(over.error?.code).toBe('INVALID_ARGUMENT');
    expect(over.error?.details).toEqual({
      reason: 'PAYOUT_ABOVE_BOUND',
      amount: 2_800_001,
      bound: 2_800_000,
    });
    expect(await status()).toBe('REPAIRED');
  });

  it('caps a cash payout at coverage − deductible', async () => {
    await upTo(4);
    ok(await submit(ids.adj1, 'ApproveCash', ['CL1', 50_000_000]));
    expect((await submit(ids.acme, 'PayClaim', ['CL1', { amount: 9_500_001 }])).error?.details.bound).toBe(
      9_500_000,
    );
    expect((await submit(ids.acme, 'PayClaim', ['CL1', { amount: 9_500_000 }])).committed).toBe(true);
  });

  it('keeps one open claim per (policy, incident)', async () => {
    await upTo(1);
    const dup = await submit(ids.alice, 'FileClaim', [collision({ claimId: 'CL2' })]);
    expect(dup.error?.code).toBe('CONFLICT');
    expect(dup.error?.details).toEqual({ reason: 'OPEN_CLAIM_EXISTS', claimId: 'CL1' });
    expect(code(await submit(ids.alice, 'FileClaim', [theft({ claimId: 'CL1' })]))).toBe('CONFLICT');
  });

  it('sums fault shares to 100% over the parties of the incident', async () => {
    await upTo(3);
    const reason = async (s: unknown) =>
      (await submit(ids.adj1, 'DetermineFault', ['CL1', s])).error?.details.reason;
    expect(await reason(shares(30, 60))).toBe('FAULT_SHARES_NOT_100');
    expect(await reason([{ party: VIN_C, percent: 100 }])).toBe('UNKNOWN_PARTY');
    expect(await reason([...shares(50, 50), { party: VIN_A, percent: 0 }])).toBe('DUPLICATE_PARTY');
    for (const bad of [
      [],
      [{ party: VIN_A, percent: 101 }],
      [
        { party: VIN_A, percent: 50.5 },
        { party: VIN_B, percent: 49.5 },
      ],
      [{ party: VIN_A }],
      Array(11).fill({ party: VIN_A, percent: 0 }),
      [{ party: 'x'.repeat(18), percent: 100 }],
    ]) {
      expect(code(await submit(ids.adj1, 'DetermineFault', ['CL1', bad]))).toBe('INVALID_ARGUMENT');
    }
    expect(
      (await submit(ids.adj1, 'DetermineFault', ['CL1', [{ party: 'INFRASTRUCTURE', percent: 100 }]]))
        .committed,
    ).toBe(true);
  });

  it('assigns only a repair shop the insurer approved, and only while it stays approved', async () => {
    await upTo(4);
    const unapproved = await submit(ids.adj1, 'ApproveRepair', [
      'CL1',
      { shopId: ids.shop2.key, estimate: 1_000 },
    ]);
    expect(unapproved.error?.code).toBe('FAILED_PRECONDITION');
    expect(unapproved.error?.details).toEqual({ reason: 'SHOP_NOT_APPROVED', state: 'FAULT_DETERMINED' });
    ok(await submit(ids.adj1, 'ApproveRepair', ['CL1', { shopId: ids.shop1.key, estimate: 1_000 }]));
    expect(code(await submit(ids.shop2, 'StartRepair', ['CL1']))).toBe('FORBIDDEN');
    ok(await h.submit(ids.acme, 'insurance:RevokeRepairShop', [ids.shop1.key]));
    const revoked = await submit(ids.shop1, 'StartRepair', ['CL1']);
    expect(revoked.error?.code).toBe('FORBIDDEN');
    expect(revoked.error?.details.required).toEqual(['assigned-shop']);
  });

  it('cites only sealed evidence', async () => {
    ok(
      await h.submit(ids.police, 'crash:ReportCrash', [
        { crashId: 'C2', occurredAt: at(3000), vins: [VIN_A, VIN_B] },
      ]),
    );
    ok(await submit(ids.alice, 'FileClaim', [collision({ claimId: 'CL3', incidentId: 'C2' })]));
    const r = await submit(ids.alice, 'LinkEvidence', ['CL3']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toEqual({ reason: 'EVIDENCE_NOT_SEALED', state: 'REPORTED' });
    expect(code(await submit(ids.adj1, 'StartAssessment', ['CL3']))).toBe('FAILED_PRECONDITION');
  });
});

describe('theft claims', () => {
  it('need police confirmation before assessment', async () => {
    const filed = await submit(ids.alice, 'FileClaim', [theft()]);
    expect(filed.value).toEqual(
      expect.objectContaining({ kind: 'THEFT', occurredAt: '2026-05-30T22:00:00Z', status: 'REPORTED' }),
    );
    const early = await submit(ids.adj1, 'StartAssessment', ['CL2']);
    expect(early.error?.code).toBe('FAILED_PRECONDITION');
    expect(early.error?.details).toEqual({ reason: 'THEFT_NOT_CONFIRMED', state: 'REPORTED' });
    expect((await submit(ids.alice, 'LinkEvidence', ['CL2'])).error?.details).toEqual({
      reason: 'THEFT_NEEDS_POLICE',
      state: 'REPORTED',
    });
    for (const who of [ids.alice, ids.adj1, ids.acme, ids.fakePolice])
      expect(code(await submit(who, 'ConfirmTheft', ['CL2', 'CASE-77']))).toBe('FORBIDDEN');
    const confirmed = await submit(ids.police, 'ConfirmTheft', ['CL2', 'CASE-77']);
    expect(confirmed.value.status).toBe('EVIDENCE_LINKED');
    expect(confirmed.value.theftConfirmation).toEqual({
      by: 'CityMSP/officer1',
      at: at(3600),
      caseReference: 'CASE-77',
    });
    ok(await submit(ids.adj1, 'StartAssessment', ['CL2']));
    expect((await submit(ids.adj1, 'DetermineFault', ['CL2', shares(50, 50)])).error?.details.reason).toBe(
      'UNKNOWN_PARTY',
    );
    ok(await submit(ids.adj1, 'DetermineFault', ['CL2', [{ party: 'THIRD_PARTY', percent: 100 }]]));
    ok(await submit(ids.adj1, 'ApproveCash', ['CL2', 9_000_000]));
    const paid = await submit(ids.acme, 'PayClaim', ['CL2', { amount: 9_000_000 }]);
    expect(paid.value.payment?.settlementIds).toEqual([]);
  });

  it('only theft claims are confirmed by the police', async () => {
    await upTo(1);
    expect((await submit(ids.police, 'ConfirmTheft', ['CL1', 'CASE-1'])).error?.details).toEqual({
      reason: 'NOT_A_THEFT_CLAIM',
      state: 'REPORTED',
    });
  });
});

describe('filing', () => {
  it('is for the ACTIVE policy holder only', async () => {
    const bob = await submit(ids.bob, 'FileClaim', [collision()]);
    expect(bob.error?.details).toEqual({ reason: 'NOT_THE_HOLDER' });
    for (const who of [
      ids.acme,
      ids.carA,
      ids.police,
      identity('InsurerMSP', 'alice', { role: 'resident', residentId: 'R1' }),
    ]) {
      expect(code(await submit(who, 'FileClaim', [collision()]))).toBe('FORBIDDEN');
    }
    residentStatus.R1 = 'LOCKED';
    const locked = await submit(ids.alice, 'FileClaim', [collision()]);
    expect(locked.error?.details).toEqual({
      reason: 'RESIDENT_NOT_ACTIVE',
      residentId: 'R1',
      status: 'LOCKED',
    });
  });

  it('needs a known policy in force at the incident and a crash involving the vehicle', async () => {
    expect(code(await submit(ids.alice, 'FileClaim', [collision({ policyId: 'P9' })]))).toBe('NOT_FOUND');
    expect(code(await submit(ids.alice, 'FileClaim', [collision({ incidentId: 'C9' })]))).toBe('NOT_FOUND');
    ok(
      await h.submit(ids.police, 'crash:ReportCrash', [
        { crashId: 'C2', occurredAt: at(3000), vins: [VIN_B] },
      ]),
    );
    expect((await submit(ids.alice, 'FileClaim', [collision({ incidentId: 'C2' })])).error?.details).toEqual({
      reason: 'VEHICLE_NOT_INVOLVED',
    });
    expect((await submit(ids.alice, 'FileClaim', [collision({ occurredAt: at(0) })])).error?.details).toEqual(
      { reason: 'OCCURRED_AT_FROM_CRASH' },
    );
    expect((await submit(ids.alice, 'FileClaim', [theft({ occurredAt: undefined })])).error?.details).toEqual(
      { reason: 'OCCURRED_AT_REQUIRED' },
    );
    expect(
      (await submit(ids.alice, 'FileClaim', [theft({ occurredAt: at(7200) })])).error?.details.reason,
    ).toBe('IN_FUTURE');
    const before = await submit(ids.alice, 'FileClaim', [theft({ occurredAt: '2025-12-31T23:59:59Z' })]);
    expect(before.error?.code).toBe('FAILED_PRECONDITION');
    expect(before.error?.details).toEqual({ reason: 'POLICY_NOT_IN_FORCE', state: 'ACTIVE' });
    ok(await h.submit(ids.acme, 'insurance:CancelPolicy', ['P1', 'x']));
    expect((await submit(ids.alice, 'FileClaim', [collision()])).error?.details).toEqual({
      reason: 'POLICY_NOT_IN_FORCE',
      state: 'CANCELLED',
    });
  });

  it('refuses malformed claims', async () => {
    for (const bad of [
      { kind: 'FIRE' },
      { claimId: undefined },
      { claimId: 'a b' },
      { injury: 'yes' },
      { description: 'x'.repeat(1025) },
      { policy: 'P1' },
      { occurredAt: 'tomorrow' },
    ]) {
      expect(code(await submit(ids.alice, 'FileClaim', [collision(bad)]))).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('who may take each step', () => {
  it('refuses every step to everyone but its role, with FORBIDDEN', async () => {
    ok(await h.submit(ids.acme, 'insurance:AppointAdjuster', [adj3.key]));
    const wrong: Record<string, TestIdentity[]> = {
      LinkEvidence: [ids.bob, ids.police, ids.adj2, ids.acme, ids.shop1],
      StartAssessment: [
        ids.alice,
        ids.adj2,
        ids.acme,
        ids.police,
        identity('CityMSP', 'adj1', { role: 'adjuster' }),
      ],
      DetermineFault: [adj3, ids.adj2, ids.acme, ids.alice],
      ApproveRepair: [adj3, ids.acme, ids.shop1],
      StartRepair: [ids.shop2, ids.adj1, ids.acme],
      CompleteRepair: [ids.shop2, ids.adj1, ids.alice],
      PayClaim: [ids.bravo, ids.adj1, ids.shop1, ids.alice, ids.fakeInsurer],
      CloseClaim: [ids.bravo, ids.adj1, ids.alice],
    };
    for (const [i, [who, fn, args]] of repairSteps.entries()) {
      for (const intruder of wrong[fn] ?? []) {
        const r = await submit(intruder, fn, args);
        expect([fn, r.error?.code]).toEqual([fn, 'FORBIDDEN']);
      }
      ok(await submit(who, fn, args));
      if (i === 3) {
        for (const intruder of [ids.bob, ids.adj1, ids.acme])
          expect(code(await submit(intruder, 'DisputeFault', ['CL1', 'no']))).toBe('FORBIDDEN');
        for (const intruder of [adj3, ids.acme]) {
          expect(code(await submit(intruder, 'ApproveCash', ['CL1', 1]))).toBe('FORBIDDEN');
          expect(code(await submit(intruder, 'RejectClaim', ['CL1', 'no']))).toBe('FORBIDDEN');
        }
      }
    }
  });

  it('refuses steps out of order with FAILED_PRECONDITION and the current state', async () => {
    await upTo(2);
    const r = await submit(ids.adj1, 'DetermineFault', ['CL1', shares(50, 50)]);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toEqual({ state: 'EVIDENCE_LINKED', to: 'FAULT_DETERMINED', final: false });
    expect(code(await submit(ids.acme, 'PayClaim', ['CL1', { amount: 1 }]))).toBe('FAILED_PRECONDITION');
    expect(code(await submit(ids.alice, 'LinkEvidence', ['CL1']))).toBe('FAILED_PRECONDITION');
  });

  it('answers NOT_FOUND for an unknown claim on every step and read', async () => {
    for (const [who, fn, args] of repairSteps.slice(1))
      expect(code(await submit(who, fn, ['CL9', ...args.slice(1)]))).toBe('NOT_FOUND');
    expect(code(await h.evaluate(ids.acme, 'claim:GetClaim', ['CL9']))).toBe('NOT_FOUND');
    expect(code(await h.evaluate(ids.acme, 'claim:ListPolicyClaims', ['P9']))).toBe('NOT_FOUND');
    expect(code(await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL9', 'ACC-1']))).toBe('NOT_FOUND');
  });

  it('shows a claim to the claimant, InsurerMSP and the police only', async () => {
    await upTo(1);
    for (const who of [ids.alice, ids.acme, ids.bravo, ids.shop2, ids.police])
      expect((await h.evaluate(who, 'claim:GetClaim', ['CL1'])).ok).toBe(true);
    for (const who of [ids.bob, ids.carA, ids.doctor, ids.portAgent]) {
      expect(code(await h.evaluate(who, 'claim:GetClaim', ['CL1']))).toBe('FORBIDDEN');
      expect(code(await h.evaluate(who, 'claim:ListPolicyClaims', ['P1']))).toBe('FORBIDDEN');
    }
    // A second certificate carrying alice's residentId (not the one R1 is bound to) is not the claimant.
    const impostor = identity('CityMSP', 'mallory', { role: 'resident', residentId: 'R1' });
    expect((await h.evaluate(impostor, 'claim:GetClaim', ['CL1'])).error?.details.reason).toBe('CERTIFICATE_NOT_BOUND');
    expect((await h.evaluate(impostor, 'insurance:GetPolicy', ['P1'])).error?.details.reason).toBe('CERTIFICATE_NOT_BOUND');
  });

  it('checks the claimant is still ACTIVE when disputing or linking evidence', async () => {
    await upTo(1);
    residentStatus.R1 = 'SUSPENDED';
    expect((await submit(ids.alice, 'LinkEvidence', ['CL1'])).error?.details.reason).toBe(
      'RESIDENT_NOT_ACTIVE',
    );
    residentStatus.R1 = 'ACTIVE';
    for (const [who, fn, args] of repairSteps.slice(1, 4)) await submit(who, fn, args);
    residentStatus.R1 = 'DECEASED';
    expect((await submit(ids.alice, 'DisputeFault', ['CL1', 'no'])).error?.details.reason).toBe(
      'RESIDENT_NOT_ACTIVE',
    );
  });
});

describe('medical evidence on injury claims', () => {
  it('lets the assigned adjuster reference consented medical accesses during assessment', async () => {
    ok(await submit(ids.alice, 'FileClaim', [collision({ injury: true })]));
    expect(code(await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', 'ACC-1']))).toBe('FORBIDDEN');
    for (const [who, fn, args] of repairSteps.slice(1, 3)) await submit(who, fn, args);
    const r = await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', 'ACC-1']);
    expect(r.value.medicalRefs).toEqual(['ACC-1']);
    expect(r.event?.envelope.events).toEqual([
      { type: 'MedicalEvidenceReferenced', data: { claimId: 'CL1', references: 1 } },
    ]);
    expect((await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', 'ACC-1'])).error?.code).toBe(
      'CONFLICT',
    );
    for (const who of [adj3, ids.acme, ids.alice, ids.doctor])
      expect(code(await submit(who, 'ReferenceMedicalEvidence', ['CL1', 'ACC-2']))).toBe('FORBIDDEN');
    expect(code(await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', 'has space']))).toBe(
      'INVALID_ARGUMENT',
    );
    for (let i = 2; i <= MAX_MEDICAL_REFS; i++)
      ok(await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', `ACC-${i}`]));
    expect(
      (await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', 'ACC-99'])).error?.details.reason,
    ).toBe('TOO_MANY_REFERENCES');
    ok(await submit(ids.adj1, 'DetermineFault', ['CL1', shares(100, 0)]));
    ok(await submit(ids.adj1, 'ApproveCash', ['CL1', 10]));
    expect((await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', 'ACC-0'])).error?.details).toEqual({
      state: 'APPROVED_CASH',
    });
  });

  it('refuses references on claims without injury', async () => {
    await upTo(3);
    expect((await submit(ids.adj1, 'ReferenceMedicalEvidence', ['CL1', 'ACC-1'])).error?.details).toEqual({
      reason: 'NOT_AN_INJURY_CLAIM',
      state: 'UNDER_ASSESSMENT',
    });
  });
});
