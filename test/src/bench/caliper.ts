/**
 * Hyperledger Caliper as an independent driver, so our own figures can be checked against a tool the
 * field trusts. Caliper is installed from npm on first use into the per-user cache (it is large and
 * only the benchmark needs it), with the fabric-gateway binding (its peer-gateway connector).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminDir, Network, peerDir, peers, run } from '@cityledger/network';

const CALIPER_VERSION = '0.6.0';
const PACKAGES = [
  `@hyperledger/caliper-cli@${CALIPER_VERSION}`,
  `@hyperledger/caliper-core@${CALIPER_VERSION}`,
  `@hyperledger/caliper-fabric@${CALIPER_VERSION}`,
  '@hyperledger/fabric-gateway@1.11.0',
  '@grpc/grpc-js@1',
];

export interface CaliperResult {
  name: string;
  succeeded: number;
  failed: number;
  sendRate: number;
  throughput: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

function caliperDir(): string {
  const cacheRoot = process.env.CITYLEDGER_CACHE ?? path.join(os.homedir(), '.cache', 'cityledger');
  return path.join(cacheRoot, `caliper-${CALIPER_VERSION}`);
}

const caliperBin = () => path.join(caliperDir(), 'node_modules', '@hyperledger', 'caliper-cli', 'caliper.js');

/**
 * Installs Caliper into the per-user cache unless it is there already. Returns the seconds it took (0
 * when installed): a first run on a machine pays about 100 s once, which is not the run's own time.
 */
export async function installCaliper(): Promise<number> {
  if (existsSync(caliperBin())) return 0;
  const started = performance.now();
  const dir = caliperDir();
  process.stdout.write(`installing Hyperledger Caliper ${CALIPER_VERSION} into ${dir} (first use only) …\n`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'cityledger-caliper', private: true }),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, ...PACKAGES]);
  return Math.round((performance.now() - started) / 1000);
}

/** Runs one fixed-rate Caliper round of `contractFunction` as the city admin; returns Caliper's figures. */
export async function runCaliper(
  network: Network,
  round: {
    label: string;
    chaincode: string;
    contractFunction: string;
    args: string[];
    tps: number;
    durationS: number;
  },
): Promise<CaliperResult> {
  await installCaliper();
  const bin = caliperBin();
  const workspace = path.join(caliperDir(), 'workspace');
  mkdirSync(workspace, { recursive: true });
  const t = network.topology;
  const cc = t.chaincodes.find((c) => c.name === round.chaincode)!;
  const city = t.orgs.find((o) => o.name === 'city')!;
  const peer = peers(t).find((p) => p.org.name === city.name)!;
  const admin = adminDir(network.paths, city);

  writeFileSync(
    path.join(workspace, 'profile.json'),
    JSON.stringify({
      name: 'cityledger-city',
      version: '1.0.0',
      client: { organization: city.name },
      organizations: { [city.name]: { mspid: city.mspId, peers: [peer.id] } },
      peers: {
        [peer.id]: {
          url: `grpcs://${peer.address}`,
          tlsCACerts: { path: path.join(peerDir(network.paths, peer), 'tls', 'ca.crt') },
        },
      },
    }),
  );
  writeFileSync(
    path.join(workspace, 'network.json'),
    JSON.stringify({
      name: 'cityledger',
      version: '2.0.0',
      caliper: { blockchain: 'fabric' },
      channels: [{ channelName: cc.channel, contracts: [{ id: cc.name }] }],
      organizations: [
        {
          mspid: city.mspId,
          identities: {
            certificates: [
              {
                name: 'admin',
                clientPrivateKey: { path: path.join(admin, 'msp', 'key.pem') },
                clientSignedCert: { path: path.join(admin, 'msp', 'signcerts', 'cert.pem') },
              },
            ],
          },
          connectionProfile: { path: path.join(workspace, 'profile.json'), discover: true },
        },
      ],
    }),
  );
  writeFileSync(
    path.join(workspace, 'workload.js'),
    `'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class Workload extends WorkloadModuleBase {
  async submitTransaction() {
    await this.sutAdapter.sendRequests({
      contractId: ${JSON.stringify(cc.name)},
      contractFunction: ${JSON.stringify(round.contractFunction)},
      contractArguments: ${JSON.stringify(round.args)},
      invokerIdentity: 'admin',
      readOnly: false,
    });
  }
}
module.exports.createWorkloadModule = () => new Workload();
`,
  );
  writeFileSync(
    path.join(workspace, 'bench.json'),
    JSON.stringify({
      test: {
        name: 'cityledger',
        // One worker per core: with one, a CPU-starved worker fell behind its own fixed rate (it
        // sent 162–175/s of 200/s in some runs while our driver sustained 200); with two, 195/s.
        workers: { number: 2 },
        rounds: [
          {
            label: round.label,
            txDuration: round.durationS,
            rateControl: { type: 'fixed-rate', opts: { tps: round.tps } },
            workload: { module: 'workload.js' },
          },
        ],
      },
    }),
  );
  const out = await run(
    process.execPath,
    [
      bin,
      'launch',
      'manager',
      '--caliper-workspace',
      workspace,
      '--caliper-networkconfig',
      'network.json',
      '--caliper-benchconfig',
      'bench.json',
      '--caliper-flow-only-test',
      '--caliper-report-path',
      path.join(workspace, 'report.html'),
    ],
    { cwd: workspace },
  );
  return parseSummary(out, round.label);
}

/** Caliper prints `| Name | Succ | Fail | Send Rate (TPS) | Max Latency (s) | Min | Avg | Throughput (TPS) |`. */
export function parseSummary(output: string, label: string): CaliperResult {
  const line = output
    .split('\n')
    .map((l) => l.split('|').map((c) => c.trim()))
    .find((cells) => cells[1] === label && cells.length >= 9 && /^\d+$/.test(cells[2]));
  if (!line) throw new Error(`no Caliper summary for round ${label} in its output:\n${output.slice(-2000)}`);
  const [, name, succ, fail, sendRate, maxLat, , avgLat, throughput] = line;
  return {
    name,
    succeeded: Number(succ),
    failed: Number(fail),
    sendRate: Number(sendRate),
    throughput: Number(throughput),
    avgLatencyMs: Number(avgLat) * 1000,
    maxLatencyMs: Number(maxLat) * 1000,
  };
}
