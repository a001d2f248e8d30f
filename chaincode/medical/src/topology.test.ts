import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { OBSERVATIONS_COLLECTION } from './model';
import { VALUE_HOLDERS } from './store';

// The chaincode and network/topology.yaml must agree on the collection and on who holds the values.
describe('network/topology.yaml', () => {
  const topology = parse(readFileSync(path.join(__dirname, '../../../network/topology.yaml'), 'utf8'));
  const medical = topology.chaincodes.find((c: { name: string }) => c.name === 'medical');

  it('deploys medical on the health channel, which the port authority has not joined', () => {
    expect(medical.channel).toBe('health');
    const health = topology.channels.find((c: { name: string }) => c.name === 'health');
    expect(health.orgs).not.toContain('port');
  });

  it('defines the values collection with exactly the value-holding orgs, kept until purged', () => {
    const collection = medical.collections.find((c: { name: string }) => c.name === OBSERVATIONS_COLLECTION);
    const members = [...collection.policy.matchAll(/'(\w+)\.member'/g)].map((m) => m[1]).sort();
    expect(members).toEqual([...VALUE_HOLDERS].sort());
    expect(collection).toMatchObject({ blockToLive: 0, memberOnlyWrite: true, memberOnlyRead: false });
    expect(collection.endorsementPolicy).toBe("AND('CityMSP.peer', 'HospitalMSP.peer')");
  });
});
