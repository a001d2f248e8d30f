import { Repository } from '@cityledger/chaincode-common';
import type { BillOfLading, Consignment, Container, ContainerEvent, PortCall, TimeEntry } from './model';

/** Sequence numbers in keys, zero-padded so key order is numeric order. */
export const seqKey = (n: number) => String(n).padStart(6, '0');

/**
 * Port calls. Key-level endorsement: every write needs CityMSP and PortMSP peers. The record's
 * `times` is empty for a call announced by this version: its latest times are under `latestTimes`.
 */
export const portCalls = new Repository<PortCall>('portcall', (c) => [c.callId]);

/** The latest entry per event and classifier of a call, and when they last changed. */
export interface LatestTimes {
  callId: string;
  times: PortCall['times'];
  updatedAt: string;
}
/**
 * A call's latest times, apart from its record: cargo transactions read the record (status, agent),
 * so a new estimate that wrote it would invalidate every discharge endorsed meanwhile (MVCC). Same
 * key-level policy as the call, set at Announce. A call announced by an older version has no such
 * key (its times are in its record, its consignments are not in `insuredConsignments`).
 */
export const latestTimes = new Repository<LatestTimes>('portcallLatestTimes', (t) => [t.callId]);
/** Every version of every timestamp of a call. */
export const callTimes = new Repository<TimeEntry>('portcallTime', (t) => [
  t.callId,
  t.event,
  t.classifier,
  seqKey(t.version),
]);
export const consignments = new Repository<Consignment>('consignment', (c) => [c.consignmentId]);
/** Index: the consignments of a call (and their insurers, as written by older versions). */
export const consignmentsByCall = new Repository<{ callId: string; consignmentId: string; insurer?: string }>(
  'consignmentByCall',
  (x) => [x.callId, x.consignmentId],
);
/**
 * Index: the consignments of a call by insurer, so that the document access check reads one key of
 * the caller's, not every consignment of the call. A consignment's insurer is set at registration only.
 */
export const insuredConsignments = new Repository<{ callId: string; insurer: string; consignmentId: string }>(
  'consignmentByCallInsurer',
  (x) => [x.callId, x.insurer, x.consignmentId],
);
/** A container on one call (container numbers recur across voyages). */
export const containers = new Repository<Container>('container', (c) => [c.callId, c.containerNumber]);
export const containerEvents = new Repository<ContainerEvent>('containerEvent', (e) => [
  e.callId,
  e.containerNumber,
  seqKey(e.seq),
]);
export const bills = new Repository<BillOfLading>('billOfLading', (b) => [b.blNumber]);
