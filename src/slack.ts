// Delivery to a Slack incoming webhook (or a compatible server such as Mattermost).
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
// The request, its deadline and retries are http.ts's; this file reads the webhook's answers.
import type { Env } from './context.ts';
import { SlackHttpError } from './errors.ts';
import { Deadline, exchange, rateLimited, type RetryNotice, type Verdict } from './http.ts';
import type { HttpResponse, Transport } from './platform/types.ts';

const BODY_LIMIT = 4_096;
/** How long a 2xx answer's body may take: the status line already said the message is in. */
const OK_BODY_GRACE_MS = 1_000;

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
  /** How a request is made: the platform's HTTP client. */
  transport: Transport;
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

/** The webhook's answer: 2xx is posted, whatever the body says or how slowly it comes. */
function judgeWebhook(response: HttpResponse, attempts: number): Verdict<number> {
  const { statusCode, body } = response;
  if (statusCode >= 200 && statusCode < 300) return { kind: 'done', value: statusCode };
  const error = new SlackHttpError(explainHttp(statusCode, body), statusCode, body, attempts);
  if (statusCode === 429) return rateLimited(response, error);
  if (statusCode >= 500) return { kind: 'retry', reason: `HTTP ${statusCode}`, error };
  return { kind: 'fail', error };
}

export async function deliver(options: DeliveryOptions): Promise<Delivered> {
  const deadline = new Deadline(options.timeoutMs, options.signal);
  try {
    const { value, attempts } = await exchange({
      url: options.url,
      body: JSON.stringify(options.payload),
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'notify' },
      deadline,
      env: options.env,
      transport: options.transport,
      judge: judgeWebhook,
      bodyLimit: BODY_LIMIT,
      okBodyGraceMs: OK_BODY_GRACE_MS,
      connectTimeoutMs: options.connectTimeoutMs,
      responseTimeoutMs: options.responseTimeoutMs,
      onRetry: options.onRetry,
      random: options.random,
    });
    return { attempts, statusCode: value };
  } finally {
    deadline.dispose();
  }
}
