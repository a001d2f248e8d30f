import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark,
  CityContract,
  Evaluate,
  Id,
  PageSize,
  Submit,
  caller,
  conflict,
  emit,
  failedPrecondition,
  invalidArgument,
  requireOrgRole,
  txTime,
  type Page,
} from '@cityledger/chaincode-common';
import { isValidContainerNumber } from './identifiers';
import { CONTAINER_EVENT_MOVES, act, containerMachine } from './lifecycle';
import {
  Carrier,
  ConsignmentInput,
  ConsignmentSchema,
  ContainerEventInput,
  ContainerEventSchema,
  ContainerNumber,
  ContainerSchema,
  PageOf,
  type Consignment,
  type Container,
  type ContainerEvent,
  type PortCall,
  type PortCallStatus,
} from './model';
import {
  bills,
  consignments,
  consignmentsByCall,
  containerEvents,
  containers,
  insuredConsignments,
  portCalls,
} from './store';

/** Consignments may be registered while the ship has not been cleared for departure. */
const REGISTRATION_STATES: PortCallStatus[] = [
  'ANNOUNCED',
  'DECLARED',
  'UNDER_REVIEW',
  'CLEARED',
  'PERMIT_ISSUED',
  'ARRIVED',
  'BERTHED',
  'WORKING',
];
/** A container comes off the ship only while cargo operations run. */
const DISCHARGE_STATES: PortCallStatus[] = ['WORKING'];

/**
 * Consignments and their containers on a port call, and the container events terminals and
 * truckers report (discharged, inter-terminal move, gate out). Nothing here writes the port call,
 * so the chaincode-level endorsement policy applies.
 */
export class CargoContract extends CityContract {
  constructor() {
    super('cargo');
  }

  @Submit({
    description:
      'Register a consignment and its containers on a port call (agent of the call or a PortMSP carrier).',
    params: { input: ConsignmentInput },
    returns: ConsignmentSchema,
  })
  async RegisterConsignment(ctx: Context, input: ConsignmentInput): Promise<Consignment> {
    const call = await portCalls.require(ctx, input.callId);
    const who = caller(ctx);
    if (call.agent !== who.key) requireOrgRole(ctx, Carrier);
    assertCallAllows(call, REGISTRATION_STATES, 'register cargo');
    const bad = input.containers.map((c, i) => ({ c, i })).filter(({ c }) => !isValidContainerNumber(c));
    if (bad.length > 0) {
      throw invalidArgument('container number check digit is wrong', {
        input: 'input',
        errors: bad.map(({ i }) => ({ path: `/containers/${i}`, message: 'invalid ISO 6346 check digit' })),
      });
    }
    for (const containerNumber of input.containers) {
      if (await containers.exists(ctx, input.callId, containerNumber)) {
        throw conflict(`container ${containerNumber} is already on port call ${input.callId}`, {
          objectType: 'container',
          id: `${input.callId}/${containerNumber}`,
        });
      }
    }
    const now = txTime(ctx).iso;
    const consignment: Consignment = { ...input, registeredBy: who.key, registeredAt: now };
    await consignments.create(ctx, consignment);
    await consignmentsByCall.put(ctx, {
      callId: input.callId,
      consignmentId: input.consignmentId,
      ...(input.insurer ? { insurer: input.insurer } : {}),
    });
    if (input.insurer) {
      await insuredConsignments.put(ctx, {
        callId: input.callId,
        insurer: input.insurer,
        consignmentId: input.consignmentId,
      });
    }
    for (const containerNumber of input.containers) {
      await containers.put(ctx, {
        callId: input.callId,
        containerNumber,
        consignmentId: input.consignmentId,
        status: 'ON_BOARD',
        eventCount: 0,
        updatedAt: now,
      });
    }
    emit(ctx, 'ConsignmentRegistered', {
      callId: input.callId,
      consignmentId: input.consignmentId,
      containers: input.containers.length,
      dangerous: input.dangerous,
    });
    return consignment;
  }

  @Submit({
    description:
      'Report a container event: DISCHARGED (terminal, while the call is WORKING), MOVED between terminals (terminal or trucker), GATE_OUT (terminal, once the bill of lading is surrendered).',
    params: { callId: Id(), containerNumber: ContainerNumber(), input: ContainerEventInput },
    returns: ContainerSchema,
  })
  async RecordContainerEvent(
    ctx: Context,
    callId: string,
    containerNumber: string,
    input: ContainerEventInput,
  ): Promise<Container> {
    const container = await containers.require(ctx, callId, containerNumber);
    const who = caller(ctx);
    const status = act(
      containerMachine,
      input.type,
      CONTAINER_EVENT_MOVES[input.type],
      container.status,
      who.role ? [`${who.mspId}:${who.role}`] : [],
    );
    if (input.type === 'MOVED' && input.terminal === container.location) {
      throw invalidArgument('the container is already at that terminal', {
        input: 'input',
        errors: [{ path: '/terminal', message: 'same as the current location' }],
      });
    }
    if (input.type === 'DISCHARGED')
      assertCallAllows(await portCalls.require(ctx, callId), DISCHARGE_STATES, 'discharge');
    if (input.type === 'GATE_OUT') await assertReleased(ctx, container);
    const at = txTime(ctx).iso;
    const seq = container.eventCount + 1;
    const event: ContainerEvent = {
      callId,
      containerNumber,
      seq,
      type: input.type,
      terminal: input.terminal,
      at,
      by: who.key,
    };
    await containerEvents.put(ctx, event);
    const updated: Container = {
      ...container,
      status,
      location: input.terminal,
      eventCount: seq,
      updatedAt: at,
    };
    await containers.put(ctx, updated);
    emit(ctx, `Container${pascal(input.type)}`, {
      callId,
      containerNumber,
      consignmentId: container.consignmentId,
      terminal: input.terminal,
      status,
    });
    return updated;
  }

  @Evaluate({ description: 'A consignment.', params: { consignmentId: Id() }, returns: ConsignmentSchema })
  async GetConsignment(ctx: Context, consignmentId: string): Promise<Consignment> {
    return consignments.require(ctx, consignmentId);
  }

  @Evaluate({
    description: 'The consignments of a port call, by consignment id, a page at a time.',
    params: { callId: Id(), pageSize: PageSize, bookmark: Bookmark },
    returns: PageOf(ConsignmentSchema),
  })
  async ListConsignments(
    ctx: Context,
    callId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<Page<Consignment>> {
    await portCalls.require(ctx, callId);
    // A ship may carry thousands: one answer per page, not one that grows with the call.
    const page = await consignmentsByCall.page(ctx, [callId], pageSize, bookmark);
    const items = await Promise.all(page.items.map((e) => consignments.require(ctx, e.consignmentId)));
    return { items, bookmark: page.bookmark };
  }

  @Evaluate({
    description: 'A container on a port call.',
    params: { callId: Id(), containerNumber: ContainerNumber() },
    returns: ContainerSchema,
  })
  async GetContainer(ctx: Context, callId: string, containerNumber: string): Promise<Container> {
    return containers.require(ctx, callId, containerNumber);
  }

  @Evaluate({
    description: "A container's events, oldest first.",
    params: { callId: Id(), containerNumber: ContainerNumber() },
    returns: Type.Array(ContainerEventSchema),
  })
  async ListContainerEvents(
    ctx: Context,
    callId: string,
    containerNumber: string,
  ): Promise<ContainerEvent[]> {
    await containers.require(ctx, callId, containerNumber);
    return containerEvents.all(ctx, [callId, containerNumber]);
  }
}

function assertCallAllows(call: PortCall, states: PortCallStatus[], what: string): void {
  if (call.status === 'CANCELLED')
    throw conflict('port call is cancelled: nothing changes', { state: call.status, callId: call.callId });
  if (!states.includes(call.status))
    throw failedPrecondition(`cannot ${what}: port call is ${call.status}`, {
      state: call.status,
      allowed: states,
    });
}

/** A container leaves the terminal only against the surrendered bill of lading of its consignment. */
async function assertReleased(ctx: Context, container: Container): Promise<void> {
  const consignment = await consignments.require(ctx, container.consignmentId);
  const bill = consignment.blNumber ? await bills.get(ctx, consignment.blNumber) : undefined;
  if (bill?.status !== 'SURRENDERED') {
    throw failedPrecondition('the bill of lading has not been surrendered', {
      state: bill?.status ?? 'NONE',
      reason: 'BL_NOT_SURRENDERED',
      consignmentId: consignment.consignmentId,
    });
  }
}

const pascal = (s: string) =>
  s.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
