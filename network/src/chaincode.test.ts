import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chaincodeTlsDir, packageChaincode } from './chaincode';
import { Paths } from './paths';
import { rememberStateDir } from './testing';
import { chaincodePorts, loadTopology } from './topology';

/** The connection.json inside a CCaaS package. */
function connectionOf(packageFile: string) {
  const code = execFileSync('tar', ['-xzOf', packageFile, 'code.tar.gz']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'code-'));
  writeFileSync(path.join(dir, 'code.tar.gz'), code);
  return JSON.parse(
    execFileSync('tar', ['-xzOf', path.join(dir, 'code.tar.gz'), 'connection.json'], { encoding: 'utf8' }),
  );
}

describe('CCaaS packages', () => {
  const restoreStateDir = rememberStateDir();
  process.env.CITYLEDGER_STATE_DIR = mkdtempSync(path.join(os.tmpdir(), 'cityledger-state-'));
  const t = loadTopology();
  const paths = new Paths(t);
  const cc = t.chaincodes.find((c) => c.name === 'identity')!;
  mkdirSync(chaincodeTlsDir(paths, t), { recursive: true });
  writeFileSync(
    path.join(chaincodeTlsDir(paths, t), 'ca.crt'),
    '-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n',
  );

  afterAll(restoreStateDir);

  it('hold metadata.json (type ccaas) and code.tar.gz with the connection to the chaincode server', async () => {
    const d = await packageChaincode(paths, t, cc);
    expect(d.label).toMatch(/^identity_[0-9a-f]{12}$/);
    const listing = execFileSync('tar', ['-tzf', d.packageFile], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    expect(listing).toEqual(['code.tar.gz', 'metadata.json']);
    const metadata = JSON.parse(
      execFileSync('tar', ['-xzOf', d.packageFile, 'metadata.json'], { encoding: 'utf8' }),
    );
    expect(metadata).toEqual({ type: 'ccaas', label: d.label });
    const connection = connectionOf(d.packageFile);
    expect(connection).toMatchObject({ address: `127.0.0.1:${cc.port}`, tls_required: true });
    expect(connection.root_cert).toContain('BEGIN CERTIFICATE');
  });

  it('are made once: the package ID is the label and the hash of that one file, the same on every call', async () => {
    const first = await packageChaincode(paths, t, cc);
    const second = await packageChaincode(paths, t, cc);
    expect(second).toEqual(first);
    const sha = createHash('sha256').update(readFileSync(first.packageFile)).digest('hex');
    expect(first.packageId).toBe(`${first.label}:${sha}`);
  });

  it('get a new version when the endorsement policy changes, with the same code label', async () => {
    const before = await packageChaincode(paths, t, cc);
    const after = await packageChaincode(paths, t, { ...cc, endorsementPolicy: "OR('CityMSP.peer')" });
    expect(after.label).toBe(before.label);
    expect(after.version).not.toBe(before.version);
  });

  it("are another package and version on the chaincode's other port, whose server it connects to", async () => {
    const [first, second] = chaincodePorts(cc);
    const live = await packageChaincode(paths, t, cc, first);
    const next = await packageChaincode(paths, t, cc, second);
    expect(next.label).toBe(live.label);
    expect([live.port, next.port]).toEqual([cc.port, cc.port + 100]);
    expect(next.packageId).not.toBe(live.packageId);
    // Same code: only a new definition makes the peers dial the other server.
    expect(next.version).not.toBe(live.version);
    expect(connectionOf(next.packageFile).address).toBe(`127.0.0.1:${second}`);
  });
});
