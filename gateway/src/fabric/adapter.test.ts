import { createServer } from 'node:net';
import { selfSigned } from '../testing/certs';
import { FabricGatewayAdapter } from './adapter';
import { toProblem } from './errors';

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('FabricGatewayAdapter against peers that are down', () => {
  it('fails fast with a 503 NO_ENDORSERS after trying every configured peer, and reports readiness per peer', async () => {
    const tls = await selfSigned('peer', '127.0.0.1');
    const user = await selfSigned('alice');
    const peers = [await closedPort(), await closedPort()].map((p, i) => ({ name: `peer${i}`, endpoint: `127.0.0.1:${p}`, hostAlias: 'peer', tlsCaFile: 'ca.pem' }));
    const adapter = new FabricGatewayAdapter(
      [{ name: 'city', mspId: 'CityMSP', roles: [], peers, ca: { url: 'https://127.0.0.1:1', caName: '', tlsCertFile: 'x', registrarFile: 'x' } }],
      { evaluate: 2000, endorse: 2000, submit: 2000, commitStatus: 2000, connect: 200 },
      () => Buffer.from(tls.cert),
    );
    const identity = { id: 'city:alice', org: 'city', mspId: 'CityMSP', certificate: user.cert, privateKey: user.key };
    try {
      const err = await adapter.evaluate(identity, { channel: 'city', chaincode: 'identity', transaction: 'resident:WhoAmI', args: [] }).catch((e: unknown) => e);
      expect((err as { code?: number }).code).toBe(14);
      expect(toProblem(err).toBody()).toMatchObject({ status: 503, code: 'NO_ENDORSERS' });
      const health = await adapter.health('city');
      expect(health.map((h) => [h.peer, h.ready])).toEqual([
        ['peer0', false],
        ['peer1', false],
      ]);
      await expect(adapter.evaluate({ ...identity, org: 'mars' }, { channel: 'c', chaincode: 'x', transaction: 't', args: [] })).rejects.toThrow(/does not serve org mars/);
    } finally {
      adapter.close();
    }
  });
});
