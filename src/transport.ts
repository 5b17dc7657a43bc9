// One HTTP POST with node:http/https: per-phase timeouts, proxies from the given variables
// (Node's built-in CONNECT tunnelling, `proxyEnv`), no redirects followed, a bounded body read.
// undici was the first choice; in the executable it costs about 33 ms of module loading and
// WebAssembly compilation on every run, more than the whole start-up budget, while node:http
// is already in the binary.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Env } from './context.ts';
import { ConfigError } from './errors.ts';

export interface HttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** False when the body was cut short: past `bodyLimit`, or a 2xx body past its grace. */
  complete: boolean;
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
  /**
   * How long a 2xx answer's body may take once its status line is in. The status is the
   * answer: a body that trickles must neither hold the job nor turn a posted message into a
   * failure (and a retry into a duplicate).
   */
  okBodyGraceMs: number;
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

/** One proxy variable as set: which name it was found under, and its value. */
interface ProxyVar {
  name: string;
  value: string;
}

// `||`, not `??`: CI platforms define unset variables as '', which must not hide the other case.
function pick(env: Env, name: string): ProxyVar | undefined {
  for (const key of [name.toUpperCase(), name.toLowerCase()]) {
    const value = env[key]?.trim();
    if (value) return { name: key, value };
  }
  return undefined;
}

/** The proxy variable that applies to `url`: HTTPS_PROXY (else HTTP_PROXY) for https. */
function proxyVarFor(env: Env, url: URL): ProxyVar | undefined {
  const http = pick(env, 'http_proxy');
  // As undici does for runners that set only HTTP_PROXY: it serves https too.
  return url.protocol === 'https:' ? (pick(env, 'https_proxy') ?? http) : http;
}

/**
 * The proxy URL a request to `url` may go through (NO_PROXY aside), checked: a malformed or
 * unsupported proxy is a configuration error naming its variable, never a retried failure.
 * The value may hold credentials, so it is never quoted.
 */
export function proxyFor(env: Env, url: URL): URL | undefined {
  const found = proxyVarFor(env, url);
  if (!found) return undefined;
  const raw = proxyUrl(found.value);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme && /^socks/.test(scheme)) {
    throw new ConfigError(
      `${found.name} is a SOCKS proxy (${scheme}://), which notify does not support; use an HTTP proxy (http://host:port)`,
    );
  }
  let proxy: URL | undefined;
  try {
    proxy = new URL(raw);
  } catch {
    proxy = undefined;
  }
  if (!proxy || (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') || !proxy.hostname) {
    throw new ConfigError(
      `${found.name} is not a usable proxy URL (expected http://proxy.example.com:3128)`,
    );
  }
  return proxy;
}

/** Proxy variables as Node's `proxyEnv` reads them, either case accepted. */
export function proxyEnv(env: Env): Record<string, string> | undefined {
  const http = proxyUrl(pick(env, 'http_proxy')?.value ?? '');
  const https = proxyUrl(pick(env, 'https_proxy')?.value ?? '') || http;
  if (!http && !https) return undefined;
  return { HTTP_PROXY: http, HTTPS_PROXY: https, NO_PROXY: pick(env, 'no_proxy')?.value ?? '' };
}

/** A transport bound to the proxy variables in `env`. */
export function nodeTransport(env: Env): Transport {
  const proxies = proxyEnv(env);
  return (options) => {
    // Checked before any request: Node would throw on a malformed proxy URL only here, and
    // silently go direct for a scheme it does not know.
    proxyFor(env, options.url);
    return post(options, proxies);
  };
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
  const agent = new http.Agent({
    keepAlive: false,
    // Certificates are always checked: NODE_TLS_REJECT_UNAUTHORIZED=0 is the runtime's switch,
    // not notify's (a private CA goes in NODE_EXTRA_CA_CERTS).
    rejectUnauthorized: true,
    ...(proxies ? { proxyEnv: proxies } : {}),
  });
  return new Promise<HttpResponse>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // What an abort means changes once a 2xx status line is in: then it ends the body's grace.
    let whenAborted = () => onAbort();
    const abortListener = () => whenAborted();
    // Every way out goes through here: the promise settles once, and every timer, listener and
    // socket goes with it — also a proxy tunnel still waiting for its CONNECT answer.
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', abortListener);
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
    signal.addEventListener('abort', abortListener, { once: true });
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
      let complete = true;
      const done = () =>
        settle(() => resolve({ statusCode, headers: res.headers, body, complete }));
      const cut = () => {
        complete = false;
        done();
      };
      // Slack accepted the message once it answered 2xx: a stalled body must not cause a retry,
      // which would post it twice, nor fail the job when the deadline comes.
      const ok = statusCode >= 200 && statusCode < 300;
      if (ok) {
        whenAborted = cut;
        phase(options.okBodyGraceMs, cut);
      } else {
        phase(options.responseTimeoutMs, timeout('RESPONSE_TIMEOUT', 'response body timeout'));
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < options.bodyLimit) {
          body += chunk.slice(0, options.bodyLimit - body.length);
        } else if (ok) {
          cut();
        }
      });
      res.on('end', done);
      res.on('error', ok ? cut : fail);
    });
    req.on('error', fail);
    req.end(options.body);
  });
}
