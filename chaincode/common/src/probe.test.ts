import { ProbeContract } from './probe';
import { ContractHarness, identity } from './testing';

const admin = identity('CityMSP', 'admin', { role: 'admin' });
const resident = identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' });

describe('ProbeContract', () => {
  it('lets an org admin write and anyone read a probe key', async () => {
    const h = new ContractHarness([ProbeContract]);
    const put = await h.submit(admin, 'probe:Put', [{ key: 'k1', value: 'v1' }]);
    expect(put.committed).toBe(true);
    expect(put.event?.envelope.events).toEqual([{ type: 'ProbeWritten', data: { key: 'k1' } }]);
    expect((await h.evaluate(resident, 'probe:Get', ['k1'])).value).toEqual({ key: 'k1', value: 'v1' });
    const noop = await h.submit(admin, 'probe:Noop');
    expect(noop.ok).toBe(true);
    expect(noop.event).toBeUndefined();
  });

  it('refuses writes by non-admins with FORBIDDEN and unknown keys with NOT_FOUND', async () => {
    const h = new ContractHarness([ProbeContract]);
    expect((await h.submit(resident, 'probe:Noop')).error?.code).toBe('FORBIDDEN');
    expect((await h.submit(resident, 'probe:Put', [{ key: 'k1', value: 'v' }])).error?.code).toBe(
      'FORBIDDEN',
    );
    expect((await h.evaluate(admin, 'probe:Get', ['nope'])).error?.code).toBe('NOT_FOUND');
  });
});
