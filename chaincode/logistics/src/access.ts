import type { Authority, DocType } from './model';

/**
 * The permission matrix: who may read each FAL form. An entry is either an (MSP, role) pair
 * written 'MSP:role', or a relation to the call: 'agent' (the agent who announced it) and
 * 'consignment-insurer' (the insurer of a consignment carried on the call). An insurer sees the
 * cargo documents of the calls carrying what it insures, never the crew or passenger lists.
 */
export const READERS: Record<DocType, readonly string[]> = {
  FAL1: [
    'CityMSP:customs',
    'CityMSP:immigration',
    'CityMSP:quarantine',
    'PortMSP:port-authority',
    'PortMSP:terminal',
    'agent',
  ],
  FAL2: [
    'CityMSP:customs',
    'CityMSP:quarantine',
    'PortMSP:port-authority',
    'PortMSP:terminal',
    'PortMSP:carrier',
    'agent',
    'consignment-insurer',
  ],
  FAL5: ['CityMSP:immigration', 'CityMSP:quarantine', 'PortMSP:port-authority', 'agent'],
  FAL6: ['CityMSP:immigration', 'CityMSP:quarantine', 'agent'],
  FAL7: [
    'CityMSP:customs',
    'PortMSP:port-authority',
    'PortMSP:terminal',
    'PortMSP:carrier',
    'agent',
    'consignment-insurer',
  ],
};

/**
 * Who may read a bill of lading document (kept off-chain, its hash on the ledger): its issuer, its
 * current holder, the consignment's shipper, consignee and insurer, and customs. A former holder
 * gave the title away with the document.
 */
export const BILL_READERS: readonly string[] = [
  'issuer',
  'holder',
  'shipper',
  'consignee',
  'consignment-insurer',
  'CityMSP:customs',
];

/**
 * The authorities that review each form: amending it withdraws their approvals, and only theirs.
 * Every reviewer of a form is also one of its readers (tested).
 */
export const REVIEWERS: Record<DocType, readonly Authority[]> = {
  FAL1: ['customs', 'immigration', 'quarantine', 'port-authority'],
  FAL2: ['customs', 'quarantine', 'port-authority'],
  FAL5: ['immigration', 'quarantine'],
  FAL6: ['immigration', 'quarantine'],
  FAL7: ['customs', 'port-authority'],
};

/** What the caller is, for the matrix: its 'MSP:role' and the relations it has to the call. */
export interface Reader {
  mspId: string;
  role?: string;
  relations: readonly string[];
}

/**
 * The reader entry that lets `reader` in, or undefined when none does. `readers` is the list
 * recorded with the document (READERS[docType] when it was submitted).
 */
export function readGrant(readers: readonly string[], reader: Reader): string | undefined {
  const own = reader.role ? [`${reader.mspId}:${reader.role}`] : [];
  return readers.find((entry) => own.includes(entry) || reader.relations.includes(entry));
}

/** The form types an authority must be able to read (the ones it reviews). */
export function reviewedBy(authority: Authority): DocType[] {
  return (Object.keys(REVIEWERS) as DocType[]).filter((t) => REVIEWERS[t].includes(authority));
}
