import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { httpRequest } from './http';
import { openLoop, Outcome } from './load';
import { round, summarise } from './stats';

/**
 * What one HTTP hop costs on this machine, whatever serves it: an empty node:http server in a process
 * of its own, called with the REST driver's client at a rate. REST mode puts such a hop, and then the
 * gateway's own work, in front of the path the direct driver takes; so this is the part of the
 * REST-vs-direct figures that no gateway built on Node's HTTP server could avoid here. On a 2-core
 * Firecracker VM a round trip took 0.7–0.9 ms at 10/s and 0.25 ms at 500/s: an idle machine wakes
 * slowly and runs cold code, and the query-overhead bar (≤ 1 ms) is judged unloaded (10/s) too.
 */
export interface HttpFloorStep {
  offered_tps: number;
  /** Round trip, request sent to answer read. */
  p50_ms: number | null;
  /**
   * CPU of both ends per request: the server's, plus the client's less what the open loop costs on
   * its own at that rate (measured right after with an operation that does nothing). Null below
   * CPU_FROM_TPS: CPU decides throughput only under load, and at a few requests per second the open
   * loop's own timers cost more than the requests, so the difference is noise.
   */
  cpu_ms_per_request: number | null;
}

const CPU_FROM_TPS = 100;

// Plain JavaScript run with `node -e`: the same from the compiled bench and from the unit tests' TypeScript.
const SERVER = `
const http = require('node:http');
const body = '{"result":null}';
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => { const u = process.cpuUsage(); process.send({ cpuUs: u.user + u.system }); });
process.on('disconnect', () => process.exit(0));
`;

export async function measureHttpFloor(
  rates: number[],
  timing: { warmupMs: number; durationMs: number },
): Promise<HttpFloorStep[]> {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const [{ port }] = (await once(server, 'message')) as [{ port: number }];
    const serverCpuUs = async () => {
      const answer = once(server, 'message') as Promise<[{ cpuUs: number }]>;
      server.send('cpu');
      return (await answer)[0].cpuUs;
    };
    const base = `http://127.0.0.1:${port}`;
    const hop = async (): Promise<Outcome> => {
      const { status } = await httpRequest(base, 'GET', '/', {});
      return status === 200 ? { ok: true } : { ok: false, failure: `HTTP_${status}` };
    };
    const nothing = (): Promise<Outcome> => Promise.resolve({ ok: true });
    const cpuUs = (since: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(since);
      return used.user + used.system;
    };
    const steps: HttpFloorStep[] = [];
    for (const rate of rates) {
      await openLoop(hop, { rate, durationMs: timing.warmupMs });
      const [client0, server0] = [process.cpuUsage(), await serverCpuUs()];
      const step = await openLoop(hop, { rate, durationMs: timing.durationMs });
      const [clientUs, serverUs] = [cpuUs(client0), (await serverCpuUs()) - server0];
      let cpuMs: number | null = null;
      if (rate >= CPU_FROM_TPS && step.ok > 0) {
        const loop0 = process.cpuUsage();
        const idle = await openLoop(nothing, { rate, durationMs: timing.durationMs });
        cpuMs = round((serverUs + clientUs) / step.ok / 1000 - cpuUs(loop0) / idle.sent / 1000, 3);
      }
      steps.push({
        offered_tps: rate,
        p50_ms: step.ok > 0 ? round(summarise(step.latenciesMs).p50, 2) : null,
        cpu_ms_per_request: cpuMs,
      });
    }
    return steps;
  } finally {
    server.kill();
  }
}

export const describeHttpFloor = (steps: HttpFloorStep[]): string =>
  steps
    .map(
      (s) =>
        `${s.offered_tps}/s: p50 ${s.p50_ms ?? '-'} ms` +
        (s.cpu_ms_per_request === null ? '' : `, CPU ${s.cpu_ms_per_request} ms a request`),
    )
    .join('; ');
