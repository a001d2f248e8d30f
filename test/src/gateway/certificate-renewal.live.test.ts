/**
 * The gateway renews its users' Fabric certificates before they end (AuthService, unit-tested with a
 * fake CA): here its CA client's reenroll against the org's real Fabric CA — authenticated by the
 * current certificate, a new key, the same name and attributes — and the renewed identity transacts.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FabricCaClient } from '@cityledger/gateway';
import { caName, caUrl, org as findOrg } from '@cityledger/network';
import { closeConnections, contractAs, enrolUser, ensureNetwork, json, network } from '../support/live';

const run = randomUUID().slice(0, 8);

/** The Fabric CA attributes a certificate carries (extension 1.2.3.4.5.6.7.8.1, JSON). */
function attributesOf(pem: string): Record<string, string> {
  const raw = new X509Certificate(pem).raw.toString('latin1');
  const json = /\{"attrs":\{[^}]*\}\}/.exec(raw)?.[0];
  return json ? (JSON.parse(json) as { attrs: Record<string, string> }).attrs : {};
}

beforeAll(async () => {
  await ensureNetwork();
});

afterAll(() => closeConnections());

describe("a user's certificate renewed at the org's CA", () => {
  it('keeps its name and attributes on a new key, and the renewed identity endorses and commits', async () => {
    // role=admin: the probe contract (every chaincode carries it) takes writes from admins only.
    const user = await enrolUser('city', `renewing-${run}`, { role: 'admin', drill: `renewal-${run}` });
    const o = findOrg(network().topology, 'city');
    const ca = new FabricCaClient(caUrl(o), readFileSync(network().paths.caCert(o.name)), caName(o));

    const renewed = await ca.reenroll({ certificate: user.certificate, privateKey: user.privateKey });

    const [before, after] = [new X509Certificate(user.certificate), new X509Certificate(renewed.certificate)];
    // The name the chaincodes read (CN) and the role Fabric's NodeOUs read (OU); fabric-ca-client's
    // C/ST/O defaults are not in the gateway's requests.
    const nameOf = (c: X509Certificate) => c.subject.split('\n').filter((f) => /^(CN|OU)=/.test(f));
    expect(nameOf(after)).toEqual(nameOf(before));
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.publicKey.equals(before.publicKey)).toBe(false);
    expect(attributesOf(renewed.certificate)).toMatchObject({ role: 'admin', drill: `renewal-${run}` });
    expect(attributesOf(renewed.certificate)).toEqual(attributesOf(user.certificate));

    const contract = contractAs({ ...user, ...renewed }, 'identity');
    const key = `renewed-${run}`;
    const submitted = await contract.submitAsync('probe:Put', {
      arguments: [JSON.stringify({ key, value: 'renewed' })],
    });
    expect((await submitted.getStatus()).successful).toBe(true);
    expect(json(await contract.evaluateTransaction('probe:Get', key))).toMatchObject({
      key,
      value: 'renewed',
    });
  });
});
