import { MemoryStub, fromBytes, toBytes, type ContractHarness } from '@cityledger/chaincode-common';
import { consignmentInput, declared, ids, newHarness, ok, working } from './logistics.fixtures';
import type { AccessGrant, PortCall, TimeEntry } from './model';
import type { LatestTimes } from './store';

/**
 * Calls announced by the previous version, still in progress when this one is committed: their
 * latest times are in their record (no `portcallLatestTimes` key) and their consignments are not in
 * the insurer index. They go on as before.
 */
let h: ContractHarness;
beforeEach(() => {
  h = newHarness();
});

const keyOf = (objectType: string, ...parts: string[]) =>
  new MemoryStub(h.ledger, {} as never).createCompositeKey(objectType, parts);

/** Rewrites CALL-1 in the ledger as the previous version stored it. */
function asPreviousVersion(callId = 'CALL-1'): void {
  const recordKey = keyOf('portcall', callId);
  const timesKey = keyOf('portcallLatestTimes', callId);
  const record = fromBytes<PortCall>(h.ledger.state.get(recordKey)!);
  const latest = fromBytes<LatestTimes>(h.ledger.state.get(timesKey)!);
  h.ledger.state.set(recordKey, toBytes({ ...record, times: latest.times }));
  h.ledger.state.delete(timesKey);
  h.ledger.validation.delete(timesKey);
  const index = keyOf('consignmentByCallInsurer', callId);
  for (const key of [...h.ledger.state.keys()]) if (key.startsWith(index)) h.ledger.state.delete(key);
}

const get = async () => (await h.evaluate<PortCall>(ids.agent, 'portcall:GetPortCall', ['CALL-1'])).value;

describe('a call announced by the previous version', () => {
  it('keeps its times in its record to the end', async () => {
    await working(h);
    asPreviousVersion();
    const r = await h.submit<TimeEntry>(ids.agent, 'portcall:RecordTime', [
      'CALL-1',
      { event: 'DEPARTURE', classifier: 'ESTIMATED', time: '2026-06-04T20:00:00.000Z' },
    ]);
    expect(r.committed).toBe(true);
    expect(r.stub.writtenKeys().map((k) => k.key)).toContain(keyOf('portcall', 'CALL-1'));
    expect((await get()).times.DEPARTURE.ESTIMATED).toMatchObject({ version: 2 });
    await ok(h.submit(ids.portAuthority, 'portcall:ClearDeparture', ['CALL-1']));
    await ok(h.submit(ids.portAuthority, 'portcall:Depart', ['CALL-1', '2026-06-03T11:30:00.000Z']));
    const call = await get();
    expect(call.status).toBe('DEPARTED');
    expect(call.times.ARRIVAL.ACTUAL.time).toBe('2026-06-03T06:10:00.000Z');
    expect(call.times.DEPARTURE.ACTUAL.time).toBe('2026-06-03T11:30:00.000Z');
    expect(h.ledger.state.has(keyOf('portcallLatestTimes', 'CALL-1'))).toBe(false);
  });

  it('still lets the insurer of a consignment registered before the upgrade read the cargo declaration', async () => {
    await declared(h);
    await ok(h.submit(ids.agent, 'cargo:RegisterConsignment', [consignmentInput()]));
    asPreviousVersion();
    const check = (who: typeof ids.agent) =>
      h.evaluate<AccessGrant>(who, 'portcall:CheckDocumentAccess', ['CALL-1', 'FAL2']);
    expect((await check(ids.insurer)).value.grantedBy).toBe('consignment-insurer');
    expect((await check(ids.otherInsurer)).error?.code).toBe('FORBIDDEN');
  });
});
