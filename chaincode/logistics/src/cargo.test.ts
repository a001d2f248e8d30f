import type { ContractHarness } from '@cityledger/chaincode-common';
import { announced, consignmentInput, container, ids, newHarness, ok, working } from './logistics.fixtures';
import type { BillOfLading, Consignment, Container, ContainerEvent } from './model';

let h: ContractHarness;
beforeEach(() => {
  h = newHarness();
});

const register = (input = consignmentInput(), who = ids.agent) =>
  h.submit<Consignment>(who, 'cargo:RegisterConsignment', [input]);
const event = (who: typeof ids.agent, type: string, terminal: string, containerNumber = container(1)) =>
  h.submit<Container>(who, 'cargo:RecordContainerEvent', ['CALL-1', containerNumber, { type, terminal }]);
const HASH = 'ab'.repeat(32);

/** The consignment's bill drafted, issued and surrendered by its shipper. */
async function surrendered(): Promise<void> {
  await ok(
    h.submit(ids.carrier, 'bl:DraftBillOfLading', [
      { blNumber: 'BL-1', consignmentId: 'CONS-1', documentHash: HASH },
    ]),
  );
  await ok(h.submit(ids.carrier, 'bl:IssueBillOfLading', ['BL-1']));
  await ok(h.submit(ids.shipper, 'bl:SurrenderBillOfLading', ['BL-1']));
}

describe('RegisterConsignment', () => {
  beforeEach(async () => {
    await announced(h);
  });

  it('registers the consignment and its containers on board', async () => {
    const r = await register();
    expect(r.committed).toBe(true);
    expect(r.value).toMatchObject({
      consignmentId: 'CONS-1',
      callId: 'CALL-1',
      registeredBy: 'PortMSP/agent1',
      containers: [container(1), container(3)],
    });
    expect(r.event?.envelope.events).toEqual([
      {
        type: 'ConsignmentRegistered',
        data: { callId: 'CALL-1', consignmentId: 'CONS-1', containers: 2, dangerous: false },
      },
    ]);
    const box = await h.evaluate<Container>(ids.terminal, 'cargo:GetContainer', ['CALL-1', container(3)]);
    expect(box.value).toMatchObject({ status: 'ON_BOARD', consignmentId: 'CONS-1', eventCount: 0 });
    const list = await h.evaluate<{ items: Consignment[]; bookmark: string }>(
      ids.terminal,
      'cargo:ListConsignments',
      ['CALL-1', '10', ''],
    );
    expect(list.value.items.map((c) => c.consignmentId)).toEqual(['CONS-1']);
    expect(list.value.bookmark).toBe('');
    expect(
      (await h.evaluate<Consignment>(ids.terminal, 'cargo:GetConsignment', ['CONS-1'])).value.insurer,
    ).toBe(ids.insurer.key);
  });

  it("lists a call's consignments a page at a time, by consignment id", async () => {
    for (const [n, id] of ['CONS-3', 'CONS-1', 'CONS-2'].entries())
      await ok(register(consignmentInput({ consignmentId: id, containers: [container(10 + n)] })));
    type Listed = { items: Consignment[]; bookmark: string };
    const list = (bookmark: string) =>
      h.evaluate<Listed>(ids.terminal, 'cargo:ListConsignments', ['CALL-1', '2', bookmark]);
    const first = (await list('')).value;
    expect(first.items.map((c) => c.consignmentId)).toEqual(['CONS-1', 'CONS-2']);
    expect(first.bookmark).not.toBe('');
    const second = (await list(first.bookmark)).value;
    expect(second.items.map((c) => c.consignmentId)).toEqual(['CONS-3']);
    expect(second.bookmark).toBe('');
    expect((await h.evaluate(ids.terminal, 'cargo:ListConsignments', ['CALL-1', '0', ''])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('lets a carrier register too, without an insurer', async () => {
    const input = consignmentInput();
    delete (input as Record<string, unknown>).insurer;
    const r = await register(input, ids.carrier);
    expect(r.ok).toBe(true);
    expect(r.value.insurer).toBeUndefined();
  });

  it.each([
    ['another agent', ids.otherAgent],
    ['a terminal', ids.terminal],
    ['customs', ids.customs],
  ])('refuses %s', async (_name, who) => {
    const r = await register(consignmentInput(), who);
    expect(r.error?.code).toBe('FORBIDDEN');
    expect(r.error?.details.required).toEqual(['PortMSP:carrier']);
  });

  it('refuses a wrong container check digit, naming the container', async () => {
    const r = await register(consignmentInput({ containers: [container(1), 'CSQU3054384'] }));
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.errors).toEqual([
      { path: '/containers/1', message: 'invalid ISO 6346 check digit' },
    ]);
  });

  it.each([
    ['no containers', { containers: [] }, '/containers'],
    ['duplicate containers', { containers: [container(1), container(1)] }, '/containers'],
    ['a bad shipper key', { shipper: 'shipper' }, '/shipper'],
    ['a missing consignee', { consignee: undefined }, '/consignee'],
    ['a non-boolean flag', { dangerous: 'no' }, '/dangerous'],
    [
      'too many containers',
      { containers: Array.from({ length: 201 }, (_, i) => container(i + 10)) },
      '/containers',
    ],
  ])('refuses bad input: %s', async (_name, overrides, path) => {
    const r = await register(JSON.parse(JSON.stringify(consignmentInput(overrides))));
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect((r.error?.details.errors as { path: string }[]).map((e) => e.path)).toContain(path);
  });

  it('refuses a duplicate consignment and a container already on the call', async () => {
    await ok(register());
    expect((await register()).error?.code).toBe('CONFLICT');
    const r = await register(consignmentInput({ consignmentId: 'CONS-2', containers: [container(3)] }));
    expect(r.error?.code).toBe('CONFLICT');
    expect(r.error?.details).toEqual({ objectType: 'container', id: `CALL-1/${container(3)}` });
  });

  it('refuses an unknown call, a cancelled call and a departed one', async () => {
    expect((await register(consignmentInput({ callId: 'CALL-X' }))).error?.code).toBe('NOT_FOUND');
    await ok(h.submit(ids.agent, 'portcall:Cancel', ['CALL-1', 'off']));
    const cancelled = await register();
    expect(cancelled.error?.code).toBe('CONFLICT');
    expect(cancelled.error?.details).toMatchObject({ state: 'CANCELLED' });
  });

  it('refuses registration once the ship is cleared for departure', async () => {
    const h2 = h;
    await working(h2, 'CALL-2');
    await ok(h2.submit(ids.portAuthority, 'portcall:ClearDeparture', ['CALL-2']));
    const r = await register(consignmentInput({ callId: 'CALL-2' }));
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'DEPARTURE_CLEARED' });
  });

  it('refuses queries for unknown ids', async () => {
    expect((await h.evaluate(ids.terminal, 'cargo:GetConsignment', ['CONS-X'])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.evaluate(ids.terminal, 'cargo:ListConsignments', ['CALL-X', '10', ''])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.evaluate(ids.terminal, 'cargo:GetContainer', ['CALL-1', container(1)])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await h.evaluate(ids.terminal, 'cargo:ListContainerEvents', ['CALL-1', container(1)])).error?.code,
    ).toBe('NOT_FOUND');
    expect((await h.evaluate(ids.terminal, 'cargo:GetContainer', ['CALL-1', 'nope'])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('container events', () => {
  beforeEach(async () => {
    await working(h);
    await ok(register());
  });

  it('follows a container from the ship through an inter-terminal move to the gate', async () => {
    const discharged = await event(ids.terminal, 'DISCHARGED', 'HPNT');
    expect(discharged.value).toMatchObject({ status: 'DISCHARGED', location: 'HPNT', eventCount: 1 });
    expect(discharged.event?.envelope.events[0]).toEqual({
      type: 'ContainerDischarged',
      data: {
        callId: 'CALL-1',
        containerNumber: container(1),
        consignmentId: 'CONS-1',
        terminal: 'HPNT',
        status: 'DISCHARGED',
      },
    });
    const moved = await event(ids.trucker, 'MOVED', 'PNIT');
    expect(moved.value).toMatchObject({ status: 'DISCHARGED', location: 'PNIT', eventCount: 2 });
    expect(moved.event?.envelope.events[0].type).toBe('ContainerMoved');
    await surrendered();
    const out = await event(ids.terminal, 'GATE_OUT', 'PNIT');
    expect(out.value).toMatchObject({ status: 'GATED_OUT', eventCount: 3 });
    expect(out.event?.envelope.events[0].type).toBe('ContainerGateOut');
    const history = await h.evaluate<ContainerEvent[]>(ids.agent, 'cargo:ListContainerEvents', [
      'CALL-1',
      container(1),
    ]);
    expect(history.value.map((e) => [e.seq, e.type, e.terminal, e.by])).toEqual([
      [1, 'DISCHARGED', 'HPNT', 'PortMSP/terminal-hpnt'],
      [2, 'MOVED', 'PNIT', 'PortMSP/trucker1'],
      [3, 'GATE_OUT', 'PNIT', 'PortMSP/terminal-hpnt'],
    ]);
    const again = await event(ids.terminal, 'MOVED', 'HPNT');
    expect(again.error?.code).toBe('FAILED_PRECONDITION');
    expect(again.error?.details).toMatchObject({ state: 'GATED_OUT', final: true });
  });

  it('refuses the gate out until the bill of lading is surrendered', async () => {
    await ok(event(ids.terminal, 'DISCHARGED', 'HPNT'));
    let r = await event(ids.terminal, 'GATE_OUT', 'HPNT');
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toEqual({
      state: 'NONE',
      reason: 'BL_NOT_SURRENDERED',
      consignmentId: 'CONS-1',
    });
    await ok(
      h.submit(ids.carrier, 'bl:DraftBillOfLading', [
        { blNumber: 'BL-1', consignmentId: 'CONS-1', documentHash: HASH },
      ]),
    );
    await ok(h.submit<BillOfLading>(ids.carrier, 'bl:IssueBillOfLading', ['BL-1']));
    r = await event(ids.terminal, 'GATE_OUT', 'HPNT');
    expect(r.error?.details).toMatchObject({ state: 'ISSUED', reason: 'BL_NOT_SURRENDERED' });
  });

  it('refuses the wrong roles', async () => {
    const trucker = await event(ids.trucker, 'DISCHARGED', 'HPNT');
    expect(trucker.error?.code).toBe('FORBIDDEN');
    expect(trucker.error?.details.required).toEqual(['PortMSP:terminal']);
    expect((await event(ids.agent, 'DISCHARGED', 'HPNT')).error?.code).toBe('FORBIDDEN');
    await ok(event(ids.terminal, 'DISCHARGED', 'HPNT'));
    expect((await event(ids.trucker, 'GATE_OUT', 'HPNT')).error?.code).toBe('FORBIDDEN');
    expect((await event(ids.customs, 'MOVED', 'PNIT')).error?.code).toBe('FORBIDDEN');
  });

  it('refuses a move or gate out before discharge, and a move to the same terminal', async () => {
    const r = await event(ids.terminal, 'MOVED', 'PNIT');
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'ON_BOARD', to: 'DISCHARGED', action: 'MOVED' });
    expect((await event(ids.terminal, 'GATE_OUT', 'HPNT')).error?.details).toMatchObject({
      state: 'ON_BOARD',
      action: 'GATE_OUT',
    });
    await ok(event(ids.terminal, 'DISCHARGED', 'HPNT'));
    const same = await event(ids.trucker, 'MOVED', 'HPNT');
    expect(same.error?.code).toBe('INVALID_ARGUMENT');
    expect(same.error?.details.errors).toEqual([
      { path: '/terminal', message: 'same as the current location' },
    ]);
  });

  it('refuses bad input and unknown containers', async () => {
    expect((await event(ids.terminal, 'LOST', 'HPNT')).error?.code).toBe('INVALID_ARGUMENT');
    expect((await event(ids.terminal, 'DISCHARGED', 'bad terminal')).error?.code).toBe('INVALID_ARGUMENT');
    expect((await event(ids.terminal, 'DISCHARGED', 'HPNT', container(99))).error?.code).toBe('NOT_FOUND');
  });
});

describe('discharge needs cargo operations', () => {
  it('refuses a discharge before the ship is working', async () => {
    await announced(h);
    await ok(register());
    const r = await event(ids.terminal, 'DISCHARGED', 'HPNT');
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'ANNOUNCED', allowed: ['WORKING'] });
  });
});
