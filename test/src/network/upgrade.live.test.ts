/**
 * Redeploying a changed chaincode is an upgrade: a new package, sequence + 1, and the ledger stays.
 * The change here is a marker file in the chaincode's build output, which is part of the code hash.
 * The new package's server runs beside the old one until every peer has committed the new definition,
 * and the REST gateway then reads the chaincode's metadata again without a restart (as `deploy` on the
 * command line does), so calls made all through the upgrade, directly and through REST, are answered.
 */
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chaincodePorts, chaincodeProcess, repoRoot } from '@cityledger/network';
import { closeConnections, contractAs, ensureNetwork, json, network, orgAdmin } from '../support/live';
import { admins } from '../support/rest';

const chaincode = process.env.CITYLEDGER_PROBE_CHAINCODE ?? 'identity';

afterAll(async () => {
  closeConnections();
});

const partition = <T>(items: T[], test: (item: T) => boolean): [T[], T[]] => [
  items.filter(test),
  items.filter((item) => !test(item)),
];

/** Reads of `key` (direct and REST) and probe writes, each one after another, until stopped; what failed. */
function callsDuring(key: string) {
  const reader = contractAs(orgAdmin('hospital'), chaincode);
  const writer = contractAs(orgAdmin('insurer'), chaincode);
  const rest = admins().port;
  const result = { reads: 0, restReads: 0, writes: 0, failures: [] as string[] };
  let running = true;
  const record = (err: unknown) => result.failures.push((err as Error).message);
  const reads = (async () => {
    while (running) {
      await reader.evaluateTransaction('probe:Get', key).then(() => result.reads++, record);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const restReads = (async () => {
    while (running) {
      const answer = await rest
        .get(`${chaincode}/probe/get`, { key })
        .catch((err: Error) => ({ status: 0, text: err.message }));
      if (answer.status === 200) result.restReads++;
      else result.failures.push(`REST ${answer.status} ${answer.text.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const writes = (async () => {
    while (running) {
      const value = JSON.stringify({ key: `${key}-w`, value: String(result.writes) });
      await writer.submitTransaction('probe:Put', value).then(() => result.writes++, record);
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.all([reads, restReads, writes]);
      return result;
    },
  };
}

/** The probe chaincode on the running network: its spec, the marker that changes its code hash, its sequence. */
async function probeChaincode() {
  const n = await ensureNetwork();
  const cc = n.topology.chaincodes.find((c) => c.name === chaincode)!;
  const marker = path.resolve(repoRoot, cc.path, 'dist', 'redeploy-marker.txt');
  const sequenceOf = async () => (await n.status()).chaincodes.find((c) => c.name === chaincode)!.sequence!;
  return { n, cc, marker, sequenceOf };
}

it('upgrades a changed chaincode with the next sequence and keeps its data', async () => {
  const { n, marker, sequenceOf } = await probeChaincode();

  const key = `upgrade-${randomUUID()}`;
  await contractAs(orgAdmin('city'), chaincode).submitTransaction(
    'probe:Put',
    JSON.stringify({ key, value: 'v1' }),
  );
  const before = await sequenceOf();
  try {
    writeFileSync(marker, randomUUID());
    const traffic = callsDuring(key);
    await n.deploy([chaincode]);
    await n.refreshGatewayApi();
    const calls = await traffic.stop();
    expect(await sequenceOf()).toBe(before + 1);
    // A write in flight when the new definition commits is invalidated (its read set holds the old
    // definition): Fabric's rule, which clients retry (the REST gateway does). Nothing else fails.
    const [inFlight, others] = partition(calls.failures, (m) => /MVCC_READ_CONFLICT/.test(m));
    expect(others).toEqual([]);
    expect(inFlight.length).toBeLessThanOrEqual(1);
    expect(calls.reads).toBeGreaterThan(10);
    expect(calls.restReads).toBeGreaterThan(10);
    expect(calls.writes).toBeGreaterThan(0);
    closeConnections();
    expect(
      json(await contractAs(orgAdmin('hospital'), chaincode).evaluateTransaction('probe:Get', key)),
    ).toEqual({
      key,
      value: 'v1',
    });
  } finally {
    rmSync(marker, { force: true });
    await network().deploy([chaincode]);
  }
  expect(await sequenceOf()).toBe(before + 2);
});

it("refuses an upgrade whose new server's port another process holds, and changes nothing", async () => {
  const { n, cc, marker, sequenceOf } = await probeChaincode();
  const row = async () => (await n.status()).processes.find((p) => p.process === chaincodeProcess(cc))!;
  const livePort = Number((await row()).address.split(':')[1]);
  const [first, second] = chaincodePorts(cc);
  const squatter = net.createServer();
  await new Promise<void>((resolve) =>
    squatter.listen(livePort === first ? second : first, '127.0.0.1', resolve),
  );
  const before = await sequenceOf();
  try {
    writeFileSync(marker, randomUUID());
    await expect(n.deploy([chaincode])).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    expect(await sequenceOf()).toBe(before);
    expect((await row()).address).toBe(`127.0.0.1:${livePort}`);
    const key = `upgrade-refused-${randomUUID()}`;
    await contractAs(orgAdmin('city'), chaincode).submitTransaction(
      'probe:Put',
      JSON.stringify({ key, value: 'v' }),
    );
    expect(
      json(await contractAs(orgAdmin('hospital'), chaincode).evaluateTransaction('probe:Get', key)),
    ).toEqual({ key, value: 'v' });
  } finally {
    rmSync(marker, { force: true });
    await new Promise((resolve) => squatter.close(resolve));
  }
});
