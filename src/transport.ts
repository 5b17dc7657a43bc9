// One HTTP POST with node:http/https: per-phase timeouts, proxies from the given variables
// (Node's built-in CONNECT tunnelling, `proxyEnv`), no redirects followed, a bounded body read.
// undici was the first choice; in the executable it costs about 33 ms of module loading and
// WebAssembly compilation on every run, more than the whole start-up budget, while node:http
// is already in the binary.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Env } from './context.ts';

export interface HttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface PostOptions {
  url: URL;
  body: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** At most this many characters of the response body are kept. */
  bodyLimit: number;
}

/** A failure before a whole response arrived; `code` is Node's (ECONNREFUSED...) or ours. */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

export type Transport = (options: PostOptions) => Promise<HttpResponse>;

/** A proxy URL as curl takes it: the scheme may be left out. */
function proxyUrl(value: string): string {
  return value && !value.includes('://') ? `http://${value}` : value;
}

/** Proxy variables as Node's `proxyEnv` reads them, either case accepted. */
export function proxyEnv(env: Env): Record<string, string> | undefined {
  // `||`, not `??`: CI platforms define unset variables as '', which must not hide the other case.
  const pick = (name: string) =>
    env[name.toUpperCase()]?.trim() || env[name.toLowerCase()]?.trim() || '';
  const http = proxyUrl(pick('http_proxy'));
  // As undici does for runners that set only HTTP_PROXY: it serves https too.
  const https = proxyUrl(pick('https_proxy')) || http;
  if (!http && !https) return undefined;
  return { HTTP_PROXY: http, HTTPS_PROXY: https, NO_PROXY: pick('no_proxy') };
}

/** A transport bound to the proxy variables in `env`. */
export function nodeTransport(env: Env): Transport {
  const proxies = proxyEnv(env);
  return (options) => post(options, proxies);
}

function post(
  options: PostOptions,
  proxies: Record<string, string> | undefined,
): Promise<HttpResponse> {
  const { url, signal } = options;
  const secure = url.protocol === 'https:';
  // node:https brings TLS and crypto with it: load it only for https URLs. Not with import():
  // in the bundle that would start Node's ESM loader, which costs more than the request.
  const http = secure
    ? process.getBuiltinModule('node:https')
    : process.getBuiltinModule('node:http');
  const agent = new http.Agent({ keepAlive: false, ...(proxies ? { proxyEnv: proxies } : {}) });
  return new Promise<HttpResponse>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // Every way out goes through here: the promise settles once, and every timer, listener and
    // socket goes with it — also a proxy tunnel still waiting for its CONNECT answer.
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      outcome();
      req.destroy();
      agent.destroy();
    };
    const fail = (error: Error) => settle(() => reject(error));
    const onAbort = () => fail(new TransportError('ABORT_ERR', 'aborted'));
    const phase = (ms: number, onTimeout: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(onTimeout, ms);
    };
    const timeout = (code: string, message: string) => () =>
      fail(new TransportError(code, message));

    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    phase(options.connectTimeoutMs, timeout('CONNECT_TIMEOUT', 'connect timeout'));
    req.on('socket', (socket: Socket) => {
      const connected = () =>
        phase(options.responseTimeoutMs, timeout('RESPONSE_TIMEOUT', 'response timeout'));
      if (!socket.connecting) connected();
      else socket.once(secure && !proxies ? 'secureConnect' : 'connect', connected);
    });
    req.on('response', (res) => {
      const statusCode = res.statusCode ?? 0;
      let body = '';
      const done = () => settle(() => resolve({ statusCode, headers: res.headers, body }));
      // Slack accepted the message once it answered 2xx: a stalled body must not cause a retry,
      // which would post it twice.
      const ok = statusCode >= 200 && statusCode < 300;
      phase(
        options.responseTimeoutMs,
        ok ? done : timeout('RESPONSE_TIMEOUT', 'response body timeout'),
      );
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < options.bodyLimit)
          body += chunk.slice(0, options.bodyLimit - body.length);
      });
      res.on('end', done);
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(options.body);
  });
}
