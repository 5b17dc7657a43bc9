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

/** Proxy variables as Node's `proxyEnv` reads them, either case accepted. */
export function proxyEnv(env: Env): Record<string, string> | undefined {
  const pick = (name: string) => env[name.toUpperCase()] ?? env[name.toLowerCase()] ?? '';
  const http = pick('http_proxy');
  // As curl and undici do for runners that set only HTTP_PROXY: it serves https too.
  const https = pick('https_proxy') || http;
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
    const fail = (error: Error) => {
      clearTimeout(timer);
      req.destroy(error);
    };
    const phase = (ms: number, code: string, message: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new TransportError(code, message)), ms);
    };
    const req = http.request(url, {
      method: 'POST',
      agent,
      signal,
      headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
    });
    phase(options.connectTimeoutMs, 'CONNECT_TIMEOUT', 'connect timeout');
    req.on('socket', (socket: Socket) => {
      const connected = () =>
        phase(options.responseTimeoutMs, 'RESPONSE_TIMEOUT', 'response timeout');
      if (!socket.connecting) connected();
      else socket.once(secure && !proxies ? 'secureConnect' : 'connect', connected);
    });
    req.on('response', (res) => {
      phase(options.responseTimeoutMs, 'RESPONSE_TIMEOUT', 'response body timeout');
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < options.bodyLimit)
          body += chunk.slice(0, options.bodyLimit - body.length);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', fail);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('close', () => {
      clearTimeout(timer);
      agent.destroy();
    });
    req.end(options.body);
  });
}
