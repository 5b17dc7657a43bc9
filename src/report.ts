// What to say, for every chat tool: CiContext + event -> Report. Pure, and knows no chat tool:
// text comes as pieces that say what they are (words of notify's own, names and values from the
// CI, links), and each target (src/targets/) escapes, emphasises, links and cuts them in its own
// syntax and within its own limits.
import type { CiContext } from './context.ts';
import { envLabel, type EnvironmentSettings } from './environment.ts';
import { runtimeLogsUrl, type LogsSettings } from './links.ts';
import type { Mention, Trend } from './mentions.ts';
import type { Status } from './status.ts';
import { countsLine, type PipelineJob, type Summary } from './summary.ts';
import { formatDuration } from './board.ts';

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

/** Budgets, in characters of the target's escaped text, for one untrusted value. */
export const NAME_MAX = 100;
export const TITLE_MAX = 300;

/**
 * A piece of text. A string is notify's own words, safe in every target. `name` is untrusted and
 * emphasised (a project, a job, a user); `value` untrusted and plain (a branch, a title, a
 * duration); each is escaped by the target and cut to `max` characters of its escaped form.
 * `link` is a label linked to a URL the target checks.
 */
export type Piece =
  | string
  | { name: string; max?: number }
  | { value: string; max?: number }
  | { link: string | undefined; label: Piece[] };

export type Tone = 'start' | Status;

export interface ReportLink {
  url: string;
  label: Piece[];
}

export interface Report {
  tone: Tone;
  /** `chat-server production job deploy failed in 1m 2s at stage deploy`. */
  headline: Piece[];
  /** Said after the headline in the notification text only (`: deploy failed`). */
  headlineTail: Piece[];
  /** Who is called, built by notify alone. */
  mentions: Mention[];
  /** Small print: branch, commit, merge request, job, pipeline, who. One line each. */
  facts: Piece[][];
  /** What a reader acts on: the failed job, the deploy, the pipeline, the logs. */
  links: ReportLink[];
  /** The pipeline's jobs, for a summary. */
  summary?: Summary;
  /** Names the pipeline and the job across messages (a thread, an edit), when the CI says. */
  keys: { pipeline?: string; job?: string };
}

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

/**
 * Who speaks: a job speaks of itself (`chat-server production job build is started by jiyoung`);
 * only a job that notifies for the pipeline (`--scope pipeline`), or a run outside CI that names
 * no job, speaks for the pipeline. A job that succeeded has not made the pipeline succeed.
 */
export function speaksForPipeline(ctx: CiContext, event: Event): boolean {
  return event.scope === 'pipeline' || !ctx.job.name;
}

/** Joins word groups with single spaces, leaving out the empty ones. */
function words(...groups: Array<Piece[] | undefined>): Piece[] {
  const out: Piece[] = [];
  for (const group of groups) {
    if (!group?.length) continue;
    if (out.length) out.push(' ');
    out.push(...group);
  }
  return out;
}

const name = (text: string | undefined): Piece[] | undefined =>
  text ? [{ name: text }] : undefined;

/** `chat-server v5.3.25 production pipeline`, or `… job deploy` for a job that speaks of itself. */
export function subjectPieces(
  ctx: CiContext,
  label: string | undefined,
  job: string | undefined,
): Piece[] {
  return words(
    name(ctx.project.name ?? ctx.project.path),
    // A tag pipeline's label is often the tag itself: said once.
    ctx.version === label ? undefined : name(ctx.version),
    name(label),
    job ? ['job ', { name: job }] : ['pipeline'],
  );
}

export function headlinePieces(ctx: CiContext, label: string | undefined, event: Event): Piece[] {
  if (event.kind === 'finish' && event.trend) return trendPieces(ctx, label, event);
  const job = speaksForPipeline(ctx, event) ? undefined : ctx.job.name;
  const parts: Array<Piece[] | undefined> = [subjectPieces(ctx, label, job), [outcome(event)]];
  if (event.kind === 'start' && ctx.user) parts.push(['by'], name(ctx.user));
  if (event.kind === 'finish' && event.duration) parts.push(['in ', { value: event.duration }]);
  if (event.kind === 'finish' && event.status !== 'success' && job && ctx.job.stage)
    parts.push(['at stage ', { name: ctx.job.stage }]);
  return words(...parts);
}

/**
 * `chat-server production is fixed by jiyoung (pipeline #1236 succeeded in 5m 2s)`, `… is
 * broken: pipeline #1236 failed in 3m 1s`, `… is still failing: …`: what changed, first.
 */
function trendPieces(
  ctx: CiContext,
  label: string | undefined,
  event: Extract<Event, { kind: 'finish' }>,
): Piece[] {
  const what = subjectPieces(ctx, label, undefined).slice(0, -2);
  const pipeline: Piece[] = ctx.pipeline.id
    ? ['pipeline #', { value: ctx.pipeline.id }]
    : ['pipeline'];
  const took: Piece[] = event.duration ? [' in ', { value: event.duration }] : [];
  if (event.trend === 'fixed') {
    const who: Piece[] = ctx.user ? [' by ', { name: ctx.user }] : [];
    return [...what, ' is fixed', ...who, ' (', ...pipeline, ` ${outcome(event)}`, ...took, ')'];
  }
  return [...what, ` is ${event.trend}: `, ...pipeline, ` ${outcome(event)}`, ...took];
}

/** The longest URL linked, in the most escaped form a target writes it. */
export const URL_LIMIT = 2000;

/**
 * Whether every target can link this URL: http(s), parseable, and short enough even with `|`,
 * `<`, `>` percent-encoded and `&` written as an entity.
 */
export function linkable(raw: string | undefined): boolean {
  if (!raw) return false;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const escaped = url.href.replace(/[|<>]/g, '%XX').replace(/&/g, '&amp;');
  return escaped.length <= URL_LIMIT;
}

/** Ref, commit, merge request, job and pipeline: small print under the headline. */
export function factPieces(ctx: CiContext, event: Event): Piece[][] {
  const out: Piece[][] = [];
  // GitLab sets CI_DEPLOY_FREEZE during a freeze period: a deploy starting then is news.
  if (event.kind === 'start' && ctx.deployFreeze)
    out.push([':snowflake: A deploy freeze is in effect']);
  if (ctx.ref.name) out.push([ctx.ref.isTag ? 'Tag ' : 'Branch ', { value: ctx.ref.name }]);
  const sha = ctx.commit.shortSha ?? ctx.commit.sha?.slice(0, 8);
  if (sha) {
    const fact: Piece[] = [{ link: ctx.commit.url, label: [{ value: sha }] }];
    if (ctx.commit.title) fact.push(' ', { value: ctx.commit.title, max: TITLE_MAX });
    if (ctx.commit.author) fact.push(' (', { value: ctx.commit.author }, ')');
    out.push(fact);
  }
  const change = ctx.change;
  if (change) {
    const ref = change.kind === 'merge_request' ? `!${change.number}` : `#${change.number}`;
    const label: Piece[] = [{ value: ref }];
    if (change.title) label.push(' ', { value: change.title, max: TITLE_MAX });
    const fact: Piece[] = [{ link: change.url, label }];
    if (change.author)
      fact.push(' by ', { link: change.authorUrl, label: [{ value: change.author }] });
    out.push(fact);
  }
  if (ctx.job.name && event.scope !== 'pipeline')
    out.push(['Job ', { link: ctx.job.url, label: [{ value: ctx.job.name }] }]);
  if (ctx.pipeline.url || ctx.pipeline.id) {
    const label: Piece[] = ctx.pipeline.id
      ? ['Pipeline #', { value: ctx.pipeline.id }]
      : ['Pipeline'];
    out.push([{ link: ctx.pipeline.url, label }]);
  }
  if (event.kind === 'finish' && ctx.user)
    out.push(['Started by ', { link: ctx.userUrl, label: [{ value: ctx.user }] }]);
  return out;
}

/**
 * The links a reader acts on: the deploy on success, the job otherwise, and the logs. URLs are
 * as the CI gave them: a target leaves out any it cannot link safely.
 */
export function linkPieces(
  ctx: CiContext,
  label: string | undefined,
  event: Event,
  logsUrl?: string,
): Array<{ url: string | undefined; label: Piece[] }> {
  const links: Array<{ url: string | undefined; label: Piece[] }> = [];
  if (event.kind === 'finish' && event.status === 'success') {
    // An environment URL that cannot be linked falls back to the project.
    const envUrl = linkable(ctx.environment.url) ? ctx.environment.url : undefined;
    const open: Piece[] = envUrl && label ? ['Open ', { value: label }] : ['Open project'];
    links.push({ url: envUrl ?? ctx.project.url, label: open });
  } else if (event.kind === 'finish' && event.scope === 'pipeline') {
    links.push({ url: ctx.pipeline.url, label: ['View pipeline'] });
  } else if (event.kind === 'finish') {
    links.push({
      url: ctx.job.url,
      label: [event.status === 'failed' ? 'View failed job' : 'View job'],
    });
  }
  links.push({ url: logsUrl, label: ['View runtime logs'] });
  return links;
}

export interface ReportExtras {
  mentions?: readonly Mention[];
  summary?: Summary;
}

export function buildReport(
  ctx: CiContext,
  event: Event,
  settings: MessageSettings,
  extras: ReportExtras = {},
): Report {
  const label = envLabel(ctx, settings.environment);
  return {
    tone: event.kind === 'start' ? 'start' : event.status,
    headline: headlinePieces(ctx, label, event),
    headlineTail: [],
    mentions: [...(extras.mentions ?? [])],
    facts: factPieces(ctx, event),
    links: linkPieces(ctx, label, event, runtimeLogsUrl(ctx, label, settings.logs)).filter(
      (link): link is ReportLink => link.url !== undefined,
    ),
    ...(extras.summary ? { summary: extras.summary } : {}),
    keys: {},
  };
}

/** Failed jobs named in the notification's text; the rest are counted. */
const FAILED_NAMED = 5;

/** `: deploy, smoke failed` for the notification's text; a long list is cut and counted. */
function failedNames(failed: readonly PipelineJob[]): Piece[] {
  if (!failed.length) return [];
  const out: Piece[] = [': '];
  for (const [i, job] of failed.slice(0, FAILED_NAMED).entries()) {
    if (i) out.push(', ');
    out.push({ value: job.name });
  }
  if (failed.length > FAILED_NAMED) out.push(` and ${failed.length - FAILED_NAMED} more`);
  out.push(' failed');
  return out;
}

/**
 * The pipeline's summary: the result and how long it took (with the failures the pipeline
 * allows), the jobs, their counts first in the small print, the failed job's link first.
 */
export function buildSummaryReport(
  ctx: CiContext,
  summary: Summary,
  settings: MessageSettings,
  extras: { mentions?: readonly Mention[]; trend?: Trend } = {},
): Report {
  const event: Event = {
    kind: 'finish',
    status: summary.result,
    scope: 'pipeline',
    ...(summary.durationMs !== undefined ? { duration: formatDuration(summary.durationMs) } : {}),
    ...(extras.trend ? { trend: extras.trend } : {}),
  };
  const report = buildReport(ctx, event, settings, { ...extras, summary });
  const allowed = summary.result === 'success' ? summary.allowedFailures : 0;
  if (allowed) report.headline.push(` with ${allowed} allowed failure${allowed === 1 ? '' : 's'}`);
  const failedUrl = summary.failed.map((job) => job.url).find(linkable);
  return {
    ...report,
    headlineTail: failedNames(summary.failed),
    facts: [[countsLine(summary)], ...report.facts],
    links: [
      ...(failedUrl ? [{ url: failedUrl, label: ['View failed job'] }] : []),
      ...report.links,
    ],
  };
}
