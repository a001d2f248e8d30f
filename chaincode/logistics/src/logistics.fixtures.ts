import { ContractHarness, identity, type TestIdentity, type TxResult } from '@cityledger/chaincode-common';
import { containerCheckDigit } from './identifiers';
import { contracts } from './index';
import type { DocType, PortCall } from './model';

/** Everyone the port deals with, as real enrolment certificates of their orgs. */
export const ids = {
  agent: identity('PortMSP', 'agent1', { role: 'agent' }),
  otherAgent: identity('PortMSP', 'agent2', { role: 'agent' }),
  customs: identity('CityMSP', 'customs1', { role: 'customs' }),
  immigration: identity('CityMSP', 'immigration1', { role: 'immigration' }),
  quarantine: identity('CityMSP', 'quarantine1', { role: 'quarantine' }),
  portAuthority: identity('PortMSP', 'harbour-master', { role: 'port-authority' }),
  terminal: identity('PortMSP', 'terminal-hpnt', { role: 'terminal' }),
  carrier: identity('PortMSP', 'carrier-hmm', { role: 'carrier' }),
  trucker: identity('PortMSP', 'trucker1', { role: 'trucker' }),
  insurer: identity('InsurerMSP', 'cargo-uw', { role: 'insurer' }),
  otherInsurer: identity('InsurerMSP', 'other-uw', { role: 'insurer' }),
  shipper: identity('PortMSP', 'shipper-co', { role: 'agent' }),
  buyer: identity('PortMSP', 'buyer-co', { role: 'agent' }),
  bank: identity('InsurerMSP', 'trade-bank', { role: 'insurer' }),
  resident: identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' }),
  /** A PortMSP certificate claiming a City role: the role means nothing outside CityMSP. */
  fakeCustoms: identity('PortMSP', 'faker', { role: 'customs' }),
  noRole: identity('PortMSP', 'nobody'),
};

export const AUTHORITY_IDS: Record<string, TestIdentity> = {
  customs: ids.customs,
  immigration: ids.immigration,
  quarantine: ids.quarantine,
  'port-authority': ids.portAuthority,
};

export const NOW = '2026-06-01T00:00:00.000Z';
export const ETA = '2026-06-03T06:00:00.000Z';
export const ETD = '2026-06-04T18:00:00.000Z';
export const IMO = 'IMO9074729';

/** A valid ISO 6346 number for a serial (check digit computed). */
export const container = (serial: number, owner = 'HMMU') => {
  const first10 = `${owner}${String(serial).padStart(6, '0')}`;
  return `${first10}${containerCheckDigit(first10)}`;
};

export function newHarness(): ContractHarness {
  return new ContractHarness(contracts, { now: NOW });
}

export const announceInput = (callId = 'CALL-1', overrides: Record<string, unknown> = {}) => ({
  callId,
  imo: IMO,
  vesselName: 'HMM Algeciras',
  voyageNumber: '024E',
  portOfCall: 'KRPUS',
  eta: ETA,
  etd: ETD,
  ...overrides,
});

export const fal1 = (overrides: Record<string, unknown> = {}) => ({
  imo: IMO,
  vesselName: 'HMM Algeciras',
  callSign: 'D7AB',
  flagState: 'KR',
  portOfArrival: 'KRPUS',
  lastPortOfCall: 'CNSHA',
  arrival: ETA,
  masterName: 'Park Seo-jun',
  grossTonnage: 228283,
  crewCount: 2,
  passengerCount: 0,
  dangerousGoodsOnBoard: false,
  cargoBrief: 'containers',
  ...overrides,
});

export const fal2 = (overrides: Record<string, unknown> = {}, dangerous = false) => ({
  imo: IMO,
  portOfLoading: 'CNSHA',
  portOfDischarge: 'KRPUS',
  items: [
    {
      consignmentId: 'CONS-1',
      description: 'electronics',
      hsCode: '851712',
      packages: 40,
      grossMassKg: 12000,
      containers: [container(1)],
      dangerous: false,
    },
    {
      consignmentId: 'CONS-2',
      description: 'batteries',
      packages: 10,
      grossMassKg: 8000,
      containers: [container(2)],
      dangerous,
    },
  ],
  ...overrides,
});

const sailor = (i: number) => ({
  familyName: `Lee${i}`,
  givenNames: 'Min',
  rank: i === 0 ? 'Master' : 'AB',
  nationality: 'KR',
  dateOfBirth: '1980-01-01',
  documentType: 'SEAMANS_BOOK',
  documentNumber: `SB${i}`,
});
export const fal5 = (count = 2) => ({ imo: IMO, crew: Array.from({ length: count }, (_, i) => sailor(i)) });

export const fal6 = (count = 1) => ({
  imo: IMO,
  passengers: Array.from({ length: count }, (_, i) => ({
    familyName: `Choi${i}`,
    givenNames: 'Yuna',
    nationality: 'JP',
    dateOfBirth: '1990-02-02',
    portOfEmbarkation: 'CNSHA',
    portOfDisembarkation: 'KRPUS',
    transit: false,
    documentType: 'PASSPORT',
    documentNumber: `P${i}`,
  })),
});

export const fal7 = () => ({
  imo: IMO,
  items: [
    {
      unNumber: 'UN3480',
      properShippingName: 'Lithium ion batteries',
      hazardClass: '9',
      packingGroup: 'II',
      quantityKg: 8000,
      stowagePosition: '0120482',
      containerNumber: container(2),
    },
  ],
});

/** Runs a submit that must succeed and commit; returns its value. */
export async function ok<T = PortCall>(result: Promise<TxResult<T>>): Promise<T> {
  const r = await result;
  if (!r.ok || !r.committed) throw new Error(`expected success, got ${r.message} ${r.validationCode ?? ''}`);
  return r.value;
}

export const submitDoc = (
  h: ContractHarness,
  callId: string,
  docType: DocType,
  document: unknown,
  who = ids.agent,
) => h.submit<PortCall>(who, 'portcall:SubmitDocument', [callId, docType], { transient: { document } });

/** Announced. */
export async function announced(h: ContractHarness, callId = 'CALL-1'): Promise<PortCall> {
  return ok(h.submit<PortCall>(ids.agent, 'portcall:Announce', [announceInput(callId)]));
}

/** Announced, with FAL 1, 2 and 5 submitted, then declared. */
export async function declared(h: ContractHarness, callId = 'CALL-1'): Promise<PortCall> {
  await announced(h, callId);
  await ok(submitDoc(h, callId, 'FAL1', fal1()));
  await ok(submitDoc(h, callId, 'FAL2', fal2()));
  await ok(submitDoc(h, callId, 'FAL5', fal5()));
  return ok(h.submit<PortCall>(ids.agent, 'portcall:Declare', [callId]));
}

export async function approveAll(
  h: ContractHarness,
  callId: string,
  except: string[] = [],
): Promise<PortCall | undefined> {
  let last: PortCall | undefined;
  for (const [authority, who] of Object.entries(AUTHORITY_IDS)) {
    if (except.includes(authority)) continue;
    last = await ok(h.submit<PortCall>(who, 'portcall:Approve', [callId]));
  }
  return last;
}

/** Declared and approved by every authority. */
export async function cleared(h: ContractHarness, callId = 'CALL-1'): Promise<PortCall> {
  await declared(h, callId);
  return (await approveAll(h, callId)) as PortCall;
}

export async function permitted(h: ContractHarness, callId = 'CALL-1'): Promise<PortCall> {
  await cleared(h, callId);
  return ok(h.submit<PortCall>(ids.portAuthority, 'portcall:IssuePermit', [callId]));
}

/** At berth with cargo operations running; the clock is moved to the arrival day. */
export async function working(h: ContractHarness, callId = 'CALL-1'): Promise<PortCall> {
  await permitted(h, callId);
  h.setTime('2026-06-03T12:00:00.000Z');
  await ok(h.submit(ids.portAuthority, 'portcall:Arrive', [callId, '2026-06-03T06:10:00.000Z']));
  await ok(h.submit(ids.terminal, 'portcall:Berth', [callId, '2026-06-03T08:00:00.000Z']));
  return ok(h.submit<PortCall>(ids.terminal, 'portcall:StartWork', [callId, '2026-06-03T09:00:00.000Z']));
}

export const consignmentInput = (overrides: Record<string, unknown> = {}) => ({
  consignmentId: 'CONS-1',
  callId: 'CALL-1',
  description: 'electronics',
  shipper: ids.shipper.key,
  consignee: ids.buyer.key,
  insurer: ids.insurer.key,
  dangerous: false,
  containers: [container(1), container(3)],
  ...overrides,
});
