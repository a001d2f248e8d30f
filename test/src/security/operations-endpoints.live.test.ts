/**
 * Security suite, the nodes' operations endpoints (network/src/operations.ts): served over TLS from
 * each org's operations CA; /healthz open to anyone who trusts that CA, /metrics (and /logspec) only to
 * the org operator's client certificate — not to a certificate of the org's Fabric CA, which signed
 * every resident, device and meter of the org. The orderers' admin endpoint (channel participation)
 * likewise takes the operator's certificate only.
 */
import path from 'node:path';
import {
  adminDir,
  operationsGet,
  operatorTls,
  orderers,
  osnadminArgs,
  peers,
  run,
} from '@cityledger/network';
import { ensureNetwork, network } from '../support/live';

beforeAll(async () => {
  await ensureNetwork();
});

const nodes = () => {
  const t = network().topology;
  return [
    ...peers(t).map((p) => ({ id: p.id, org: p.org, port: p.spec.operationsPort })),
    ...orderers(t).map((o) => ({ id: o.id, org: o.org, port: o.spec.operationsPort })),
    ...t.orgs.map((org) => ({ id: `ca.${org.name}`, org, port: org.ca.operationsPort })),
  ];
};

describe('operations endpoints of every CA, orderer and peer', () => {
  it('answer /healthz over TLS to a client that shows no certificate', async () => {
    for (const n of nodes()) {
      const { ca } = operatorTls(network().paths, n.org);
      const res = await operationsGet({ ca }, n.org.host, n.port, '/healthz');
      expect({ node: n.id, status: res.status }).toEqual({ node: n.id, status: 200 });
    }
  });

  it('do not speak plain HTTP', async () => {
    for (const n of nodes()) {
      const answered = await fetch(`http://${n.org.host}:${n.port}/healthz`, {
        signal: AbortSignal.timeout(2000),
      })
        .then((r) => r.status)
        .catch(() => 'refused');
      expect({ node: n.id, answered }).not.toEqual({ node: n.id, answered: 200 });
    }
  });

  it("give /metrics to the org operator's certificate only", async () => {
    for (const n of nodes().filter((x) => !x.id.startsWith('ca.'))) {
      const operator = operatorTls(network().paths, n.org);
      const asOperator = await operationsGet(operator, n.org.host, n.port, '/metrics');
      expect({ node: n.id, status: asOperator.status }).toEqual({ node: n.id, status: 200 });
      expect(asOperator.text).toContain('# TYPE');

      const anonymous = await operationsGet({ ca: operator.ca }, n.org.host, n.port, '/metrics');
      expect({ node: n.id, status: anonymous.status }).toEqual({ node: n.id, status: 401 });

      // The org admin's TLS certificate comes from the org's Fabric CA: not an operator here.
      const adminTls = path.join(adminDir(network().paths, n.org), 'tls');
      const asAdmin = await operationsGet(
        { ca: operator.ca, cert: path.join(adminTls, 'server.crt'), key: path.join(adminTls, 'server.key') },
        n.org.host,
        n.port,
        '/metrics',
      ).then(
        (r) => r.status,
        () => 'handshake refused',
      );
      expect({ node: n.id, asAdmin }).not.toEqual({ node: n.id, asAdmin: 200 });
    }
  });
});

describe("the orderers' admin endpoint (channel participation)", () => {
  const list = (args: string[]) =>
    run(network().paths.binary('osnadmin'), ['channel', 'list', ...args]).then(
      (out) => /Status: (\d+)/.exec(out)?.[1] ?? 'no status',
      () => 'refused',
    );

  it("lists channels for the org operator, and for a certificate of the org's Fabric CA refuses", async () => {
    for (const o of orderers(network().topology)) {
      const operator = osnadminArgs(network().paths, o);
      expect({ orderer: o.id, status: await list(operator) }).toEqual({ orderer: o.id, status: '200' });

      const adminTls = path.join(adminDir(network().paths, o.org), 'tls');
      const asFabricIdentity = osnadminArgs(network().paths, o, {
        cert: path.join(adminTls, 'server.crt'),
        key: path.join(adminTls, 'server.key'),
      });
      // The same call but for the certificate: no answer (the TLS handshake fails) or no 200.
      expect({ orderer: o.id, status: await list(asFabricIdentity) }).not.toEqual({
        orderer: o.id,
        status: '200',
      });
    }
  });
});
