import { identity, SealedResultSchema, type ContractHarness } from '@cityledger/chaincode-common';
import { Value } from '@sinclair/typebox/value';
import {
  DAY,
  HOUR,
  T0,
  bmi,
  expectError,
  grant,
  identityState,
  ids,
  newHarness,
  record,
  weight,
} from './medical.fixtures';
import type { Access, ObservationValue } from './model';

type Values = { items: ObservationValue[]; bookmark: string };
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const request = (overrides: Record<string, unknown> = {}) => ({
  patientId: 'R1',
  codes: ['29463-7'],
  purpose: 'TREAT',
  ...overrides,
});

async function seeded(): Promise<ContractHarness> {
  const h = newHarness();
  await record(h, ids.aliceScale, [weight(80), bmi(25)], at(0));
  await record(h, ids.aliceScale, [weight(79.5)], at(DAY));
  await record(h, ids.aliceScale, [weight(79)], at(40 * DAY));
  h.setTime(at(41 * DAY));
  return h;
}

function read(
  h: ContractHarness,
  who = ids.drKim,
  accessId: string,
  code = '29463-7',
  extra: Record<string, unknown> = {},
  peerMspId?: string,
) {
  return h.evaluate<Values>(
    who,
    'access:ReadObservations',
    [{ accessId, code, pageSize: 50, ...extra }],
    peerMspId ? { peerMspId } : {},
  );
}

describe('consent-based access', () => {
  it('the story: refused without consent; patient grants; doctor reads; patient revokes; refused again', async () => {
    const h = await seeded();
    const before = await h.submit(ids.drKim, 'access:RequestAccess', [request()]);
    expectError(before, 'FORBIDDEN', 'NO_CONSENT');

    await grant(h);
    const granted = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    expect(granted.committed).toBe(true);
    const access = granted.value;
    expect(access).toMatchObject({
      patientId: 'R1',
      kind: 'CONSENT',
      consentId: 'c1',
      codes: ['29463-7'],
      purpose: 'TREAT',
      grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-kim', role: 'doctor', key: 'HospitalMSP/dr-kim' },
      grantedAt: at(41 * DAY),
      expiresAt: at(41 * DAY + HOUR),
    });
    expect(access.accessId).toBe(granted.stub.getTxID());
    // The submitted result holds no values.
    expect(JSON.stringify(granted.value)).not.toContain('79.5');
    expect(granted.event?.envelope.events).toEqual([
      {
        type: 'AccessGranted',
        data: {
          accessId: access.accessId,
          patientId: 'R1',
          grantee: 'HospitalMSP/dr-kim',
          kind: 'CONSENT',
          consentId: 'c1',
          expiresAt: access.expiresAt,
        },
      },
    ]);

    const values = await read(h, ids.drKim, access.accessId);
    expect(values.value.items.map((v) => v.value)).toEqual([80, 79.5, 79]);
    expect(values.value.items[0]).toMatchObject({ patientId: 'R1', code: '29463-7', unit: 'kg' });

    await h.submit(ids.alice, 'consent:RevokeConsent', ['c1']);
    expectError(await read(h, ids.drKim, access.accessId), 'FORBIDDEN', 'NO_CONSENT');
    expectError(await h.submit(ids.drKim, 'access:RequestAccess', [request()]), 'FORBIDDEN', 'NO_CONSENT');
  });

  it('reads within what the consent that still permits allows, not the window granted under a revoked one', async () => {
    const h = await seeded();
    await grant(h); // c1: every measurement, until the end of 2026
    await grant(h, { consentId: 'c2', dataPeriod: { start: at(10 * DAY) }, period: { start: '2026-05-01T00:00:00Z', end: '2026-11-30T00:00:00Z' } });
    const access = (await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()])).value;
    expect(access).toMatchObject({ consentId: 'c1', dataPeriod: {} });
    expect((await read(h, ids.drKim, access.accessId)).value.items.map((v) => v.value)).toEqual([80, 79.5, 79]);
    await h.submit(ids.alice, 'consent:RevokeConsent', ['c1']);
    // c2 still permits the doctor, for measurements from day 10 on only.
    expect((await read(h, ids.drKim, access.accessId)).value.items.map((v) => v.value)).toEqual([79]);
  });

  it('refuses an expired consent, and one not yet valid', async () => {
    const h = await seeded();
    await grant(h, { period: { start: '2026-05-01T00:00:00Z', end: at(42 * DAY) } });
    const ok = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    expect(ok.committed).toBe(true);
    h.setTime(at(42 * DAY));
    expectError(
      await h.submit(ids.drKim, 'access:RequestAccess', [request()]),
      'FORBIDDEN',
      'CONSENT_EXPIRED',
    );
    expectError(await read(h, ids.drKim, ok.value.accessId), 'FORBIDDEN', 'ACCESS_EXPIRED');

    const h2 = await seeded();
    await grant(h2, { period: { start: at(50 * DAY), end: at(60 * DAY) } });
    const early = await h2.submit(ids.drKim, 'access:RequestAccess', [request()]);
    expectError(early, 'FORBIDDEN', 'CONSENT_NOT_YET_VALID');
    expect(early.error?.details.consentId).toBe('c1');
  });

  it('an access lasts one hour, and no longer than its consent', async () => {
    const h = await seeded();
    await grant(h, { period: { start: '2026-05-01T00:00:00Z', end: at(41 * DAY + 30 * 60 * 1000) } });
    const a = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    expect(a.value.expiresAt).toBe(at(41 * DAY + 30 * 60 * 1000));
    const h2 = await seeded();
    await grant(h2);
    const b = await h2.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    h2.advance(HOUR - 1);
    expect((await read(h2, ids.drKim, b.value.accessId)).ok).toBe(true);
    h2.advance(1);
    expectError(await read(h2, ids.drKim, b.value.accessId), 'FORBIDDEN', 'ACCESS_EXPIRED');
  });

  it('checks code scope, purpose, grantee and data period', async () => {
    const h = await seeded();
    await grant(h, { codes: ['29463-7'], dataPeriod: { start: at(DAY), end: at(30 * DAY) } });
    expectError(
      await h.submit(ids.drKim, 'access:RequestAccess', [request({ codes: ['29463-7', '39156-5'] })]),
      'FORBIDDEN',
      'NO_CONSENT',
    );
    expectError(
      await h.submit(ids.drKim, 'access:RequestAccess', [request({ purpose: 'HRESCH' })]),
      'FORBIDDEN',
      'NO_CONSENT',
    );
    expectError(await h.submit(ids.drLee, 'access:RequestAccess', [request()]), 'FORBIDDEN', 'NO_CONSENT');
    expectError(
      await h.submit(ids.drKim, 'access:RequestAccess', [request({ dataPeriod: { start: at(35 * DAY) } })]),
      'FORBIDDEN',
      'NO_CONSENT',
    );

    // Asked for everything: gets the consent's data window only.
    const a = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    expect(a.value.dataPeriod).toEqual({ start: at(DAY), end: at(30 * DAY) });
    expect((await read(h, ids.drKim, a.value.accessId)).value.items.map((v) => v.value)).toEqual([79.5]);
    // Narrower than the consent: kept as asked.
    const b = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [
      request({ dataPeriod: { start: at(2 * DAY), end: at(3 * DAY) } }),
    ]);
    expect(b.value.dataPeriod).toEqual({ start: at(2 * DAY), end: at(3 * DAY) });
    expect((await read(h, ids.drKim, b.value.accessId)).value.items).toEqual([]);
    // A code outside the access.
    const other = await read(h, ids.drKim, a.value.accessId, '39156-5');
    expectError(other, 'FORBIDDEN', 'CODE_NOT_GRANTED');
  });

  it('deny overrides permit, at request and at read', async () => {
    const h = await seeded();
    await grant(h, { grantee: { mspId: 'HospitalMSP', role: 'doctor' } });
    const a = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    expect(a.committed).toBe(true);
    await grant(h, { consentId: 'no-kim', provision: 'deny', codes: ['29463-7'] });
    const r = await h.submit(ids.drKim, 'access:RequestAccess', [request()]);
    expectError(r, 'FORBIDDEN', 'DENIED_BY_CONSENT');
    expect(r.error?.details.consentId).toBe('no-kim');
    expectError(await read(h, ids.drKim, a.value.accessId), 'FORBIDDEN', 'DENIED_BY_CONSENT');
    expect((await h.submit(ids.drLee, 'access:RequestAccess', [request()])).committed).toBe(true);
  });

  it('an insurer reads for a claim on a City or Hospital peer, not on its own', async () => {
    const h = await seeded();
    await grant(h, {
      consentId: 'claim-7',
      grantee: { mspId: 'InsurerMSP', role: 'adjuster' },
      purposes: ['CLMATTCH'],
      codes: ['39156-5'],
    });
    expectError(
      await h.submit(ids.adjuster, 'access:RequestAccess', [request({ codes: ['39156-5'] })]),
      'FORBIDDEN',
      'NO_CONSENT',
    );
    const a = await h.submit<Access>(ids.adjuster, 'access:RequestAccess', [
      request({ codes: ['39156-5'], purpose: 'CLMATTCH' }),
    ]);
    expect(a.committed).toBe(true);
    expectError(
      await read(h, ids.adjuster, a.value.accessId, '39156-5'),
      'FAILED_PRECONDITION',
      'WRONG_PEER',
    );
    const v = await read(h, ids.adjuster, a.value.accessId, '39156-5', {}, 'HospitalMSP');
    expect(v.value.items.map((x) => x.value)).toEqual([25]);
    expectError(
      await h.submit(ids.insurer, 'access:RequestAccess', [
        request({ codes: ['39156-5'], purpose: 'CLMATTCH' }),
      ]),
      'FORBIDDEN',
      'NO_CONSENT',
    );
  });

  it('only the grantee reads under an access, with the licence still valid', async () => {
    const h = await seeded();
    await grant(h, { grantee: { mspId: 'HospitalMSP', role: 'doctor' } });
    const a = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    expectError(await read(h, ids.drLee, a.value.accessId), 'FORBIDDEN', 'NOT_GRANTEE');
    expectError(await read(h, ids.alice, a.value.accessId), 'FORBIDDEN');
    expectError(await read(h, ids.drKim, 'unknown-access'), 'NOT_FOUND');
    identityState.licences.set('HospitalMSP/dr-kim', 'REVOKED');
    const revoked = await read(h, ids.drKim, a.value.accessId);
    expectError(revoked, 'FORBIDDEN', 'CREDENTIAL_NOT_ACTIVE');
    expect(revoked.error?.details.status).toBe('REVOKED');
    expectError(
      await h.submit(ids.drKim, 'access:RequestAccess', [request()]),
      'FORBIDDEN',
      'CREDENTIAL_NOT_ACTIVE',
    );
  });

  it('pages values under an access', async () => {
    const h = await seeded();
    await grant(h);
    const a = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    const p1 = await h.evaluate<Values>(ids.drKim, 'access:ReadObservations', [
      { accessId: a.value.accessId, code: '29463-7', pageSize: 2 },
    ]);
    expect(p1.value.items.map((v) => v.value)).toEqual([80, 79.5]);
    const p2 = await read(h, ids.drKim, a.value.accessId, '29463-7', { bookmark: p1.value.bookmark });
    expect(p2.value).toEqual({ items: [expect.objectContaining({ value: 79 })], bookmark: '' });
  });

  it('answers values sealed: a grantee who submits the read puts only ciphertext in the block', async () => {
    const h = await seeded();
    await grant(h);
    const a = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    const query = [{ accessId: a.value.accessId, code: '29463-7', pageSize: 2 }];
    const submitted = await h.submit<Values>(ids.drKim, 'access:ReadObservations', query);
    expect(submitted.committed).toBe(true);
    expect(submitted.value.items.map((v) => v.value)).toEqual([80, 79.5]);
    // What the block would hold: the envelope alone; its ciphertext is not the values' JSON.
    expect(Value.Check(SealedResultSchema, submitted.sealed)).toBe(true);
    const ciphertext = Buffer.from(submitted.sealed!.ciphertext, 'base64').toString('latin1');
    expect(ciphertext).not.toContain('"value":80');
    expect(ciphertext).not.toContain('"patientId"');
    expectError(await h.evaluate(ids.drKim, 'access:ReadObservations', query, { resultKey: null }), 'INVALID_ARGUMENT', 'RESULT_KEY_REQUIRED');
  });

  it.each([
    ['callers who are not grantees', ids.alice, request(), 'FORBIDDEN'],
    ['a device', ids.aliceScale, request(), 'FORBIDDEN'],
    ['a birth attestor', ids.attestor, request(), 'FORBIDDEN'],
    ['a City cert claiming doctor', ids.fakeDoctor, request(), 'FORBIDDEN'],
    ['an unknown patient', ids.drKim, request({ patientId: 'R404' }), 'NOT_FOUND'],
    ['an unknown code', ids.drKim, request({ codes: ['12345-6'] }), 'INVALID_ARGUMENT'],
    ['a missing purpose', ids.drKim, { patientId: 'R1', codes: ['29463-7'] }, 'INVALID_ARGUMENT'],
    ['a wrong type', ids.drKim, request({ codes: '29463-7' }), 'INVALID_ARGUMENT'],
    [
      'an empty data period',
      ids.drKim,
      request({ dataPeriod: { start: at(DAY), end: at(0) } }),
      'INVALID_ARGUMENT',
    ],
    ['an oversize request', ids.drKim, request({ patientId: 'R'.repeat(70_000) }), 'INVALID_ARGUMENT'],
  ])('RequestAccess refuses %s', async (_name, who, input, code) => {
    const h = await seeded();
    await grant(h);
    expectError(await h.submit(who, 'access:RequestAccess', [input]), code);
  });

  it('ReadObservations refuses malformed queries', async () => {
    const h = await seeded();
    expectError(
      await h.evaluate(ids.drKim, 'access:ReadObservations', [{ accessId: 'a', code: '29463-7' }]),
      'INVALID_ARGUMENT',
    );
    expectError(
      await h.evaluate(ids.drKim, 'access:ReadObservations', [
        { accessId: 'a', code: '29463-7', pageSize: 500 },
      ]),
      'INVALID_ARGUMENT',
    );
  });
});

describe('break the glass', () => {
  it('gives a doctor 24 hours without consent, audited, and notifies the patient', async () => {
    const h = await seeded();
    const r = await h.submit<Access>(ids.drLee, 'access:BreakGlass', [
      { patientId: 'R1', reason: 'unconscious in the emergency room' },
    ]);
    expect(r.committed).toBe(true);
    expect(r.value).toMatchObject({
      kind: 'EMERGENCY',
      purpose: 'ETREAT',
      reason: 'unconscious in the emergency room',
      dataPeriod: {},
      expiresAt: at(42 * DAY),
    });
    expect(r.value.codes).toContain('29463-7');
    expect(r.event?.envelope.events).toEqual([
      {
        type: 'EmergencyAccessGranted',
        data: {
          accessId: r.value.accessId,
          patientId: 'R1',
          grantee: 'HospitalMSP/dr-lee',
          kind: 'EMERGENCY',
          expiresAt: at(42 * DAY),
        },
      },
    ]);
    expect((await read(h, ids.drLee, r.value.accessId)).value.items).toHaveLength(3);
    expect((await read(h, ids.drLee, r.value.accessId, '39156-5')).value.items).toHaveLength(1);
    // Even a deny does not stop an emergency access (that is its point; it is audited instead).
    await grant(h, {
      consentId: 'deny-all',
      provision: 'deny',
      grantee: { mspId: 'HospitalMSP' },
      purposes: ['TREAT', 'ETREAT'],
    });
    expect((await read(h, ids.drLee, r.value.accessId)).ok).toBe(true);
    h.advance(DAY);
    expectError(await read(h, ids.drLee, r.value.accessId), 'FORBIDDEN', 'ACCESS_EXPIRED');

    const log = await h.evaluate<{ items: Access[] }>(ids.alice, 'access:ListMyAccessLog', [10, '']);
    expect(log.value.items).toEqual([
      expect.objectContaining({
        accessId: r.value.accessId,
        kind: 'EMERGENCY',
        reason: 'unconscious in the emergency room',
      }),
    ]);
  });

  it('can be limited to some codes', async () => {
    const h = await seeded();
    const r = await h.submit<Access>(ids.drKim, 'access:BreakGlass', [
      { patientId: 'R1', reason: 'suspected internal bleeding', codes: ['29463-7'] },
    ]);
    expect(r.value.codes).toEqual(['29463-7']);
    expectError(await read(h, ids.drKim, r.value.accessId, '39156-5'), 'FORBIDDEN', 'CODE_NOT_GRANTED');
  });

  it.each([
    ['an insurer', ids.insurer, {}, 'FORBIDDEN', undefined],
    ['the patient', ids.alice, {}, 'FORBIDDEN', undefined],
    ['a City cert claiming doctor', ids.fakeDoctor, {}, 'FORBIDDEN', undefined],
    ['a doctor with a revoked licence', ids.drOld, {}, 'FORBIDDEN', 'CREDENTIAL_NOT_ACTIVE'],
    ['a doctor without a licence', ids.drNoLicence, {}, 'FORBIDDEN', 'CREDENTIAL_NOT_ACTIVE'],
    ['no reason', ids.drKim, { reason: undefined }, 'INVALID_ARGUMENT', undefined],
    ['a too short reason', ids.drKim, { reason: 'because' }, 'INVALID_ARGUMENT', undefined],
    ['a too long reason', ids.drKim, { reason: 'x'.repeat(513) }, 'INVALID_ARGUMENT', undefined],
    ['an unknown code', ids.drKim, { codes: ['12345-6'] }, 'INVALID_ARGUMENT', undefined],
    ['an unknown patient', ids.drKim, { patientId: 'R404' }, 'NOT_FOUND', undefined],
  ])('refuses %s', async (_name, who, overrides, code, reason) => {
    const h = await seeded();
    const input = { patientId: 'R1', reason: 'unconscious in the emergency room', ...overrides };
    expectError(await h.submit(who, 'access:BreakGlass', [JSON.parse(JSON.stringify(input))]), code, reason);
  });
});

describe('audit trail', () => {
  it('the patient sees who was granted what, when and why, in time order; GetAccess for the parties', async () => {
    const h = await seeded();
    await grant(h, { grantee: { mspId: 'HospitalMSP', role: 'doctor' } });
    const a = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [request()]);
    h.advance(HOUR);
    const b = await h.submit<Access>(ids.drLee, 'access:BreakGlass', [
      { patientId: 'R1', reason: 'unconscious in the emergency room' },
    ]);
    h.advance(HOUR);
    const c = await h.submit<Access>(ids.drLee, 'access:RequestAccess', [request()]);
    const p1 = await h.evaluate<{ items: Access[]; bookmark: string }>(ids.alice, 'access:ListMyAccessLog', [
      2,
      '',
    ]);
    expect(p1.value.items.map((x) => [x.grantee.key, x.kind])).toEqual([
      ['HospitalMSP/dr-kim', 'CONSENT'],
      ['HospitalMSP/dr-lee', 'EMERGENCY'],
    ]);
    const p2 = await h.evaluate<{ items: Access[]; bookmark: string }>(ids.alice, 'access:ListMyAccessLog', [
      2,
      p1.value.bookmark,
    ]);
    expect(p2.value.items.map((x) => x.accessId)).toEqual([c.value.accessId]);
    expect(
      (await h.evaluate<{ items: Access[] }>(ids.bob, 'access:ListMyAccessLog', [10, ''])).value.items,
    ).toEqual([]);
    expectError(await h.evaluate(ids.drKim, 'access:ListMyAccessLog', [10, '']), 'FORBIDDEN');

    expect((await h.evaluate<Access>(ids.alice, 'access:GetAccess', [a.value.accessId])).value).toEqual(
      a.value,
    );
    expect((await h.evaluate<Access>(ids.drLee, 'access:GetAccess', [b.value.accessId])).ok).toBe(true);
    expectError(
      await h.evaluate(ids.drKim, 'access:GetAccess', [b.value.accessId]),
      'FORBIDDEN',
      'NOT_A_PARTY',
    );
    expectError(
      await h.evaluate(ids.bob, 'access:GetAccess', [b.value.accessId]),
      'FORBIDDEN',
      'NOT_A_PARTY',
    );
    // A second certificate carrying alice's residentId (not the one R1 is bound to) is not the patient.
    expectError(
      await h.evaluate(identity('CityMSP', 'mallory', { role: 'resident', residentId: 'R1' }), 'access:GetAccess', [
        a.value.accessId,
      ]),
      'FORBIDDEN',
      'CERTIFICATE_NOT_BOUND',
    );
    expectError(await h.evaluate(ids.alice, 'access:GetAccess', ['nope']), 'NOT_FOUND');
  });
});
