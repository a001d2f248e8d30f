import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Network } from './network';
import { rememberStateDir } from './testing';

// Each Network here works on a scratch state dir: nothing of a running network is looked at or touched.
describe('Network commands that refuse', () => {
  const restoreStateDir = rememberStateDir();
  let state: string;
  beforeEach(() => {
    state = mkdtempSync(path.join(os.tmpdir(), 'network-'));
    process.env.CITYLEDGER_STATE_DIR = state;
  });
  afterEach(restoreStateDir);

  it('deploy of an unknown chaincode names the known ones', async () => {
    const n = new Network();
    await expect(n.deploy(['identity', 'nope'])).rejects.toMatchObject({
      code: 'UNKNOWN_CHAINCODE',
      message: expect.stringMatching(/unknown chaincode nope \(known: identity, medical,/),
    });
  });

  it('clean does not delete a folder up did not create', async () => {
    writeFileSync(path.join(state, 'notes.txt'), 'mine');
    await expect(new Network().clean()).rejects.toMatchObject({ code: 'STATE_DIR_NOT_OURS' });
    expect(existsSync(path.join(state, 'notes.txt'))).toBe(true);
  });
});
