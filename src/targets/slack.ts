// Slack: a Report as Block Kit with a plain-text fallback, in mrkdwn (only &, < and > are
// control characters there; with them escaped, nothing a committer writes can become a link or a
// `<!channel>`). Also what Slack's incoming webhooks answer. Pure but for nothing: no I/O here.
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
import type { CiContext } from '../context.ts';
import { SlackHttpError } from '../errors.ts';
import { rateLimited, type Verdict } from '../http.ts';
import type { Mention, Trend } from '../mentions.ts';
import type { Summary } from '../summary.ts';
import type { HttpResponse } from '../platform/types.ts';
import {
  buildReport,
  buildSummaryReport,
  factPieces,
  headlinePieces,
  linkPieces,
  outcome,
  subjectPieces,
  type Event,
  type MessageSettings,
  type Piece,
  type Report,
  type Tone,
} from '../report.ts';
import { joinWithin, link, mrkdwn, safeUrl, SECTION_LIMIT, TEXT_LIMIT } from '../text.ts';
import { renderPieces, type Syntax } from './pieces.ts';
import { summarySections } from './slack-summary.ts';
import type { Delivered, Target } from './types.ts';

export { outcome };

export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  /** Always true: Slack must not turn bare URLs, #channels or @mentions in the text into links. */
  verbatim: true;
}
export type Block =
  { type: 'section'; text: MrkdwnText } | { type: 'context'; elements: MrkdwnText[] };

export interface SlackPayload {
  text: string;
  blocks: Block[];
  unfurl_links: false;
  unfurl_media: false;
}

export type Emphasis = (escaped: string) => string;
export const bold: Emphasis = (s) => `*${s}*`;
export const plain: Emphasis = (s) => s;

const syntax = (em: Emphasis): Syntax => ({
  escape: (raw, max) => mrkdwn(raw, max),
  strong: em,
  link: (url, label) => link(url, label),
});

/** Pieces in mrkdwn, names emphasised by `em`. */
export const mrkdwnOf = (pieces: readonly Piece[], em: Emphasis = plain) =>
  renderPieces(pieces, syntax(em));

const TONE_EMOJI: Readonly<Record<Tone, string>> = {
  start: ':rocket:',
  success: ':white_check_mark:',
  failed: ':x:',
  canceled: ':no_entry_sign:',
  timedout: ':hourglass:',
  aborted: ':octagonal_sign:',
  unknown: ':grey_question:',
};

export const toneEmoji = (tone: Tone): string => TONE_EMOJI[tone];

export function statusEmoji(event: Event): string {
  return toneEmoji(event.kind === 'start' ? 'start' : event.status);
}

/**
 * `chat-server production pipeline is started by jiyoung`, `chat-server production job deploy
 * failed at stage deploy`. Missing facts are left out, not invented.
 */
export function headline(
  ctx: CiContext,
  label: string | undefined,
  event: Event,
  em: Emphasis,
): string {
  return mrkdwnOf(headlinePieces(ctx, label, event), em);
}

/** `chat-server v5.3.25 production pipeline`, or `… job deploy` for a job that speaks of itself. */
export function subject(
  ctx: CiContext,
  label: string | undefined,
  job: string | undefined,
  em: Emphasis,
): string {
  return mrkdwnOf(subjectPieces(ctx, label, job), em);
}

/** The plain-text fallback shown in notifications and by clients that cannot draw blocks. */
export function fallbackText(ctx: CiContext, label: string | undefined, event: Event): string {
  return `${statusEmoji(event)} ${headline(ctx, label, event, plain)}`;
}

/** Ref, commit, merge request, job and pipeline: small print under the headline. */
export function details(ctx: CiContext, event: Event): string[] {
  return factPieces(ctx, event).map((fact) => mrkdwnOf(fact));
}

/** The links a reader acts on: the deploy on success, the job otherwise, and the logs. */
export function actions(
  ctx: CiContext,
  label: string | undefined,
  event: Event,
  logsUrl?: string,
): string[] {
  return linksOf(linkPieces(ctx, label, event, logsUrl));
}

function linksOf(links: ReadonlyArray<{ url: string | undefined; label: Piece[] }>): string[] {
  return links
    .filter(({ url }) => safeUrl(url))
    .map(({ url, label }) => link(url, mrkdwnOf(label)));
}

export const mrkdwnText = (text: string): MrkdwnText => ({ type: 'mrkdwn', text, verbatim: true });

/**
 * A mention in Slack's syntax. Only these are ever written unescaped: ids the job's settings or
 * Slack itself gave, checked by their shape; a name is text.
 */
export function slackMention(mention: Mention): string {
  switch (mention.kind) {
    case 'user':
      return `<@${mention.id}>`;
    case 'group':
      return `<!subteam^${mention.id}>`;
    case 'here':
      return '<!here>';
    case 'channel':
      return '<!channel>';
    case 'name':
      return mrkdwn(mention.name, 100);
  }
}

/** `cc <@U0123> <!subteam^S0456>`, or nothing. */
export function mentionLine(mentions: readonly Mention[] | undefined): string | undefined {
  const said = (mentions ?? []).map(slackMention).filter(Boolean);
  return said.length ? `cc ${said.join(' ')}` : undefined;
}

/** The message for an event: the report, in Slack's syntax. */
export function buildMessage(
  ctx: CiContext,
  event: Event,
  settings: MessageSettings,
  mentions?: readonly Mention[],
): SlackPayload {
  return renderSlack(buildReport(ctx, event, settings, mentions ? { mentions } : {}));
}

/** The pipeline's summary: a `--scope pipeline` finish that read every job. */
export function buildSummaryMessage(
  ctx: CiContext,
  summary: Summary,
  settings: MessageSettings,
  extra: { mentions?: readonly Mention[]; trend?: Trend } = {},
): SlackPayload {
  return renderSlack(buildSummaryReport(ctx, summary, settings, extra));
}

/** A Report as Slack's payload: headline, who is called, the jobs, small print, links. */
export function renderSlack(report: Report): SlackPayload {
  const emoji = toneEmoji(report.tone);
  const blocks: Block[] = [
    { type: 'section', text: mrkdwnText(`${emoji} ${mrkdwnOf(report.headline, bold)}`) },
  ];
  const cc = mentionLine(report.mentions);
  if (cc) blocks.push({ type: 'section', text: mrkdwnText(cc) });
  if (report.summary) {
    for (const text of summarySections(report.summary))
      blocks.push({ type: 'section', text: mrkdwnText(text) });
  }
  const small = report.facts.map((fact) => mrkdwnOf(fact));
  if (small.length) blocks.push({ type: 'context', elements: small.map(mrkdwnText) });
  const links = joinWithin(linksOf(report.links), '  •  ', SECTION_LIMIT);
  if (links) blocks.push({ type: 'section', text: mrkdwnText(links) });
  const text = `${emoji} ${mrkdwnOf(report.headline)}${mrkdwnOf(report.headlineTail)}${cc ? ` ${cc}` : ''}`;
  return {
    text: text.length <= TEXT_LIMIT ? text : `${text.slice(0, TEXT_LIMIT - 1)}…`,
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
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
export function judgeWebhook(response: HttpResponse, attempts: number): Verdict<Delivered> {
  const { statusCode, body } = response;
  if (statusCode >= 200 && statusCode < 300) return { kind: 'done', value: {} };
  const error = new SlackHttpError(explainHttp(statusCode, body), statusCode, body, attempts);
  if (statusCode === 429) return rateLimited(response, error);
  if (statusCode >= 500) return { kind: 'retry', reason: `HTTP ${statusCode}`, error };
  return { kind: 'fail', error };
}

/** Slack's incoming webhooks, and the servers that take their payload. */
export const slack: Target = {
  name: 'slack',
  title: 'Slack',
  recognise: (url) =>
    url.hostname === 'hooks.slack.com' || url.hostname.endsWith('.hooks.slack.com')
      ? `the host is ${url.hostname}`
      : undefined,
  render: (report) => renderSlack(report),
  request: (url, payload) => ({ url, method: 'POST', body: JSON.stringify(payload) }),
  judge: judgeWebhook,
};
