/**
 * Logistics: port-call events — a terminal records the planned berthing time of a call
 * (portcall:RecordTime, PLANNED, a new version each time), on a pool of calls announced in setup by a
 * shipping agent. Every write to a call's key needs CityMSP and PortMSP peers (key-level endorsement),
 * and two writes of one call in a block conflict, so each call takes one event at a time.
 */
import { submitAs } from '../../support/calls';
import { randomImo } from '../../support/port';
import { Outcome } from '../load';
import { Pool, roundRobin } from '../pool';
import { DirectContext, PrepareContext, RestContext, Workload } from '../workloads';
import {
  Actor,
  enrol,
  inBatches,
  iso,
  makeActors,
  once,
  poolSize,
  restAs,
  restKeysFor,
  SETUP_PARALLEL,
  submitDirect,
} from './common';

const ENDORSERS = ['CityMSP', 'PortMSP'];
const HOUR = 3_600_000;

let calls: Pool<string> | undefined;
/** terminal operators: [0] acts in direct mode, all of them (in turn) through the gateway */
let terminals: Actor[] = [];

const logisticsSetup = (ctx: PrepareContext) =>
  once('logistics', async () => {
    const agent = await enrol('port', `bench-${ctx.runId}-agent`, { role: 'agent' });
    const ids = Array.from({ length: poolSize(ctx) }, (_, i) => `bench-${ctx.runId}-call-${i}`);
    await inBatches(ids, SETUP_PARALLEL, (callId, i) =>
      submitAs(agent, 'logistics', 'portcall:Announce', [
        {
          callId,
          imo: randomImo(),
          vesselName: `BENCH ${i}`,
          voyageNumber: `B${i}`,
          portOfCall: 'KRPUS',
          eta: iso(Date.now() + 48 * HOUR),
          etd: iso(Date.now() + 72 * HOUR),
        },
      ]),
    );
    calls = new Pool(ids);
    terminals = await makeActors(
      ctx,
      restKeysFor(ctx),
      'port',
      `bench-${ctx.runId}-terminal`,
      { role: 'terminal' },
      'logistics',
    );
  });

const timeOf = (i: number) => ({
  event: 'BERTHING',
  classifier: 'PLANNED',
  time: iso(Date.now() + 49 * HOUR + (i % 3600) * 1000),
});

export const logisticsTime: Workload = {
  name: 'logistics-time',
  kind: 'submit',
  chaincode: 'logistics',
  description:
    'portcall:RecordTime (terminal, planned berthing) on a pool of calls, CityMSP+PortMSP endorsement',
  prepare: (ctx) => logisticsSetup(ctx),
  direct: (_ctx: DirectContext) => (i) =>
    calls!.use((callId): Promise<Outcome> =>
      submitDirect(terminals[0].contract!, 'portcall:RecordTime', [callId, timeOf(i)], {
        endorsingOrganizations: ENDORSERS,
      }),
    ),
  rest: (ctx: RestContext) => {
    const terminal = roundRobin(terminals);
    return (i) =>
      calls!.use((callId) =>
        restAs(ctx, terminal())('POST', '/api/v1/logistics/times', { callId, input: timeOf(i) }),
      );
  },
};
