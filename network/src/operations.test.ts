import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import { caProcessSpec } from './ca';
import { ordererProcessSpec, peerProcessSpec } from './nodes';
import { ensureOperationsTls, operationsGet, operatorTls, serverTls } from './operations';
import { Paths } from './paths';
import { rememberStateDir } from './testing';
import { loadTopology, orderers, OrgSpec, peers } from './topology';

describe("an org's operations endpoints", () => {
  const t = loadTopology();
  const [city, hospital] = t.orgs;
  const restoreStateDir = rememberStateDir();
  let paths: Paths;
  let server: Server | undefined;

  beforeAll(async () => {
    process.env.CITYLEDGER_STATE_DIR = mkdtempSync(path.join(os.tmpdir(), 'ops-'));
    paths = new Paths(t);
    const nodes = (org: OrgSpec) => [
      { id: `peer0.${org.name}`, hosts: ['localhost', '127.0.0.1', org.host] },
    ];
    await ensureOperationsTls(paths, city, nodes(city));
    await ensureOperationsTls(paths, hospital, nodes(hospital));
  });
  afterAll(() => {
    server?.close();
    restoreStateDir();
  });

  /** An HTTPS server like Fabric's operations endpoint: its certificate, client certificates checked if shown. */
  async function serve(tls = serverTls(paths, city, 'peer0.city')): Promise<number> {
    server?.close();
    server = createServer(
      {
        cert: readFileSync(tls.cert),
        key: readFileSync(tls.key),
        ca: readFileSync(tls.ca),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const client = socket.getPeerCertificate();
        res.end(socket.authorized ? `operator ${client.subject.CN}` : 'anonymous');
      },
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server!.address() as AddressInfo).port;
  }

  it('get certificates from a CA of their org that signs only them, keys for the owner only', () => {
    const ca = new X509Certificate(readFileSync(serverTls(paths, city, 'peer0.city').ca));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=operations-ca.city');
    const server = new X509Certificate(readFileSync(serverTls(paths, city, 'peer0.city').cert));
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.subjectAltName).toBe(`DNS:localhost, IP Address:127.0.0.1`);
    // Not the org's Fabric CA: nothing it issued (a resident's certificate) is trusted here.
    const hospitalCa = new X509Certificate(readFileSync(serverTls(paths, hospital, 'peer0.hospital').ca));
    expect(hospitalCa.fingerprint256).not.toBe(ca.fingerprint256);
    expect(statSync(serverTls(paths, city, 'peer0.city').key).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(paths.org('city'), 'operations', 'ca.key')).mode & 0o777).toBe(0o600);
    const operator = new X509Certificate(readFileSync(operatorTls(paths, city).cert));
    expect(operator.checkIssued(ca) && operator.verify(ca.publicKey)).toBe(true);
  });

  it('keeps what exists: a second run issues nothing new, a new node is signed by the same CA', async () => {
    const before = readFileSync(serverTls(paths, city, 'peer0.city').cert, 'utf8');
    await ensureOperationsTls(paths, city, [
      { id: 'peer0.city', hosts: ['localhost'] },
      { id: 'peer1.city', hosts: ['localhost'] },
    ]);
    expect(readFileSync(serverTls(paths, city, 'peer0.city').cert, 'utf8')).toBe(before);
    const ca = new X509Certificate(readFileSync(serverTls(paths, city, 'peer0.city').ca));
    const added = new X509Certificate(readFileSync(serverTls(paths, city, 'peer1.city').cert));
    expect(added.verify(ca.publicKey)).toBe(true);
  });

  it("are called over TLS as the org's operator, the server checked against the operations CA", async () => {
    const port = await serve();
    expect(await operationsGet(operatorTls(paths, city), '127.0.0.1', port, '/healthz')).toEqual({
      status: 200,
      text: 'operator operator.city',
    });
  });

  it("refuse to talk to a server another org's operations CA signed", async () => {
    const port = await serve(serverTls(paths, hospital, 'peer0.hospital'));
    await expect(operationsGet(operatorTls(paths, city), '127.0.0.1', port, '/healthz')).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it("start every node with its endpoint on that CA's TLS, and orderers' admin trusting the operator alone", () => {
    const peer = peers(t).find((p) => p.id === 'peer0.city')!;
    const orderer = orderers(t).find((o) => o.org.name === 'city')!;
    const ops = (id: string) => serverTls(paths, city, id);
    expect(peerProcessSpec(paths, t, peer).env).toMatchObject({
      CORE_OPERATIONS_TLS_ENABLED: 'true',
      CORE_OPERATIONS_TLS_CERT_FILE: ops('peer0.city').cert,
      CORE_OPERATIONS_TLS_KEY_FILE: ops('peer0.city').key,
      CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES: ops('peer0.city').ca,
    });
    expect(ordererProcessSpec(paths, t, orderer).env).toMatchObject({
      ORDERER_OPERATIONS_TLS_ENABLED: 'true',
      ORDERER_OPERATIONS_TLS_CERTIFICATE: ops(orderer.id).cert,
      ORDERER_OPERATIONS_TLS_CLIENTROOTCAS: `[${ops(orderer.id).ca}]`,
      ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${operatorTls(paths, city).ca}]`,
    });
    const args = caProcessSpec(paths, city).args;
    expect(args.slice(args.indexOf('--operations.tls.enabled'))).toEqual([
      '--operations.tls.enabled',
      '--operations.tls.certfile',
      ops('ca.city').cert,
      '--operations.tls.keyfile',
      ops('ca.city').key,
      '--operations.tls.clientcacertfiles',
      ops('ca.city').ca,
    ]);
  });

  it('issues every certificate again when its CA was replaced (deleted to rotate it)', async () => {
    const dir = path.join(paths.org('hospital'), 'operations');
    const before = readFileSync(serverTls(paths, hospital, 'peer0.hospital').cert, 'utf8');
    rmSync(path.join(dir, 'ca.crt'));
    rmSync(path.join(dir, 'ca.key'));
    await ensureOperationsTls(paths, hospital, [{ id: 'peer0.hospital', hosts: ['localhost'] }]);
    const ca = new X509Certificate(readFileSync(serverTls(paths, hospital, 'peer0.hospital').ca));
    const server = new X509Certificate(readFileSync(serverTls(paths, hospital, 'peer0.hospital').cert));
    expect(server.toString()).not.toBe(before);
    expect(server.verify(ca.publicKey)).toBe(true);
    const operator = new X509Certificate(readFileSync(operatorTls(paths, hospital).cert));
    expect(operator.verify(ca.publicKey)).toBe(true);
  });
});
