// The fake CI APIs answer as GitHub and GitLab do: their job shapes, their pagination (a client
// that follows it sees every job once), their refusals, and GitLab's include_retried.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrivateCa } from '../helpers/ca.ts';
import {
  GITHUB_REPOSITORY_ID,
  githubError,
  githubJob,
  gitlabBridge,
  gitlabError,
  gitlabJob,
  startFakeGitHubApi,
  startFakeGitLabApi,
  type FakeCiApi,
} from '../helpers/fake-ci-api.ts';

type Body = Record<string, any>;

const open: FakeCiApi[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((api) => api.close()));
});

async function started<T extends FakeCiApi>(api: Promise<T>): Promise<T> {
  open.push(await api);
  return api;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers, redirect: 'error' });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as any,
  };
}

const github = { authorization: 'Bearer ghs_test', 'x-github-api-version': '2022-11-28' };
const gitlab = { 'private-token': 'glpat-test' };
const RUN = '/repos/acme/app/actions/runs/42/jobs';
const PIPELINE = '/projects/7/pipelines/1000';

/** The rel="…" targets of a Link header, in the order given. */
function rels(link: string | null): [string, string][] {
  return [...(link ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)].map((m) => [m[2]!, m[1]!]);
}

describe('GitHub', () => {
  it('githubJob is a whole job as GitHub lists it, overrides spread in', () => {
    const job = githubJob({ id: 7, name: 'test (20)', conclusion: 'failure' });
    expect(Object.keys(job)).toEqual(
      expect.arrayContaining(
        (
          'id run_id workflow_name head_branch run_url run_attempt node_id head_sha url html_url ' +
          'status conclusion created_at started_at completed_at name steps check_run_url labels ' +
          'runner_id runner_name runner_group_id runner_group_name'
        ).split(' '),
      ),
    );
    expect(job).toMatchObject({
      id: 7,
      name: 'test (20)',
      status: 'completed',
      conclusion: 'failure',
    });
    expect(job.html_url).toMatch(/^https:\/\/github\.com\/.+\/actions\/runs\/\d+\/job\/7$/);
    expect(githubJob({ status: 'queued' })).toMatchObject({
      conclusion: null,
      completed_at: null,
      runner_name: null,
      steps: [],
    });
  });

  it('following rel="next" walks every job once; Link is absolute, by repository id', async () => {
    const jobs = Array.from({ length: 5 }, (_, i) =>
      githubJob({ id: i + 1, name: `job ${i + 1}` }),
    );
    const api = await started(startFakeGitHubApi({ jobs }));
    const seen: number[] = [];
    const links: [string, string][][] = [];
    let url: string | undefined = `${api.origin}${RUN}?per_page=2`;
    while (url) {
      const { status, headers, body } = await get(url, github);
      expect(status).toBe(200);
      expect(body.total_count).toBe(5);
      seen.push(...body.jobs.map((j: Body) => j.id));
      links.push(rels(headers.get('link')));
      url = links.at(-1)!.find(([rel]) => rel === 'next')?.[1];
    }

    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const at = (page: number) =>
      `${api.origin}/repositories/${GITHUB_REPOSITORY_ID}/actions/runs/42/jobs?per_page=2&page=${page}`;
    expect(links).toEqual([
      [
        ['next', at(2)],
        ['last', at(3)],
      ],
      [
        ['prev', at(1)],
        ['next', at(3)],
        ['last', at(3)],
        ['first', at(1)],
      ],
      [
        ['prev', at(2)],
        ['first', at(1)],
      ],
    ]);
    expect(api.requests.map((r) => [r.method, r.path, r.query.get('page')])).toEqual([
      ['GET', RUN, null],
      ['GET', `/repositories/${GITHUB_REPOSITORY_ID}/actions/runs/42/jobs`, '2'],
      ['GET', `/repositories/${GITHUB_REPOSITORY_ID}/actions/runs/42/jobs`, '3'],
    ]);
  });

  it('one page has no Link; per_page is held to perPageMax', async () => {
    const jobs = Array.from({ length: 3 }, () => githubJob());
    const api = await started(startFakeGitHubApi({ jobs, perPageMax: 2 }));
    const { headers, body } = await get(`${api.origin}${RUN}?per_page=100`, github);
    expect(body.jobs).toHaveLength(2);
    expect(rels(headers.get('link')).map(([rel]) => rel)).toEqual(['next', 'last']);

    const single = await started(startFakeGitHubApi({ jobs }));
    const whole = await get(`${single.origin}${RUN}`, { authorization: 'token ghs_test' });
    expect(whole.body.jobs).toHaveLength(3);
    expect(whole.headers.get('link')).toBeNull();
  });

  it('serves the latest attempt, one attempt, or all of them', async () => {
    const api = await started(
      startFakeGitHubApi({
        jobs: (attempt) => [githubJob({ id: attempt * 10, run_attempt: attempt })],
        attempts: 2,
      }),
    );
    const ids = async (path: string) =>
      (await get(`${api.origin}${path}`, github)).body.jobs.map((j: Body) => j.id);

    expect(await ids(RUN)).toEqual([20]);
    expect(await ids(`${RUN}?filter=all`)).toEqual([10, 20]);
    expect(await ids('/repos/acme/app/actions/runs/42/attempts/1/jobs')).toEqual([10]);
    const beyond = await get(
      `${api.origin}/repos/acme/app/actions/runs/42/attempts/3/jobs`,
      github,
    );
    expect(beyond.status).toBe(404);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer ghs_wrong' }],
  ])('%s: 401 Bad credentials', async (_name, headers) => {
    const api = await started(startFakeGitHubApi({ jobs: [githubJob()] }));
    const { status, body } = await get(`${api.origin}${RUN}`, headers);
    expect(status).toBe(401);
    expect(body).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    expect(api.requests).toHaveLength(1);
  });

  it('an unknown path is 404 Not Found; answer scripts a 403', async () => {
    const api = await started(
      startFakeGitHubApi({
        jobs: [githubJob()],
        answer: (req) => (req.query.get('page') === '2' ? githubError(403) : undefined),
      }),
    );
    const missing = await get(`${api.origin}/repos/acme/app/actions/runs/42`, github);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ message: 'Not Found', status: '404' });

    const refused = await get(`${api.origin}${RUN}?page=2`, github);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      message: 'Resource not accessible by integration',
      status: '403',
    });
  });

  it('serves HTTPS, and its links say https', async () => {
    const ca = createPrivateCa();
    try {
      const jobs = [githubJob(), githubJob()];
      const api = await started(startFakeGitHubApi({ jobs, tls: ca.tls }));
      const link = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${api.origin}${RUN}?per_page=1`,
          { ca: readFileSync(ca.caFile), headers: github },
          (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.headers.link)));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(rels(link)[0]).toEqual(['next', expect.stringMatching(/^https:\/\/127\.0\.0\.1:/)]);
    } finally {
      ca.remove();
    }
  });
});

describe('GitLab', () => {
  it('gitlabJob and gitlabBridge are whole objects as GitLab lists them', () => {
    expect(gitlabJob({ status: 'failed' })).toMatchObject({
      status: 'failed',
      failure_reason: 'script_failure',
      duration: expect.any(Number),
      user: { username: 'root', state: 'active' },
      pipeline: { id: 1000, status: 'running' },
      project: { ci_job_token_scope_enabled: false },
      runner: { is_shared: true },
      tag_list: [],
      archived: false,
    });
    expect(gitlabJob({ status: 'manual' })).toMatchObject({ duration: null, runner: null });
    expect(gitlabJob()).not.toHaveProperty('failure_reason');
    const bridge = gitlabBridge({ status: 'failed' });
    expect(bridge.downstream_pipeline).toMatchObject({
      status: 'failed',
      web_url: expect.any(String),
    });
    expect(bridge).not.toHaveProperty('runner');
    expect(gitlabBridge({ downstream_pipeline: null }).downstream_pipeline).toBeNull();
  });

  it('x-next-page walks every job once, newest first; the headers say where it is', async () => {
    const jobs = Array.from({ length: 5 }, (_, i) => gitlabJob({ id: 101 + i }));
    const api = await started(startFakeGitLabApi({ jobs }));
    const seen: number[] = [];
    const pages: Record<string, string | null>[] = [];
    let page = '1';
    while (page) {
      const url = `${api.apiUrl}${PIPELINE}/jobs?per_page=2&page=${page}&include_retried=false`;
      const { status, headers, body } = await get(url, gitlab);
      expect(status).toBe(200);
      seen.push(...body.map((j: Body) => j.id));
      const names = [
        'x-page',
        'x-per-page',
        'x-next-page',
        'x-prev-page',
        'x-total',
        'x-total-pages',
      ];
      pages.push(Object.fromEntries(names.map((n) => [n, headers.get(n)])));
      if (page === '2') {
        const at = (n: number) =>
          `${api.apiUrl}${PIPELINE}/jobs?id=7&include_retried=false&page=${n}&per_page=2&pipeline_id=1000`;
        expect(rels(headers.get('link'))).toEqual([
          ['prev', at(1)],
          ['next', at(3)],
          ['first', at(1)],
          ['last', at(3)],
        ]);
      }
      page = headers.get('x-next-page')!;
    }

    expect(seen).toEqual([105, 104, 103, 102, 101]);
    expect(pages.at(-1)).toEqual({
      'x-page': '3',
      'x-per-page': '2',
      'x-next-page': '',
      'x-prev-page': '2',
      'x-total': '5',
      'x-total-pages': '3',
    });
    expect(api.requests.map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
  });

  it('a retried job only with include_retried=true, and never a retried field', async () => {
    const jobs = [gitlabJob({ id: 1, name: 'rspec', status: 'failed', retried: true })];
    jobs.push(gitlabJob({ id: 2, name: 'rspec' }));
    const api = await started(startFakeGitLabApi({ jobs }));
    const latest = await get(`${api.apiUrl}${PIPELINE}/jobs`, gitlab);
    const all = await get(`${api.apiUrl}${PIPELINE}/jobs?include_retried=true`, gitlab);

    expect(latest.body.map((j: Body) => j.id)).toEqual([2]);
    expect(latest.headers.get('x-total')).toBe('1');
    expect(all.body.map((j: Body) => [j.id, j.status])).toEqual([
      [2, 'success'],
      [1, 'failed'],
    ]);
    for (const job of all.body) expect(job).not.toHaveProperty('retried');
  });

  it('scope[] filters by status; an unknown status is 400', async () => {
    const jobs = ['success', 'failed', 'manual'].map((status) => gitlabJob({ status }));
    const api = await started(startFakeGitLabApi({ jobs }));
    const url = `${api.apiUrl}${PIPELINE}/jobs`;
    const picked = await get(`${url}?scope[]=failed&scope[]=manual`, gitlab);
    expect(picked.body.map((j: Body) => j.status).sort()).toEqual(['failed', 'manual']);
    const wrong = await get(`${url}?scope[]=broken`, gitlab);
    expect(wrong).toMatchObject({
      status: 400,
      body: { error: 'scope does not have a valid value' },
    });
  });

  it('bridges, and a merge request with its author', async () => {
    const api = await started(
      startFakeGitLabApi({
        jobs: [],
        bridges: [gitlabBridge({ id: 9, name: 'deploy' })],
        mergeRequests: { 5: { author: { id: 3, username: 'bob', web_url: 'https://gl/bob' } } },
      }),
    );
    const bridges = await get(`${api.apiUrl}${PIPELINE}/bridges`, gitlab);
    expect(bridges.body).toEqual([
      expect.objectContaining({ id: 9, name: 'deploy', downstream_pipeline: expect.any(Object) }),
    ]);
    const mr = await get(`${api.apiUrl}/projects/7/merge_requests/5`, gitlab);
    expect(mr.body).toMatchObject({ iid: 5, state: 'opened', author: { username: 'bob' } });
    const none = await get(`${api.apiUrl}/projects/7/merge_requests/6`, gitlab);
    expect(none).toMatchObject({ status: 404, body: { message: '404 Not found' } });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { 'private-token': 'glpat-wrong' }],
  ])('%s: 401 Unauthorized', async (_name, headers) => {
    const api = await started(startFakeGitLabApi({ jobs: [gitlabJob()] }));
    const { status, body } = await get(`${api.apiUrl}${PIPELINE}/jobs`, headers);
    expect(status).toBe(401);
    expect(body).toEqual({ message: '401 Unauthorized' });
  });

  it('knows its project by id or encoded path; takes a Bearer token', async () => {
    const api = await started(
      startFakeGitLabApi({ jobs: [gitlabJob()], projectId: '7', projectPath: 'team/app' }),
    );
    const bearer = { authorization: 'Bearer glpat-test' };
    const ask = (project: string) =>
      get(`${api.apiUrl}/projects/${project}/pipelines/1/jobs`, bearer);
    expect((await ask('7')).status).toBe(200);
    expect((await ask('team%2Fapp')).status).toBe(200);
    expect(await ask('8')).toMatchObject({
      status: 404,
      body: { message: '404 Project Not Found' },
    });
    expect(await ask('team/app')).toMatchObject({ status: 404, body: { error: '404 Not Found' } });
    expect(api.requests[1]!.path).toBe('/api/v4/projects/team%2Fapp/pipelines/1/jobs');
  });

  it('answer scripts a 403 for a token without read_api', async () => {
    const api = await started(
      startFakeGitLabApi({ jobs: [gitlabJob()], answer: () => gitlabError(403) }),
    );
    const { status, body } = await get(`${api.apiUrl}${PIPELINE}/jobs`, gitlab);
    expect(status).toBe(403);
    expect(body).toEqual({
      error: 'insufficient_scope',
      error_description:
        'The request requires higher privileges than provided by the access token.',
      scope: 'api read_api',
    });
  });
});
