import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './topology';

/** The external builder contract as the peer drives it: detect, build, release. */
const bin = (name: string) => path.join(repoRoot, 'network', 'ccaas-builder', 'bin', name);
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ccaas-'));

describe('the CCaaS external builder', () => {
  it('claims only packages whose metadata says ccaas', () => {
    const meta = tmp();
    writeFileSync(path.join(meta, 'metadata.json'), JSON.stringify({ type: 'ccaas', label: 'x_1' }));
    expect(spawnSync(bin('detect'), [tmp(), meta]).status).toBe(0);
    writeFileSync(path.join(meta, 'metadata.json'), JSON.stringify({ type: 'node', label: 'x_1' }));
    expect(spawnSync(bin('detect'), [tmp(), meta]).status).not.toBe(0);
  });

  it('passes connection.json through build to chaincode/server in release', () => {
    const [source, metadata, output, release] = [tmp(), tmp(), tmp(), tmp()];
    writeFileSync(path.join(source, 'connection.json'), '{"address":"127.0.0.1:7100"}');
    mkdirSync(path.join(source, 'META-INF', 'statedb'), { recursive: true });
    writeFileSync(path.join(source, 'META-INF', 'statedb', 'index.json'), '{}');
    execFileSync(bin('build'), [source, metadata, output]);
    execFileSync(bin('release'), [output, release]);
    expect(readFileSync(path.join(release, 'chaincode', 'server', 'connection.json'), 'utf8')).toBe(
      '{"address":"127.0.0.1:7100"}',
    );
    expect(existsSync(path.join(release, 'statedb', 'index.json'))).toBe(true);
  });

  it('fails the build clearly without connection.json', () => {
    const result = spawnSync(bin('build'), [tmp(), tmp(), tmp()], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('connection.json missing');
  });
});
