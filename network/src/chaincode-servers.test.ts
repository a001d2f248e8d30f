import { legacyServer, otherPort } from './chaincode-servers';
import { loadTopology } from './topology';

describe('chaincode servers', () => {
  const cc = loadTopology().chaincodes.find((c) => c.name === 'identity')!;

  it("alternate between the chaincode's two ports", () => {
    expect(otherPort(cc, 7100)).toBe(7200);
    expect(otherPort(cc, 7200)).toBe(7100);
  });

  it('adopt the server a single-server supervisor of the earlier layout runs, as it ran it', () => {
    const record = {
      pid: 42,
      command: '/usr/bin/node',
      startedAt: '2026-11-27T10:00:00.000Z',
      args: [
        '/repo/network/dist/supervise.js',
        '/usr/bin/node',
        '/repo/node_modules/fabric-shim/cli.js',
        'server',
        '--chaincode-address=127.0.0.1:7100',
        '--chaincode-id=identity_cc26bd41a57a:9f1e',
        '--chaincode-tls-cert-file=/state/tls/server.crt',
        '--chaincode-tls-key-file=/state/tls/server.key',
      ],
    };
    expect(legacyServer(record)).toEqual({
      id: 'identity_cc26bd41a57a:9f1e',
      port: 7100,
      command: '/usr/bin/node',
      args: record.args.slice(2),
    });
    // A supervisor of the current layout names only its servers file.
    expect(
      legacyServer({ ...record, args: ['/repo/network/dist/supervise.js', '/state/servers.json'] }),
    ).toBeUndefined();
    expect(legacyServer(undefined)).toBeUndefined();
  });
});
