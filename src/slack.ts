// Delivery to a Slack incoming webhook (or a compatible server such as Mattermost).
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
//
// Retry policy. 429: wait what Retry-After says, as often as the deadline allows; Slack did not
// post the message, so a retry cannot duplicate it. 5xx and network failures: back off
// exponentially with jitter, at most MAX_ATTEMPTS in all. A 5xx or a reset after the body
// was sent may mean Slack posted anyway, so a retry can duplicate a message; a deploy
// notification seen twice costs less than one never seen, and the cap bounds the duplicates.
// Other 4xx, TLS failures and a proxy's 4xx are permanent: retrying cannot fix a revoked webhook,
// an unknown CA or wrong proxy credentials.
import type { Env } from './context.ts';
import { SlackHttpError, SlackRequestError, type DeliveryError } from './errors.ts';
import { nodeTransport, proxyEnv, type Transport } from './transport.ts';

export const MAX_ATTEMPTS = 4;
const CONNECT_TIMEOUT_MS = 5_000;
const RESPONSE_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;
const BODY_LIMIT = 4_096;

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
  const shown = code.length > 300 ? `${code.slice(0, 300)}…` : code;
  return `Slack answered HTTP ${statusCode}${shown ? `: ${JSON.stringify(shown)}` : ' with an empty body'}`;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/;
// A proxy that refuses us (407 wrong credentials, 403 host not allowed) will refuse a retry too.
const PERMANENT_CODES = new RegExp(`${TLS_CODES.source}|^PROXY_4\\d\\d$`);
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

function explainNetwork(code: string, url: URL, proxied = false): string {
  // Through a proxy, the connection that failed may be the one to the proxy.
  const host = proxied ? `${url.host} (or its proxy)` : url.host;
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
      return `cannot resolve ${proxied ? `${url.hostname} (or its proxy)` : url.hostname} (DNS)`;
    case 'CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `connecting to ${host} timed out`;
    case 'RESPONSE_TIMEOUT':
      return `${host} did not answer in time`;
    case 'PROXY_407':
      return `the proxy refused to connect to ${url.host} without valid credentials (HTTP 407); check those in the HTTPS_PROXY / HTTP_PROXY URL`;
    default:
      if (code.startsWith('PROXY_')) {
        return `the proxy refused to connect to ${url.host} (HTTP ${code.slice('PROXY_'.length)})`;
      }
      if (TLS_CODES.test(code)) {
        return `TLS to ${url.host} failed (${code}); for a private CA, set NODE_EXTRA_CA_CERTS to its PEM file`;
      }
      return `request to ${host} failed (${code})`;
  }
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
    const code = errorCode(cause);
    const proxied = proxyEnv(options.env) !== undefined;
    const message = explainNetwork(code, options.url, proxied);
    const error = new SlackRequestError(message, code, attempts, cause);
    if (signal.aborted || PERMANENT_CODES.test(code)) return { kind: 'fail', error };
    return { kind: 'retry', reason: error.message, error };
  }
}

export async function deliver(options: DeliveryOptions): Promise<Delivered> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const transport = options.transport ?? nodeTransport(options.env);
  const body = JSON.stringify(options.payload);
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  const timedOut = (attempts: number, last?: DeliveryError) =>
    new SlackRequestError(
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
      const outcome = await attempt(options, transport, body, controller.signal, attempts);
      if (outcome.kind === 'delivered') return { attempts, statusCode: outcome.statusCode };
      if (controller.signal.aborted) {
        throw timedOut(attempts, outcome.error.code === 'ABORT_ERR' ? last : outcome.error);
      }
      last = outcome.error;
      if (outcome.kind === 'fail') throw outcome.error;
      let delayMs = outcome.delayMs;
      if (delayMs === undefined) {
        failures++;
        if (failures >= MAX_ATTEMPTS) throw outcome.error;
        delayMs = backoffMs(failures, options.random);
      } else {
        // Spread a burst of rate-limited senders so they do not all come back at once.
        delayMs += Math.round(250 * (options.random ?? Math.random)());
      }
      if (Date.now() + delayMs >= deadline) {
        // Waiting cannot help: give up now, and say how long Slack asked for.
        if (outcome.delayMs !== undefined) {
          throw new SlackRequestError(
            `rate limited: Slack asked to wait ${Math.ceil(outcome.delayMs / 1000)}s (Retry-After), past the ${seconds}s deadline (NOTIFY_TIMEOUT)`,
            'rate_limited',
            attempts,
            outcome.error,
          );
        }
        throw timedOut(attempts, outcome.error);
      }
      options.onRetry?.({ attempt: attempts, delayMs, reason: outcome.reason });
      await sleep(delayMs, controller.signal);
      if (controller.signal.aborted) throw timedOut(attempts, last);
    }
  } finally {
    clearTimeout(timer);
  }
}
