import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NetworkError } from './errors';
import { Paths } from './paths';

/**
 * The state dir holds CA secrets, private keys and pid records, and `clean` deletes it recursively. So
 * it is for its owner only (0700), and `clean` deletes only a folder `up` made its own: one carrying
 * the marker file, or an older version's state dir (made before the marker existed) recognised by its
 * layout.
 */
const LEGACY_LAYOUT = ['run', 'logs', 'orgs'];

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Whether `up` may use the folder and `clean` may delete it. */
export function isOurStateDir(paths: Paths): boolean {
  if (existsSync(paths.stateMarker)) return true;
  if (readdirSync(paths.state).length === 0) return true;
  return LEGACY_LAYOUT.every((sub) => isDir(path.join(paths.state, sub)));
}

function notOurs(paths: Paths, doing: string): NetworkError {
  return new NetworkError(
    'STATE_DIR_NOT_OURS',
    `${paths.state} was not created by 'up' (no ${path.basename(paths.stateMarker)} file, no ` +
      `${LEGACY_LAYOUT.join('/, ')}/ folders): refusing to ${doing} it; set stateDir or CITYLEDGER_STATE_DIR ` +
      `to another folder`,
  );
}

/**
 * Before `up` writes anything: creates the state dir (0700) with its marker, or adopts an existing one
 * (an older version's gets the marker and loses the group/other permissions the default umask gave it).
 */
export function prepareStateDir(paths: Paths): void {
  if (!existsSync(paths.state)) mkdirSync(paths.state, { recursive: true, mode: 0o700 });
  else if (!isOurStateDir(paths)) throw notOurs(paths, 'write into');
  chmodSync(paths.state, 0o700);
  if (!existsSync(paths.stateMarker))
    writeFileSync(
      paths.stateMarker,
      `${JSON.stringify({ createdBy: 'cityledger network up', at: new Date().toISOString() })}\n`,
      { mode: 0o600 },
    );
}

/** Refuses (STATE_DIR_NOT_OURS) before `clean` stops anything, if the state dir is not ours. */
export function assertRemovable(paths: Paths): void {
  if (existsSync(paths.state) && !isOurStateDir(paths)) throw notOurs(paths, 'delete');
}

/** Deletes the state dir; false if there was none. */
export function removeStateDir(paths: Paths): boolean {
  if (!existsSync(paths.state)) return false;
  assertRemovable(paths);
  rmSync(paths.state, { recursive: true, force: true });
  return true;
}
