// A pipeline's jobs in Slack: the real failures first and linked, then every other job by stage,
// one line each, in sections within Slack's limits whatever the pipeline's size: jobs that do
// not fit are counted, and the payload is never one Slack would refuse.
import { formatDuration } from '../board.ts';
import {
  isAllowedFailure,
  JOB_NOTE,
  type JobOutcome,
  type PipelineJob,
  type Summary,
} from '../summary.ts';
import { link, mrkdwn, SECTION_LIMIT } from '../text.ts';

const NAME_MAX = 100;
/** Sections of job lines at most: with the rest, well inside Slack's 50 blocks per message. */
const JOB_SECTIONS = 8;
/** Room kept in the last section for the line that counts the jobs left out. */
const MORE_ROOM = 60;

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

export function jobEmoji(job: PipelineJob): string {
  return isAllowedFailure(job) ? ':warning:' : JOB_EMOJI[job.status];
}

/** `✅ <url|compile>  1m 12s`, `⚠️ lint  10s  (allowed to fail)`, `✋ deploy  manual`. */
export function jobLine(job: PipelineJob, withStage = false): string {
  const parts = [`${jobEmoji(job)} ${link(job.url, mrkdwn(job.name, NAME_MAX))}`];
  if (withStage && job.stage) parts.push(`at stage ${mrkdwn(job.stage, NAME_MAX)}`);
  if (job.durationMs !== undefined) parts.push(formatDuration(job.durationMs));
  const note = JOB_NOTE[job.status];
  if (note) parts.push(note);
  if (isAllowedFailure(job)) parts.push('(allowed to fail)');
  if (job.downstream) parts.push('(downstream pipeline)');
  return parts.join('  ');
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

/** Every job's line, in sections Slack takes: the failures first, then each stage's. */
export function summarySections(summary: Summary): string[] {
  return packLines(summaryLines(summary), JOB_SECTIONS);
}
