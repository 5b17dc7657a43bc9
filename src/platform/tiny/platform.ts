// The Platform in the tiny executable: the calls runtime.c gives (`__native`), HTTP through
// libcurl. Proxies are chosen by the same rules as on Node (src/proxy.ts); NO_PROXY is
// libcurl's; CA certificates are read here, bounded, and handed to libcurl as text.
import type { Env } from '../../context.ts';
import { proxyEnv, proxyFor } from '../../proxy.ts';
import { bypassesProxy, parseHead, proxyForCurl, unbracket } from './curl.ts';
import {
  CA_FILE_MAX,
  FileError,
  readCaFile,
  TransportError,
  type FileProblem,
  type HttpResponse,
  type Platform,
  type PostOptions,
  type Transport,
  type TransportOptions,
} from '../types.ts';

interface NativeAnswer {
  status: number;
  head: string;
  body: string;
  complete: boolean;
}
interface NativeFailure {
  code: string;
  message: string;
}
interface Native {
  env(): Record<string, string>;
  argv(): string[];
  cwd(): string | undefined;
  readFile(path: string, maxBytes: number): string | [FileProblem, string | undefined];
  writeFile(path: string, text: string): void;
  appendFile(path: string, text: string): void;
  write(fd: 1 | 2, text: string): void;
  exit(code: number): never;
  builtinCa(): string;
  signals(on: boolean): void;
  http(
    request: {
      url: string;
      method: 'GET' | 'POST' | 'PATCH';
      body: string;
      headers: string[];
      proxy: string;
      host: string;
      proxyHost: string;
      ca: string;
      connectTimeoutMs: number;
      responseTimeoutMs: number;
      okBodyGraceMs: number;
      bodyLimitBytes: number;
    },
    callback: (outcome: NativeAnswer | NativeFailure) => void,
  ): number;
  httpAbort(id: number): void;
}

declare const __native: Native;
const native = __native;

function readText(path: string, maxBytes: number): string {
  const result = native.readFile(path, maxBytes);
  if (typeof result === 'string') return result;
  const [problem, code] = result;
  throw new FileError(path, problem, problem === 'too large' ? `over ${maxBytes} bytes` : code);
}

// Set by the signal hook; the native loop delivers signals through __signal().
let signalHandler: ((signal: string) => void) | undefined;
(globalThis as Record<string, unknown>).__signal = (name: string) => signalHandler?.(name);

function onSignal(handler: (signal: string) => void): () => void {
  signalHandler = handler;
  native.signals(true);
  return () => {
    if (signalHandler !== handler) return;
    signalHandler = undefined;
    native.signals(false);
  };
}

/** Where Linux distributions (and kaniko's image) keep the system's CA bundle. */
export const SYSTEM_CA_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/kaniko/ssl/certs/ca-certificates.crt',
];

/**
 * The CA certificates TLS trusts, as PEM text: the system's bundle (else Mozilla's list, built
 * in), or SSL_CERT_FILE instead, then NOTIFY_CA_FILE and NODE_EXTRA_CA_CERTS added to it. Only
 * set variables are read, bounded; one that names anything but a readable file is a
 * configuration error.
 */
export function caText(env: Env, more: TransportOptions['caFiles'] = []): string {
  const parts: string[] = [];
  const replace = env.SSL_CERT_FILE?.trim();
  if (replace) parts.push(readCaFile(readText, 'SSL_CERT_FILE', replace));
  else {
    // SSL_CERT_DIR (kaniko sets it) is searched for a bundle, not for hashed files one by one.
    const dirs = (env.SSL_CERT_DIR ?? '').split(':').filter((dir) => dir.startsWith('/'));
    for (const path of [...dirs.map((dir) => `${dir}/ca-certificates.crt`), ...SYSTEM_CA_FILES]) {
      try {
        parts.push(readText(path, CA_FILE_MAX));
        break;
      } catch {
        // the next place
      }
    }
    // No bundle on this machine (the executable copied into a bare image): the one built in.
    if (!parts.length) parts.push(native.builtinCa());
  }
  const named = ['NOTIFY_CA_FILE', 'NODE_EXTRA_CA_CERTS'].map((name) => [name, env[name]] as const);
  for (const [name, raw] of [...named, ...more]) {
    const path = raw?.trim();
    if (path) parts.push(readCaFile(readText, name, path));
  }
  return parts.join('\n');
}

function post(env: Env, options: PostOptions, ca: () => string): Promise<HttpResponse> {
  const { url, signal } = options;
  const proxy = bypassesProxy(url.hostname, proxyEnv(env)?.NO_PROXY ?? '')
    ? undefined
    : proxyFor(env, url);
  const secure = url.protocol === 'https:' || proxy?.protocol === 'https:';
  const request = {
    url: url.href,
    method: options.method ?? 'POST',
    body: options.method === 'GET' ? '' : options.body,
    // libcurl adds Content-Length and Host itself.
    headers: Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`),
    proxy: proxy ? proxyForCurl(proxy) : '',
    host: unbracket(url.hostname),
    proxyHost: unbracket(proxy?.hostname ?? ''),
    ca: secure ? ca() : '',
    connectTimeoutMs: options.connectTimeoutMs,
    responseTimeoutMs: options.responseTimeoutMs,
    okBodyGraceMs: options.okBodyGraceMs,
    // A character takes at most four bytes: cut to characters once decoded.
    bodyLimitBytes: options.bodyLimit * 4,
  };
  return new Promise<HttpResponse>((resolve, reject) => {
    // A line break in a header would start another header: refused, as Node refuses it.
    if (request.headers.some((line) => /[\r\n\0]/.test(line))) {
      reject(new TransportError('ERR_INVALID_CHAR', 'invalid character in a request header'));
      return;
    }
    if (signal.aborted) {
      reject(new TransportError('ABORT_ERR', 'aborted'));
      return;
    }
    const onAbort = () => native.httpAbort(id);
    const id = native.http(request, (outcome) => {
      signal.removeEventListener('abort', onAbort);
      if ('code' in outcome) {
        reject(new TransportError(outcome.code, outcome.message));
        return;
      }
      const ok = outcome.status >= 200 && outcome.status < 300;
      const cut = outcome.body.length > options.bodyLimit;
      resolve({
        statusCode: outcome.status,
        headers: parseHead(outcome.head),
        body: cut ? outcome.body.slice(0, options.bodyLimit) : outcome.body,
        complete: outcome.complete && !(ok && cut),
      });
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function transport(env: Env, extra?: TransportOptions): Transport {
  let ca: string | undefined;
  return (options) => post(env, options, () => (ca ??= caText(env, extra?.caFiles)));
}

function writer(fd: 1 | 2): (text: string) => void {
  return (text) => native.write(fd, text);
}

export const tinyPlatform = (): Platform => ({
  env: native.env(),
  argv: native.argv(),
  cwd: () => native.cwd(),
  readText,
  writeText: (path, text) => native.writeFile(path, text),
  appendText: (path, text) => native.appendFile(path, text),
  stdout: writer(1),
  stderr: writer(2),
  onSignal,
  transport,
});

export const exit = (code: number): never => native.exit(code);
