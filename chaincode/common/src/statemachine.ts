import { failedPrecondition, forbidden } from './errors';

/** A permitted move: from any of `from` to `to`, by anyone holding one of `roles`. */
export interface Transition<S extends string> {
  from: readonly S[];
  to: S;
  /**
   * Who may make the move: role attributes (e.g. 'police') or relations the contract computes for
   * the caller (e.g. 'issuer', 'holder').
   */
  roles: readonly string[];
}

/**
 * Declared transitions of one kind of record. `move` throws FAILED_PRECONDITION (with the current
 * state) when no transition leads from the current state to the target, and FORBIDDEN when one
 * does but the caller holds none of its roles.
 */
export class StateMachine<S extends string> {
  constructor(
    readonly name: string,
    private readonly transitions: readonly Transition<S>[],
    private readonly finalStates: readonly S[] = [],
  ) {}

  /** The allowed transitions from `from` to `to` (several may exist with different roles). */
  find(from: S, to: S): Transition<S>[] {
    return this.transitions.filter((t) => t.to === to && t.from.includes(from));
  }

  isFinal(state: S): boolean {
    return this.finalStates.includes(state);
  }

  /** Checks the move and returns the new state. `actor` lists the caller's roles and relations. */
  move(from: S, to: S, actor: readonly string[]): S {
    const candidates = this.find(from, to);
    if (candidates.length === 0) {
      throw failedPrecondition(`${this.name} is ${from}: cannot become ${to}`, {
        state: from,
        to,
        final: this.isFinal(from),
      });
    }
    if (!candidates.some((t) => t.roles.some((r) => actor.includes(r)))) {
      const required = [...new Set(candidates.flatMap((t) => t.roles))].sort();
      throw forbidden(`only ${required.join(' or ')} may make ${this.name} ${to}`, {
        state: from,
        to,
        required,
      });
    }
    return to;
  }

  /** The states reachable from `from` for this actor. */
  next(from: S, actor: readonly string[]): S[] {
    return [
      ...new Set(
        this.transitions
          .filter((t) => t.from.includes(from) && t.roles.some((r) => actor.includes(r)))
          .map((t) => t.to),
      ),
    ];
  }
}
