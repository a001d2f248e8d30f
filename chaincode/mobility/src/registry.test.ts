import { identity, type ContractHarness } from '@cityledger/chaincode-common';
import { VIN_A, VIN_B, VIN_C, code, ids, newHarness, ok, policyInput, seedWorld } from './mobility.fixtures';
import type { Partner, Policy, Vehicle } from './model';

let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await seedWorld(h);
});

describe('vehicle registry', () => {
  it('registers a vehicle with its owner and announces it', async () => {
    const r = await h.submit<Vehicle>(ids.registrar, 'vehicle:RegisterVehicle', [
      { vin: VIN_C, ownerId: 'R2' },
    ]);
    expect(r.committed).toBe(true);
    expect(r.value).toEqual({
      vin: VIN_C,
      ownerId: 'R2',
      registeredAt: '2026-06-01T08:00:00.000Z',
      updatedAt: '2026-06-01T08:00:00.000Z',
    });
    expect(r.event?.name).toBe('vehicle.RegisterVehicle');
    expect(r.event?.envelope.events).toEqual([{ type: 'VehicleRegistered', data: { vin: VIN_C } }]);
    expect(ok(await h.evaluate<Vehicle>(ids.portAgent, 'vehicle:GetVehicle', [VIN_A])).make).toBe('Hyundai');
  });

  it('refuses anyone but a City registrar', async () => {
    const cityCaless = identity('InsurerMSP', 'reg', { role: 'registrar' });
    for (const who of [ids.police, ids.alice, ids.acme, ids.carA, cityCaless]) {
      const r = await h.submit(who, 'vehicle:RegisterVehicle', [{ vin: VIN_C, ownerId: 'R1' }]);
      expect(r.error?.code).toBe('FORBIDDEN');
      expect(code(await h.submit(who, 'vehicle:TransferVehicle', [VIN_A, 'R2', 'sold']))).toBe('FORBIDDEN');
    }
  });

  it('refuses a duplicate, an unknown owner and an owner who is not ACTIVE', async () => {
    expect(
      code(await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [{ vin: VIN_A, ownerId: 'R1' }])),
    ).toBe('CONFLICT');
    expect(
      code(await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [{ vin: VIN_C, ownerId: 'R9' }])),
    ).toBe('NOT_FOUND');
    const locked = await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [{ vin: VIN_C, ownerId: 'R3' }]);
    expect(locked.error?.code).toBe('FORBIDDEN');
    expect(locked.error?.details).toEqual({
      reason: 'RESIDENT_NOT_ACTIVE',
      residentId: 'R3',
      status: 'LOCKED',
    });
  });

  it('refuses malformed input with INVALID_ARGUMENT', async () => {
    for (const bad of [
      {},
      { vin: VIN_C },
      { ownerId: 'R1' },
      { vin: 'KMHAB81CDEF00000', ownerId: 'R1' },
      { vin: 'KMHAB81CDEF00000I', ownerId: 'R1' },
      { vin: 12345678901234567, ownerId: 'R1' },
      { vin: VIN_C, ownerId: 'R 1' },
      { vin: VIN_C, ownerId: 'R1', year: '2026' },
      { vin: VIN_C, ownerId: 'R1', make: 'x'.repeat(65) },
      { vin: VIN_C, ownerId: 'R1', colour: 'red' },
    ]) {
      const r = await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [bad]);
      expect(r.error?.code).toBe('INVALID_ARGUMENT');
      expect(r.error?.details.input).toBe('input');
    }
    expect(code(await h.submit(ids.registrar, 'vehicle:RegisterVehicle', ['not json']))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      code(
        await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [
          { vin: VIN_C, ownerId: 'R1', model: 'x'.repeat(70_000) },
        ]),
      ),
    ).toBe('INVALID_ARGUMENT');
  });

  it('transfers ownership to an ACTIVE resident', async () => {
    const r = await h.submit<Vehicle>(ids.registrar, 'vehicle:TransferVehicle', [VIN_A, 'R2', 'sold']);
    expect(r.value.ownerId).toBe('R2');
    expect(r.event?.envelope.events).toEqual([{ type: 'VehicleTransferred', data: { vin: VIN_A } }]);
    expect(code(await h.submit(ids.registrar, 'vehicle:TransferVehicle', [VIN_C, 'R2', 'sold']))).toBe(
      'NOT_FOUND',
    );
    expect(code(await h.submit(ids.registrar, 'vehicle:TransferVehicle', [VIN_A, 'R3', 'sold']))).toBe(
      'FORBIDDEN',
    );
    expect(code(await h.evaluate(ids.alice, 'vehicle:GetVehicle', [VIN_C]))).toBe('NOT_FOUND');
  });
});

describe('policies', () => {
  it("issues a policy to the vehicle's owner under the calling insurer", async () => {
    const p = ok(await h.evaluate<Policy>(ids.alice, 'insurance:GetPolicy', ['P1']));
    expect(p).toEqual(
      expect.objectContaining({
        policyId: 'P1',
        vin: VIN_A,
        holderId: 'R1',
        insurerId: 'InsurerMSP/acme',
        status: 'ACTIVE',
        coverage: 10_000_000,
        deductible: 500_000,
      }),
    );
    const r = await h.submit(ids.acme, 'insurance:IssuePolicy', [policyInput('P3', VIN_A)]);
    expect(r.event?.envelope.events).toEqual([
      { type: 'PolicyIssued', data: { policyId: 'P3', vin: VIN_A, insurerId: 'InsurerMSP/acme' } },
    ]);
    expect(ok(await h.evaluate(ids.alice, 'insurance:ListVehiclePolicies', [VIN_A]))).toEqual(['P1', 'P3']);
    expect(code(await h.evaluate(ids.alice, 'insurance:ListVehiclePolicies', [VIN_C]))).toBe('NOT_FOUND');
  });

  it('refuses anyone but an InsurerMSP insurer', async () => {
    for (const who of [ids.fakeInsurer, ids.adj1, ids.shop1, ids.alice, ids.registrar]) {
      expect(code(await h.submit(who, 'insurance:IssuePolicy', [policyInput('P9', VIN_A)]))).toBe(
        'FORBIDDEN',
      );
      expect(code(await h.submit(who, 'insurance:CancelPolicy', ['P1', 'x']))).toBe('FORBIDDEN');
    }
  });

  it('enforces deductible <= coverage, a non-empty validity, a known vehicle, an ACTIVE owner and unique ids', async () => {
    const bad = await h.submit(ids.acme, 'insurance:IssuePolicy', [
      policyInput('P9', VIN_A, { deductible: 10_000_001 }),
    ]);
    expect(bad.error?.details).toEqual({ reason: 'DEDUCTIBLE_ABOVE_COVERAGE' });
    const empty = await h.submit(ids.acme, 'insurance:IssuePolicy', [
      policyInput('P9', VIN_A, { validUntil: '2026-01-01T00:00:00Z' }),
    ]);
    expect(empty.error?.details).toEqual({ reason: 'EMPTY_VALIDITY' });
    expect(code(await h.submit(ids.acme, 'insurance:IssuePolicy', [policyInput('P9', VIN_C)]))).toBe(
      'NOT_FOUND',
    );
    expect(code(await h.submit(ids.acme, 'insurance:IssuePolicy', [policyInput('P1', VIN_A)]))).toBe(
      'CONFLICT',
    );
    ok(await h.submit(ids.registrar, 'vehicle:RegisterVehicle', [{ vin: VIN_C, ownerId: 'R1' }]));
    ok(await h.submit(ids.registrar, 'vehicle:TransferVehicle', [VIN_C, 'R1', 'x']));
    expect(
      code(
        await h.submit(ids.acme, 'insurance:IssuePolicy', [
          policyInput('P9', VIN_C, { validFrom: '2026-13-01T00:00:00Z' }),
        ]),
      ),
    ).toBe('INVALID_ARGUMENT');
  });

  it('refuses malformed policies', async () => {
    for (const extra of [
      { coverage: 0 },
      { coverage: 1.5 },
      { deductible: -1 },
      { validFrom: 'yesterday' },
      { vin: 'short' },
      { policyId: '' },
      { extra: true },
      { coverage: '100' },
    ]) {
      expect(code(await h.submit(ids.acme, 'insurance:IssuePolicy', [policyInput('P9', VIN_A, extra)]))).toBe(
        'INVALID_ARGUMENT',
      );
    }
  });

  it('lets only the issuing insurer cancel, once', async () => {
    expect((await h.submit(ids.bravo, 'insurance:CancelPolicy', ['P1', 'x'])).error?.details).toEqual({
      reason: 'NOT_THE_INSURER',
    });
    const r = await h.submit<Policy>(ids.acme, 'insurance:CancelPolicy', ['P1', 'unpaid premium']);
    expect(r.value.status).toBe('CANCELLED');
    // When it stopped covering: incidents before it stay covered.
    expect(r.value.cancelledAt).toBe(r.value.updatedAt);
    expect(ok(await h.evaluate<Policy>(ids.acme, 'insurance:GetPolicy', ['P1'])).cancelledAt).toBe(
      new Date(h.now).toISOString(),
    );
    expect(r.event?.envelope.events).toEqual([{ type: 'PolicyCancelled', data: { policyId: 'P1' } }]);
    const again = await h.submit(ids.acme, 'insurance:CancelPolicy', ['P1', 'x']);
    expect(again.error?.code).toBe('FAILED_PRECONDITION');
    expect(again.error?.details).toEqual({ state: 'CANCELLED' });
    expect(code(await h.submit(ids.acme, 'insurance:CancelPolicy', ['P9', 'x']))).toBe('NOT_FOUND');
  });

  it('shows a policy to its holder, InsurerMSP and the police only', async () => {
    for (const who of [ids.alice, ids.adj2, ids.shop1, ids.police])
      expect((await h.evaluate(who, 'insurance:GetPolicy', ['P1'])).ok).toBe(true);
    for (const who of [ids.bob, ids.carA, ids.portAgent, ids.doctor])
      expect(code(await h.evaluate(who, 'insurance:GetPolicy', ['P1']))).toBe('FORBIDDEN');
    expect(code(await h.evaluate(ids.alice, 'insurance:GetPolicy', ['P9']))).toBe('NOT_FOUND');
  });
});

describe('repair shops and adjusters', () => {
  it('approves and revokes repair shops, appoints and dismisses adjusters, per insurer', async () => {
    const get = (insurer: string, kind: string, id: string) =>
      h.evaluate<Partner>(ids.alice, 'insurance:GetPartner', [insurer, kind, id]);
    expect(ok(await get(ids.acme.key, 'repair-shop', ids.shop1.key))).toEqual({
      insurerId: 'InsurerMSP/acme',
      kind: 'repair-shop',
      partnerId: 'InsurerMSP/shop1',
      status: 'APPROVED',
      updatedAt: '2026-06-01T08:00:00.000Z',
    });
    expect(code(await get(ids.bravo.key, 'repair-shop', ids.shop1.key))).toBe('NOT_FOUND');
    const revoked = await h.submit<Partner>(ids.acme, 'insurance:RevokeRepairShop', [ids.shop1.key]);
    expect(revoked.value.status).toBe('REVOKED');
    expect(revoked.event?.envelope.events).toEqual([
      { type: 'RepairShopRevoked', data: { insurerId: 'InsurerMSP/acme', partnerId: 'InsurerMSP/shop1' } },
    ]);
    expect((await h.submit(ids.acme, 'insurance:RevokeRepairShop', [ids.shop1.key])).error?.details).toEqual({
      state: 'REVOKED',
    });
    expect((await h.submit(ids.bravo, 'insurance:DismissAdjuster', [ids.adj1.key])).error?.details).toEqual({
      state: null,
    });
    const dismissed = await h.submit<Partner>(ids.acme, 'insurance:DismissAdjuster', [ids.adj1.key]);
    expect(dismissed.event?.envelope.events[0].type).toBe('AdjusterDismissed');
    expect(
      (await h.submit(ids.acme, 'insurance:AppointAdjuster', [ids.adj1.key])).event?.envelope.events[0].type,
    ).toBe('AdjusterAppointed');
    expect(
      (await h.submit(ids.acme, 'insurance:ApproveRepairShop', [ids.shop2.key])).event?.envelope.events[0]
        .type,
    ).toBe('RepairShopApproved');
  });

  it('refuses partners outside InsurerMSP, malformed keys and callers who are not insurers', async () => {
    const r = await h.submit(ids.acme, 'insurance:ApproveRepairShop', ['CityMSP/shop']);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.reason).toBe('NOT_AN_INSURER_IDENTITY');
    for (const bad of ['shop1', 'InsurerMSP/', 'InsurerMSP/ shop', 'x'.repeat(200)]) {
      expect(code(await h.submit(ids.acme, 'insurance:AppointAdjuster', [bad]))).toBe('INVALID_ARGUMENT');
    }
    expect(
      code(await h.evaluate(ids.acme, 'insurance:GetPartner', [ids.acme.key, 'broker', ids.shop1.key])),
    ).toBe('INVALID_ARGUMENT');
    for (const who of [ids.adj1, ids.shop1, ids.fakeInsurer, ids.police]) {
      expect(code(await h.submit(who, 'insurance:ApproveRepairShop', [ids.shop2.key]))).toBe('FORBIDDEN');
    }
    expect(VIN_B).toHaveLength(17);
  });
});
