import http from 'node:http';
import https from 'node:https';

/**
 * The REST driver's HTTP client: node:http over keep-alive sockets. It costs the driver about half
 * the CPU of fetch per request, and the driver shares the machine with the system it measures.
 */
export interface HttpAnswer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

const agents = new Map<string, http.Agent>();
/** Every request is bounded: a gateway that stops answering fails the request, not the run. */
const REQUEST_TIMEOUT_MS = 120_000;
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

export function httpRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  const base = new URL(baseUrl);
  const client = base.protocol === 'https:' ? https : http;
  let agent = agents.get(base.origin);
  if (!agent) {
    // An idle-socket timeout lets the agent honour the server's `Keep-Alive: timeout=N` hint (it then
    // drops an idle socket a second before the server would); without one it kept idle sockets for ever,
    // and a request sent on one the gateway was closing failed with ECONNRESET (seen under load).
    agent = new client.Agent({ keepAlive: true, maxSockets: 512, timeout: IDLE_SOCKET_TIMEOUT_MS });
    agents.set(base.origin, agent);
  }
  const sent = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method,
        path: `${base.pathname.replace(/\/$/, '')}${path}`,
        headers: sent,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer from ${base.origin} in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Closes the kept-alive sockets (end of a run). */
export function closeHttpAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
