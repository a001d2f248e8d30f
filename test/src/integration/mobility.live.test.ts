/**
 * The mobility chaincode on the live network (issue 5, Bars), with real identities enrolled at the City and
 * Insurer CAs: vehicles anchor the Merkle roots of their telemetry windows with their own certificates
 * (role vehicle, vehicleId = VIN) and any reading is proven against its anchored root while a forged one is
 * not; a gap or a replay in a vehicle's sequence is refused; crash evidence is sealed only when both the
 * City and the insurers endorse (key-level endorsement, checked at commit); a collision claim goes from
 * filing to payout and close, each step by its own identity, with the payout bound enforced and the
 * inter-insurer settlement recorded; a theft claim is not assessed before the police confirm it; the wrong
 * identities are refused (FORBIDDEN) on the way.
 *
 * Windows and proofs are built with chaincode-common's RFC 6962 module (support/telemetry.ts). Every id,
 * VIN and enrolment name is unique per run, so the suite passes repeatedly on the same ledger.
 */
import { randomUUID } from 'node:crypto';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { verifyReading } from '@cityledger/chaincode-common/dist/merkle';
import { CallOptions, chaincodeAs, Committed, evaluateAs, forgetContracts, submitAs } from '../support/calls';
import { expectRefusal } from '../support/errors';
import { chaincodeEventsOf } from '../support/ledger';
import { channelOf, closeConnections, enrolUser, ensureNetwork, json, TestUser } from '../support/live';
import { proofOf, randomVin, SealedWindow, sealWindow, Window } from '../support/telemetry';

const run = randomUUID().slice(0, 8);
const CC = 'mobility';
const CITY = 'CityMSP';
const HOSPITAL = 'HospitalMSP';
const INSURER = 'InsurerMSP';
const PORT = 'PortMSP';
const channel = () => channelOf(CC);

const submit = <T>(
  user: TestUser,
  tx: string,
  args: unknown[],
  options?: CallOptions,
): Promise<Committed<T>> => submitAs<T>(user, CC, tx, args, options);
const evaluate = <T>(user: TestUser, tx: string, args: unknown[]): Promise<T> =>
  evaluateAs<T>(user, CC, tx, args);

// ---- what the chaincode returns (the parts these tests read) ---------------------------------------

interface AnchoredWindow extends Window {
  scheme: string;
  anchoredBy: string;
  txId: string;
}
interface ReadingProof {
  valid: boolean;
  vin: string;
  seq: number;
  index: number;
  count: number;
  leafHash: string;
  root: string;
  scheme: string;
}
interface WindowRef {
  seq: number;
  windowStart: string;
  windowEnd: string;
  count: number;
  root: string;
}
interface Crash {
  crashId: string;
  occurredAt: string;
  vins: string[];
  status: 'REPORTED' | 'SEALED';
  reportedBy: string;
  evidence?: {
    from: string;
    to: string;
    scheme: string;
    vehicles: { vin: string; windows: WindowRef[]; complete: boolean }[];
    driving: { vin: string; automationActive: boolean; driverTookOver: boolean }[];
    sealedBy: string;
  };
}
interface Policy {
  policyId: string;
  vin: string;
  holderId: string;
  insurerId: string;
  coverage: number;
  deductible: number;
  status: string;
}
interface Claim {
  claimId: string;
  policyId: string;
  vin: string;
  insurerId: string;
  claimantId: string;
  kind: 'COLLISION' | 'THEFT';
  incidentId: string;
  occurredAt: string;
  status: string;
  adjusterId?: string;
  theftConfirmation?: { by: string; caseReference: string };
  fault?: { shares: { party: string; percent: number }[]; determinedBy: string };
  decision?: { type: string; shopId?: string; estimate?: number; by: string };
  invoice?: { amount: number; reference: string };
  payment?: { amount: number; payee: string; settlementIds: string[] };
}
interface Settlement {
  settlementId: string;
  claimId: string;
  crashId: string;
  vin: string;
  payerInsurerId: string;
  payeeInsurerId: string;
  faultPercent: number;
  amount: number;
  status: string;
}
interface EventPayload {
  contract: string;
  transaction: string;
  txId: string;
  events: { type: string; data: Record<string, unknown> }[];
}

// ---- the cast --------------------------------------------------------------------------------------

const residentIds = { alice: `res-alice-${run}`, bob: `res-bob-${run}` };
const vinA = randomVin(); // alice's autonomous car, insured by acme
const vinB = randomVin(); // bob's car, insured by bravo

let registrar: TestUser; // City registrar: residents (identity chaincode) and vehicles
let police: TestUser;
let utility: TestUser; // a City role with no power here
let alice: TestUser;
let bob: TestUser;
let carA: TestUser; // the vehicle's own identity: role vehicle, vehicleId = vinA
let carB: TestUser;
let acme: TestUser; // insurer of car A
let bravo: TestUser; // insurer of car B
let adjuster: TestUser; // appointed by acme
let adjuster2: TestUser; // appointed by bravo
let shop: TestUser; // repair shop approved by acme
let rogueShop: TestUser; // a repair-shop certificate no insurer approved
let insurerPolice: TestUser; // an InsurerMSP certificate claiming the City's police role

const key = (user: TestUser) => `${user.mspId}/${user.name}`;

beforeAll(async () => {
  await ensureNetwork();
  // Both CAs in parallel, each CA's enrolments one after another.
  await Promise.all([
    (async () => {
      registrar = await enrolUser('city', `registrar-${run}`, { role: 'registrar' });
      police = await enrolUser('city', `police-${run}`, { role: 'police' });
      utility = await enrolUser('city', `utility-${run}`, { role: 'utility' });
      alice = await enrolUser('city', `alice-${run}`, { role: 'resident', residentId: residentIds.alice });
      bob = await enrolUser('city', `bob-${run}`, { role: 'resident', residentId: residentIds.bob });
      carA = await enrolUser('city', `car-${vinA}`, { role: 'vehicle', vehicleId: vinA });
      carB = await enrolUser('city', `car-${vinB}`, { role: 'vehicle', vehicleId: vinB });
    })(),
    (async () => {
      acme = await enrolUser('insurer', `acme-${run}`, { role: 'insurer' });
      bravo = await enrolUser('insurer', `bravo-${run}`, { role: 'insurer' });
      adjuster = await enrolUser('insurer', `adjuster-${run}`, { role: 'adjuster' });
      adjuster2 = await enrolUser('insurer', `adjuster2-${run}`, { role: 'adjuster' });
      shop = await enrolUser('insurer', `shop-${run}`, { role: 'repair-shop' });
      rogueShop = await enrolUser('insurer', `rogue-shop-${run}`, { role: 'repair-shop' });
      insurerPolice = await enrolUser('insurer', `police-${run}`, { role: 'police' });
    })(),
  ]);

  // The residents exist (ACTIVE) in the identity chaincode, bound to the enrolments they act with.
  for (const [residentId, user] of [
    [residentIds.alice, alice],
    [residentIds.bob, bob],
  ] as const) {
    await submitAs(registrar, 'identity', 'resident:RegisterResident', [
      { residentId, enrollmentId: user.name },
    ]);
  }
  // The registry: each car and its owner.
  for (const [vin, ownerId] of [
    [vinA, residentIds.alice],
    [vinB, residentIds.bob],
  ] as const) {
    const { result } = await submit(registrar, 'vehicle:RegisterVehicle', [
      { vin, ownerId, make: 'Hyundai', model: 'Ioniq 5 AV', year: 2026 },
    ]);
    expect(result).toMatchObject({ vin, ownerId });
  }
});

afterAll(() => {
  forgetContracts();
  closeConnections();
});

// ---- telemetry -------------------------------------------------------------------------------------

// All windows lie in the recent past (a window may not end more than 60 s after the transaction time):
// car A drives [T, T+150 s) in three abutting windows, car B [T, T+150 s) in two.
const T = Math.floor((Date.now() - 180_000) / 1000) * 1000;
const at = (seconds: number) => T + seconds * 1000;
const windowsA: SealedWindow[] = [
  sealWindow(vinA, 1, at(0), at(60), 8),
  sealWindow(vinA, 2, at(60), at(120), 5), // an odd size: the tree is not balanced
  sealWindow(vinA, 3, at(120), at(150), 1),
];
const windowsB: SealedWindow[] = [
  sealWindow(vinB, 1, at(0), at(90), 4),
  sealWindow(vinB, 2, at(90), at(150), 3),
];

describe('telemetry: Merkle roots of windows anchored by the vehicle itself', () => {
  it('each vehicle anchors its windows in sequence with its own certificate', async () => {
    for (const [car, sealed] of [
      ...windowsA.map((w) => [carA, w] as const),
      ...windowsB.map((w) => [carB, w] as const),
    ]) {
      const { result, txId } = await submit<AnchoredWindow>(car, 'telemetry:AnchorWindow', [sealed.window]);
      expect(result).toMatchObject({
        ...sealed.window,
        scheme: 'rfc6962-sha256',
        anchoredBy: key(car),
        txId,
      });
    }
    expect(await evaluate(acme, 'telemetry:GetHead', [vinA])).toEqual({
      vin: vinA,
      lastSeq: 3,
      lastWindowEnd: windowsA[2].window.windowEnd,
    });
    expect(await evaluate(police, 'telemetry:GetHead', [vinB])).toMatchObject({ lastSeq: 2 });
    const page = await evaluate<{ items: AnchoredWindow[]; bookmark: string }>(
      acme,
      'telemetry:ListWindows',
      [vinA, 10, ''],
    );
    expect(page.items.map((w) => [w.seq, w.root])).toEqual(
      windowsA.map((s) => [s.window.seq, s.window.root]),
    );
  });

  it('a reading is proven against its anchored root, by anyone', async () => {
    const sealed = windowsA[1];
    const proof = proofOf(sealed, 3);
    // The proof checks off-chain against the anchored root...
    const anchored = await evaluate<AnchoredWindow>(bob, 'telemetry:GetWindow', [vinA, 2]);
    expect(anchored.root).toBe(sealed.window.root);
    expect(verifyReading(proof.reading, proof.index, anchored.count, proof.path, anchored.root)).toBe(true);
    // ...and on-chain, for an insurer and for the police from their own peers.
    for (const who of [acme, police]) {
      expect(await evaluate<ReadingProof>(who, 'telemetry:VerifyReading', [proof])).toMatchObject({
        valid: true,
        vin: vinA,
        seq: 2,
        index: 3,
        count: 5,
        root: sealed.window.root,
        scheme: 'rfc6962-sha256',
      });
    }
    // Every reading of every window proves, including the single-reading window (empty path).
    for (const s of [...windowsA, ...windowsB]) {
      for (let i = 0; i < s.readings.length; i++) {
        const r = await evaluate<ReadingProof>(acme, 'telemetry:VerifyReading', [proofOf(s, i)]);
        expect({ seq: s.window.seq, i, valid: r.valid }).toEqual({ seq: s.window.seq, i, valid: true });
      }
    }
  });

  it('a forged reading fails its proof (as does a genuine one at the wrong place)', async () => {
    const sealed = windowsA[1];
    const genuine = sealed.readings[3];
    const forged = { ...genuine, speedKmh: genuine.speedKmh - 20 }; // "I was not speeding"
    const forgedProof = await evaluate<ReadingProof>(acme, 'telemetry:VerifyReading', [
      proofOf(sealed, 3, forged),
    ]);
    expect(forgedProof).toMatchObject({ valid: false, root: sealed.window.root });
    expect(forgedProof.leafHash).not.toBe(
      (await evaluate<ReadingProof>(acme, 'telemetry:VerifyReading', [proofOf(sealed, 3)])).leafHash,
    );
    // The automation flag flipped after the fact.
    expect(
      await evaluate<ReadingProof>(acme, 'telemetry:VerifyReading', [
        proofOf(sealed, 3, { ...genuine, automation: !genuine.automation }),
      ]),
    ).toMatchObject({ valid: false });
    // The genuine reading claimed at another index, or in another window.
    expect(
      await evaluate<ReadingProof>(acme, 'telemetry:VerifyReading', [{ ...proofOf(sealed, 3), index: 2 }]),
    ).toMatchObject({ valid: false });
    expect(
      await evaluate<ReadingProof>(acme, 'telemetry:VerifyReading', [{ ...proofOf(sealed, 3), seq: 1 }]),
    ).toMatchObject({ valid: false });
    // A tampered path.
    const path = [...proofOf(sealed, 3).path];
    path[0] = path[0].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(
      await evaluate<ReadingProof>(acme, 'telemetry:VerifyReading', [{ ...proofOf(sealed, 3), path }]),
    ).toMatchObject({ valid: false });
    // Outside the window.
    const out = await expectRefusal(
      evaluate(acme, 'telemetry:VerifyReading', [{ ...proofOf(sealed, 3), index: 5 }]),
      'INVALID_ARGUMENT',
    );
    expect(out.details).toMatchObject({ reason: 'INDEX_OUT_OF_RANGE', count: 5 });
  });

  it('a gap in the sequence is refused, and so is a replay; the head does not move', async () => {
    const next = sealWindow(vinA, 5, at(150), at(160), 2);
    const gap = await expectRefusal(
      submit(carA, 'telemetry:AnchorWindow', [next.window]),
      'FAILED_PRECONDITION',
    );
    expect(gap.details).toMatchObject({ reason: 'SEQUENCE_GAP', expected: 4, seq: 5 });

    const replay = await expectRefusal(
      submit(carA, 'telemetry:AnchorWindow', [windowsA[2].window]),
      'CONFLICT',
    );
    expect(replay.details).toMatchObject({ reason: 'REPLAYED_SEQUENCE', expected: 4, seq: 3 });
    // An older window replayed with different contents is just as refused.
    const rewritten = sealWindow(vinA, 1, at(0), at(60), 3);
    expect(
      (await expectRefusal(submit(carA, 'telemetry:AnchorWindow', [rewritten.window]), 'CONFLICT')).details,
    ).toMatchObject({ reason: 'REPLAYED_SEQUENCE', seq: 1 });

    expect(await evaluate(acme, 'telemetry:GetHead', [vinA])).toMatchObject({ lastSeq: 3 });
    expect(await evaluate<AnchoredWindow>(acme, 'telemetry:GetWindow', [vinA, 1])).toMatchObject({
      root: windowsA[0].window.root,
      count: 8,
    });
    await expectRefusal(evaluate(acme, 'telemetry:GetWindow', [vinA, 5]), 'NOT_FOUND');
  });

  it('only the vehicle itself anchors its telemetry (FORBIDDEN to another car, its owner, an insurer)', async () => {
    const next = sealWindow(vinA, 4, at(150), at(160), 2).window;
    const otherCar = await expectRefusal(submit(carB, 'telemetry:AnchorWindow', [next]), 'FORBIDDEN');
    expect(otherCar.details).toMatchObject({ reason: 'NOT_THIS_VEHICLE' });
    await expectRefusal(submit(alice, 'telemetry:AnchorWindow', [next]), 'FORBIDDEN');
    await expectRefusal(submit(acme, 'telemetry:AnchorWindow', [next]), 'FORBIDDEN');
    expect(await evaluate(acme, 'telemetry:GetHead', [vinA])).toMatchObject({ lastSeq: 3 });
  });
});

// ---- crash evidence --------------------------------------------------------------------------------

const crashId = `crash-${randomUUID()}`;
const occurredAt = new Date(at(65)).toISOString(); // sealed span [T+35 s, T+75 s): windows 1-2 of A, 1 of B
const seal = {
  beforeSeconds: 30,
  afterSeconds: 10,
  driving: [
    // The automated system was driving car A and asked for a takeover the driver never made.
    {
      vin: vinA,
      automationActive: true,
      takeoverRequested: true,
      takeoverRequestedAt: new Date(at(63)).toISOString(),
      driverTookOver: false,
    },
    { vin: vinB, automationActive: false, takeoverRequested: false, driverTookOver: false },
  ],
};
const sealWith = (endorsingOrganizations: string[]) =>
  chaincodeAs(police, CC).submitAsync('crash:SealEvidence', {
    arguments: [crashId, JSON.stringify(seal)],
    endorsingOrganizations,
  });

describe('crash evidence is sealed by the city and the insurers together', () => {
  it('the car reports the crash it was in', async () => {
    const { result } = await submit<Crash>(carA, 'crash:ReportCrash', [
      { crashId, occurredAt, vins: [vinA, vinB], location: 'Haeundae-ro / Jung-dong junction' },
    ]);
    expect(result).toMatchObject({ crashId, occurredAt, status: 'REPORTED', reportedBy: key(carA) });
  });

  it('endorsed by the City and the Hospital (the chaincode policy is met) it is invalid at commit: the Insurer is missing', async () => {
    const submitted = await sealWith([CITY, HOSPITAL]);
    // Both peers ran the seal and endorsed it; the key-level policy on the crash needs InsurerMSP too.
    expect(json(submitted.getResult())).toMatchObject({ crashId, status: 'SEALED' });
    const status = await submitted.getStatus();
    expect(status.successful).toBe(false);
    expect(status.code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
  });

  it('endorsed by the Insurer and the Port it is invalid at commit too: the City is missing', async () => {
    const status = await (await sealWith([INSURER, PORT])).getStatus();
    expect(status.successful).toBe(false);
    expect(status.code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
    expect(await evaluate(acme, 'crash:GetCrash', [crashId])).toMatchObject({ status: 'REPORTED' });
  });

  it('only the City police seal (FORBIDDEN to an adjuster, the car, an InsurerMSP "police" certificate)', async () => {
    const opts = { endorsingOrganizations: [CITY, INSURER] };
    for (const who of [adjuster, carA, insurerPolice])
      await expectRefusal(submit(who, 'crash:SealEvidence', [crashId, seal], opts), 'FORBIDDEN');
  });

  it('endorsed by the City and the Insurer it is sealed with the anchored windows around the crash and who drove', async () => {
    const submitted = await sealWith([CITY, INSURER]);
    const status = await submitted.getStatus();
    expect(status.successful).toBe(true);
    const crash = await evaluate<Crash>(alice, 'crash:GetCrash', [crashId]);
    expect(crash).toEqual(json(submitted.getResult()));
    const ref = (s: SealedWindow): WindowRef => {
      const { seq, windowStart, windowEnd, count, root } = s.window;
      return { seq, windowStart, windowEnd, count, root };
    };
    expect(crash.evidence).toMatchObject({
      from: new Date(at(35)).toISOString(),
      to: new Date(at(75)).toISOString(),
      scheme: 'rfc6962-sha256',
      sealedBy: key(police),
      vehicles: expect.arrayContaining([
        { vin: vinA, windows: [ref(windowsA[0]), ref(windowsA[1])], complete: true },
        { vin: vinB, windows: [ref(windowsB[0])], complete: true },
      ]),
    });
    expect(crash.evidence!.driving.find((d) => d.vin === vinA)).toMatchObject({
      automationActive: true,
      driverTookOver: false,
    });
    // A reading of the sealed span (car A at the crash) proves against the root the seal holds.
    const sealedA = crash.evidence!.vehicles.find((v) => v.vin === vinA)!.windows[1];
    const reading = windowsA[1].readings[0];
    const proof = proofOf(windowsA[1], 0);
    expect(verifyReading(reading, 0, sealedA.count, proof.path, sealedA.root)).toBe(true);
    expect(await evaluate(acme, 'telemetry:VerifyReading', [proof])).toMatchObject({ valid: true });
  });

  it('sealed evidence is write-once', async () => {
    const again = await expectRefusal(
      submit(police, 'crash:SealEvidence', [crashId, { ...seal, afterSeconds: 0 }], {
        endorsingOrganizations: [CITY, INSURER],
      }),
      'FAILED_PRECONDITION',
    );
    expect(again.details).toMatchObject({ state: 'SEALED' });
  });
});

// ---- claims ----------------------------------------------------------------------------------------

const DAY = 86_400_000;
const policyA = `pol-a-${run}`;
const policyB = `pol-b-${run}`;
const COVERAGE = 5_000_000;
const DEDUCTIBLE = 300_000;

describe('insurance: policies and the insurers’ partners', () => {
  it('each insurer issues a policy to the owner of the car, appoints its adjuster and approves its shop', async () => {
    const validity = {
      validFrom: new Date(Date.now() - DAY).toISOString(),
      validUntil: new Date(Date.now() + 365 * DAY).toISOString(),
    };
    const a = await submit<Policy>(acme, 'insurance:IssuePolicy', [
      { policyId: policyA, vin: vinA, coverage: COVERAGE, deductible: DEDUCTIBLE, ...validity },
    ]);
    expect(a.result).toMatchObject({ holderId: residentIds.alice, insurerId: key(acme), status: 'ACTIVE' });
    const b = await submit<Policy>(bravo, 'insurance:IssuePolicy', [
      { policyId: policyB, vin: vinB, coverage: 3_000_000, deductible: 100_000, ...validity },
    ]);
    expect(b.result).toMatchObject({ holderId: residentIds.bob, insurerId: key(bravo) });

    await submit(acme, 'insurance:AppointAdjuster', [key(adjuster)]);
    await submit(acme, 'insurance:ApproveRepairShop', [key(shop)]);
    await submit(bravo, 'insurance:AppointAdjuster', [key(adjuster2)]);
    expect(
      await evaluate(alice, 'insurance:GetPartner', [key(acme), 'repair-shop', key(shop)]),
    ).toMatchObject({
      status: 'APPROVED',
    });
    // Only insurers pick partners: a repair shop cannot approve itself.
    await expectRefusal(submit(rogueShop, 'insurance:ApproveRepairShop', [key(rogueShop)]), 'FORBIDDEN');
    // The holder reads her policy; another resident does not.
    expect(await evaluate(alice, 'insurance:GetPolicy', [policyA])).toMatchObject({ policyId: policyA });
    await expectRefusal(evaluate(bob, 'insurance:GetPolicy', [policyA]), 'FORBIDDEN');
  });
});

describe('a collision claim from filing to payout, each step by its own identity', () => {
  const claimId = `claim-${randomUUID()}`;
  const txIds: string[] = [];
  let startBlock: bigint;
  const step = async (who: TestUser, tx: string, args: unknown[]): Promise<Claim> => {
    const committed = await submit<Claim>(who, tx, args);
    startBlock ??= committed.blockNumber;
    txIds.push(committed.txId);
    return committed.result;
  };
  const ESTIMATE = 1_200_000;
  const INVOICE = 1_100_000; // the bound: min(5 000 000 − 300 000, 1 200 000, 1 100 000)

  it('the policy holder files it (not another resident)', async () => {
    const refused = await expectRefusal(
      submit(bob, 'claim:FileClaim', [
        { claimId, policyId: policyA, kind: 'COLLISION', incidentId: crashId },
      ]),
      'FORBIDDEN',
    );
    expect(refused.details).toMatchObject({ reason: 'NOT_THE_HOLDER' });

    const claim = await step(alice, 'claim:FileClaim', [
      {
        claimId,
        policyId: policyA,
        kind: 'COLLISION',
        incidentId: crashId,
        description: 'rear-ended at junction',
      },
    ]);
    expect(claim).toMatchObject({
      status: 'REPORTED',
      vin: vinA,
      insurerId: key(acme),
      claimantId: residentIds.alice,
      occurredAt, // the crash's time
    });
    // One open claim per (policy, incident).
    const twice = await expectRefusal(
      submit(alice, 'claim:FileClaim', [
        { claimId: `claim-${randomUUID()}`, policyId: policyA, kind: 'COLLISION', incidentId: crashId },
      ]),
      'CONFLICT',
    );
    expect(twice.details).toMatchObject({ reason: 'OPEN_CLAIM_EXISTS', claimId });
  });

  it('the claimant links the sealed evidence; an appointed adjuster takes the assessment (not the shop)', async () => {
    expect(await step(alice, 'claim:LinkEvidence', [claimId])).toMatchObject({ status: 'EVIDENCE_LINKED' });
    const refused = await expectRefusal(submit(shop, 'claim:StartAssessment', [claimId]), 'FORBIDDEN');
    expect(refused.details).toMatchObject({ state: 'EVIDENCE_LINKED', required: ['adjuster'] });
    // bravo's adjuster is not acme's.
    await expectRefusal(submit(adjuster2, 'claim:StartAssessment', [claimId]), 'FORBIDDEN');
    expect(await step(adjuster, 'claim:StartAssessment', [claimId])).toMatchObject({
      status: 'UNDER_ASSESSMENT',
      adjusterId: key(adjuster),
    });
  });

  it('the assigned adjuster determines fault (car B 70 %) and approves a repair at an approved shop', async () => {
    const notHundred = await expectRefusal(
      submit(adjuster, 'claim:DetermineFault', [
        claimId,
        [
          { party: vinB, percent: 60 },
          { party: vinA, percent: 30 },
        ],
      ]),
      'INVALID_ARGUMENT',
    );
    expect(notHundred.details).toMatchObject({ reason: 'FAULT_SHARES_NOT_100' });
    const shares = [
      { party: vinB, percent: 70 },
      { party: vinA, percent: 30 },
    ];
    const determined = await step(adjuster, 'claim:DetermineFault', [claimId, shares]);
    expect(determined.status).toBe('FAULT_DETERMINED');
    expect(determined.fault).toMatchObject({ determinedBy: key(adjuster) });
    expect(determined.fault!.shares).toEqual(expect.arrayContaining(shares));

    const unapproved = await expectRefusal(
      submit(adjuster, 'claim:ApproveRepair', [claimId, { shopId: key(rogueShop), estimate: ESTIMATE }]),
      'FAILED_PRECONDITION',
    );
    expect(unapproved.details).toMatchObject({ reason: 'SHOP_NOT_APPROVED' });
    expect(
      await step(adjuster, 'claim:ApproveRepair', [claimId, { shopId: key(shop), estimate: ESTIMATE }]),
    ).toMatchObject({
      status: 'APPROVED_REPAIR',
      decision: { type: 'REPAIR', shopId: key(shop), estimate: ESTIMATE, by: key(adjuster) },
    });
  });

  it('the assigned shop repairs and invoices (not another shop)', async () => {
    await expectRefusal(submit(rogueShop, 'claim:StartRepair', [claimId]), 'FORBIDDEN');
    expect(await step(shop, 'claim:StartRepair', [claimId])).toMatchObject({ status: 'REPAIRING' });
    expect(
      await step(shop, 'claim:CompleteRepair', [claimId, { amount: INVOICE, reference: `INV-${run}` }]),
    ).toMatchObject({ status: 'REPAIRED', invoice: { amount: INVOICE, reference: `INV-${run}` } });
  });

  it('the insurer pays at most the bound (not the other insurer, not above it) and the other insurer owes its share', async () => {
    await expectRefusal(submit(bravo, 'claim:PayClaim', [claimId, { amount: INVOICE }]), 'FORBIDDEN');
    const above = await expectRefusal(
      submit(acme, 'claim:PayClaim', [claimId, { amount: INVOICE + 1 }]),
      'INVALID_ARGUMENT',
    );
    expect(above.details).toMatchObject({
      reason: 'PAYOUT_ABOVE_BOUND',
      amount: INVOICE + 1,
      bound: INVOICE,
    });
    expect(await evaluate(acme, 'claim:GetClaim', [claimId])).toMatchObject({ status: 'REPAIRED' });

    const paid = await step(acme, 'claim:PayClaim', [claimId, { amount: INVOICE, reference: `PAY-${run}` }]);
    const settlementId = `${claimId}:${vinB}`;
    expect(paid).toMatchObject({
      status: 'PAID',
      payment: { amount: INVOICE, payee: key(shop), settlementIds: [settlementId] },
    });
    expect(await evaluate(police, 'claim:GetSettlement', [settlementId])).toMatchObject({
      claimId,
      crashId,
      vin: vinB,
      payerInsurerId: key(bravo),
      payeeInsurerId: key(acme),
      faultPercent: 70,
      amount: 770_000,
      status: 'RECORDED',
    } satisfies Partial<Settlement>);
    await expectRefusal(submit(acme, 'claim:AcknowledgeSettlement', [settlementId]), 'FORBIDDEN');
    expect(
      (await submit<Settlement>(bravo, 'claim:AcknowledgeSettlement', [settlementId])).result.status,
    ).toBe('ACKNOWLEDGED');
  });

  it('the insurer closes it; the incident is then free for a new claim', async () => {
    await expectRefusal(submit(alice, 'claim:CloseClaim', [claimId]), 'FORBIDDEN');
    expect(await step(acme, 'claim:CloseClaim', [claimId])).toMatchObject({ status: 'CLOSED' });
    const closedAgain = await expectRefusal(
      submit(acme, 'claim:CloseClaim', [claimId]),
      'FAILED_PRECONDITION',
    );
    expect(closedAgain.details).toMatchObject({ state: 'CLOSED', final: true });
    expect(await evaluate<string[]>(alice, 'claim:ListPolicyClaims', [policyA])).toContain(claimId);
    await expectRefusal(evaluate(utility, 'claim:GetClaim', [claimId]), 'FORBIDDEN');

    const reopened = await submit<Claim>(alice, 'claim:FileClaim', [
      { claimId: `claim-${randomUUID()}`, policyId: policyA, kind: 'COLLISION', incidentId: crashId },
    ]);
    expect(reopened.result.status).toBe('REPORTED');
  });

  it('every step emitted one chaincode event named after it', async () => {
    const events = await chaincodeEventsOf(acme, channel(), CC, startBlock, txIds);
    const seen = txIds.map((id) => {
      const e = events.get(id);
      if (!e) return undefined;
      const payload = JSON.parse(e.payload.toString('utf8')) as EventPayload;
      return { name: e.eventName, types: payload.events.map((x) => x.type), txId: payload.txId === id };
    });
    expect(seen).toEqual([
      { name: 'claim.FileClaim', types: ['ClaimFiled'], txId: true },
      { name: 'claim.LinkEvidence', types: ['EvidenceLinked'], txId: true },
      { name: 'claim.StartAssessment', types: ['AssessmentStarted'], txId: true },
      { name: 'claim.DetermineFault', types: ['FaultDetermined'], txId: true },
      { name: 'claim.ApproveRepair', types: ['RepairApproved'], txId: true },
      { name: 'claim.StartRepair', types: ['RepairStarted'], txId: true },
      { name: 'claim.CompleteRepair', types: ['RepairCompleted'], txId: true },
      { name: 'claim.PayClaim', types: ['SettlementRecorded', 'ClaimPaid'], txId: true },
      { name: 'claim.CloseClaim', types: ['ClaimClosed'], txId: true },
    ]);
  });
});

describe('claims cite only sealed evidence of a crash the car was in', () => {
  const unsealedCrash = `crash-${randomUUID()}`;
  const claimId = `claim-${randomUUID()}`;

  it('the police report a crash (a City utility certificate may not)', async () => {
    const input = { crashId: unsealedCrash, occurredAt: new Date(at(140)).toISOString(), vins: [vinB] };
    await expectRefusal(submit(utility, 'crash:ReportCrash', [input]), 'FORBIDDEN');
    expect((await submit<Crash>(police, 'crash:ReportCrash', [input])).result).toMatchObject({
      status: 'REPORTED',
      reportedBy: key(police),
    });
  });

  it('a claim on a crash without the car is refused; one on an unsealed crash is filed but cannot link it', async () => {
    const notInvolved = await expectRefusal(
      submit(alice, 'claim:FileClaim', [
        { claimId: `claim-${randomUUID()}`, policyId: policyA, kind: 'COLLISION', incidentId: unsealedCrash },
      ]),
      'INVALID_ARGUMENT',
    );
    expect(notInvolved.details).toMatchObject({ reason: 'VEHICLE_NOT_INVOLVED' });

    await submit(bob, 'claim:FileClaim', [
      { claimId, policyId: policyB, kind: 'COLLISION', incidentId: unsealedCrash },
    ]);
    const unsealed = await expectRefusal(submit(bob, 'claim:LinkEvidence', [claimId]), 'FAILED_PRECONDITION');
    expect(unsealed.details).toMatchObject({ reason: 'EVIDENCE_NOT_SEALED', state: 'REPORTED' });
    expect(await evaluate(bob, 'claim:GetClaim', [claimId])).toMatchObject({ status: 'REPORTED' });
  });
});

describe('a theft claim needs the police first', () => {
  const claimId = `claim-theft-${randomUUID()}`;
  const caseNo = `case-${run}`;
  const stolenAt = new Date(Date.now() - 30 * 60_000).toISOString();
  const CASH = 900_000;

  it('is filed by the holder with the time of the theft', async () => {
    const noTime = await expectRefusal(
      submit(bob, 'claim:FileClaim', [{ claimId, policyId: policyB, kind: 'THEFT', incidentId: caseNo }]),
      'INVALID_ARGUMENT',
    );
    expect(noTime.details).toMatchObject({ reason: 'OCCURRED_AT_REQUIRED' });
    const { result } = await submit<Claim>(bob, 'claim:FileClaim', [
      { claimId, policyId: policyB, kind: 'THEFT', incidentId: caseNo, occurredAt: stolenAt },
    ]);
    expect(result).toMatchObject({
      status: 'REPORTED',
      kind: 'THEFT',
      insurerId: key(bravo),
      occurredAt: stolenAt,
    });
  });

  it('is not assessed without police confirmation, and no evidence link replaces it', async () => {
    const early = await expectRefusal(
      submit(adjuster2, 'claim:StartAssessment', [claimId]),
      'FAILED_PRECONDITION',
    );
    expect(early.details).toMatchObject({ reason: 'THEFT_NOT_CONFIRMED', state: 'REPORTED' });
    const link = await expectRefusal(submit(bob, 'claim:LinkEvidence', [claimId]), 'FAILED_PRECONDITION');
    expect(link.details).toMatchObject({ reason: 'THEFT_NEEDS_POLICE' });
    expect(await evaluate(bravo, 'claim:GetClaim', [claimId])).toMatchObject({ status: 'REPORTED' });
  });

  it('only the City police confirm it (FORBIDDEN to the claimant and to an InsurerMSP "police" certificate)', async () => {
    await expectRefusal(submit(bob, 'claim:ConfirmTheft', [claimId, caseNo]), 'FORBIDDEN');
    await expectRefusal(submit(insurerPolice, 'claim:ConfirmTheft', [claimId, caseNo]), 'FORBIDDEN');
    const { result } = await submit<Claim>(police, 'claim:ConfirmTheft', [claimId, caseNo]);
    expect(result).toMatchObject({
      status: 'EVIDENCE_LINKED',
      theftConfirmation: { by: key(police), caseReference: caseNo },
    });
  });

  it('then is assessed and paid in cash to the holder, within the approved amount', async () => {
    expect((await submit<Claim>(adjuster2, 'claim:StartAssessment', [claimId])).result.status).toBe(
      'UNDER_ASSESSMENT',
    );
    // A theft has no vehicles at fault.
    const unknown = await expectRefusal(
      submit(adjuster2, 'claim:DetermineFault', [claimId, [{ party: vinA, percent: 100 }]]),
      'INVALID_ARGUMENT',
    );
    expect(unknown.details).toMatchObject({ reason: 'UNKNOWN_PARTY' });
    await submit(adjuster2, 'claim:DetermineFault', [claimId, [{ party: 'THIRD_PARTY', percent: 100 }]]);
    expect((await submit<Claim>(adjuster2, 'claim:ApproveCash', [claimId, CASH])).result.status).toBe(
      'APPROVED_CASH',
    );
    const above = await expectRefusal(
      submit(bravo, 'claim:PayClaim', [claimId, { amount: CASH + 1 }]),
      'INVALID_ARGUMENT',
    );
    expect(above.details).toMatchObject({ reason: 'PAYOUT_ABOVE_BOUND', bound: CASH });
    const paid = await submit<Claim>(bravo, 'claim:PayClaim', [claimId, { amount: CASH }]);
    expect(paid.result).toMatchObject({
      status: 'PAID',
      payment: { amount: CASH, payee: residentIds.bob, settlementIds: [] },
    });
    expect((await submit<Claim>(bravo, 'claim:CloseClaim', [claimId])).result.status).toBe('CLOSED');
  });
});
