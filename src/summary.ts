// The whole pipeline at its end: every job once, grouped by stage, the real failures first, and
// the result computed from the jobs (never from the job that runs the summary). Pure, and knows
// no chat tool: a CI's API (ci-api/) or GitHub's `needs` context fills it; message building
// draws it.
import type { Status } from './status.ts';

/** How one job ended, or where it stands, in words every CI's states map onto. */
export type JobOutcome =
  'success' | 'failed' | 'canceled' | 'timedout' | 'skipped' | 'manual' | 'running' | 'pending';

export interface PipelineJob {
  /** The CI's id, where it has one: two tries of a job share a name, never an id. */
  id?: number;
  name: string;
  stage?: string;
  status: JobOutcome;
  /** A failure the pipeline allows (GitLab's `allow_failure`): a warning, not a failure. */
  allowFailure?: boolean;
  durationMs?: number;
  url?: string;
  /** ISO 8601. */
  startedAt?: string;
  /** A trigger job: its line stands for a downstream pipeline. */
  downstream?: boolean;
}

export interface StageGroup {
  name?: string;
  jobs: PipelineJob[];
}

export interface Summary {
  result: Status;
  /** Failures the pipeline allows: shown, and said in the headline, but not a failure. */
  allowedFailures: number;
  /** From the pipeline's start (else its first job's) to now. */
  durationMs?: number;
  /** Failures that fail the pipeline, first and on their own. */
  failed: PipelineJob[];
  /** Every other job, by stage in the pipeline's order. */
  stages: StageGroup[];
  /** Jobs listed; `more` when the CI had more than were read. */
  total: number;
  more: boolean;
  /** Where the jobs came from: durations and links come only from a CI's API. */
  source: 'api' | 'needs';
}

const FAILED: ReadonlySet<JobOutcome> = new Set(['failed', 'timedout']);

/** What a job's line says besides its name and duration: the states that are not outcomes. */
export const JOB_NOTE: Partial<Record<JobOutcome, string>> = {
  skipped: 'skipped',
  manual: 'manual',
  running: 'running',
  pending: 'pending',
  canceled: 'canceled',
  timedout: 'timed out',
};

export const isRealFailure = (job: PipelineJob) => FAILED.has(job.status) && !job.allowFailure;
export const isAllowedFailure = (job: PipelineJob) => FAILED.has(job.status) && !!job.allowFailure;

/**
 * One line per job name, where a CI's names are unique (GitLab's): a retried job counts once, as
 * its last try (the highest id, else the one listed last).
 */
export function latestTries(jobs: readonly PipelineJob[]): PipelineJob[] {
  const byName = new Map<string, PipelineJob>();
  for (const job of jobs) {
    const seen = byName.get(job.name);
    if (!seen || (job.id ?? Infinity) >= (seen.id ?? -Infinity)) byName.set(job.name, job);
  }
  return [...byName.values()];
}

/**
 * Stages in the pipeline's order: GitLab's `.pre` first and `.post` last, the others as their
 * first job was created (ids grow in stage order when a pipeline is created), else as listed.
 */
export function byStage(jobs: readonly PipelineJob[]): StageGroup[] {
  const groups = new Map<string | undefined, { jobs: PipelineJob[]; first: number; at: number }>();
  for (const [at, job] of jobs.entries()) {
    const group = groups.get(job.stage) ?? { jobs: [], first: Infinity, at };
    group.jobs.push(job);
    group.first = Math.min(group.first, job.id ?? Infinity);
    groups.set(job.stage, group);
  }
  const rank = (name: string | undefined) => (name === '.pre' ? -1 : name === '.post' ? 1 : 0);
  return [...groups.entries()]
    .sort(
      ([a, x], [b, y]) =>
        rank(a) - rank(b) || (x.first === y.first ? 0 : x.first < y.first ? -1 : 1) || x.at - y.at,
    )
    .map(([name, group]) => ({
      ...(name === undefined ? {} : { name }),
      // Within a stage, in the order the jobs were created.
      jobs: group.jobs.sort((a, b) => (a.id ?? 0) - (b.id ?? 0)),
    }));
}

/**
 * The pipeline's result from its jobs: a real failure fails it (timed out when every real
 * failure timed out), else a canceled job cancels it, else it succeeded if any job did. Skipped,
 * manual and unfinished jobs decide nothing; with nothing finished the result is unknown, and so
 * is a success when not every job could be read.
 */
export function pipelineResult(jobs: readonly PipelineJob[], more = false): Status {
  const failures = jobs.filter(isRealFailure);
  if (failures.length)
    return failures.every((job) => job.status === 'timedout') ? 'timedout' : 'failed';
  if (jobs.some((job) => job.status === 'canceled')) return 'canceled';
  if (!more && jobs.some((job) => job.status === 'success' || isAllowedFailure(job)))
    return 'success';
  return 'unknown';
}

export interface SummaryInput {
  jobs: readonly PipelineJob[];
  /** The CI had more jobs than were read. */
  more?: boolean;
  source: Summary['source'];
  /** ISO 8601: the pipeline's start, when the CI gives it. */
  pipelineStartedAt?: string;
  nowMs: number;
}

/** The pipeline's start, else its first job's: the earliest time not in the future. */
function startOf(input: SummaryInput): number | undefined {
  const pipeline = input.pipelineStartedAt ? Date.parse(input.pipelineStartedAt) : NaN;
  if (Number.isFinite(pipeline)) return pipeline;
  // A loop, not Math.min(...): thousands of jobs would be too many arguments for one call.
  let first: number | undefined;
  for (const job of input.jobs) {
    const at = job.startedAt ? Date.parse(job.startedAt) : NaN;
    if (Number.isFinite(at) && at <= input.nowMs && (first === undefined || at < first)) first = at;
  }
  return first;
}

export function summarise(input: SummaryInput): Summary {
  const { jobs } = input;
  const failed = jobs.filter(isRealFailure).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const startedMs = startOf(input);
  return {
    result: pipelineResult(jobs, !!input.more),
    allowedFailures: jobs.filter(isAllowedFailure).length,
    ...(startedMs !== undefined && startedMs <= input.nowMs
      ? { durationMs: input.nowMs - startedMs }
      : {}),
    failed,
    stages: byStage(jobs.filter((job) => !isRealFailure(job))),
    total: jobs.length,
    more: !!input.more,
    source: input.source,
  };
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
