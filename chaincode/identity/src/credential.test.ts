import type { ContractHarness } from '@cityledger/chaincode-common';
import { documentHash, claimHash } from './hashing';
import {
  SALT,
  ids,
  licenceClaims,
  newHarness,
  ok,
  residencyClaims,
  seedIssuers,
  seedResidents,
} from './identity.fixtures';
import type { AuditEntry, Credential, CredentialDocument, Verification } from './model';

let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await seedResidents(h);
  await seedIssuers(h);
});

const residency = (over: Record<string, unknown> = {}) => ({
  credentialId: 'C1',
  type: 'residency',
  holderId: 'R1',
  validUntil: '2030-01-01T00:00:00.000Z',
  ...over,
});
const issueResidency = (over: Record<string, unknown> = {}, claims = residencyClaims) =>
  h.submit<Credential>(ids.registrar, 'credential:IssueCredential', [residency(over)], {
    transient: { claims },
  });
const docFor = (c: Credential, claims = residencyClaims): CredentialDocument => ({
  credentialId: c.credentialId,
  type: c.type,
  holderId: c.holderId,
  issuer: c.issuer.key,
  ...(c.validUntil ? { validUntil: c.validUntil } : {}),
  claims,
});
const get = async (id = 'C1') => ok(await h.evaluate<Credential>(ids.bob, 'credential:GetCredential', [id]));

describe('issuing', () => {
  it('stores only hashes and status, never claim values', async () => {
    const r = await issueResidency();
    expect(r.committed).toBe(true);
    const c = r.value;
    expect(c).toMatchObject({
      credentialId: 'C1',
      type: 'residency',
      holderId: 'R1',
      status: 'ACTIVE',
      issuer: { mspId: 'CityMSP', role: 'registrar', key: 'CityMSP/registrar1' },
    });
    expect(c.documentHash).toBe(documentHash(docFor(c)));
    expect(c.claimHashes).toEqual({
      city: claimHash('city', residencyClaims.city),
      bornBefore2007: claimHash('bornBefore2007', residencyClaims.bornBefore2007),
      birthDate: claimHash('birthDate', residencyClaims.birthDate),
    });
    // Nothing the transaction wrote, returned or emitted contains a claim value or salt.
    const written = [...r.stub.writes.values()]
      .map((w) => Buffer.from(w.value as Uint8Array).toString('utf8'))
      .join('\n');
    const emitted = JSON.stringify(r.event?.envelope);
    for (const text of [written, emitted, JSON.stringify(c), r.stub.getArgs().join('\n')]) {
      expect(text).not.toContain('Busan');
      expect(text).not.toContain('1990-04-01');
      expect(text).not.toContain(SALT);
    }
    expect(r.event?.envelope.events).toEqual([
      {
        type: 'CredentialIssued',
        data: { credentialId: 'C1', type: 'residency', holderId: 'R1', issuer: 'CityMSP' },
      },
    ]);
  });

  it('issues professional licences to non-resident holders (<msp>/<enrollmentId>)', async () => {
    const r = await h.submit<Credential>(
      ids.hospitalAdmin,
      'credential:IssueCredential',
      [{ credentialId: 'L1', type: 'doctor-licence', holderId: 'HospitalMSP/dr-kim' }],
      { transient: { claims: licenceClaims } },
    );
    expect(r.value.holderId).toBe('HospitalMSP/dr-kim');
    expect(r.value.validUntil).toBeUndefined();
  });

  it('refuses untrusted issuers with FORBIDDEN', async () => {
    for (const who of [ids.police, ids.alice, ids.doctor, ids.insurer, ids.portAgent, ids.cityAdmin]) {
      const r = await h.submit(who, 'credential:IssueCredential', [residency()], {
        transient: { claims: residencyClaims },
      });
      expect(r.error?.code).toBe('FORBIDDEN');
    }
    // A City admin claiming a hospital role is not HospitalMSP.
    const fake = await h.submit(
      ids.registrar,
      'credential:IssueCredential',
      [{ credentialId: 'L1', type: 'doctor-licence', holderId: 'HospitalMSP/x' }],
      { transient: { claims: licenceClaims } },
    );
    expect(fake.error?.details).toEqual({ type: 'doctor-licence', mspId: 'CityMSP', role: 'registrar' });
    const noRole = await h.submit(
      (await import('@cityledger/chaincode-common')).identity('CityMSP', 'x'),
      'credential:IssueCredential',
      [residency()],
      { transient: { claims: residencyClaims } },
    );
    expect(noRole.error?.details.role).toBeNull();
  });

  it('reserves birth certificates to birth registration', async () => {
    ok(
      await h.submit(ids.registrar, 'issuer:SetTrustedIssuer', [
        { credentialType: 'birth-certificate', mspId: 'CityMSP', role: 'registrar' },
      ]),
    );
    const r = await issueResidency({ type: 'birth-certificate' });
    expect(r.error?.code).toBe('FORBIDDEN');
  });

  it('refuses bad input with INVALID_ARGUMENT (arguments and transient claims)', async () => {
    const bads: [Record<string, unknown>, unknown][] = [
      [{ credentialId: undefined }, residencyClaims],
      [{ type: 7 }, residencyClaims],
      [{ holderId: 'has space' }, residencyClaims],
      [{ validUntil: 'tomorrow' }, residencyClaims],
      [{ extra: true }, residencyClaims],
      [{}, {}],
      [{}, { city: { value: 'Busan', salt: 'short' } }],
      [{}, { city: { value: 'Busan' } }],
      [{}, { '9bad': { value: 'x', salt: SALT } }],
      [{}, { city: { value: { nested: true }, salt: SALT } }],
      [{}, { city: { value: 'x'.repeat(1025), salt: SALT } }],
      [{}, Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, { value: i, salt: SALT }]))],
    ];
    for (const [over, claims] of bads) {
      const r = await issueResidency(over, claims as never);
      expect([r.error?.code, over, claims]).toEqual(['INVALID_ARGUMENT', over, claims]);
    }
    const noTransient = await h.submit(ids.registrar, 'credential:IssueCredential', [residency()]);
    expect(noTransient.error?.details.input).toBe('transient');
    const huge = await h.submit(ids.registrar, 'credential:IssueCredential', [residency()], {
      transient: { claims: { city: { value: 'x'.repeat(70_000), salt: SALT } } },
    });
    expect(huge.error?.details).toMatchObject({ input: 'transient claims', limit: 65536 });
  });

  it('refuses duplicates, past validity, unknown and inactive residents', async () => {
    ok(await issueResidency());
    expect((await issueResidency()).error?.code).toBe('CONFLICT');
    expect(
      (await issueResidency({ credentialId: 'C2', validUntil: '2026-05-01T00:00:00Z' })).error?.code,
    ).toBe('FAILED_PRECONDITION');
    expect((await issueResidency({ credentialId: 'C3', holderId: 'R9' })).error?.details).toEqual({
      residentId: 'R9',
    });
    ok(await h.submit(ids.alice, 'resident:LockResident', ['R1', '']));
    const locked = await issueResidency({ credentialId: 'C4' });
    expect(locked.error?.code).toBe('FAILED_PRECONDITION');
    expect(locked.error?.details.state).toBe('LOCKED');
  });
});

describe('lifecycle', () => {
  beforeEach(async () => {
    ok(await issueResidency());
  });

  it('holder suspends (lost phone) and reinstates; every transition emits an event and is audited', async () => {
    const s = await h.submit<Credential>(ids.alice, 'credential:SuspendCredential', ['C1', 'lost phone']);
    expect(s.value).toMatchObject({ status: 'SUSPENDED', suspendedBy: 'holder' });
    expect(s.event?.envelope.events).toEqual([
      {
        type: 'CredentialSuspended',
        data: { credentialId: 'C1', type: 'residency', from: 'ACTIVE', to: 'SUSPENDED', by: 'holder' },
      },
    ]);
    const back = await h.submit<Credential>(ids.alice, 'credential:ReinstateCredential', ['C1', 'found']);
    expect(back.value.status).toBe('ACTIVE');
    expect(back.value.suspendedBy).toBeUndefined();
    expect(back.event?.envelope.events[0].type).toBe('CredentialReinstated');
    const history = ok(
      await h.evaluate<{ items: AuditEntry[] }>(ids.bob, 'credential:GetCredentialHistory', ['C1', 10, '']),
    );
    expect(history.items.map((e) => [e.action, e.by])).toEqual([
      ['ISSUED', 'CityMSP/registrar1'],
      ['SUSPENDED', 'CityMSP/alice'],
      ['ACTIVE', 'CityMSP/alice'],
    ]);
  });

  it('issuer suspends; then the holder may not reinstate, any registrar of the issuing authority may', async () => {
    expect(
      (await h.submit<Credential>(ids.registrar2, 'credential:SuspendCredential', ['C1', 'review'])).value
        .suspendedBy,
    ).toBe('issuer');
    const holder = await h.submit(ids.alice, 'credential:ReinstateCredential', ['C1', '']);
    expect(holder.error?.code).toBe('FORBIDDEN');
    expect(holder.error?.details).toEqual({
      state: 'SUSPENDED',
      to: 'ACTIVE',
      required: ['city-reinstate', 'holder-reinstate', 'issuer-reinstate'],
    });
    expect((await h.submit(ids.registrar, 'credential:ReinstateCredential', ['C1', 'ok'])).committed).toBe(
      true,
    );
  });

  it('only the issuer revokes; REVOKED is final', async () => {
    for (const who of [ids.alice, ids.bob, ids.police, ids.doctor, ids.portAgent, ids.aliceImpostor]) {
      expect((await h.submit(who, 'credential:RevokeCredential', ['C1', ''])).error?.code).toBe('FORBIDDEN');
    }
    const revoked = await h.submit<Credential>(ids.registrar, 'credential:RevokeCredential', ['C1', 'fraud']);
    expect(revoked.value.status).toBe('REVOKED');
    expect(revoked.event?.envelope.events[0]).toMatchObject({
      type: 'CredentialRevoked',
      data: { by: 'issuer' },
    });
    for (const fn of ['SuspendCredential', 'ReinstateCredential', 'RevokeCredential']) {
      const r = await h.submit(ids.registrar, `credential:${fn}`, ['C1', '']);
      expect(r.error?.code).toBe('FAILED_PRECONDITION');
      expect(r.error?.details).toMatchObject({ state: 'REVOKED', final: true });
    }
  });

  it('refuses suspension by others (another resident, an impostor, a device, another org)', async () => {
    for (const who of [ids.bob, ids.aliceImpostor, ids.aliceDevice, ids.police, ids.insurer]) {
      expect((await h.submit(who, 'credential:SuspendCredential', ['C1', ''])).error?.code).toBe('FORBIDDEN');
    }
    expect((await h.submit(ids.alice, 'credential:ReinstateCredential', ['C1', ''])).error?.code).toBe(
      'FAILED_PRECONDITION',
    );
  });

  it('lets a non-resident holder suspend their own licence', async () => {
    ok(
      await h.submit(
        ids.hospitalAdmin,
        'credential:IssueCredential',
        [{ credentialId: 'L1', type: 'doctor-licence', holderId: 'HospitalMSP/dr-kim' }],
        { transient: { claims: licenceClaims } },
      ),
    );
    expect(
      (await h.submit<Credential>(ids.doctor, 'credential:SuspendCredential', ['L1', 'on leave'])).value
        .suspendedBy,
    ).toBe('holder');
  });

  it('expires by transaction time: reads say EXPIRED, ExpireCredential records it, nothing else moves', async () => {
    expect((await h.submit(ids.alice, 'credential:ExpireCredential', ['C1'])).error?.code).toBe(
      'FAILED_PRECONDITION',
    );
    h.setTime('2030-01-01T00:00:00.000Z');
    expect((await get()).status).toBe('EXPIRED');
    const suspend = await h.submit(ids.alice, 'credential:SuspendCredential', ['C1', '']);
    expect(suspend.error?.details).toMatchObject({ state: 'EXPIRED' });
    const expired = await h.submit<Credential>(ids.alice, 'credential:ExpireCredential', ['C1']);
    expect(expired.value.status).toBe('EXPIRED');
    expect(expired.event?.envelope.events[0]).toMatchObject({
      type: 'CredentialExpired',
      data: { from: 'ACTIVE', to: 'EXPIRED', by: 'holder' },
    });
    expect((await h.submit(ids.alice, 'credential:ExpireCredential', ['C1'])).error?.details).toMatchObject({
      state: 'EXPIRED',
    });
  });

  it('records expiry only for the issuer, the holder and the City: a forward-dated outsider is refused', async () => {
    // The transaction time is the client's: an outsider dating its proposal past validUntil would
    // otherwise end the credential for good while it is still valid.
    const future = { at: '2031-01-01T00:00:00.000Z' };
    for (const who of [ids.insurer, ids.bob, ids.aliceImpostor, ids.police, ids.doctor]) {
      const r = await h.submit(who, 'credential:ExpireCredential', ['C1'], future);
      expect(r.error?.code).toBe('FORBIDDEN');
    }
    expect((await get()).status).toBe('ACTIVE');
    for (const [id, who] of [
      ['C2', ids.registrar2], // the issuing authority
      ['C3', ids.cityAdmin], // the City
    ] as const) {
      ok(await issueResidency({ credentialId: id }));
      const r = await h.submit<Credential>(who, 'credential:ExpireCredential', [id], future);
      expect(r.value.status).toBe('EXPIRED');
    }
  });

  it('gives NOT_FOUND for unknown credentials', async () => {
    for (const fn of ['SuspendCredential', 'ReinstateCredential', 'RevokeCredential']) {
      expect((await h.submit(ids.registrar, `credential:${fn}`, ['C9', ''])).error?.code).toBe('NOT_FOUND');
    }
    expect((await h.submit(ids.registrar, 'credential:ExpireCredential', ['C9'])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.evaluate(ids.registrar, 'credential:GetCredential', ['C9'])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await h.evaluate(ids.registrar, 'credential:GetCredentialHistory', ['C9', 10, ''])).error?.code,
    ).toBe('NOT_FOUND');
  });

  it("lists a holder's credentials page by page", async () => {
    ok(await issueResidency({ credentialId: 'C2' }));
    ok(await issueResidency({ credentialId: 'C3', validUntil: '2026-07-01T00:00:00.000Z' }));
    h.setTime('2026-08-01T00:00:00.000Z');
    const p1 = ok(
      await h.evaluate<{ items: Credential[]; bookmark: string }>(
        ids.alice,
        'credential:ListHolderCredentials',
        ['R1', 2, ''],
      ),
    );
    expect(p1.items.map((c) => c.credentialId)).toEqual(['C1', 'C2']);
    const p2 = ok(
      await h.evaluate<{ items: Credential[]; bookmark: string }>(
        ids.alice,
        'credential:ListHolderCredentials',
        ['R1', 2, p1.bookmark],
      ),
    );
    expect(p2.items.map((c) => [c.credentialId, c.status])).toEqual([['C3', 'EXPIRED']]);
    expect(p2.bookmark).toBe('');
  });
});

describe('verification', () => {
  let c: Credential;
  beforeEach(async () => {
    c = ok(await issueResidency());
  });
  const verify = (document: unknown, id = 'C1') =>
    h.evaluate<Verification>(ids.insurer, 'credential:VerifyCredential', [id], { transient: { document } });
  const prove = (name: string, claim: unknown, id = 'C1') =>
    h.evaluate<Verification>(ids.insurer, 'credential:VerifyClaim', [id, name], { transient: { claim } });

  it('accepts the genuine document of an active credential', async () => {
    expect(ok(await verify(docFor(c)))).toEqual({
      valid: true,
      credentialId: 'C1',
      status: 'ACTIVE',
      type: 'residency',
      holderId: 'R1',
      holderStatus: 'ACTIVE',
      checkedAt: '2026-06-01T00:00:00.000Z',
    });
  });

  it('gives a reason when the document or the credential is not valid', async () => {
    const forged = docFor(c, { ...residencyClaims, city: { value: 'Seoul', salt: SALT } });
    expect(ok(await verify(forged)).reason).toBe('DOCUMENT_MISMATCH');
    expect(ok(await verify({ ...docFor(c), credentialId: 'C2' })).reason).toBe('DOCUMENT_MISMATCH');
    expect(ok(await verify({ ...docFor(c), credentialId: 'C9' }, 'C9'))).toEqual({
      valid: false,
      reason: 'UNKNOWN_CREDENTIAL',
      credentialId: 'C9',
      checkedAt: expect.any(String),
    });
    ok(await h.submit(ids.alice, 'credential:SuspendCredential', ['C1', '']));
    expect(ok(await verify(docFor(c)))).toMatchObject({
      valid: false,
      reason: 'SUSPENDED',
      status: 'SUSPENDED',
    });
    ok(await h.submit(ids.registrar, 'credential:RevokeCredential', ['C1', '']));
    expect(ok(await verify(docFor(c))).reason).toBe('REVOKED');
  });

  it('reports EXPIRED after validUntil', async () => {
    h.setTime('2031-01-01T00:00:00.000Z');
    expect(ok(await verify(docFor(c))).reason).toBe('EXPIRED');
  });

  it('refuses a malformed presentation with INVALID_ARGUMENT', async () => {
    expect((await verify({ credentialId: 'C1' })).error?.code).toBe('INVALID_ARGUMENT');
    expect((await h.evaluate(ids.insurer, 'credential:VerifyCredential', ['C1'])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await prove('city', { value: 'Busan' })).error?.code).toBe('INVALID_ARGUMENT');
    expect((await prove('bad name!', residencyClaims.city)).error?.code).toBe('INVALID_ARGUMENT');
  });

  it('proves one claim without the others (selective disclosure)', async () => {
    expect(ok(await prove('city', residencyClaims.city))).toEqual({
      valid: true,
      credentialId: 'C1',
      status: 'ACTIVE',
      type: 'residency',
      holderId: 'R1',
      holderStatus: 'ACTIVE',
      claim: 'city',
      checkedAt: expect.any(String),
    });
    expect(ok(await prove('bornBefore2007', residencyClaims.bornBefore2007)).valid).toBe(true);
    expect(ok(await prove('city', { value: 'Seoul', salt: SALT })).reason).toBe('CLAIM_MISMATCH');
    expect(ok(await prove('city', { value: 'Busan', salt: 'f'.repeat(32) })).reason).toBe('CLAIM_MISMATCH');
    expect(
      ok(await prove('bornBefore2007', { value: 'true', salt: residencyClaims.bornBefore2007.salt })).reason,
    ).toBe('CLAIM_MISMATCH');
    expect(ok(await prove('income', residencyClaims.city)).reason).toBe('UNKNOWN_CLAIM');
    expect(ok(await prove('city', residencyClaims.city, 'C9'))).toMatchObject({
      valid: false,
      reason: 'UNKNOWN_CREDENTIAL',
      claim: 'city',
    });
    ok(await h.submit(ids.registrar, 'credential:RevokeCredential', ['C1', '']));
    expect(ok(await prove('city', residencyClaims.city))).toMatchObject({
      valid: false,
      reason: 'REVOKED',
      claim: 'city',
    });
  });
});

describe('input the calendar or the hashes cannot take', () => {
  it('refuses a validUntil that is no calendar time with INVALID_ARGUMENT (it would never expire)', async () => {
    for (const validUntil of ['2026-13-01T00:00:00Z', '2027-02-30T00:00:00Z', '2027-01-01T24:00:00Z']) {
      const r = await issueResidency({ validUntil });
      expect(r.error?.code).toBe('INVALID_ARGUMENT');
      expect(r.error?.details).toEqual({ field: 'validUntil', value: validUntil });
    }
    expect((await issueResidency({ validUntil: '2028-02-29T23:59:59.123456Z' })).committed).toBe(true);
  });

  it('refuses a salt shared by two claims: disclosing one would expose the other to guessing', async () => {
    const r = await issueResidency(
      {},
      { city: { value: 'Busan', salt: SALT }, birthDate: { value: '1990-04-01', salt: SALT } },
    );
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details).toEqual({ field: 'claims', claims: ['birthDate', 'city'] });
  });

  it('answers UNKNOWN_CLAIM for names every object has, such as constructor', async () => {
    ok(await issueResidency());
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const v = ok(
        await h.evaluate<Verification>(ids.insurer, 'credential:VerifyClaim', ['C1', name], {
          transient: { claim: { value: 'x', salt: SALT } },
        }),
      );
      expect(v).toMatchObject({ valid: false, reason: 'UNKNOWN_CLAIM', claim: name });
    }
  });
});

describe('the holder resident', () => {
  let c: Credential;
  beforeEach(async () => {
    c = ok(await issueResidency());
  });
  const verify = () =>
    h.evaluate<Verification>(ids.insurer, 'credential:VerifyCredential', ['C1'], {
      transient: { document: docFor(c) },
    });
  const prove = () =>
    h.evaluate<Verification>(ids.insurer, 'credential:VerifyClaim', ['C1', 'city'], {
      transient: { claim: residencyClaims.city },
    });
  const check = async () =>
    ok(await h.evaluate<Record<string, unknown>>(ids.insurer, 'status:CheckCredential', ['C1']));

  it('must be ACTIVE for the credential to verify: not while locked, suspended, or ever after death', async () => {
    ok(await h.submit(ids.police, 'resident:LockResident', ['R1', 'identity theft']));
    expect(ok(await verify())).toMatchObject({
      valid: false,
      reason: 'HOLDER_NOT_ACTIVE',
      status: 'ACTIVE',
      holderStatus: 'LOCKED',
    });
    expect(ok(await prove())).toMatchObject({ valid: false, reason: 'HOLDER_NOT_ACTIVE', claim: 'city' });
    expect(await check()).toMatchObject({ status: 'ACTIVE', active: false, holderStatus: 'LOCKED' });
    expect(
      ok(await h.evaluate(ids.insurer, 'status:CheckHolderCredential', ['R1', 'residency'])),
    ).toMatchObject({ credentialId: 'C1', active: false, holderStatus: 'LOCKED' });

    ok(await h.submit(ids.police, 'resident:UnlockResident', ['R1', 'closed']));
    expect(ok(await verify())).toMatchObject({ valid: true, holderStatus: 'ACTIVE' });
    expect(await check()).toMatchObject({ active: true, holderStatus: 'ACTIVE' });

    ok(await h.submit(ids.registrar, 'resident:SuspendResident', ['R1', 'moved away']));
    expect(ok(await verify()).reason).toBe('HOLDER_NOT_ACTIVE');
    ok(await h.submit(ids.registrar, 'resident:RecordDeath', ['R1', 'died']));
    expect(ok(await verify())).toMatchObject({
      valid: false,
      reason: 'HOLDER_NOT_ACTIVE',
      holderStatus: 'DECEASED',
    });
    expect((await check()).active).toBe(false);
  });

  it("reports the credential's own status first", async () => {
    ok(await h.submit(ids.registrar, 'credential:RevokeCredential', ['C1', 'fraud']));
    ok(await h.submit(ids.police, 'resident:LockResident', ['R1', 'theft']));
    expect(ok(await verify())).toMatchObject({ valid: false, reason: 'REVOKED', holderStatus: 'LOCKED' });
  });

  it('acts as holder only while ACTIVE: under a police lock the bound certificate may be the thief', async () => {
    ok(await h.submit(ids.alice, 'credential:SuspendCredential', ['C1', 'lost phone']));
    ok(await h.submit(ids.police, 'resident:LockResident', ['R1', 'theft']));
    expect((await h.submit(ids.alice, 'credential:ReinstateCredential', ['C1', 'thief'])).error?.code).toBe(
      'FORBIDDEN',
    );
    ok(await h.submit(ids.police, 'resident:UnlockResident', ['R1', 'closed']));
    ok(await h.submit(ids.alice, 'credential:ReinstateCredential', ['C1', 'found']));
    ok(await h.submit(ids.registrar, 'resident:SuspendResident', ['R1', 'admin']));
    expect((await h.submit(ids.alice, 'credential:SuspendCredential', ['C1', ''])).error?.code).toBe(
      'FORBIDDEN',
    );
  });
});

describe('the City over the issuers it trusts', () => {
  const issueLicence = (credentialId = 'L1') =>
    h.submit<Credential>(
      ids.hospitalAdmin,
      'credential:IssueCredential',
      [{ credentialId, type: 'doctor-licence', holderId: ids.doctor.key }],
      { transient: { claims: licenceClaims } },
    );
  const untrust = () =>
    h.submit(ids.cityAdmin, 'issuer:RemoveTrustedIssuer', ['doctor-licence', 'HospitalMSP', 'admin']);

  it("revokes a removed issuer's credentials; the removed issuer cannot reinstate", async () => {
    ok(await issueLicence());
    ok(await issueLicence('L2'));
    ok(await h.submit(ids.hospitalAdmin, 'credential:SuspendCredential', ['L1', 'investigation']));
    ok(await untrust());
    const reinstate = await h.submit(ids.hospitalAdmin, 'credential:ReinstateCredential', ['L1', 'back']);
    expect(reinstate.error?.code).toBe('FORBIDDEN');
    // The City admin and the registrar both manage trusted issuers, so both withdraw.
    for (const [id, who] of [
      ['L1', ids.cityAdmin],
      ['L2', ids.registrar],
    ] as const) {
      const revoked = await h.submit<Credential>(who, 'credential:RevokeCredential', [
        id,
        'issuer untrusted',
      ]);
      expect(revoked.value.status).toBe('REVOKED');
      expect(revoked.event?.envelope.events[0]).toMatchObject({ data: { by: 'city' } });
    }
  });

  it('suspends any credential; only the City lifts its own suspension, not the issuer', async () => {
    ok(await issueLicence());
    const suspended = await h.submit<Credential>(ids.registrar, 'credential:SuspendCredential', [
      'L1',
      'audit',
    ]);
    expect(suspended.value.suspendedBy).toBe('city');
    for (const who of [ids.hospitalAdmin, ids.doctor]) {
      expect((await h.submit(who, 'credential:ReinstateCredential', ['L1', ''])).error?.code).toBe(
        'FORBIDDEN',
      );
    }
    expect(
      (await h.submit<Credential>(ids.cityAdmin, 'credential:ReinstateCredential', ['L1', 'ok'])).value
        .status,
    ).toBe('ACTIVE');
  });

  it('gives other City roles and other organisations no such power', async () => {
    ok(await issueLicence());
    for (const who of [ids.police, ids.alice, ids.insurer, ids.fakeAttestor]) {
      for (const fn of ['SuspendCredential', 'RevokeCredential']) {
        expect((await h.submit(who, `credential:${fn}`, ['L1', ''])).error?.code).toBe('FORBIDDEN');
      }
    }
  });
});
