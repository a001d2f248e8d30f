import { identity, type ContractHarness } from '@cityledger/chaincode-common';
import { ids, newHarness, ok, seedResidents } from './identity.fixtures';
import type { AuditEntry, Resident } from './model';

let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await seedResidents(h);
});

const status = async (id = 'R1') =>
  ok(await h.evaluate<Resident>(ids.bob, 'resident:GetResident', [id])).status;

describe('resident registry', () => {
  it('registers a resident bound to an enrolment, audited, with an event', async () => {
    const r = await h.submit<Resident>(ids.registrar, 'resident:RegisterResident', [
      { residentId: 'R3', enrollmentId: 'carol' },
    ]);
    expect(r.value).toEqual({
      residentId: 'R3',
      status: 'ACTIVE',
      enrollmentId: 'carol',
      registeredAt: '2026-06-01T00:00:00.000Z',
      updatedAt: '2026-06-01T00:00:00.000Z',
    });
    expect(r.event?.envelope.events).toEqual([
      { type: 'ResidentRegistered', data: { residentId: 'R3', bound: true } },
    ]);
    const history = ok(
      await h.evaluate<{ items: AuditEntry[] }>(ids.alice, 'resident:GetResidentHistory', ['R3', 10, '']),
    );
    expect(history.items).toEqual([
      expect.objectContaining({
        action: 'REGISTERED',
        by: 'CityMSP/registrar1',
        role: 'registrar',
        to: 'ACTIVE',
      }),
    ]);
  });

  it('registers an unbound resident and binds later', async () => {
    ok(await h.submit(ids.registrar, 'resident:RegisterResident', [{ residentId: 'R3' }]));
    const carol = identity('CityMSP', 'carol', { role: 'resident', residentId: 'R3' });
    expect((await h.submit(carol, 'resident:LockResident', ['R3', ''])).error?.code).toBe('FORBIDDEN');
    const bound = await h.submit<Resident>(ids.registrar, 'resident:BindResident', [
      'R3',
      'carol',
      'first enrolment',
    ]);
    expect(bound.value.enrollmentId).toBe('carol');
    expect(bound.event?.envelope.events[0]).toEqual({
      type: 'ResidentBound',
      data: { residentId: 'R3', rebound: false },
    });
    expect((await h.submit(carol, 'resident:LockResident', ['R3', ''])).committed).toBe(true);
  });

  it('refuses registration by anyone but a City registrar', async () => {
    for (const who of [ids.alice, ids.police, ids.cityAdmin, ids.attestor, ids.portAgent, identity2()]) {
      const r = await h.submit(who, 'resident:RegisterResident', [{ residentId: 'R9', enrollmentId: 'x' }]);
      expect(r.error?.code).toBe('FORBIDDEN');
    }
  });

  it('refuses a duplicate with CONFLICT and bad input with INVALID_ARGUMENT', async () => {
    expect(
      (await h.submit(ids.registrar, 'resident:RegisterResident', [{ residentId: 'R1', enrollmentId: 'x' }]))
        .error?.code,
    ).toBe('CONFLICT');
    for (const bad of [
      {},
      { residentId: 5 },
      { residentId: '' },
      { residentId: 'R 1' },
      { residentId: 'R'.repeat(129) },
      { residentId: 'R9', name: 'Alice' },
    ]) {
      const r = await h.submit(ids.registrar, 'resident:RegisterResident', [bad]);
      expect(r.error?.code).toBe('INVALID_ARGUMENT');
    }
    expect(
      (await h.submit(ids.registrar, 'resident:LockResident', ['R1', 'x'.repeat(257)])).error?.code,
    ).toBe('INVALID_ARGUMENT');
  });

  it('refuses binding by anyone but a City registrar, and oversize arguments', async () => {
    for (const who of [ids.alice, ids.police, ids.cityAdmin, ids.hospitalAdmin, ids.insurer]) {
      expect((await h.submit(who, 'resident:BindResident', ['R1', 'mallory', ''])).error?.code).toBe(
        'FORBIDDEN',
      );
    }
    const huge = await h.submit(ids.registrar, 'resident:BindResident', ['R1', 'x'.repeat(70_000), '']);
    expect(huge.error?.code).toBe('INVALID_ARGUMENT');
    expect(huge.error?.details).toEqual({ input: 'enrollmentId', size: 70_000, limit: 65536 });
    expect(
      (await h.submit(ids.registrar, 'resident:BindResident', ['R1', 'bad id', ''])).error?.details.input,
    ).toBe('enrollmentId');
    expect(ok(await h.evaluate<Resident>(ids.bob, 'resident:GetResident', ['R1'])).enrollmentId).toBe(
      'alice',
    );
  });

  it('gives NOT_FOUND for an unknown resident on every transaction', async () => {
    for (const [fn, args] of [
      ['resident:LockResident', ['R9', '']],
      ['resident:UnlockResident', ['R9', '']],
      ['resident:SuspendResident', ['R9', '']],
      ['resident:ReinstateResident', ['R9', '']],
      ['resident:RecordDeath', ['R9', '']],
      ['resident:BindResident', ['R9', 'x', '']],
    ] as const) {
      expect((await h.submit(ids.registrar, fn, [...args])).error?.code).toBe('NOT_FOUND');
    }
    expect((await h.evaluate(ids.alice, 'resident:GetResident', ['R9'])).error?.code).toBe('NOT_FOUND');
    expect((await h.evaluate(ids.alice, 'resident:GetResidentHistory', ['R9', 5, ''])).error?.code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('fraud lock', () => {
  it('lets the resident lock and unlock their own identity, audited', async () => {
    const locked = await h.submit<Resident>(ids.alice, 'resident:LockResident', ['R1', 'phone stolen']);
    expect(locked.value).toMatchObject({ status: 'LOCKED', lockedBy: 'self' });
    expect(locked.event?.name).toBe('resident.LockResident');
    expect(locked.event?.envelope.events).toEqual([
      { type: 'ResidentLocked', data: { residentId: 'R1', from: 'ACTIVE', to: 'LOCKED', by: 'self' } },
    ]);
    const unlocked = await h.submit<Resident>(ids.alice, 'resident:UnlockResident', ['R1', 'found it']);
    expect(unlocked.value.status).toBe('ACTIVE');
    expect(unlocked.value.lockedBy).toBeUndefined();
    const history = ok(
      await h.evaluate<{ items: AuditEntry[] }>(ids.alice, 'resident:GetResidentHistory', ['R1', 10, '']),
    );
    expect(history.items.map((e) => [e.action, e.by, e.reason])).toEqual([
      ['REGISTERED', 'CityMSP/registrar1', undefined],
      ['LOCKED', 'CityMSP/alice', 'phone stolen'],
      ['UNLOCKED', 'CityMSP/alice', 'found it'],
    ]);
  });

  it('lets the police lock; then only the police unlock', async () => {
    expect(
      (await h.submit<Resident>(ids.police, 'resident:LockResident', ['R1', 'case 12'])).value.lockedBy,
    ).toBe('police');
    const self = await h.submit(ids.alice, 'resident:UnlockResident', ['R1', '']);
    expect(self.error?.code).toBe('FORBIDDEN');
    expect(self.error?.details).toEqual({
      state: 'LOCKED',
      to: 'ACTIVE',
      required: ['police', 'self-unlock'],
    });
    expect((await h.submit(ids.police, 'resident:UnlockResident', ['R1', 'closed'])).committed).toBe(true);
  });

  it('refuses locking by another resident, an impostor, a device, the registrar and other orgs', async () => {
    for (const who of [
      ids.bob,
      ids.aliceImpostor,
      ids.aliceDevice,
      ids.registrar,
      ids.doctor,
      ids.insurer,
      ids.portAgent,
    ]) {
      const r = await h.submit(who, 'resident:LockResident', ['R1', '']);
      expect(r.error?.code).toBe('FORBIDDEN');
    }
    expect(await status()).toBe('ACTIVE');
  });

  it('refuses locking twice and unlocking an active identity with FAILED_PRECONDITION', async () => {
    expect((await h.submit(ids.alice, 'resident:UnlockResident', ['R1', ''])).error?.details.state).toBe(
      'ACTIVE',
    );
    ok(await h.submit(ids.alice, 'resident:LockResident', ['R1', '']));
    const again = await h.submit(ids.police, 'resident:LockResident', ['R1', '']);
    expect(again.error?.code).toBe('FAILED_PRECONDITION');
    expect(again.error?.details.state).toBe('LOCKED');
  });

  it('moves the binding to a new enrolment after theft: the old certificate loses its powers', async () => {
    ok(await h.submit(ids.police, 'resident:LockResident', ['R1', 'theft']));
    ok(await h.submit(ids.registrar, 'resident:BindResident', ['R1', 'alice-2', 'new phone']));
    ok(await h.submit(ids.police, 'resident:UnlockResident', ['R1', 'rebound']));
    expect((await h.submit(ids.alice, 'resident:LockResident', ['R1', ''])).error?.code).toBe('FORBIDDEN');
    expect((await h.submit(ids.aliceNewPhone, 'resident:LockResident', ['R1', ''])).committed).toBe(true);
    expect(ok(await h.evaluate<Resident | null>(ids.alice, 'resident:WhoAmI'))).toBeUndefined();
    expect(ok(await h.evaluate<Resident | null>(ids.aliceNewPhone, 'resident:WhoAmI'))?.residentId).toBe(
      'R1',
    );
  });
});

describe('administrative status', () => {
  it('suspends and reinstates (registrar only)', async () => {
    expect((await h.submit(ids.police, 'resident:SuspendResident', ['R1', ''])).error?.code).toBe(
      'FORBIDDEN',
    );
    expect((await h.submit(ids.alice, 'resident:SuspendResident', ['R1', ''])).error?.code).toBe('FORBIDDEN');
    expect(
      (await h.submit<Resident>(ids.registrar, 'resident:SuspendResident', ['R1', 'moved away'])).value
        .status,
    ).toBe('SUSPENDED');
    // Only the police lock a suspended resident (below).
    expect((await h.submit(ids.alice, 'resident:LockResident', ['R1', ''])).error?.code).toBe('FORBIDDEN');
    expect((await h.submit(ids.police, 'resident:ReinstateResident', ['R1', ''])).error?.code).toBe(
      'FORBIDDEN',
    );
    const back = await h.submit<Resident>(ids.registrar, 'resident:ReinstateResident', ['R1', 'returned']);
    expect(back.value.status).toBe('ACTIVE');
    expect(back.event?.envelope.events[0].type).toBe('ResidentReinstated');
    expect((await h.submit(ids.registrar, 'resident:ReinstateResident', ['R1', ''])).error?.code).toBe(
      'FAILED_PRECONDITION',
    );
  });

  it('lets the police lock a suspended resident; unlocking returns it to SUSPENDED, not ACTIVE', async () => {
    ok(await h.submit(ids.registrar, 'resident:SuspendResident', ['R1', 'moved away']));
    const locked = await h.submit<Resident>(ids.police, 'resident:LockResident', ['R1', 'theft']);
    expect(locked.value).toMatchObject({ status: 'LOCKED', lockedBy: 'police', lockedFrom: 'SUSPENDED' });
    expect(locked.event?.envelope.events[0].data).toMatchObject({ from: 'SUSPENDED', to: 'LOCKED' });
    // The suspension is not ended while locked, nor by the unlock.
    expect((await h.submit(ids.registrar, 'resident:ReinstateResident', ['R1', ''])).error?.code).toBe(
      'FORBIDDEN',
    );
    const unlocked = await h.submit<Resident>(ids.police, 'resident:UnlockResident', ['R1', 'closed']);
    expect(unlocked.value.status).toBe('SUSPENDED');
    expect(unlocked.value.lockedFrom).toBeUndefined();
    expect(unlocked.value.lockedBy).toBeUndefined();
    expect(unlocked.event?.envelope.events[0].data).toMatchObject({ from: 'LOCKED', to: 'SUSPENDED' });
    const history = ok(
      await h.evaluate<{ items: AuditEntry[] }>(ids.bob, 'resident:GetResidentHistory', ['R1', 10, '']),
    );
    expect(history.items.map((e) => [e.action, e.from ?? null, e.to])).toEqual([
      ['REGISTERED', null, 'ACTIVE'],
      ['SUSPENDED', 'ACTIVE', 'SUSPENDED'],
      ['LOCKED', 'SUSPENDED', 'LOCKED'],
      ['UNLOCKED', 'LOCKED', 'SUSPENDED'],
    ]);
    expect(
      (await h.submit<Resident>(ids.registrar, 'resident:ReinstateResident', ['R1', ''])).value.status,
    ).toBe('ACTIVE');
    // A lock placed on an ACTIVE resident still unlocks to ACTIVE.
    ok(await h.submit(ids.police, 'resident:LockResident', ['R1', 'again']));
    expect((await h.submit<Resident>(ids.police, 'resident:UnlockResident', ['R1', ''])).value.status).toBe(
      'ACTIVE',
    );
  });

  it('records a death from any living state; DECEASED is final', async () => {
    ok(await h.submit(ids.alice, 'resident:LockResident', ['R1', '']));
    expect((await h.submit(ids.police, 'resident:RecordDeath', ['R1', ''])).error?.code).toBe('FORBIDDEN');
    const dead = await h.submit<Resident>(ids.registrar, 'resident:RecordDeath', ['R1', 'certificate 42']);
    expect(dead.value.status).toBe('DECEASED');
    expect(dead.value.lockedBy).toBeUndefined();
    for (const fn of [
      'resident:LockResident',
      'resident:UnlockResident',
      'resident:SuspendResident',
      'resident:ReinstateResident',
      'resident:RecordDeath',
    ]) {
      const who = fn.includes('Lock') ? ids.police : ids.registrar;
      const r = await h.submit(who, fn, ['R1', '']);
      expect(r.error?.code).toBe('FAILED_PRECONDITION');
      expect(r.error?.details).toMatchObject({ state: 'DECEASED', final: true });
    }
    expect((await h.submit(ids.registrar, 'resident:BindResident', ['R1', 'zombie', ''])).error?.code).toBe(
      'FAILED_PRECONDITION',
    );
    expect((await h.submit(ids.registrar, 'resident:RecordDeath', ['R2', ''])).committed).toBe(true);
  });

  it('answers WhoAmI with the bound record only', async () => {
    expect(ok(await h.evaluate<Resident | null>(ids.alice, 'resident:WhoAmI'))?.residentId).toBe('R1');
    expect(ok(await h.evaluate(ids.aliceImpostor, 'resident:WhoAmI'))).toBeUndefined();
    expect(ok(await h.evaluate(ids.police, 'resident:WhoAmI'))).toBeUndefined();
    expect(ok(await h.evaluate(identity2(), 'resident:WhoAmI'))).toBeUndefined();
  });
});

function identity2() {
  // A resident certificate from another org's CA: the City does not recognise it.
  return identity('PortMSP', 'alice', { role: 'resident', residentId: 'R1' });
}
