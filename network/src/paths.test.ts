import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorCodeOf, rememberStateDir } from './testing';
import { Paths, safeStateDir } from './paths';
import { loadTopology, repoRoot } from './topology';

const refused = (fn: () => unknown) => errorCodeOf(fn, 'accepted');

describe('the state dir', () => {
  const t = loadTopology();
  const restoreStateDir = rememberStateDir();
  afterEach(restoreStateDir);

  it('refuses an empty CITYLEDGER_STATE_DIR instead of resolving it to the repository root', () => {
    process.env.CITYLEDGER_STATE_DIR = '';
    expect(refused(() => new Paths(t))).toBe('UNSAFE_STATE_DIR');
    process.env.CITYLEDGER_STATE_DIR = '  ';
    expect(refused(() => new Paths(t))).toBe('UNSAFE_STATE_DIR');
  });

  it('refuses a topology stateDir of /, .., ., the repository root or home, or one of their ancestors', () => {
    delete process.env.CITYLEDGER_STATE_DIR;
    for (const stateDir of ['/', '..', '.', '../..', repoRoot, path.dirname(repoRoot), os.homedir()])
      expect([stateDir, refused(() => new Paths({ ...t, stateDir }))]).toEqual([
        stateDir,
        'UNSAFE_STATE_DIR',
      ]);
  });

  it('refuses ancestors given through the environment, and names them in the message', () => {
    process.env.CITYLEDGER_STATE_DIR = path.dirname(repoRoot);
    expect(() => new Paths(t)).toThrow(/an ancestor of the repository root/);
    process.env.CITYLEDGER_STATE_DIR = '/';
    expect(() => new Paths(t)).toThrow(/the filesystem root/);
  });

  it('refuses a symbolic link to an ancestor of the repository', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'state-'));
    symlinkSync('/', path.join(dir, 'root'));
    expect(refused(() => safeStateDir(path.join(dir, 'root'), 'test'))).toBe('UNSAFE_STATE_DIR');
  });

  it('accepts a folder below the repository or elsewhere, resolved against the repository root', () => {
    delete process.env.CITYLEDGER_STATE_DIR;
    expect(new Paths({ ...t, stateDir: '.cityledger' }).state).toBe(path.join(repoRoot, '.cityledger'));
    const home = mkdtempSync(path.join(os.tmpdir(), 'home-'));
    const root = path.join(home, 'src', 'cityledger');
    mkdirSync(root, { recursive: true });
    expect(safeStateDir('../elsewhere', 'test', root, home)).toBe(path.join(home, 'src', 'elsewhere'));
    expect(refused(() => safeStateDir('..', 'test', root, home))).toBe('UNSAFE_STATE_DIR');
    expect(refused(() => safeStateDir('../..', 'test', root, home))).toBe('UNSAFE_STATE_DIR');
  });
});
