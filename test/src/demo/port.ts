/**
 * Act 5 — the port (Busan's port logistics): a shipping agent announces a container ship's call and submits
 * its FAL forms (as transient data: the crew list never reaches a block); customs, immigration, quarantine
 * and the port authority each clear it; the port authority issues the port-entry permit (every write on the
 * call endorsed by CityMSP + PortMSP); the ship arrives, berths and discharges; the shipper transfers the
 * electronic bill of lading to the buyer, who surrenders it to take the containers out of the gate; the
 * ship departs.
 */
import { randomInt } from 'node:crypto';
import { canonical, sha256hex } from '../support/credentials';
import {
  cargoDeclaration,
  containerNumber,
  crewList,
  generalDeclaration,
  randomImo,
  Ship,
} from '../support/port';
import { Client } from './client';
import { Day } from './context';
import { check, refusal } from './narrator';

interface PortCall {
  callId: string;
  status: string;
  permit?: { permitId: string };
}
interface BillOfLading {
  blNumber: string;
  status: string;
  holder: string;
}
interface Container {
  status: string;
  location?: string;
}

export interface PortOutcome {
  callId: string;
  /** Who was served the crew list (FAL5) by the gateway. */
  crewListReadBy: string[];
  statuses: string[];
  permitId: string;
  containers: string[];
  containerStatuses: string[];
  blNumber: string;
  blStatus: string;
  blHolder: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR = 3_600_000;

export async function portAct(day: Day): Promise<PortOutcome> {
  const { narrator: n } = day;
  n.act(5, 'Port: a ship cleared, berthed and discharged; a bill of lading surrendered');

  const [customs, immigration, quarantine] = await Promise.all([
    day.enrol('city', 'customs', 'customs'),
    day.enrol('city', 'immigration-port', 'immigration'),
    day.enrol('city', 'quarantine', 'quarantine'),
  ]);
  const authority = await day.enrol('port', 'harbour-master', 'port-authority');
  const agent = await day.enrol('port', 'ship-agent', 'agent');
  const terminal = await day.enrol('port', 'hpnt-terminal', 'terminal');
  const carrier = await day.enrol('port', 'hmm-line', 'carrier');
  const shipper = await day.enrol('port', 'samsung-logistics', 'agent');
  const buyer = await day.enrol('port', 'busan-importer', 'agent');

  const callId = day.id('CALL');
  const ship: Ship = { imo: randomImo(), vesselName: `HMM Algeciras ${day.run}` };
  const consignmentId = day.id('CONS');
  const serial = randomInt(0, 899_999);
  const containers = [containerNumber('HMMU', serial), containerNumber('HMMU', serial + 1)];
  const blNumber = day.id('BL');
  const statuses: string[] = [];
  const crewListReadBy: string[] = [];
  const onCall = async (who: Client, what: string, path: string, body: unknown) => {
    const c = n.tx(what, await who.submit<PortCall>(`logistics/${path}`, body));
    statuses.push(c.result.status);
    return c.result;
  };

  const eta = iso(Date.now() + 25 * HOUR);
  await onCall(
    agent,
    `agent announces call ${callId}: ${ship.vesselName} (${ship.imo}), ETA ${eta}`,
    'announce',
    {
      callId,
      imo: ship.imo,
      vesselName: ship.vesselName,
      voyageNumber: `V${day.run}`,
      portOfCall: 'KRPUS',
      eta,
      etd: iso(Date.now() + 55 * HOUR),
    },
  );
  n.tx(
    `agent registers consignment ${consignmentId}: electronics in ${containers.join(', ')}`,
    await agent.submit('logistics/cargo/consignments', {
      consignmentId,
      callId,
      description: 'electronics',
      shipper: shipper.key,
      consignee: buyer.key,
      dangerous: false,
      containers,
    }),
  );
  const crew = 3;
  const forms = {
    FAL1: generalDeclaration(ship, eta, { crew, passengers: 0, dangerousGoods: false }),
    FAL2: cargoDeclaration(ship, [
      { consignmentId, description: 'electronics', containers, dangerous: false },
    ]),
    FAL5: crewList(ship, crew),
  };
  const names = { FAL1: 'general declaration', FAL2: 'cargo declaration', FAL5: 'crew list' };
  for (const docType of ['FAL1', 'FAL2', 'FAL5'] as const) {
    await onCall(
      agent,
      `agent submits ${docType} (${names[docType]}) as transient data; the ledger keeps its hash and a summary`,
      'documents',
      {
        callId,
        docType,
        transient: { document: forms[docType] },
      },
    );
  }
  // The forms themselves: kept by the gateway, served to a reader the chaincode names (checked as that
  // reader), the hash compared with the ledger's.
  const served = await immigration.request<{ hash: string; document: { crew: unknown[] } }>(
    'GET',
    `/api/v1/documents/logistics/${encodeURIComponent(callId)}/FAL5`,
  );
  check(
    served.hash === sha256hex(canonical(forms.FAL5)),
    'the crew list served is the one the agent submitted',
  );
  n.say(
    `immigration reads the crew list (${served.document.crew.length} crew) the agent submitted; its hash is the ledger's`,
  );
  crewListReadBy.push(immigration.key);
  const notReader = await refusal(
    terminal.request('GET', `/api/v1/documents/logistics/${encodeURIComponent(callId)}/FAL5`),
    'FORBIDDEN',
  );
  n.refused('the terminal asks for the crew list (not among its readers)', notReader);
  await onCall(agent, 'agent declares the call (the forms are complete)', 'declare', { callId });
  for (const [who, name] of [
    [customs, 'customs'],
    [immigration, 'immigration'],
    [quarantine, 'quarantine'],
    [authority, 'the port authority'],
  ] as const) {
    await onCall(who, `${name} (${who.key}) approves`, 'approve', { callId });
  }
  const permitted = await onCall(authority, 'the port authority issues the port-entry permit', 'permits', {
    callId,
  });
  const permitId = permitted.permit!.permitId;
  n.info(`permit ${permitId.slice(0, 10)}… (call ${permitted.status})`);

  // The ship comes in: actual times a little in the past, in event order.
  const t0 = Date.now() - 10 * 60_000;
  await onCall(authority, `arrival at ${iso(t0).slice(11, 16)}`, 'arrive', { callId, time: iso(t0) });
  await onCall(terminal, `berthed at the terminal at ${iso(t0 + 60_000).slice(11, 16)}`, 'berth', {
    callId,
    time: iso(t0 + 60_000),
  });
  await onCall(terminal, 'cargo operations start', 'start-work', { callId, time: iso(t0 + 120_000) });
  for (const container of containers) {
    n.tx(
      `terminal discharges ${container}`,
      await terminal.submit('logistics/cargo/container-events', {
        callId,
        containerNumber: container,
        input: { type: 'DISCHARGED', terminal: 'HPNT' },
      }),
    );
  }
  const held = await refusal(
    terminal.submit('logistics/cargo/container-events', {
      callId,
      containerNumber: containers[0],
      input: { type: 'GATE_OUT', terminal: 'HPNT' },
    }),
    'FAILED_PRECONDITION',
  );
  n.refused(`the gate releases ${containers[0]} before the bill of lading is surrendered`, held);

  // The electronic bill of lading: issued by the carrier to the shipper, transferred to the buyer, surrendered.
  n.tx(
    `carrier ${carrier.key} drafts bill of lading ${blNumber} (holder: the shipper)`,
    await carrier.submit('logistics/bl/draft-bill-of-lading', {
      blNumber,
      consignmentId,
      documentHash: sha256hex(`bill of lading ${blNumber} for ${consignmentId}`),
    }),
  );
  n.tx('carrier issues it', await carrier.submit('logistics/bl/bill-of-ladings', { blNumber }));
  const notHolder = await refusal(
    carrier.submit('logistics/bl/transfer-bill-of-lading', { blNumber, newHolder: carrier.key }),
    'FORBIDDEN',
  );
  n.refused('the carrier (not the holder) tries to transfer it', notHolder);
  n.tx(
    `the shipper transfers it to the buyer ${buyer.key}`,
    await shipper.submit('logistics/bl/transfer-bill-of-lading', { blNumber, newHolder: buyer.key }),
  );
  const surrendered = n.tx(
    'the buyer surrenders it to take delivery',
    await buyer.submit<BillOfLading>('logistics/bl/surrender-bill-of-lading', { blNumber }),
  );
  for (const container of containers) {
    n.tx(
      `the gate releases ${container} to the buyer's trucks`,
      await terminal.submit('logistics/cargo/container-events', {
        callId,
        containerNumber: container,
        input: { type: 'GATE_OUT', terminal: 'HPNT' },
      }),
    );
  }
  const containerStatuses = await Promise.all(
    containers.map(
      async (c) =>
        (
          await buyer.get<{ result: Container }>(`logistics/cargo/containers/${callId}`, {
            containerNumber: c,
          })
        ).result.status,
    ),
  );

  await onCall(authority, 'the port authority clears the departure', 'clear-departure', { callId });
  const departed = await onCall(authority, 'the ship departs', 'depart', {
    callId,
    time: iso(Date.now() - 5_000),
  });
  n.info(`call ${callId}: ${statuses.filter((x, i) => x !== statuses[i - 1]).join(' → ')}`);
  check(departed.status === 'DEPARTED', 'the ship departed');

  return {
    callId,
    crewListReadBy,
    statuses,
    permitId,
    containers,
    containerStatuses,
    blNumber,
    blStatus: surrendered.result.status,
    blHolder: surrendered.result.holder,
  };
}
