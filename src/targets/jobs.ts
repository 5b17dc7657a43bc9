// A pipeline's jobs for the chat tools that show emoji as characters (all but Slack, whose
// summary is slack-summary.ts): a job's line as pieces, the jobs in groups (the real failures,
// then each stage), and as many lines as a payload's limits take.
import { formatDuration } from '../board.ts';
import type { Piece } from '../report.ts';
import {
  JOB_NOTE,
  isAllowedFailure,
  type JobOutcome,
  type PipelineJob,
  type Summary,
} from '../summary.ts';

const JOB_EMOJI: Readonly<Record<JobOutcome, string>> = {
  success: '✅',
  failed: '❌',
  canceled: '🚫',
  timedout: '⌛',
  skipped: '➖',
  manual: '✋',
  running: '⏳',
  pending: '🕒',
};

/** `✅ [compile](url) · 1m 12s`, `⚠️ lint · 10s · allowed to fail`, `❌ deploy at stage deploy`. */
export function jobPieces(job: PipelineJob, withStage = false): Piece[] {
  const emoji = isAllowedFailure(job) ? '⚠️' : JOB_EMOJI[job.status];
  const pieces: Piece[] = [`${emoji} `, { link: job.url, label: [{ value: job.name }] }];
  if (withStage && job.stage) pieces.push(' at stage ', { value: job.stage });
  if (job.durationMs !== undefined) pieces.push(` · ${formatDuration(job.durationMs)}`);
  const note = JOB_NOTE[job.status];
  if (note) pieces.push(` · ${note}`);
  if (isAllowedFailure(job)) pieces.push(' · allowed to fail');
  if (job.downstream) pieces.push(' · downstream pipeline');
  return pieces;
}

export interface JobGroup {
  /**
   * `Failed`, a stage's name as the target writes it, or `other` for the jobs of no stage;
   * undefined when no stage has a name.
   */
  title?: string;
  jobs: readonly PipelineJob[];
  /** A failure is not under its stage: its line names it. */
  withStage: boolean;
}

/** The real failures first, then every stage's jobs; `stageTitle` writes a stage's name. */
export function jobGroups(summary: Summary, stageTitle: (name: string) => string): JobGroup[] {
  const groups: JobGroup[] = [];
  if (summary.failed.length)
    groups.push({ title: 'Failed', jobs: summary.failed, withStage: true });
  const named = summary.stages.some((stage) => stage.name !== undefined);
  for (const stage of summary.stages) {
    if (!stage.jobs.length) continue;
    const title = !named ? undefined : stage.name === undefined ? 'other' : stageTitle(stage.name);
    groups.push({ ...(title !== undefined ? { title } : {}), jobs: stage.jobs, withStage: false });
  }
  return groups;
}

/** How much of a report a payload carries: everything, facts without their links, or neither. */
export type Detail = 'full' | 'unlinked' | 'headline';

/** The job lines a payload shows, under their groups' titles, and how many it leaves out. */
export interface ShownJobs {
  groups: Array<{ title?: string; lines: string[] }>;
  more: number;
}

/** The first `shown` lines, in the groups they are in. */
function firstLines(groups: ShownJobs['groups'], shown: number): ShownJobs {
  const out: ShownJobs['groups'] = [];
  let left = shown;
  let total = 0;
  for (const group of groups) {
    total += group.lines.length;
    if (left <= 0) continue;
    const lines = group.lines.slice(0, left);
    left -= lines.length;
    out.push({ ...group, lines });
  }
  return { groups: out, more: Math.max(0, total - shown) };
}

/**
 * The payload with the most of the summary's job lines (up to `max`, each written by `line`)
 * that `fits`: with the small print linked if the payload fits so even without jobs, else
 * unlinked, else the headline alone.
 */
export function mostJobsThatFit<T>(
  summary: Summary | undefined,
  how: {
    max: number;
    stageTitle: (name: string) => string;
    line: (pieces: Piece[]) => string;
  },
  payload: (jobs: ShownJobs, detail: Detail) => T,
  fits: (payload: T) => boolean,
): T {
  const groups = (summary ? jobGroups(summary, how.stageTitle) : []).map((group) => ({
    ...(group.title !== undefined ? { title: group.title } : {}),
    lines: group.jobs.map((job) => how.line(jobPieces(job, group.withStage))),
  }));
  const lines = Math.min(
    how.max,
    groups.reduce((n, group) => n + group.lines.length, 0),
  );
  const shown = (count: number, detail: Detail) => payload(firstLines(groups, count), detail);
  for (const detail of ['full', 'unlinked'] as const) {
    if (!fits(shown(0, detail))) continue;
    // The size grows with every line: the most that fit, in a few tries.
    let low = 0;
    let high = lines;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(shown(mid, detail))) low = mid;
      else high = mid - 1;
    }
    return shown(low, detail);
  }
  return shown(0, 'headline');
}
