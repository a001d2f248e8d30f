import { createHash, createHmac } from 'node:crypto';
import { canonicalJson, type TxResult } from '@cityledger/chaincode-common';
import {
  DAY,
  SALT,
  T0,
  bmi,
  expectError,
  fat,
  grant,
  identityState,
  ids,
  measurement,
  newHarness,
  record,
  weight,
  type RecordResult,
} from './medical.fixtures';
import { OBSERVATIONS_COLLECTION } from './model';
import { privateRead } from './store';

const privateKeys = (h: ReturnType<typeof newHarness>, type = 'obsValue') =>
  [...(h.ledger.privateData.get(OBSERVATIONS_COLLECTION)?.keys() ?? [])].filter((k) =>
    k.startsWith(`\u0000${type}\u0000`),
  );

describe('RecordObservations', () => {
  it('stores values only in the private collection and a hashed public record', async () => {
    const h = newHarness();
    const r = await record(h, ids.aliceScale, [weight(70.2), bmi(22.9), fat(24.1)], T0);
    expect(r.ok).toBe(true);
    expect(r.committed).toBe(true);
    expect(r.value.observationIds).toHaveLength(3);
    expect(r.value.alertIds).toEqual([`${r.value.observationIds[0]}:weight-change-5pct-30d`]); // the weight's outcome
    // No measurement value anywhere in public state, in the result or in the event.
    const publicText = [...h.ledger.state.values()].map((v) => Buffer.from(v).toString('utf8')).join('\n');
    for (const needle of ['70.2', '22.9', '24.1', SALT]) {
      expect(publicText).not.toContain(needle);
      expect(JSON.stringify(r.value)).not.toContain(needle);
      expect(JSON.stringify(r.event)).not.toContain(needle);
    }
    expect(privateKeys(h)).toHaveLength(3);
    // The public record's hash is Fabric's private data hash of the stored value.
    const rec = await h.evaluate<{ valueHash: string; code: string; device: string }>(
      ids.drKim,
      'observation:GetObservationRecord',
      ['R1', r.value.observationIds[0]],
    );
    expect(rec.value).toMatchObject({ code: '29463-7', device: 'CityMSP/alice-inbody' });
    const stored = [...h.ledger.privateHashes.get(OBSERVATIONS_COLLECTION)!.values()].map((b) =>
      Buffer.from(b).toString('hex'),
    );
    expect(stored).toContain(rec.value.valueHash);
    expect(r.value.valueHashes[0]).toBe(rec.value.valueHash);
    expect(r.event?.name).toBe('observation.RecordObservations');
    expect(r.event?.envelope.events).toEqual([
      { type: 'AlertChecked', data: { alertId: r.value.alertIds[0], recipients: [] } },
      {
        type: 'ObservationsRecorded',
        data: { patientId: 'R1', device: 'CityMSP/alice-inbody', observationIds: r.value.observationIds },
      },
    ]);
  });

  it('lets the patient read own values back, and the hash verifies them', async () => {
    const h = newHarness();
    const r = await record(h, ids.aliceWardScale, [weight(70.2)], T0);
    const mine = await h.evaluate<{ items: Record<string, unknown>[]; bookmark: string }>(
      ids.alice,
      'observation:ListMyObservations',
      [{ code: '29463-7', pageSize: 10 }],
    );
    expect(mine.value.items).toEqual([
      {
        observationId: r.value.observationIds[0],
        patientId: 'R1',
        code: '29463-7',
        value: 70.2,
        unit: 'kg',
        effectiveAt: T0,
        device: 'HospitalMSP/ward-scale-3',
        // The value's own salt, derived from the scan's (which it does not reveal).
        salt: createHmac('sha256', SALT).update(r.value.observationIds[0]).digest('hex'),
      },
    ]);
    expect(createHash('sha256').update(canonicalJson(mine.value.items[0])).digest('hex')).toBe(
      r.value.valueHashes[0],
    );
    const records = await h.evaluate<{ items: unknown[] }>(
      ids.alice,
      'observation:ListMyObservationRecords',
      [10, ''],
    );
    expect(records.value.items).toHaveLength(1);
  });

  it("gives each value of a scan its own salt: one value shown does not expose the scan's others", async () => {
    const h = newHarness();
    const r = await record(h, ids.aliceScale, [weight(83.4), { code: '41982-0', value: 21.5, unit: '%' }], T0);
    const values = await Promise.all(
      ['29463-7', '41982-0'].map(
        async (code) =>
          (
            await h.evaluate<{ items: { salt: string }[] }>(ids.alice, 'observation:ListMyObservations', [
              { code, pageSize: 10 },
            ])
          ).value.items[0],
      ),
    );
    const salts = values.map((v) => v.salt);
    expect(new Set(salts).size).toBe(2);
    expect(salts).not.toContain(SALT);
    // Knowing the fat reading and its salt, a guess of the weight with that salt does not hit its hash.
    const weightRecord = (
      await h.evaluate<{ valueHash: string; effectiveAt: string; device: string }>(
        ids.insurer,
        'observation:GetObservationRecord',
        ['R1', r.value.observationIds[0]],
      )
    ).value;
    const guess = {
      observationId: r.value.observationIds[0],
      patientId: 'R1',
      code: '29463-7',
      value: 83.4,
      unit: 'kg',
      effectiveAt: weightRecord.effectiveAt,
      device: weightRecord.device,
      salt: salts[1],
    };
    expect(createHash('sha256').update(canonicalJson(guess)).digest('hex')).not.toBe(weightRecord.valueHash);
  });

  it('pages the patient values in time order and honours the data window', async () => {
    const h = newHarness();
    for (let d = 0; d < 5; d++)
      await record(
        h,
        ids.aliceScale,
        [weight(70 + d * 0.1)],
        new Date(Date.parse(T0) + d * DAY).toISOString(),
      );
    const page1 = await h.evaluate<{ items: { value: number }[]; bookmark: string }>(
      ids.alice,
      'observation:ListMyObservations',
      [{ code: '29463-7', pageSize: 2 }],
    );
    expect(page1.value.items.map((i) => i.value)).toEqual([70, 70.1]);
    const page2 = await h.evaluate<{ items: { value: number }[]; bookmark: string }>(
      ids.alice,
      'observation:ListMyObservations',
      [{ code: '29463-7', pageSize: 2, bookmark: page1.value.bookmark }],
    );
    expect(page2.value.items.map((i) => i.value)).toEqual([70.2, 70.3]);
    const window = await h.evaluate<{ items: { value: number }[]; bookmark: string }>(
      ids.alice,
      'observation:ListMyObservations',
      [
        {
          code: '29463-7',
          pageSize: 10,
          dataPeriod: { start: '2026-06-02T08:00:00Z', end: '2026-06-04T08:00:00Z' },
        },
      ],
    );
    expect(window.value.items.map((i) => i.value)).toEqual([70.1, 70.2]);
    expect(window.value.bookmark).toBe('');
    expectError(
      await h.evaluate(ids.alice, 'observation:ListMyObservations', [
        {
          code: '29463-7',
          pageSize: 10,
          dataPeriod: { start: '2026-06-04T08:00:00Z', end: '2026-06-02T08:00:00Z' },
        },
      ]),
      'INVALID_ARGUMENT',
    );
  });

  it('refuses a device for another resident than its own', async () => {
    const h = newHarness();
    const r = await h.submit(ids.aliceScale, 'observation:RecordObservations', [], {
      transient: measurement([weight(70)], T0, { subject: 'R2' }),
    });
    expectError(r, 'FORBIDDEN', 'DEVICE_NOT_BOUND');
    const ok = await h.submit(ids.aliceScale, 'observation:RecordObservations', [], {
      transient: measurement([weight(70)], T0, { subject: 'R1' }),
    });
    expect(ok.committed).toBe(true);
  });

  it('refuses callers that are not devices, unbound devices, and devices of other orgs', async () => {
    const h = newHarness();
    for (const who of [ids.alice, ids.drKim, ids.insurer, ids.insurerDevice]) {
      expectError(await record(h, who, [weight(70)], T0), 'FORBIDDEN');
    }
    expectError(await record(h, ids.unboundDevice, [weight(70)], T0), 'FORBIDDEN', 'DEVICE_NOT_BOUND');
  });

  it("refuses a locked resident's device, and an unknown resident", async () => {
    const h = newHarness();
    identityState.residents.set('R1', 'LOCKED');
    const r = await record(h, ids.aliceScale, [weight(70)], T0);
    expectError(r, 'FORBIDDEN', 'RESIDENT_NOT_ACTIVE');
    expect(r.error?.details.status).toBe('LOCKED');
    identityState.residents.delete('R1');
    expectError(await record(h, ids.aliceScale, [weight(70)], T0), 'NOT_FOUND');
  });

  it('refuses to run on a peer that holds no values', async () => {
    const h = newHarness();
    const r = await h.submit(ids.aliceScale, 'observation:RecordObservations', [], {
      transient: measurement([weight(70)], T0),
      peerMspId: 'InsurerMSP',
    });
    expectError(r, 'FAILED_PRECONDITION', 'WRONG_PEER');
    expect(r.error?.details.endorsers).toEqual(['CityMSP', 'HospitalMSP']);
  });

  it.each([
    ['no transient at all', {}, undefined],
    ['values as missing field', { measurement: { effectiveAt: T0, salt: SALT } }, undefined],
    [
      'a wrong type',
      { measurement: { effectiveAt: T0, salt: SALT, items: [{ code: '29463-7', value: '70', unit: 'kg' }] } },
      undefined,
    ],
    ['a short salt', { measurement: { effectiveAt: T0, salt: 'abc', items: [weight(70)] } }, undefined],
    [
      'an extra field',
      { measurement: { effectiveAt: T0, salt: SALT, items: [weight(70)], name: 'Alice' } },
      undefined,
    ],
    ['an unknown code', measurement([{ code: '12345-6', value: 1, unit: 'kg' }], T0), '/items/0/code'],
    ['a wrong unit', measurement([{ code: '29463-7', value: 70, unit: 'lb' }], T0), '/items/0/unit'],
    ['an implausible value', measurement([weight(7000)], T0), '/items/0/value'],
    ['too many decimals', measurement([weight(70.12345)], T0), '/items/0/value'],
    ['a duplicate code', measurement([weight(70), weight(71)], T0), '/measurement/items'],
    ['a time in the future', measurement([weight(70)], '2026-06-01T09:00:00Z'), '/measurement/effectiveAt'],
    ['an impossible date', measurement([weight(70)], '2026-13-45T00:00:00Z'), undefined],
  ])('refuses %s with INVALID_ARGUMENT', async (_name, transient, field) => {
    const h = newHarness();
    const r = await h.submit(ids.aliceScale, 'observation:RecordObservations', [], { transient });
    expectError(r, 'INVALID_ARGUMENT');
    if (field) expect(r.error?.details.field).toBe(field);
  });

  it('refuses an oversize transient value', async () => {
    const h = newHarness();
    const r = await h.submit(ids.aliceScale, 'observation:RecordObservations', [], {
      transient: {
        measurement: { effectiveAt: T0, salt: SALT, items: [weight(70)], pad: 'x'.repeat(70_000) },
      },
    });
    expectError(r, 'INVALID_ARGUMENT');
    expect(r.error?.details.limit).toBe(64 * 1024);
  });

  it('does not accept values as arguments', async () => {
    const h = newHarness();
    const r = await h.submit(ids.aliceScale, 'observation:RecordObservations', [
      measurement([weight(70)], T0),
    ]);
    expect(r.ok).toBe(false);
    expect(privateKeys(h)).toHaveLength(0);
  });
});

describe('alerts', () => {
  const at = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString();

  it('raises an alert for a ≥ 5% weight change within 30 days, telling only consented doctors', async () => {
    const h = newHarness();
    await grant(h); // dr-kim, TREAT, weight
    await grant(h, {
      consentId: 'c-ins',
      grantee: { mspId: 'InsurerMSP', enrollmentId: 'uw1' },
      purposes: ['CLMATTCH'],
    });
    await record(h, ids.aliceScale, [weight(80)], at(0));
    const small = await record(h, ids.aliceScale, [weight(78)], at(10)); // -2.5%
    const big = await record(h, ids.aliceScale, [weight(75.9), bmi(24)], at(20)); // -5.125% vs day 0
    expect(big.value.alertIds).toEqual([`${big.value.observationIds[0]}:weight-change-5pct-30d`]);
    expect(JSON.stringify(big.event)).not.toContain('75.9');

    const forDoctor = await h.evaluate<Record<string, unknown>>(ids.drKim, 'observation:GetAlert', [
      big.value.alertIds[0],
    ]);
    expect(forDoctor.value).toMatchObject({
      patientId: 'R1',
      ruleId: 'weight-change-5pct-30d',
      code: '29463-7',
      fired: true,
      changePercent: -5,
      recipients: ['HospitalMSP/dr-kim'],
    });
    const quiet = await h.evaluate<Record<string, unknown>>(ids.drKim, 'observation:GetAlert', [small.value.alertIds[0]]);
    expect(quiet.value).toMatchObject({ fired: false, recipients: ['HospitalMSP/dr-kim'] });
    expect(quiet.value.changePercent).toBeUndefined();
    expect((await h.evaluate(ids.alice, 'observation:GetAlert', [big.value.alertIds[0]])).ok).toBe(true);
    expectError(
      await h.evaluate(ids.drLee, 'observation:GetAlert', [big.value.alertIds[0]]),
      'FORBIDDEN',
      'NOT_A_RECIPIENT',
    );
    expectError(
      await h.evaluate(ids.insurer, 'observation:GetAlert', [big.value.alertIds[0]], {
        peerMspId: 'HospitalMSP',
      }),
      'FORBIDDEN',
    );
    expectError(
      await h.evaluate(ids.drKim, 'observation:GetAlert', [big.value.alertIds[0]], {
        peerMspId: 'InsurerMSP',
      }),
      'FAILED_PRECONDITION',
      'WRONG_PEER',
    );
    expectError(await h.evaluate(ids.drKim, 'observation:GetAlert', ['nope']), 'NOT_FOUND');
  });

  it('shows the channel the same for a weight that fires and one that does not', async () => {
    // Insurer peers hold every block of health: event, result and private-write keys must not differ.
    const h = newHarness();
    await grant(h);
    await record(h, ids.aliceScale, [weight(80)], at(0));
    const quiet = await record(h, ids.aliceScale, [weight(79)], at(1));
    const fires = await record(h, ids.aliceScale, [weight(70)], at(2));
    const shape = (r: typeof quiet) => ({
      events: r.event?.envelope.events.map((e) => [e.type, Object.keys(e.data).sort(), e.data.recipients]),
      alerts: r.value.alertIds.length,
      privateKeys: [...(r.stub.privateWrites.get(OBSERVATIONS_COLLECTION)?.keys() ?? [])].map(
        (k) => r.stub.splitCompositeKey(k).objectType,
      ),
    });
    expect(shape(fires)).toEqual(shape(quiet));
    expect(shape(quiet).events).toEqual([
      ['AlertChecked', ['alertId', 'recipients'], ['HospitalMSP/dr-kim']],
      ['ObservationsRecorded', ['device', 'observationIds', 'patientId'], undefined],
    ]);
    // The outcome's hash is salted: guessing fired/changePercent does not reproduce it.
    const outcome = (await h.evaluate<Record<string, unknown>>(ids.alice, 'observation:GetAlert', [fires.value.alertIds[0]])).value;
    const { salt: _salt, ...unsalted } = outcome;
    const hashOf = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');
    const onLedger = Buffer.from(h.ledger.privateHashes.get(OBSERVATIONS_COLLECTION)!.get(
      fires.stub.createCompositeKey('alert', [fires.value.alertIds[0]]),
    ) ?? []).toString('hex');
    expect(hashOf(outcome)).toBe(onLedger);
    expect(hashOf(unsalted)).not.toBe(onLedger);
  });

  it('keeps an alert from a doctor the consents no longer let read that measurement', async () => {
    const h = newHarness();
    await grant(h);
    await record(h, ids.aliceScale, [weight(80)], at(0));
    const r = await record(h, ids.aliceScale, [weight(70)], at(1));
    expect((await h.evaluate(ids.drKim, 'observation:GetAlert', [r.value.alertIds[0]])).ok).toBe(true);
    await h.submit(ids.alice, 'consent:RevokeConsent', ['c1']);
    expectError(await h.evaluate(ids.drKim, 'observation:GetAlert', [r.value.alertIds[0]]), 'FORBIDDEN', 'NO_CONSENT');
    // Another resident learns nothing of whether an alert id exists.
    expectError(await h.evaluate(ids.bob, 'observation:GetAlert', [r.value.alertIds[0]]), 'NOT_FOUND');
    expectError(await h.evaluate(ids.bob, 'observation:GetAlert', ['nope']), 'NOT_FOUND');
  });

  it('ignores readings older than 30 days, and tells no one when no doctor is consented', async () => {
    const h = newHarness();
    await record(h, ids.aliceScale, [weight(80)], at(0));
    const after31 = await record(h, ids.aliceScale, [weight(70)], at(31));
    expect((await h.evaluate<{ fired: boolean }>(ids.alice, 'observation:GetAlert', [after31.value.alertIds[0]])).value.fired).toBe(false);
    const gain = await record(h, ids.aliceScale, [weight(74)], at(40)); // +5.7% vs day 31
    expect((await h.evaluate<{ fired: boolean }>(ids.alice, 'observation:GetAlert', [gain.value.alertIds[0]])).value.fired).toBe(true);
    expect(checked(gain)).toEqual({ alertId: gain.value.alertIds[0], recipients: [] });
  });

  it('does not tell a doctor the patient denied', async () => {
    const h = newHarness();
    await grant(h, { grantee: { mspId: 'HospitalMSP', role: 'doctor' } }); // all doctors: no named person
    await grant(h, { consentId: 'c-kim' });
    await grant(h, { consentId: 'deny-kim', provision: 'deny', codes: ['29463-7'] });
    await record(h, ids.aliceScale, [weight(80)], at(0));
    const r = await record(h, ids.aliceScale, [weight(90)], at(1));
    expect(checked(r)).toMatchObject({ recipients: [] });
  });
});

/** The AlertChecked event's data of a scan. */
const checked = (r: TxResult<unknown>) => r.event?.envelope.events.find((e) => e.type === 'AlertChecked')?.data;

describe('erasure', () => {
  it('purges the values (and their alerts), keeps the hash and an audit record', async () => {
    const h = newHarness();
    const a = await record(h, ids.aliceScale, [weight(80), bmi(25)], T0);
    const b = await record(h, ids.aliceScale, [weight(70)], new Date(Date.parse(T0) + DAY).toISOString());
    expect(b.value.alertIds).toHaveLength(1);
    const r = await h.submit<{
      erasure: { observationIds: string[]; erasureId: string };
      remaining: boolean;
    }>(ids.alice, 'observation:EraseObservations', [{}]);
    expect(r.committed).toBe(true);
    expect(r.value.remaining).toBe(false);
    expect(r.value.erasure.observationIds.sort()).toEqual(
      [...a.value.observationIds, ...b.value.observationIds].sort(),
    );
    expect(h.ledger.privateData.get(OBSERVATIONS_COLLECTION)?.size).toBe(0);
    expect(h.ledger.purged.get(OBSERVATIONS_COLLECTION)?.size).toBe(6); // 3 values, 2 weights' alert outcomes, the holder marker
    const rec = await h.evaluate<{ valueHash: string; erasedAt: string; erasureId: string }>(
      ids.alice,
      'observation:GetObservationRecord',
      ['R1', a.value.observationIds[0]],
    );
    expect(rec.value.valueHash).toBe(a.value.valueHashes[0]);
    expect(rec.value.erasureId).toBe(r.value.erasure.erasureId);
    const mine = await h.evaluate<{ items: unknown[] }>(ids.alice, 'observation:ListMyObservations', [
      { code: '29463-7', pageSize: 10 },
    ]);
    expect(mine.value.items).toEqual([]);
    const log = await h.evaluate<{ items: { erasureId: string; requestedBy: string }[] }>(
      ids.alice,
      'observation:ListMyErasures',
      [10, ''],
    );
    expect(log.value.items).toEqual([
      expect.objectContaining({ erasureId: r.value.erasure.erasureId, requestedBy: 'CityMSP/alice' }),
    ]);
    expect(r.event?.envelope.events).toEqual([
      {
        type: 'ObservationsErased',
        data: { patientId: 'R1', erasureId: r.value.erasure.erasureId, count: 3, remaining: false },
      },
    ]);
    expectError(
      await h.submit(ids.alice, 'observation:EraseObservations', [{}]),
      'FAILED_PRECONDITION',
      'NOTHING_TO_ERASE',
    );
  });

  it('erases chosen observations only, once', async () => {
    const h = newHarness();
    const a = await record(h, ids.aliceScale, [weight(80), bmi(25)], T0);
    const [w, b] = a.value.observationIds;
    expect(
      (await h.submit(ids.alice, 'observation:EraseObservations', [{ observationIds: [w] }])).committed,
    ).toBe(true);
    expect(privateKeys(h)).toHaveLength(1);
    const again = await h.submit(ids.alice, 'observation:EraseObservations', [{ observationIds: [w, b] }]);
    expectError(again, 'FAILED_PRECONDITION');
    expect(again.error?.details.state).toBe('ERASED');
    expectError(
      await h.submit(ids.alice, 'observation:EraseObservations', [{ observationIds: ['unknown'] }]),
      'NOT_FOUND',
    );
  });

  it('erases at most 200 per transaction and reports what remains', async () => {
    const h = newHarness();
    const items = [
      weight(80),
      bmi(25),
      fat(20),
      { code: '8302-2', value: 170, unit: 'cm' },
      { code: '8867-4', value: 60, unit: '/min' },
    ];
    for (let i = 0; i < 41; i++)
      await record(h, ids.aliceScale, items, new Date(Date.parse(T0) + i * 40 * DAY).toISOString());
    const r = await h.submit<{ remaining: boolean; erasure: { observationIds: string[] } }>(
      ids.alice,
      'observation:EraseObservations',
      [{}],
    );
    expect(r.value.erasure.observationIds).toHaveLength(200);
    expect(r.value.remaining).toBe(true);
    const rest = await h.submit<{ remaining: boolean; erasure: { observationIds: string[] } }>(
      ids.alice,
      'observation:EraseObservations',
      [{}],
    );
    expect(rest.value.erasure.observationIds).toHaveLength(5);
    expect(rest.value.remaining).toBe(false);
  });

  it('only the patient erases, and only while active', async () => {
    const h = newHarness();
    await record(h, ids.aliceScale, [weight(80)], T0);
    for (const who of [ids.drKim, ids.aliceScale, ids.insurer])
      expectError(await h.submit(who, 'observation:EraseObservations', [{}]), 'FORBIDDEN');
    expectError(
      await h.submit(ids.bob, 'observation:EraseObservations', [{}]),
      'FAILED_PRECONDITION',
      'NOTHING_TO_ERASE',
    );
    identityState.residents.set('R1', 'SUSPENDED');
    expectError(
      await h.submit(ids.alice, 'observation:EraseObservations', [{}]),
      'FORBIDDEN',
      'RESIDENT_NOT_ACTIVE',
    );
    expectError(
      await h.submit(ids.alice, 'observation:EraseObservations', [{ observationIds: [] }]),
      'INVALID_ARGUMENT',
    );
    expectError(
      await h.submit(ids.alice, 'observation:EraseObservations', [{ everything: true }]),
      'INVALID_ARGUMENT',
    );
  });
});

export type { RecordResult };

describe('peers without the values', () => {
  it('value reads on an Insurer peer fail with WRONG_PEER instead of answering empty', async () => {
    const h = newHarness();
    await record(h, ids.aliceScale, [weight(80)], T0);
    const r = await h.evaluate(
      ids.alice,
      'observation:ListMyObservations',
      [{ code: '29463-7', pageSize: 10 }],
      { peerMspId: 'InsurerMSP' },
    );
    expectError(r, 'FAILED_PRECONDITION', 'WRONG_PEER');
    expect(r.error?.details.endorsers).toEqual(['CityMSP', 'HospitalMSP']);
    expect(
      (
        await h.evaluate(ids.alice, 'observation:ListMyObservations', [{ code: '29463-7', pageSize: 10 }], {
          peerMspId: 'HospitalMSP',
        })
      ).ok,
    ).toBe(true);
  });

  it('privateRead passes other failures through', async () => {
    await expect(privateRead(() => Promise.reject(new Error('disk on fire')))).rejects.toThrow(
      'disk on fire',
    );
    await expect(privateRead(() => Promise.reject('not available'))).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
    });
  });

  it('the holder marker is written once, purged by a full erasure and written again by the next scan', async () => {
    const h = newHarness();
    await record(h, ids.aliceScale, [weight(80)], T0);
    await record(h, ids.aliceScale, [weight(80)], new Date(Date.parse(T0) + DAY).toISOString());
    expect(privateKeys(h, 'valueHolder')).toHaveLength(1);
    await h.submit(ids.alice, 'observation:EraseObservations', [{}]);
    expect(privateKeys(h, 'valueHolder')).toHaveLength(0);
    await record(h, ids.aliceScale, [weight(80)], new Date(Date.parse(T0) + 2 * DAY).toISOString());
    expect(privateKeys(h, 'valueHolder')).toHaveLength(1);
  });
});
