import { DAY, T0, grant, ids, newHarness, record, weight } from './medical.fixtures';

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
    expect(scan.value.alertIds).toEqual([`${scan.value.observationIds[0]}:weight-change-5pct-30d`]);
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
    expect(scan.value.alertIds).toEqual([]);
  });
});
