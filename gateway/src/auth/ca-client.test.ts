import 'reflect-metadata';
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { selfSigned } from '../testing/certs';
import { CaError, FabricCaClient } from './ca-client';

describe('Fabric CA client over the CA REST API', () => {
  let server: Server;
  let url: string;
  let tls: { cert: string; key: string };
  let registrar: { cert: string; key: string };
  const seen: Array<{ path: string; body: Record<string, unknown>; authorization: string }> = [];

  beforeAll(async () => {
    tls = await selfSigned('ca.test', '127.0.0.1');
    registrar = await selfSigned('registrar');
    server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        seen.push({ path: req.url ?? '', body, authorization: req.headers.authorization ?? '' });
        const reply = (status: number, payload: object) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(payload));
        };
        if (req.url === '/api/v1/enroll') {
          if (req.headers.authorization !== `Basic ${Buffer.from('alice:pw').toString('base64')}`) return reply(401, { success: false, errors: [{ code: 20, message: 'Authentication failure' }] });
          return reply(201, { success: true, result: { Cert: Buffer.from('-----BEGIN CERTIFICATE-----\nissued\n-----END CERTIFICATE-----\n').toString('base64') } });
        }
        if (req.url === '/api/v1/register') {
          if (body.id === 'taken') return reply(400, { success: false, errors: [{ code: 74, message: 'Identity taken is already registered' }] });
          return reply(201, { success: true, result: { secret: 'generated' } });
        }
        reply(404, { success: false, errors: [{ code: 0, message: 'nope' }] });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('enrols with a valid PKCS#10 request for CN=<id> signed by the returned key', async () => {
    const client = new FabricCaClient(url, tls.cert, 'ca-city');
    const e = await client.enroll('alice', 'pw');
    expect(e.certificate).toContain('issued');
    const sent = seen.find((s) => s.path === '/api/v1/enroll')!;
    expect(sent.body.caname).toBe('ca-city');
    const csr = new x509.Pkcs10CertificateRequest(sent.body.certificate_request as string);
    expect(csr.subject).toBe('CN=alice');
    expect(await csr.verify()).toBe(true);
    // The CSR's public key is the returned private key's.
    const csrKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    expect(csrKey.export({ format: 'jwk' })).toEqual(createPublicKey(e.privateKey).export({ format: 'jwk' }));
  });

  it('registers with a token the CA can verify against the registrar certificate', async () => {
    const client = new FabricCaClient(url, tls.cert);
    const secret = await client.register({ certificate: registrar.cert, privateKey: registrar.key }, { enrollmentId: 'bob', attrs: [{ name: 'role', value: 'doctor' }] });
    expect(secret).toBe('generated');
    const sent = seen.find((s) => s.path === '/api/v1/register')!;
    expect(sent.body).toMatchObject({ id: 'bob', type: 'client', max_enrollments: 1, attrs: [{ name: 'role', value: 'doctor', ecert: true }] });
    const [b64cert, b64sig] = sent.authorization.split('.');
    expect(Buffer.from(b64cert, 'base64').toString()).toBe(registrar.cert);
    const message = `POST.${Buffer.from('/api/v1/register').toString('base64')}.${Buffer.from(JSON.stringify(sent.body)).toString('base64')}.${b64cert}`;
    expect(verify('sha256', Buffer.from(message), new X509Certificate(registrar.cert).publicKey, Buffer.from(b64sig, 'base64'))).toBe(true);
  });

  it('reports CA refusals and unreachable CAs as CaError', async () => {
    const client = new FabricCaClient(url, tls.cert);
    await expect(client.enroll('alice', 'wrong')).rejects.toMatchObject({ name: 'CaError', status: 401, caCode: 20 });
    await expect(client.register({ certificate: registrar.cert, privateKey: registrar.key }, { enrollmentId: 'taken', attrs: [] })).rejects.toThrow(/already registered/);
    const untrusted = new FabricCaClient(url, (await selfSigned('other')).cert);
    await expect(untrusted.enroll('alice', 'pw')).rejects.toBeInstanceOf(CaError);
  });

  it('rejects, instead of waiting for ever, when the CA connection is reset mid-response', async () => {
    const cut = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"success":true,"result":{"Cert":"');
        setTimeout(() => res.socket?.destroy(), 20);
      });
    });
    await new Promise<void>((r) => cut.listen(0, '127.0.0.1', r));
    try {
      const client = new FabricCaClient(`http://127.0.0.1:${(cut.address() as AddressInfo).port}`, tls.cert);
      const outcome = await Promise.race([
        client.enroll('alice', 'pw').then(
          () => 'resolved',
          (err: unknown) => err,
        ),
        new Promise((r) => setTimeout(() => r('still pending'), 2000)),
      ]);
      expect(outcome).toBeInstanceOf(CaError);
      expect(outcome).toMatchObject({ status: 503, message: expect.stringMatching(/mid-response/) });
    } finally {
      cut.close();
    }
  });
});
