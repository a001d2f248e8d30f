import { ChaincodeError } from '@cityledger/chaincode-common';
import { READERS, REVIEWERS, readGrant, reviewedBy } from './access';
import { approvedVersions, authorityOf, missingApprovals, withDocument, withdrawFor } from './clearance';
import { checkDeclaration, requiredDocuments } from './declaration';
import { DOCUMENT_SCHEMAS, checkDocument, documentHash, summarise } from './documents';
import {
  AUTHORITY_ACTORS,
  amendmentMachine,
  billMachine,
  containerMachine,
  portCallMachine,
} from './lifecycle';
import { fal1, fal2, fal5, fal6, fal7 } from './logistics.fixtures';
import {
  AUTHORITIES,
  AUTHORITY_ROLES,
  BL_STATES,
  CONTAINER_STATES,
  DOC_TYPES,
  PORT_CALL_STATES,
  type Approval,
  type DocType,
  type PortCall,
} from './model';
import {
  MIN_ANNOUNCE_NOTICE_MS,
  TIME_RECORDERS,
  checkAnnouncedEta,
  checkRecordTime,
  nextEntry,
  withTime,
} from './times';

const thrown = (fn: () => unknown): ChaincodeError => {
  try {
    fn();
  } catch (err) {
    return err as ChaincodeError;
  }
  throw new Error('expected a refusal');
};

describe('permission matrix', () => {
  it('lets every authority read every form it reviews', () => {
    for (const authority of AUTHORITIES) {
      const { mspId, role } = AUTHORITY_ROLES[authority];
      for (const docType of reviewedBy(authority)) {
        expect([authority, docType, readGrant(READERS[docType], { mspId, role, relations: [] })]).toEqual([
          authority,
          docType,
          `${mspId}:${role}`,
        ]);
      }
    }
  });

  it('gives every form at least one reviewer and the agent of the call read access', () => {
    for (const docType of DOC_TYPES) {
      expect(REVIEWERS[docType].length).toBeGreaterThan(0);
      expect(READERS[docType]).toContain('agent');
    }
  });

  it('shows an insurer the cargo documents only, and only through its consignments', () => {
    const insurer = { mspId: 'InsurerMSP', role: 'insurer', relations: ['consignment-insurer'] };
    expect(DOC_TYPES.filter((t) => readGrant(READERS[t], insurer))).toEqual(['FAL2', 'FAL7']);
    expect(DOC_TYPES.filter((t) => readGrant(READERS[t], { ...insurer, relations: [] }))).toEqual([]);
  });

  it('keeps crew and passenger lists from customs, terminals and carriers', () => {
    for (const role of ['CityMSP:customs', 'PortMSP:terminal', 'PortMSP:carrier']) {
      const [mspId, r] = role.split(':');
      expect(readGrant(READERS.FAL5, { mspId, role: r, relations: [] })).toBeUndefined();
      expect(readGrant(READERS.FAL6, { mspId, role: r, relations: [] })).toBeUndefined();
    }
  });

  it('ignores a role claimed under the wrong organisation', () => {
    expect(readGrant(READERS.FAL5, { mspId: 'PortMSP', role: 'immigration', relations: [] })).toBeUndefined();
    expect(readGrant(READERS.FAL5, { mspId: 'PortMSP', relations: [] })).toBeUndefined();
  });
});

describe('clearance', () => {
  const approval = (authority: string): Approval => ({ authority, by: 'x', at: 't', documents: {} });
  const all = Object.fromEntries(AUTHORITIES.map((a) => [a, approval(a)]));

  it('maps (MSP, role) to an authority', () => {
    expect(authorityOf('CityMSP', 'customs')).toBe('customs');
    expect(authorityOf('PortMSP', 'port-authority')).toBe('port-authority');
    expect(authorityOf('PortMSP', 'customs')).toBeUndefined();
    expect(authorityOf('CityMSP', undefined)).toBeUndefined();
  });

  it('lists missing approvals in a fixed order', () => {
    expect(missingApprovals({})).toEqual(['customs', 'immigration', 'quarantine', 'port-authority']);
    expect(missingApprovals({ quarantine: approval('quarantine') })).toEqual([
      'customs',
      'immigration',
      'port-authority',
    ]);
    expect(missingApprovals(all)).toEqual([]);
  });

  it.each(DOC_TYPES.map((t) => [t]))('withdraws exactly the reviewers of %s', (docType) => {
    const { approvals, withdrawn } = withdrawFor(docType as DocType, all);
    expect(withdrawn).toEqual([...REVIEWERS[docType as DocType]].sort());
    expect(Object.keys(approvals).sort()).toEqual(
      AUTHORITIES.filter((a) => !REVIEWERS[docType as DocType].includes(a)).sort(),
    );
  });

  it('applies an amendment: new version in, reviewers and permit out', () => {
    const doc = {
      docType: 'FAL6',
      version: 2,
      hash: 'h2',
      summary: {},
      readers: [],
      submittedAt: 't',
      submittedBy: 'a',
    };
    const call = {
      callId: 'C',
      status: 'PERMIT_ISSUED',
      approvals: all,
      documents: { FAL6: { ...doc, version: 1, hash: 'h1' } },
      permit: { permitId: 'p1', issuedAt: 't', issuedBy: 'pa' },
    } as unknown as PortCall;
    const result = withDocument(call, doc, 'UNDER_REVIEW');
    expect(result.withdrawn).toEqual(['immigration', 'quarantine']);
    expect(result.withdrawnPermit).toBe('p1');
    expect(result.call.permit).toBeUndefined();
    expect(result.call.status).toBe('UNDER_REVIEW');
    expect(result.call.documents.FAL6).toBe(doc);
    expect(Object.keys(result.call.approvals).sort()).toEqual(['customs', 'port-authority']);
    const draft = withDocument(
      { ...call, status: 'ANNOUNCED', approvals: {}, permit: undefined } as PortCall,
      doc,
      'ANNOUNCED',
    );
    expect(draft).toEqual({
      call: expect.objectContaining({ status: 'ANNOUNCED', approvals: {} }),
      withdrawn: [],
    });
  });

  it('records the versions of the forms an approval covers', () => {
    const docs = { FAL1: { version: 2 }, FAL5: { version: 1 } } as unknown as PortCall['documents'];
    expect(approvedVersions(docs)).toEqual({ FAL1: 2, FAL5: 1 });
  });
});

describe('declaration rules', () => {
  const docs = (entries: Record<string, Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(entries).map(([t, summary]) => [t, { summary }])) as never;
  const general = { crewCount: 2, passengerCount: 0, dangerousGoodsOnBoard: false };

  it('always requires FAL 1, 2 and 5', () => {
    expect(requiredDocuments({})).toEqual(['FAL1', 'FAL2', 'FAL5']);
    expect(
      checkDeclaration(docs({ FAL1: general, FAL2: { dangerousItems: 0 }, FAL5: { crewCount: 2 } })),
    ).toEqual({ complete: true, missing: [], mismatches: [] });
  });

  it('requires FAL 6 with passengers and FAL 7 with dangerous goods declared anywhere', () => {
    expect(requiredDocuments(docs({ FAL1: { ...general, passengerCount: 3 } }))).toEqual([
      'FAL1',
      'FAL2',
      'FAL5',
      'FAL6',
    ]);
    expect(requiredDocuments(docs({ FAL1: { ...general, dangerousGoodsOnBoard: true } }))).toEqual([
      'FAL1',
      'FAL2',
      'FAL5',
      'FAL7',
    ]);
    expect(requiredDocuments(docs({ FAL1: general, FAL2: { dangerousItems: 1 } }))).toEqual([
      'FAL1',
      'FAL2',
      'FAL5',
      'FAL7',
    ]);
    expect(requiredDocuments(docs({ FAL2: { dangerousItems: 0 } }))).toEqual(['FAL1', 'FAL2', 'FAL5']);
  });

  it('reports lists that disagree with the general declaration', () => {
    const check = checkDeclaration(
      docs({
        FAL1: general,
        FAL2: { dangerousItems: 0 },
        FAL5: { crewCount: 3 },
        FAL6: { passengerCount: 1 },
      }),
    );
    expect(check.complete).toBe(false);
    expect(check.mismatches).toEqual([
      'FAL5.crewCount 3 != FAL1.crewCount 2',
      'FAL6.passengerCount 1 != FAL1.passengerCount 0',
    ]);
  });
});

describe('FAL documents', () => {
  it('accepts the fixtures against their schemas', () => {
    const samples: Record<DocType, unknown> = {
      FAL1: fal1(),
      FAL2: fal2(),
      FAL5: fal5(),
      FAL6: fal6(),
      FAL7: fal7(),
    };
    for (const t of DOC_TYPES)
      expect(checkDocument(t, samples[t], 'IMO9074729').hash).toBe(documentHash(samples[t]));
    expect(Object.keys(DOCUMENT_SCHEMAS).sort()).toEqual([...DOC_TYPES]);
  });

  it('summarises counts and flags, never names', () => {
    expect(summarise('FAL1', fal1())).toEqual({
      flagState: 'KR',
      grossTonnage: 228283,
      crewCount: 2,
      passengerCount: 0,
      dangerousGoodsOnBoard: false,
      lastPortOfCall: 'CNSHA',
    });
    expect(summarise('FAL2', fal2({}, true))).toEqual({
      itemCount: 2,
      dangerousItems: 1,
      totalGrossMassKg: 20000,
      consignmentIds: ['CONS-1', 'CONS-2'],
    });
    expect(summarise('FAL5', fal5(4))).toEqual({ crewCount: 4 });
    expect(summarise('FAL6', fal6(2))).toEqual({ passengerCount: 2 });
    expect(summarise('FAL7', fal7())).toEqual({ itemCount: 1, hazardClasses: ['9'] });
    expect(JSON.stringify(summarise('FAL5', fal5()))).not.toContain('Lee');
  });

  it('hashes canonically: key order does not matter, content does', () => {
    const a = { imo: 'IMO9074729', crew: [{ b: 1, a: 2 }] };
    const b = { crew: [{ a: 2, b: 1 }], imo: 'IMO9074729' };
    expect(documentHash(a)).toBe(documentHash(b));
    expect(documentHash(a)).not.toBe(documentHash({ ...a, imo: 'IMO9176187' }));
    expect(documentHash({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('refuses a form for another ship with a field error', () => {
    const err = thrown(() => checkDocument('FAL1', fal1(), 'IMO9176187'));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.details.errors).toEqual([{ path: '/imo', message: 'expected IMO9176187' }]);
  });
});

describe('timestamps', () => {
  const now = { iso: '2026-06-01T00:00:00.000Z', ms: Date.parse('2026-06-01T00:00:00.000Z') };
  const call = { callId: 'C', status: 'WORKING', times: {} } as unknown as PortCall;

  it('wants the ETA 24 h ahead and the ETD after it', () => {
    expect(MIN_ANNOUNCE_NOTICE_MS).toBe(86_400_000);
    expect(() => checkAnnouncedEta('2026-06-02T00:00:00.000Z', undefined, now.ms)).not.toThrow();
    expect(
      thrown(() => checkAnnouncedEta('2026-06-01T23:59:59.999Z', undefined, now.ms)).details.reason,
    ).toBe('ETA_TOO_SOON');
    expect(
      thrown(() => checkAnnouncedEta('2026-06-03T00:00:00.000Z', '2026-06-02T00:00:00.000Z', now.ms)).code,
    ).toBe('INVALID_ARGUMENT');
  });

  it('numbers versions per event and classifier', () => {
    const e1 = nextEntry(call, 'ARRIVAL', 'ESTIMATED', '2026-06-03T00:00:00.000Z', 'a', now);
    const c1 = withTime(call, e1);
    const e2 = nextEntry(c1, 'ARRIVAL', 'ESTIMATED', '2026-06-03T01:00:00.000Z', 'a', now);
    const p1 = nextEntry(withTime(c1, e2), 'ARRIVAL', 'PLANNED', '2026-06-03T01:00:00.000Z', 'b', now);
    expect([e1.version, e2.version, p1.version]).toEqual([1, 2, 1]);
    expect(withTime(withTime(c1, e2), p1).times.ARRIVAL).toEqual({ ESTIMATED: e2, PLANNED: p1 });
  });

  it('writes an actual time once, not in the future and in event order', () => {
    const a = nextEntry(call, 'BERTHING', 'ACTUAL', '2026-05-31T10:00:00.000Z', 'p', now);
    const withActual = withTime(call, a);
    expect(
      thrown(() => nextEntry(withActual, 'BERTHING', 'ACTUAL', '2026-05-31T11:00:00.000Z', 'p', now)).code,
    ).toBe('CONFLICT');
    expect(
      thrown(() => nextEntry(withActual, 'BERTHING', 'PLANNED', '2026-05-31T11:00:00.000Z', 'p', now)).code,
    ).toBe('FAILED_PRECONDITION');
    expect(
      thrown(() => nextEntry(call, 'ARRIVAL', 'ACTUAL', '2026-06-01T00:00:00.001Z', 'p', now)).code,
    ).toBe('INVALID_ARGUMENT');
    expect(
      thrown(() => nextEntry(withActual, 'ARRIVAL', 'ACTUAL', '2026-05-31T10:00:00.001Z', 'p', now)).details
        .errors,
    ).toEqual([{ path: '', message: 'after BERTHING 2026-05-31T10:00:00.000Z' }]);
    expect(nextEntry(withActual, 'ARRIVAL', 'ACTUAL', '2026-05-31T10:00:00.000Z', 'p', now).version).toBe(1);
  });

  it('says who records which classifier', () => {
    expect(TIME_RECORDERS.ACTUAL).not.toContain('agent');
    expect(() => checkRecordTime(call, 'CARGO_OPS_END', 'ACTUAL', ['PortMSP:terminal'])).not.toThrow();
    expect(thrown(() => checkRecordTime(call, 'CARGO_OPS_END', 'ACTUAL', ['agent'])).code).toBe('FORBIDDEN');
    expect(
      thrown(() => checkRecordTime(call, 'ARRIVAL', 'ACTUAL', ['PortMSP:terminal'])).details.reason,
    ).toBe('RECORDED_BY_TRANSITION');
  });
});

describe('state machines, whole', () => {
  const everyone = [...AUTHORITY_ACTORS, 'agent', 'PortMSP:terminal', 'issuer', 'holder', 'PortMSP:trucker'];
  const graph = <S extends string>(
    machine: { next(from: S, actor: readonly string[]): S[] },
    states: readonly S[],
    actor = everyone,
  ) => Object.fromEntries(states.map((s) => [s, machine.next(s, actor).sort()]));

  it('port call: every transition and nothing else', () => {
    expect(graph(portCallMachine, PORT_CALL_STATES)).toEqual({
      ANNOUNCED: ['CANCELLED', 'DECLARED'],
      DECLARED: ['CANCELLED', 'CLEARED', 'REJECTED', 'UNDER_REVIEW'],
      UNDER_REVIEW: ['CANCELLED', 'CLEARED', 'REJECTED', 'UNDER_REVIEW'],
      CLEARED: ['CANCELLED', 'PERMIT_ISSUED', 'REJECTED'],
      PERMIT_ISSUED: ['ARRIVED', 'CANCELLED'],
      ARRIVED: ['BERTHED'],
      BERTHED: ['DEPARTURE_CLEARED', 'WORKING'],
      WORKING: ['DEPARTURE_CLEARED'],
      DEPARTURE_CLEARED: ['DEPARTED'],
      DEPARTED: [],
      REJECTED: [],
      CANCELLED: [],
    });
    for (const s of ['DEPARTED', 'REJECTED', 'CANCELLED'] as const)
      expect(portCallMachine.isFinal(s)).toBe(true);
  });

  it('port call: what each party may do', () => {
    expect(graph(portCallMachine, PORT_CALL_STATES, ['agent'])).toMatchObject({
      ANNOUNCED: ['CANCELLED', 'DECLARED'],
      CLEARED: ['CANCELLED'],
    });
    expect(graph(portCallMachine, PORT_CALL_STATES, ['CityMSP:customs'])).toMatchObject({
      ANNOUNCED: [],
      DECLARED: ['CLEARED', 'REJECTED', 'UNDER_REVIEW'],
      CLEARED: ['REJECTED'],
      PERMIT_ISSUED: [],
    });
    expect(graph(portCallMachine, PORT_CALL_STATES, ['PortMSP:terminal'])).toMatchObject({
      ARRIVED: ['BERTHED'],
      BERTHED: ['WORKING'],
      WORKING: [],
    });
  });

  it('amendments: the agent only, until the permit', () => {
    expect(graph(amendmentMachine, PORT_CALL_STATES, ['agent'])).toEqual({
      ...Object.fromEntries(PORT_CALL_STATES.map((s) => [s, []])),
      ANNOUNCED: ['ANNOUNCED'],
      DECLARED: ['DECLARED'],
      UNDER_REVIEW: ['UNDER_REVIEW'],
      CLEARED: ['UNDER_REVIEW'],
      PERMIT_ISSUED: ['UNDER_REVIEW'],
    });
    expect(graph(amendmentMachine, PORT_CALL_STATES, AUTHORITY_ACTORS).UNDER_REVIEW).toEqual([]);
  });

  it('bill of lading and container', () => {
    expect(graph(billMachine, BL_STATES)).toEqual({
      DRAFT: ['ISSUED'],
      ISSUED: ['ISSUED', 'SURRENDERED', 'VOID'],
      SURRENDERED: [],
      VOID: [],
    });
    expect(graph(billMachine, BL_STATES, ['holder']).ISSUED).toEqual(['ISSUED', 'SURRENDERED']);
    expect(graph(containerMachine, CONTAINER_STATES)).toEqual({
      ON_BOARD: ['DISCHARGED'],
      DISCHARGED: ['DISCHARGED', 'GATED_OUT'],
      GATED_OUT: [],
    });
    expect(graph(containerMachine, CONTAINER_STATES, ['PortMSP:trucker']).DISCHARGED).toEqual(['DISCHARGED']);
  });
});
