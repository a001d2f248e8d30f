import { identity } from '@cityledger/chaincode-common';
import { T0, consentInput, expectError, grant, identityState, ids, newHarness } from './medical.fixtures';
import { consentLifecycle } from './consent-contract';
import type { Consent } from './model';

type C = Consent;

describe('CreateConsent', () => {
  it('lets the patient create an ACTIVE consent, with its history and an event', async () => {
    const h = newHarness();
    const r = await h.submit<C>(ids.alice, 'consent:CreateConsent', [consentInput()]);
    expect(r.committed).toBe(true);
    expect(r.value).toMatchObject({
      consentId: 'c1',
      patientId: 'R1',
      status: 'ACTIVE',
      createdBy: 'CityMSP/alice',
      createdAt: T0,
    });
    expect(r.value.history).toEqual([{ status: 'ACTIVE', at: T0, by: 'CityMSP/alice' }]);
    expect(r.event?.envelope.events).toEqual([
      {
        type: 'ConsentCreated',
        data: { patientId: 'R1', consentId: 'c1', status: 'ACTIVE', provision: 'permit' },
      },
    ]);
    expectError(await h.submit(ids.alice, 'consent:CreateConsent', [consentInput()]), 'CONFLICT');
  });

  it('defaults to DRAFT', async () => {
    const h = newHarness();
    const { status: _s, ...rest } = consentInput();
    const r = await h.submit<C>(ids.alice, 'consent:CreateConsent', [rest]);
    expect(r.value.status).toBe('DRAFT');
  });

  it('lets a doctor or an insurer propose a DRAFT permit for its own organisation', async () => {
    const h = newHarness();
    const byDoctor = await h.submit<C>(ids.drKim, 'consent:CreateConsent', [
      consentInput({ status: 'DRAFT' }),
    ]);
    expect(byDoctor.value).toMatchObject({ status: 'DRAFT', createdBy: 'HospitalMSP/dr-kim' });
    const claim = consentInput({
      consentId: 'claim-7',
      status: 'DRAFT',
      grantee: { mspId: 'InsurerMSP', role: 'adjuster' },
      purposes: ['CLMATTCH'],
    });
    expect((await h.submit<C>(ids.insurer, 'consent:CreateConsent', [claim])).committed).toBe(true);
  });

  it.each([
    ['ACTIVE by a proposer', ids.drKim, {}, 'PATIENT_ONLY'],
    ['a deny by a proposer', ids.drKim, { status: 'DRAFT', provision: 'deny' }, 'PATIENT_ONLY'],
    ['a grantee of another org', ids.insurer, { status: 'DRAFT' }, 'FOREIGN_GRANTEE'],
    ['for someone else, by a resident', ids.bob, {}, undefined],
    ['by a device', ids.aliceScale, {}, undefined],
    ['by police', ids.police, {}, undefined],
    ['by a City cert claiming doctor', ids.fakeDoctor, { status: 'DRAFT' }, undefined],
    ['by a doctor with a revoked licence', ids.drOld, { status: 'DRAFT' }, 'CREDENTIAL_NOT_ACTIVE'],
    ['by a doctor with no licence', ids.drNoLicence, { status: 'DRAFT' }, 'CREDENTIAL_NOT_ACTIVE'],
  ])('refuses %s with FORBIDDEN', async (_name, who, overrides, reason) => {
    const h = newHarness();
    expectError(
      await h.submit(who, 'consent:CreateConsent', [consentInput(overrides as never)]),
      'FORBIDDEN',
      reason,
    );
  });

  it('refuses a proposal for an unknown patient with NOT_FOUND', async () => {
    const h = newHarness();
    expectError(
      await h.submit(ids.drKim, 'consent:CreateConsent', [
        consentInput({ patientId: 'R404', status: 'DRAFT' }),
      ]),
      'NOT_FOUND',
    );
  });

  it("refuses a locked patient's consent", async () => {
    const h = newHarness();
    identityState.residents.set('R1', 'LOCKED');
    expectError(
      await h.submit(ids.alice, 'consent:CreateConsent', [consentInput()]),
      'FORBIDDEN',
      'RESIDENT_NOT_ACTIVE',
    );
  });

  it.each([
    ['an unknown code', { codes: ['12345-6'] }],
    ['a malformed code', { codes: ['weight'] }],
    ['no codes', { codes: [] }],
    ['duplicate codes', { codes: ['29463-7', '29463-7'] }],
    ['an unknown action', { actions: ['write'] }],
    ['an unknown purpose', { purposes: ['MARKETING'] }],
    ['a grantee outside the health channel', { grantee: { mspId: 'PortMSP' } }],
    ['a grantee with extra fields', { grantee: { mspId: 'HospitalMSP', name: 'Dr Kim' } }],
    [
      'a period ending before it starts',
      { period: { start: '2026-07-01T00:00:00Z', end: '2026-06-01T00:00:00Z' } },
    ],
    ['a period already over', { period: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } }],
    ['a period that is not a date', { period: { start: '2026-02-31X', end: '2026-12-01T00:00:00Z' } }],
    ['an impossible date', { period: { start: '2026-13-01T00:00:00Z', end: '2026-12-01T00:00:00Z' } }],
    ['an empty data period', { dataPeriod: { start: '2026-07-01T00:00:00Z', end: '2026-06-01T00:00:00Z' } }],
    ['an impossible data period date', { dataPeriod: { end: '2026-99-01T00:00:00Z' } }],
    ['a bad consentId', { consentId: 'has space' }],
    ['an oversize consentId', { consentId: 'x'.repeat(129) }],
    ['an unknown status', { status: 'INACTIVE' }],
  ])('refuses %s with INVALID_ARGUMENT', async (_name, overrides) => {
    const h = newHarness();
    expectError(
      await h.submit(ids.alice, 'consent:CreateConsent', [consentInput(overrides as never)]),
      'INVALID_ARGUMENT',
    );
  });

  it('refuses a missing field and a wrong type with INVALID_ARGUMENT naming the field', async () => {
    const h = newHarness();
    const { purposes: _p, ...noPurposes } = consentInput();
    const r = await h.submit(ids.alice, 'consent:CreateConsent', [noPurposes]);
    expectError(r, 'INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe('input');
    expect(JSON.stringify(r.error?.details.errors)).toContain('/purposes');
    expectError(await h.submit(ids.alice, 'consent:CreateConsent', ['not json']), 'INVALID_ARGUMENT');
    expectError(
      await h.submit(ids.alice, 'consent:CreateConsent', [{ ...consentInput(), codes: '29463-7' }]),
      'INVALID_ARGUMENT',
    );
  });
});

describe('consent lifecycle', () => {
  async function draft(h: ReturnType<typeof newHarness>, consentId = 'c1') {
    await grant(h, { consentId, status: 'DRAFT' });
  }

  it('patient activates a draft, then revokes it', async () => {
    const h = newHarness();
    await draft(h);
    const a = await h.submit<C>(ids.alice, 'consent:ActivateConsent', ['c1']);
    expect(a.value.status).toBe('ACTIVE');
    expect(a.event?.envelope.events[0]).toEqual({
      type: 'ConsentActivated',
      data: { patientId: 'R1', consentId: 'c1', status: 'ACTIVE' },
    });
    const r = await h.submit<C>(ids.alice, 'consent:RevokeConsent', ['c1']);
    expect(r.value.status).toBe('INACTIVE');
    expect(r.value.history.map((x) => x.status)).toEqual(['DRAFT', 'ACTIVE', 'INACTIVE']);
    expect(r.event?.envelope.events[0].type).toBe('ConsentRevoked');
    // INACTIVE is not reactivated: a new consent is written instead.
    const again = await h.submit(ids.alice, 'consent:ActivateConsent', ['c1']);
    expectError(again, 'FAILED_PRECONDITION');
    expect(again.error?.details.state).toBe('INACTIVE');
  });

  it('patient activates a proposal or rejects it', async () => {
    const h = newHarness();
    await h.submit(ids.drKim, 'consent:CreateConsent', [consentInput({ status: 'DRAFT' })]);
    await h.submit(ids.drKim, 'consent:CreateConsent', [consentInput({ consentId: 'c2', status: 'DRAFT' })]);
    expectError(await h.submit(ids.drKim, 'consent:ActivateConsent', ['c1']), 'FORBIDDEN');
    expect((await h.submit<C>(ids.alice, 'consent:ActivateConsent', ['c1'])).value.status).toBe('ACTIVE');
    const rej = await h.submit<C>(ids.alice, 'consent:RejectConsent', ['c2']);
    expect(rej.value.status).toBe('REJECTED');
    expectError(await h.submit(ids.alice, 'consent:ActivateConsent', ['c2']), 'FAILED_PRECONDITION');
    expectError(await h.submit(ids.alice, 'consent:RejectConsent', ['c1']), 'FAILED_PRECONDITION');
  });

  it('only the patient activates, rejects or revokes', async () => {
    const h = newHarness();
    await draft(h);
    for (const tx of ['ActivateConsent', 'RejectConsent', 'RevokeConsent']) {
      for (const who of [ids.drKim, ids.insurer, ids.aliceScale, ids.police])
        expectError(await h.submit(who, `consent:${tx}`, ['c1']), 'FORBIDDEN');
      // Another resident looks the consent up under their own id: it does not exist there.
      expectError(await h.submit(ids.bob, `consent:${tx}`, ['c1']), 'NOT_FOUND');
    }
  });

  it('refuses activating a consent whose period has ended', async () => {
    const h = newHarness();
    await draft(h);
    h.setTime('2027-01-01T00:00:00Z');
    const r = await h.submit(ids.alice, 'consent:ActivateConsent', ['c1']);
    expectError(r, 'FAILED_PRECONDITION', 'CONSENT_EXPIRED');
  });

  it('refuses moves on an unknown consent and when the patient is locked', async () => {
    const h = newHarness();
    expectError(await h.submit(ids.alice, 'consent:RevokeConsent', ['nope']), 'NOT_FOUND');
    await grant(h);
    identityState.residents.set('R1', 'LOCKED');
    expectError(
      await h.submit(ids.alice, 'consent:RevokeConsent', ['c1']),
      'FORBIDDEN',
      'RESIDENT_NOT_ACTIVE',
    );
    expectError(await h.submit(ids.alice, 'consent:RevokeConsent', ['bad id']), 'INVALID_ARGUMENT');
  });

  it('entered-in-error: the author withdraws a draft, the patient marks any non-final consent', async () => {
    const h = newHarness();
    await h.submit(ids.drKim, 'consent:CreateConsent', [consentInput({ status: 'DRAFT' })]);
    const w = await h.submit<C>(ids.drKim, 'consent:MarkConsentEnteredInError', ['R1', 'c1']);
    expect(w.value.status).toBe('ENTERED_IN_ERROR');
    expect(w.event?.envelope.events[0].type).toBe('ConsentEnteredInError');
    const final = await h.submit(ids.alice, 'consent:MarkConsentEnteredInError', ['R1', 'c1']);
    expectError(final, 'FAILED_PRECONDITION');
    expect(final.error?.details.final).toBe(true);

    await grant(h, { consentId: 'c2' });
    expectError(await h.submit(ids.drKim, 'consent:MarkConsentEnteredInError', ['R1', 'c2']), 'FORBIDDEN'); // not the author
    expect(
      (await h.submit<C>(ids.alice, 'consent:MarkConsentEnteredInError', ['R1', 'c2'])).value.status,
    ).toBe('ENTERED_IN_ERROR');

    await h.submit(ids.drKim, 'consent:CreateConsent', [consentInput({ consentId: 'c3', status: 'DRAFT' })]);
    await h.submit(ids.alice, 'consent:ActivateConsent', ['c3']);
    const late = await h.submit(ids.drKim, 'consent:MarkConsentEnteredInError', ['R1', 'c3']);
    expectError(late, 'FORBIDDEN'); // the author may only withdraw a draft
    expect(late.error?.details.required).toEqual(['patient']);
    expectError(await h.submit(ids.police, 'consent:MarkConsentEnteredInError', ['R1', 'c3']), 'FORBIDDEN');
    expectError(await h.submit(ids.drKim, 'consent:MarkConsentEnteredInError', ['R1', 'c404']), 'NOT_FOUND');
  });
});

describe('reading consents', () => {
  it('GetConsent: the patient, the author and the named grantee; nobody else', async () => {
    const h = newHarness();
    await h.submit(ids.drLee, 'consent:CreateConsent', [consentInput({ status: 'DRAFT' })]); // names dr-kim, written by dr-lee
    for (const who of [ids.alice, ids.drLee, ids.drKim])
      expect((await h.evaluate(who, 'consent:GetConsent', ['R1', 'c1'])).ok).toBe(true);
    for (const who of [ids.bob, ids.insurer, ids.drOld])
      expectError(await h.evaluate(who, 'consent:GetConsent', ['R1', 'c1']), 'FORBIDDEN', 'NOT_A_PARTY');
    expectError(await h.evaluate(ids.alice, 'consent:GetConsent', ['R1', 'c2']), 'NOT_FOUND');
    // A second certificate carrying alice's residentId (not the one R1 is bound to) is not the patient.
    const impostor = identity('CityMSP', 'mallory', { role: 'resident', residentId: 'R1' });
    expectError(await h.evaluate(impostor, 'consent:GetConsent', ['R1', 'c1']), 'FORBIDDEN', 'CERTIFICATE_NOT_BOUND');
  });

  it("ListMyConsents pages the patient's own consents only", async () => {
    const h = newHarness();
    for (const id of ['c1', 'c2', 'c3']) await grant(h, { consentId: id });
    const p1 = await h.evaluate<{ items: C[]; bookmark: string }>(ids.alice, 'consent:ListMyConsents', [
      2,
      '',
    ]);
    expect(p1.value.items.map((c) => c.consentId)).toEqual(['c1', 'c2']);
    const p2 = await h.evaluate<{ items: C[]; bookmark: string }>(ids.alice, 'consent:ListMyConsents', [
      2,
      p1.value.bookmark,
    ]);
    expect(p2.value).toEqual({ items: [expect.objectContaining({ consentId: 'c3' })], bookmark: '' });
    expect(
      (await h.evaluate<{ items: C[] }>(ids.bob, 'consent:ListMyConsents', [10, ''])).value.items,
    ).toEqual([]);
    expectError(await h.evaluate(ids.drKim, 'consent:ListMyConsents', [10, '']), 'FORBIDDEN');
    expectError(await h.evaluate(ids.alice, 'consent:ListMyConsents', [0, '']), 'INVALID_ARGUMENT');
    expectError(await h.evaluate(ids.alice, 'consent:ListMyConsents', [201, '']), 'INVALID_ARGUMENT');
  });
});

describe('consentLifecycle', () => {
  it('declares ENTERED_IN_ERROR final and nothing else', () => {
    expect(consentLifecycle.isFinal('ENTERED_IN_ERROR')).toBe(true);
    expect(consentLifecycle.next('DRAFT', ['patient']).sort()).toEqual([
      'ACTIVE',
      'ENTERED_IN_ERROR',
      'REJECTED',
    ]);
    expect(consentLifecycle.next('DRAFT', ['author'])).toEqual(['ENTERED_IN_ERROR']);
    expect(consentLifecycle.next('ACTIVE', ['author'])).toEqual([]);
  });
});
