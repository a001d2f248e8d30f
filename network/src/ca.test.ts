import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs it loaded first
import { webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { caTlsDue, enrollIdentity, RENEW_BEFORE_MS } from './ca';
import { NetworkError } from './errors';
import { Paths } from './paths';
import { rememberStateDir } from './testing';
import { loadTopology } from './topology';

x509.cryptoProvider.set(webcrypto as never);
const DAY = 24 * 3600 * 1000;

/** A self-signed P-256 certificate (PEM) ending `endsInMs` from now, and its PKCS#8 key (PEM). */
async function certificate(cn: string, endsInMs: number): Promise<{ cert: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${cn}`,
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() + endsInMs),
    keys: keys as never,
    signingAlgorithm: alg,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** An enrolled node's folder as `up` leaves it: MSP (signcert, keystore) and TLS (server.crt, server.key). */
async function enrolledNode(dir: string, mspEndsInMs: number, tlsEndsInMs: number): Promise<void> {
  const msp = await certificate('orderer0.city', mspEndsInMs);
  const tls = await certificate('orderer0.city', tlsEndsInMs);
  for (const sub of ['msp/signcerts', 'msp/keystore', 'tls'])
    mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'msp', 'signcerts', 'cert.pem'), msp.cert);
  writeFileSync(path.join(dir, 'msp', 'keystore', 'key_sk'), msp.key);
  writeFileSync(path.join(dir, 'tls', 'server.crt'), tls.cert);
  writeFileSync(path.join(dir, 'tls', 'server.key'), tls.key);
}

describe('node certificates near their end', () => {
  const t = loadTopology();
  const city = t.orgs[0];
  const restoreStateDir = rememberStateDir();
  let paths: Paths;
  let dir: string;
  const orderer = { name: 'orderer0.city', type: 'orderer' as const, tls: true };

  beforeEach(() => {
    process.env.CITYLEDGER_STATE_DIR = mkdtempSync(path.join(os.tmpdir(), 'ca-'));
    paths = new Paths(t);
    dir = path.join(paths.state, 'node');
  });
  afterAll(() => restoreStateDir());

  it('are left alone, the CA not asked, while more than the renewal window remains', async () => {
    await enrolledNode(dir, 200 * DAY, RENEW_BEFORE_MS + DAY);
    const before = readFileSync(path.join(dir, 'tls', 'server.crt'), 'utf8');
    expect(await enrollIdentity(paths, city, dir, orderer)).toBe(false);
    expect(readFileSync(path.join(dir, 'tls', 'server.crt'), 'utf8')).toBe(before);
  });

  it('refuse an orderer whose TLS certificate has ended (Raft knows it by that key): CERTIFICATE_EXPIRED, nothing changed', async () => {
    await enrolledNode(dir, 200 * DAY, -DAY);
    const before = readFileSync(path.join(dir, 'tls', 'server.crt'), 'utf8');
    const refusal = await enrollIdentity(paths, city, dir, orderer).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(NetworkError);
    expect(refusal).toMatchObject({ code: 'CERTIFICATE_EXPIRED' });
    expect((refusal as Error).message).toContain('consenter set');
    expect(readFileSync(path.join(dir, 'tls', 'server.crt'), 'utf8')).toBe(before);
  });

  it("the CA's own TLS certificate is due within the window, and not before", async () => {
    mkdirSync(paths.caHome(city.name), { recursive: true });
    writeFileSync(paths.caTlsCert(city.name), (await certificate('ca', 10 * DAY)).cert);
    expect(caTlsDue(paths, city, RENEW_BEFORE_MS)).toBe(true);
    expect(caTlsDue(paths, city, 5 * DAY)).toBe(false);
  });
});
