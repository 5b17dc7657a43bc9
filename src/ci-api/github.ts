// GitHub Actions: the run's jobs from the REST API (`actions: read`), or the job results GitHub
// gives a job in its `needs` context when there is no token.
// https://docs.github.com/en/rest/actions/workflow-jobs
import type { Env } from '../context.ts';
import type { JobOutcome, PipelineJob } from '../summary.ts';
import type { HttpResponse } from '../platform/types.ts';
import { getPages, header, linkRel, record, spanMs, text, type ReadOptions } from './read.ts';
import type { JobsRead, JobsRequest } from './index.ts';

const PER_PAGE = 100;
/** 1,000 jobs: a matrix that large is rare, and a summary of it is cut long before. */
const MAX_PAGES = 10;

/** GitHub's status and conclusion in one word. */
export function githubOutcome(status: unknown, conclusion: unknown): JobOutcome {
  if (status !== 'completed') {
    if (status === 'in_progress') return 'running';
    // A job waiting for an environment's reviewers waits for a person, as a manual job does.
    if (status === 'waiting') return 'manual';
    return 'pending';
  }
  switch (conclusion) {
    case 'success':
    case 'neutral':
      return 'success';
    case 'failure':
    case 'startup_failure':
      return 'failed';
    case 'cancelled':
      return 'canceled';
    case 'timed_out':
      return 'timedout';
    case 'action_required':
      return 'manual';
    default:
      // skipped, stale, or a conclusion GitHub adds later: it decides nothing.
      return 'skipped';
  }
}

type Listed = PipelineJob & { runner?: string; done: boolean; attempt: number };

function toJob(raw: unknown): Listed | undefined {
  const job = record(raw);
  const name = text(job?.name);
  if (!job || !name) return undefined;
  const status = githubOutcome(job.status, job.conclusion);
  const durationMs = status === 'skipped' ? undefined : spanMs(job.started_at, job.completed_at);
  const attempt = typeof job.run_attempt === 'number' ? job.run_attempt : 1;
  return {
    ...(typeof job.id === 'number' ? { id: job.id } : {}),
    name,
    status,
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(text(job.html_url) ? { url: text(job.html_url) } : {}),
    ...(text(job.started_at) ? { startedAt: text(job.started_at) } : {}),
    ...(text(job.runner_name) ? { runner: text(job.runner_name) } : {}),
    done: job.status === 'completed',
    attempt,
  };
}

/** What GitHub's answers mean, in one line each. */
function explain(token: string, repo: string, run: string) {
  return (response: HttpResponse) => {
    const { statusCode, headers } = response;
    if (
      (statusCode === 403 || statusCode === 429) &&
      header(headers, 'x-ratelimit-remaining') === '0'
    )
      return `GitHub's API rate limit for ${token} is used up (HTTP ${statusCode})`;
    // The secondary rate limit: too many requests at once, whatever the hourly count says.
    if (statusCode === 403 && header(headers, 'retry-after') !== undefined)
      return `GitHub's secondary rate limit stopped ${token} (HTTP 403); the next run will read again`;
    switch (statusCode) {
      case 401:
        return `GitHub refused ${token} (HTTP 401): it is invalid or expired`;
      case 403:
        return `${token} may not read the run's jobs (HTTP 403): it needs the actions: read permission (permissions: actions: read in the workflow)`;
      case 404:
        return `GitHub found no run ${run} in ${repo} for ${token} (HTTP 404): the token needs actions: read on this repository`;
      default:
        return `GitHub answered HTTP ${statusCode}`;
    }
  };
}

/**
 * The run as this attempt sees it: each job's try in this attempt, and the last earlier try of a
 * job this attempt did not run again ("Re-run failed jobs" re-runs only some). Tries from a later
 * attempt, started since, are not this run's.
 */
export function asOfAttempt(jobs: readonly Listed[], attempt: number | undefined): Listed[] {
  const byId = new Map<number | string, Listed>();
  for (const [i, job] of jobs.entries()) byId.set(job.id ?? `#${i}`, job);
  const tries = [...byId.values()].filter((job) => attempt === undefined || job.attempt <= attempt);
  const newest = Math.max(0, ...tries.map((job) => job.attempt));
  const current = tries.filter((job) => job.attempt === newest);
  const ran = new Set(current.map((job) => job.name));
  const earlier = new Map<string, Listed>();
  for (const job of tries) {
    if (job.attempt === newest || ran.has(job.name)) continue;
    const seen = earlier.get(job.name);
    if (!seen || job.attempt > seen.attempt) earlier.set(job.name, job);
  }
  return [...earlier.values(), ...current];
}

export async function githubJobs(request: JobsRequest): Promise<JobsRead> {
  const { env, token } = request;
  const repo = env.GITHUB_REPOSITORY?.trim() ?? '';
  const run = env.GITHUB_RUN_ID?.trim() ?? '';
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo) || !/^\d+$/.test(run))
    throw new Error('GITHUB_REPOSITORY and GITHUB_RUN_ID do not name a run');
  const attemptText = env.GITHUB_RUN_ATTEMPT?.trim();
  const attempt = attemptText && /^\d+$/.test(attemptText) ? Number(attemptText) : undefined;
  // Every attempt's jobs: this attempt's, and those it did not run again.
  const first = new URL(
    `${apiBase(env)}/repos/${repo}/actions/runs/${run}/jobs?filter=all&per_page=${PER_PAGE}`,
  );
  const options: ReadOptions = {
    ...request.read,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token.value}`,
      'x-github-api-version': '2022-11-28',
    },
    peer: 'GitHub',
    urlSetting: 'GITHUB_API_URL',
    explain: explain(token.name, repo, run),
  };
  const read = await getPages(
    first,
    MAX_PAGES,
    (page) => {
      const next = linkRel(header(page.headers, 'link'), 'next');
      return next ? new URL(next) : undefined;
    },
    options,
  );
  const listed: Listed[] = [];
  for (const page of read.pages) {
    const list = record(page.body)?.jobs;
    if (!Array.isArray(list)) throw new Error("GitHub's answer holds no list of jobs");
    for (const raw of list) {
      const job = toJob(raw);
      if (job) listed.push(job);
    }
  }
  const jobs = asOfAttempt(listed, attempt);
  // This job: still running, on this runner (else by its name when the runner is not known).
  const runner = env.RUNNER_NAME?.trim();
  const key = env.GITHUB_JOB?.trim();
  const isSelf = (job: Listed) =>
    !job.done &&
    (runner
      ? job.runner === runner
      : !!key && (job.name === key || job.name.startsWith(`${key} (`)));
  const self = jobs.find(isSelf);
  const strip = ({ runner: _r, done: _d, attempt: _a, ...job }: Listed): PipelineJob => job;
  return {
    jobs: jobs.filter((job) => job !== self).map(strip),
    ...(self ? { self: strip(self) } : {}),
    more: read.more,
    ...(read.elsewhere ? { elsewhere: read.elsewhere } : {}),
  };
}

export function apiBase(env: Env): string {
  return (env.GITHUB_API_URL?.trim() || 'https://api.github.com').replace(/\/+$/, '');
}
