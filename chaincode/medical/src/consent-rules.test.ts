import fc from 'fast-check';
import {
  alertRecipients,
  dataOverlaps,
  decide,
  effectiveDataPeriod,
  granteeMatches,
  timing,
  type AccessRequest,
} from './consent-rules';
import type { Consent } from './model';

const NOW = Date.parse('2026-06-15T00:00:00Z');

function consent(overrides: Partial<Consent> = {}): Consent {
  return {
    consentId: 'c1',
    patientId: 'R1',
    status: 'ACTIVE',
    provision: 'permit',
    grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-kim' },
    actions: ['read'],
    codes: ['29463-7', '39156-5'],
    period: { start: '2026-06-01T00:00:00Z', end: '2026-07-01T00:00:00Z' },
    purposes: ['TREAT'],
    createdBy: 'CityMSP/alice',
    createdAt: '2026-06-01T00:00:00Z',
    updatedAt: '2026-06-01T00:00:00Z',
    history: [],
    ...overrides,
  };
}

const kim = { mspId: 'HospitalMSP', enrollmentId: 'dr-kim', role: 'doctor' };
const req = (overrides: Partial<AccessRequest> = {}): AccessRequest => ({
  requester: kim,
  action: 'read',
  codes: ['29463-7'],
  purpose: 'TREAT',
  dataPeriod: {},
  nowMs: NOW,
  ...overrides,
});

describe('granteeMatches', () => {
  it('matches on every field given', () => {
    expect(granteeMatches({ mspId: 'HospitalMSP' }, kim)).toBe(true);
    expect(granteeMatches({ mspId: 'HospitalMSP', role: 'doctor' }, kim)).toBe(true);
    expect(granteeMatches({ mspId: 'HospitalMSP', role: 'birth-attestor' }, kim)).toBe(false);
    expect(granteeMatches({ mspId: 'HospitalMSP', enrollmentId: 'dr-lee' }, kim)).toBe(false);
    expect(granteeMatches({ mspId: 'InsurerMSP', enrollmentId: 'dr-kim' }, kim)).toBe(false);
  });
});

describe('periods', () => {
  it('timing: start inclusive, end exclusive', () => {
    const c = consent();
    expect(timing(c, Date.parse('2026-05-31T23:59:59.999Z'))).toBe('before');
    expect(timing(c, Date.parse('2026-06-01T00:00:00Z'))).toBe('within');
    expect(timing(c, Date.parse('2026-07-01T00:00:00Z'))).toBe('after');
  });

  it('data periods overlap and narrow', () => {
    expect(dataOverlaps({}, {})).toBe(true);
    expect(dataOverlaps({ end: '2026-01-02T00:00:00Z' }, { start: '2026-01-02T00:00:00Z' })).toBe(false);
    expect(dataOverlaps({ end: '2026-01-03T00:00:00Z' }, { start: '2026-01-02T00:00:00Z' })).toBe(true);
    expect(effectiveDataPeriod({}, undefined)).toEqual({});
    expect(effectiveDataPeriod({}, { start: '2026-01-01T00:00:00Z' })).toEqual({
      start: '2026-01-01T00:00:00Z',
    });
    expect(
      effectiveDataPeriod(
        { start: '2026-02-01T00:00:00Z', end: '2026-09-01T00:00:00Z' },
        { start: '2026-01-01T00:00:00Z', end: '2026-03-01T00:00:00Z' },
      ),
    ).toEqual({
      start: '2026-02-01T00:00:00Z',
      end: '2026-03-01T00:00:00Z',
    });
  });
});

describe('decide', () => {
  it('permits with a matching active consent', () => {
    const d = decide([consent()], req());
    expect(d).toEqual({ permit: true, consent: consent(), dataPeriod: {} });
  });

  it.each([
    ['no consents', [], 'NO_CONSENT'],
    ['a DRAFT', [consent({ status: 'DRAFT' })], 'NO_CONSENT'],
    ['an INACTIVE (revoked)', [consent({ status: 'INACTIVE' })], 'NO_CONSENT'],
    ['a REJECTED', [consent({ status: 'REJECTED' })], 'NO_CONSENT'],
    ['an ENTERED_IN_ERROR', [consent({ status: 'ENTERED_IN_ERROR' })], 'NO_CONSENT'],
    [
      'another grantee',
      [consent({ grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-lee' } })],
      'NO_CONSENT',
    ],
    ['another action', [consent({ actions: [] })], 'NO_CONSENT'],
    ['a code out of scope', [consent({ codes: ['39156-5'] })], 'NO_CONSENT'],
    ['another purpose', [consent({ purposes: ['HRESCH'] })], 'NO_CONSENT'],
    ['a disjoint data period', [consent({ dataPeriod: { end: '2026-01-01T00:00:00Z' } })], 'NO_CONSENT'],
    [
      'an ended period',
      [consent({ period: { start: '2026-01-01T00:00:00Z', end: '2026-06-15T00:00:00Z' } })],
      'CONSENT_EXPIRED',
    ],
    [
      'a future period',
      [consent({ period: { start: '2026-06-16T00:00:00Z', end: '2026-07-01T00:00:00Z' } })],
      'CONSENT_NOT_YET_VALID',
    ],
  ])('refuses with %s', (_name, consents, reason) => {
    const d = decide(consents as Consent[], req({ dataPeriod: { start: '2026-03-01T00:00:00Z' } }));
    expect(d.permit).toBe(false);
    expect(!d.permit && d.reason).toBe(reason);
  });

  it('needs every requested code in one permit', () => {
    const a = consent({ consentId: 'a', codes: ['29463-7'] });
    const b = consent({ consentId: 'b', codes: ['39156-5'] });
    expect(decide([a, b], req({ codes: ['29463-7', '39156-5'] })).permit).toBe(false);
    expect(decide([a, b], req({ codes: ['39156-5'] }))).toMatchObject({
      permit: true,
      consent: { consentId: 'b' },
    });
  });

  it('deny overrides permit when it touches any requested code, for the purpose, in the data window', () => {
    const deny = consent({
      consentId: 'd',
      provision: 'deny',
      grantee: { mspId: 'HospitalMSP' },
      codes: ['39156-5'],
    });
    expect(decide([consent(), deny], req({ codes: ['29463-7', '39156-5'] }))).toEqual({
      permit: false,
      reason: 'DENIED_BY_CONSENT',
      consentId: 'd',
    });
    expect(decide([consent(), deny], req({ codes: ['29463-7'] })).permit).toBe(true);
    expect(decide([consent(), { ...deny, purposes: ['HRESCH'] }], req({ codes: ['39156-5'] })).permit).toBe(
      true,
    );
    expect(decide([consent(), { ...deny, status: 'INACTIVE' }], req({ codes: ['39156-5'] })).permit).toBe(
      true,
    );
    expect(
      decide(
        [consent(), { ...deny, period: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } }],
        req({ codes: ['39156-5'] }),
      ).permit,
    ).toBe(true);
    expect(
      decide(
        [consent(), { ...deny, dataPeriod: { end: '2026-01-01T00:00:00Z' } }],
        req({ codes: ['39156-5'], dataPeriod: { start: '2026-02-01T00:00:00Z' } }),
      ).permit,
    ).toBe(true);
    expect(
      decide([consent(), { ...deny, grantee: { mspId: 'InsurerMSP' } }], req({ codes: ['39156-5'] })).permit,
    ).toBe(true);
  });

  it('picks the longest-lasting permit, ties by consentId', () => {
    const short = consent({
      consentId: 'a',
      period: { start: '2026-06-01T00:00:00Z', end: '2026-06-20T00:00:00Z' },
    });
    const long = consent({ consentId: 'z' });
    const twin = consent({ consentId: 'b' });
    expect(decide([short, long], req())).toMatchObject({ consent: { consentId: 'z' } });
    expect(decide([long, twin], req())).toMatchObject({ consent: { consentId: 'b' } });
    expect(decide([twin, long], req())).toMatchObject({ consent: { consentId: 'b' } });
  });

  it('is deterministic and deny always wins (property)', () => {
    const codes = ['29463-7', '39156-5', '41982-0'];
    const arbConsent = fc.record({
      consentId: fc.constantFrom('a', 'b', 'c', 'd'),
      status: fc.constantFrom('DRAFT', 'ACTIVE', 'INACTIVE'),
      provision: fc.constantFrom('permit', 'deny'),
      codes: fc.subarray(codes, { minLength: 1 }),
      purposes: fc.subarray(['TREAT', 'CLMATTCH'] as const, { minLength: 1 }),
      endDay: fc.integer({ min: 10, max: 40 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbConsent, { maxLength: 6 }),
        fc.subarray(codes, { minLength: 1 }),
        (specs, wanted) => {
          const consents = specs.map((s) =>
            consent({
              ...s,
              status: s.status as Consent['status'],
              provision: s.provision as Consent['provision'],
              purposes: [...s.purposes],
              period: {
                start: '2026-06-01T00:00:00Z',
                end: new Date(Date.parse('2026-06-01T00:00:00Z') + s.endDay * 86400000).toISOString(),
              },
            }),
          );
          const r = req({ codes: wanted });
          const d1 = decide(consents, r);
          expect(decide([...consents].reverse(), r).permit).toBe(d1.permit);
          const activeDeny = consents.some(
            (c) =>
              c.provision === 'deny' &&
              c.status === 'ACTIVE' &&
              timing(c, NOW) === 'within' &&
              c.purposes.includes('TREAT') &&
              wanted.some((w) => c.codes.includes(w)),
          );
          if (activeDeny) expect(d1).toMatchObject({ permit: false, reason: 'DENIED_BY_CONSENT' });
          if (d1.permit) {
            expect(d1.consent.status).toBe('ACTIVE');
            expect(wanted.every((w) => d1.consent.codes.includes(w))).toBe(true);
            expect(timing(d1.consent, NOW)).toBe('within');
          }
        },
      ),
    );
  });
});

describe('alertRecipients', () => {
  it('names the treating doctors consented for the code, minus denied ones', () => {
    const list = [
      consent(),
      consent({
        consentId: 'lee',
        grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-lee', role: 'doctor' },
      }),
      consent({ consentId: 'all', grantee: { mspId: 'HospitalMSP', role: 'doctor' } }),
      consent({ consentId: 'ins', grantee: { mspId: 'InsurerMSP', enrollmentId: 'uw1' } }),
      consent({
        consentId: 'park',
        grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-park' },
        purposes: ['HRESCH'],
      }),
      consent({
        consentId: 'choi',
        grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-choi' },
        status: 'INACTIVE',
      }),
      consent({
        consentId: 'yoon',
        grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-yoon' },
        codes: ['39156-5'],
      }),
      consent({ consentId: 'kim2' }),
    ];
    const MEASURED = NOW - 3_600_000;
    expect(alertRecipients(list, '29463-7', MEASURED, NOW, 'HospitalMSP')).toEqual([
      { mspId: 'HospitalMSP', enrollmentId: 'dr-kim' },
      { mspId: 'HospitalMSP', enrollmentId: 'dr-lee' },
    ]);
    // A deny of the doctor role reaches every named doctor, whether or not their permit names the role.
    const denyDoctors = consent({
      consentId: 'x',
      provision: 'deny',
      grantee: { mspId: 'HospitalMSP', role: 'doctor' },
    });
    expect(alertRecipients([...list, denyDoctors], '29463-7', MEASURED, NOW, 'HospitalMSP')).toEqual([]);
    const denyLee = consent({ consentId: 'y', provision: 'deny', grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-lee' } });
    expect(alertRecipients([...list, denyLee], '29463-7', MEASURED, NOW, 'HospitalMSP')).toEqual([
      { mspId: 'HospitalMSP', enrollmentId: 'dr-kim' },
    ]);
    // A permit whose data window leaves the measurement out tells nobody about it.
    const lee2025 = [consent(), consent({ consentId: 'lee', grantee: { mspId: 'HospitalMSP', enrollmentId: 'dr-lee' }, dataPeriod: { end: '2026-01-01T00:00:00Z' } })];
    expect(alertRecipients(lee2025, '29463-7', MEASURED, NOW, 'HospitalMSP')).toEqual([
      { mspId: 'HospitalMSP', enrollmentId: 'dr-kim' },
    ]);
    expect(alertRecipients(list, '29463-7', MEASURED, Date.parse('2026-08-01T00:00:00Z'), 'HospitalMSP')).toEqual([]);
  });
});
