/**
 * Redeploying a changed chaincode is an upgrade: a new package, sequence + 1, and the ledger stays.
 * The change here is a marker file in the chaincode's build output, which is part of the code hash.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { repoRoot } from '@cityledger/network';
import { closeConnections, contractAs, ensureNetwork, json, network, orgAdmin } from '../support/live';

const chaincode = process.env.CITYLEDGER_PROBE_CHAINCODE ?? 'identity';

afterAll(async () => {
  closeConnections();
});

it('upgrades a changed chaincode with the next sequence and keeps its data', async () => {
  const n = await ensureNetwork();
  const cc = n.topology.chaincodes.find((c) => c.name === chaincode)!;
  const marker = path.resolve(repoRoot, cc.path, 'dist', 'redeploy-marker.txt');
  const sequenceOf = async () => (await n.status()).chaincodes.find((c) => c.name === chaincode)!.sequence!;

  const key = `upgrade-${randomUUID()}`;
  await contractAs(orgAdmin('city'), chaincode).submitTransaction(
    'probe:Put',
    JSON.stringify({ key, value: 'v1' }),
  );
  const before = await sequenceOf();
  try {
    writeFileSync(marker, randomUUID());
    await n.deploy([chaincode]);
    expect(await sequenceOf()).toBe(before + 1);
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
