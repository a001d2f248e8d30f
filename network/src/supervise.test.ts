import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ServerEntry, writeServers } from './servers';
import { repoRoot } from './topology';

// The built supervisor, as `up` runs it (the test script builds before unit tests run).
const SUPERVISOR = path.join(repoRoot, 'network', 'dist', 'supervise.js');

/** A stand-in chaincode server: listens on `port` until it is stopped. */
const server = (id: string, port: number): ServerEntry => ({
  id,
  port,
  command: process.execPath,
  args: ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`],
});

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const childrenOf = (pid: number): number[] => {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
};

let dir: string;
let supervisor: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'supervise-'));
});

afterEach(() => {
  if (supervisor?.exitCode === null) supervisor.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('supervise', () => {
  it('runs the listed servers, adds and retires them on SIGHUP, restarts a crashed one, stops all on SIGTERM', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const file = path.join(dir, 'servers.json');
    writeServers(file, [server('old', a)]);
    supervisor = spawn(process.execPath, [SUPERVISOR, file], { stdio: 'ignore' });
    const pid = supervisor.pid!;
    await until('the old server', () => answers(a));

    // An upgrade: the new server joins while the old one keeps serving.
    writeServers(file, [server('old', a), server('new', b)]);
    supervisor.kill('SIGHUP');
    await until('the new server', () => answers(b));
    expect(await answers(a)).toBe(true);
    expect(childrenOf(pid)).toHaveLength(2);

    // The commit: the old one is retired, and not started again.
    writeServers(file, [server('new', b)]);
    supervisor.kill('SIGHUP');
    await until('the old server to stop', async () => !(await answers(a)));
    await until('one child', () => childrenOf(pid).length === 1);
    await new Promise((r) => setTimeout(r, 800)); // longer than the first restart backoff
    expect(await answers(a)).toBe(false);

    // A crash of the live one: back by itself.
    const [live] = childrenOf(pid);
    process.kill(live, 'SIGKILL');
    await until('the restarted server', async () => childrenOf(pid)[0] !== live && (await answers(b)));

    const exited = new Promise<number | null>((resolve) => supervisor!.on('exit', (code) => resolve(code)));
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until('the server to stop with its supervisor', async () => !(await answers(b)));
  });

  it('keeps its servers when the file it is asked to read again is not a servers file', async () => {
    const a = await freePort();
    const file = path.join(dir, 'servers.json');
    writeServers(file, [server('live', a)]);
    supervisor = spawn(process.execPath, [SUPERVISOR, file], { stdio: 'ignore' });
    await until('the server', () => answers(a));
    writeServers(file, [{ id: '', port: 0 } as unknown as ServerEntry]);
    supervisor.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    expect(await answers(a)).toBe(true);
    expect(childrenOf(supervisor.pid!)).toHaveLength(1);
  });
});
