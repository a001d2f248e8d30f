/**
 * Act 3 — commute: Minji's autonomous car streams its driving data to the gateway's off-chain telemetry
 * API; the gateway seals the readings into Merkle windows whose roots the car anchors on chain (signed with
 * the car's own certificate); a crash is reported by the car and its evidence sealed by the police with the
 * City and the Insurer endorsing (key-level policy); the claim goes from filing through fault, repair and
 * payout to close; finally a reading is proven against the anchored root, and a forged one is not.
 */
import { randomVin } from '../support/telemetry';
import { Client } from './client';
import { Day } from './context';
import { check } from './narrator';

interface Claim {
  claimId: string;
  status: string;
  payment?: { amount: number; payee: string };
}
interface Crash {
  status: string;
  evidence?: {
    vehicles: { vin: string; windows: { seq: number; count: number; root: string }[]; complete: boolean }[];
  };
}
interface Proof {
  vin: string;
  seq: number;
  index: number;
  reading: Record<string, unknown>;
  path: string[];
  root: string;
}
interface SealedWindow {
  seq: number;
  count: number;
  root: string;
  windowStart: string;
  windowEnd: string;
  anchored?: {
    status?: number;
    txId?: string;
    blockNumber?: string;
    error?: { code: string; detail: string };
  };
}

export interface CommuteOutcome {
  vin: string;
  readings: number;
  windows: number;
  crashId: string;
  evidenceComplete: boolean;
  claimId: string;
  claimStatuses: string[];
  paid: number;
  readingProven: boolean;
  forgedRejected: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function commuteAct(day: Day): Promise<CommuteOutcome> {
  const { narrator: n, registrar, police } = day;
  n.act(3, 'Commute: driving data, a crash, a claim settled');
  if (!day.resident) throw new Error('the commute needs the resident of act 1');
  const { client: minji, residentId } = day.resident;

  const vin = randomVin();
  const [car, insurer, adjuster, shop] = await Promise.all([
    day.enrol('city', `car-${vin}`, 'vehicle', { vehicleId: vin }),
    day.enrol('insurer', 'hanil-insurance', 'insurer'),
    day.enrol('insurer', 'adjuster', 'adjuster'),
    day.enrol('insurer', 'haeundae-body-shop', 'repair-shop'),
  ]);

  n.tx(
    `registrar registers ${vin} (Hyundai Ioniq 5 AV) to ${residentId}`,
    await registrar.submit('mobility/vehicles', {
      vin,
      ownerId: residentId,
      make: 'Hyundai',
      model: 'Ioniq 5 AV',
      year: 2026,
    }),
  );
  const policyId = day.id('policy');
  n.tx(
    `insurer ${insurer.key} issues policy ${policyId} (coverage 5,000,000 KRW, deductible 300,000)`,
    await insurer.submit('mobility/insurance/policies', {
      policyId,
      vin,
      coverage: 5_000_000,
      deductible: 300_000,
      validFrom: iso(Date.now() - 86_400_000),
      validUntil: iso(Date.now() + 365 * 86_400_000),
    }),
  );
  n.tx(
    `insurer appoints adjuster ${adjuster.key}`,
    await insurer.submit(`mobility/insurance/adjusters/${encodeURIComponent(adjuster.key)}/appoint`),
  );
  n.tx(
    `insurer approves repair shop ${shop.key}`,
    await insurer.submit(`mobility/insurance/repair-shops/${encodeURIComponent(shop.key)}/approve`),
  );

  // The drive: one reading every 5 s over 150 s that ended a moment ago (windows may not end in the future).
  const T = Math.floor((Date.now() - 170_000) / 1000) * 1000;
  const readingIds: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = T + i * 5000;
    const stored = await car.request<{ id: number; leaf: string }>('POST', '/api/v1/telemetry/readings', {
      body: {
        timestamp: iso(t),
        speedKmh: 42 + ((i * 7) % 25),
        latE6: 35_163_000 + i * 37,
        lonE6: 129_163_500 + i * 41,
        automation: true,
        takeoverRequested: i === 12,
      },
    });
    readingIds.push(stored.id);
  }
  n.say(
    `the car streamed ${readingIds.length} readings to the gateway's off-chain store (speed, position, automation state)`,
  );
  const windows: SealedWindow[] = [];
  for (const [start, end] of [
    [T, T + 60_000],
    [T + 60_000, T + 120_000],
    [T + 120_000, T + 150_000],
  ]) {
    const w = await car.request<SealedWindow>('POST', '/api/v1/telemetry/windows', {
      body: { windowStart: iso(start), windowEnd: iso(end), anchor: true },
    });
    if (!w.anchored?.txId)
      throw new Error(`window ${w.seq} was sealed but not anchored: ${JSON.stringify(w.anchored)}`);
    windows.push(w);
    n.tx(
      `window ${w.seq} [${w.windowStart.slice(11, 19)}, ${w.windowEnd.slice(11, 19)}) sealed by the gateway: ${w.count} readings, root ${w.root.slice(0, 12)}…, anchored by the car`,
      { txId: w.anchored.txId, blockNumber: w.anchored.blockNumber ?? '?', result: w },
    );
  }

  // The crash, 65 s into the drive: the car reports it, the police seal the 40 s around it.
  const crashId = day.id('crash');
  const occurredAt = T + 65_000;
  n.tx(
    `the car reports crash ${crashId} at ${iso(occurredAt).slice(11, 19)} (Haeundae-ro junction)`,
    await car.submit('mobility/crash/crashes', {
      crashId,
      occurredAt: iso(occurredAt),
      vins: [vin],
      location: 'Haeundae-ro / Jung-dong junction',
    }),
  );
  const sealed = n.tx(
    'police seal the evidence [−30 s, +10 s] with the anchored windows and who drove (endorsed by CityMSP + InsurerMSP)',
    await police.submit<Crash>('mobility/crash/seal-evidence', {
      crashId,
      seal: {
        beforeSeconds: 30,
        afterSeconds: 10,
        driving: [
          {
            vin,
            automationActive: true,
            takeoverRequested: true,
            takeoverRequestedAt: iso(T + 60_000),
            driverTookOver: false,
          },
        ],
      },
    }),
  );
  const evidence = sealed.result.evidence!.vehicles[0];
  n.info(
    `sealed: windows ${evidence.windows.map((w) => w.seq).join(', ')} of ${vin}, complete=${evidence.complete}`,
  );

  // The claim, each step by its own identity.
  const claimId = day.id('claim');
  const statuses: string[] = [];
  const step = async (who: Client, what: string, path: string, body: unknown = {}) => {
    const c = n.tx(what, await who.submit<Claim>(path, body));
    statuses.push(c.result.status);
    return c.result;
  };
  await step(minji, `Minji files claim ${claimId} for crash ${crashId}`, 'mobility/claim/claims', {
    claimId,
    policyId,
    kind: 'COLLISION',
    incidentId: crashId,
    description: 'hit by a third party at the junction',
  });
  await step(minji, 'Minji links the sealed evidence', 'mobility/claim/link-evidence', { claimId });
  await step(adjuster, 'the adjuster starts the assessment', 'mobility/claim/start-assessment', { claimId });
  await step(
    adjuster,
    "fault determined from the evidence: third party 80 %, Minji's car 20 %",
    'mobility/claim/determine-fault',
    {
      claimId,
      shares: [
        { party: 'THIRD_PARTY', percent: 80 },
        { party: vin, percent: 20 },
      ],
    },
  );
  await step(
    adjuster,
    `repair approved at ${shop.key}, estimate 1,200,000 KRW`,
    'mobility/claim/approve-repair',
    {
      claimId,
      approval: { shopId: shop.key, estimate: 1_200_000 },
    },
  );
  await step(shop, 'the shop starts the repair', 'mobility/claim/start-repair', { claimId });
  await step(shop, 'the shop completes it: invoice 1,100,000 KRW', 'mobility/claim/complete-repair', {
    claimId,
    invoice: { amount: 1_100_000, reference: day.id('INV') },
  });
  const paid = await step(
    insurer,
    'the insurer pays the shop 1,100,000 KRW',
    `mobility/claim/claims/${claimId}/pay`,
    {
      amount: 1_100_000,
      reference: day.id('PAY'),
    },
  );
  await step(insurer, 'the insurer closes the claim', `mobility/claim/claims/${claimId}/close`);
  n.info(`claim: ${statuses.join(' → ')}`);

  // A reading at the crash proven against its anchored root, by the insurer; a forged one fails.
  const atCrash = readingIds[13];
  const proof = await car.request<Proof>('GET', `/api/v1/telemetry/readings/${atCrash}/proof`);
  const verify = (reading: Record<string, unknown>) =>
    insurer.get<{ result: { valid: boolean; root: string } }>('mobility/telemetry/verify-reading', {
      proof: { vin: proof.vin, seq: proof.seq, index: proof.index, reading, path: proof.path },
    });
  const genuine = (await verify(proof.reading)).result;
  n.say(
    `the insurer proves the reading at ${String(proof.reading.timestamp).slice(11, 19)} (${String(proof.reading.speedKmh)} km/h) against window ${proof.seq}'s anchored root: valid=${genuine.valid}`,
  );
  const forged = (await verify({ ...proof.reading, speedKmh: Number(proof.reading.speedKmh) - 20 })).result;
  n.say(`the same reading with the speed lowered by 20 km/h: valid=${forged.valid}`);
  check(genuine.valid && !forged.valid, 'the genuine reading proves and the forged one does not');

  return {
    vin,
    readings: readingIds.length,
    windows: windows.length,
    crashId,
    evidenceComplete: evidence.complete,
    claimId,
    claimStatuses: statuses,
    paid: paid.payment?.amount ?? 0,
    readingProven: genuine.valid,
    forgedRejected: !forged.valid,
  };
}
