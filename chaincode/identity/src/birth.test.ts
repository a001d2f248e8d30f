import { KeyEndorsementPolicy } from 'fabric-shim';
import { MemoryStub, type ContractHarness } from '@cityledger/chaincode-common';
import { birthAttestations } from './store';
import { SALT, ids, newHarness, ok, seedResidents } from './identity.fixtures';
import type { BirthAttestation, Credential, Resident } from './model';

const RECORD = 'e'.repeat(64);
const birthClaims = {
  name: { value: 'Baby Lee', salt: SALT },
  birthDate: { value: '2026-05-30', salt: 'd'.repeat(32) },
};
const certify = (
  h: ContractHarness,
  endorsers?: string[],
  who = ids.registrar,
  over: Record<string, unknown> = {},
) =>
  h.submit<{ attestation: BirthAttestation; credential: Credential }>(
    who,
    'birth:IssueBirthCertificate',
    [{ attestationId: 'B1', residentId: 'R100', credentialId: 'BC1', ...over }],
    { transient: { claims: birthClaims }, ...(endorsers ? { endorsers } : {}) },
  );

let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await seedResidents(h);
});

describe('birth registration: two parties', () => {
  it('hospital attests, City certifies with both orgs endorsing: child registered, certificate issued, one event', async () => {
    const attested = await h.submit<BirthAttestation>(ids.attestor, 'birth:AttestBirth', [
      { attestationId: 'B1', recordHash: RECORD },
    ]);
    expect(attested.value).toEqual({
      attestationId: 'B1',
      recordHash: RECORD,
      hospital: 'HospitalMSP/ward7',
      status: 'ATTESTED',
      attestedAt: '2026-06-01T00:00:00.000Z',
    });
    expect(attested.event?.envelope.events).toEqual([
      { type: 'BirthAttested', data: { attestationId: 'B1' } },
    ]);

    const r = await certify(h, ['CityMSP', 'HospitalMSP']);
    expect(r.committed).toBe(true);
    expect(r.value.attestation).toMatchObject({
      status: 'CERTIFIED',
      residentId: 'R100',
      credentialId: 'BC1',
    });
    expect(r.value.credential).toMatchObject({
      type: 'birth-certificate',
      holderId: 'R100',
      attestationId: 'B1',
      status: 'ACTIVE',
    });
    expect(r.event?.envelope.events.map((e) => e.type)).toEqual([
      'CredentialIssued',
      'ResidentRegistered',
      'BirthCertified',
    ]);
    expect(ok(await h.evaluate<Resident>(ids.bob, 'resident:GetResident', ['R100']))).toMatchObject({
      status: 'ACTIVE',
      birthCertificateId: 'BC1',
    });
    expect(
      ok(await h.evaluate<Resident>(ids.bob, 'resident:GetResident', ['R100'])).enrollmentId,
    ).toBeUndefined();
    expect((await certify(h)).error?.details).toEqual({ state: 'CERTIFIED' });
  });

  it('puts a key-level policy (City AND Hospital peers) on the attestation key', async () => {
    ok(await h.submit(ids.attestor, 'birth:AttestBirth', [{ attestationId: 'B1', recordHash: RECORD }]));
    expect([...h.ledger.validation.keys()]).toEqual([
      birthAttestations.key(
        {
          stub:
            h.ledger &&
            new MemoryStub(h.ledger, {
              args: [],
              creator: { mspid: 'x', idBytes: new Uint8Array() },
            }).asStub(),
        } as never,
        'B1',
      ),
    ]);
    const policy = new KeyEndorsementPolicy([...h.ledger.validation.values()][0]);
    expect(policy.listOrgs().sort()).toEqual(['CityMSP', 'HospitalMSP']);
  });

  it('fails at commit with only the City (plus another org) endorsing, and changes nothing', async () => {
    ok(await h.submit(ids.attestor, 'birth:AttestBirth', [{ attestationId: 'B1', recordHash: RECORD }]));
    for (const endorsers of [
      ['CityMSP', 'InsurerMSP'],
      ['CityMSP', 'PortMSP'],
      ['HospitalMSP', 'InsurerMSP'],
    ]) {
      const r = await certify(h, endorsers);
      expect(r.ok).toBe(true); // the code on the peers agreed...
      expect(r.committed).toBe(false); // ...but the key-level policy refused it at commit
      expect(r.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
    }
    expect((await h.evaluate(ids.bob, 'resident:GetResident', ['R100'])).error?.code).toBe('NOT_FOUND');
    expect(ok(await h.evaluate<BirthAttestation>(ids.bob, 'birth:GetBirthAttestation', ['B1'])).status).toBe(
      'ATTESTED',
    );
  });

  it('cannot certify without a hospital attestation', async () => {
    const r = await certify(h);
    expect(r.error?.code).toBe('NOT_FOUND');
    expect(r.error?.details).toEqual({ objectType: 'birthAttestation', id: 'B1' });
  });

  it('refuses the wrong party on each side with FORBIDDEN', async () => {
    for (const who of [ids.registrar, ids.doctor, ids.fakeAttestor, ids.alice, ids.insurer]) {
      expect(
        (await h.submit(who, 'birth:AttestBirth', [{ attestationId: 'B1', recordHash: RECORD }])).error?.code,
      ).toBe('FORBIDDEN');
    }
    ok(await h.submit(ids.attestor, 'birth:AttestBirth', [{ attestationId: 'B1', recordHash: RECORD }]));
    for (const who of [ids.attestor, ids.hospitalAdmin, ids.police, ids.cityAdmin, ids.alice]) {
      expect((await certify(h, undefined, who)).error?.code).toBe('FORBIDDEN');
    }
  });

  it('refuses bad input, duplicates and a taken resident id', async () => {
    for (const bad of [
      { attestationId: 'B1' },
      { attestationId: 'B1', recordHash: 'xyz' },
      { attestationId: 'B1', recordHash: RECORD, name: 'Baby' },
    ]) {
      expect((await h.submit(ids.attestor, 'birth:AttestBirth', [bad])).error?.code).toBe('INVALID_ARGUMENT');
    }
    ok(await h.submit(ids.attestor, 'birth:AttestBirth', [{ attestationId: 'B1', recordHash: RECORD }]));
    expect(
      (await h.submit(ids.attestor, 'birth:AttestBirth', [{ attestationId: 'B1', recordHash: RECORD }])).error
        ?.code,
    ).toBe('CONFLICT');
    expect((await certify(h, undefined, ids.registrar, { residentId: 'R1' })).error?.code).toBe('CONFLICT');
    expect(
      (
        await h.submit(ids.registrar, 'birth:IssueBirthCertificate', [
          { attestationId: 'B1', residentId: 'R100', credentialId: 'BC1' },
        ])
      ).error?.code,
    ).toBe('INVALID_ARGUMENT');
    expect((await certify(h, undefined, ids.registrar, { credentialId: '' })).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await h.evaluate(ids.bob, 'birth:GetBirthAttestation', ['B9'])).error?.code).toBe('NOT_FOUND');
  });

  it('attests one hospital birth record once: a second attestation would register the child twice', async () => {
    ok(await h.submit(ids.attestor, 'birth:AttestBirth', [{ attestationId: 'B1', recordHash: RECORD }]));
    const again = await h.submit(ids.attestor, 'birth:AttestBirth', [
      { attestationId: 'B2', recordHash: RECORD },
    ]);
    expect(again.error?.code).toBe('CONFLICT');
    expect(again.error?.details).toEqual({ reason: 'BIRTH_ALREADY_ATTESTED', attestationId: 'B1' });
    ok(await certify(h, ['CityMSP', 'HospitalMSP']));
    expect(
      (await h.submit(ids.attestor, 'birth:AttestBirth', [{ attestationId: 'B3', recordHash: RECORD }])).error
        ?.code,
    ).toBe('CONFLICT');
    expect(
      (
        await h.submit(ids.attestor, 'birth:AttestBirth', [
          { attestationId: 'B2', recordHash: 'f'.repeat(64) },
        ])
      ).committed,
    ).toBe(true);
  });
});
