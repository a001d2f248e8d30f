import { Repository } from '@cityledger/chaincode-common';
import type { BillOfLading, Consignment, Container, ContainerEvent, PortCall, TimeEntry } from './model';

/** Sequence numbers in keys, zero-padded so key order is numeric order. */
export const seqKey = (n: number) => String(n).padStart(6, '0');

/** Port calls. Key-level endorsement: every write needs CityMSP and PortMSP peers. */
export const portCalls = new Repository<PortCall>('portcall', (c) => [c.callId]);
/** Every version of every timestamp of a call. */
export const callTimes = new Repository<TimeEntry>('portcallTime', (t) => [
  t.callId,
  t.event,
  t.classifier,
  seqKey(t.version),
]);
export const consignments = new Repository<Consignment>('consignment', (c) => [c.consignmentId]);
/** Index: the consignments of a call (and their insurers, for the access matrix). */
export const consignmentsByCall = new Repository<{ callId: string; consignmentId: string; insurer?: string }>(
  'consignmentByCall',
  (x) => [x.callId, x.consignmentId],
);
/** A container on one call (container numbers recur across voyages). */
export const containers = new Repository<Container>('container', (c) => [c.callId, c.containerNumber]);
export const containerEvents = new Repository<ContainerEvent>('containerEvent', (e) => [
  e.callId,
  e.containerNumber,
  seqKey(e.seq),
]);
export const bills = new Repository<BillOfLading>('billOfLading', (b) => [b.blNumber]);
