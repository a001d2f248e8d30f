/**
 * An org joining a channel that already runs (a new hospital joining the consortium's channel): the
 * topology lists it, `up` adds it by a config update signed by the members' admins, its peers join and
 * catch up, and it approves the chaincode definition committed before it came, so its peers endorse.
 * The channel here is one of this test's own (a new name each run), with the identity code deployed on it
 * under another name: the topology's channels are left as they are.
 */
import { randomUUID } from 'node:crypto';
import { chaincodeProcess, channel, NetworkError, Network, type Topology } from '@cityledger/network';
import {
  closeConnections,
  connectAs,
  ensureNetwork,
  json,
  network,
  orgAdmin,
  peerCli,
  peerOf,
} from '../support/live';

const name = `annex-${randomUUID().slice(0, 6)}`;

/** The running topology plus the channel `name` with `orgs`, and a chaincode of the same name on it. */
function withAnnex(orgs: string[]): Topology {
  const t = structuredClone(network().topology);
  t.channels.push({ name, orgs, orderers: channel(t, 'city').orderers });
  t.chaincodes.push({
    name,
    path: 'chaincode/identity',
    channel: name,
    port: 7105,
    upgradePort: 7205,
    endorsementPolicy: "OutOf(2, 'CityMSP.peer', 'HospitalMSP.peer', 'InsurerMSP.peer', 'PortMSP.peer')",
  });
  return t;
}

const upWith = (orgs: string[]) => new Network(withAnnex(orgs)).up({ gateway: false });

async function joined(org: string): Promise<boolean> {
  const listed = await peerCli(org, ['channel', 'list']);
  return listed.split('\n').some((line) => line.trim() === name);
}

async function committed(org: string): Promise<{ sequence: number; approvals: Record<string, boolean> }> {
  return JSON.parse(
    await peerCli(org, [
      'lifecycle',
      'chaincode',
      'querycommitted',
      '-C',
      name,
      '-n',
      name,
      '--output',
      'json',
    ]),
  ) as { sequence: number; approvals: Record<string, boolean> };
}

const contract = (org: string) => connectAs(orgAdmin(org), peerOf(org)).getNetwork(name).getContract(name);

beforeAll(async () => {
  await ensureNetwork();
});

afterAll(async () => {
  closeConnections();
  // The channel stays on the peers (Fabric has no leaving); its chaincode's server goes.
  await network().processes.stop(chaincodeProcess(withAnnex([]).chaincodes.at(-1)!));
});

it('adds an org the topology lists to a running channel; its peer catches up and endorses the chaincodes committed before', async () => {
  await upWith(['city', 'hospital']);
  expect(await joined('hospital')).toBe(true);
  expect(await joined('insurer')).toBe(false);
  const before = { key: `before-${randomUUID()}`, value: 'written before the insurer joined' };
  await contract('city').submitTransaction('probe:Put', JSON.stringify(before));
  const definition = await committed('city');
  expect(definition.approvals).toEqual({ CityMSP: true, HospitalMSP: true });

  await upWith(['city', 'hospital', 'insurer']);

  expect(await joined('insurer')).toBe(true);
  // Its org approved the committed definition: the same sequence, no new one.
  const after = await committed('insurer');
  expect(after.sequence).toBe(definition.sequence);
  expect(after.approvals).toEqual({ CityMSP: true, HospitalMSP: true, InsurerMSP: true });
  // Its peer holds what was written before it came, and endorses and commits writes through its gateway.
  expect(json(await contract('insurer').evaluateTransaction('probe:Get', before.key))).toEqual(before);
  const mine = { key: `after-${randomUUID()}`, value: 'written by the insurer' };
  await contract('insurer').submitTransaction('probe:Put', JSON.stringify(mine));
  expect(json(await contract('hospital').evaluateTransaction('probe:Get', mine.key))).toEqual(mine);
});

// Runs on the channel the test above extended.
it('refuses to add an org in the same change as dropping a member from the topology, and changes nothing', async () => {
  // The member policies are rewritten from the topology: the hospital would lose its access while its
  // group stayed in the config.
  const refused = await upWith(['city', 'insurer', 'port']).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(NetworkError);
  expect(refused).toMatchObject({ code: 'CHANNEL_UPDATE_UNSUPPORTED' });
  expect((refused as Error).message).toMatch(/HospitalMSP/);
  expect(await joined('port')).toBe(false);
  expect((await committed('city')).approvals).toEqual({ CityMSP: true, HospitalMSP: true, InsurerMSP: true });
});
