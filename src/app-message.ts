// What Slack app mode shows: the pipeline's message (headline, board, small print, links) and a
// job's reply in its thread. Pure, like message.ts, whose pieces it uses.
import { between, formatDuration, type Board, type JobFact, type JobState } from './board.ts';
import type { CiContext } from './context.ts';
import type { Trend } from './mentions.ts';
import {
  bold,
  details,
  headline,
  mrkdwnText,
  plain,
  statusEmoji,
  outcome,
  subject,
  type Block,
  type Emphasis,
} from './targets/slack.ts';
import { joinWithin, link, mrkdwn, SECTION_LIMIT } from './text.ts';

export interface Drawn {
  text: string;
  blocks: Block[];
}

const NAME_MAX = 100;
// Room left in the board's section for the line that says how many jobs did not fit.
const MORE_ROOM = 40;

export function stateEmoji(state: JobState): string {
  return state === 'running'
    ? ':hourglass_flowing_sand:'
    : statusEmoji({ kind: 'finish', status: state });
}

/** `✅ build-image 1m 12s`: one job's line on the board. */
export function boardLine(job: JobFact): string {
  const took = job.state === 'running' ? undefined : between(job.startedAt, job.finishedAt);
  const name = link(job.url, mrkdwn(job.name, NAME_MAX));
  return `${stateEmoji(job.state)} ${name}${took ? `  ${took}` : ''}`;
}

/** Every job's line, as many as fit in one section, then how many more there are. */
export function boardText(jobs: readonly JobFact[]): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, job] of jobs.entries()) {
    const line = boardLine(job);
    if (length + line.length + 1 > SECTION_LIMIT - MORE_ROOM) {
      lines.push(`…and ${jobs.length - i} more`);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

function pipelineHeadline(
  ctx: CiContext,
  label: string | undefined,
  board: Board,
  nowMs: number,
  em: Emphasis,
  trend?: Trend,
) {
  const pipeline = subject(ctx, label, undefined, em);
  const took = () => {
    const started = ctx.pipeline.startedAt ? Date.parse(ctx.pipeline.startedAt) : NaN;
    const ended = board.end?.finishedAt ? Date.parse(board.end.finishedAt) : nowMs;
    return Number.isFinite(started) && ended >= started
      ? ` in ${formatDuration(ended - started)}`
      : '';
  };
  if (board.end) {
    const event = { kind: 'finish', status: board.end.status, scope: 'pipeline' } as const;
    if (trend) {
      const span = between(ctx.pipeline.startedAt, board.end.finishedAt);
      const told = { ...event, trend, ...(span ? { duration: span } : {}) };
      return `${statusEmoji(event)} ${headline(ctx, label, told, em)}`;
    }
    return `${statusEmoji(event)} ${pipeline} ${outcome(event)}${took()}`;
  }
  const failed = board.jobs.filter((job) => job.state === 'failed' || job.state === 'timedout');
  if (failed.length) {
    const names = failed.map((job) => em(mrkdwn(job.name, NAME_MAX))).join(', ');
    return `:x: ${pipeline} is failing: ${names} failed`;
  }
  const who = ctx.user ? ` by ${em(mrkdwn(ctx.user, NAME_MAX))}` : '';
  return `:rocket: ${pipeline} is started${who}`;
}

/** The pipeline's message: what the pipeline is doing, every job's line, where to look. */
export function drawParent(
  ctx: CiContext,
  label: string | undefined,
  board: Board,
  logsUrl: string | undefined,
  nowMs: number,
  trend?: Trend,
): Drawn {
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwnText(pipelineHeadline(ctx, label, board, nowMs, bold, trend)),
    },
  ];
  if (board.jobs.length) blocks.push({ type: 'section', text: mrkdwnText(boardText(board.jobs)) });
  const small = details(ctx, { kind: 'start', scope: 'pipeline' });
  if (small.length) blocks.push({ type: 'context', elements: small.map(mrkdwnText) });
  const links = joinWithin(
    [
      ...(ctx.pipeline.url ? [link(ctx.pipeline.url, 'View pipeline')] : []),
      ...(logsUrl ? [link(logsUrl, 'View runtime logs')] : []),
    ].filter((text) => text.startsWith('<')),
    '  •  ',
    SECTION_LIMIT,
  );
  if (links) blocks.push({ type: 'section', text: mrkdwnText(links) });
  return { text: pipelineHeadline(ctx, label, board, nowMs, plain, trend), blocks };
}
