/**
 * A gateway process of the test's own (`node gateway/dist/main.js`) for disruptive tests: its own port,
 * database, admin keys file and log, so killing it disturbs no one else. It shares the network's crypto
 * material read-only, and the shared gateway's master key: the org admins' CA enrolment secrets derive
 * from it (gateway README), so this instance re-enrols the same `<org>-gateway-admin` identities.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@cityledger/network';
import { network } from './live';
import { admins, AdminKeys, Org, RestUser, until } from './rest';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export interface PrivateGatewayOptions {
  /** Extra config file keys (gateway README "Configuration"), e.g. faster webhook retries. */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
}

export class PrivateGateway {
  readonly dir: string;
  port = 0;
  private child?: ChildProcess;
  private logFd?: number;
  starts = 0;

  constructor(private readonly options: PrivateGatewayOptions = {}) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'cityledger-gw-'));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return path.join(this.dir, 'gateway.log');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private env(): NodeJS.ProcessEnv {
    const state = network().paths.state;
    const configFile = path.join(this.dir, 'config.json');
    if (!existsSync(configFile)) {
      writeFileSync(
        configFile,
        JSON.stringify({
          adminKeysOut: path.join(this.dir, 'admin-keys.json'),
          masterKeyFile: path.join(this.dir, 'master.key'),
          ...this.options.config,
        }),
      );
    }
    return {
      ...process.env,
      CITYLEDGER_GATEWAY_CONFIG: configFile,
      CITYLEDGER_GATEWAY_PORT: String(this.port),
      CITYLEDGER_GATEWAY_HOST: '127.0.0.1',
      CITYLEDGER_GATEWAY_DATABASE: `sqlite:${path.join(this.dir, 'gateway.db')}`,
      CITYLEDGER_GATEWAY_MASTER_KEY: readFileSync(path.join(state, 'gateway', 'master.key'), 'utf8').trim(),
      CITYLEDGER_GATEWAY_WEBHOOKS_ALLOW_INSECURE: 'true',
      CITYLEDGER_GATEWAY_LOG_LEVEL: 'info',
      ...this.options.env,
    };
  }

  /** Starts the process (same port, database and keys as before on a restart) and waits until /readyz. */
  async start(readyTimeoutMs = 180000): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    mkdirSync(this.dir, { recursive: true });
    this.logFd = openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, [path.join(repoRoot, 'gateway', 'dist', 'main.js')], {
      env: this.env(),
      stdio: ['ignore', this.logFd, this.logFd],
    });
    this.starts++;
    const child = this.child;
    await until(
      `private gateway ready on ${this.url}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}; see ${this.logFile}`);
        const r = await fetch(`${this.url}/readyz`);
        return r.status === 200 ? true : undefined;
      },
      readyTimeoutMs,
      300,
    );
  }

  /** SIGKILL: no shutdown handler runs, as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.closeLog();
  }

  /** A clean stop (SIGTERM, then SIGKILL after a grace period). */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    this.closeLog();
  }

  /** Stops it and deletes its directory (database, keys, log), unless CITYLEDGER_KEEP_PRIVATE_GATEWAY is set. */
  async dispose(): Promise<void> {
    await this.stop();
    if (process.env.CITYLEDGER_KEEP_PRIVATE_GATEWAY) process.stdout.write(`private gateway kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  private closeLog(): void {
    if (this.logFd !== undefined) closeSync(this.logFd);
    this.logFd = undefined;
  }

  adminKeys(): AdminKeys {
    return JSON.parse(readFileSync(path.join(this.dir, 'admin-keys.json'), 'utf8')) as AdminKeys;
  }

  admins(): Record<Org, RestUser> {
    return admins(this.url, this.adminKeys());
  }
}
