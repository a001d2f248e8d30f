import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  Submit,
  caller,
  conflict,
  emit,
  failedPrecondition,
  forbidden,
  invalidArgument,
  requireOrgRole,
  txTime,
  type Caller,
} from '@cityledger/chaincode-common';
import { BILL_READERS, readGrant } from './access';
import { act, billMachine } from './lifecycle';
import {
  AmendBlInput,
  BillAccessGrantSchema,
  BillOfLadingSchema,
  Carrier,
  DraftBlInput,
  MAX_TRANSFERS,
  PartyKey,
  type BillAccessGrant,
  type BillOfLading,
  type Consignment,
} from './model';
import { bills, consignments } from './store';

const BlNumber = () => Id({ description: 'bill of lading number' });

/**
 * Electronic bills of lading: DRAFT -> ISSUED -> transferred by its current holder only ->
 * SURRENDERED for delivery (which releases the consignment's containers at the gate). An
 * amendment voids the bill and reissues it under a new number to the same holder.
 */
export class BillOfLadingContract extends CityContract {
  constructor() {
    super('bl');
  }

  @Submit({
    description:
      "Draft the bill of lading of a consignment (PortMSP carrier, who becomes its issuer). Its first holder is the consignment's shipper.",
    params: { input: DraftBlInput },
    returns: BillOfLadingSchema,
  })
  async DraftBillOfLading(ctx: Context, input: DraftBlInput): Promise<BillOfLading> {
    const who = requireOrgRole(ctx, Carrier);
    const consignment = await consignments.require(ctx, input.consignmentId);
    if (consignment.blNumber) {
      throw conflict(
        `consignment ${consignment.consignmentId} already has bill of lading ${consignment.blNumber}`,
        {
          objectType: 'billOfLading',
          id: consignment.blNumber,
        },
      );
    }
    const now = txTime(ctx).iso;
    const bill: BillOfLading = {
      blNumber: input.blNumber,
      consignmentId: consignment.consignmentId,
      callId: consignment.callId,
      status: 'DRAFT',
      issuer: who.key,
      holder: consignment.shipper,
      documentHash: input.documentHash,
      transfers: [],
      createdAt: now,
      updatedAt: now,
    };
    await bills.create(ctx, bill);
    await consignments.put(ctx, { ...consignment, blNumber: bill.blNumber });
    emit(ctx, 'BillOfLadingDrafted', {
      blNumber: bill.blNumber,
      consignmentId: bill.consignmentId,
      callId: bill.callId,
    });
    return bill;
  }

  @Submit({
    description: 'Issue a drafted bill of lading (its issuer).',
    params: { blNumber: BlNumber() },
    returns: BillOfLadingSchema,
  })
  async IssueBillOfLading(ctx: Context, blNumber: string): Promise<BillOfLading> {
    const { bill, actor } = await load(ctx, blNumber);
    const status = act(billMachine, 'issue', { from: ['DRAFT'], to: 'ISSUED' }, bill.status, actor);
    return save(ctx, { ...bill, status }, 'BillOfLadingIssued');
  }

  @Submit({
    description: 'Transfer title to another party (the current holder only).',
    params: { blNumber: BlNumber(), newHolder: PartyKey('the new holder') },
    returns: BillOfLadingSchema,
  })
  async TransferBillOfLading(ctx: Context, blNumber: string, newHolder: string): Promise<BillOfLading> {
    const { bill, who, actor } = await load(ctx, blNumber);
    const status = act(billMachine, 'transfer', { from: ['ISSUED'], to: 'ISSUED' }, bill.status, actor);
    if (newHolder === bill.holder)
      throw invalidArgument('the new holder already holds the bill', {
        input: 'newHolder',
        errors: [{ path: '', message: 'same as the holder' }],
      });
    if (bill.transfers.length >= MAX_TRANSFERS) {
      throw failedPrecondition(`a bill of lading is transferred at most ${MAX_TRANSFERS} times`, {
        state: bill.status,
        reason: 'TOO_MANY_TRANSFERS',
      });
    }
    const at = txTime(ctx).iso;
    const transfers = [...bill.transfers, { from: who.key, to: newHolder, at }];
    return save(ctx, { ...bill, status, holder: newHolder, transfers }, 'BillOfLadingTransferred', {
      transfer: transfers.length,
    });
  }

  @Submit({
    description: 'Surrender the bill to the carrier for delivery (the current holder only).',
    params: { blNumber: BlNumber() },
    returns: BillOfLadingSchema,
  })
  async SurrenderBillOfLading(ctx: Context, blNumber: string): Promise<BillOfLading> {
    const { bill, actor } = await load(ctx, blNumber);
    const status = billMachine.move(bill.status, 'SURRENDERED', actor);
    return save(ctx, { ...bill, status }, 'BillOfLadingSurrendered');
  }

  @Submit({
    description:
      'Amend an issued bill (its issuer): voids it and issues a new bill under newBlNumber to the same holder.',
    params: { blNumber: BlNumber(), input: AmendBlInput },
    returns: BillOfLadingSchema,
  })
  async AmendBillOfLading(ctx: Context, blNumber: string, input: AmendBlInput): Promise<BillOfLading> {
    const { bill, actor } = await load(ctx, blNumber);
    const status = billMachine.move(bill.status, 'VOID', actor);
    const now = txTime(ctx).iso;
    const reissued: BillOfLading = {
      ...bill,
      blNumber: input.newBlNumber,
      status: 'ISSUED',
      documentHash: input.documentHash,
      transfers: [],
      replaces: bill.blNumber,
      createdAt: now,
      updatedAt: now,
    };
    delete reissued.replacedBy;
    await bills.create(ctx, reissued);
    await save(ctx, { ...bill, status, replacedBy: reissued.blNumber }, 'BillOfLadingVoided', {
      replacedBy: reissued.blNumber,
      reason: input.reason,
    });
    const consignment = await consignments.require(ctx, bill.consignmentId);
    await consignments.put(ctx, { ...consignment, blNumber: reissued.blNumber });
    emit(ctx, 'BillOfLadingIssued', {
      blNumber: reissued.blNumber,
      consignmentId: reissued.consignmentId,
      callId: reissued.callId,
      replaces: bill.blNumber,
    });
    return reissued;
  }

  @Evaluate({
    description: 'A bill of lading.',
    params: { blNumber: BlNumber() },
    returns: BillOfLadingSchema,
  })
  async GetBillOfLading(ctx: Context, blNumber: string): Promise<BillOfLading> {
    return bills.require(ctx, blNumber);
  }

  @Evaluate({
    description:
      'May the caller read the bill of lading document (issuer, holder, shipper, consignee, consignment insurer, CityMSP customs)? Returns its hash to verify the off-chain copy; FORBIDDEN otherwise.',
    params: { blNumber: BlNumber() },
    returns: BillAccessGrantSchema,
  })
  async CheckBillOfLadingAccess(ctx: Context, blNumber: string): Promise<BillAccessGrant> {
    const bill = await bills.require(ctx, blNumber);
    const consignment = await consignments.require(ctx, bill.consignmentId);
    const who = caller(ctx);
    const grantedBy = readGrant(BILL_READERS, {
      mspId: who.mspId,
      role: who.role,
      relations: billRelations(bill, consignment, who.key),
    });
    if (!grantedBy)
      throw forbidden(`${who.key} may not read bill of lading ${blNumber}`, {
        blNumber,
        readers: [...BILL_READERS],
      });
    return { blNumber, status: bill.status, documentHash: bill.documentHash, grantedBy };
  }
}

/** The bill and the caller as the state machine sees it: 'MSP:role' plus 'issuer' / 'holder'. */
async function load(
  ctx: Context,
  blNumber: string,
): Promise<{ bill: BillOfLading; who: Caller; actor: string[] }> {
  const bill = await bills.require(ctx, blNumber);
  const who = caller(ctx);
  const actor = [
    ...(who.role ? [`${who.mspId}:${who.role}`] : []),
    ...(bill.issuer === who.key ? ['issuer'] : []),
    ...(bill.holder === who.key ? ['holder'] : []),
  ];
  return { bill, who, actor };
}

function billRelations(bill: BillOfLading, consignment: Consignment, key: string): string[] {
  const relations: [string, string | undefined][] = [
    ['issuer', bill.issuer],
    ['holder', bill.holder],
    ['shipper', consignment.shipper],
    ['consignee', consignment.consignee],
    ['consignment-insurer', consignment.insurer],
  ];
  return relations.filter(([, party]) => party === key).map(([name]) => name);
}

async function save(
  ctx: Context,
  bill: BillOfLading,
  event: string,
  data: Record<string, unknown> = {},
): Promise<BillOfLading> {
  const updated = { ...bill, updatedAt: txTime(ctx).iso };
  await bills.put(ctx, updated);
  emit(ctx, event, {
    blNumber: bill.blNumber,
    consignmentId: bill.consignmentId,
    callId: bill.callId,
    status: bill.status,
    ...data,
  });
  return updated;
}
