// Real HTTP(S) servers on 127.0.0.1 standing in for the CI APIs notify reads a pipeline's jobs
// from, answering with the shapes each platform publishes:
// https://docs.github.com/en/rest/actions/workflow-jobs?apiVersion=2022-11-28
// https://docs.gitlab.com/api/jobs/#list-pipeline-jobs, #list-pipeline-trigger-jobs
// https://docs.gitlab.com/api/merge_requests/#get-single-mr
// Every request is recorded; tests assert on the recording after the call returns.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listen } from './listen.ts';

type Json = Record<string, unknown>;

export interface Recorded {
  method: string;
  /** The path as sent, without the query: a GitLab project path stays URL-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  at: number;
}

/** An answer with a JSON body. */
export type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/** Answers a request before the fake does (scripted failures); undefined lets the fake answer. */
export type Override = (req: Recorded) => Answer | undefined;

interface ServeOptions {
  answer?: Override;
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string; cert: string };
  /** The most a page holds, however large the per_page asked; default 100 on both platforms. */
  perPageMax?: number;
}

export interface FakeCiApi {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  requests: Recorded[];
  close(): Promise<void>;
}

async function serve(
  options: ServeOptions,
  route: (req: Recorded, base: string) => Answer,
): Promise<FakeCiApi> {
  const requests: Recorded[] = [];
  const scheme = options.tls ? 'https' : 'http';
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: Recorded = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        at: Date.now(),
      };
      requests.push(recorded);
      let answer: Answer;
      try {
        // Links point where the client reached this server, as a proxy-fronted API's do.
        answer = options.answer?.(recorded) ?? route(recorded, `${scheme}://${req.headers.host}`);
      } catch (error) {
        // A test's jobs function that throws is the test's mistake: show it, do not hang.
        answer = { status: 500, body: { message: String(error) } };
      }
      const headers = { 'content-type': 'application/json; charset=utf-8', ...answer.headers };
      res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  const { port, close } = await listen(server);
  return { origin: `${scheme}://127.0.0.1:${port}`, requests, close };
}

/** Fields that share a value, named in one string: GitLab's objects carry runs of nulls. */
const each = (names: string, value: unknown): Json =>
  Object.fromEntries(names.split(' ').map((name) => [name, value]));

const positive = (value: string | null): number | undefined =>
  value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;

/** Offset pagination as both platforms do it: per_page clamped, pages counted from 1. */
function paginate<T>(items: T[], query: URLSearchParams, perPageDefault: number, max: number) {
  const perPage = Math.min(max, positive(query.get('per_page')) ?? perPageDefault);
  const page = positive(query.get('page')) ?? 1;
  const pages = Math.ceil(items.length / perPage);
  return { page, perPage, pages, slice: items.slice((page - 1) * perPage, page * perPage) };
}

// ---- GitHub ------------------------------------------------------------------------------------

const GH_REPO = 'octo-org/octo-repo';
const GH_API = `https://api.github.com/repos/${GH_REPO}`;
const GH_JOBS_DOCS =
  'https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run';
let githubId = 399_444_496;

/** A workflow job as GitHub lists it; completed and successful unless `status` says otherwise. */
export function githubJob(overrides: Json = {}): Json {
  const id = (overrides.id as number | undefined) ?? githubId++;
  const runId = (overrides.run_id as number | undefined) ?? 29_679_449;
  const status = (overrides.status as string | undefined) ?? 'completed';
  const done = status === 'completed';
  // A queued or waiting job has no runner yet, and no steps.
  const picked = done || status === 'in_progress';
  const step = (number: number, name: string) => ({
    name,
    status,
    conclusion: done ? 'success' : null,
    number,
    started_at: '2024-05-01T10:00:06Z',
    completed_at: done ? '2024-05-01T10:02:04Z' : null,
  });
  return {
    id,
    run_id: runId,
    workflow_name: 'CI',
    head_branch: 'main',
    run_url: `${GH_API}/actions/runs/${runId}`,
    run_attempt: 1,
    node_id: `CR_kwDOABCDEF8AAAAA${id}`,
    head_sha: 'f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0',
    url: `${GH_API}/actions/jobs/${id}`,
    html_url: `https://github.com/${GH_REPO}/actions/runs/${runId}/job/${id}`,
    status,
    conclusion: done ? 'success' : null,
    created_at: '2024-05-01T10:00:00Z',
    started_at: '2024-05-01T10:00:05Z',
    completed_at: done ? '2024-05-01T10:02:05Z' : null,
    name: 'build',
    steps: picked ? [step(1, 'Set up job'), step(2, 'Run npm test'), step(3, 'Complete job')] : [],
    check_run_url: `${GH_API}/check-runs/${id}`,
    labels: ['ubuntu-latest'],
    runner_id: picked ? 1 : null,
    runner_name: picked ? 'GitHub Actions 1' : null,
    runner_group_id: picked ? 2 : null,
    runner_group_name: picked ? 'GitHub Actions' : null,
    ...overrides,
  };
}

const GITHUB_MESSAGES = { 401: 'Bad credentials', 403: 'Resource not accessible by integration' };

/** GitHub's error body: 401 Bad credentials, 403 as a token without actions: read gets, 404. */
export function githubError(status: 401 | 403 | 404, message?: string): Answer {
  return {
    status,
    body: {
      message: message ?? (status === 404 ? 'Not Found' : GITHUB_MESSAGES[status]),
      documentation_url: status === 401 ? 'https://docs.github.com/rest' : GH_JOBS_DOCS,
      status: String(status),
    },
  };
}

export interface FakeGitHubApiOptions extends ServeOptions {
  /**
   * Every attempt's jobs, told apart by their run_attempt; or the jobs of attempt n. The latest
   * attempt is `attempts`, or the highest run_attempt in the list.
   */
  jobs: Json[] | ((attempt: number) => Json[]);
  attempts?: number;
  /** Default 'ghs_test'. */
  token?: string;
}

/** The id GitHub's Link headers name the repository by, whatever owner/name was asked. */
export const GITHUB_REPOSITORY_ID = 1_296_269;

export function startFakeGitHubApi(options: FakeGitHubApiOptions): Promise<FakeCiApi> {
  const token = options.token ?? 'ghs_test';
  const { jobs } = options;
  const latest =
    options.attempts ??
    (typeof jobs === 'function' ? 1 : Math.max(1, ...jobs.map((j) => Number(j.run_attempt ?? 1))));
  const jobsOf = (attempt: number) =>
    typeof jobs === 'function'
      ? jobs(attempt)
      : jobs.filter((j) => (j.run_attempt ?? 1) === attempt);
  let served = 0;

  return serve(options, (req, base) => {
    const rate = {
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, 5000 - ++served)),
    };
    const presented = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (presented !== token) return { ...githubError(401), headers: rate };
    const match =
      /^\/(?:repos\/[^/]+\/[^/]+|repositories\/(\d+))\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?\/jobs$/.exec(
        req.path,
      );
    const [, repoId, run, attemptText] = match ?? [];
    const attempt = attemptText === undefined ? undefined : Number(attemptText);
    const unknownRepo = repoId !== undefined && Number(repoId) !== GITHUB_REPOSITORY_ID;
    if (req.method !== 'GET' || !match || unknownRepo || attempt === 0 || (attempt ?? 0) > latest)
      return { ...githubError(404), headers: rate };
    // filter applies to the run's list only: an attempt's list is that attempt's jobs.
    const all = attempt === undefined && req.query.get('filter') === 'all';
    const list = all
      ? Array.from({ length: latest }, (_, i) => jobsOf(i + 1)).flat()
      : jobsOf(attempt ?? latest);
    const { page, pages, slice } = paginate(list, req.query, 30, options.perPageMax ?? 100);
    // GitHub names the repository by id in its links, and keeps the query as sent but the page.
    const href = (n: number) => {
      const query = new URLSearchParams(req.query);
      query.set('page', String(n));
      const tail = attempt === undefined ? '' : `/attempts/${attempt}`;
      return `<${base}/repositories/${GITHUB_REPOSITORY_ID}/actions/runs/${run}${tail}/jobs?${query}>`;
    };
    const links: string[] = [];
    if (pages > 1) {
      if (page > 1) links.push(`${href(page - 1)}; rel="prev"`);
      if (page < pages) links.push(`${href(page + 1)}; rel="next"`, `${href(pages)}; rel="last"`);
      if (page > 1) links.push(`${href(1)}; rel="first"`);
    }
    return {
      status: 200,
      body: { total_count: list.length, jobs: slice },
      headers: { ...rate, ...(links.length ? { link: links.join(', ') } : {}) },
    };
  });
}

// ---- GitLab ------------------------------------------------------------------------------------

const GL = 'https://gitlab.example.com';
const GL_SHA = '0ff3ae198f8601a285adcf5c0fff204ee6fba5fd';
let gitlabId = 7_000;

const userBasic = (username = 'root', id = 1) => ({
  id,
  username,
  public_email: '',
  name: username === 'root' ? 'Administrator' : username,
  state: 'active',
  locked: false,
  avatar_url: `https://www.gravatar.com/avatar/${id}?s=80&d=identicon`,
  web_url: `${GL}/${username}`,
});

const pipelineBasic = (id: number, status: string, path = 'team/app') => ({
  id,
  iid: id % 1000,
  project_id: 1,
  sha: GL_SHA,
  ref: 'main',
  status,
  source: 'push',
  created_at: '2024-05-01T10:00:00.000Z',
  updated_at: '2024-05-01T10:04:00.000Z',
  web_url: `${GL}/${path}/-/pipelines/${id}`,
});

/** What Ci::Bridge and Ci::Build share (API::Entities::Ci::JobBasic), in its order. */
function jobBasic(overrides: Json): Json {
  const id = (overrides.id as number | undefined) ?? gitlabId++;
  const status = (overrides.status as string | undefined) ?? 'success';
  const ran = ['running', 'success', 'failed', 'canceling', 'canceled'].includes(status);
  const finished = ran && status !== 'running' && status !== 'canceling';
  return {
    id,
    status,
    stage: 'test',
    name: 'rspec',
    ref: 'main',
    tag: false,
    coverage: null,
    allow_failure: false,
    created_at: '2024-05-01T10:00:00.000Z',
    started_at: ran ? '2024-05-01T10:00:02.500Z' : null,
    finished_at: finished ? '2024-05-01T10:02:03.250Z' : null,
    erased_at: null,
    // Seconds as a float; a running job's counts up, one that never ran has none.
    duration: finished ? 120.75 : ran ? 30.125 : null,
    queued_duration: ran ? 2.5 : null,
    user: {
      ...userBasic(),
      created_at: '2015-12-21T13:14:24.077Z',
      bot: false,
      ...each('bio location linkedin twitter discord website_url organization job_title', ''),
      ...each('pronouns work_information local_time', null),
    },
    commit: {
      id: GL_SHA,
      short_id: GL_SHA.slice(0, 8),
      parent_ids: ['a91957a858320c0e17f3a0eca7cfacbff50ea29a'],
      ...each('title message', 'Test the CI integration.'),
      ...each('author_name committer_name', 'Administrator'),
      ...each('author_email committer_email', 'admin@example.com'),
      ...each('created_at authored_date committed_date', '2024-05-01T09:58:00.000+00:00'),
      trailers: {},
      extended_trailers: {},
      web_url: `${GL}/team/app/-/commit/${GL_SHA}`,
    },
    pipeline: pipelineBasic(1000, 'running'),
    ...(status === 'failed' ? { failure_reason: 'script_failure' } : {}),
    web_url: `${GL}/team/app/-/jobs/${id}`,
    project: { ci_job_token_scope_enabled: false },
  };
}

/**
 * A job as GitLab lists it (API::Entities::Ci::Job); successful unless `status` says otherwise.
 * `retried: true` scripts a job a retry replaced: the fake serves it only to include_retried=true,
 * and without that key. GitLab's job entity exposes no `retried` field (API::Entities::Ci::Job,
 * JobBasic); include_retried=true only adds the replaced jobs, told from their replacements by
 * their older ids alone.
 */
export function gitlabJob(overrides: Json = {}): Json {
  const basic = jobBasic(overrides);
  const ran = basic.started_at !== null;
  return {
    ...basic,
    artifacts: [],
    runner: ran
      ? {
          id: 12,
          description: 'shared-runner-1',
          active: true,
          paused: false,
          is_shared: true,
          runner_type: 'instance_type',
          name: 'gitlab-runner',
          online: true,
          status: 'online',
        }
      : null,
    runner_manager: null,
    artifacts_expire_at: null,
    archived: false,
    tag_list: [],
    ...overrides,
  };
}

/** A trigger job (API::Entities::Ci::Bridge): no runner or artifacts; its downstream pipeline. */
export function gitlabBridge(overrides: Json = {}): Json {
  const basic = jobBasic({ name: 'deploy-app', stage: 'deploy', ...overrides });
  return {
    ...basic,
    // With strategy: depend the trigger job ends as its downstream pipeline does.
    downstream_pipeline: pipelineBasic(1001, String(basic.status), 'team/deploy'),
    ...overrides,
  };
}

/** A merge request as GitLab's Get single MR shows it. */
export function gitlabMergeRequest(overrides: Json = {}): Json {
  const iid = (overrides.iid as number | undefined) ?? 1;
  return {
    id: 90_000 + iid,
    iid,
    project_id: 1,
    title: 'Add the summary',
    description: '',
    state: 'opened',
    created_at: '2024-05-01T09:00:00.000Z',
    updated_at: '2024-05-01T10:00:00.000Z',
    ...each('merged_by merge_user merged_at closed_by closed_at assignee milestone', null),
    target_branch: 'main',
    source_branch: 'summary',
    author: userBasic('alice', 2),
    assignees: [],
    reviewers: [],
    ...each('source_project_id target_project_id', 1),
    labels: [],
    ...each('draft merge_when_pipeline_succeeds squash has_conflicts', false),
    detailed_merge_status: 'mergeable',
    sha: GL_SHA,
    ...each('merge_commit_sha squash_commit_sha', null),
    references: { short: `!${iid}`, relative: `!${iid}`, full: `team/app!${iid}` },
    web_url: `${GL}/team/app/-/merge_requests/${iid}`,
    ...overrides,
  };
}

const INSUFFICIENT_SCOPE =
  'The request requires higher privileges than provided by the access token.';

/** GitLab's error bodies: 401, 403 for a token without read_api, 404 (message as given). */
export function gitlabError(status: 401 | 403 | 404, message = '404 Not found'): Answer {
  if (status === 401) return { status, body: { message: '401 Unauthorized' } };
  if (status === 404) return { status, body: { message } };
  return {
    status,
    body: {
      error: 'insufficient_scope',
      error_description: INSUFFICIENT_SCOPE,
      scope: 'api read_api',
    },
  };
}

// CommitStatus::AVAILABLE_STATUSES: what scope[] may name.
const GITLAB_STATUSES = (
  'created waiting_for_resource preparing waiting_for_callback pending running success failed ' +
  'canceling canceled skipped manual scheduled'
).split(' ');

export interface FakeGitLabApiOptions extends ServeOptions {
  jobs: Json[];
  bridges?: Json[];
  /** By iid; each is filled out with gitlabMergeRequest's defaults. */
  mergeRequests?: Record<number, Json>;
  /** Default 'glpat-test'. */
  token?: string;
  /** The project, by id or path ('team/app'); others are 404 Project Not Found. Default: any. */
  projectId?: string;
  projectPath?: string;
}

export interface FakeGitLabApi extends FakeCiApi {
  /** `${origin}/api/v4` */
  apiUrl: string;
}

export async function startFakeGitLabApi(options: FakeGitLabApiOptions): Promise<FakeGitLabApi> {
  const token = options.token ?? 'glpat-test';
  const known = [options.projectId, options.projectPath].filter((p) => p !== undefined);

  const api = await serve(options, (req, base) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const presented = req.headers['private-token'] ?? bearer;
    if (presented !== token) return gitlabError(401);
    const match =
      /^\/api\/v4\/projects\/([^/]+)\/(?:pipelines\/(\d+)\/(jobs|bridges)|merge_requests\/(\d+))$/.exec(
        req.path,
      );
    // Past authentication, a route GitLab lacks says so in `error`, not `message`.
    if (req.method !== 'GET' || !match) return { status: 404, body: { error: '404 Not Found' } };
    const [, rawId = '', pipeline, kind, iid] = match;
    const scope = [...req.query.getAll('scope[]'), ...req.query.getAll('scope')];
    if (scope.some((s) => !GITLAB_STATUSES.includes(s)))
      return { status: 400, body: { error: 'scope does not have a valid value' } };
    const project = decodeURIComponent(rawId);
    if (known.length && !known.includes(project)) return gitlabError(404, '404 Project Not Found');
    if (iid !== undefined) {
      const given = options.mergeRequests?.[Number(iid)];
      return given
        ? { status: 200, body: gitlabMergeRequest({ iid: Number(iid), ...given }) }
        : gitlabError(404);
    }
    // The bridges endpoint does not declare include_retried, but the finder both share reads it.
    const retried = ['true', '1'].includes(req.query.get('include_retried') ?? '');
    const list = (kind === 'jobs' ? options.jobs : (options.bridges ?? []))
      .filter((j) => retried || j.retried !== true)
      .filter((j) => scope.length === 0 || scope.includes(String(j.status)))
      // Newest first, as GitLab has listed them since 13.5.
      .sort((a, b) => Number(b.id) - Number(a.id))
      .map(({ retried: _retried, ...job }) => job);
    const max = options.perPageMax ?? 100;
    const { page, perPage, pages, slice } = paginate(list, req.query, 20, max);
    const last = Math.max(1, pages);
    const next = page < last ? String(page + 1) : '';
    const prev = page > 1 && page <= last ? String(page - 1) : '';
    // Rails' to_query: every parameter, the route's too, sorted by name.
    const href = (n: number) => {
      const params: [string, string][] = [
        ...[...req.query].filter(([key]) => key !== 'page' && key !== 'per_page'),
        ['id', project],
        ['pipeline_id', String(pipeline)],
        ['page', String(n)],
        ['per_page', String(perPage)],
      ];
      params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `<${base}${req.path}?${new URLSearchParams(params)}>`;
    };
    const links = [
      ...(prev ? [`${href(page - 1)}; rel="prev"`] : []),
      ...(next ? [`${href(page + 1)}; rel="next"`] : []),
      `${href(1)}; rel="first"`,
      `${href(last)}; rel="last"`,
    ];
    return {
      status: 200,
      body: slice,
      headers: {
        'content-type': 'application/json',
        'x-per-page': String(perPage),
        'x-page': String(page),
        'x-next-page': next,
        'x-prev-page': prev,
        link: links.join(', '),
        'x-total': String(list.length),
        'x-total-pages': String(last),
      },
    };
  });
  return { ...api, apiUrl: `${api.origin}/api/v4` };
}
