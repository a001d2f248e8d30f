/**
 * Security suite, medical privacy (issue 9): a scan with distinctive values is recorded on the live
 * network, then every block of every channel (`city` and `health`, genesis to height, through qscc) is
 * searched for the values' decimal text, the salt and the raw transient JSON: none may appear, while the
 * scan's transaction and its value hash do (so the search did cover it). And nothing medical is on the
 * port authority's peer: it has not joined `health`, the medical chaincode does not answer there, and its
 * ledger folder has no `health` chain (the City peer's has, as a control).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { searchBlocks } from '../support/blocks';
import { chainHeight } from '../support/heights';
import { untilEveryOrg } from '../support/eventually';
import { evaluateAs, forgetContracts } from '../support/calls';
import {
  closeConnections,
  contractAs,
  enrolUser,
  ensureNetwork,
  network,
  orgAdmin,
  peerCli,
  peerOf,
  TestUser,
} from '../support/live';
import { BODY_WEIGHT, Measurement, measurement, recordScan, registerResident } from './medical';

const run = randomUUID().slice(0, 8);
const patientId = `sec-priv-${run}`;
const WAIST = '8280-0';

/** A value with 3 random decimals and an integer part (60–99) that no time of day's seconds can show. */
const distinctive = (): number => Number(`${randomInt(60, 100)}.${randomInt(101, 1000)}`);

let device: TestUser;
let scan: Measurement;
let recorded: { txId: string; blockNumber: bigint; valueHashes: string[] };

beforeAll(async () => {
  await ensureNetwork();
  const [registrar, patient] = await Promise.all([
    enrolUser('city', `sec-priv-registrar-${run}`, { role: 'registrar' }),
    enrolUser('city', `sec-priv-patient-${run}`, { role: 'resident', residentId: patientId }),
  ]);
  device = await enrolUser('city', `sec-priv-scale-${run}`, { role: 'device', residentId: patientId });
  await registerResident(registrar, patientId, patient);
  await untilEveryOrg(
    ['city', 'hospital'],
    (org) => evaluateAs<{ status: string }>(orgAdmin(org), 'identity', 'resident:GetResident', [patientId]),
    (r) => r.status === 'ACTIVE',
  );
  let weight = distinctive();
  let waist = distinctive();
  while (weight.toFixed(3).endsWith('0')) weight = distinctive(); // its decimal text is exactly 3 decimals
  while (waist.toFixed(3).endsWith('0')) waist = distinctive();
  scan = measurement([
    { code: BODY_WEIGHT, value: weight, unit: 'kg' },
    { code: WAIST, value: waist, unit: 'cm' },
  ]);
  const committed = await recordScan(device, scan);
  recorded = {
    txId: committed.txId,
    blockNumber: committed.blockNumber,
    valueHashes: committed.result.valueHashes,
  };
}, 300000);

afterAll(() => {
  forgetContracts();
  closeConnections();
});

describe('no measurement value in any block of any channel', () => {
  it.each(['health', 'city'])(
    'channel %s, genesis to height',
    async (channel) => {
      const viewer = orgAdmin('city');
      const height = await chainHeight(viewer, channel);
      if (channel === 'health') expect(height).toBeGreaterThan(recorded.blockNumber);
      const secrets = [
        ...scan.items.map((i) => String(i.value)),
        scan.salt,
        JSON.stringify(scan),
        JSON.stringify(scan.items),
      ];
      const controls = channel === 'health' ? [recorded.txId, ...recorded.valueHashes] : [];
      const { scanned, hits } = await searchBlocks(viewer, channel, [...secrets, ...controls], height);
      console.log(
        `${channel}: ${scanned} blocks scanned for ${secrets.length} secrets (values ${secrets.slice(0, 2).join(', ')})`,
      );
      expect(hits.filter((h) => secrets.includes(h.needle))).toEqual([]);
      // The scan's own block was among those searched: its transaction and the values' hashes are there.
      for (const c of controls)
        expect(hits.some((h) => h.needle === c && h.blockNumber === recorded.blockNumber)).toBe(true);
    },
    600000,
  );
});

describe("nothing medical on the port authority's peer", () => {
  it('has not joined the health channel (it has joined city)', async () => {
    const channels = await peerCli('port', ['channel', 'list']);
    expect(channels).toMatch(/\bcity\b/);
    expect(channels).not.toMatch(/\bhealth\b/);
  });

  it('does not run the medical chaincode: a call through it fails, as a Port or a City identity', async () => {
    const port = peerOf('port');
    for (const who of [orgAdmin('port'), orgAdmin('city')]) {
      const medical = contractAs(who, 'medical', port);
      await expect(medical.evaluateTransaction('org.hyperledger.fabric:GetMetadata')).rejects.toThrow();
      await expect(
        medical.evaluateTransaction('observation:GetObservationRecord', patientId, `${recorded.txId}.0`),
      ).rejects.toThrow();
    }
    // Control: the same call through the City peer answers with the (value-free) record.
    const record = await evaluateAs<{ valueHash: string }>(
      orgAdmin('city'),
      'medical',
      'observation:GetObservationRecord',
      [patientId, `${recorded.txId}.0`],
    );
    expect(record.valueHash).toBe(recorded.valueHashes[0]);
  });

  it('has no health chain in its ledger folder (the City peer has one)', () => {
    const chains = (peer: string) =>
      path.join(network().paths.ledger(peer), 'ledgersData', 'chains', 'chains');
    const portChains = chains(peerOf('port').id);
    expect(readdirSync(portChains)).toContain('city');
    expect(readdirSync(portChains)).not.toContain('health');
    expect(existsSync(path.join(chains(peerOf('city').id), 'health'))).toBe(true);
  });
});
