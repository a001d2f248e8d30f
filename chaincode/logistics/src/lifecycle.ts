import { StateMachine, failedPrecondition } from '@cityledger/chaincode-common';
import type { BlStatus, ContainerEventType, ContainerStatus, PortCallStatus } from './model';

// Actors are 'MSP:role' strings (a role means something only within the org whose CA issued it)
// and relations the contracts compute: 'agent' (of the call), 'issuer' and 'holder' (of a bill).
const AGENT = 'agent';
const PORT_AUTHORITY = 'PortMSP:port-authority';
const TERMINAL = 'PortMSP:terminal';
const TRUCKER = 'PortMSP:trucker';
export const AUTHORITY_ACTORS = [
  'CityMSP:customs',
  'CityMSP:immigration',
  'CityMSP:quarantine',
  PORT_AUTHORITY,
];

const BEFORE_ARRIVAL: PortCallStatus[] = [
  'ANNOUNCED',
  'DECLARED',
  'UNDER_REVIEW',
  'CLEARED',
  'PERMIT_ISSUED',
];

/** A port call, modelled on the FAL forms and DCSA's Just-in-Time port call. */
export const portCallMachine = new StateMachine<PortCallStatus>(
  'port call',
  [
    { from: ['ANNOUNCED'], to: 'DECLARED', roles: [AGENT] },
    // Authority decisions. The last approval clears the call.
    { from: ['DECLARED', 'UNDER_REVIEW'], to: 'UNDER_REVIEW', roles: AUTHORITY_ACTORS },
    { from: ['DECLARED', 'UNDER_REVIEW'], to: 'CLEARED', roles: AUTHORITY_ACTORS },
    { from: ['DECLARED', 'UNDER_REVIEW', 'CLEARED'], to: 'REJECTED', roles: AUTHORITY_ACTORS },
    { from: ['CLEARED'], to: 'PERMIT_ISSUED', roles: [PORT_AUTHORITY] },
    { from: BEFORE_ARRIVAL, to: 'CANCELLED', roles: [AGENT, PORT_AUTHORITY] },
    { from: ['PERMIT_ISSUED'], to: 'ARRIVED', roles: [PORT_AUTHORITY] },
    { from: ['ARRIVED'], to: 'BERTHED', roles: [PORT_AUTHORITY, TERMINAL] },
    { from: ['BERTHED'], to: 'WORKING', roles: [TERMINAL] },
    { from: ['BERTHED', 'WORKING'], to: 'DEPARTURE_CLEARED', roles: [PORT_AUTHORITY] },
    { from: ['DEPARTURE_CLEARED'], to: 'DEPARTED', roles: [PORT_AUTHORITY] },
  ],
  ['DEPARTED', 'REJECTED', 'CANCELLED'],
);

/**
 * Where a submitted or amended FAL form takes the call (agent of the call only): before the
 * declaration it replaces the draft, after it the review of the authorities concerned starts again
 * (see clearance.ts) and a permit already issued is withdrawn. Kept apart from portCallMachine so
 * that an amendment is never mistaken for a declaration or an approval.
 */
export const amendmentMachine = new StateMachine<PortCallStatus>(
  'port call',
  [
    { from: ['ANNOUNCED'], to: 'ANNOUNCED', roles: [AGENT] },
    { from: ['DECLARED'], to: 'DECLARED', roles: [AGENT] },
    { from: ['UNDER_REVIEW', 'CLEARED', 'PERMIT_ISSUED'], to: 'UNDER_REVIEW', roles: [AGENT] },
  ],
  ['DEPARTED', 'REJECTED', 'CANCELLED'],
);

/** The state an amendment in `status` leads to (amendmentMachine then checks who may make it). */
export function amendmentTarget(status: PortCallStatus): PortCallStatus {
  return status === 'ANNOUNCED' || status === 'DECLARED' ? status : 'UNDER_REVIEW';
}

/** An electronic bill of lading: only its holder transfers or surrenders it; its issuer amends it. */
export const billMachine = new StateMachine<BlStatus>(
  'bill of lading',
  [
    { from: ['DRAFT'], to: 'ISSUED', roles: ['issuer'] },
    { from: ['ISSUED'], to: 'ISSUED', roles: ['holder'] },
    { from: ['ISSUED'], to: 'SURRENDERED', roles: ['holder'] },
    { from: ['ISSUED'], to: 'VOID', roles: ['issuer'] },
  ],
  ['SURRENDERED', 'VOID'],
);

/** A container of a port call, from the ship to the gate. */
export const containerMachine = new StateMachine<ContainerStatus>(
  'container',
  [
    { from: ['ON_BOARD'], to: 'DISCHARGED', roles: [TERMINAL] },
    { from: ['DISCHARGED'], to: 'DISCHARGED', roles: [TERMINAL, TRUCKER] },
    { from: ['DISCHARGED'], to: 'GATED_OUT', roles: [TERMINAL] },
  ],
  ['GATED_OUT'],
);

/** Each container event: the state it starts from and the state it leads to. */
export const CONTAINER_EVENT_MOVES: Record<
  ContainerEventType,
  { from: ContainerStatus[]; to: ContainerStatus }
> = {
  DISCHARGED: { from: ['ON_BOARD'], to: 'DISCHARGED' },
  MOVED: { from: ['DISCHARGED'], to: 'DISCHARGED' },
  GATE_OUT: { from: ['DISCHARGED'], to: 'GATED_OUT' },
};

/**
 * machine.move for a named action whose target state alone does not identify the transition
 * (a transfer and an issue both lead to ISSUED; a move and a discharge both to DISCHARGED): the
 * action's own source states are checked first, FAILED_PRECONDITION otherwise.
 */
export function act<S extends string>(
  machine: StateMachine<S>,
  action: string,
  move: { from: readonly S[]; to: S },
  current: S,
  actor: readonly string[],
): S {
  if (!move.from.includes(current)) {
    throw failedPrecondition(`${machine.name} is ${current}: cannot ${action}`, {
      state: current,
      to: move.to,
      action,
      final: machine.isFinal(current),
    });
  }
  return machine.move(current, move.to, actor);
}
