import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { run } from './exec';
import { step } from './log';
import { Paths } from './paths';
import { repoRoot, Topology } from './topology';

/**
 * Fabric and Fabric CA are built from their Go modules at the versions pinned in network/fabric-build/
 * (one Go module each: their dependency pins differ) into a per-user cache. The cache is keyed by the pins'
 * hash, so a pin change rebuilds and anything else reuses.
 */
const FABRIC_COMMANDS = ['peer', 'orderer', 'osnadmin', 'configtxgen', 'configtxlator', 'discover'];
const CA_COMMANDS = ['fabric-ca-server', 'fabric-ca-client'];

const buildDir = (module: string) => path.join(repoRoot, 'network', 'fabric-build', module);

function pinsHash(): string {
  const hash = createHash('sha256');
  for (const m of ['fabric', 'fabric-ca'])
    for (const f of ['go.mod', 'go.sum']) hash.update(readFileSync(path.join(buildDir(m), f)));
  return hash.digest('hex');
}

export function binariesPresent(paths: Paths): boolean {
  const stamp = path.join(paths.cache, 'stamp');
  return (
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === pinsHash() &&
    [...FABRIC_COMMANDS, ...CA_COMMANDS].every((c) => existsSync(paths.binary(c)))
  );
}

export async function ensureBinaries(t: Topology, paths: Paths): Promise<void> {
  if (binariesPresent(paths)) return;
  await step(
    `build Fabric ${t.fabric.version} and Fabric CA ${t.fabric.caVersion} from Go modules (first run only)`,
    async () => {
      rmSync(paths.cache, { recursive: true, force: true });
      mkdirSync(paths.bin, { recursive: true });
      const goEnv = { GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' };
      await run(
        'go',
        [
          'build',
          '-trimpath',
          '-ldflags',
          `-X github.com/hyperledger/fabric/common/metadata.Version=${t.fabric.version}`,
          '-o',
          paths.bin + '/',
          ...FABRIC_COMMANDS.map((c) => `github.com/hyperledger/fabric/cmd/${c}`),
        ],
        { cwd: buildDir('fabric'), env: goEnv },
      );
      // fabric-ca-server embeds SQLite (go-sqlite3), which needs cgo and a C compiler.
      await run(
        'go',
        [
          'build',
          '-trimpath',
          '-ldflags',
          `-X github.com/hyperledger/fabric-ca/lib/metadata.Version=${t.fabric.caVersion}`,
          '-o',
          paths.bin + '/',
          ...CA_COMMANDS.map((c) => `github.com/hyperledger/fabric-ca/cmd/${c}`),
        ],
        { cwd: buildDir('fabric-ca'), env: { ...goEnv, CGO_ENABLED: '1' } },
      );
      const moduleDir = (
        await run('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/hyperledger/fabric'], {
          cwd: buildDir('fabric'),
        })
      ).trim();
      cpSync(path.join(moduleDir, 'sampleconfig'), paths.sampleConfig, { recursive: true });
      chmodRecursive(paths.sampleConfig);
      writeFileSync(path.join(paths.cache, 'stamp'), pinsHash());
    },
  );
}

/** The module cache is read-only; our copies must be writable so `clean` and rebuilds can remove them. */
function chmodRecursive(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodRecursive(p);
    else chmodSync(p, 0o644);
  }
}
