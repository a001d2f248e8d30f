import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorCodeOf } from './testing';
import { Paths } from './paths';
import { assertRemovable, prepareStateDir, removeStateDir } from './state';
import { loadTopology } from './topology';

describe('the state dir on disk', () => {
  const t = loadTopology();
  const saved = process.env.CITYLEDGER_STATE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.CITYLEDGER_STATE_DIR;
    else process.env.CITYLEDGER_STATE_DIR = saved;
  });
  const pathsAt = (dir: string) => {
    process.env.CITYLEDGER_STATE_DIR = dir;
    return new Paths(t);
  };
  const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'state-'));
  const code = (fn: () => unknown) => errorCodeOf(fn, 'none');

  it('is created by up for its owner only, with the marker, and clean deletes it', () => {
    const paths = pathsAt(path.join(tmp(), 'state'));
    prepareStateDir(paths);
    expect(statSync(paths.state).mode & 0o777).toBe(0o700);
    expect(existsSync(paths.stateMarker)).toBe(true);
    expect(removeStateDir(paths)).toBe(true);
    expect(existsSync(paths.state)).toBe(false);
    expect(removeStateDir(paths)).toBe(false);
  });

  it('is never a folder up did not make: clean and up refuse one without the marker or the layout', () => {
    const paths = pathsAt(tmp());
    writeFileSync(path.join(paths.state, 'thesis.tex'), 'years of work');
    expect(code(() => assertRemovable(paths))).toBe('STATE_DIR_NOT_OURS');
    expect(code(() => removeStateDir(paths))).toBe('STATE_DIR_NOT_OURS');
    expect(code(() => prepareStateDir(paths))).toBe('STATE_DIR_NOT_OURS');
    expect(existsSync(path.join(paths.state, 'thesis.tex'))).toBe(true);
  });

  it("adopts an older version's state dir (run/, logs/, orgs/ but no marker): 0700 and marked", () => {
    const paths = pathsAt(tmp());
    for (const sub of ['run', 'logs', 'orgs']) mkdirSync(path.join(paths.state, sub));
    writeFileSync(path.join(paths.state, 'logs', 'peer0.city.log'), '');
    expect(code(() => assertRemovable(paths))).toBe('none');
    prepareStateDir(paths);
    expect(statSync(paths.state).mode & 0o777).toBe(0o700);
    expect(existsSync(paths.stateMarker)).toBe(true);
  });
});
