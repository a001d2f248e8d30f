import { generateKeyPairSync, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs it loaded first
import * as x509 from '@peculiar/x509';
import { signLowS } from '../fabric/signer';

/**
 * A small Fabric CA client over its REST API (register, enroll, reenroll): https + node:crypto for keys and
 * tokens, @peculiar/x509 for the PKCS#10 request. fabric-ca-client (the legacy SDK) is not used: it
 * drags fabric-common and an optional native PKCS#11 module into the gateway.
 */
export interface Enrolment {
  certificate: string;
  privateKey: string;
}

export interface CaIdentity {
  certificate: string;
  privateKey: string;
}

export interface RegisterRequest {
  enrollmentId: string;
  secret?: string;
  type?: 'client' | 'admin';
  attrs: Array<{ name: string; value: string; ecert?: boolean }>;
  maxEnrollments?: number;
}

export interface FabricCa {
  enroll(enrollmentId: string, secret: string): Promise<Enrolment>;
  register(registrar: CaIdentity, req: RegisterRequest): Promise<string>;
  /** A new certificate, on a new key, for an enrolled identity: authenticated by its current certificate. */
  reenroll(current: CaIdentity): Promise<Enrolment>;
}

/** A PEM certificate's end of validity (epoch ms), and its subject's CN. */
export function certificateInfo(pem: string): { endsAt: number; commonName: string } {
  const cert = new X509Certificate(pem);
  return { endsAt: Date.parse(cert.validTo), commonName: /^CN=(.*)$/m.exec(cert.subject)?.[1] ?? '' };
}

export class CaError extends Error {
  override name = 'CaError';
  constructor(
    message: string,
    readonly status: number,
    readonly caCode?: number,
  ) {
    super(message);
  }
}

x509.cryptoProvider.set(webcrypto as never);

export class FabricCaClient implements FabricCa {
  constructor(
    private readonly url: string,
    private readonly tlsCert: string | Buffer,
    private readonly caName = '',
  ) {}

  async enroll(enrollmentId: string, secret: string): Promise<Enrolment> {
    const { csr, privateKey } = await newCsr(enrollmentId);
    const body = { certificate_request: csr, caname: this.caName };
    const auth = `Basic ${Buffer.from(`${enrollmentId}:${secret}`).toString('base64')}`;
    const result = (await this.call('/api/v1/enroll', body, auth)) as { Cert: string };
    return { certificate: Buffer.from(result.Cert, 'base64').toString('utf8'), privateKey };
  }

  async reenroll(current: CaIdentity): Promise<Enrolment> {
    const { csr, privateKey } = await newCsr(certificateInfo(current.certificate).commonName);
    const body = { certificate_request: csr, caname: this.caName };
    const result = (await this.call('/api/v1/reenroll', body, authToken(current, 'POST', '/api/v1/reenroll', body))) as { Cert: string };
    return { certificate: Buffer.from(result.Cert, 'base64').toString('utf8'), privateKey };
  }

  async register(registrar: CaIdentity, req: RegisterRequest): Promise<string> {
    const body = {
      id: req.enrollmentId,
      type: req.type ?? 'client',
      affiliation: '',
      max_enrollments: req.maxEnrollments ?? 1,
      attrs: req.attrs.map((a) => ({ name: a.name, value: a.value, ecert: a.ecert ?? true })),
      caname: this.caName,
      ...(req.secret ? { secret: req.secret } : {}),
    };
    const result = (await this.call('/api/v1/register', body, authToken(registrar, 'POST', '/api/v1/register', body))) as { secret: string };
    return result.secret;
  }

  private call(path: string, body: unknown, authorization: string): Promise<unknown> {
    const payload = JSON.stringify(body);
    const target = new URL(path, this.url);
    const options = {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization },
      ca: this.tlsCert,
      timeout: 15000,
    };
    return new Promise((resolve, reject) => {
      const req = (target.protocol === 'https:' ? request : httpRequest)(target, options, (res) => {
        const chunks: Buffer[] = [];
        let ended = false;
        // A connection reset mid-response never emits 'end': without these the call would wait for ever
        // (the request's timeout covers the socket's idleness, not a socket already gone).
        const broken = (err?: Error) => reject(new CaError(`CA connection broke mid-response${err ? `: ${err.message}` : ''}`, 503));
        res.on('aborted', () => broken());
        res.on('error', (err) => broken(err));
        res.on('close', () => {
          if (!ended) broken();
        });
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          ended = true;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: { success?: boolean; result?: unknown; errors?: Array<{ code: number; message: string }> } = {};
          try {
            parsed = JSON.parse(text);
          } catch {
            return reject(new CaError(`CA answered ${res.statusCode} with non-JSON`, res.statusCode ?? 502));
          }
          if (!parsed.success) {
            const e = parsed.errors?.[0];
            return reject(new CaError(`CA refused ${path}: ${e?.message ?? res.statusCode}`, res.statusCode ?? 502, e?.code));
          }
          resolve(parsed.result);
        });
      });
      req.on('timeout', () => req.destroy(new CaError('CA request timed out', 504)));
      req.on('error', (err) => reject(err instanceof CaError ? err : new CaError(`CA unreachable: ${err.message}`, 503)));
      req.end(payload);
    });
  }
}

/**
 * Fabric CA token auth: "<b64 cert>.<b64 signature>" over "<METHOD>.<b64 uri>.<b64 body>.<b64 cert>",
 * ECDSA-SHA256, low-S (as fabric-ca-client does with compatibility mode off).
 */
export function authToken(identity: CaIdentity, method: string, uri: string, body: unknown): string {
  const cert = Buffer.from(identity.certificate).toString('base64');
  const b64Body = Buffer.from(JSON.stringify(body)).toString('base64');
  const message = `${method}.${Buffer.from(uri).toString('base64')}.${b64Body}.${cert}`;
  const sig = signLowS(createPrivateKey(identity.privateKey), Buffer.from(message));
  return `${cert}.${Buffer.from(sig).toString('base64')}`;
}

/** A fresh P-256 key and a PKCS#10 request for CN=<enrollmentId>. */
export async function newCsr(enrollmentId: string): Promise<{ csr: string; privateKey: string }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const subtle = webcrypto.subtle;
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const priv = await subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = await subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, algorithm, true, ['verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${enrollmentId}`,
    keys: { privateKey: priv, publicKey: pub } as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return { csr: csr.toString('pem'), privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}
