/**
 * The domain 80/20 mix: 80% reads (a credential, an energy interval, a vehicle record, in turn),
 * 20% writes (credential issuance, an energy order, a telemetry anchor, a port-call event, in turn),
 * on the objects the single-write workloads set up (shared, not set up twice).
 */
import { Operation } from '../load';
import { DirectContext, RestContext, Workload } from '../workloads';
import { energyForMix } from './energy';
import { identityIssue, identityRead } from './identity';
import { logisticsTime } from './logistics';
import { mobilityAnchor, mobilityRead } from './mobility';

const writes = [identityIssue, energyForMix.write, mobilityAnchor, logisticsTime];
const reads = [identityRead, energyForMix.read, mobilityRead];

function mixOf(readOps: Operation[], writeOps: Operation[]): Operation {
  return (i) => {
    const turn = Math.floor(i / 5);
    return i % 5 === 4 ? writeOps[turn % writeOps.length](i) : readOps[(i % 5) % readOps.length](i);
  };
}

export const domainMix: Workload = {
  name: 'domain-mix-80-20',
  kind: 'mix',
  chaincode: 'identity',
  chaincodes: ['identity', 'energy', 'mobility', 'logistics'],
  description:
    '80% domain reads (credential, interval, vehicle), 20% domain writes (issuance, order, anchor, port-call event)',
  prepare: async (ctx) => {
    for (const w of writes) await w.prepare!(ctx);
  },
  direct: (ctx: DirectContext) =>
    mixOf(
      reads.map((r) => r.direct(ctx)),
      writes.map((w) => w.direct!(ctx)),
    ),
  rest: (ctx: RestContext) =>
    mixOf(
      reads.map((r) => r.rest(ctx)),
      writes.map((w) => w.rest!(ctx)),
    ),
};
