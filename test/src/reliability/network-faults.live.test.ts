/**
 * Failure drills on the live network: an orderer killed, a peer killed and restarted, the whole network
 * stopped and started. Writes are the probe contract's (every chaincode carries it), as an org admin.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { channelHeight, ordererDir, orderers, peerDir, peers, retry } from '@cityledger/network';
import { Contract } from '@hyperledger/fabric-gateway';
import {
  channelOf,
  closeConnections,
  contractAs,
  enrolUser,
  ensureNetwork,
  json,
  network,
  ordererChannelInfo,
  orgAdmin,
  peerOf,
} from '../support/live';
import { admins, createUser } from '../support/rest';

const chaincode = process.env.CITYLEDGER_PROBE_CHAINCODE ?? 'identity';
const channel = () => channelOf(chaincode);

async function putProbe(contract: Contract, value: string): Promise<{ key: string; blockNumber: bigint }> {
  const key = `drill-${randomUUID()}`;
  const submitted = await contract.submitAsync('probe:Put', { arguments: [JSON.stringify({ key, value })] });
  const status = await submitted.getStatus();
  expect(status.successful).toBe(true);
  return { key, blockNumber: status.blockNumber };
}

async function readProbe(contract: Contract, key: string): Promise<unknown> {
  return json(await contract.evaluateTransaction('probe:Get', key));
}

beforeAll(async () => {
  await ensureNetwork();
});

afterAll(async () => {
  closeConnections();
  await network().up();
});

describe('an orderer killed', () => {
  it('does not stop transactions committing; status shows it down; up restarts it and it catches up', async () => {
    const n = network();
    const victim = n.topology.orgs.flatMap((o) => o.orderers.map((spec) => `${spec.name}.${o.name}`))[1];
    const contract = contractAs(orgAdmin('city'), chaincode);
    await putProbe(contract, 'before');

    expect(n.processes.kill(victim)).toBeDefined();
    await retry(
      `${victim} reported down`,
      async () => {
        const row = (await n.status()).processes.find((p) => p.process === victim)!;
        if (row.pid !== undefined || row.health === 'OK') throw new Error(JSON.stringify(row));
      },
      10000,
    );

    // Raft keeps a quorum with two of three: several writes in a row still commit. When the victim
    // led the cluster, the other two elect a leader first (a few election timeouts): until then the
    // orderers refuse to take transactions, so the first write is retried for that long.
    const written = [];
    written.push(
      await retry(
        'a write after the kill (a new Raft leader elected)',
        () => putProbe(contract, 'while-down-0'),
        30000,
      ),
    );
    for (let i = 1; i < 5; i++) written.push(await putProbe(contract, `while-down-${i}`));
    for (const w of written) expect(await readProbe(contract, w.key)).toMatchObject({ key: w.key });

    await n.up();
    const ordererNode = orderers(n.topology).find((o) => o.id === victim)!;
    const target = written[written.length - 1].blockNumber + 1n;
    await retry(
      `${victim} catching up to block ${target}`,
      async () => {
        const { height } = await ordererChannelInfo(ordererNode, channel());
        if (BigInt(height ?? 0) < target) throw new Error(`height ${height}`);
      },
      60000,
      500,
    );
  });
});

describe('a peer killed and restarted', () => {
  it('catches up to the channel height, and requests work meanwhile through the other peers', async () => {
    const n = network();
    const victim = peerOf('insurer');
    const contract = contractAs(orgAdmin('city'), chaincode);
    n.processes.kill(victim.id);
    await retry(
      `${victim.id} down`,
      async () => {
        if (n.processes.isRunning(victim.id)) throw new Error('still running');
      },
      10000,
    );

    const written = [];
    for (let i = 0; i < 5; i++) written.push(await putProbe(contract, `peer-down-${i}`));

    await n.up();
    const reference = await channelHeight(n.paths, peerOf('city'), channel());
    await retry(
      `${victim.id} catching up to height ${reference}`,
      async () => {
        const height = await channelHeight(n.paths, victim, channel());
        if (height < reference) throw new Error(`height ${height} < ${reference}`);
      },
      60000,
      500,
    );
    // The restarted peer serves the data written while it was down.
    const viaInsurer = contractAs(orgAdmin('insurer'), chaincode);
    for (const w of written) expect(await readProbe(viaInsurer, w.key)).toMatchObject({ key: w.key });
  });
});

describe('down then up', () => {
  it('keeps every ledger: data written before is read back after, heights do not go back', async () => {
    const n = network();
    const before = await putProbe(contractAs(orgAdmin('city'), chaincode), 'survives-restart');
    const heightBefore = await channelHeight(n.paths, peerOf('city'), channel());
    closeConnections();

    await n.down();
    expect((await n.status()).processes.every((p) => p.pid === undefined)).toBe(true);
    await n.up();

    expect(await channelHeight(n.paths, peerOf('city'), channel())).toBeGreaterThanOrEqual(heightBefore);
    const contract = contractAs(orgAdmin('hospital'), chaincode);
    await retry(
      'reading after restart',
      async () => {
        expect(await readProbe(contract, before.key)).toEqual({ key: before.key, value: 'survives-restart' });
      },
      30000,
    );
  });
});

describe('node certificates renewed (`renew`: every one, as `up` does 30 days before each ends)', () => {
  it('each node gets a new certificate on its own key, each CA a new TLS one; Raft, the peers and the CAs carry on', async () => {
    const n = network();
    const files = [
      ...orderers(n.topology).map((o) => path.join(ordererDir(n.paths, o), 'tls', 'server.crt')),
      ...orderers(n.topology).map((o) => path.join(ordererDir(n.paths, o), 'msp', 'signcerts', 'cert.pem')),
      ...peers(n.topology).map((p) => path.join(peerDir(n.paths, p), 'tls', 'server.crt')),
      ...peers(n.topology).map((p) => path.join(peerDir(n.paths, p), 'msp', 'signcerts', 'cert.pem')),
    ];
    const caTls = n.topology.orgs.map((o) => n.paths.caTlsCert(o.name));
    const before = files.map((f) => new X509Certificate(readFileSync(f)));
    const caTlsBefore = caTls.map((f) => new X509Certificate(readFileSync(f)).serialNumber);
    const written = await putProbe(contractAs(orgAdmin('city'), chaincode), 'before-renewal');
    closeConnections();

    await n.up({ renewWithinMs: Infinity });

    files.forEach((f, i) => {
      const after = new X509Certificate(readFileSync(f));
      expect({ f, renewed: after.serialNumber !== before[i].serialNumber }).toEqual({ f, renewed: true });
      expect({ f, sameKey: after.publicKey.equals(before[i].publicKey) }).toEqual({ f, sameKey: true });
      expect(Date.parse(after.validTo)).toBeGreaterThanOrEqual(Date.parse(before[i].validTo));
    });
    // Each CA issued itself a new TLS certificate; the CLI (trusting that file) and the REST gateway
    // (trusting the CA's root) still enrol users.
    caTls.forEach((f, i) =>
      expect(new X509Certificate(readFileSync(f)).serialNumber).not.toBe(caTlsBefore[i]),
    );
    const suffix = randomUUID().slice(0, 8);
    for (const org of n.topology.orgs) await enrolUser(org.name, `renewal-${suffix}`, { role: 'agent' });
    const viaGateway = await createUser(admins().city, `gw-renewal-${suffix}`, 'resident', {
      residentId: `R-${suffix}`,
    });
    expect(viaGateway.userId).toBe(`city:gw-renewal-${suffix}`);
    // Every org's peer endorses, every orderer orders (each was restarted on its new certificates).
    for (const org of n.topology.orgs) {
      const contract = contractAs(orgAdmin(org.name), chaincode);
      const after = await retry(
        `a write through ${org.name} after the renewal`,
        () => putProbe(contract, org.name),
        30000,
      );
      expect(await readProbe(contract, after.key)).toMatchObject({ value: org.name });
      expect(await readProbe(contract, written.key)).toMatchObject({ value: 'before-renewal' });
    }
  });
});
