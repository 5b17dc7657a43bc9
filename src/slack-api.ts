// Slack's Web API, the handful of methods app mode calls, over notify's own transport: each call
// is one exchange under the run's deadline and retry policy (http.ts). A full SDK would load far
// more than a run needs.
// https://docs.slack.dev/apis/web-api/
import type { Env } from './context.ts';
import { SlackApiError, SlackHttpError } from './errors.ts';
import { Deadline, exchange, rateLimited, type RetryNotice, type Verdict } from './http.ts';
import type { HttpResponse, Transport } from './platform/types.ts';

// A page of history with metadata and blocks is a few hundred kilobytes at most.
const BODY_LIMIT = 4 * 1024 * 1024;
// The answer is the point of a Web API call (its `ts`): a body gets the response timeout.
const OK_BODY_GRACE_MS = 10_000;

/**
 * The scopes each method notify calls needs (for private channels, the groups:* twin):
 * slack-app-manifest.yml asks for exactly these.
 */
export const METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.list': ['channels:read', 'groups:read'],
  'reactions.add': ['reactions:write'],
  'conversations.info': ['channels:read', 'groups:read'],
  'users.lookupByEmail': ['users:read.email'],
};

/** Errors Slack documents as passing: the same call may well go through. */
const TRANSIENT = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Slack's error codes, each as one line: what it means and what to do. */
export function explainApiError(
  method: string,
  code: string,
  args: Readonly<Record<string, unknown>>,
  needed?: string,
): string {
  const channel = typeof args.channel === 'string' ? args.channel : 'the channel';
  const ts = typeof args.ts === 'string' ? args.ts : String(args.timestamp ?? '');
  switch (code) {
    case 'not_in_channel':
      return `the app is not a member of ${channel}: invite it there (/invite @your-app) (${method})`;
    case 'channel_not_found':
      return `channel ${channel} was not found (${method}): set NOTIFY_CHANNEL to a channel ID such as C0123ABCD, or #name, that the app can see`;
    case 'is_archived':
    case 'channel_is_archived':
      return `channel ${channel} is archived (${method}): unarchive it or set another NOTIFY_CHANNEL`;
    case 'not_authed':
    case 'invalid_auth':
    case 'token_revoked':
    case 'token_expired':
    case 'account_inactive':
      return `Slack refused SLACK_BOT_TOKEN (${code}): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page`;
    case 'missing_scope':
      return `the app lacks the scope ${needed ?? '(not named)'} that ${method} needs: add it under OAuth & Permissions (slack-app-manifest.yml lists them all) and reinstall the app`;
    case 'ratelimited':
    case 'rate_limited':
      return `Slack is rate limiting the app (${method}); space out messages or raise NOTIFY_TIMEOUT`;
    case 'cant_update_message':
    case 'cant_delete_message':
      return `message ${ts} in ${channel} was not posted by this app, so notify cannot change it (${method}); check NOTIFY_SLACK_TS`;
    case 'message_not_found':
    case 'thread_not_found':
      return `message ${ts} was not found in ${channel} (${method}): it was deleted, or NOTIFY_SLACK_TS or NOTIFY_CHANNEL is wrong`;
    case 'restricted_action':
    case 'action_prohibited':
      return `a workspace admin has restricted posting to ${channel} (${method})`;
    case 'msg_too_long':
    case 'invalid_blocks':
    case 'invalid_blocks_format':
    case 'invalid_metadata_format':
    case 'invalid_metadata_schema':
    case 'no_text':
    case 'invalid_arguments':
      return `Slack could not take the message (${method}: ${code}); this is a bug in notify, please report it with the --dry-run output`;
    default:
      return `Slack answered ${method} with ${JSON.stringify(code)}`;
  }
}

/** Form fields as Slack's SDKs send them: objects and arrays as JSON, nothing undefined. */
export function formBody(args: Readonly<Record<string, unknown>>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    form.set(
      key,
      typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value),
    );
  }
  return form.toString();
}

function judge(method: string, args: Readonly<Record<string, unknown>>) {
  return (response: HttpResponse, attempts: number): Verdict<Record<string, unknown>> => {
    const { statusCode, body } = response;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const answer =
      parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    const code = typeof answer?.error === 'string' ? answer.error : undefined;
    if (statusCode === 429) {
      const error = new SlackApiError(
        explainApiError(method, 'ratelimited', args),
        method,
        'ratelimited',
        attempts,
      );
      return rateLimited(response, error);
    }
    if (statusCode >= 500) {
      const error = new SlackHttpError(
        `Slack answered ${method} with HTTP ${statusCode}`,
        statusCode,
        body,
        attempts,
      );
      return { kind: 'retry', reason: `HTTP ${statusCode}`, error };
    }
    if (statusCode >= 200 && statusCode < 300 && answer?.ok === true)
      return { kind: 'done', value: answer };
    if (statusCode >= 200 && statusCode < 300 && !response.complete) {
      const error = new SlackHttpError(
        `Slack's answer to ${method} was cut short`,
        statusCode,
        body,
        attempts,
      );
      return { kind: 'retry', reason: 'answer cut short', error };
    }
    if (code) {
      const needed = typeof answer?.needed === 'string' ? answer.needed : undefined;
      const error = new SlackApiError(
        explainApiError(method, code, args, needed),
        method,
        code,
        attempts,
        needed,
      );
      if (TRANSIENT.has(code)) return { kind: 'retry', reason: `${method}: ${code}`, error };
      return { kind: 'fail', error };
    }
    const shown = body.trim() ? `: ${JSON.stringify(body.trim())}` : ' with an empty body';
    return {
      kind: 'fail',
      error: new SlackHttpError(
        `Slack answered ${method} with HTTP ${statusCode}${shown}`,
        statusCode,
        body,
        attempts,
      ),
    };
  };
}

export interface SlackApiOptions {
  /** e.g. https://slack.com/api (NOTIFY_SLACK_API_URL). */
  baseUrl: URL;
  token: string;
  deadline: Deadline;
  env: Env;
  transport: Transport;
  onRetry?: (notice: RetryNotice) => void;
  random?: () => number;
}

export type SlackApi = <T extends object = Record<string, unknown>>(
  method: string,
  args: Readonly<Record<string, unknown>>,
) => Promise<T>;

/**
 * One Web API call, with the headers of the answer that was taken: auth.test's `x-oauth-scopes`
 * names the token's scopes, which no JSON field does.
 */
export async function slackApiCall<T extends object = Record<string, unknown>>(
  options: SlackApiOptions,
  method: string,
  args: Readonly<Record<string, unknown>>,
): Promise<{ value: T; headers: HttpResponse['headers'] }> {
  const base = options.baseUrl.href.replace(/\/+$/, '');
  const read = judge(method, args);
  let headers: HttpResponse['headers'] = {};
  const { value } = await exchange({
    url: new URL(`${base}/${method}`),
    body: formBody(args),
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `Bearer ${options.token}`,
      'user-agent': 'notify',
    },
    deadline: options.deadline,
    env: options.env,
    transport: options.transport,
    // The last answer judged is the one returned: a retried call keeps its final headers.
    judge: (response, attempts) => {
      headers = response.headers;
      return read(response, attempts);
    },
    bodyLimit: BODY_LIMIT,
    okBodyGraceMs: OK_BODY_GRACE_MS,
    onRetry: options.onRetry,
    random: options.random,
  });
  return { value: value as T, headers };
}

/** A caller of Web API methods: each call's answer (`ok: true`), or a SlackApiError. */
export function slackApi(options: SlackApiOptions): SlackApi {
  return async <T extends object>(method: string, args: Readonly<Record<string, unknown>>) =>
    (await slackApiCall<T>(options, method, args)).value;
}
