import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs it loaded first
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { isIP } from 'node:net';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { Paths } from './paths';
import { OrgSpec } from './topology';

/**
 * The operations endpoints of an org's CA, peers and orderers (/healthz, /version, /metrics,
 * /logspec) serve TLS from a CA of the org's own that signs nothing else. With TLS on, Fabric asks a
 * client certificate for /metrics and /logspec (/healthz and /version stay open), checked against
 * this CA only: were it the org's CA, every certificate the org ever issued (residents, devices,
 * meters) could change a peer's log levels. The org's operator holds the one client certificate.
 * Fabric's docs ask for exactly this: a separate, dedicated CA for the operations service.
 */

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEARS = 10;
x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** What a process needs to serve its operations endpoint, and what a client needs to call one. */
export interface OperationsTls {
  /** The operations CA's certificate: clients trust it, servers check client certificates against it. */
  ca: string;
  cert: string;
  key: string;
}

const dir = (paths: Paths, org: OrgSpec) => path.join(paths.org(org.name), 'operations');
const caFiles = (paths: Paths, org: OrgSpec) => ({
  cert: path.join(dir(paths, org), 'ca.crt'),
  key: path.join(dir(paths, org), 'ca.key'),
});

/** The TLS files of a node's operations endpoint (`ensureOperationsTls` creates them). */
export function serverTls(paths: Paths, org: OrgSpec, nodeId: string): OperationsTls {
  const d = path.join(dir(paths, org), nodeId);
  return { ca: caFiles(paths, org).cert, cert: path.join(d, 'server.crt'), key: path.join(d, 'server.key') };
}

/** The org operator's client certificate for its nodes' operations endpoints (Prometheus, /logspec). */
export function operatorTls(paths: Paths, org: OrgSpec): OperationsTls {
  const d = path.join(dir(paths, org), 'operator');
  return { ca: caFiles(paths, org).cert, cert: path.join(d, 'client.crt'), key: path.join(d, 'client.key') };
}

/**
 * Creates what is missing: the org's operations CA, a server certificate for each node (valid for
 * `hosts`) and the operator's client certificate. Idempotent; existing files are kept, so a node
 * added to the topology later gets a certificate from the same CA. A certificate the current CA did
 * not sign (its CA was deleted to rotate it) is issued again.
 */
export async function ensureOperationsTls(
  paths: Paths,
  org: OrgSpec,
  nodes: { id: string; hosts: string[] }[],
): Promise<void> {
  const ca = await loadOrCreateCa(paths, org);
  for (const node of nodes) {
    const files = serverTls(paths, org, node.id);
    if (!signedBy(files, ca)) await issue(ca, files, node.id, node.hosts, 'server');
  }
  const operator = operatorTls(paths, org);
  if (!signedBy(operator, ca)) await issue(ca, operator, `operator.${org.name}`, [], 'client');
}

function signedBy(files: OperationsTls, ca: Ca): boolean {
  if (!existsSync(files.cert) || !existsSync(files.key)) return false;
  const cert = new X509Certificate(readFileSync(files.cert));
  return cert.verify(new X509Certificate(ca.cert.toString('pem')).publicKey);
}

interface Ca {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

async function loadOrCreateCa(paths: Paths, org: OrgSpec): Promise<Ca> {
  const files = caFiles(paths, org);
  if (existsSync(files.cert) && existsSync(files.key)) {
    const der = createPrivateKey(readFileSync(files.key)).export({ type: 'pkcs8', format: 'der' });
    return {
      cert: new x509.X509Certificate(readFileSync(files.cert, 'utf8')),
      key: await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']),
    };
  }
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=operations-ca.${org.name},O=${org.name}`,
    ...validity(),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  // Key first: a certificate without its key would be taken for a finished CA next time.
  await writePair(files, cert, keys.privateKey);
  return { cert, key: keys.privateKey };
}

async function issue(
  ca: Ca,
  files: OperationsTls,
  commonName: string,
  hosts: string[],
  purpose: 'server' | 'client',
): Promise<void> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [purpose === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
  ];
  if (hosts.length > 0)
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        [...new Set(hosts)].map((h) =>
          isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
        ),
        false,
      ),
    );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${commonName}`,
    issuer: ca.cert.subject,
    ...validity(),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions,
  });
  await writePair(files, cert, keys.privateKey);
}

async function writePair(files: { cert: string; key: string }, cert: x509.X509Certificate, key: CryptoKey) {
  mkdirSync(path.dirname(files.cert), { recursive: true, mode: 0o700 });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  });
  writeAtomically(files.key, pem.toString(), 0o600);
  writeAtomically(files.cert, cert.toString('pem'), 0o644);
}

function writeAtomically(file: string, text: string, mode: number): void {
  const staging = `${file}.${process.pid}`;
  writeFileSync(staging, text, { mode });
  renameSync(staging, file);
}

// Positive, non-zero, 16 bytes: unique enough that two certificates of one CA never share one.
const serial = () => `01${randomBytes(15).toString('hex')}`;

function validity() {
  const notBefore = new Date(Date.now() - 60_000); // clocks of other hosts may lag a little
  const notAfter = new Date(notBefore);
  notAfter.setFullYear(notAfter.getFullYear() + YEARS);
  return { notBefore, notAfter };
}

/** GET on an operations endpoint over its TLS, as the org's operator (or, without `cert`, as nobody). */
export function operationsGet(
  tls: Pick<OperationsTls, 'ca'> & Partial<OperationsTls>,
  host: string,
  port: number,
  urlPath: string,
  timeoutMs = 2000,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: urlPath,
        method: 'GET',
        ca: readFileSync(tls.ca),
        cert: tls.cert ? readFileSync(tls.cert) : undefined,
        key: tls.key ? readFileSync(tls.key) : undefined,
        // Node checks an IP literal against the certificate's IP addresses; a name needs its SNI.
        servername: isIP(host) ? undefined : host,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Health as a node's operations endpoint reports it, asked as the org's operator. */
export async function health(paths: Paths, org: OrgSpec, operationsPort: number): Promise<'OK' | string> {
  try {
    const res = await operationsGet(operatorTls(paths, org), org.host, operationsPort, '/healthz');
    if (res.status === 200) return 'OK';
    return `unhealthy (${res.status}: ${res.text.slice(0, 200)})`;
  } catch {
    return 'unreachable';
  }
}
