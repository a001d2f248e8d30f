import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureBinaries } from './binaries';
import {
  caProcess,
  caProcessSpec,
  caTlsDue,
  certificateEnd,
  endsWithin,
  enrollIdentity,
  enrollRegistrar,
  RENEW_BEFORE_MS,
  waitForCa,
  writeOrgMsp,
  type IdentityRequest,
} from './ca';
import {
  chaincodeProcess,
  chaincodeServer,
  chaincodeTlsDir,
  chaincodeTlsIdentity,
  committedDefinition,
  committedOnEveryPeer,
  deployChaincode,
  discoverEndorsers,
  packageChaincode,
  queryMetadata,
} from './chaincode';
import { ChaincodeServers, otherPort } from './chaincode-servers';
import { recordedMembers, updateMembers, type Members } from './channel-update';
import { channelHeight, channelPeers, createGenesisBlock, joinOrderer, joinPeer } from './channels';
import { NetworkError } from './errors';
import { retry, sleep } from './exec';
import { gatewayProcess, gatewaySpec, gatewayTopologyChanged, recordGatewayTopology } from './gateway';
import { acquireLock } from './lock';
import { info, step, warn } from './log';
import {
  adminDir,
  ordererDir,
  ordererProcessSpec,
  peerDir,
  peerProcessSpec,
  tlsHosts,
  waitHealthy,
  waitRaftMember,
  writeNodeConfig,
} from './nodes';
import { ensureOperationsTls, health } from './operations';
import { Paths } from './paths';
import { Processes } from './processes';
import { assertRemovable, prepareStateDir, removeStateDir } from './state';
import {
  ChaincodeSpec,
  channel,
  channelOrderers,
  loadTopology,
  orderers,
  peers,
  repoRoot,
  Topology,
  type OrgSpec,
} from './topology';

export interface UpOptions {
  /** Start the REST gateway too (default true). */
  gateway?: boolean;
  /** Node certificates ending within this many ms are issued again on their keys (default 30 days). */
  renewWithinMs?: number;
  /** Remove from running channels the orgs and orderers the topology no longer lists for them. */
  prune?: boolean;
}

/** The network as the CLI and the tests drive it: every step of `up` is named, idempotent and timed. */
export class Network {
  readonly topology: Topology;
  readonly paths: Paths;
  readonly processes: Processes;
  /** Depth of locked() calls in progress: `up` deploys and `clean` stops under the lock they hold. */
  private lockDepth = 0;
  /** Chaincodes whose servers run on a TLS certificate `up` has since renewed: restarted by deploy. */
  private readonly staleServers = new Set<string>();

  constructor(topology = loadTopology()) {
    this.topology = topology;
    this.paths = new Paths(topology);
    this.processes = new Processes(this.paths);
  }

  /**
   * Runs a command that changes the network under the state dir's lock (STATE_LOCKED if another holds
   * it). Without a state dir there is nothing to protect, and no folder is created just for the lock.
   */
  private async locked<T>(command: string, fn: () => Promise<T>): Promise<T> {
    if (this.lockDepth > 0) return fn();
    const lock = existsSync(this.paths.state) ? acquireLock(this.paths.lockFile, command) : undefined;
    this.lockDepth++;
    try {
      return await fn();
    } finally {
      this.lockDepth--;
      lock?.release();
    }
  }

  /**
   * `renewWithinMs`: node certificates ending within this are issued again on their keys (default
   * RENEW_BEFORE_MS, 30 days; Infinity renews every one: the CLI's `renew`).
   */
  async up(options: UpOptions = {}): Promise<void> {
    prepareStateDir(this.paths);
    await this.locked('up', () => this.upLocked(options));
  }

  private async upLocked(options: UpOptions): Promise<void> {
    const t0 = Date.now();
    const t = this.topology;
    await ensureBinaries(t, this.paths);
    const started = Date.now();
    writeNodeConfig(this.paths);

    await step('operations endpoint certificates (a TLS CA per org for /healthz, /metrics, /logspec)', () =>
      this.ensureOperationsTls(),
    );
    const renewWithinMs = options.renewWithinMs ?? RENEW_BEFORE_MS;
    await step('certificate authorities', async () => {
      for (const org of t.orgs) {
        if (caTlsDue(this.paths, org, renewWithinMs)) {
          info(`  ${caProcess(org)}: TLS certificate renewed (the server issues a new one when it starts without)`);
          await this.processes.stop(caProcess(org));
          rmSync(this.paths.caTlsCert(org.name));
        }
        this.ensureRunning(caProcessSpec(this.paths, org));
      }
      await Promise.all(t.orgs.map((org) => waitForCa(this.paths, org)));
    });
    const renewed = await step('identities from each org CA (admins, peers, orderers, chaincode TLS)', () =>
      this.enrollAll(renewWithinMs),
    );
    const ordererNodes = orderers(t);
    const channelsOf = (o: (typeof ordererNodes)[number]) =>
      t.channels.filter((ch) => channelOrderers(t, ch).some((x) => x.id === o.id)).map((ch) => ch.name);
    const nodes = [
      ...ordererNodes.map((o) => ({
        id: o.id,
        spec: () => ordererProcessSpec(this.paths, t, o),
        org: o.org,
        port: o.spec.operationsPort,
        rejoined: () => waitRaftMember(this.paths, o, channelsOf(o)),
      })),
      ...peers(t).map((p) => ({
        id: p.id,
        spec: () => peerProcessSpec(this.paths, t, p),
        org: p.org,
        port: p.spec.operationsPort,
        rejoined: async () => undefined,
      })),
    ];
    // A running node reads its certificates only when it starts: one at a time, so Raft keeps its quorum.
    const restarting = nodes.filter((n) => renewed.includes(n.id) && this.processes.isRunning(n.id));
    if (restarting.length > 0)
      await step(`restarting ${restarting.map((n) => n.id).join(', ')} on renewed certificates, one at a time`, async () => {
        for (const n of restarting) {
          await this.processes.stop(n.id);
          this.processes.start(n.spec());
          await waitHealthy(n.id, this.paths, n.org, n.port);
          await n.rejoined();
        }
      });
    // Chaincode servers read the chaincode TLS certificate when they start: `deploy` below restarts each
    // just before its own step, so each chaincode is without a server for about a second, one at a time.
    if (renewed.includes(chaincodeTlsIdentity)) for (const cc of t.chaincodes) this.staleServers.add(cc.name);
    await step('orderers and peers', async () => {
      for (const n of nodes) this.ensureRunning(n.spec());
      await Promise.all(nodes.map((n) => waitHealthy(n.id, this.paths, n.org, n.port)));
    });
    for (const ch of t.channels) {
      await step(`channel ${ch.name}`, async () => {
        const created = await createGenesisBlock(this.paths, t, ch);
        // Orgs and orderers the topology adds to (or, pruning, drops from) a running channel: orderers
        // join and leave as they are added and removed.
        await updateMembers(this.paths, t, ch, created, options.prune);
        // A node whose operations endpoint answers may still be opening its admin or peer endpoint.
        await Promise.all(
          channelOrderers(t, ch).map((o) =>
            retry(`${o.id} joining ${ch.name}`, () => joinOrderer(this.paths, ch, o)),
          ),
        );
        await Promise.all(
          channelPeers(t, ch).map((p) =>
            retry(`${p.id} joining ${ch.name}`, () => joinPeer(this.paths, ch, p)),
          ),
        );
      });
    }
    const upgraded = await this.deploy();
    if (options.gateway !== false) {
      if (upgraded.length > 0) await this.refreshGatewayApi();
      await this.startGateway();
    }
    info(
      `\nCityLedger is up: network answering chaincode queries ${((Date.now() - started) / 1000).toFixed(1)} s after start` +
        ` (${((Date.now() - t0) / 1000).toFixed(1)} s including any build).`,
    );
    await this.printSummary();
  }

  /** Packages, installs, approves and commits every built chaincode; starts (or restarts) its server. */
  async deploy(only?: string[]): Promise<string[]> {
    const t = this.topology;
    const unknown = only?.filter((name) => !t.chaincodes.some((cc) => cc.name === name)) ?? [];
    if (unknown.length > 0)
      throw new NetworkError(
        'UNKNOWN_CHAINCODE',
        `unknown chaincode ${unknown.join(', ')} (known: ${t.chaincodes.map((cc) => cc.name).join(', ')})`,
      );
    return this.locked('deploy', () => this.deployLocked(only));
  }

  private async deployLocked(only?: string[]): Promise<string[]> {
    const t = this.topology;
    const selected = t.chaincodes.filter((cc) => !only?.length || only.includes(cc.name));
    const upgraded: string[] = [];
    for (const cc of selected) {
      if (!existsSync(path.resolve(repoRoot, cc.path, 'dist', 'index.js'))) {
        warn(`chaincode ${cc.name} is not built (${cc.path}/dist/index.js missing): skipped`);
        continue;
      }
      await step(`chaincode ${cc.name} on channel ${cc.channel}`, async () => {
        const servers = this.chaincodeServers();
        const live = servers.listed(cc)[0];
        // Changed code goes to the port the live server does not use: both serve until the commit.
        let d = await packageChaincode(this.paths, t, cc, live?.port ?? cc.port);
        if (live && live.id !== d.packageId)
          d = await packageChaincode(this.paths, t, cc, otherPort(cc, live.port));
        const next = chaincodeServer(this.paths, t, d);
        const sideBySide = live !== undefined && live.id !== next.id;
        const before = (await committedDefinition(this.paths, t, cc))?.sequence;
        let sequence: number;
        if (this.staleServers.delete(cc.name)) await this.processes.stop(chaincodeProcess(cc));
        try {
          await servers.run(cc, sideBySide ? [live, next] : [next]);
          sequence = await deployChaincode(this.paths, t, cc, d);
        } catch (err) {
          // The new definition did not commit: the old server goes on serving, alone.
          if (sideBySide && (await committedDefinition(this.paths, t, cc))?.version !== d.version)
            await servers.run(cc, [live]).catch((e: Error) => warn(`${cc.name}: retiring the new server failed: ${e.message}`));
          throw err;
        }
        if (sequence !== before) upgraded.push(cc.name);
        // The first invocation makes each peer build the CCaaS package and dial the server. Every peer
        // of the channel is asked: one that has not committed the new definition yet cannot reach the
        // new server, and a two-org endorsement landing on it right after `deploy` would fail.
        for (const peer of channelPeers(t, channel(t, cc.channel)))
          await retry(`${cc.name} answering a query on ${peer.id}`, () => queryMetadata(this.paths, t, cc, peer), 60000, 500);
        // A peer's gateway plans endorsements from its discovery view, which gossip fills in: once,
        // right after `npm start`, the first two-org transactions failed with "no combination of
        // peers can be derived". `up` returns only when every peer's view offers endorsers.
        for (const peer of channelPeers(t, channel(t, cc.channel)))
          await retry(`${cc.name}'s endorsers in the discovery view of ${peer.id}`, () => discoverEndorsers(this.paths, cc, peer), 60000, 500);
        if (sideBySide) {
          // A peer launches the package its committed definition names: the old server goes only once
          // no peer can still ask for it.
          await retry(`every peer committing ${cc.name} ${d.version}`, () => committedOnEveryPeer(this.paths, t, cc, d.version), 60000, 500);
          await servers.run(cc, [next]);
        }
        info(`  ${cc.name}: package ${d.packageId.slice(0, 40)}…, sequence ${sequence}`);
      });
    }
    return upgraded;
  }

  private chaincodeServers(): ChaincodeServers {
    const tlsRoot = path.join(chaincodeTlsDir(this.paths, this.topology), 'ca.crt');
    return new ChaincodeServers(this.paths, this.processes, tlsRoot);
  }

  /**
   * The gateway derives its API from chaincode metadata: after an upgrade it reads it again on SIGHUP,
   * without the restart that would refuse integrators' requests meanwhile.
   */
  async refreshGatewayApi(): Promise<void> {
    await this.locked('refresh gateway', async () => {
      const pid = this.processes.pid(gatewayProcess);
      if (pid === undefined) return;
      process.kill(pid, 'SIGHUP');
      // A gateway started before it handled SIGHUP ends on it (Node's default): it starts again.
      await sleep(500);
      if (!this.processes.isRunning(gatewayProcess)) await this.startGateway();
    });
  }

  async startGateway(): Promise<void> {
    const spec = gatewaySpec(this.paths, this.topology);
    if (!spec) return;
    await step('gateway', async () => {
      if (this.processes.isRunning(gatewayProcess) && gatewayTopologyChanged(this.paths)) {
        info('  the topology changed since the gateway started: restarting it to read it again');
        await this.processes.stop(gatewayProcess);
      }
      this.ensureRunning(spec);
      const { host, port } = this.topology.gateway;
      // Ready = every org's peer reachable and every chaincode's API loaded from its metadata.
      await retry(
        'gateway /readyz',
        async () => {
          const res = await fetch(`http://${host}:${port}/readyz`);
          if (!res.ok) throw new Error(`status ${res.status}: ${(await res.text()).slice(0, 300)}`);
        },
        90000,
        500,
      );
      recordGatewayTopology(this.paths);
    });
    const { host, port } = this.topology.gateway;
    info(`  gateway: http://${host}:${port} (API docs at /docs, OpenAPI at /openapi.json)`);
    info(`  org admin API keys: ${path.join(this.paths.state, 'gateway', 'admin-keys.json')} (owner-only)`);
  }

  private ensureRunning(spec: Parameters<Processes['start']>[0]): void {
    if (!this.processes.isRunning(spec.name)) this.processes.start(spec);
  }

  /** Each org's operations CA, a server certificate per CA, orderer and peer, the operator's client one. */
  private async ensureOperationsTls(): Promise<void> {
    const t = this.topology;
    for (const org of t.orgs) {
      const ids = [caProcess(org), ...orderers(t).filter((o) => o.org.name === org.name).map((o) => o.id)];
      ids.push(...peers(t).filter((p) => p.org.name === org.name).map((p) => p.id));
      await ensureOperationsTls(
        this.paths,
        org,
        ids.map((id) => ({ id, hosts: tlsHosts(org, id) })),
      );
    }
  }

  /** Enrols what is missing and renews what ends within `renewWithinMs`; returns the renewed identities' names. */
  private async enrollAll(renewWithinMs: number): Promise<string[]> {
    const t = this.topology;
    const p = this.paths;
    const renewed: string[] = [];
    const enroll = async (org: OrgSpec, dir: string, req: IdentityRequest, withinMs = renewWithinMs) => {
      if (await enrollIdentity(p, org, dir, req, withinMs)) renewed.push(req.name);
    };
    await Promise.all(
      t.orgs.map(async (org) => {
        await enrollRegistrar(p, org, renewWithinMs);
        writeOrgMsp(p, org);
        await enroll(org, adminDir(p, org), {
          name: 'admin',
          type: 'admin',
          attrs: { role: 'admin' },
          // The org admin registers the org's users (the gateway acts with these rights).
          registrarAttrs: {
            'hf.Registrar.Roles': 'client',
            'hf.Registrar.Attributes': '*',
            'hf.Revoker': 'true',
            'hf.GenCRL': 'true',
          },
          tls: true,
        });
        for (const o of orderers(t).filter((o) => o.org.name === org.name)) {
          const tlsCert = path.join(ordererDir(p, o), 'tls', 'server.crt');
          if (t.ordering.type === 'BFT' && existsSync(tlsCert) && endsWithin(tlsCert, renewWithinMs))
            warn(`${o.id}: its certificates end ${new Date(certificateEnd(tlsCert)).toISOString()}; SmartBFT needs a channel update to replace them (not renewed by up)`);
          await enroll(
            org,
            ordererDir(p, o),
            { name: o.id, type: 'orderer', tls: true, tlsHosts: tlsHosts(org, o.id) },
            // SmartBFT knows a consenter by its exact certificates: renewing one needs a channel update.
            t.ordering.type === 'BFT' ? -Infinity : renewWithinMs,
          );
        }
        for (const peer of peers(t).filter((x) => x.org.name === org.name))
          await enroll(org, peerDir(p, peer), {
            name: peer.id,
            type: 'peer',
            tls: true,
            tlsHosts: tlsHosts(org, peer.id),
          });
      }),
    );
    const first = t.orgs[0];
    await enroll(first, p.identity(first.name, 'users', chaincodeTlsIdentity), {
      name: chaincodeTlsIdentity,
      type: 'client',
      tls: true,
    });
    return renewed;
  }

  /** Stops every process by pid, gateway and chaincodes first; ledgers and crypto material stay. */
  async down(): Promise<void> {
    await this.locked('down', () => this.downLocked());
  }

  private async downLocked(): Promise<void> {
    const order = (name: string) =>
      name === gatewayProcess
        ? 0
        : name.startsWith('chaincode.')
          ? 1
          : name.startsWith('peer')
            ? 2
            : name.startsWith('orderer')
              ? 3
              : 4;
    const names = this.processes.known().sort((a, b) => order(a) - order(b));
    for (const group of [0, 1, 2, 3, 4]) {
      await Promise.all(
        names
          .filter((n) => order(n) === group)
          .map(async (n) => (await this.processes.stop(n)) && info(`stopped ${n}`)),
      );
    }
  }

  /** `down`, then deletes the state dir: only one `up` made (STATE_DIR_NOT_OURS otherwise). */
  async clean(): Promise<void> {
    assertRemovable(this.paths);
    await this.locked('clean', async () => {
      await this.downLocked();
      info(removeStateDir(this.paths) ? `removed ${this.paths.state}` : `no ${this.paths.state} to remove`);
    });
  }

  async status(): Promise<StatusReport> {
    const t = this.topology;
    const rows: StatusRow[] = [];
    for (const org of t.orgs)
      rows.push({
        process: caProcess(org),
        pid: this.processes.pid(caProcess(org)),
        address: `${org.host}:${org.ca.port}`,
        health: await health(this.paths, org, org.ca.operationsPort),
      });
    for (const o of orderers(t))
      rows.push({
        process: o.id,
        pid: this.processes.pid(o.id),
        address: o.address,
        health: await health(this.paths, o.org, o.spec.operationsPort),
      });
    for (const p of peers(t))
      rows.push({
        process: p.id,
        pid: this.processes.pid(p.id),
        address: p.address,
        health: await health(this.paths, p.org, p.spec.operationsPort),
      });
    const servers = this.chaincodeServers();
    // Two ports while an upgrade runs the old and the new package side by side.
    const serverPorts = (cc: ChaincodeSpec) => servers.listed(cc).map((s) => s.port).join(',');
    for (const cc of t.chaincodes)
      rows.push({
        process: chaincodeProcess(cc),
        pid: this.processes.pid(chaincodeProcess(cc)),
        address: `127.0.0.1:${serverPorts(cc) || cc.port}`,
        health: this.processes.isRunning(chaincodeProcess(cc)) ? 'running' : 'stopped',
      });
    rows.push({
      process: gatewayProcess,
      pid: this.processes.pid(gatewayProcess),
      address: `${t.gateway.host}:${t.gateway.port}`,
      health: await gatewayHealth(t),
    });
    const nodeDirs = [
      ...orderers(t).map((o) => ({ node: o.id, dir: ordererDir(this.paths, o) })),
      ...peers(t).map((p) => ({ node: p.id, dir: peerDir(this.paths, p) })),
    ];
    const certificates = nodeDirs
      .flatMap(({ node, dir }) =>
        [path.join(dir, 'msp', 'signcerts', 'cert.pem'), path.join(dir, 'tls', 'server.crt')].map((file) => ({ node, file })),
      )
      .filter(({ file }) => existsSync(file))
      .map(({ node, file }) => ({ node, file, endsAt: new Date(certificateEnd(file)).toISOString() }))
      .sort((a, b) => a.endsAt.localeCompare(b.endsAt));
    const heights: StatusReport['heights'] = [];
    for (const ch of t.channels)
      for (const p of channelPeers(t, ch)) {
        let height: number | undefined;
        if (this.processes.isRunning(p.id))
          height = await channelHeight(this.paths, p, ch.name).catch(() => undefined);
        heights.push({ channel: ch.name, peer: p.id, height });
      }
    const members = t.channels.flatMap((ch) => {
      const recorded = recordedMembers(this.paths, ch.name);
      return recorded ? [{ channel: ch.name, ...recorded }] : [];
    });
    const chaincodes: StatusReport['chaincodes'] = [];
    for (const cc of t.chaincodes) {
      const definition = await committedDefinition(this.paths, t, cc).catch(() => undefined);
      chaincodes.push({
        name: cc.name,
        channel: cc.channel,
        sequence: definition?.sequence,
        version: definition?.version,
      });
    }
    return {
      processes: rows,
      heights,
      members,
      chaincodes,
      ...(certificates[0] ? { firstCertificateEnd: certificates[0] } : {}),
    };
  }

  async printSummary(): Promise<void> {
    const report = await this.status();
    info('\nprocess                 pid      address              health');
    for (const r of report.processes)
      info(`${r.process.padEnd(23)} ${String(r.pid ?? '-').padEnd(8)} ${r.address.padEnd(20)} ${r.health}`);
    info('\nchannel   peer             height');
    for (const h of report.heights) info(`${h.channel.padEnd(9)} ${h.peer.padEnd(16)} ${h.height ?? 'down'}`);
    info('\nchannel   members and consenters, as up last saw them in its config');
    for (const m of report.members) info(`${m.channel.padEnd(9)} ${m.orgs.join(', ')}; ${m.consenters.join(', ')}`);
    info('\nchaincode   channel   sequence  version');
    for (const c of report.chaincodes)
      info(
        `${c.name.padEnd(11)} ${c.channel.padEnd(9)} ${String(c.sequence ?? '-').padEnd(9)} ${c.version ?? 'not committed'}`,
      );
    const first = report.firstCertificateEnd;
    if (first)
      info(
        `\nnode certificates: the first to end is ${first.node}'s ${path.basename(first.file)}, on ${first.endsAt.slice(0, 10)};` +
          ` \`up\` renews each ${RENEW_BEFORE_MS / 86_400_000} days before its end (\`renew\`: all now)`,
      );
    info(`\nstate: ${this.paths.state}\nbinaries: ${this.paths.bin}`);
  }
}

export interface StatusRow {
  process: string;
  pid: number | undefined;
  address: string;
  health: string;
}

export interface StatusReport {
  processes: StatusRow[];
  heights: { channel: string; peer: string; height: number | undefined }[];
  /** Each channel's application orgs (MSP IDs) and consenters (addresses), as `up` last recorded them. */
  members: ({ channel: string } & Members)[];
  chaincodes: { name: string; channel: string; sequence: number | undefined; version: string | undefined }[];
  /** The orderer or peer certificate (enrolment or TLS) that ends first. */
  firstCertificateEnd?: { node: string; file: string; endsAt: string };
}

async function gatewayHealth(t: Topology): Promise<string> {
  try {
    const res = await fetch(`http://${t.gateway.host}:${t.gateway.port}/readyz`, {
      signal: AbortSignal.timeout(2000),
    });
    return res.ok ? 'OK' : `not ready (${res.status})`;
  } catch {
    return 'unreachable';
  }
}
