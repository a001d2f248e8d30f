import { identity, type ContractHarness, type MemoryStub } from '@cityledger/chaincode-common';
import { DAY, T0, bmi, expectError, fat, firedAlerts, grant, ids, newHarness, record, weight } from './medical.fixtures';

/** The keys of the watched-observation index on the ledger (`stub`: any, for its key splitting). */
const watchedKeys = (h: ContractHarness, stub: MemoryStub) =>
  [...h.ledger.state.keys()].filter((k) => stub.splitCompositeKey(k).objectType === 'watchedObs');

// The in-memory stub refuses private-data range queries in a writing transaction, as Fabric's transaction
// simulator does ("Queries on pvt data is supported only in a read-only transaction"): the alert rule of a
// scan must find the earlier weights without one.
describe('alert rules read earlier values without a private range query', () => {
  const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

  it('a 6 % weight change within 30 days commits with its alert', async () => {
    const h = newHarness();
    await grant(h);
    expect((await record(h, ids.aliceScale, [weight(72.4)], T0)).committed).toBe(true);
    const scan = await record(h, ids.aliceScale, [weight(76.8)], at(7 * DAY));
    expect(scan.committed).toBe(true);
    expect(await firedAlerts(h, scan)).toEqual([`${scan.value.observationIds[0]}:weight-change-5pct-30d`]);
  });

  it('ignores weights outside the window and erased ones', async () => {
    const h = newHarness();
    await grant(h);
    await record(h, ids.aliceScale, [weight(60)], T0); // 31 days before the last scan: outside the window
    const erased = await record(h, ids.aliceScale, [weight(65)], at(20 * DAY));
    await record(h, ids.aliceScale, [weight(70)], at(25 * DAY));
    h.setTime(at(26 * DAY));
    const erasure = await h.submit(ids.alice, 'observation:EraseObservations', [
      { observationIds: erased.value.observationIds },
    ]);
    expect(erasure.committed).toBe(true);
    // 71 kg against 70 kg (1.4 %): no alert, although 60 kg and 65 kg would have fired.
    const scan = await record(h, ids.aliceScale, [weight(71)], at(31 * DAY));
    expect(scan.committed).toBe(true);
    expect(await firedAlerts(h, scan)).toEqual([]);
  });

  it('fires across a month boundary', async () => {
    const h = newHarness();
    await grant(h);
    await record(h, ids.aliceScale, [weight(72.4)], '2026-05-25T08:00:00.000Z');
    const scan = await record(h, ids.aliceScale, [weight(76.8)], '2026-06-03T08:00:00.000Z');
    expect(await firedAlerts(h, scan)).toHaveLength(1);
  });

  // Every key a writing transaction's range queries return is read again by each peer at validation:
  // a scan must not read the patient's whole history, nor other codes, nor other patients.
  it("reads only the patient's watched values of the window's months", async () => {
    const h = newHarness();
    await grant(h);
    for (let day = 0; day < 90; day += 1) {
      await record(h, ids.aliceScale, [weight(70 + (day % 3) / 10), bmi(24), fat(20)], at(day * DAY));
      await record(h, ids.bobScale, [weight(80)], at(day * DAY + 1000));
    }
    const scan = await record(h, ids.aliceScale, [weight(70.1)], at(90 * DAY)); // 2026-08-30
    expect(scan.committed).toBe(true);
    // (and the patient's consents, for the alert outcome's recipients)
    const read = scan.stub.scanned
      .map((k) => scan.stub.splitCompositeKey(k))
      .filter(({ objectType }) => objectType !== 'consent');
    expect(read.length).toBeGreaterThanOrEqual(30); // the window's 30 days of weights
    expect(read.length).toBeLessThanOrEqual(60); // at most the two months it touches
    for (const { objectType, attributes } of read) {
      expect(objectType).toBe('watchedObs');
      expect(attributes.slice(0, 3)).toEqual(['R1', '29463-7', expect.stringMatching(/^2026-0[78]$/)]);
    }
  });

  it('erasure removes the observation from the index', async () => {
    const h = newHarness();
    await grant(h);
    const first = await record(h, ids.aliceScale, [weight(70), bmi(24)], T0);
    const indexed = () => watchedKeys(h, first.stub);
    expect(indexed()).toHaveLength(1); // the weight; BMI has no rule
    h.setTime(at(DAY));
    const erasure = await h.submit(ids.alice, 'observation:EraseObservations', [
      { observationIds: first.value.observationIds },
    ]);
    expect(erasure.committed).toBe(true);
    expect(indexed()).toEqual([]);
  });

  describe('after an upgrade from a version without the index', () => {
    const hospitalAdmin = identity('HospitalMSP', 'hadmin', { role: 'admin' });

    it('IndexWatchedObservations indexes the weights recorded before it, so the rule sees them again', async () => {
      const h = newHarness();
      await grant(h);
      await record(h, ids.aliceScale, [weight(72.4), bmi(24)], T0);
      const erased = await record(h, ids.aliceScale, [weight(60)], at(DAY));
      await record(h, ids.bobScale, [weight(80)], at(DAY));
      h.setTime(at(2 * DAY));
      expect(
        (
          await h.submit(ids.alice, 'observation:EraseObservations', [
            { observationIds: erased.value.observationIds },
          ])
        ).committed,
      ).toBe(true);
      // As an older version left it: records and values, no index.
      const indexed = () => watchedKeys(h, erased.stub);
      for (const key of indexed()) h.ledger.state.delete(key);
      const unseen = await record(h, ids.aliceScale, [weight(76.8)], at(3 * DAY));
      expect(await firedAlerts(h, unseen)).toEqual([]); // the gap the index closes

      const run = await h.submit(hospitalAdmin, 'observation:IndexWatchedObservations', ['R1']);
      expect(run.committed).toBe(true);
      // Alice's two weights not erased; not her BMI, not the erased weight, not Bob's.
      expect(run.value).toEqual({ indexed: 2 });
      expect(run.event?.envelope.events.at(-1)).toEqual({
        type: 'WatchedObservationsIndexed',
        data: { patientId: 'R1', indexed: 2 },
      });
      // Bob's weight waits for a run of its own.
      expect(indexed().map((k) => erased.stub.splitCompositeKey(k).attributes[0])).toEqual(['R1', 'R1']);

      const seen = await record(h, ids.aliceScale, [weight(80.9)], at(4 * DAY)); // +11.7 % on 72.4 kg
      expect(await firedAlerts(h, seen)).toHaveLength(1);
      const again = await h.submit(hospitalAdmin, 'observation:IndexWatchedObservations', ['R1']);
      expect(again.value).toEqual({ indexed: 3 });
      expect(indexed()).toHaveLength(3);
    });

    it('is for the admins of the orgs holding the values', async () => {
      const h = newHarness();
      for (const who of [
        ids.alice,
        ids.aliceScale,
        ids.drKim,
        identity('InsurerMSP', 'iadmin', { role: 'admin' }),
      ]) {
        expectError(await h.submit(who, 'observation:IndexWatchedObservations', ['R1']), 'FORBIDDEN');
      }
      const cityAdmin = identity('CityMSP', 'cityadmin', { role: 'admin' });
      expect((await h.submit(cityAdmin, 'observation:IndexWatchedObservations', ['R1'])).value).toEqual({
        indexed: 0,
      });
    });
  });
});
