// The Node platform's HTTP: one POST (or GET) with node:http/https, per-phase timeouts, proxies from the
// given variables (Node's built-in CONNECT tunnelling, `proxyEnv`), no redirects followed, a
// bounded body read.
// undici was the first choice; in the executable it costs about 33 ms of module loading and
// WebAssembly compilation on every run, more than the whole start-up budget, while node:http
// is already in the binary.
import type { Socket } from 'node:net';
import type { Env } from '../context.ts';
import { proxyEnv, proxyFor } from '../proxy.ts';
import { TransportError, type HttpResponse, type PostOptions, type Transport } from './types.ts';

/** A transport bound to the proxy variables in `env`; `ca`: the CAs to trust instead of Node's. */
export function nodeTransport(env: Env, ca?: string): Transport {
  const proxies = proxyEnv(env);
  return (options) => {
    // Checked before any request: Node would throw on a malformed proxy URL only here, and
    // silently go direct for a scheme it does not know.
    proxyFor(env, options.url);
    return post(options, proxies, ca);
  };
}

function post(
  options: PostOptions,
  proxies: Record<string, string> | undefined,
  ca: string | undefined,
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
    // not notify's (a private CA goes in NOTIFY_CA_FILE or NODE_EXTRA_CA_CERTS).
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
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

    const get = options.method === 'GET';
    const req = http.request(url, {
      method: options.method ?? 'POST',
      agent,
      headers: get
        ? options.headers
        : { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
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
    req.end(get ? undefined : options.body);
  });
}
