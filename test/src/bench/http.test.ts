import http from 'node:http';
import { AddressInfo } from 'node:net';
import { closeHttpClients, httpRequest } from './http';

/** The bench's HTTP client against node:http servers answering in each framing it must read. */
describe('bench HTTP client', () => {
  let server: http.Server;
  let base: string;
  const sockets = new Set<unknown>();
  let handler: http.RequestListener;

  beforeEach(async () => {
    sockets.clear();
    server = http.createServer((req, res) => handler(req, res));
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`;
  });
  afterEach(async () => {
    closeHttpClients();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const body = (req: http.IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => resolve(text));
    });

  it('sends method, path under the base URL, headers and body; reads a Content-Length answer', async () => {
    handler = async (req, res) => {
      const got = await body(req);
      res.setHeader('server-timing', 'endorse;dur=1.5');
      res.appendHeader('server-timing', 'total;dur=2');
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization, got }));
    };
    const answer = await httpRequest(base, 'POST', '/api/v1/x?q=1', { authorization: 'Bearer k' }, '{"é":1}');
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toEqual({
      method: 'POST',
      url: '/base/api/v1/x?q=1',
      auth: 'Bearer k',
      got: '{"é":1}',
    });
    expect(answer.headers['server-timing']).toBe('endorse;dur=1.5, total;dur=2');
  });

  it('reads chunked answers, bodiless ones (204, HEAD), and large bodies arriving in pieces', async () => {
    const big = 'x'.repeat(300_000);
    handler = (req, res) => {
      if (req.url!.endsWith('/chunked')) {
        res.write('{"a":');
        setTimeout(() => res.end('"é"}'), 5);
      } else if (req.url!.endsWith('/none')) res.writeHead(204).end();
      else res.end(big);
    };
    expect((await httpRequest(base, 'GET', '/chunked', {})).text).toBe('{"a":"é"}');
    expect(await httpRequest(base, 'DELETE', '/none', {})).toMatchObject({ status: 204, text: '' });
    expect((await httpRequest(base, 'HEAD', '/big', {})).text).toBe('');
    expect((await httpRequest(base, 'GET', '/big', {})).text).toBe(big);
  });

  it('reuses a kept-alive socket, and opens one per request in flight', async () => {
    handler = (_req, res) => setTimeout(() => res.end('ok'), 20);
    await httpRequest(base, 'GET', '/1', {});
    await httpRequest(base, 'GET', '/2', {});
    expect(sockets.size).toBe(1);
    await Promise.all([1, 2, 3].map((i) => httpRequest(base, 'GET', `/${i}`, {})));
    expect(sockets.size).toBe(3);
  });

  it('does not reuse a socket past the Keep-Alive hint, and honours Connection: close', async () => {
    server.keepAliveTimeout = 1000; // answers say `Keep-Alive: timeout=1`: reusable for 0 s
    handler = (_req, res) => res.end('ok');
    await httpRequest(base, 'GET', '/1', {});
    await httpRequest(base, 'GET', '/2', {});
    expect(sockets.size).toBe(2);
    handler = (_req, res) => res.setHeader('connection', 'close').end('bye');
    server.keepAliveTimeout = 5000;
    await httpRequest(base, 'GET', '/3', {});
    await httpRequest(base, 'GET', '/4', {});
    expect(sockets.size).toBe(4);
  });

  it('fails a request whose connection drops, or that cannot connect, and refuses header or path injection', async () => {
    handler = (req) => req.socket.destroy();
    await expect(httpRequest(base, 'GET', '/drop', {})).rejects.toThrow(/closed the connection|ECONNRESET/);
    await expect(httpRequest('http://127.0.0.1:1/', 'GET', '/', {})).rejects.toThrow(/ECONNREFUSED/);
    expect(() => httpRequest(base, 'GET', '/', { 'x-a': 'b\r\nx-evil: 1' })).toThrow(/line break/);
    expect(() => httpRequest(base, 'GET', '/a b', {})).toThrow(/request line/);
  });
});
