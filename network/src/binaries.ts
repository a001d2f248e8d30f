import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
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

/** Bump when the way binaries are built changes (flags, stamped values): caches then rebuild. */
const RECIPE = 2;

/** The commit a pseudo-version names (its last 12 hex digits), stamped into the binaries. */
function pinnedCommit(): string {
  const mod = readFileSync(path.join(buildDir('fabric'), 'go.mod'), 'utf8');
  return /github\.com\/hyperledger\/fabric v\S+-([0-9a-f]{12})/.exec(mod)?.[1] ?? 'unknown';
}

function pinsHash(): string {
  const hash = createHash('sha256').update(`recipe ${RECIPE}`);
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
      // Build beside the cache and swap it in at the end: an interrupted build leaves no half cache, and
      // processes still running from the old binaries never see them vanish midway.
      const staging = `${paths.cache}.building-${process.pid}`;
      const bin = path.join(staging, 'bin');
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(bin, { recursive: true });
      const goBuild = (module: string, commands: string[], ldflags: string, cgo: boolean) =>
        run('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', `${bin}/`, ...commands], {
          cwd: buildDir(module),
          env: { GOFLAGS: '-mod=readonly', CGO_ENABLED: cgo ? '1' : '0' },
        });
      await goBuild(
        'fabric',
        FABRIC_COMMANDS.map((c) => `github.com/hyperledger/fabric/cmd/${c}`),
        `-X github.com/hyperledger/fabric/common/metadata.Version=${t.fabric.version} ` +
          `-X github.com/hyperledger/fabric/common/metadata.CommitSHA=${pinnedCommit()}`,
        false,
      );
      // fabric-ca-server embeds SQLite (go-sqlite3), which needs cgo and a C compiler.
      await goBuild(
        'fabric-ca',
        CA_COMMANDS.map((c) => `github.com/hyperledger/fabric-ca/cmd/${c}`),
        `-X github.com/hyperledger/fabric-ca/lib/metadata.Version=${t.fabric.caVersion}`,
        true,
      );
      const moduleDir = (
        await run('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/hyperledger/fabric'], {
          cwd: buildDir('fabric'),
        })
      ).trim();
      cpSync(path.join(moduleDir, 'sampleconfig'), path.join(staging, 'sampleconfig'), { recursive: true });
      chmodRecursive(path.join(staging, 'sampleconfig'));
      writeFileSync(path.join(staging, 'stamp'), pinsHash());
      rmSync(paths.cache, { recursive: true, force: true });
      renameSync(staging, paths.cache);
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
