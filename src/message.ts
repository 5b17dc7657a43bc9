// CiContext + settings -> Slack payload (Block Kit with a plain-text fallback). Pure: reads no
// environment, does no I/O, so every message is a table-testable function of its inputs.
import type { CiContext } from './context.ts';
import { envLabel, type EnvironmentSettings } from './environment.ts';
import { runtimeLogsUrl, type LogsSettings } from './links.ts';
import type { Mention, Trend } from './mentions.ts';
import type { Status } from './status.ts';
import { joinWithin, link, mrkdwn, safeUrl, SECTION_LIMIT } from './text.ts';

/**
 * What to announce. `scope: 'pipeline'` is for a job that only notifies (a `.pre` or `.post`
 * job): it speaks of the pipeline and links it, and does not name itself as the job.
 */
export type Scope = 'job' | 'pipeline';
export type Event =
  | { kind: 'start'; scope?: Scope }
  | {
      kind: 'finish';
      status: Status;
      scope?: Scope;
      /** `1m 12s`, when known. */ duration?: string;
      /** How it compares with the previous pipeline of the same ref, when that is known. */
      trend?: Trend;
    };

export interface MessageSettings {
  environment: EnvironmentSettings;
  logs: LogsSettings;
}

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

// Budgets for single untrusted values, counted after escaping; together they keep every
// section well inside Slack's 3,000 characters.
const NAME_MAX = 100;
const TITLE_MAX = 300;

export function statusEmoji(event: Event): string {
  if (event.kind === 'start') return ':rocket:';
  switch (event.status) {
    case 'success':
      return ':white_check_mark:';
    case 'failed':
      return ':x:';
    case 'canceled':
      return ':no_entry_sign:';
    case 'timedout':
      return ':hourglass:';
    case 'aborted':
      return ':octagonal_sign:';
    case 'unknown':
      return ':grey_question:';
  }
}

/** What happened, as the verb phrase after `<repo> <env> pipeline`. */
export function outcome(event: Event): string {
  if (event.kind === 'start') return 'is started';
  switch (event.status) {
    case 'success':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'was canceled';
    case 'timedout':
      return 'timed out';
    case 'aborted':
      return 'was aborted';
    case 'unknown':
      return 'finished with an unknown status';
  }
}

export type Emphasis = (escaped: string) => string;
export const bold: Emphasis = (s) => `*${s}*`;
export const plain: Emphasis = (s) => s;

/**
 * Who speaks: a job speaks of itself (`chat-server production job build is started by jiyoung`);
 * only a job that notifies for the pipeline (`--scope pipeline`), or a run outside CI that names
 * no job, speaks for the pipeline (`chat-server production pipeline is started by jiyoung`). A job
 * that succeeded has not made the pipeline succeed.
 */
export function speaksForPipeline(ctx: CiContext, event: Event): boolean {
  return event.scope === 'pipeline' || !ctx.job.name;
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
  if (event.kind === 'finish' && event.trend) return trendHeadline(ctx, label, event, em);
  const job = speaksForPipeline(ctx, event) ? undefined : emphasised(ctx.job.name, em);
  const words = [subject(ctx, label, job, em), outcome(event)];
  const who = emphasised(ctx.user, em);
  if (event.kind === 'start' && who) words.push('by', who);
  if (event.kind === 'finish' && event.duration)
    words.push(`in ${mrkdwn(event.duration, NAME_MAX)}`);
  if (event.kind === 'finish' && event.status !== 'success' && job) {
    const stage = emphasised(ctx.job.stage, em);
    if (stage) words.push(`at stage ${stage}`);
  }
  return words.join(' ');
}

/**
 * `chat-server production is fixed by jiyoung (pipeline succeeded in 5m 2s)`, `… is broken:
 * pipeline #1236 failed in 3m 1s`, `… is still failing: …`: what changed since the last pipeline
 * of the same ref, first.
 */
function trendHeadline(
  ctx: CiContext,
  label: string | undefined,
  event: Extract<Event, { kind: 'finish' }>,
  em: Emphasis,
): string {
  const what = subject(ctx, label, undefined, em).replace(/ pipeline$/, '');
  const pipeline = ctx.pipeline.id ? `pipeline #${mrkdwn(ctx.pipeline.id, NAME_MAX)}` : 'pipeline';
  const took = event.duration ? ` in ${mrkdwn(event.duration, NAME_MAX)}` : '';
  if (event.trend === 'fixed') {
    const who = emphasised(ctx.user, em);
    return `${what} is fixed${who ? ` by ${who}` : ''} (${pipeline} ${outcome(event)}${took})`;
  }
  return `${what} is ${event.trend}: ${pipeline} ${outcome(event)}${took}`;
}

/** An untrusted name, escaped and emphasised; undefined when nothing of it is left. */
function emphasised(raw: string | undefined, em: Emphasis): string | undefined {
  // A value that is nothing but control characters escapes to '' and is left out like a missing one.
  const text = raw ? mrkdwn(raw, NAME_MAX) : '';
  return text ? em(text) : undefined;
}

/**
 * `chat-server v5.3.25 production pipeline`, or `… job deploy` for a job that speaks of itself.
 */
export function subject(
  ctx: CiContext,
  label: string | undefined,
  job: string | undefined,
  em: Emphasis,
): string {
  return [
    emphasised(ctx.project.name ?? ctx.project.path, em),
    // A tag pipeline's label is often the tag itself: said once.
    ctx.version === label ? undefined : emphasised(ctx.version, em),
    emphasised(label, em),
    job ? `job ${job}` : 'pipeline',
  ]
    .filter((word) => word !== undefined)
    .join(' ');
}

/** The plain-text fallback shown in notifications and by clients that cannot draw blocks. */
export function fallbackText(ctx: CiContext, label: string | undefined, event: Event): string {
  return `${statusEmoji(event)} ${headline(ctx, label, event, plain)}`;
}

/** Ref, commit, merge request, job and pipeline: small print under the headline. */
export function details(ctx: CiContext, event: Event): string[] {
  const out: string[] = [];
  // GitLab sets CI_DEPLOY_FREEZE during a freeze period: a deploy starting then is news.
  if (event.kind === 'start' && ctx.deployFreeze)
    out.push(':snowflake: A deploy freeze is in effect');
  if (ctx.ref.name)
    out.push(`${ctx.ref.isTag ? 'Tag' : 'Branch'} ${mrkdwn(ctx.ref.name, NAME_MAX)}`);
  const sha = ctx.commit.shortSha ?? ctx.commit.sha?.slice(0, 8);
  if (sha) {
    const title = ctx.commit.title ? ` ${mrkdwn(ctx.commit.title, TITLE_MAX)}` : '';
    const author = ctx.commit.author ? ` (${mrkdwn(ctx.commit.author, NAME_MAX)})` : '';
    out.push(`${link(ctx.commit.url, mrkdwn(sha, NAME_MAX))}${title}${author}`);
  }
  const change = ctx.change;
  if (change) {
    const ref = change.kind === 'merge_request' ? `!${change.number}` : `#${change.number}`;
    const title = change.title ? ` ${mrkdwn(change.title, TITLE_MAX)}` : '';
    const author = change.author
      ? ` by ${link(change.authorUrl, mrkdwn(change.author, NAME_MAX))}`
      : '';
    out.push(`${link(change.url, `${mrkdwn(ref, NAME_MAX)}${title}`)}${author}`);
  }
  if (ctx.job.name && event.scope !== 'pipeline') {
    out.push(`Job ${link(ctx.job.url, mrkdwn(ctx.job.name, NAME_MAX))}`);
  }
  if (ctx.pipeline.url || ctx.pipeline.id) {
    const label = ctx.pipeline.id ? `Pipeline #${mrkdwn(ctx.pipeline.id, NAME_MAX)}` : 'Pipeline';
    out.push(link(ctx.pipeline.url, label));
  }
  if (event.kind === 'finish' && ctx.user)
    out.push(`Started by ${link(ctx.userUrl, mrkdwn(ctx.user, NAME_MAX))}`);
  return out;
}

/** The links a reader acts on: the deploy on success, the job otherwise, and the logs. */
export function actions(
  ctx: CiContext,
  label: string | undefined,
  event: Event,
  logsUrl?: string,
): string[] {
  const candidates: Array<[url: string | undefined, label: string]> = [];
  if (event.kind === 'finish' && event.status === 'success') {
    // An environment URL that cannot be linked falls back to the project.
    const envUrl = safeUrl(ctx.environment.url) ? ctx.environment.url : undefined;
    const env = envUrl && label ? mrkdwn(label, NAME_MAX) : undefined;
    candidates.push([envUrl ?? ctx.project.url, `Open ${env || 'project'}`]);
  } else if (event.kind === 'finish' && event.scope === 'pipeline') {
    candidates.push([ctx.pipeline.url, 'View pipeline']);
  } else if (event.kind === 'finish') {
    candidates.push([ctx.job.url, event.status === 'failed' ? 'View failed job' : 'View job']);
  }
  candidates.push([logsUrl, 'View runtime logs']);
  return candidates.filter(([url]) => safeUrl(url)).map(([url, text]) => link(url, text));
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
      return mrkdwn(mention.name, NAME_MAX);
  }
}

/** `cc <@U0123> <!subteam^S0456>`, or nothing. */
export function mentionLine(mentions: readonly Mention[] | undefined): string | undefined {
  const said = (mentions ?? []).map(slackMention).filter(Boolean);
  return said.length ? `cc ${said.join(' ')}` : undefined;
}

export function buildMessage(
  ctx: CiContext,
  event: Event,
  settings: MessageSettings,
  mentions?: readonly Mention[],
): SlackPayload {
  const label = envLabel(ctx, settings.environment);
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwnText(`${statusEmoji(event)} ${headline(ctx, label, event, bold)}`),
    },
  ];
  const cc = mentionLine(mentions);
  if (cc) blocks.push({ type: 'section', text: mrkdwnText(cc) });
  const small = details(ctx, event);
  if (small.length) {
    blocks.push({ type: 'context', elements: small.map(mrkdwnText) });
  }
  const links = joinWithin(
    actions(ctx, label, event, runtimeLogsUrl(ctx, label, settings.logs)),
    '  •  ',
    SECTION_LIMIT,
  );
  if (links) blocks.push({ type: 'section', text: mrkdwnText(links) });
  return {
    // In the notification's text too: that is where a mention reaches a phone.
    text: `${fallbackText(ctx, label, event)}${cc ? ` ${cc}` : ''}`,
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}
