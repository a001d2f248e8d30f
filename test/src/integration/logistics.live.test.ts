/**
 * The port logistics chaincode on the live network (issue 7, Bars), with real identities enrolled at the
 * City, Port and Insurer CAs: a port call goes from announcement (ETA at least 24 h ahead) through the FAL
 * declaration (forms in the transient map), every authority's approval, the permit, arrival, berthing and
 * cargo work to departure, while its containers are discharged and gated out against a bill of lading
 * issued by the carrier, transferred by its holder and surrendered. On the way: the code refuses a permit
 * while an authority has not approved; the network refuses at commit a permit (and an approval) endorsed
 * without the City, although the code said yes and the chaincode-level policy (2 of 4 orgs) was met; an
 * actual time is written once; only the holder transfers a bill of lading; an amendment restarts the review
 * of the authorities it concerns; wrong roles are refused; the access matrix lets a consignment's insurer
 * read the cargo documents but not the crew list.
 *
 * Every id and every enrolment name is unique per run, so the suite passes repeatedly on the same ledger.
 */
import { randomUUID } from 'node:crypto';
import { StatusCode } from '@hyperledger/fabric-gateway';
import {
  arg,
  CallOptions,
  chaincodeAs,
  Committed,
  evaluateAs,
  forgetContracts,
  submitAs,
} from '../support/calls';
import { canonical, sha256hex } from '../support/credentials';
import { expectRefusal } from '../support/errors';
import { untilEveryPeerHas, forgetChainInfo } from '../support/heights';
import { chaincodeEventsOf, fetchBlock } from '../support/ledger';
import { channelOf, closeConnections, enrolUser, ensureNetwork, json, TestUser } from '../support/live';
import {
  cargoDeclaration,
  containerNumber,
  crewList,
  dangerousGoodsManifest,
  generalDeclaration,
  passengerList,
  randomImo,
  Ship,
} from '../support/port';

const run = randomUUID().slice(0, 8);
const CC = 'logistics';
const channel = () => channelOf(CC);
const CITY = 'CityMSP';
const PORT = 'PortMSP';
const INSURER = 'InsurerMSP';
const HOUR = 3600_000;

// ---- what the chaincode returns (the parts these tests read) ---------------------------------------

interface DocRecord {
  docType: string;
  version: number;
  hash: string;
  summary: Record<string, unknown>;
  readers: string[];
}
interface TimeEntry {
  event: string;
  classifier: string;
  time: string;
  version: number;
}
interface PortCall {
  callId: string;
  status: string;
  agent: string;
  documents: Record<string, DocRecord>;
  approvals: Record<string, { authority: string; by: string; documents: Record<string, number> }>;
  times: Record<string, Record<string, TimeEntry>>;
  permit?: { permitId: string; issuedBy: string };
}
interface AccessGrant {
  callId: string;
  docType: string;
  version: number;
  hash: string;
  grantedBy: string;
}
interface Consignment {
  consignmentId: string;
  shipper: string;
  insurer?: string;
  blNumber?: string;
}
interface Container {
  containerNumber: string;
  status: string;
  location?: string;
  eventCount: number;
}
interface BillOfLading {
  blNumber: string;
  status: string;
  issuer: string;
  holder: string;
  transfers: { from: string; to: string }[];
}

// ---- calling the chaincode ------------------------------------------------------------------------

/** Every write of the suite that committed, in order: their chaincode events are checked at the end. */
const flow: { tx: string; txId: string; blockNumber: bigint }[] = [];

/** The last block a write of this suite went into, and the last one every peer was seen to hold. */
let lastBlock = -1n;
let everywhere = -1n;

/**
 * Before each call: every org's peer holds the suite's last write, so that a read or an endorsement on
 * another org's peer than the writer's sees it (a submit returns once its own peer has committed).
 */
async function settled(): Promise<void> {
  if (lastBlock <= everywhere) return;
  await untilEveryPeerHas(channel(), lastBlock);
  everywhere = lastBlock;
}

async function write<T>(user: TestUser, tx: string, args: unknown[], options: CallOptions = {}) {
  await settled();
  const committed: Committed<T> = await submitAs<T>(user, CC, tx, args, options);
  // submitAs returns once every org's peer holds the block: nothing left to settle.
  lastBlock = everywhere = committed.blockNumber;
  flow.push({ tx, txId: committed.txId, blockNumber: committed.blockNumber });
  return committed;
}
/** A write to a port call after its announcement: CityMSP and PortMSP peers must endorse (key-level policy). */
const onCall = <T = PortCall>(user: TestUser, tx: string, args: unknown[], options: CallOptions = {}) =>
  write<T>(user, `portcall:${tx}`, args, { endorsingOrganizations: [CITY, PORT], ...options });
async function read<T>(user: TestUser, tx: string, args: unknown[]): Promise<T> {
  await settled();
  return evaluateAs<T>(user, CC, tx, args);
}

/**
 * Endorses `tx` on the peers of `orgs` and waits for its commit, without throwing when it is invalid:
 * what the chaincode answered (the endorsed result) and how the network validated it.
 */
async function endorsedBy<T>(user: TestUser, tx: string, args: unknown[], orgs: string[]) {
  await settled();
  const submitted = await chaincodeAs(user, CC).submitAsync(tx, {
    arguments: args.map(arg),
    endorsingOrganizations: orgs,
  });
  const status = await submitted.getStatus();
  lastBlock = status.blockNumber;
  return { result: json(submitted.getResult()) as T, successful: status.successful, code: status.code };
}

const keyOf = (user: TestUser): string => `${user.mspId}/${user.name}`;
const hashOf = (form: unknown): string => sha256hex(canonical(form));
const iso = (ms: number): string => new Date(ms).toISOString();

// ---- the cast --------------------------------------------------------------------------------------

let customs: TestUser;
let immigration: TestUser;
let quarantine: TestUser;
let portAuthority: TestUser;
let agent: TestUser; // announces the call: the agent of the call
let terminal: TestUser;
let carrier: TestUser; // issues the bill of lading
let trucker: TestUser;
let shipper: TestUser; // first holder of the bill of lading
let buyer: TestUser; // consignee, holder after the transfer
let fakeCustoms: TestUser; // a PortMSP certificate claiming the City's customs role
let insurer: TestUser; // insures consignment A
let otherInsurer: TestUser; // insures nothing on this call

// ---- the call ------------------------------------------------------------------------------------

const callId = `CALL-${run}`;
const ship: Ship = { imo: randomImo(), vesselName: `HMM Algeciras ${run}` };
const consignmentA = `CONS-A-${run}`; // electronics, insured
const consignmentB = `CONS-B-${run}`; // lithium batteries (dangerous), stays aboard for the next port
const serial = Number.parseInt(run.slice(0, 5), 16) % 900000;
const containersA = [containerNumber('HMMU', serial), containerNumber('HMMU', serial + 1)];
const containerB = containerNumber('TGHU', serial);
const blNumber = `BL-${run}`;
/** Another ship (valid IMO number, not this one). */
const otherShip: Ship = { ...ship, imo: ship.imo === 'IMO9074729' ? 'IMO9176187' : 'IMO9074729' };
const crew = 3;
const passengers = 2;

let eta: string;
let forms: Record<'FAL1' | 'FAL2' | 'FAL5' | 'FAL6' | 'FAL7', unknown>;
/** Actual times, set once the ship is in: a little in the past, in event order. */
let t0: number;

beforeAll(async () => {
  await ensureNetwork();
  // Orgs' CAs in parallel, each org's enrolments one after another.
  await Promise.all([
    (async () => {
      customs = await enrolUser('city', `customs-${run}`, { role: 'customs' });
      immigration = await enrolUser('city', `immigration-${run}`, { role: 'immigration' });
      quarantine = await enrolUser('city', `quarantine-${run}`, { role: 'quarantine' });
    })(),
    (async () => {
      portAuthority = await enrolUser('port', `harbour-master-${run}`, { role: 'port-authority' });
      agent = await enrolUser('port', `agent-${run}`, { role: 'agent' });
      terminal = await enrolUser('port', `terminal-${run}`, { role: 'terminal' });
      carrier = await enrolUser('port', `carrier-${run}`, { role: 'carrier' });
      trucker = await enrolUser('port', `trucker-${run}`, { role: 'trucker' });
      shipper = await enrolUser('port', `shipper-${run}`, { role: 'agent' });
      buyer = await enrolUser('port', `buyer-${run}`, { role: 'agent' });
      fakeCustoms = await enrolUser('port', `fake-customs-${run}`, { role: 'customs' });
    })(),
    (async () => {
      insurer = await enrolUser('insurer', `cargo-uw-${run}`, { role: 'insurer' });
      otherInsurer = await enrolUser('insurer', `other-uw-${run}`, { role: 'insurer' });
    })(),
  ]);
});

afterAll(() => {
  closeConnections();
  forgetContracts();
  forgetChainInfo();
});

const getCall = (who: TestUser = agent) => read<PortCall>(who, 'portcall:GetPortCall', [callId]);
const submitForm = (docType: keyof typeof forms, form: unknown, who: TestUser = agent) =>
  onCall(who, 'SubmitDocument', [callId, docType], { transient: { document: form } });
const checkAccess = (who: TestUser, docType: string) =>
  read<AccessGrant>(who, 'portcall:CheckDocumentAccess', [callId, docType]);

describe('a port call from announcement to departure', () => {
  it('the agent announces the call at least 24 h ahead; too soon, or by another role, is refused', async () => {
    eta = iso(Date.now() + 25 * HOUR);
    const input = {
      callId,
      imo: ship.imo,
      vesselName: ship.vesselName,
      voyageNumber: `V${run}`,
      portOfCall: 'KRPUS',
      eta,
      etd: iso(Date.now() + 55 * HOUR),
    };
    const tooSoon = await expectRefusal(
      write(agent, 'portcall:Announce', [{ ...input, eta: iso(Date.now() + 2 * HOUR) }]),
      'INVALID_ARGUMENT',
    );
    expect(tooSoon.details).toMatchObject({ reason: 'ETA_TOO_SOON' });
    await expectRefusal(write(terminal, 'portcall:Announce', [input]), 'FORBIDDEN');

    const { result } = await write<PortCall>(agent, 'portcall:Announce', [input]);
    expect(result).toMatchObject({ callId, status: 'ANNOUNCED', agent: keyOf(agent) });
    expect(result.times.ARRIVAL.ESTIMATED).toMatchObject({ time: eta, version: 1 });
  });

  it('the agent registers the cargo; a write outside the port call needs only the chaincode policy', async () => {
    // Control for the endorsement tests below: PortMSP + InsurerMSP peers satisfy the chaincode-level
    // policy (2 of 4 orgs), so a write that does not touch the port call's key commits with them.
    const { result } = await write<Consignment>(
      agent,
      'cargo:RegisterConsignment',
      [
        {
          consignmentId: consignmentA,
          callId,
          description: 'electronics',
          shipper: keyOf(shipper),
          consignee: keyOf(buyer),
          insurer: keyOf(insurer),
          dangerous: false,
          containers: containersA,
        },
      ],
      { endorsingOrganizations: [PORT, INSURER] },
    );
    expect(result).toMatchObject({
      consignmentId: consignmentA,
      shipper: keyOf(shipper),
      insurer: keyOf(insurer),
    });
    await write(carrier, 'cargo:RegisterConsignment', [
      {
        consignmentId: consignmentB,
        callId,
        description: 'lithium ion batteries',
        shipper: keyOf(shipper),
        consignee: keyOf(buyer),
        dangerous: true,
        containers: [containerB],
      },
    ]);
    // A trucker registers nothing.
    await expectRefusal(
      write(trucker, 'cargo:RegisterConsignment', [
        {
          consignmentId: `CONS-C-${run}`,
          callId,
          description: 'furniture',
          shipper: keyOf(shipper),
          consignee: keyOf(buyer),
          dangerous: false,
          containers: [containerNumber('MSCU', serial)],
        },
      ]),
      'FORBIDDEN',
    );
    // One consignment a page: the first page's bookmark leads to the second, whose bookmark is empty.
    const first = await read<{ items: Consignment[]; bookmark: string }>(insurer, 'cargo:ListConsignments', [
      callId,
      '1',
      '',
    ]);
    const second = await read<{ items: Consignment[]; bookmark: string }>(insurer, 'cargo:ListConsignments', [
      callId,
      '1',
      first.bookmark,
    ]);
    expect([...first.items, ...second.items].map((c) => c.consignmentId).sort()).toEqual(
      [consignmentA, consignmentB].sort(),
    );
    expect(second.bookmark).toBe('');
  });

  it('the declaration needs FAL 1, 2, 5 and here 6 and 7 (passengers and dangerous goods aboard)', async () => {
    forms = {
      FAL1: generalDeclaration(ship, eta, { crew, passengers, dangerousGoods: true }),
      FAL2: cargoDeclaration(ship, [
        {
          consignmentId: consignmentA,
          description: 'electronics',
          containers: containersA,
          dangerous: false,
        },
        { consignmentId: consignmentB, description: 'batteries', containers: [containerB], dangerous: true },
      ]),
      FAL5: crewList(ship, crew),
      FAL6: passengerList(ship, passengers),
      FAL7: dangerousGoodsManifest(ship, containerB),
    };
    let crewListBlock = -1n;
    for (const docType of ['FAL1', 'FAL2', 'FAL5'] as const) {
      const { result, blockNumber } = await submitForm(docType, forms[docType]);
      // The ledger keeps the hash of the form's canonical JSON, computed here independently.
      expect(result.documents[docType]).toMatchObject({ version: 1, hash: hashOf(forms[docType]) });
      if (docType === 'FAL5') crewListBlock = blockNumber;
    }
    const call = await getCall();
    expect(call.documents.FAL5.summary).toEqual({ crewCount: crew });
    // The crew list travelled in the transient map: its hash is in the block, no seafarer's name or
    // document number is (the submitter's peer has the block).
    const block = await fetchBlock(agent, channel(), crewListBlock);
    expect(block.includes(hashOf(forms.FAL5))).toBe(true);
    for (const personal of ['Lee0', 'Lee2', 'SB1']) expect(block.includes(personal)).toBe(false);

    const incomplete = await expectRefusal(onCall(agent, 'Declare', [callId]), 'FAILED_PRECONDITION');
    expect(incomplete.details).toMatchObject({ reason: 'DOCUMENTS_INCOMPLETE', missing: ['FAL6', 'FAL7'] });

    // A form of another ship, and a form submitted by someone other than the agent of the call.
    const foreign = await expectRefusal(
      submitForm('FAL6', passengerList(otherShip, passengers)),
      'INVALID_ARGUMENT',
    );
    expect(foreign.details).toMatchObject({ input: 'transient' });
    await expectRefusal(submitForm('FAL6', forms.FAL6, carrier), 'FORBIDDEN');

    await submitForm('FAL6', forms.FAL6);
    await submitForm('FAL7', forms.FAL7);
    const { result } = await onCall(agent, 'Declare', [callId]);
    expect(result.status).toBe('DECLARED');
    expect(Object.keys(result.documents).sort()).toEqual(['FAL1', 'FAL2', 'FAL5', 'FAL6', 'FAL7']);
  });

  it('the document access matrix: the insurer of a consignment reads the cargo documents, not the crew list', async () => {
    const fal2 = await checkAccess(insurer, 'FAL2');
    expect(fal2).toEqual({
      callId,
      docType: 'FAL2',
      version: 1,
      hash: hashOf(forms.FAL2),
      grantedBy: 'consignment-insurer',
    });
    expect(await checkAccess(insurer, 'FAL7')).toMatchObject({ grantedBy: 'consignment-insurer' });
    for (const docType of ['FAL1', 'FAL5', 'FAL6']) {
      const refused = await expectRefusal(checkAccess(insurer, docType), 'FORBIDDEN');
      expect(refused.details).toMatchObject({ docType, mspId: INSURER, role: 'insurer' });
    }
    // An insurer of nothing on this call reads none of it.
    await expectRefusal(checkAccess(otherInsurer, 'FAL2'), 'FORBIDDEN');

    // The crew list: immigration, quarantine, the port authority and the agent; not customs, not the carrier.
    expect(await checkAccess(immigration, 'FAL5')).toMatchObject({
      hash: hashOf(forms.FAL5),
      grantedBy: 'CityMSP:immigration',
    });
    expect(await checkAccess(portAuthority, 'FAL5')).toMatchObject({ grantedBy: 'PortMSP:port-authority' });
    expect(await checkAccess(agent, 'FAL6')).toMatchObject({ grantedBy: 'agent' });
    await expectRefusal(checkAccess(customs, 'FAL5'), 'FORBIDDEN');
    await expectRefusal(checkAccess(carrier, 'FAL5'), 'FORBIDDEN');
    // Cargo documents: customs and the carrier yes, a trucker no.
    expect(await checkAccess(customs, 'FAL2')).toMatchObject({ grantedBy: 'CityMSP:customs' });
    expect(await checkAccess(carrier, 'FAL7')).toMatchObject({ grantedBy: 'PortMSP:carrier' });
    await expectRefusal(checkAccess(trucker, 'FAL2'), 'FORBIDDEN');
    // A role claimed by another org's certificate is nobody's.
    await expectRefusal(checkAccess(fakeCustoms, 'FAL2'), 'FORBIDDEN');
  });

  it('the authorities approve one by one, each as itself; wrong roles are refused', async () => {
    await expectRefusal(onCall(trucker, 'Approve', [callId]), 'FORBIDDEN');
    await expectRefusal(onCall(fakeCustoms, 'Approve', [callId]), 'FORBIDDEN');
    await expectRefusal(onCall(agent, 'Approve', [callId]), 'FORBIDDEN');

    const first = await onCall(customs, 'Approve', [callId]);
    expect(first.result.status).toBe('UNDER_REVIEW');
    expect(first.result.approvals.customs).toMatchObject({
      by: keyOf(customs),
      documents: { FAL1: 1, FAL2: 1, FAL5: 1, FAL6: 1, FAL7: 1 },
    });
    await expectRefusal(onCall(customs, 'Approve', [callId]), 'CONFLICT');
    await onCall(immigration, 'Approve', [callId]);
    const third = await onCall(quarantine, 'Approve', [callId]);
    expect(third.result.status).toBe('UNDER_REVIEW');
    expect(Object.keys(third.result.approvals).sort()).toEqual(['customs', 'immigration', 'quarantine']);
  });

  it('the code refuses the permit while an authority (the port authority) has not approved', async () => {
    const refused = await expectRefusal(
      onCall(portAuthority, 'IssuePermit', [callId]),
      'FAILED_PRECONDITION',
    );
    expect(refused.details).toMatchObject({ state: 'UNDER_REVIEW' });
    const call = await getCall();
    expect(call.status).toBe('UNDER_REVIEW');
    expect(call.permit).toBeUndefined();
  });

  it('an amendment of the crew list restarts the review of immigration and quarantine only', async () => {
    const amended = crewList(ship, crew, 'Captain');
    const { result } = await submitForm('FAL5', amended);
    expect(result.status).toBe('UNDER_REVIEW');
    expect(result.documents.FAL5).toMatchObject({ version: 2, hash: hashOf(amended) });
    expect(Object.keys(result.approvals)).toEqual(['customs']);
    forms.FAL5 = amended;
    // The same form again changes nothing.
    await expectRefusal(submitForm('FAL5', amended), 'CONFLICT');

    for (const [name, authority] of [
      ['immigration', immigration],
      ['quarantine', quarantine],
    ] as const) {
      const { result: after } = await onCall(authority, 'Approve', [callId]);
      expect(after.approvals[name]).toMatchObject({ by: keyOf(authority), documents: { FAL5: 2 } });
    }
    expect((await getCall()).status).toBe('UNDER_REVIEW');
  });

  it('the last approval endorsed without the City is invalid at commit: the call stays under review', async () => {
    // The port authority's own org and an insurer meet the chaincode policy; the key-level policy on the
    // call (CityMSP and PortMSP) is not met, so no organisation clears a ship alone.
    const attempt = await endorsedBy<PortCall>(portAuthority, 'portcall:Approve', [callId], [PORT, INSURER]);
    expect(attempt.result.status).toBe('CLEARED');
    expect(attempt.successful).toBe(false);
    expect(attempt.code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
    const call = await getCall();
    expect(call.status).toBe('UNDER_REVIEW');
    expect(call.approvals['port-authority']).toBeUndefined();

    const { result } = await onCall(portAuthority, 'Approve', [callId]);
    expect(result.status).toBe('CLEARED');
    expect(Object.keys(result.approvals).sort()).toEqual([
      'customs',
      'immigration',
      'port-authority',
      'quarantine',
    ]);
  });

  it('a permit with every approval but endorsed by PortMSP + InsurerMSP is refused by the network: still CLEARED', async () => {
    await expectRefusal(onCall(customs, 'IssuePermit', [callId]), 'FORBIDDEN');
    // The code says yes (every approval is there) ...
    const attempt = await endorsedBy<PortCall>(
      portAuthority,
      'portcall:IssuePermit',
      [callId],
      [PORT, INSURER],
    );
    expect(attempt.result.status).toBe('PERMIT_ISSUED');
    // ... the peers' validation says no.
    expect(attempt.successful).toBe(false);
    expect(attempt.code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
    const call = await getCall();
    expect(call.status).toBe('CLEARED');
    expect(call.permit).toBeUndefined();
  });

  it('the port authority issues the permit, endorsed by the City and the Port', async () => {
    const { result, txId } = await onCall(portAuthority, 'IssuePermit', [callId]);
    expect(result.status).toBe('PERMIT_ISSUED');
    expect(result.permit).toMatchObject({ permitId: txId, issuedBy: keyOf(portAuthority) });
  });

  it('the ship arrives, berths and starts work; an actual time is written once', async () => {
    t0 = Date.now() - 10 * 60_000;
    await expectRefusal(onCall(terminal, 'Arrive', [callId, iso(t0)]), 'FORBIDDEN');
    const arrived = await onCall(portAuthority, 'Arrive', [callId, iso(t0)]);
    expect(arrived.result.status).toBe('ARRIVED');
    expect(arrived.result.times.ARRIVAL.ACTUAL).toMatchObject({ time: iso(t0), version: 1 });

    const overwrite = await expectRefusal(
      onCall(portAuthority, 'RecordTime', [
        callId,
        { event: 'ARRIVAL', classifier: 'ACTUAL', time: iso(t0 + 30_000) },
      ]),
      'CONFLICT',
    );
    expect(overwrite.details).toMatchObject({ reason: 'ACTUAL_IS_WRITE_ONCE', time: iso(t0) });
    expect((await getCall()).times.ARRIVAL.ACTUAL.time).toBe(iso(t0));

    // Only the port authority or the terminal record actual times; a trucker does not.
    await expectRefusal(
      onCall(trucker, 'RecordTime', [
        callId,
        { event: 'CARGO_OPS_END', classifier: 'ACTUAL', time: iso(t0) },
      ]),
      'FORBIDDEN',
    );
    expect((await onCall(terminal, 'Berth', [callId, iso(t0 + 60_000)])).result.status).toBe('BERTHED');
    expect((await onCall(terminal, 'StartWork', [callId, iso(t0 + 120_000)])).result.status).toBe('WORKING');
  });

  it('containers are discharged and moved; the gate keeps them until the bill of lading is surrendered', async () => {
    await expectRefusal(
      write(trucker, 'cargo:RecordContainerEvent', [
        callId,
        containersA[0],
        { type: 'DISCHARGED', terminal: 'HPNT' },
      ]),
      'FORBIDDEN',
    );
    for (const container of containersA) {
      const { result } = await write<Container>(terminal, 'cargo:RecordContainerEvent', [
        callId,
        container,
        { type: 'DISCHARGED', terminal: 'HPNT' },
      ]);
      expect(result).toMatchObject({ status: 'DISCHARGED', location: 'HPNT', eventCount: 1 });
    }
    const moved = await write<Container>(trucker, 'cargo:RecordContainerEvent', [
      callId,
      containersA[1],
      { type: 'MOVED', terminal: 'BNCT' },
    ]);
    expect(moved.result).toMatchObject({ status: 'DISCHARGED', location: 'BNCT', eventCount: 2 });

    const held = await expectRefusal(
      write(terminal, 'cargo:RecordContainerEvent', [
        callId,
        containersA[0],
        { type: 'GATE_OUT', terminal: 'HPNT' },
      ]),
      'FAILED_PRECONDITION',
    );
    expect(held.details).toMatchObject({ reason: 'BL_NOT_SURRENDERED', state: 'NONE' });
  });

  it('the bill of lading: issued by the carrier, transferred by its holder only, surrendered', async () => {
    const documentHash = sha256hex(`bill of lading ${blNumber} for ${consignmentA}`);
    await expectRefusal(
      write(agent, 'bl:DraftBillOfLading', [{ blNumber, consignmentId: consignmentA, documentHash }]),
      'FORBIDDEN',
    );
    const drafted = await write<BillOfLading>(carrier, 'bl:DraftBillOfLading', [
      { blNumber, consignmentId: consignmentA, documentHash },
    ]);
    expect(drafted.result).toMatchObject({ status: 'DRAFT', issuer: keyOf(carrier), holder: keyOf(shipper) });
    expect((await write<BillOfLading>(carrier, 'bl:IssueBillOfLading', [blNumber])).result.status).toBe(
      'ISSUED',
    );

    // Nobody but the holder transfers it: not its issuer, not the consignee, not the insurer.
    for (const who of [carrier, buyer, insurer]) {
      const refused = await expectRefusal(
        write(who, 'bl:TransferBillOfLading', [blNumber, keyOf(who)]),
        'FORBIDDEN',
      );
      expect(refused.details).toMatchObject({ required: ['holder'] });
    }
    expect((await read<BillOfLading>(buyer, 'bl:GetBillOfLading', [blNumber])).holder).toBe(keyOf(shipper));

    const transferred = await write<BillOfLading>(shipper, 'bl:TransferBillOfLading', [
      blNumber,
      keyOf(buyer),
    ]);
    expect(transferred.result).toMatchObject({
      status: 'ISSUED',
      holder: keyOf(buyer),
      transfers: [{ from: keyOf(shipper), to: keyOf(buyer) }],
    });
    // The former holder gave the title away.
    await expectRefusal(write(shipper, 'bl:TransferBillOfLading', [blNumber, keyOf(shipper)]), 'FORBIDDEN');
    await expectRefusal(write(shipper, 'bl:SurrenderBillOfLading', [blNumber]), 'FORBIDDEN');
    expect(await read(insurer, 'bl:CheckBillOfLadingAccess', [blNumber])).toMatchObject({
      documentHash,
      grantedBy: 'consignment-insurer',
    });
    await expectRefusal(read(otherInsurer, 'bl:CheckBillOfLadingAccess', [blNumber]), 'FORBIDDEN');

    const surrendered = await write<BillOfLading>(buyer, 'bl:SurrenderBillOfLading', [blNumber]);
    expect(surrendered.result).toMatchObject({ status: 'SURRENDERED', holder: keyOf(buyer) });
  });

  it('the surrendered bill releases the containers at the gate', async () => {
    for (const container of containersA) {
      const { result } = await write<Container>(terminal, 'cargo:RecordContainerEvent', [
        callId,
        container,
        { type: 'GATE_OUT', terminal: container === containersA[0] ? 'HPNT' : 'BNCT' },
      ]);
      expect(result.status).toBe('GATED_OUT');
    }
    const events = await read<{ type: string; seq: number }[]>(insurer, 'cargo:ListContainerEvents', [
      callId,
      containersA[1],
    ]);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'DISCHARGED'],
      [2, 'MOVED'],
      [3, 'GATE_OUT'],
    ]);
    // The dangerous consignment stays aboard.
    expect((await read<Container>(insurer, 'cargo:GetContainer', [callId, containerB])).status).toBe(
      'ON_BOARD',
    );
  });

  it('cargo operations end, the ship is cleared for departure and departs', async () => {
    const end = { event: 'CARGO_OPS_END', classifier: 'ACTUAL', time: iso(t0 + 180_000) };
    const ended = await onCall<TimeEntry>(terminal, 'RecordTime', [callId, end]);
    expect(ended.result).toMatchObject({ ...end, version: 1 });
    await expectRefusal(
      onCall(portAuthority, 'RecordTime', [callId, { ...end, time: iso(t0 + 200_000) }]),
      'CONFLICT',
    );

    await expectRefusal(onCall(terminal, 'ClearDeparture', [callId]), 'FORBIDDEN');
    expect((await onCall(portAuthority, 'ClearDeparture', [callId])).result.status).toBe('DEPARTURE_CLEARED');
    const departed = await onCall(portAuthority, 'Depart', [callId, iso(t0 + 240_000)]);
    expect(departed.result.status).toBe('DEPARTED');
    expect(
      Object.fromEntries(Object.entries(departed.result.times).map(([event, c]) => [event, c.ACTUAL?.time])),
    ).toEqual({
      ARRIVAL: iso(t0),
      BERTHING: iso(t0 + 60_000),
      CARGO_OPS_START: iso(t0 + 120_000),
      CARGO_OPS_END: iso(t0 + 180_000),
      DEPARTURE: iso(t0 + 240_000),
    });
    const history = await read<TimeEntry[]>(insurer, 'portcall:GetTimeHistory', [callId, 'ARRIVAL']);
    expect(history.map((e) => [e.classifier, e.version, e.time])).toEqual([
      ['ACTUAL', 1, iso(t0)],
      ['ESTIMATED', 1, eta],
    ]);
    // A departed call is final.
    const final = await expectRefusal(
      submitForm('FAL5', crewList(ship, crew, 'Chief')),
      'FAILED_PRECONDITION',
    );
    expect(final.details).toMatchObject({ state: 'DEPARTED' });
  });
});

describe('a permitted call amended, then cancelled: nothing changes afterwards', () => {
  const call2 = `CALL2-${run}`;
  const consignment2 = `CONS-2-${run}`;
  const container2 = containerNumber('MSCU', serial);
  const forms2 = {
    FAL1: () => generalDeclaration(ship, eta, { crew: 2, passengers: 0, dangerousGoods: false }),
    FAL2: (extra: boolean) =>
      cargoDeclaration(ship, [
        { consignmentId: consignment2, description: 'textiles', containers: [container2], dangerous: false },
        ...(extra
          ? [{ consignmentId: `${consignment2}-X`, description: 'paper', containers: [], dangerous: false }]
          : []),
      ]),
    FAL5: () => crewList(ship, 2),
  };
  const submit2 = (docType: string, form: unknown) =>
    onCall(agent, 'SubmitDocument', [call2, docType], { transient: { document: form } });

  it('is announced, declared with FAL 1, 2 and 5 only (no passengers, no dangerous goods), cleared and permitted', async () => {
    await write(agent, 'portcall:Announce', [
      {
        callId: call2,
        imo: ship.imo,
        vesselName: ship.vesselName,
        voyageNumber: `W${run}`,
        portOfCall: 'KRPUS',
        eta: iso(Date.now() + 30 * HOUR),
      },
    ]);
    await submit2('FAL1', forms2.FAL1());
    await submit2('FAL2', forms2.FAL2(false));
    await submit2('FAL5', forms2.FAL5());
    expect((await onCall(agent, 'Declare', [call2])).result.status).toBe('DECLARED');
    for (const authority of [customs, immigration, quarantine, portAuthority])
      await onCall(authority, 'Approve', [call2]);
    const { result } = await onCall(portAuthority, 'IssuePermit', [call2]);
    expect(result.status).toBe('PERMIT_ISSUED');
  });

  it('amending the cargo declaration withdraws the permit and the approvals of customs, quarantine and the port authority', async () => {
    const { result } = await submit2('FAL2', forms2.FAL2(true));
    expect(result.status).toBe('UNDER_REVIEW');
    expect(result.permit).toBeUndefined();
    expect(Object.keys(result.approvals)).toEqual(['immigration']);
    expect(result.documents.FAL2.version).toBe(2);
    await expectRefusal(onCall(portAuthority, 'IssuePermit', [call2]), 'FAILED_PRECONDITION');
  });

  it('the agent cancels it; afterwards every write is a CONFLICT', async () => {
    await expectRefusal(onCall(terminal, 'Cancel', [call2, 'not ours']), 'FORBIDDEN');
    const { result } = await onCall(agent, 'Cancel', [call2, 'voyage omitted']);
    expect(result.status).toBe('CANCELLED');
    for (const [who, tx, args] of [
      [customs, 'Approve', [call2]],
      [
        agent,
        'RecordTime',
        [call2, { event: 'ARRIVAL', classifier: 'ESTIMATED', time: iso(Date.now() + 40 * HOUR) }],
      ],
      [portAuthority, 'Cancel', [call2, 'again']],
    ] as const) {
      const refused = await expectRefusal(onCall(who, tx, [...args]), 'CONFLICT');
      expect(refused.details).toMatchObject({ state: 'CANCELLED' });
    }
    await expectRefusal(submit2('FAL5', crewList(ship, 2, 'Captain')), 'CONFLICT');
    await expectRefusal(
      write(agent, 'cargo:RegisterConsignment', [
        {
          consignmentId: consignment2,
          callId: call2,
          description: 'textiles',
          shipper: keyOf(shipper),
          consignee: keyOf(buyer),
          dangerous: false,
          containers: [container2],
        },
      ]),
      'CONFLICT',
    );
    expect((await getCall()).status).toBe('DEPARTED');
    expect((await read<PortCall>(agent, 'portcall:GetPortCall', [call2])).status).toBe('CANCELLED');
  });
});

describe('events', () => {
  it('every transition emitted its chaincode event, for agents, terminals and truckers to follow', async () => {
    const txIds = flow.map((f) => f.txId);
    const events = await chaincodeEventsOf(agent, channel(), CC, flow[0].blockNumber, txIds);
    for (const f of flow) {
      const event = events.get(f.txId);
      expect([f.tx, event?.eventName]).toEqual([f.tx, f.tx.replace(':', '.')]);
      const payload = JSON.parse(event!.payload.toString('utf8')) as {
        txId: string;
        events: { type: string }[];
      };
      expect(payload.txId).toBe(f.txId);
      expect(payload.events.length).toBeGreaterThan(0);
    }
    const types = [...events.values()].flatMap((e) =>
      (JSON.parse(e.payload.toString('utf8')) as { events: { type: string }[] }).events.map((x) => x.type),
    );
    for (const type of [
      'PortCallAnnounced',
      'DocumentSubmitted',
      'PortCallDeclared',
      'ReviewRestarted',
      'PortCallCleared',
      'PermitIssued',
      'ShipArrived',
      'ShipBerthed',
      'CargoOperationsStarted',
      'ContainerDischarged',
      'ContainerMoved',
      'BillOfLadingTransferred',
      'BillOfLadingSurrendered',
      'ContainerGateOut',
      'DepartureCleared',
      'ShipDeparted',
      'PermitWithdrawn',
      'PortCallCancelled',
    ])
      expect(types).toContain(type);
  });
});
