import {
  endorsersRequiredFor,
  identity,
  MemoryStub,
  type ContractHarness,
} from '@cityledger/chaincode-common';
import {
  ETA,
  ETD,
  announceInput,
  announced,
  approveAll,
  cleared,
  consignmentInput,
  container,
  declared,
  fal1,
  fal2,
  fal5,
  fal6,
  fal7,
  ids,
  newHarness,
  ok,
  permitted,
  submitDoc,
  working,
} from './logistics.fixtures';
import type { AccessGrant, PortCall, TimeEntry } from './model';

let h: ContractHarness;
beforeEach(() => {
  h = newHarness();
});

const get = async (callId = 'CALL-1') =>
  (await h.evaluate<PortCall>(ids.agent, 'portcall:GetPortCall', [callId])).value;
const eventTypes = (r: { event?: { envelope: { events: { type: string }[] } } }) =>
  r.event?.envelope.events.map((e) => e.type);

describe('Announce', () => {
  it('creates the call with its estimated times and protects its key with CityMSP + PortMSP endorsement', async () => {
    const r = await h.submit<PortCall>(ids.agent, 'portcall:Announce', [announceInput()]);
    expect(r.ok).toBe(true);
    expect(r.committed).toBe(true);
    expect(r.value).toMatchObject({
      callId: 'CALL-1',
      status: 'ANNOUNCED',
      agent: 'PortMSP/agent1',
      imo: 'IMO9074729',
    });
    expect(r.value.times.ARRIVAL.ESTIMATED).toMatchObject({ time: ETA, version: 1 });
    expect(r.value.times.DEPARTURE.ESTIMATED).toMatchObject({ time: ETD, version: 1 });
    expect(r.event?.name).toBe('portcall.Announce');
    expect(r.event?.envelope.events[0]).toEqual({
      type: 'PortCallAnnounced',
      data: { callId: 'CALL-1', imo: 'IMO9074729', portOfCall: 'KRPUS', eta: ETA, status: 'ANNOUNCED' },
    });
    const stub = new MemoryStub(h.ledger, {} as never).asStub();
    const key = stub.createCompositeKey('portcall', ['CALL-1']);
    expect(await endorsersRequiredFor({ stub } as never, key)).toEqual(['CityMSP', 'PortMSP']);
  });

  it('accepts an announcement without ETD', async () => {
    const r = await h.submit<PortCall>(ids.agent, 'portcall:Announce', [
      announceInput('CALL-1', { etd: undefined }),
    ]);
    expect(r.ok).toBe(true);
    expect(r.value.times.DEPARTURE).toBeUndefined();
  });

  it('refuses an ETA less than 24 h ahead', async () => {
    const r = await h.submit(ids.agent, 'portcall:Announce', [
      announceInput('CALL-1', { eta: '2026-06-01T23:59:00.000Z' }),
    ]);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details).toMatchObject({ reason: 'ETA_TOO_SOON', earliest: '2026-06-02T00:00:00.000Z' });
  });

  it('accepts an ETA exactly 24 h ahead', async () => {
    const r = await h.submit(ids.agent, 'portcall:Announce', [
      announceInput('CALL-1', { eta: '2026-06-02T00:00:00.000Z', etd: undefined }),
    ]);
    expect(r.ok).toBe(true);
  });

  it('refuses an ETD not after the ETA', async () => {
    const r = await h.submit(ids.agent, 'portcall:Announce', [announceInput('CALL-1', { etd: ETA })]);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.errors).toEqual([{ path: '/etd', message: 'must be after eta' }]);
  });

  it('refuses an impossible date', async () => {
    const r = await h.submit(ids.agent, 'portcall:Announce', [
      announceInput('CALL-1', { eta: '2026-13-45T00:00:00Z' }),
    ]);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a wrong IMO check digit', async () => {
    const r = await h.submit(ids.agent, 'portcall:Announce', [
      announceInput('CALL-1', { imo: 'IMO9074728' }),
    ]);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.errors).toEqual([{ path: '/imo', message: 'invalid IMO check digit' }]);
  });

  it.each([
    ['missing field', { vesselName: undefined }, '/vesselName'],
    ['wrong type', { vesselName: 42 }, '/vesselName'],
    ['oversize name', { vesselName: 'x'.repeat(101) }, '/vesselName'],
    ['bad LOCODE', { portOfCall: 'busan' }, '/portOfCall'],
    ['bad IMO shape', { imo: '9074729' }, '/imo'],
    ['unknown field', { flag: 'KR' }, '/flag'],
    ['bad time', { eta: 'tomorrow' }, '/eta'],
  ])('refuses bad input: %s', async (_name, overrides, path) => {
    const input = { ...announceInput(), ...overrides };
    const r = await h.submit(ids.agent, 'portcall:Announce', [JSON.parse(JSON.stringify(input))]);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe('input');
    expect((r.error?.details.errors as { path: string }[]).map((e) => e.path)).toContain(path);
  });

  it('refuses an oversize argument before parsing it', async () => {
    const r = await h.submit(ids.agent, 'portcall:Announce', ['{"x":"' + 'a'.repeat(70 * 1024) + '"}']);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details).toMatchObject({ input: 'input', limit: 65536 });
  });

  it('refuses a duplicate call id', async () => {
    await announced(h);
    const r = await h.submit(ids.agent, 'portcall:Announce', [announceInput()]);
    expect(r.error?.code).toBe('CONFLICT');
  });

  it.each([
    ['a terminal', ids.terminal],
    ['a City certificate', ids.customs],
    ['a certificate without role', ids.noRole],
  ])('refuses %s', async (_name, who) => {
    const r = await h.submit(who, 'portcall:Announce', [announceInput()]);
    expect(r.error?.code).toBe('FORBIDDEN');
    expect(r.error?.details.required).toEqual(['PortMSP:agent']);
  });
});

describe('documents and declaration', () => {
  beforeEach(async () => {
    await announced(h);
  });

  it('keeps the hash, a non-personal summary and the readers of a form, never its content', async () => {
    const r = await submitDoc(h, 'CALL-1', 'FAL5', fal5(3));
    expect(r.ok).toBe(true);
    const doc = r.value.documents.FAL5;
    expect(doc).toMatchObject({
      docType: 'FAL5',
      version: 1,
      summary: { crewCount: 3 },
      submittedBy: 'PortMSP/agent1',
    });
    expect(doc.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.readers).toEqual([
      'CityMSP:immigration',
      'CityMSP:quarantine',
      'PortMSP:port-authority',
      'agent',
    ]);
    expect(eventTypes(r)).toEqual(['DocumentSubmitted']);
    const stored = [...h.ledger.state.values()].map((v) => Buffer.from(v).toString('utf8')).join('\n');
    expect(stored).not.toContain('Lee0');
    expect(stored).not.toContain('SB1');
  });

  it('versions a replaced draft and refuses an unchanged one', async () => {
    await ok(submitDoc(h, 'CALL-1', 'FAL1', fal1()));
    const r = await submitDoc(h, 'CALL-1', 'FAL1', fal1({ crewCount: 3 }));
    expect(r.value.documents.FAL1.version).toBe(2);
    expect(r.value.status).toBe('ANNOUNCED');
    const again = await submitDoc(h, 'CALL-1', 'FAL1', fal1({ crewCount: 3 }));
    expect(again.error?.code).toBe('CONFLICT');
    expect(again.error?.details).toEqual({ docType: 'FAL1', version: 2 });
  });

  it('refuses a form of another ship', async () => {
    const r = await submitDoc(h, 'CALL-1', 'FAL5', { ...fal5(), imo: 'IMO9176187' });
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details).toMatchObject({
      input: 'transient',
      errors: [{ path: '/imo', message: 'expected IMO9074729' }],
    });
  });

  it.each([
    [
      'a crew member without a name',
      'FAL5',
      { imo: 'IMO9074729', crew: [{ givenNames: 'x' }] },
      '/crew/0/familyName',
    ],
    ['an empty crew list', 'FAL5', { imo: 'IMO9074729', crew: [] }, '/crew'],
    [
      'a bad UN number',
      'FAL7',
      { ...fal7(), items: [{ ...fal7().items[0], unNumber: '3480' }] },
      '/items/0/unNumber',
    ],
    [
      'a bad container number',
      'FAL2',
      { ...fal2(), items: [{ ...fal2().items[0], containers: ['X'] }] },
      '/items/0/containers/0',
    ],
    ['negative tonnage', 'FAL1', fal1({ grossTonnage: -1 }), '/grossTonnage'],
    [
      'a passenger with an extra field',
      'FAL6',
      { imo: 'IMO9074729', passengers: [{ ...fal6().passengers[0], religion: 'x' }] },
      '/passengers/0/religion',
    ],
  ])('refuses %s', async (_name, docType, document, path) => {
    const r = await submitDoc(h, 'CALL-1', docType as never, document);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe('transient');
    expect((r.error?.details.errors as { path: string }[]).map((e) => e.path)).toContain(path);
  });

  it('refuses a missing document in the transient map', async () => {
    const r = await h.submit(ids.agent, 'portcall:SubmitDocument', ['CALL-1', 'FAL1']);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe('transient');
  });

  it('refuses an unknown document type', async () => {
    const r = await submitDoc(h, 'CALL-1', 'FAL9' as never, fal1());
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe('docType');
  });

  it('refuses an unknown call', async () => {
    const r = await submitDoc(h, 'CALL-X', 'FAL1', fal1());
    expect(r.error?.code).toBe('NOT_FOUND');
    expect(r.error?.details).toEqual({ objectType: 'portcall', id: 'CALL-X' });
  });

  it('refuses anyone but the agent of the call', async () => {
    for (const who of [ids.otherAgent, ids.portAuthority, ids.customs]) {
      const r = await submitDoc(h, 'CALL-1', 'FAL1', fal1(), who);
      expect(r.error?.code).toBe('FORBIDDEN');
      expect(r.error?.details.required).toEqual(['agent']);
    }
  });

  it.each([
    ['nothing', [], ['FAL1', 'FAL2', 'FAL5']],
    ['no crew list', ['FAL1', 'FAL2'], ['FAL5']],
    ['no cargo declaration', ['FAL1', 'FAL5'], ['FAL2']],
    ['no general declaration', ['FAL2', 'FAL5'], ['FAL1']],
  ])('refuses to declare with %s', async (_name, present, missing) => {
    const docs: Record<string, unknown> = { FAL1: fal1(), FAL2: fal2(), FAL5: fal5() };
    for (const t of present) await ok(submitDoc(h, 'CALL-1', t as never, docs[t]));
    const r = await h.submit(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ reason: 'DOCUMENTS_INCOMPLETE', missing, state: 'ANNOUNCED' });
  });

  it('requires the passenger list when passengers are on board, with the same count', async () => {
    await ok(submitDoc(h, 'CALL-1', 'FAL1', fal1({ passengerCount: 2 })));
    await ok(submitDoc(h, 'CALL-1', 'FAL2', fal2()));
    await ok(submitDoc(h, 'CALL-1', 'FAL5', fal5()));
    let r = await h.submit(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.error?.details).toMatchObject({ reason: 'DOCUMENTS_INCOMPLETE', missing: ['FAL6'] });
    await ok(submitDoc(h, 'CALL-1', 'FAL6', fal6(1)));
    r = await h.submit(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.error?.details).toMatchObject({
      missing: [],
      mismatches: ['FAL6.passengerCount 1 != FAL1.passengerCount 2'],
    });
    await ok(submitDoc(h, 'CALL-1', 'FAL6', fal6(2)));
    r = await h.submit(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.ok).toBe(true);
  });

  it('requires the dangerous goods manifest when the cargo declares dangerous goods', async () => {
    await ok(submitDoc(h, 'CALL-1', 'FAL1', fal1()));
    await ok(submitDoc(h, 'CALL-1', 'FAL2', fal2({}, true)));
    await ok(submitDoc(h, 'CALL-1', 'FAL5', fal5()));
    let r = await h.submit(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.error?.details).toMatchObject({ missing: ['FAL7'] });
    await ok(submitDoc(h, 'CALL-1', 'FAL7', fal7()));
    r = await h.submit<PortCall>(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.ok).toBe(true);
  });

  it('refuses a crew list that disagrees with the general declaration', async () => {
    await ok(submitDoc(h, 'CALL-1', 'FAL1', fal1({ crewCount: 3 })));
    await ok(submitDoc(h, 'CALL-1', 'FAL2', fal2()));
    await ok(submitDoc(h, 'CALL-1', 'FAL5', fal5(2)));
    const r = await h.submit(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.error?.details).toMatchObject({ mismatches: ['FAL5.crewCount 2 != FAL1.crewCount 3'] });
  });

  it('declares once, by the agent only', async () => {
    await ok(submitDoc(h, 'CALL-1', 'FAL1', fal1()));
    await ok(submitDoc(h, 'CALL-1', 'FAL2', fal2()));
    await ok(submitDoc(h, 'CALL-1', 'FAL5', fal5()));
    const forbidden = await h.submit(ids.portAuthority, 'portcall:Declare', ['CALL-1']);
    expect(forbidden.error?.code).toBe('FORBIDDEN');
    const r = await h.submit<PortCall>(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(r.value.status).toBe('DECLARED');
    expect(eventTypes(r)).toEqual(['PortCallDeclared']);
    const again = await h.submit(ids.agent, 'portcall:Declare', ['CALL-1']);
    expect(again.error?.code).toBe('FAILED_PRECONDITION');
    expect(again.error?.details).toMatchObject({ state: 'DECLARED', to: 'DECLARED' });
  });

  it('lets the agent amend a form after declaring without leaving DECLARED', async () => {
    await ok(submitDoc(h, 'CALL-1', 'FAL1', fal1()));
    await ok(submitDoc(h, 'CALL-1', 'FAL2', fal2()));
    await ok(submitDoc(h, 'CALL-1', 'FAL5', fal5()));
    await ok(h.submit(ids.agent, 'portcall:Declare', ['CALL-1']));
    const r = await submitDoc(h, 'CALL-1', 'FAL2', fal2({ portOfLoading: 'CNNGB' }));
    expect(r.value).toMatchObject({ status: 'DECLARED' });
    expect(r.value.documents.FAL2.version).toBe(2);
  });
});

describe('clearance', () => {
  beforeEach(async () => {
    await declared(h);
  });

  it('moves to UNDER_REVIEW on the first approval and to CLEARED on the last', async () => {
    const first = await h.submit<PortCall>(ids.customs, 'portcall:Approve', ['CALL-1']);
    expect(first.value.status).toBe('UNDER_REVIEW');
    expect(first.value.approvals.customs).toMatchObject({
      authority: 'customs',
      by: 'CityMSP/customs1',
      documents: { FAL1: 1, FAL2: 1, FAL5: 1 },
    });
    expect(eventTypes(first)).toEqual(['AuthorityApproved', 'PortCallUnderReview']);
    await ok(h.submit(ids.immigration, 'portcall:Approve', ['CALL-1']));
    await ok(h.submit(ids.quarantine, 'portcall:Approve', ['CALL-1']));
    const last = await h.submit<PortCall>(ids.portAuthority, 'portcall:Approve', ['CALL-1']);
    expect(last.value.status).toBe('CLEARED');
    expect(Object.keys(last.value.approvals).sort()).toEqual([
      'customs',
      'immigration',
      'port-authority',
      'quarantine',
    ]);
    expect(eventTypes(last)).toEqual(['AuthorityApproved', 'PortCallCleared']);
  });

  it('refuses a second approval by the same authority', async () => {
    await ok(h.submit(ids.customs, 'portcall:Approve', ['CALL-1']));
    const r = await h.submit(ids.customs, 'portcall:Approve', ['CALL-1']);
    expect(r.error?.code).toBe('CONFLICT');
    expect(r.error?.details).toEqual({ authority: 'customs', state: 'UNDER_REVIEW' });
  });

  it.each([
    ['the agent', ids.agent],
    ['a terminal', ids.terminal],
    ['a PortMSP certificate claiming customs', ids.fakeCustoms],
    ['an insurer', ids.insurer],
    ['a resident', ids.resident],
  ])('refuses an approval by %s', async (_name, who) => {
    const r = await h.submit(who, 'portcall:Approve', ['CALL-1']);
    expect(r.error?.code).toBe('FORBIDDEN');
    expect(r.error?.details.required).toEqual([
      'CityMSP:customs',
      'CityMSP:immigration',
      'CityMSP:quarantine',
      'PortMSP:port-authority',
    ]);
  });

  it('refuses approvals before the declaration', async () => {
    await announced(h, 'CALL-2');
    const r = await h.submit(ids.customs, 'portcall:Approve', ['CALL-2']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'ANNOUNCED' });
  });

  it.each(['customs', 'immigration', 'quarantine', 'port-authority'])(
    'refuses the permit while %s has not approved',
    async (missing) => {
      await approveAll(h, 'CALL-1', [missing]);
      const r = await h.submit(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1']);
      expect(r.error?.code).toBe('FAILED_PRECONDITION');
      expect(r.error?.details).toMatchObject({ state: 'UNDER_REVIEW', to: 'PERMIT_ISSUED' });
      expect((await get()).approvals[missing]).toBeUndefined();
    },
  );

  it('lets any authority reject, finally', async () => {
    await ok(h.submit(ids.customs, 'portcall:Approve', ['CALL-1']));
    const r = await h.submit<PortCall>(ids.quarantine, 'portcall:Reject', ['CALL-1', 'rats on board']);
    expect(r.value.status).toBe('REJECTED');
    expect(r.value.rejection).toMatchObject({
      authority: 'quarantine',
      by: 'CityMSP/quarantine1',
      reason: 'rats on board',
    });
    expect(eventTypes(r)).toEqual(['PortCallRejected']);
    for (const [who, fn] of [
      [ids.immigration, 'portcall:Approve'],
      [ids.portAuthority, 'portcall:IssuePermit'],
    ] as const) {
      const after = await h.submit(who, fn, ['CALL-1']);
      expect(after.error?.code).toBe('FAILED_PRECONDITION');
      expect(after.error?.details).toMatchObject({ state: 'REJECTED', final: true });
    }
  });

  it.each(['customs', 'immigration', 'quarantine', 'port-authority'])(
    'lets %s reject on its own',
    async (authority) => {
      const who = {
        customs: ids.customs,
        immigration: ids.immigration,
        quarantine: ids.quarantine,
        'port-authority': ids.portAuthority,
      }[authority] as typeof ids.agent;
      const r = await h.submit<PortCall>(who, 'portcall:Reject', ['CALL-1', 'incomplete manifest']);
      expect(r.value.status).toBe('REJECTED');
      expect(r.value.rejection?.authority).toBe(authority);
    },
  );

  it.each([
    ['immigration', identity('PortMSP', 'fake-imm', { role: 'immigration' })],
    ['quarantine', identity('InsurerMSP', 'fake-q', { role: 'quarantine' })],
    ['port-authority', identity('CityMSP', 'fake-pa', { role: 'port-authority' })],
  ])('ignores %s claimed under the wrong organisation', async (_authority, who) => {
    expect((await h.submit(who, 'portcall:Approve', ['CALL-1'])).error?.code).toBe('FORBIDDEN');
    expect((await h.submit(who, 'portcall:Reject', ['CALL-1', 'x'])).error?.code).toBe('FORBIDDEN');
  });

  it('refuses a rejection after the permit', async () => {
    await approveAll(h, 'CALL-1');
    await ok(h.submit(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1']));
    const r = await h.submit(ids.customs, 'portcall:Reject', ['CALL-1', 'late']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'PERMIT_ISSUED', to: 'REJECTED' });
  });

  it('refuses a rejection by a non-authority and an oversize reason', async () => {
    expect((await h.submit(ids.agent, 'portcall:Reject', ['CALL-1', 'no'])).error?.code).toBe('FORBIDDEN');
    const r = await h.submit(ids.customs, 'portcall:Reject', ['CALL-1', 'x'.repeat(257)]);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe('reason');
  });

  it('issues the permit once every authority approved, by the port authority only', async () => {
    await approveAll(h, 'CALL-1');
    const agentTry = await h.submit(ids.agent, 'portcall:IssuePermit', ['CALL-1']);
    expect(agentTry.error?.code).toBe('FORBIDDEN');
    expect(agentTry.error?.details.required).toEqual(['PortMSP:port-authority']);
    const customsTry = await h.submit(ids.customs, 'portcall:IssuePermit', ['CALL-1']);
    expect(customsTry.error?.code).toBe('FORBIDDEN');
    const r = await h.submit<PortCall>(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1'], {
      txId: 'tx-permit-1',
    });
    expect(r.committed).toBe(true);
    expect(r.value.status).toBe('PERMIT_ISSUED');
    expect(r.value.permit).toEqual({
      permitId: 'tx-permit-1',
      issuedAt: '2026-06-01T00:00:00.000Z',
      issuedBy: 'PortMSP/harbour-master',
    });
    expect(r.event?.envelope.events).toEqual([
      { type: 'PermitIssued', data: { callId: 'CALL-1', status: 'PERMIT_ISSUED', permitId: 'tx-permit-1' } },
    ]);
  });
});

describe('key-level endorsement of the port call', () => {
  it('invalidates a permit endorsed without a CityMSP peer, although the code accepted it', async () => {
    await cleared(h);
    const r = await h.submit<PortCall>(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1'], {
      endorsers: ['PortMSP', 'InsurerMSP'],
    });
    expect(r.ok).toBe(true);
    expect(r.committed).toBe(false);
    expect(r.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
    expect((await get()).status).toBe('CLEARED');
  });

  it('invalidates an approval endorsed without a PortMSP peer', async () => {
    await declared(h);
    const r = await h.submit(ids.customs, 'portcall:Approve', ['CALL-1'], {
      endorsers: ['CityMSP', 'HospitalMSP'],
    });
    expect(r.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
    expect((await get()).approvals).toEqual({});
  });

  it('commits with CityMSP and PortMSP endorsers only', async () => {
    await cleared(h);
    const r = await h.submit(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1'], {
      endorsers: ['CityMSP', 'PortMSP'],
    });
    expect(r.committed).toBe(true);
  });

  it('lets the announcement itself commit under the chaincode policy (the key is new)', async () => {
    const r = await h.submit(ids.agent, 'portcall:Announce', [announceInput()], {
      endorsers: ['PortMSP', 'InsurerMSP'],
    });
    expect(r.committed).toBe(true);
  });
});

describe('amendments restart the review of the authorities concerned', () => {
  it('withdraws only the crew-list reviewers on a FAL 5 amendment', async () => {
    await cleared(h);
    const r = await submitDoc(h, 'CALL-1', 'FAL5', {
      ...fal5(),
      crew: fal5().crew.map((c) => ({ ...c, rank: 'Cook' })),
    });
    expect(r.value.status).toBe('UNDER_REVIEW');
    expect(Object.keys(r.value.approvals).sort()).toEqual(['customs', 'port-authority']);
    expect(r.event?.envelope.events.map((e) => e.type)).toEqual(['DocumentSubmitted', 'ReviewRestarted']);
    expect(r.event?.envelope.events[1].data).toEqual({
      callId: 'CALL-1',
      docType: 'FAL5',
      authorities: ['immigration', 'quarantine'],
    });
    await ok(h.submit(ids.immigration, 'portcall:Approve', ['CALL-1']));
    const again = await h.submit<PortCall>(ids.quarantine, 'portcall:Approve', ['CALL-1']);
    expect(again.value.status).toBe('CLEARED');
    expect(again.value.approvals.quarantine.documents.FAL5).toBe(2);
  });

  it('withdraws the permit when a form is amended after it was issued', async () => {
    await permitted(h);
    const r = await submitDoc(h, 'CALL-1', 'FAL1', fal1({ cargoBrief: 'containers and reefers' }));
    expect(r.value.status).toBe('UNDER_REVIEW');
    expect(r.value.permit).toBeUndefined();
    expect(r.value.approvals).toEqual({});
    expect(eventTypes(r)).toEqual(['DocumentSubmitted', 'ReviewRestarted', 'PermitWithdrawn']);
  });

  it('lets no authority amend a form, and nobody once the ship has arrived', async () => {
    await declared(h);
    await ok(h.submit(ids.customs, 'portcall:Approve', ['CALL-1']));
    const byAuthority = await submitDoc(h, 'CALL-1', 'FAL2', fal2({ portOfLoading: 'CNNGB' }), ids.customs);
    expect(byAuthority.error?.code).toBe('FORBIDDEN');
    expect(byAuthority.error?.details.required).toEqual(['agent']);
    await approveAll(h, 'CALL-1', ['customs']);
    await ok(h.submit(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1']));
    h.setTime('2026-06-03T12:00:00.000Z');
    await ok(h.submit(ids.portAuthority, 'portcall:Arrive', ['CALL-1', '2026-06-03T06:10:00.000Z']));
    const late = await submitDoc(h, 'CALL-1', 'FAL2', fal2({ portOfLoading: 'CNNGB' }));
    expect(late.error?.code).toBe('FAILED_PRECONDITION');
    expect(late.error?.details).toMatchObject({ state: 'ARRIVED' });
  });

  it('does not restart anything for a form nobody approved yet', async () => {
    await declared(h);
    const r = await submitDoc(h, 'CALL-1', 'FAL7', fal7());
    expect(eventTypes(r)).toEqual(['DocumentSubmitted']);
  });

  it('refuses a permit on documents made incomplete by an amendment', async () => {
    await declared(h);
    await ok(submitDoc(h, 'CALL-1', 'FAL1', fal1({ passengerCount: 1 })));
    await approveAll(h, 'CALL-1');
    expect((await get()).status).toBe('CLEARED');
    const r = await h.submit(ids.portAuthority, 'portcall:IssuePermit', ['CALL-1']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ reason: 'DOCUMENTS_INCOMPLETE', missing: ['FAL6'] });
  });
});

describe('from arrival to departure', () => {
  it('runs the whole call and records each actual time once', async () => {
    await permitted(h);
    h.setTime('2026-06-03T12:00:00.000Z');
    const steps: [typeof ids.agent, string, string[], string, string][] = [
      [
        ids.portAuthority,
        'portcall:Arrive',
        ['CALL-1', '2026-06-03T06:10:00.000Z'],
        'ARRIVED',
        'ShipArrived',
      ],
      [ids.terminal, 'portcall:Berth', ['CALL-1', '2026-06-03T08:00:00.000Z'], 'BERTHED', 'ShipBerthed'],
      [
        ids.terminal,
        'portcall:StartWork',
        ['CALL-1', '2026-06-03T09:00:00.000Z'],
        'WORKING',
        'CargoOperationsStarted',
      ],
      [ids.portAuthority, 'portcall:ClearDeparture', ['CALL-1'], 'DEPARTURE_CLEARED', 'DepartureCleared'],
      [
        ids.portAuthority,
        'portcall:Depart',
        ['CALL-1', '2026-06-03T11:30:00.000Z'],
        'DEPARTED',
        'ShipDeparted',
      ],
    ];
    for (const [who, fn, args, status, event] of steps) {
      const r = await h.submit<PortCall>(who, fn, args);
      expect(r.error).toBeUndefined();
      expect(r.value.status).toBe(status);
      expect(eventTypes(r)).toEqual([event]);
    }
    const call = await get();
    expect(call.times.ARRIVAL.ACTUAL).toMatchObject({
      time: '2026-06-03T06:10:00.000Z',
      version: 1,
      recordedBy: 'PortMSP/harbour-master',
    });
    expect(call.times.DEPARTURE.ACTUAL.time).toBe('2026-06-03T11:30:00.000Z');
    const after = await h.submit(ids.portAuthority, 'portcall:Cancel', ['CALL-1', 'too late']);
    expect(after.error?.code).toBe('FAILED_PRECONDITION');
    expect(after.error?.details).toMatchObject({ state: 'DEPARTED', final: true });
  });

  it('lets the ship clear departure straight from the berth', async () => {
    await permitted(h);
    h.setTime('2026-06-03T12:00:00.000Z');
    await ok(h.submit(ids.portAuthority, 'portcall:Arrive', ['CALL-1', '2026-06-03T06:10:00.000Z']));
    await ok(h.submit(ids.portAuthority, 'portcall:Berth', ['CALL-1', '2026-06-03T08:00:00.000Z']));
    const r = await h.submit<PortCall>(ids.portAuthority, 'portcall:ClearDeparture', ['CALL-1']);
    expect(r.value.status).toBe('DEPARTURE_CLEARED');
  });

  it('refuses arrival before the permit', async () => {
    await cleared(h);
    const r = await h.submit(ids.portAuthority, 'portcall:Arrive', ['CALL-1', '2026-06-01T00:00:00.000Z']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'CLEARED', to: 'ARRIVED' });
  });

  it.each([
    ['Arrive', ids.terminal, 'PERMIT_ISSUED'],
    ['Arrive', ids.agent, 'PERMIT_ISSUED'],
  ])('refuses %s by the wrong role', async (fn, who) => {
    await permitted(h);
    const r = await h.submit(who, `portcall:${fn}`, ['CALL-1', '2026-06-01T00:00:00.000Z']);
    expect(r.error?.code).toBe('FORBIDDEN');
  });

  it('refuses role mistakes later in the call', async () => {
    await working(h);
    expect((await h.submit(ids.terminal, 'portcall:ClearDeparture', ['CALL-1'])).error?.code).toBe(
      'FORBIDDEN',
    );
    await ok(h.submit(ids.portAuthority, 'portcall:ClearDeparture', ['CALL-1']));
    expect(
      (await h.submit(ids.terminal, 'portcall:Depart', ['CALL-1', '2026-06-03T11:00:00.000Z'])).error?.code,
    ).toBe('FORBIDDEN');
  });

  it('refuses StartWork by the port authority', async () => {
    await permitted(h);
    h.setTime('2026-06-03T12:00:00.000Z');
    await ok(h.submit(ids.portAuthority, 'portcall:Arrive', ['CALL-1', '2026-06-03T06:10:00.000Z']));
    await ok(h.submit(ids.portAuthority, 'portcall:Berth', ['CALL-1', '2026-06-03T08:00:00.000Z']));
    const r = await h.submit(ids.portAuthority, 'portcall:StartWork', ['CALL-1', '2026-06-03T09:00:00.000Z']);
    expect(r.error?.code).toBe('FORBIDDEN');
    expect(r.error?.details.required).toEqual(['PortMSP:terminal']);
  });

  it.each([
    ['Arrive', ['CALL-1', 'yesterday'], 'time'],
    ['Arrive', ['CALL-1', '2026-06-01T00:00:00+09:00'], 'time'],
    ['Arrive', ['bad id!', '2026-06-01T00:00:00Z'], 'callId'],
    ['Cancel', ['CALL-1', 'x'.repeat(257)], 'reason'],
    ['ClearDeparture', ['c'.repeat(129)], 'callId'],
  ])('refuses bad input to %s', async (fn, args, input) => {
    await permitted(h);
    const r = await h.submit(ids.portAuthority, `portcall:${fn}`, args);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe(input);
  });

  it('refuses an actual time in the future or out of order', async () => {
    await permitted(h);
    const future = await h.submit(ids.portAuthority, 'portcall:Arrive', [
      'CALL-1',
      '2026-06-01T00:00:01.000Z',
    ]);
    expect(future.error?.code).toBe('INVALID_ARGUMENT');
    expect(future.error?.details.input).toBe('time');
    h.setTime('2026-06-03T12:00:00.000Z');
    await ok(h.submit(ids.portAuthority, 'portcall:Arrive', ['CALL-1', '2026-06-03T06:10:00.000Z']));
    const early = await h.submit(ids.terminal, 'portcall:Berth', ['CALL-1', '2026-06-03T06:00:00.000Z']);
    expect(early.error?.code).toBe('INVALID_ARGUMENT');
    expect(early.error?.details.errors).toEqual([
      { path: '', message: 'before ARRIVAL 2026-06-03T06:10:00.000Z' },
    ]);
  });
});

describe('timestamps', () => {
  beforeEach(async () => {
    await announced(h);
  });

  const record = (who: typeof ids.agent, event: string, classifier: string, time: string) =>
    h.submit<TimeEntry>(who, 'portcall:RecordTime', ['CALL-1', { event, classifier, time }]);

  it('versions estimated, requested and planned times and keeps their history', async () => {
    const eta2 = await record(ids.agent, 'ARRIVAL', 'ESTIMATED', '2026-06-03T08:00:00.000Z');
    expect(eta2.value).toMatchObject({ version: 2, classifier: 'ESTIMATED', recordedBy: 'PortMSP/agent1' });
    expect(eventTypes(eta2)).toEqual(['TimeRecorded']);
    expect(
      (await record(ids.carrier, 'ARRIVAL', 'ESTIMATED', '2026-06-03T09:00:00.000Z')).value.version,
    ).toBe(3);
    expect((await record(ids.agent, 'BERTHING', 'REQUESTED', '2026-06-03T10:00:00.000Z')).value.version).toBe(
      1,
    );
    expect(
      (await record(ids.portAuthority, 'BERTHING', 'PLANNED', '2026-06-03T11:00:00.000Z')).value.version,
    ).toBe(1);
    expect(
      (await record(ids.terminal, 'BERTHING', 'PLANNED', '2026-06-03T12:00:00.000Z')).value.version,
    ).toBe(2);
    const call = await get();
    expect(call.times.ARRIVAL.ESTIMATED).toMatchObject({ time: '2026-06-03T09:00:00.000Z', version: 3 });
    expect(call.times.BERTHING.PLANNED.time).toBe('2026-06-03T12:00:00.000Z');
    const history = await h.evaluate<TimeEntry[]>(ids.terminal, 'portcall:GetTimeHistory', [
      'CALL-1',
      'ARRIVAL',
    ]);
    expect(history.value.map((e) => [e.classifier, e.version, e.time])).toEqual([
      ['ESTIMATED', 1, ETA],
      ['ESTIMATED', 2, '2026-06-03T08:00:00.000Z'],
      ['ESTIMATED', 3, '2026-06-03T09:00:00.000Z'],
    ]);
  });

  it.each([
    ['ESTIMATED', ids.terminal],
    ['REQUESTED', ids.carrier],
    ['PLANNED', ids.agent],
    ['ACTUAL', ids.agent],
    ['ESTIMATED', ids.otherAgent],
  ])('refuses %s times from the wrong party', async (classifier, who) => {
    const r = await record(who, 'ARRIVAL', classifier, '2026-06-03T08:00:00.000Z');
    expect(r.error?.code).toBe('FORBIDDEN');
  });

  it('leaves actual arrival, berthing, cargo start and departure to their transitions', async () => {
    for (const event of ['ARRIVAL', 'BERTHING', 'CARGO_OPS_START', 'DEPARTURE']) {
      const r = await record(ids.portAuthority, event, 'ACTUAL', '2026-05-31T00:00:00.000Z');
      expect(r.error?.code).toBe('FAILED_PRECONDITION');
      expect(r.error?.details).toMatchObject({ reason: 'RECORDED_BY_TRANSITION', event });
    }
  });

  it('refuses the end of cargo operations before they started', async () => {
    const r = await record(ids.terminal, 'CARGO_OPS_END', 'ACTUAL', '2026-05-31T00:00:00.000Z');
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'ANNOUNCED', event: 'CARGO_OPS_END' });
  });

  it.each([
    ['unknown event', { event: 'LUNCH', classifier: 'ESTIMATED', time: ETA }, '/event'],
    ['unknown classifier', { event: 'ARRIVAL', classifier: 'GUESSED', time: ETA }, '/classifier'],
    ['missing time', { event: 'ARRIVAL', classifier: 'ESTIMATED' }, '/time'],
    ['local time', { event: 'ARRIVAL', classifier: 'ESTIMATED', time: '2026-06-03T08:00:00+09:00' }, '/time'],
  ])('refuses bad input: %s', async (_name, input, path) => {
    const r = await h.submit(ids.agent, 'portcall:RecordTime', ['CALL-1', input]);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect((r.error?.details.errors as { path: string }[]).map((e) => e.path)).toContain(path);
  });

  it('refuses a history query for an unknown call or event', async () => {
    expect((await h.evaluate(ids.agent, 'portcall:GetTimeHistory', ['CALL-X', 'ARRIVAL'])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.evaluate(ids.agent, 'portcall:GetTimeHistory', ['CALL-1', 'LUNCH'])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('actual times are write-once', () => {
  it('refuses to overwrite the actual end of cargo operations (CONFLICT) and any later estimate of it', async () => {
    await working(h);
    const first = await h.submit<TimeEntry>(ids.terminal, 'portcall:RecordTime', [
      'CALL-1',
      { event: 'CARGO_OPS_END', classifier: 'ACTUAL', time: '2026-06-03T11:00:00.000Z' },
    ]);
    expect(first.value).toMatchObject({ version: 1, classifier: 'ACTUAL' });
    const again = await h.submit(ids.portAuthority, 'portcall:RecordTime', [
      'CALL-1',
      { event: 'CARGO_OPS_END', classifier: 'ACTUAL', time: '2026-06-03T11:30:00.000Z' },
    ]);
    expect(again.error?.code).toBe('CONFLICT');
    expect(again.error?.details).toEqual({
      reason: 'ACTUAL_IS_WRITE_ONCE',
      event: 'CARGO_OPS_END',
      time: '2026-06-03T11:00:00.000Z',
    });
    const estimate = await h.submit(ids.portAuthority, 'portcall:RecordTime', [
      'CALL-1',
      { event: 'CARGO_OPS_END', classifier: 'PLANNED', time: '2026-06-03T11:30:00.000Z' },
    ]);
    expect(estimate.error?.code).toBe('FAILED_PRECONDITION');
    expect(estimate.error?.details).toMatchObject({ reason: 'ACTUAL_RECORDED' });
  });

  it('refuses to overwrite the actual arrival through RecordTime (CONFLICT)', async () => {
    await working(h);
    const r = await h.submit(ids.portAuthority, 'portcall:RecordTime', [
      'CALL-1',
      { event: 'ARRIVAL', classifier: 'ACTUAL', time: '2026-06-03T06:00:00.000Z' },
    ]);
    expect(r.error?.code).toBe('CONFLICT');
    expect(r.error?.details).toMatchObject({ reason: 'ACTUAL_IS_WRITE_ONCE', event: 'ARRIVAL' });
  });

  it('refuses times on a departed call', async () => {
    await working(h);
    await ok(h.submit(ids.portAuthority, 'portcall:ClearDeparture', ['CALL-1']));
    await ok(h.submit(ids.portAuthority, 'portcall:Depart', ['CALL-1', '2026-06-03T11:30:00.000Z']));
    const r = await h.submit(ids.agent, 'portcall:RecordTime', [
      'CALL-1',
      { event: 'DEPARTURE', classifier: 'ESTIMATED', time: ETD },
    ]);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.details).toMatchObject({ state: 'DEPARTED', final: true });
  });
});

describe('cancellation', () => {
  it.each(['announced', 'declared', 'cleared', 'permitted'] as const)(
    'is allowed before arrival (%s), by the agent or the port authority',
    async (stage) => {
      const setups = { announced, declared, cleared, permitted };
      await setups[stage](h);
      const r = await h.submit<PortCall>(
        stage === 'cleared' ? ids.portAuthority : ids.agent,
        'portcall:Cancel',
        ['CALL-1', 'charter cancelled'],
      );
      expect(r.value.status).toBe('CANCELLED');
      expect(r.event?.envelope.events).toEqual([
        {
          type: 'PortCallCancelled',
          data: { callId: 'CALL-1', status: 'CANCELLED', reason: 'charter cancelled' },
        },
      ]);
    },
  );

  it('is refused to others and after arrival', async () => {
    await announced(h, 'CALL-2');
    await working(h);
    const r = await h.submit(ids.agent, 'portcall:Cancel', ['CALL-1', 'no']);
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect((await h.submit(ids.customs, 'portcall:Cancel', ['CALL-2', 'no'])).error?.code).toBe('FORBIDDEN');
  });

  it('freezes the call: every change is a CONFLICT', async () => {
    await declared(h);
    await ok(h.submit(ids.agent, 'portcall:Cancel', ['CALL-1', 'charter cancelled']));
    const attempts: [typeof ids.agent, string, unknown[], object?][] = [
      [
        ids.agent,
        'portcall:SubmitDocument',
        ['CALL-1', 'FAL1'],
        { transient: { document: fal1({ crewCount: 5 }) } },
      ],
      [ids.agent, 'portcall:Declare', ['CALL-1']],
      [ids.customs, 'portcall:Approve', ['CALL-1']],
      [ids.customs, 'portcall:Reject', ['CALL-1', 'x']],
      [ids.portAuthority, 'portcall:IssuePermit', ['CALL-1']],
      [ids.agent, 'portcall:Cancel', ['CALL-1', 'again']],
      [
        ids.agent,
        'portcall:RecordTime',
        ['CALL-1', { event: 'ARRIVAL', classifier: 'ESTIMATED', time: ETA }],
      ],
      [ids.portAuthority, 'portcall:Arrive', ['CALL-1', '2026-06-01T00:00:00.000Z']],
    ];
    for (const [who, fn, args, options] of attempts) {
      const r = await h.submit(who, fn, args, options);
      expect([fn, r.error?.code]).toEqual([fn, 'CONFLICT']);
      expect(r.error?.details).toMatchObject({ state: 'CANCELLED' });
    }
  });
});

describe('reading documents: the permission matrix', () => {
  beforeEach(async () => {
    await declared(h);
    await ok(
      h.submit(ids.agent, 'cargo:RegisterConsignment', [
        {
          consignmentId: 'CONS-1',
          callId: 'CALL-1',
          description: 'tv sets',
          shipper: ids.shipper.key,
          consignee: ids.buyer.key,
          insurer: ids.insurer.key,
          dangerous: false,
          containers: ['CSQU3054383'],
        },
      ]),
    );
  });

  const check = (who: typeof ids.agent, docType: string) =>
    h.evaluate<AccessGrant>(who, 'portcall:CheckDocumentAccess', ['CALL-1', docType]);

  it('lets the insurer of a consignment read the cargo declaration, not the crew list', async () => {
    const cargo = await check(ids.insurer, 'FAL2');
    expect(cargo.value).toMatchObject({
      callId: 'CALL-1',
      docType: 'FAL2',
      version: 1,
      grantedBy: 'consignment-insurer',
    });
    expect(cargo.value.hash).toMatch(/^[0-9a-f]{64}$/);
    const crew = await check(ids.insurer, 'FAL5');
    expect(crew.error?.code).toBe('FORBIDDEN');
    expect(crew.error?.details).toMatchObject({ docType: 'FAL5', mspId: 'InsurerMSP', role: 'insurer' });
    expect((await check(ids.insurer, 'FAL1')).error?.code).toBe('FORBIDDEN');
  });

  it('refuses an insurer of nothing on this call', async () => {
    expect((await check(ids.otherInsurer, 'FAL2')).error?.code).toBe('FORBIDDEN');
  });

  it('reads at most one consignment key however many consignments the call carries', async () => {
    const insurers = [ids.bank.key, ids.insurer.key, undefined];
    for (let i = 0; i < 150; i++) {
      const insurer = insurers[i % insurers.length];
      const input = consignmentInput({ consignmentId: `BULK-${i}`, containers: [container(100 + i)] });
      if (insurer) input.insurer = insurer;
      else delete (input as Record<string, unknown>).insurer;
      await ok(h.submit(ids.agent, 'cargo:RegisterConsignment', [input]));
    }
    for (const who of [ids.insurer, ids.bank]) {
      const r = await check(who, 'FAL2');
      expect(r.value.grantedBy).toBe('consignment-insurer');
      expect(r.stub.scanned).toHaveLength(1);
    }
    for (const [who, docType] of [
      [ids.otherInsurer, 'FAL2'],
      [ids.terminal, 'FAL5'],
    ] as const) {
      const r = await check(who, docType);
      expect(r.error?.code).toBe('FORBIDDEN');
      expect(r.stub.scanned).toEqual([]);
    }
  });

  it('grants by role and by relation', async () => {
    expect((await check(ids.immigration, 'FAL5')).value.grantedBy).toBe('CityMSP:immigration');
    expect((await check(ids.agent, 'FAL5')).value.grantedBy).toBe('agent');
    expect((await check(ids.customs, 'FAL5')).error?.code).toBe('FORBIDDEN');
    expect((await check(ids.otherAgent, 'FAL1')).error?.code).toBe('FORBIDDEN');
    expect((await check(ids.fakeCustoms, 'FAL1')).error?.code).toBe('FORBIDDEN');
    expect((await check(ids.noRole, 'FAL1')).error?.details).toMatchObject({ role: null });
  });

  it('answers NOT_FOUND for a form not submitted and INVALID_ARGUMENT for an unknown type', async () => {
    const r = await check(ids.immigration, 'FAL6');
    expect(r.error?.code).toBe('NOT_FOUND');
    expect(r.error?.details).toEqual({ objectType: 'document', id: 'CALL-1/FAL6' });
    expect((await check(ids.immigration, 'fal6')).error?.code).toBe('INVALID_ARGUMENT');
  });
});

describe('queries', () => {
  it('pages port calls', async () => {
    for (const id of ['CALL-1', 'CALL-2', 'CALL-3']) await announced(h, id);
    const first = await h.evaluate<{ items: PortCall[]; bookmark: string }>(
      ids.terminal,
      'portcall:ListPortCalls',
      [2, ''],
    );
    expect(first.value.items.map((c) => c.callId)).toEqual(['CALL-1', 'CALL-2']);
    const second = await h.evaluate<{ items: PortCall[]; bookmark: string }>(
      ids.terminal,
      'portcall:ListPortCalls',
      [2, first.value.bookmark],
    );
    expect(second.value.items.map((c) => c.callId)).toEqual(['CALL-3']);
    expect(second.value.bookmark).toBe('');
  });

  it('refuses a bad page size and an unknown call', async () => {
    expect((await h.evaluate(ids.terminal, 'portcall:ListPortCalls', [0, ''])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await h.evaluate(ids.terminal, 'portcall:GetPortCall', ['CALL-X'])).error?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.evaluate(ids.terminal, 'portcall:GetPortCall', ['bad id'])).error?.code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('answers NOT_FOUND for an unknown transaction', async () => {
    const r = await h.submit(ids.agent, 'portcall:Teleport', []);
    expect(r.error?.code).toBe('NOT_FOUND');
  });
});
