// Delivery to a Slack incoming webhook (or a compatible server such as Mattermost).
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
//
// Retry policy. 429: wait what Retry-After says, as often as the deadline allows; Slack did not
// post the message, so a retry cannot duplicate it. 5xx and network failures: back off
// exponentially with jitter, at most MAX_ATTEMPTS in all. A 5xx or a reset after the body
// was sent may mean Slack posted anyway, so a retry can duplicate a message; a deploy
// notification seen twice costs less than one never seen, and the cap bounds the duplicates.
// Other 4xx, TLS failures, a peer that does not speak HTTP and a proxy's 4xx are permanent:
// retrying cannot fix a revoked webhook, an unknown CA, a wrong port or wrong proxy credentials.
import type { Env } from './context.ts';
import { ConfigError, SlackHttpError, SlackRequestError, type DeliveryError } from './errors.ts';
import { nodeTransport, proxyFor, type Transport } from './transport.ts';

export const MAX_ATTEMPTS = 4;
const CONNECT_TIMEOUT_MS = 5_000;
const RESPONSE_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;
const BODY_LIMIT = 4_096;
/** The shortest wait after a 429, whatever Retry-After says: Slack allows about 1 post/s. */
export const RATE_LIMIT_FLOOR_MS = 1_000;
/** How long a 2xx answer's body may take: the status line already said the message is in. */
const OK_BODY_GRACE_MS = 1_000;

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface DeliveryOptions {
  url: URL;
  payload: unknown;
  /** The whole delivery, retries and waits included. */
  timeoutMs: number;
  /** Proxy variables are read from here. */
  env: Env;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  onRetry?: (notice: RetryNotice) => void;
  random?: () => number;
  /** Aborted from outside (SIGTERM, SIGINT): stop at once, with the signal's name as reason. */
  signal?: AbortSignal;
  /** How a request is made; a real HTTP client unless a test swaps it. */
  transport?: Transport;
}

export interface Delivered {
  attempts: number;
  statusCode: number;
}

/** Slack's error codes, each in one line: what it means and what to do. */
export const SLACK_ERRORS: Readonly<Record<string, string>> = {
  invalid_payload: 'Slack could not read the message; this is a bug in notify, please report it',
  invalid_blocks: 'Slack rejected the message layout; this is a bug in notify, please report it',
  invalid_blocks_format:
    'Slack rejected the message layout; this is a bug in notify, please report it',
  no_text: 'Slack found no text in the message; this is a bug in notify, please report it',
  no_service:
    'the webhook is disabled or was removed; create a new incoming webhook and update SLACK_WEBHOOK_URL',
  invalid_token:
    'the webhook was revoked or its URL is mistyped; create a new incoming webhook and update SLACK_WEBHOOK_URL',
  no_service_id: 'the webhook URL is incomplete; copy it again from the Slack app settings',
  no_team: 'the webhook URL names no workspace; copy it again from the Slack app settings',
  team_disabled: 'the Slack workspace is disabled; ask a workspace admin',
  channel_not_found:
    "the webhook's channel no longer exists; create a webhook for another channel and update SLACK_WEBHOOK_URL",
  channel_is_archived:
    "the webhook's channel is archived; unarchive it or create a webhook for another channel",
  action_prohibited: 'a workspace admin has restricted posting to this channel',
  posting_to_general_channel_denied:
    'only admins may post to this channel; pick another channel for the webhook',
  user_not_found: 'the webhook posts to a user that no longer exists; create a new webhook',
  rate_limited: 'Slack is rate limiting this webhook; space out messages or raise NOTIFY_TIMEOUT',
};

/** `Retry-After` in milliseconds: delta seconds or an HTTP date. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Exponential backoff with jitter: uniform in [base * 2^(n-1) / 2, base * 2^(n-1)]. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function explainHttp(statusCode: number, body: string): string {
  const code = body.trim();
  // Own keys only: a body of `constructor` or `toString` is not one of Slack's codes.
  const known = Object.hasOwn(SLACK_ERRORS, code) ? SLACK_ERRORS[code] : undefined;
  if (known) return `Slack answered HTTP ${statusCode} ${code}: ${known}`;
  if (statusCode >= 300 && statusCode < 400) {
    return `the webhook answered with a redirect (HTTP ${statusCode}); use the final URL in SLACK_WEBHOOK_URL`;
  }
  // Not cut here: secrets are masked where it is printed, and only then is the line cut.
  return `Slack answered HTTP ${statusCode}${code ? `: ${JSON.stringify(code)}` : ' with an empty body'}`;
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
    return `TLS to ${host} failed (${code}): its certificate is not from a trusted CA; for a private CA, set NODE_EXTRA_CA_CERTS to its PEM file`;
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

type Outcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'retry'; reason: string; delayMs?: number; error: DeliveryError }
  | { kind: 'fail'; error: DeliveryError };

async function attempt(
  options: DeliveryOptions,
  transport: Transport,
  proxy: URL | undefined,
  body: string,
  signal: AbortSignal,
  attempts: number,
): Promise<Outcome> {
  try {
    const response = await transport({
      url: options.url,
      body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'notify' },
      signal,
      connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      responseTimeoutMs: options.responseTimeoutMs ?? RESPONSE_TIMEOUT_MS,
      bodyLimit: BODY_LIMIT,
      okBodyGraceMs: OK_BODY_GRACE_MS,
    });
    const { statusCode, body: text } = response;
    if (statusCode >= 200 && statusCode < 300) return { kind: 'delivered', statusCode };
    if (statusCode === 407) {
      const message = explainNetwork('PROXY_407', options.url);
      return {
        kind: 'fail',
        error: new SlackRequestError(message, 'PROXY_407', attempts, undefined),
      };
    }
    const error = new SlackHttpError(explainHttp(statusCode, text), statusCode, text, attempts);
    if (statusCode === 429) {
      const header = response.headers['retry-after'];
      const delayMs = retryAfterMs(Array.isArray(header) ? header[0] : header) ?? 1000;
      return { kind: 'retry', reason: 'rate limited (HTTP 429)', delayMs, error };
    }
    if (statusCode >= 500) return { kind: 'retry', reason: `HTTP ${statusCode}`, error };
    return { kind: 'fail', error };
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
    if (signal.aborted || PERMANENT.test(code)) return { kind: 'fail', error };
    return { kind: 'retry', reason: error.message, error };
  }
}

export async function deliver(options: DeliveryOptions): Promise<Delivered> {
  // A malformed or unsupported proxy is the configuration's fault: exit 2 before any request.
  const proxy = proxyFor(options.env, options.url);
  const transport = options.transport ?? nodeTransport(options.env);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let interrupted: string | undefined;
  const onSignal = () => {
    interrupted = String(options.signal?.reason ?? 'a signal');
    controller.abort();
  };
  if (options.signal?.aborted) onSignal();
  else options.signal?.addEventListener('abort', onSignal, { once: true });
  const body = JSON.stringify(options.payload);
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  const stopped = (attempts: number, last?: DeliveryError) =>
    interrupted
      ? new SlackRequestError(
          `interrupted by ${interrupted} before ${options.url.host} confirmed the message; it may not have been sent`,
          'interrupted',
          attempts,
          last,
        )
      : new SlackRequestError(
          `no delivery within ${seconds}s (NOTIFY_TIMEOUT)${last ? `; last attempt: ${last.message}` : ''}`,
          'deadline',
          attempts,
          last,
        );
  let failures = 0;
  // The last real failure: an attempt cut short by the deadline says nothing about Slack.
  let last: DeliveryError | undefined;
  try {
    for (let attempts = 1; ; attempts++) {
      if (controller.signal.aborted) throw stopped(attempts - 1, last);
      const outcome = await attempt(options, transport, proxy, body, controller.signal, attempts);
      if (outcome.kind === 'delivered') return { attempts, statusCode: outcome.statusCode };
      if (controller.signal.aborted) {
        throw stopped(attempts, outcome.error.code === 'ABORT_ERR' ? last : outcome.error);
      }
      last = outcome.error;
      if (outcome.kind === 'fail') throw outcome.error;
      let delayMs = outcome.delayMs;
      if (delayMs === undefined) {
        failures++;
        if (failures >= MAX_ATTEMPTS) throw outcome.error;
        delayMs = backoffMs(failures, options.random);
      } else {
        // At least the floor, whatever Retry-After says (0 would mean hammering Slack), and
        // spread a burst of rate-limited senders so they do not all come back at once.
        delayMs = Math.max(delayMs, RATE_LIMIT_FLOOR_MS);
        delayMs += Math.round(250 * (options.random ?? Math.random)());
      }
      if (Date.now() + delayMs >= deadline) {
        // Waiting cannot help: give up now, and say why.
        const asked = outcome.delayMs;
        if (asked !== undefined && Date.now() + asked >= deadline) {
          throw new SlackRequestError(
            `rate limited: Slack asked to wait ${Math.ceil(asked / 1000)}s (Retry-After), past the ${seconds}s deadline (NOTIFY_TIMEOUT)`,
            'rate_limited',
            attempts,
            outcome.error,
          );
        }
        if (asked !== undefined) {
          throw new SlackRequestError(
            `still rate limited (HTTP 429) after ${attempts} attempts in ${seconds}s (NOTIFY_TIMEOUT); space out messages or raise NOTIFY_TIMEOUT`,
            'rate_limited',
            attempts,
            outcome.error,
          );
        }
        throw stopped(attempts, outcome.error);
      }
      options.onRetry?.({ attempt: attempts, delayMs, reason: outcome.reason });
      await sleep(delayMs, controller.signal);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onSignal);
  }
}
