// A real forward proxy on 127.0.0.1, enough of one to put between notify and the fake Slack.
// It tunnels CONNECT (how clients reach https targets through a proxy) and forwards
// absolute-form requests (how Node, undici and curl send plain-http ones), records what it was
// asked for, and can demand Basic credentials the way a corporate proxy does.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxyRecord {
  /** `connect`: a CONNECT tunnel; `forward`: an absolute-form request relayed by the proxy. */
  kind: 'connect' | 'forward';
  /** host:port the client asked to reach. */
  target: string;
  /** The Proxy-Authorization header as received, if any. */
  authorization?: string;
  /** Whether the proxy let the request through. */
  allowed: boolean;
}

export interface FakeProxy {
  /** http://127.0.0.1:<port>, without credentials. */
  url: string;
  port: number;
  records: ProxyRecord[];
  close(): Promise<void>;
}

export interface FakeProxyOptions {
  /** Require these Basic credentials; anything else gets 407. */
  auth?: { username: string; password: string };
  /** Listen on this port of 127.0.0.1 (default: any free one). */
  port?: number;
}

const REFUSE_407 =
  'HTTP/1.1 407 Proxy Authentication Required\r\n' +
  'Proxy-Authenticate: Basic realm="notify-test"\r\n' +
  'Content-Length: 0\r\nConnection: close\r\n\r\n';

export async function startProxy(options: FakeProxyOptions = {}): Promise<FakeProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A peer that goes away mid-tunnel is normal here (notify exits, a test closes a server).
    socket.on('error', () => socket.destroy());
  };
  const expected = options.auth
    ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
    : undefined;
  const admit = (req: IncomingMessage, kind: ProxyRecord['kind'], target: string): boolean => {
    const authorization = req.headers['proxy-authorization'];
    const allowed = expected === undefined || authorization === expected;
    records.push({ kind, target, authorization, allowed });
    return allowed;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    if (!admit(req, 'forward', target.host)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="notify-test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    const target = req.url ?? '';
    if (!admit(req, 'connect', target)) {
      client.end(REFUSE_407);
      return;
    }
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.split(':').pop()];
    const upstream: Socket = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', track);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
