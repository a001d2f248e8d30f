import { createHash, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { NetworkError } from './errors';
import { CommandError, retry, run } from './exec';
import { health, serverTls } from './operations';
import { Paths } from './paths';
import { ProcessSpec } from './processes';
import { OrgSpec } from './topology';

/**
 * Each org runs its own Fabric CA (TLS on). Every certificate of the org — peers, orderers, admins,
 * users, TLS server and client certificates — comes from it, never from cryptogen. NodeOUs classify
 * identities by the OU the CA stamps from the registered type (client, peer, orderer, admin).
 */
export const caName = (org: OrgSpec) => `ca-${org.name}`;
export const caUrl = (org: OrgSpec) => `https://${org.host}:${org.ca.port}`;
export const caProcess = (org: OrgSpec) => `ca.${org.name}`;

export type IdentityType = 'client' | 'peer' | 'orderer' | 'admin';

export interface IdentityRequest {
  name: string;
  type: IdentityType;
  /** Certificate attributes, all added to the enrolment certificate (`ecert`). */
  attrs?: Record<string, string>;
  /** Extra registrar rights (hf.* attributes, not in the certificate). */
  registrarAttrs?: Record<string, string>;
  /** Host names a TLS certificate is valid for. */
  tlsHosts?: string[];
  tls: boolean;
}

/**
 * Enrolment secrets. The bootstrap registrar's lives in the org's secrets.json (the gateway reads it
 * there); every other identity's in a file of its own, created exclusively, so that suites enrolling
 * users at the same time never overwrite each other's secrets.
 */
function secretFor(paths: Paths, org: OrgSpec, name: string): string {
  return name === 'registrar' ? registrarSecret(paths, org) : identitySecret(paths, org, name);
}

function registrarSecret(paths: Paths, org: OrgSpec): string {
  const file = path.join(paths.org(org.name), 'secrets.json');
  if (existsSync(file)) {
    const existing = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).registrar;
    if (existing) return existing;
  }
  mkdirSync(paths.org(org.name), { recursive: true });
  const secret = randomBytes(18).toString('base64url');
  // Written once by `up` before anything else enrols; the rename makes it appear whole.
  const staging = `${file}.${process.pid}`;
  writeFileSync(staging, JSON.stringify({ registrar: secret }, null, 2), { mode: 0o600 });
  renameSync(staging, file);
  return secret;
}

function identitySecret(paths: Paths, org: OrgSpec, name: string): string {
  const dir = path.join(paths.org(org.name), 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, name.replace(/[^A-Za-z0-9._-]/g, '_'));
  try {
    writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8');
}

export function caProcessSpec(paths: Paths, org: OrgSpec): ProcessSpec {
  return {
    name: caProcess(org),
    command: paths.binary('fabric-ca-server'),
    args: [
      'start',
      '-H',
      paths.caHome(org.name),
      '-b',
      `registrar:${secretFor(paths, org, 'registrar')}`,
      '--address',
      org.host,
      '--port',
      String(org.ca.port),
      '--ca.name',
      caName(org),
      '--csr.cn',
      `ca.${org.name}`,
      '--csr.hosts',
      `localhost,127.0.0.1,${org.host}`,
      '--tls.enabled',
      '--operations.listenaddress',
      `${org.host}:${org.ca.operationsPort}`,
      ...caOperationsTls(paths, org),
    ],
    env: { ...process.env },
  };
}

/**
 * The CA's operations endpoint over TLS from the org's operations CA (`operations.ts`). Fabric CA
 * takes these as (hidden) flags; its config file's `clientRootCAs` key never reaches its server.
 */
function caOperationsTls(paths: Paths, org: OrgSpec): string[] {
  const tls = serverTls(paths, org, caProcess(org));
  return [
    '--operations.tls.enabled',
    '--operations.tls.certfile',
    tls.cert,
    '--operations.tls.keyfile',
    tls.key,
    '--operations.tls.clientcacertfiles',
    tls.ca,
  ];
}

export async function waitForCa(paths: Paths, org: OrgSpec): Promise<void> {
  await retry(`CA of ${org.name}`, async () => {
    const h = await health(paths, org, org.ca.operationsPort);
    if (h !== 'OK') throw new Error(h);
    if (!existsSync(paths.caTlsCert(org.name))) throw new Error('no TLS certificate yet');
  });
}

function clientArgs(paths: Paths, org: OrgSpec): string[] {
  return ['--caname', caName(org), '--tls.certfiles', paths.caTlsCert(org.name)];
}

async function caClient(paths: Paths, org: OrgSpec, home: string, args: string[]): Promise<string> {
  mkdirSync(home, { recursive: true });
  return run(paths.binary('fabric-ca-client'), [...args, ...clientArgs(paths, org), '-H', home]);
}

/** Enrols the bootstrap registrar once; its MSP signs every later registration. */
export async function enrollRegistrar(
  paths: Paths,
  org: OrgSpec,
  renewWithinMs = RENEW_BEFORE_MS,
): Promise<void> {
  const home = paths.registrar(org.name);
  await renewMsp(paths, org, home, 'registrar', renewWithinMs);
  // Still there (renewed, or not due): done. Gone (it had expired, or never was): enrolled with its secret.
  if (existsSync(path.join(home, 'msp', 'signcerts', 'cert.pem'))) return;
  const secret = secretFor(paths, org, 'registrar');
  const url = caUrl(org).replace('https://', `https://registrar:${encodeURIComponent(secret)}@`);
  await caClient(paths, org, home, ['enroll', '-u', url, '-M', path.join(home, 'msp')]);
}

const attrList = (attrs: Record<string, string>, ecert: boolean) =>
  Object.entries(attrs)
    .map(([k, v]) => `${k}=${v.includes(',') ? `"${v}"` : v}${ecert ? ':ecert' : ''}`)
    .join(',');

/**
 * Registers (if new) and enrols an identity into `dir/msp`, and with `tls` also a TLS certificate into
 * `dir/tls` (server.crt, server.key, ca.crt). Idempotent: an identity already enrolled is left alone.
 */
export async function enrollIdentity(
  paths: Paths,
  org: OrgSpec,
  dir: string,
  req: IdentityRequest,
  renewWithinMs = RENEW_BEFORE_MS,
): Promise<boolean> {
  const renewed = await renewIdentity(paths, org, dir, req, renewWithinMs);
  const mspDone = existsSync(path.join(dir, 'msp', 'signcerts', 'cert.pem'));
  const tlsDone = !req.tls || existsSync(path.join(dir, 'tls', 'server.crt'));
  if (mspDone && tlsDone) return renewed;
  const secret = secretFor(paths, org, `${req.type}:${req.name}`);
  const attrs = [attrList(req.attrs ?? {}, true), attrList(req.registrarAttrs ?? {}, false)]
    .filter(Boolean)
    .join(',');
  try {
    await caClient(paths, org, paths.registrar(org.name), [
      'register',
      '-u',
      caUrl(org),
      '--id.name',
      req.name,
      '--id.secret',
      secret,
      '--id.type',
      req.type,
      ...(attrs ? ['--id.attrs', attrs] : []),
    ]);
  } catch (err) {
    if (!(err instanceof CommandError && /already registered/i.test(err.output))) throw err;
  }
  const url = caUrl(org).replace('https://', `https://${req.name}:${encodeURIComponent(secret)}@`);
  const home = path.join(dir, '.ca-client');
  if (!mspDone) {
    const msp = path.join(dir, 'msp');
    rmSync(msp, { recursive: true, force: true });
    await caClient(paths, org, home, ['enroll', '-u', url, '-M', msp, '--csr.cn', req.name]);
    normaliseMsp(msp);
    writeNodeOUs(msp);
  }
  if (!tlsDone) {
    const staging = path.join(dir, '.tls-enrolment');
    rmSync(staging, { recursive: true, force: true });
    const hosts = req.tlsHosts ?? ['localhost', '127.0.0.1'];
    await caClient(paths, org, home, [
      'enroll',
      '-u',
      url,
      '-M',
      staging,
      '--enrollment.profile',
      'tls',
      '--csr.cn',
      req.name,
      '--csr.hosts',
      hosts.join(','),
    ]);
    const tls = path.join(dir, 'tls');
    mkdirSync(tls, { recursive: true });
    copyFileSync(path.join(staging, 'signcerts', 'cert.pem'), path.join(tls, 'server.crt'));
    copyFileSync(onlyFile(path.join(staging, 'keystore')), path.join(tls, 'server.key'));
    copyFileSync(onlyFile(path.join(staging, 'tlscacerts')), path.join(tls, 'ca.crt'));
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(home, { recursive: true, force: true });
  return true;
}

/**
 * Fabric CA issues node certificates for a year (`signing.default.expiry`): a network set up in one go
 * would stop all at once a year later. `up` issues each certificate again this long before its end.
 */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** A certificate file's end of validity (epoch ms). */
export const certificateEnd = (file: string) => Date.parse(new X509Certificate(readFileSync(file)).validTo);
/** Whether a certificate file ends within `ms` from now. */
export const endsWithin = (file: string, ms: number) => certificateEnd(file) - Date.now() <= ms;
const hasExpired = (file: string) => certificateEnd(file) <= Date.now();

/**
 * Renews an enrolled identity's certificates that end within `withinMs`, each on the key it has: an
 * orderer's TLS certificate is in every channel's consenter set, and Raft recognises a renewed one
 * only by its public key (Fabric's CertificatesWithSamePublicKey). A certificate already expired can
 * no longer authenticate its own renewal: its files are removed and enrolled anew with the identity's
 * secret (a new key), except an orderer's TLS certificate, which a channel update must replace.
 * True when anything was renewed (the node must restart to use it).
 */
async function renewIdentity(
  paths: Paths,
  org: OrgSpec,
  dir: string,
  req: IdentityRequest,
  withinMs: number,
): Promise<boolean> {
  let renewed = await renewMsp(paths, org, dir, req.name, withinMs);
  const staging = path.join(dir, '.renewal'); // beside the MSP folder: a node reads every file inside it
  const tls = path.join(dir, 'tls');
  const tlsCert = path.join(tls, 'server.crt');
  if (req.tls && existsSync(tlsCert) && endsWithin(tlsCert, withinMs)) {
    if (hasExpired(tlsCert)) {
      if (req.type === 'orderer')
        throw new NetworkError(
          'CERTIFICATE_EXPIRED',
          `${req.name}'s TLS certificate (${tlsCert}) has expired: Raft knows an orderer by its TLS key, and an expired certificate cannot authenticate its renewal on the same key. Enrol a new one and replace it in each channel's consenter set (a channel configuration update), as Fabric's docs describe.`,
        );
      rmSync(tls, { recursive: true, force: true });
    } else {
      const hosts = req.tlsHosts ?? ['localhost', '127.0.0.1'];
      await renewCertificate(paths, org, staging, {
        cert: tlsCert,
        key: path.join(tls, 'server.key'),
        cn: req.name,
        tlsHosts: hosts,
      });
    }
    renewed = true;
  }
  return renewed;
}

/**
 * Renews the enrolment certificate of `dir`'s MSP on its key if it ends within `withinMs`; one already
 * expired cannot authenticate its renewal, so its MSP is removed for a new enrolment. True when either.
 */
async function renewMsp(
  paths: Paths,
  org: OrgSpec,
  dir: string,
  cn: string,
  withinMs: number,
): Promise<boolean> {
  const msp = path.join(dir, 'msp');
  const cert = path.join(msp, 'signcerts', 'cert.pem');
  if (!existsSync(cert) || !endsWithin(cert, withinMs)) return false;
  if (hasExpired(cert)) rmSync(msp, { recursive: true, force: true });
  else await renewCertificate(paths, org, path.join(dir, '.renewal'), { cert, key: keystoreKey(msp), cn });
  return true;
}

/**
 * Whether the CA's own TLS certificate (which fabric-ca-server issued itself, on its root, for a year)
 * ends within `withinMs`. The server issues a new one at start when the file is missing; clients trust
 * the CA's root (the gateway) or read the file at every call (this CLI), so a new one needs no more.
 */
export const caTlsDue = (paths: Paths, org: OrgSpec, withinMs: number) =>
  existsSync(paths.caTlsCert(org.name)) && endsWithin(paths.caTlsCert(org.name), withinMs);

/** The one private key of an MSP folder's keystore. */
const keystoreKey = (msp: string) => onlyFile(path.join(msp, 'keystore'));

/**
 * Re-enrols a certificate at the org's CA on its own key (fabric-ca-client reenroll --reusekey, signed
 * by the certificate itself) and replaces the file in one rename. Only the certificate changes.
 */
async function renewCertificate(
  paths: Paths,
  org: OrgSpec,
  staging: string,
  target: { cert: string; key: string; cn: string; tlsHosts?: string[] },
): Promise<void> {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, 'signcerts'), { recursive: true });
  mkdirSync(path.join(staging, 'keystore'), { recursive: true });
  copyFileSync(target.cert, path.join(staging, 'signcerts', 'cert.pem'));
  // The client's keystore finds a key by its SKI (SHA-256 of the uncompressed public point).
  copyFileSync(target.key, path.join(staging, 'keystore', `${ski(target.key)}_sk`));
  try {
    await caClient(paths, org, path.join(staging, 'client'), [
      'reenroll',
      '-u',
      caUrl(org),
      '-M',
      staging,
      '--csr.keyrequest.reusekey',
      '--csr.cn',
      target.cn,
      ...(target.tlsHosts ? ['--enrollment.profile', 'tls', '--csr.hosts', target.tlsHosts.join(',')] : []),
    ]);
    const renewed = path.join(staging, 'signcerts', 'cert.pem');
    const before = new X509Certificate(readFileSync(target.cert));
    const after = new X509Certificate(readFileSync(renewed));
    if (!after.publicKey.equals(before.publicKey))
      throw new Error(`renewal of ${target.cert} changed its key; the old certificate is kept`);
    renameSync(renewed, target.cert);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function ski(keyFile: string): string {
  const jwk = createPublicKey(readFileSync(keyFile)).export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  return createHash('sha256').update(point).digest('hex');
}

function onlyFile(dir: string): string {
  const files = readdirSync(dir);
  if (files.length !== 1) throw new Error(`expected exactly one file in ${dir}, found ${files.length}`);
  return path.join(dir, files[0]);
}

/** Fabric CA names files after host and port; fixed names keep config.yaml and the tooling simple. */
function normaliseMsp(msp: string): void {
  const cacerts = path.join(msp, 'cacerts');
  const file = onlyFile(cacerts);
  if (path.basename(file) !== 'ca.pem') {
    copyFileSync(file, path.join(cacerts, 'ca.pem'));
    rmSync(file);
  }
  const keystore = path.join(msp, 'keystore');
  copyFileSync(onlyFile(keystore), path.join(msp, 'key.pem'));
}

export function writeNodeOUs(msp: string): void {
  const ou = (name: string) =>
    `  ${name}OUIdentifier:\n    Certificate: cacerts/ca.pem\n    OrganizationalUnitIdentifier: ${name.toLowerCase()}\n`;
  writeFileSync(
    path.join(msp, 'config.yaml'),
    `NodeOUs:\n  Enable: true\n${ou('Client')}${ou('Peer')}${ou('Admin')}${ou('Orderer')}`,
  );
}

/** The org's MSP as the channel configuration sees it: root CA for identities and for TLS. */
export function writeOrgMsp(paths: Paths, org: OrgSpec): void {
  const msp = paths.orgMsp(org.name);
  for (const sub of ['cacerts', 'tlscacerts']) {
    mkdirSync(path.join(msp, sub), { recursive: true });
    copyFileSync(paths.caCert(org.name), path.join(msp, sub, 'ca.pem'));
  }
  writeNodeOUs(msp);
}
