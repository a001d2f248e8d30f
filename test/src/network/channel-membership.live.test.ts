/**
 * A member joining and leaving a channel that already runs. Joining (a new member of the consortium,
 * with an orderer of its own): the topology lists it and its orderer, `up` adds the org by a config
 * update signed by the members' admins and the orderer to the consenters by another, the orderer joins
 * the Raft cluster, the org's peers join and catch up, and the org approves the chaincode definition
 * committed before it came, so its peers endorse. Leaving: the topology drops them and `up --prune`
 * takes the orderer out of the consenters and off the channel, then the org out of the config. The
 * channel here is one of this test's own (a new name each run), with the identity code deployed on it
 * under another name: the topology's channels are left as they are. The tests run in order, on it.
 */
import { randomUUID } from 'node:crypto';
import {
  chaincodeProcess,
  channel,
  channelHeight,
  NetworkError,
  Network,
  operationsGet,
  operatorTls,
  orderers,
  raftGauge,
  sleep,
  type Topology,
} from '@cityledger/network';
import {
  closeConnections,
  connectAs,
  ensureNetwork,
  json,
  network,
  ordererChannelInfo,
  orgAdmin,
  peerCli,
  peerOf,
} from '../support/live';

const name = `annex-${randomUUID().slice(0, 6)}`;

/**
 * The running topology plus the channel `name` with `orgs` and the orderers of `ordererOrgs`, and a
 * chaincode of the same name on it.
 */
function withAnnex(orgs: string[], ordererOrgs = orgs): Topology {
  const t = structuredClone(network().topology);
  const orderers = channel(t, 'city').orderers.filter((o) =>
    ordererOrgs.some((org) => o.startsWith(`${org}.`)),
  );
  t.channels.push({ name, orgs, orderers });
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

const upWith = (orgs: string[], ordererOrgs = orgs) =>
  new Network(withAnnex(orgs, ordererOrgs)).up({ gateway: false });

/** What the org's orderer says of its part in the channel. */
const ordererView = (org: string) =>
  ordererChannelInfo(
    orderers(network().topology).find((o) => o.org.name === org)!,
    name,
  );

/** The Raft cluster's size for the channel, as the org's orderer reports it on its operations endpoint. */
async function clusterSize(org: string): Promise<number> {
  const n = network();
  const orderer = orderers(n.topology).find((o) => o.org.name === org)!;
  const { text } = await operationsGet(
    operatorTls(n.paths, orderer.org),
    orderer.org.host,
    orderer.spec.operationsPort,
    '/metrics',
  );
  return raftGauge(text, 'cluster_size', name);
}

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

it('adds an org and its orderer the topology lists to a running channel; its peer catches up and endorses the chaincodes committed before', async () => {
  await upWith(['city', 'hospital']);
  expect(await joined('hospital')).toBe(true);
  expect(await joined('insurer')).toBe(false);
  expect(await clusterSize('city')).toBe(2);
  const before = { key: `before-${randomUUID()}`, value: 'written before the insurer joined' };
  await contract('city').submitTransaction('probe:Put', JSON.stringify(before));
  const definition = await committed('city');
  expect(definition.approvals).toEqual({ CityMSP: true, HospitalMSP: true });

  await upWith(['city', 'hospital', 'insurer']);

  expect(await joined('insurer')).toBe(true);
  // Its orderer is a consenter, active, in a cluster of three.
  expect(await ordererView('insurer')).toMatchObject({
    httpStatus: 200,
    consensusRelation: 'consenter',
    status: 'active',
  });
  expect(await clusterSize('city')).toBe(3);
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

it('refuses to add an org in the same change as dropping a member from the topology, and changes nothing', async () => {
  // The member policies are rewritten from the topology: the hospital would lose its access while its
  // group stayed in the config.
  const refused = await upWith(['city', 'insurer', 'port'], ['city', 'hospital', 'insurer']).catch(
    (err: unknown) => err,
  );
  expect(refused).toBeInstanceOf(NetworkError);
  expect(refused).toMatchObject({ code: 'CHANNEL_UPDATE_UNSUPPORTED' });
  expect((refused as Error).message).toMatch(/HospitalMSP/);
  expect(await joined('port')).toBe(false);
  expect((await committed('city')).approvals).toEqual({ CityMSP: true, HospitalMSP: true, InsurerMSP: true });
});

it("removes with prune an org and its orderer the topology no longer lists: the orderer leaves, the org's peer gets no block more", async () => {
  await new Network(withAnnex(['city', 'hospital'])).up({ gateway: false, prune: true });

  expect(await clusterSize('city')).toBe(2);
  expect((await ordererView('insurer')).httpStatus).toBe(404);
  expect((await committed('city')).approvals).toEqual({ CityMSP: true, HospitalMSP: true });
  // Writes go on without it; its peer receives none of them, and its admin writes no more.
  const later = { key: `later-${randomUUID()}`, value: 'written after the insurer left' };
  await contract('city').submitTransaction('probe:Put', JSON.stringify(later));
  expect(json(await contract('hospital').evaluateTransaction('probe:Get', later.key))).toEqual(later);
  const n = network();
  const cityHeight = await channelHeight(n.paths, peerOf('city'), name);
  await sleep(3000);
  expect(await channelHeight(n.paths, peerOf('insurer'), name)).toBeLessThan(cityHeight);
  await expect(
    contract('insurer').submitTransaction(
      'probe:Put',
      JSON.stringify({ key: `refused-${randomUUID()}`, value: 'x' }),
    ),
  ).rejects.toThrow();
});
