import { StateMachine } from './statemachine';
import { ChaincodeError } from './errors';

type S = 'ACTIVE' | 'SUSPENDED' | 'REVOKED';
const machine = new StateMachine<S>(
  'credential',
  [
    { from: ['ACTIVE'], to: 'SUSPENDED', roles: ['issuer', 'holder'] },
    { from: ['SUSPENDED'], to: 'ACTIVE', roles: ['issuer'] },
    { from: ['ACTIVE', 'SUSPENDED'], to: 'REVOKED', roles: ['issuer'] },
  ],
  ['REVOKED'],
);

function error(fn: () => unknown): ChaincodeError {
  try {
    fn();
  } catch (e) {
    return e as ChaincodeError;
  }
  throw new Error('expected an error');
}

describe('StateMachine', () => {
  it('allows declared moves to a caller with a role', () => {
    expect(machine.move('ACTIVE', 'SUSPENDED', ['holder'])).toBe('SUSPENDED');
    expect(machine.move('SUSPENDED', 'REVOKED', ['issuer', 'x'])).toBe('REVOKED');
  });

  it('refuses an undeclared move with FAILED_PRECONDITION and the current state', () => {
    const e = error(() => machine.move('REVOKED', 'ACTIVE', ['issuer']));
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.details).toEqual({ state: 'REVOKED', to: 'ACTIVE', final: true });
    expect(error(() => machine.move('ACTIVE', 'ACTIVE', ['issuer'])).details.state).toBe('ACTIVE');
  });

  it('refuses a declared move to the wrong role with FORBIDDEN', () => {
    const e = error(() => machine.move('SUSPENDED', 'ACTIVE', ['holder']));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details).toEqual({ state: 'SUSPENDED', to: 'ACTIVE', required: ['issuer'] });
  });

  it('lists the moves open to an actor', () => {
    expect(machine.next('ACTIVE', ['holder'])).toEqual(['SUSPENDED']);
    expect(machine.next('ACTIVE', ['issuer']).sort()).toEqual(['REVOKED', 'SUSPENDED']);
    expect(machine.isFinal('REVOKED')).toBe(true);
    expect(machine.find('ACTIVE', 'REVOKED')).toHaveLength(1);
  });
});
