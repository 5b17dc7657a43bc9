// GitLab: a pipeline's jobs and trigger jobs from the REST API, with a project access token that
// has read_api (NOTIFY_GITLAB_TOKEN): the job token cannot list them on most GitLab versions.
// https://docs.gitlab.com/api/jobs/#list-pipeline-jobs
// https://docs.gitlab.com/api/jobs/#list-pipeline-trigger-jobs
import type { Env } from '../context.ts';
import { latestTries, type JobOutcome, type PipelineJob } from '../summary.ts';
import { getJson, getPages, header, record, text, type Page, type ReadOptions } from './read.ts';
import type { JobsRead, JobsRequest } from './index.ts';

const PER_PAGE = 100;
const MAX_PAGES = 10;
const MAX_BRIDGE_PAGES = 2;

/** GitLab's job and pipeline states in the summary's words. */
export function gitlabOutcome(status: unknown, failureReason?: unknown): JobOutcome {
  switch (status) {
    case 'success':
      return 'success';
    case 'failed':
      return failureReason === 'job_execution_timeout' ? 'timedout' : 'failed';
    case 'canceled':
    case 'canceling':
      return 'canceled';
    case 'skipped':
      return 'skipped';
    case 'manual':
    case 'scheduled':
      return 'manual';
    case 'running':
      return 'running';
    default:
      // created, pending, preparing, waiting_for_resource, waiting_for_callback…
      return 'pending';
  }
}

/** `duration` is the job's seconds (a float), null until it ran. */
function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.round(value * 1000)
    : undefined;
}

function toJob(raw: unknown, bridge: boolean): PipelineJob | undefined {
  const job = record(raw);
  const name = text(job?.name);
  if (!job || !name) return undefined;
  const downstream = bridge ? record(job.downstream_pipeline) : undefined;
  // A trigger job's line says how its downstream pipeline went. Whether that fails this pipeline
  // is the trigger job's own status (strategy: depend): a downstream failure its trigger job
  // passed over is a warning, as GitLab shows it.
  const own = gitlabOutcome(job.status, job.failure_reason);
  const shown = downstream?.status ? gitlabOutcome(downstream.status) : undefined;
  const passedOver = own === 'success' && (shown === 'failed' || shown === 'timedout');
  const durationMs = seconds(job.duration);
  const url = text(downstream?.web_url) ?? text(job.web_url);
  return {
    ...(typeof job.id === 'number' ? { id: job.id } : {}),
    name,
    ...(text(job.stage) ? { stage: text(job.stage) } : {}),
    status: shown ?? own,
    ...(job.allow_failure === true || passedOver ? { allowFailure: true } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(url ? { url } : {}),
    ...(text(job.started_at) ? { startedAt: text(job.started_at) } : {}),
    ...(bridge ? { downstream: true } : {}),
  };
}

function explain(project: string, pipeline: string) {
  return (response: { statusCode: number; body: string }) => {
    switch (response.statusCode) {
      case 401:
        return 'GitLab refused NOTIFY_GITLAB_TOKEN (HTTP 401): it is invalid, expired or revoked; use a project access token with the read_api scope';
      case 403:
        return /insufficient_scope/.test(response.body)
          ? 'NOTIFY_GITLAB_TOKEN lacks the read_api scope (HTTP 403): create the project access token with read_api'
          : "NOTIFY_GITLAB_TOKEN may not read this pipeline's jobs (HTTP 403): it needs the read_api scope and at least the Reporter role";
      case 404:
        return `GitLab found no pipeline ${pipeline} in project ${project} (HTTP 404): NOTIFY_GITLAB_TOKEN needs read_api on this project`;
      default:
        return `GitLab answered HTTP ${response.statusCode}`;
    }
  };
}

/** `x-next-page` is the next page's number, empty on the last; it only ever grows. */
function nextPage(page: Page, url: URL): URL | undefined {
  const next = header(page.headers, 'x-next-page');
  if (!next || !/^\d+$/.test(next) || Number(next) <= Number(url.searchParams.get('page') ?? 1))
    return undefined;
  const following = new URL(url.href);
  following.searchParams.set('page', next);
  return following;
}

export function apiBase(env: Env): string | undefined {
  const v4 = env.CI_API_V4_URL?.trim();
  const server = env.CI_SERVER_URL?.trim();
  const base = v4 || (server ? `${server.replace(/\/+$/, '')}/api/v4` : undefined);
  return base?.replace(/\/+$/, '');
}

export async function gitlabJobs(request: JobsRequest): Promise<JobsRead> {
  const { env, token } = request;
  const project = env.CI_PROJECT_ID?.trim() ?? '';
  const pipeline = env.CI_PIPELINE_ID?.trim() ?? '';
  const base = apiBase(env);
  if (!base || !/^\d+$/.test(project) || !/^\d+$/.test(pipeline))
    throw new Error('CI_API_V4_URL, CI_PROJECT_ID and CI_PIPELINE_ID do not name a pipeline');
  const options: ReadOptions = {
    ...request.read,
    headers: { 'private-token': token.value },
    peer: 'GitLab',
    urlSetting: 'CI_API_V4_URL',
    explain: explain(project, pipeline),
  };
  const at = `${base}/projects/${project}/pipelines/${pipeline}`;
  const jobs = await getPages(
    new URL(`${at}/jobs?per_page=${PER_PAGE}&include_retried=false`),
    MAX_PAGES,
    nextPage,
    options,
  );
  const bridges = await getPages(
    new URL(`${at}/bridges?per_page=${PER_PAGE}`),
    MAX_BRIDGE_PAGES,
    nextPage,
    options,
  );
  const list = (pages: Page[], bridge: boolean) =>
    pages
      .flatMap((page) => {
        if (!Array.isArray(page.body)) throw new Error("GitLab's answer is not a list of jobs");
        return page.body as unknown[];
      })
      .map((raw) => toJob(raw, bridge))
      .filter((job) => job !== undefined);
  // A job's name is unique in a GitLab pipeline: an old try listed anyway counts once.
  const all = [...latestTries(list(jobs.pages, false)), ...list(bridges.pages, true)];
  const selfId = Number(env.CI_JOB_ID);
  const self = all.find((job) => job.id === selfId && !job.downstream);
  let author: JobsRead['author'];
  const iid = env.CI_MERGE_REQUEST_IID?.trim();
  // The request's author is the API's to tell: GitLab's variables name only its assignees.
  if (iid && /^\d+$/.test(iid) && env.CI_MERGE_REQUEST_PROJECT_ID?.trim() === project) {
    try {
      const page = await getJson(
        new URL(`${base}/projects/${project}/merge_requests/${iid}`),
        options,
      );
      const user = record(record(page.body)?.author);
      const login = text(user?.username);
      if (login) author = { login, ...(text(user?.web_url) ? { url: text(user?.web_url) } : {}) };
    } catch (error) {
      // The jobs are in: a request whose author cannot be read is named without them.
      if (options.deadline.signal.aborted) throw error;
    }
  }
  return {
    jobs: all.filter((job) => job !== self),
    ...(self ? { self } : {}),
    more: jobs.more || bridges.more,
    ...(author ? { author } : {}),
  };
}
