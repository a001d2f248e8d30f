import { conflictsAmong, type ContractHarness } from '@cityledger/chaincode-common';
import { consignmentInput, container, ids, newHarness, ok, working } from './logistics.fixtures';
import type { Container, PortCall, TimeEntry } from './model';

/**
 * Fabric's MVCC check: a transaction is invalidated when a key it read (or a range it scanned) was
 * written by a transaction committed before it. Here a new estimate and the cargo work of the same
 * call are endorsed against one state, as in one busy block, and we check that neither writes
 * anything the other read.
 */
let h: ContractHarness;
beforeEach(async () => {
  h = newHarness();
  await working(h);
  await ok(h.submit(ids.agent, 'cargo:RegisterConsignment', [consignmentInput()]));
});

const recordTime = (who: typeof ids.agent, event: string, classifier: string, time: string) =>
  h.evaluate<TimeEntry>(who, 'portcall:RecordTime', ['CALL-1', { event, classifier, time }]);
const discharge = (containerNumber = container(1)) =>
  h.evaluate<Container>(ids.terminal, 'cargo:RecordContainerEvent', [
    'CALL-1',
    containerNumber,
    { type: 'DISCHARGED', terminal: 'HPNT' },
  ]);
const registerMore = () =>
  h.evaluate(ids.carrier, 'cargo:RegisterConsignment', [
    consignmentInput({ consignmentId: 'CONS-2', containers: [container(7)] }),
  ]);

describe('time updates while cargo is worked', () => {
  it('writes no key a discharge or a registration endorsed meanwhile read', async () => {
    // Endorse all against the same committed state (evaluate = endorse without committing).
    const times = await Promise.all([
      recordTime(ids.agent, 'DEPARTURE', 'ESTIMATED', '2026-06-04T20:00:00.000Z'),
      recordTime(ids.terminal, 'CARGO_OPS_END', 'PLANNED', '2026-06-04T10:00:00.000Z'),
    ]);
    const cargo = await Promise.all([discharge(container(1)), discharge(container(3)), registerMore()]);
    expect([...times, ...cargo].filter((r) => !r.ok).map((r) => r.message)).toEqual([]);
    expect(conflictsAmong(times, cargo)).toEqual([]);
    // Both commit: the estimate and the discharges are in the state.
    for (const r of [times[0], ...cargo]) r.stub.commit();
    const call = (await h.evaluate<PortCall>(ids.agent, 'portcall:GetPortCall', ['CALL-1'])).value;
    expect(call.status).toBe('WORKING');
    expect(call.times.DEPARTURE.ESTIMATED).toMatchObject({ time: '2026-06-04T20:00:00.000Z', version: 2 });
    expect(call.times.CARGO_OPS_START.ACTUAL).toMatchObject({ time: '2026-06-03T09:00:00.000Z' });
    const box = await h.evaluate<Container>(ids.terminal, 'cargo:GetContainer', ['CALL-1', container(3)]);
    expect(box.value.status).toBe('DISCHARGED');
  });

  it('detects a conflict where one exists: a status change writes the call the discharge read', async () => {
    const clear = await h.evaluate(ids.portAuthority, 'portcall:ClearDeparture', ['CALL-1']);
    const cargo = await discharge();
    expect([clear.ok, cargo.ok]).toEqual([true, true]);
    expect(conflictsAmong([clear], [cargo])).toHaveLength(1);
  });

  it('shows the new time and its transaction time in the call, with the key-level policy of the call', async () => {
    h.advance(60_000);
    const r = await h.submit<TimeEntry>(ids.terminal, 'portcall:RecordTime', [
      'CALL-1',
      { event: 'CARGO_OPS_END', classifier: 'PLANNED', time: '2026-06-04T10:00:00.000Z' },
    ]);
    expect(r.committed).toBe(true);
    expect(r.event?.envelope.events).toEqual([
      {
        type: 'TimeRecorded',
        data: {
          callId: 'CALL-1',
          status: 'WORKING',
          event: 'CARGO_OPS_END',
          classifier: 'PLANNED',
          time: '2026-06-04T10:00:00.000Z',
          version: 1,
        },
      },
    ]);
    const call = (await h.evaluate<PortCall>(ids.agent, 'portcall:GetPortCall', ['CALL-1'])).value;
    expect(call.times.CARGO_OPS_END.PLANNED).toEqual(r.value);
    expect(call.updatedAt).toBe(r.value.recordedAt);
    const listed = await h.evaluate<{ items: PortCall[] }>(ids.agent, 'portcall:ListPortCalls', [10, '']);
    expect(listed.value.items).toEqual([call]);
    // A time written by the port's peers alone is invalidated, as a write of the call would be.
    const forged = await h.submit(
      ids.terminal,
      'portcall:RecordTime',
      ['CALL-1', { event: 'CARGO_OPS_END', classifier: 'PLANNED', time: '2026-06-04T11:00:00.000Z' }],
      { endorsers: ['PortMSP', 'InsurerMSP'] },
    );
    expect([forged.ok, forged.committed, forged.validationCode]).toEqual([
      true,
      false,
      'ENDORSEMENT_POLICY_FAILURE',
    ]);
  });
});
