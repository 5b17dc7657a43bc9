// The pipeline's summary as one Slack message: the result and how long it took, the real
// failures first and linked, then every other job by stage, then the small print and links.
// Within Slack's limits whatever the pipeline's size: jobs that do not fit are counted, and the
// payload is never one Slack would refuse. Pure, like message.ts, whose pieces it uses.
import { formatDuration } from './board.ts';
import type { CiContext } from './context.ts';
import { envLabel } from './environment.ts';
import { runtimeLogsUrl } from './links.ts';
import {
  actions,
  bold,
  details,
  fallbackText,
  headline,
  mentionLine,
  mrkdwnText,
  statusEmoji,
  type Block,
  type Event,
  type MessageSettings,
  type SlackPayload,
} from './message.ts';
import type { Mention, Trend } from './mentions.ts';
import type { JobOutcome, PipelineJob, Summary } from './summary.ts';
import { isAllowedFailure } from './summary.ts';
import { joinWithin, link, mrkdwn, safeUrl, SECTION_LIMIT } from './text.ts';

const NAME_MAX = 100;
/** Sections of job lines at most: with the rest, well inside Slack's 50 blocks per message. */
const JOB_SECTIONS = 8;
/** Room kept in the last section for the line that counts the jobs left out. */
const MORE_ROOM = 60;
/** Failed jobs named in the notification's text; the rest are counted. */
const FAILED_NAMED = 5;

const JOB_EMOJI: Readonly<Record<JobOutcome, string>> = {
  success: ':white_check_mark:',
  failed: ':x:',
  canceled: ':no_entry_sign:',
  timedout: ':hourglass:',
  skipped: ':heavy_minus_sign:',
  manual: ':hand:',
  running: ':hourglass_flowing_sand:',
  pending: ':clock3:',
};

/** What a line says besides the name and duration: the states that are not plain outcomes. */
const NOTE: Partial<Record<JobOutcome, string>> = {
  skipped: 'skipped',
  manual: 'manual',
  running: 'running',
  pending: 'pending',
  canceled: 'canceled',
  timedout: 'timed out',
};

export function jobEmoji(job: PipelineJob): string {
  return isAllowedFailure(job) ? ':warning:' : JOB_EMOJI[job.status];
}

/** `✅ <url|compile>  1m 12s`, `⚠️ lint  10s  (allowed to fail)`, `✋ deploy  manual`. */
export function jobLine(job: PipelineJob, withStage = false): string {
  const parts = [`${jobEmoji(job)} ${link(job.url, mrkdwn(job.name, NAME_MAX))}`];
  if (withStage && job.stage) parts.push(`at stage ${mrkdwn(job.stage, NAME_MAX)}`);
  if (job.durationMs !== undefined) parts.push(formatDuration(job.durationMs));
  const note = NOTE[job.status];
  if (note) parts.push(note);
  if (isAllowedFailure(job)) parts.push('(allowed to fail)');
  if (job.downstream) parts.push('(downstream pipeline)');
  return parts.join('  ');
}

/** `7 jobs: 4 passed, 1 failed, 1 allowed to fail, 1 manual`. */
export function countsLine(summary: Summary): string {
  const jobs = [...summary.failed, ...summary.stages.flatMap((stage) => stage.jobs)];
  const count = (test: (job: PipelineJob) => boolean) => jobs.filter(test).length;
  const parts: Array<[number, string]> = [
    [count((job) => job.status === 'success'), 'passed'],
    [summary.failed.length, 'failed'],
    [summary.allowedFailures, 'allowed to fail'],
    [count((job) => job.status === 'canceled'), 'canceled'],
    [count((job) => job.status === 'skipped'), 'skipped'],
    [count((job) => job.status === 'manual'), 'manual'],
    [count((job) => job.status === 'running' || job.status === 'pending'), 'not finished'],
  ];
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  const total = `${summary.total}${summary.more ? '+' : ''} job${summary.total === 1 ? '' : 's'}`;
  return said.length ? `${total}: ${said.join(', ')}` : total;
}

/**
 * Lines packed into sections of at most Slack's section length, at most `maxSections` of them;
 * what does not fit is counted in a last line.
 */
export function packLines(lines: readonly string[], maxSections: number): string[] {
  const sections: string[] = [];
  let current = '';
  for (const [i, line] of lines.entries()) {
    const last = sections.length === maxSections - 1;
    const room = SECTION_LIMIT - (last ? MORE_ROOM : 0);
    const next = current ? `${current}\n${line}` : line;
    if (next.length <= room) {
      current = next;
      continue;
    }
    if (last || !current) {
      const left = lines.length - i;
      const more = `…and ${left} more`;
      sections.push(current ? `${current}\n${more}` : more);
      return sections;
    }
    sections.push(current);
    current = line.length <= SECTION_LIMIT ? line : line.slice(0, SECTION_LIMIT);
  }
  if (current) sections.push(current);
  return sections;
}

/** The failures, then every stage's jobs under its name: one line each. */
export function summaryLines(summary: Summary): string[] {
  const lines: string[] = [];
  if (summary.failed.length) {
    lines.push('*Failed*');
    for (const job of summary.failed) lines.push(jobLine(job, true));
  }
  const named = summary.stages.some((stage) => stage.name !== undefined);
  for (const stage of summary.stages) {
    if (named) lines.push(`*${stage.name === undefined ? 'other' : mrkdwn(stage.name, NAME_MAX)}*`);
    for (const job of stage.jobs) lines.push(jobLine(job));
  }
  return lines;
}

/** `: deploy, smoke failed` for the notification's text; a long list is cut and counted. */
function failedNames(failed: readonly PipelineJob[]): string {
  if (!failed.length) return '';
  const shown = failed.slice(0, FAILED_NAMED).map((job) => mrkdwn(job.name, NAME_MAX));
  const more = failed.length > FAILED_NAMED ? ` and ${failed.length - FAILED_NAMED} more` : '';
  return `: ${shown.join(', ')}${more} failed`;
}

export function buildSummaryMessage(
  ctx: CiContext,
  summary: Summary,
  settings: MessageSettings,
  extra: { mentions?: readonly Mention[]; trend?: Trend } = {},
): SlackPayload {
  const label = envLabel(ctx, settings.environment);
  const event: Event = {
    kind: 'finish',
    status: summary.result,
    scope: 'pipeline',
    ...(extra.trend ? { trend: extra.trend } : {}),
    ...(summary.durationMs !== undefined ? { duration: formatDuration(summary.durationMs) } : {}),
  };
  const warned =
    summary.allowedFailures && summary.result === 'success'
      ? ` with ${summary.allowedFailures} allowed failure${summary.allowedFailures === 1 ? '' : 's'}`
      : '';
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwnText(`${statusEmoji(event)} ${headline(ctx, label, event, bold)}${warned}`),
    },
  ];
  const cc = mentionLine(extra.mentions);
  if (cc) blocks.push({ type: 'section', text: mrkdwnText(cc) });
  for (const text of packLines(summaryLines(summary), JOB_SECTIONS)) {
    blocks.push({ type: 'section', text: mrkdwnText(text) });
  }
  const small = [countsLine(summary), ...details(ctx, event)];
  blocks.push({ type: 'context', elements: small.map(mrkdwnText) });
  const failedUrl = summary.failed.map((job) => job.url).find((url) => safeUrl(url));
  const links = joinWithin(
    [
      ...(failedUrl ? [link(failedUrl, 'View failed job')] : []),
      ...actions(ctx, label, event, runtimeLogsUrl(ctx, label, settings.logs)),
    ],
    '  •  ',
    SECTION_LIMIT,
  );
  if (links) blocks.push({ type: 'section', text: mrkdwnText(links) });
  return {
    text: `${fallbackText(ctx, label, event)}${warned}${failedNames(summary.failed)}${cc ? ` ${cc}` : ''}`,
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}
