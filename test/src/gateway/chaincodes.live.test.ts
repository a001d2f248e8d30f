/**
 * One route group per chaincode through the shared REST gateway (issue 8): a representative write of
 * each, answered after commit with its transaction id and block number, and an evaluate that reads it
 * back, each as a real identity of the org the chaincode expects. Medical values travel in the transient
 * map and are never echoed: not in the answer, not in the transaction's status, not in the block.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fetchBlock } from '../support/ledger';
import { closeConnections, ensureNetwork, orgAdmin } from '../support/live';
import { randomImo } from '../support/port';
import { admins, Committed, createUser, Org, RestUser, until } from '../support/rest';
import { randomVin } from '../support/telemetry';

const run = randomUUID().slice(0, 8);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
let admin: Record<Org, RestUser>;
let registrar: RestUser;

/** A committed write: a 64-hex transaction id and a block number. */
function expectCommitted(c: Committed): void {
  expect(c.txId).toMatch(/^[0-9a-f]{64}$/);
  expect(c.blockNumber).toMatch(/^[0-9]+$/);
  expect(BigInt(c.blockNumber)).toBeGreaterThan(0n);
}

/** Registers a resident and waits until every org's peer has it (cross-org endorsements read it). */
async function resident(residentId: string, enrollmentId?: string): Promise<void> {
  await registrar.submit('identity/residents', { residentId, ...(enrollmentId ? { enrollmentId } : {}) });
  for (const org of ['hospital', 'insurer', 'port'] as Org[])
    await until(`${residentId} on ${org}'s peer`, async () => ((await admin[org].get(`identity/residents/${residentId}`)).status === 200 ? true : undefined));
}

beforeAll(async () => {
  await ensureNetwork();
  admin = admins();
  registrar = await createUser(admin.city, `cc-registrar-${run}`, 'registrar');
});

afterAll(() => closeConnections());

describe('identity', () => {
  it('RegisterResident (POST) then GetResident and its history (GET)', async () => {
    const residentId = `R-cc-${run}`;
    const written = await registrar.submit('identity/residents', { residentId });
    expectCommitted(written);
    expect(written.result).toMatchObject({ residentId, status: 'ACTIVE' });
    expect(await registrar.read(`identity/residents/${residentId}`)).toEqual(written.result);
    const history = await registrar.read<{ items: { action: string; txId: string }[] }>(`identity/residents/${residentId}/history`);
    expect(history.items).toEqual([expect.objectContaining({ action: 'REGISTERED', txId: written.txId })]);
  });
});

describe('medical', () => {
  it('a scale records a scan with its values in the transient map; no value comes back or reaches the block', async () => {
    const residentId = `R-med-${run}`;
    const patient = await createUser(admin.city, `patient-${run}`, 'resident', { residentId });
    const scale = await createUser(admin.city, `scale-${run}`, 'device', { residentId });
    await resident(residentId, patient.enrollmentId);
    // Values no hash, id or block number can contain by chance.
    const bmi = 23.481;
    const fat = 21.937;
    const measurement = {
      effectiveAt: iso(Date.now() - 60_000),
      salt: randomBytes(16).toString('hex'),
      items: [
        { code: '39156-5', value: bmi, unit: 'kg/m2' },
        { code: '41982-0', value: fat, unit: '%' },
      ],
    };
    const recorded = await scale.submit<{ observationIds: string[]; valueHashes: string[]; alertIds: string[] }>('medical/observations', {
      transient: { measurement },
    });
    expectCommitted(recorded);
    expect(recorded.result.observationIds).toHaveLength(2);
    expect(recorded.result.valueHashes).toHaveLength(2);
    const echoes = (text: string) => [String(bmi), String(fat), measurement.salt].filter((v) => text.includes(v));
    expect(echoes(JSON.stringify(recorded))).toEqual([]);
    const status = await scale.get(`transactions/${recorded.txId}`);
    expect(status.body).toMatchObject({ status: 'committed', chaincode: 'medical', blockNumber: recorded.blockNumber });
    expect(echoes(status.text)).toEqual([]);
    const block = await fetchBlock(orgAdmin('hospital'), 'health', BigInt(recorded.blockNumber));
    expect(echoes(block.toString('latin1'))).toEqual([]);

    // The patient lists the public records (ids and hashes only).
    const records = await patient.read<{ items: { observationId: string; valueHash: string }[] }>('medical/my-observation-records');
    expect(records.items.map((r) => r.observationId).sort()).toEqual([...recorded.result.observationIds].sort());
    expect(echoes(JSON.stringify(records))).toEqual([]);
  });
});

describe('mobility', () => {
  it('the registrar registers a vehicle (POST); anyone on the channel reads it (GET)', async () => {
    const ownerId = `R-owner-${run}`;
    await registrar.submit('identity/residents', { residentId: ownerId });
    const vin = randomVin();
    const written = await registrar.submit('mobility/vehicles', { vin, ownerId, make: 'Hyundai', model: 'Ioniq 5', year: 2026 });
    expectCommitted(written);
    expect(written.result).toMatchObject({ vin, ownerId });
    const insurer = await createUser(admin.insurer, `mob-insurer-${run}`, 'insurer');
    const read = await until('the vehicle on the insurer peer', async () => {
      const a = await insurer.get('mobility/vehicle', { vin });
      return a.status === 200 ? a.body.result : undefined;
    });
    expect(read).toMatchObject({ vin, ownerId, make: 'Hyundai' });
  });
});

describe('energy', () => {
  it('the market operator registers a building (POST) and reads it back (GET)', async () => {
    const operator = await createUser(admin.city, `operator-${run}`, 'market-operator');
    const buildingId = `B-${run}`;
    const written = await operator.submit('energy/buildings', { buildingId, neighbours: [] });
    expectCommitted(written);
    expect(written.result).toMatchObject({ buildingId });
    expect(await operator.read(`energy/buildings/${buildingId}`)).toMatchObject({ buildingId, neighbours: [] });
  });
});

describe('logistics', () => {
  it("a port agent announces a call (POST) and reads it (GET)", async () => {
    const agent = await createUser(admin.port, `port-agent-${run}`, 'agent');
    const callId = `PC-${run}`;
    const eta = iso(Date.now() + 25 * HOUR);
    const written = await agent.submit('logistics/announce', {
      callId,
      imo: randomImo(),
      vesselName: 'HMM Algeciras',
      voyageNumber: `V${run}`,
      portOfCall: 'KRPUS',
      eta,
      etd: iso(Date.now() + 55 * HOUR),
    });
    expectCommitted(written);
    expect(written.result).toMatchObject({ callId, status: 'ANNOUNCED' });
    expect(await agent.read(`logistics/port-calls/${callId}`)).toMatchObject({ callId, status: 'ANNOUNCED' });
  });
});
