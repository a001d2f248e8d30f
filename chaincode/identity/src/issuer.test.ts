import type { ContractHarness } from '@cityledger/chaincode-common';
import { ids, newHarness, ok } from './identity.fixtures';
import type { AuditEntry, TrustedIssuer } from './model';

let h: ContractHarness;
beforeEach(() => {
  h = newHarness();
});
const set = (
  who = ids.registrar,
  input: Record<string, unknown> = { credentialType: 'driver-licence', mspId: 'CityMSP', role: 'registrar' },
) => h.submit<TrustedIssuer>(who, 'issuer:SetTrustedIssuer', [input]);

describe('trusted issuers', () => {
  it('are managed by City registrars and admins, audited, with events', async () => {
    const r = await set();
    expect(r.value).toEqual({
      credentialType: 'driver-licence',
      mspId: 'CityMSP',
      role: 'registrar',
      active: true,
      updatedAt: '2026-06-01T00:00:00.000Z',
      updatedBy: 'CityMSP/registrar1',
    });
    expect(r.event?.envelope.events).toEqual([
      {
        type: 'TrustedIssuerSet',
        data: { credentialType: 'driver-licence', mspId: 'CityMSP', role: 'registrar' },
      },
    ]);
    ok(await set(ids.cityAdmin, { credentialType: 'driver-licence', mspId: 'InsurerMSP', role: 'insurer' }));
    expect(ok(await h.evaluate<boolean>(ids.registrar, 'issuer:CanIssue', ['driver-licence']))).toBe(true);
    expect(ok(await h.evaluate<boolean>(ids.police, 'issuer:CanIssue', ['driver-licence']))).toBe(false);
    expect(
      ok(
        await h.evaluate<boolean>(
          (await import('@cityledger/chaincode-common')).identity('CityMSP', 'norole'),
          'issuer:CanIssue',
          ['driver-licence'],
        ),
      ),
    ).toBe(false);

    const removed = await h.submit<TrustedIssuer>(ids.cityAdmin, 'issuer:RemoveTrustedIssuer', [
      'driver-licence',
      'CityMSP',
      'registrar',
    ]);
    expect(removed.value).toMatchObject({ active: false, updatedBy: 'CityMSP/cityadmin' });
    expect(removed.event?.envelope.events[0].type).toBe('TrustedIssuerRemoved');
    expect(ok(await h.evaluate<boolean>(ids.registrar, 'issuer:CanIssue', ['driver-licence']))).toBe(false);
    expect(
      (
        await h.submit(ids.cityAdmin, 'issuer:RemoveTrustedIssuer', [
          'driver-licence',
          'CityMSP',
          'registrar',
        ])
      ).error?.code,
    ).toBe('FAILED_PRECONDITION');

    const list = ok(
      await h.evaluate<TrustedIssuer[]>(ids.alice, 'issuer:ListTrustedIssuers', ['driver-licence']),
    );
    expect(list.map((t) => [t.mspId, t.active])).toEqual([
      ['CityMSP', false],
      ['InsurerMSP', true],
    ]);
    const history = ok(
      await h.evaluate<{ items: AuditEntry[] }>(ids.alice, 'issuer:GetIssuerHistory', [10, '']),
    );
    expect(history.items.map((e) => [e.action, e.by])).toEqual([
      ['TRUSTED', 'CityMSP/registrar1'],
      ['TRUSTED', 'CityMSP/cityadmin'],
      ['UNTRUSTED', 'CityMSP/cityadmin'],
    ]);
  });

  it('refuses everyone else with FORBIDDEN', async () => {
    const hospitalRegistrar = (await import('@cityledger/chaincode-common')).identity('HospitalMSP', 'r', {
      role: 'registrar',
    });
    for (const who of [
      ids.police,
      ids.alice,
      ids.hospitalAdmin,
      ids.attestor,
      ids.insurer,
      ids.portAgent,
      hospitalRegistrar,
    ]) {
      expect((await set(who)).error?.code).toBe('FORBIDDEN');
      expect(
        (await h.submit(who, 'issuer:RemoveTrustedIssuer', ['driver-licence', 'CityMSP', 'registrar'])).error
          ?.code,
      ).toBe('FORBIDDEN');
    }
  });

  it('refuses bad input and unknown entries', async () => {
    for (const bad of [
      {},
      { credentialType: 'x', mspId: 'CityMSP' },
      { credentialType: 1, mspId: 'CityMSP', role: 'r' },
      { credentialType: 'x y', mspId: 'CityMSP', role: 'r' },
    ]) {
      expect((await set(ids.registrar, bad)).error?.code).toBe('INVALID_ARGUMENT');
    }
    expect(
      (await h.submit(ids.registrar, 'issuer:RemoveTrustedIssuer', ['nope', 'CityMSP', 'registrar'])).error
        ?.code,
    ).toBe('NOT_FOUND');
    expect((await h.evaluate(ids.registrar, 'issuer:GetIssuerHistory', [500, ''])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
