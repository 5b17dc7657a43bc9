// One HTTP exchange under the run's deadline, with the retry policy every call shares: the
// webhook's POST and each Slack Web API call alike.
//
// Retry policy. 429: wait what Retry-After says (at least RATE_LIMIT_FLOOR_MS), as often as the
// deadline allows; the server did not act on the request, so a retry cannot duplicate it. 5xx and
// network failures: back off exponentially with jitter, at most MAX_ATTEMPTS in all. A 5xx or a
// reset after the body was sent may mean the server acted anyway, so a retry can duplicate a
// message; a deploy notification seen twice costs less than one never seen, and the cap bounds
// the duplicates. Other 4xx, TLS failures, a peer that does not speak HTTP and a proxy's 4xx are
// permanent: retrying cannot fix a revoked token, an unknown CA, a wrong port or wrong proxy
// credentials.
import type { Env } from './context.ts';
import { ConfigError, SlackRequestError, type DeliveryError } from './errors.ts';
import type { HttpResponse, Transport } from './platform/types.ts';
import { proxyFor } from './proxy.ts';

export const MAX_ATTEMPTS = 4;
const CONNECT_TIMEOUT_MS = 5_000;
const RESPONSE_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;
/** The shortest wait after a 429, whatever Retry-After says: Slack allows about 1 post/s. */
export const RATE_LIMIT_FLOOR_MS = 1_000;

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

/**
 * The one clock of a run: every exchange of a command ends by `at`, and a signal from outside
 * (SIGTERM, SIGINT) ends them all at once.
 */
export class Deadline {
  readonly at: number;
  readonly seconds: number;
  /** The signal's name, once one came. */
  interrupted: string | undefined;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly outside: AbortSignal | undefined;
  private readonly onOutside = () => {
    this.interrupted = String(this.outside?.reason ?? 'a signal');
    this.controller.abort();
  };

  constructor(timeoutMs: number, outside?: AbortSignal) {
    this.at = Date.now() + timeoutMs;
    this.seconds = Math.round(timeoutMs / 100) / 10;
    this.timer = setTimeout(() => this.controller.abort(), timeoutMs);
    this.outside = outside;
    if (outside?.aborted) this.onOutside();
    else outside?.addEventListener('abort', this.onOutside, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why an exchange stopped short: the signal, or the deadline. */
  stopped(host: string, attempts: number, last?: DeliveryError): SlackRequestError {
    if (this.interrupted) {
      return new SlackRequestError(
        `interrupted by ${this.interrupted} before ${host} confirmed the message; it may not have been sent`,
        'interrupted',
        attempts,
        last,
      );
    }
    return new SlackRequestError(
      `no delivery within ${this.seconds}s (NOTIFY_TIMEOUT)${last ? `; last attempt: ${last.message}` : ''}`,
      'deadline',
      attempts,
      last,
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outside?.removeEventListener('abort', this.onOutside);
  }
}

/** What an answer means for the request: its value, a retry, or a failure for good. */
export type Verdict<T> =
  | { kind: 'done'; value: T }
  | { kind: 'retry'; reason: string; delayMs?: number; error: DeliveryError }
  | { kind: 'fail'; error: DeliveryError };

export interface ExchangeOptions<T> {
  url: URL;
  /** POST unless told. */
  method?: 'GET' | 'POST' | 'PATCH';
  /** Who answers, for messages: Slack unless told. */
  peer?: string;
  body: string;
  headers: Record<string, string>;
  deadline: Deadline;
  /** Proxy variables are read from here. */
  env: Env;
  transport: Transport;
  /** Reads an answer that arrived (any status). */
  judge: (response: HttpResponse, attempts: number) => Verdict<T>;
  /** At most this many characters of an answer are kept. */
  bodyLimit: number;
  /** How long a 2xx answer's body may take once its status line is in. */
  okBodyGraceMs: number;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  onRetry?: (notice: RetryNotice) => void;
  random?: () => number;
}

/** `Retry-After` in milliseconds: delta seconds or an HTTP date. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = parseHttpDate(value);
  return date === undefined ? undefined : Math.max(0, date - now);
}

const MONTHS = 'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ');

/**
 * An HTTP date in any of its three forms (RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`,
 * `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`. Read here, not by Date.parse,
 * whose other forms differ between engines.
 */
export function parseHttpDate(value: string): number | undefined {
  const imf = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/i.exec(value);
  const rfc850 = /^[a-z]+, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/i.exec(value);
  const asctime = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i.exec(value);
  let parts: [string, string, number, string, string, string] | undefined;
  if (imf) parts = [imf[1]!, imf[2]!, Number(imf[3]), imf[4]!, imf[5]!, imf[6]!];
  // A two-digit year: the nearest that is not more than 50 years ahead.
  else if (rfc850)
    parts = [rfc850[1]!, rfc850[2]!, 2000 + Number(rfc850[3]), rfc850[4]!, rfc850[5]!, rfc850[6]!];
  else if (asctime)
    parts = [asctime[2]!, asctime[1]!, Number(asctime[6]), asctime[3]!, asctime[4]!, asctime[5]!];
  if (!parts) return undefined;
  const [day, monthName, year, hours, minutes, seconds] = parts;
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month < 0) return undefined;
  let full = year;
  if (rfc850 && full > new Date().getUTCFullYear() + 50) full -= 100;
  const time = Date.UTC(full, month, Number(day), Number(hours), Number(minutes), Number(seconds));
  return Number.isFinite(time) ? time : undefined;
}

/** Exponential backoff with jitter: uniform in [base * 2^(n-1) / 2, base * 2^(n-1)]. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

// The certificate could not be traced to a trusted CA: a private CA is the usual reason.
const UNTRUSTED =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/;
const CERT = /CERT|ERR_TLS/;
// The other end answered, but not in TLS (an https:// URL on a plain port) or not in HTTP.
const NOT_TLS = /^(EPROTO|ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST))$/;
const TLS_OTHER = /^ERR_SSL_/;
const NOT_HTTP = /^HPE_/;
// A proxy that refuses us (407 wrong credentials, 403 host not allowed) will refuse a retry too.
const PERMANENT = new RegExp(
  `${UNTRUSTED.source}|${CERT.source}|${NOT_TLS.source}|${TLS_OTHER.source}|${NOT_HTTP.source}|^PROXY_4\\d\\d$`,
);
// Node tells a proxy's non-2xx answer to a CONNECT (https targets) only in the message of an
// ERR_PROXY_TUNNEL; for http targets the proxy's answer arrives as the response itself.
const PROXY_ANSWER = /HTTP\/\d(?:\.\d)? (\d{3})/;

function* causes(error: unknown): Generator<{ code?: unknown; message?: unknown }> {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e && typeof e === 'object' && !seen.has(e);) {
    seen.add(e);
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/** A stable reason: `PROXY_<status>` when the proxy answered, else the first error code. */
function errorCode(error: unknown): string {
  for (const e of causes(error)) {
    if (e.code !== 'ERR_PROXY_TUNNEL') continue;
    const proxy = typeof e.message === 'string' ? PROXY_ANSWER.exec(e.message) : null;
    return proxy ? `PROXY_${proxy[1]}` : 'ERR_PROXY_TUNNEL';
  }
  for (const e of causes(error)) {
    if (typeof e.code === 'string') return e.code;
  }
  return 'unknown';
}

/** One line on what went wrong with the connection, blaming the proxy only where it can be. */
export function explainNetwork(code: string, url: URL, proxy?: URL): string {
  // Through a proxy, the connection that failed may be the one to the proxy.
  const host = proxy ? `${url.host} (or its proxy)` : url.host;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection to ${host} refused`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection to ${host} was reset`;
    case 'ERR_PROXY_TUNNEL':
      return `the proxy could not open a tunnel to ${url.host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${proxy ? `${url.hostname} (or its proxy)` : url.hostname} (DNS)`;
    case 'CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `connecting to ${host} timed out`;
    case 'RESPONSE_TIMEOUT':
      return `${host} did not answer in time`;
    case 'PROXY_407':
      return `the proxy refused to connect to ${url.host} without valid credentials (HTTP 407); check those in the HTTPS_PROXY / HTTP_PROXY URL`;
  }
  if (code.startsWith('PROXY_')) {
    return `the proxy refused to connect to ${url.host} (HTTP ${code.slice('PROXY_'.length)})`;
  }
  if (NOT_TLS.test(code)) {
    if (proxy?.protocol === 'https:') {
      return `TLS with the proxy ${proxy.host} failed (${code}); an https:// proxy URL means TLS to the proxy itself, and most proxies take http://`;
    }
    return `TLS with ${host} failed (${code}); the port may not speak TLS: check the URL's scheme (https:// or http://) and port`;
  }
  if (TLS_OTHER.test(code)) return `TLS handshake with ${host} failed (${code})`;
  if (NOT_HTTP.test(code)) {
    return `${host} did not answer in HTTP (${code}); check the URL's host and port`;
  }
  if (UNTRUSTED.test(code)) {
    return `TLS to ${host} failed (${code}): its certificate is not from a trusted CA; for a private CA, set NOTIFY_CA_FILE (or NODE_EXTRA_CA_CERTS) to its PEM file`;
  }
  if (CERT.test(code)) return `TLS to ${host} failed (${code}): its certificate was refused`;
  return `request to ${host} failed (${code})`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

async function attempt<T>(
  options: ExchangeOptions<T>,
  proxy: URL | undefined,
  attempts: number,
): Promise<Verdict<T>> {
  const { deadline } = options;
  try {
    const response = await options.transport({
      url: options.url,
      ...(options.method ? { method: options.method } : {}),
      body: options.body,
      headers: options.headers,
      signal: deadline.signal,
      connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      responseTimeoutMs: options.responseTimeoutMs ?? RESPONSE_TIMEOUT_MS,
      bodyLimit: options.bodyLimit,
      okBodyGraceMs: options.okBodyGraceMs,
    });
    if (response.statusCode === 407) {
      const message = explainNetwork('PROXY_407', options.url);
      return {
        kind: 'fail',
        error: new SlackRequestError(message, 'PROXY_407', attempts, undefined),
      };
    }
    return options.judge(response, attempts);
  } catch (cause) {
    // The settings are wrong (a CA file that cannot be read): no retry can fix that.
    if (cause instanceof ConfigError) throw cause;
    const code = errorCode(cause);
    const error = new SlackRequestError(
      explainNetwork(code, options.url, proxy),
      code,
      attempts,
      cause,
    );
    if (deadline.signal.aborted || PERMANENT.test(code)) return { kind: 'fail', error };
    return { kind: 'retry', reason: error.message, error };
  }
}

/** A 429's answer: wait what the server asked, at least the floor. */
export function rateLimited(
  response: HttpResponse,
  error: DeliveryError,
): { kind: 'retry'; reason: string; delayMs: number; error: DeliveryError } {
  const header = response.headers['retry-after'];
  const delayMs = retryAfterMs(Array.isArray(header) ? header[0] : header) ?? 1000;
  return { kind: 'retry', reason: `rate limited (HTTP ${response.statusCode})`, delayMs, error };
}

export async function exchange<T>(
  options: ExchangeOptions<T>,
): Promise<{ value: T; attempts: number }> {
  // A malformed or unsupported proxy is the configuration's fault: exit 2 before any request.
  const proxy = proxyFor(options.env, options.url);
  const { deadline } = options;
  const host = options.url.host;
  let failures = 0;
  // The last real failure: an attempt cut short by the deadline says nothing about the server.
  let last: DeliveryError | undefined;
  for (let attempts = 1; ; attempts++) {
    if (deadline.signal.aborted) throw deadline.stopped(host, attempts - 1, last);
    const outcome = await attempt(options, proxy, attempts);
    if (outcome.kind === 'done') return { value: outcome.value, attempts };
    if (deadline.signal.aborted) {
      throw deadline.stopped(
        host,
        attempts,
        outcome.error.code === 'ABORT_ERR' ? last : outcome.error,
      );
    }
    last = outcome.error;
    if (outcome.kind === 'fail') throw outcome.error;
    let delayMs = outcome.delayMs;
    if (delayMs === undefined) {
      failures++;
      if (failures >= MAX_ATTEMPTS) throw outcome.error;
      delayMs = backoffMs(failures, options.random);
    } else {
      // At least the floor, whatever Retry-After says (0 would mean hammering the server), and
      // spread a burst of rate-limited senders so they do not all come back at once.
      delayMs = Math.max(delayMs, RATE_LIMIT_FLOOR_MS);
      delayMs += Math.round(250 * (options.random ?? Math.random)());
    }
    if (Date.now() + delayMs >= deadline.at) {
      // Waiting cannot help: give up now, and say why.
      const asked = outcome.delayMs;
      if (asked !== undefined && Date.now() + asked >= deadline.at) {
        throw new SlackRequestError(
          `rate limited: ${options.peer ?? 'Slack'} asked to wait ${Math.ceil(asked / 1000)}s (Retry-After), past the ${deadline.seconds}s deadline (NOTIFY_TIMEOUT)`,
          'rate_limited',
          attempts,
          outcome.error,
        );
      }
      if (asked !== undefined) {
        throw new SlackRequestError(
          `still rate limited (HTTP 429) after ${attempts} attempts in ${deadline.seconds}s (NOTIFY_TIMEOUT); space out messages or raise NOTIFY_TIMEOUT`,
          'rate_limited',
          attempts,
          outcome.error,
        );
      }
      throw deadline.stopped(host, attempts, outcome.error);
    }
    options.onRetry?.({ attempt: attempts, delayMs, reason: outcome.reason });
    await sleep(delayMs, deadline.signal);
  }
}
