import { ContractHarness } from '@cityledger/chaincode-common';
import { contracts } from './index';
import { ids } from './logistics.fixtures';

describe('metadata', () => {
  it('lists every transaction with named, typed parameters and the right tag', async () => {
    const meta = await new ContractHarness(contracts).metadata(ids.agent);
    const txs = (name: string) =>
      meta.contracts[name].transactions as {
        name: string;
        tag: string[];
        parameters: { name: string }[];
        endorsers?: string[];
        transient?: object;
      }[];
    const summary = (name: string) =>
      Object.fromEntries(
        txs(name).map((t) => [t.name, [t.tag[0], t.parameters.map((p) => p.name).join(',')]]),
      );
    expect(summary('portcall')).toEqual({
      Announce: ['SUBMIT', 'input'],
      SubmitDocument: ['SUBMIT', 'callId,docType'],
      Declare: ['SUBMIT', 'callId'],
      Approve: ['SUBMIT', 'callId'],
      Reject: ['SUBMIT', 'callId,reason'],
      IssuePermit: ['SUBMIT', 'callId'],
      Cancel: ['SUBMIT', 'callId,reason'],
      RecordTime: ['SUBMIT', 'callId,input'],
      Arrive: ['SUBMIT', 'callId,time'],
      Berth: ['SUBMIT', 'callId,time'],
      StartWork: ['SUBMIT', 'callId,time'],
      ClearDeparture: ['SUBMIT', 'callId'],
      Depart: ['SUBMIT', 'callId,time'],
      GetPortCall: ['EVALUATE', 'callId'],
      ListPortCalls: ['EVALUATE', 'pageSize,bookmark'],
      GetTimeHistory: ['EVALUATE', 'callId,event'],
      CheckDocumentAccess: ['EVALUATE', 'callId,docType'],
    });
    expect(summary('cargo')).toEqual({
      RegisterConsignment: ['SUBMIT', 'input'],
      RecordContainerEvent: ['SUBMIT', 'callId,containerNumber,input'],
      GetConsignment: ['EVALUATE', 'consignmentId'],
      ListConsignments: ['EVALUATE', 'callId,pageSize,bookmark'],
      GetContainer: ['EVALUATE', 'callId,containerNumber'],
      ListContainerEvents: ['EVALUATE', 'callId,containerNumber'],
    });
    expect(summary('bl')).toEqual({
      DraftBillOfLading: ['SUBMIT', 'input'],
      IssueBillOfLading: ['SUBMIT', 'blNumber'],
      TransferBillOfLading: ['SUBMIT', 'blNumber,newHolder'],
      SurrenderBillOfLading: ['SUBMIT', 'blNumber'],
      AmendBillOfLading: ['SUBMIT', 'blNumber,input'],
      GetBillOfLading: ['EVALUATE', 'blNumber'],
      CheckBillOfLadingAccess: ['EVALUATE', 'blNumber'],
    });
  });

  it('tells clients which port call transactions need CityMSP and PortMSP endorsers, and the transient document', async () => {
    const meta = await new ContractHarness(contracts).metadata(ids.agent);
    const txs = meta.contracts.portcall.transactions as {
      name: string;
      tag: string[];
      endorsers?: string[];
      transient?: { properties: object };
    }[];
    const writesCall = txs.filter((t) => t.tag[0] === 'SUBMIT' && t.name !== 'Announce');
    for (const t of writesCall) expect([t.name, t.endorsers]).toEqual([t.name, ['CityMSP', 'PortMSP']]);
    expect(txs.find((t) => t.name === 'Announce')?.endorsers).toBeUndefined();
    expect(Object.keys(txs.find((t) => t.name === 'SubmitDocument')?.transient?.properties ?? {})).toEqual([
      'document',
    ]);
  });
});
