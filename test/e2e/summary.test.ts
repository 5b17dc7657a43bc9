// The pipeline summary through the executable: fake GitHub and GitLab APIs on 127.0.0.1 with
// their real response shapes, a fake Slack webhook, and the message checked as Slack would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrivateCa, type PrivateCa } from '../helpers/ca.ts';
import { blockKitProblems } from '../helpers/block-kit.ts';
import {
  githubError,
  githubJob,
  gitlabBridge,
  gitlabError,
  gitlabJob,
  startFakeGitHubApi,
  startFakeGitLabApi,
} from '../helpers/fake-ci-api.ts';
import { startFakeSlack } from '../helpers/fake-slack.ts';
import { startFakeSlackApi } from '../helpers/fake-slack-api.ts';
import { GITLAB_ENV } from '../helpers/run.ts';
import { closeAfterEach, expectNoSecrets, notify, startSilentServer } from '../delivery/support.ts';

const track = closeAfterEach();
const GL_TOKEN = 'glpat-Zq9xW3vT7rK2mN8pL4sJ';
const GH_TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';

interface Payload {
  text: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
}
const all = (payload: Payload) =>
  payload.blocks
    .flatMap((block) => [block.text?.text ?? '', ...(block.elements ?? []).map((e) => e.text)])
    .join('\n');

/** notify with `args` and the env `envFor` gives for a fresh fake Slack webhook; exit 0. */
async function finish(args: string[], envFor: (webhookUrl: string) => Record<string, string>) {
  const slack = track(await startFakeSlack());
  const result = await notify(args, envFor(slack.webhookUrl));
  expect(result.code, result.stderr).toBe(0);
  return { result, slack };
}

/** 3 stages, 7 jobs: a retried job, a skipped manual job, an allowed failure, one real failure. */
const gitlabPipeline = (self: number) => [
  gitlabJob({ id: 101, name: 'compile', stage: 'build', status: 'failed', retried: true }),
  gitlabJob({ id: 102, name: 'image', stage: 'build', duration: 95.2 }),
  gitlabJob({ id: 103, name: 'unit', stage: 'test', duration: 61 }),
  gitlabJob({ id: 104, name: 'lint', stage: 'test', status: 'failed', allow_failure: true }),
  gitlabJob({ id: 105, name: 'e2e', stage: 'test', status: 'manual', allow_failure: true }),
  gitlabJob({ id: 106, name: 'deploy', stage: 'deploy', status: 'failed', duration: 42 }),
  gitlabJob({ id: 107, name: 'smoke', stage: 'deploy', status: 'skipped' }),
  gitlabJob({ id: 108, name: 'compile', stage: 'build', duration: 72.4 }),
  gitlabJob({ id: self, name: 'notify', stage: '.post', status: 'running' }),
];

function gitlabEnv(apiUrl: string, webhookUrl: string, more: Record<string, string> = {}) {
  return {
    ...GITLAB_ENV,
    CI_API_V4_URL: apiUrl,
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_PROJECT_ID: '42',
    CI_PIPELINE_ID: '1234',
    CI_JOB_ID: '999',
    CI_JOB_NAME: 'notify',
    CI_JOB_STAGE: '.post',
    CI_JOB_STATUS: 'running',
    SLACK_WEBHOOK_URL: webhookUrl,
    NOTIFY_GITLAB_TOKEN: GL_TOKEN,
    ...more,
  };
}

describe('GitLab: the whole pipeline in one message', () => {
  it('7 jobs in 3 stages: every job once, the real failure first, the result failed', async () => {
    const api = track(await startFakeGitLabApi({ jobs: gitlabPipeline(999), token: GL_TOKEN }));
    const { result: result, slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      gitlabEnv(api.apiUrl, hook),
    );
    expect(result.stderr).toBe('');
    expect(slack.requests).toHaveLength(1);
    const payload = slack.requests[0]!.json as Payload;
    expect(blockKitProblems(payload)).toEqual([]);
    expect(payload.text).toMatch(
      /^:x: chat-server production pipeline failed in \d+[hm]? .*: deploy failed$/,
    );
    const jobs = payload.blocks[1]!.text!.text;
    const link = (id: number, name: string) =>
      `<https://gitlab.example.com/team/app/-/jobs/${id}|${name}>`;
    expect(jobs).toBe(
      [
        '*Failed*',
        `:x: ${link(106, 'deploy')}  at stage deploy  42s`,
        '*build*',
        `:white_check_mark: ${link(102, 'image')}  1m 35s`,
        `:white_check_mark: ${link(108, 'compile')}  1m 12s`,
        '*test*',
        `:white_check_mark: ${link(103, 'unit')}  1m 1s`,
        `:warning: ${link(104, 'lint')}  2m 1s  (allowed to fail)`,
        `:hand: ${link(105, 'e2e')}  manual`,
        '*deploy*',
        `:heavy_minus_sign: ${link(107, 'smoke')}  skipped`,
      ].join('\n'),
    );
    expect(all(payload)).toContain(
      '7 jobs: 3 passed, 1 failed, 1 allowed to fail, 1 skipped, 1 manual',
    );
    expect(all(payload)).toContain(
      '<https://gitlab.example.com/team/app/-/jobs/106|View failed job>',
    );
    expect(all(payload)).toContain('Started by <https://gitlab.example.com/jiyoung|jiyoung>');
    // The notifying job is not on the list, and its own status decided nothing.
    expect(all(payload)).not.toContain('notify');

    const reads = api.requests.map((r) => `${r.path}?${r.query}`);
    expect(reads).toEqual([
      '/api/v4/projects/42/pipelines/1234/jobs?per_page=100&include_retried=false',
      '/api/v4/projects/42/pipelines/1234/bridges?per_page=100',
    ]);
    for (const request of api.requests) expect(request.headers['private-token']).toBe(GL_TOKEN);
    expectNoSecrets(result, GL_TOKEN);
  });

  it('every page is read, by x-next-page', async () => {
    const jobs = Array.from({ length: 23 }, (_, i) =>
      gitlabJob({ id: 200 + i, name: `job-${i}`, stage: 'test' }),
    );
    const api = track(await startFakeGitLabApi({ jobs, token: GL_TOKEN, perPageMax: 5 }));
    const { slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      gitlabEnv(api.apiUrl, hook),
    );
    expect(
      api.requests.filter((r) => r.path.endsWith('/jobs')).map((r) => r.query.get('page')),
    ).toEqual([null, '2', '3', '4', '5']);
    const payload = slack.requests[0]!.json as Payload;
    for (let i = 0; i < 23; i++) expect(all(payload)).toContain(`|job-${i}>`);
    expect(payload.text).toMatch(/^:white_check_mark: chat-server production pipeline succeeded/);
  });

  it('a 100-job pipeline still makes a payload Slack takes, and one of 1,000 is cut and counted', async () => {
    for (const count of [100, 1000]) {
      const jobs = Array.from({ length: count }, (_, i) =>
        gitlabJob({
          id: 1000 + i,
          name: `${'integration-test-suite-'.repeat(3)}${i}`,
          stage: `stage-${i % 9}`,
          status: i % 17 === 0 ? 'failed' : 'success',
        }),
      );
      const api = track(await startFakeGitLabApi({ jobs, token: GL_TOKEN }));
      const { slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
        gitlabEnv(api.apiUrl, hook),
      );
      const payload = slack.requests[0]!.json as Payload;
      expect(blockKitProblems(payload)).toEqual([]);
      expect(all(payload)).toContain(`${count} jobs: `);
      if (count === 1000) expect(all(payload)).toMatch(/…and \d+ more/);
    }
  });

  it('a trigger job shows its downstream pipeline; one its trigger passed over is a warning', async () => {
    const api = track(
      await startFakeGitLabApi({
        token: GL_TOKEN,
        jobs: [gitlabJob({ id: 1, name: 'build', stage: 'build' })],
        bridges: [
          gitlabBridge({
            id: 2,
            name: 'deploy-app',
            stage: 'deploy',
            status: 'success',
            downstream_pipeline: {
              id: 77,
              status: 'failed',
              web_url: 'https://gitlab.example.com/team/deploy/-/pipelines/77',
            },
          }),
        ],
      }),
    );
    const { slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      gitlabEnv(api.apiUrl, hook),
    );
    const payload = slack.requests[0]!.json as Payload;
    expect(all(payload)).toContain(
      ':warning: <https://gitlab.example.com/team/deploy/-/pipelines/77|deploy-app>',
    );
    expect(all(payload)).toContain('(downstream pipeline)');
    expect(payload.text).toMatch(/succeeded in .* with 1 allowed failure$/);
  });

  it('a merge request names its author, from the API', async () => {
    const api = track(
      await startFakeGitLabApi({
        token: GL_TOKEN,
        jobs: [gitlabJob({ id: 1, name: 'build', stage: 'build' })],
        mergeRequests: { 12: {} },
      }),
    );
    const { slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      gitlabEnv(api.apiUrl, hook, {
        CI_MERGE_REQUEST_IID: '12',
        CI_MERGE_REQUEST_PROJECT_ID: '42',
        CI_MERGE_REQUEST_TITLE: 'Add the summary',
        CI_MERGE_REQUEST_PROJECT_URL: 'https://gitlab.example.com/team/chat-server',
      }),
    );
    expect(all(slack.requests[0]!.json as Payload)).toContain(
      'by <https://gitlab.example.com/alice|alice>',
    );
  });

  it.each<[401 | 403 | 404, RegExp]>([
    [401, /GitLab refused NOTIFY_GITLAB_TOKEN \(HTTP 401\)/],
    [403, /NOTIFY_GITLAB_TOKEN lacks the read_api scope \(HTTP 403\)/],
    [404, /GitLab found no pipeline 1234 in project 42 \(HTTP 404\)/],
  ])(
    'HTTP %i: one line naming the token and scope; the message still goes, exit 0',
    async (status, line) => {
      const api = track(
        await startFakeGitLabApi({ jobs: [], token: GL_TOKEN, answer: () => gitlabError(status) }),
      );
      const { result: result, slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
        gitlabEnv(api.apiUrl, hook, { CI_JOB_STATUS: 'success' }),
      );
      const warnings = result.stderr.trim().split('\n');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(line);
      expect(warnings[0]).toMatch(/the summary says what the variables say$/);
      expect(api.requests).toHaveLength(1);
      expect((slack.requests[0]!.json as Payload).text).toBe(
        ':white_check_mark: chat-server production pipeline succeeded',
      );
      expectNoSecrets(result, GL_TOKEN);
    },
  );

  it('an API that never answers costs at most half of NOTIFY_TIMEOUT; the message still goes', async () => {
    const silent = track(await startSilentServer());
    const slack = track(await startFakeSlack());
    const started = Date.now();
    const result = await notify(
      ['finish', '--scope', 'pipeline', '--timeout', '4'],
      gitlabEnv(`http://127.0.0.1:${silent.port}/api/v4`, slack.webhookUrl, {
        CI_JOB_STATUS: 'success',
      }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.stderr).toMatch(/GitLab gave no answer within 2s \(half of NOTIFY_TIMEOUT\)/);
    expect(slack.requests).toHaveLength(1);
  });

  it('without a token: one note, and the pipeline message as before', async () => {
    const slack = track(await startFakeSlack());
    const env = gitlabEnv('http://127.0.0.1:9/api/v4', slack.webhookUrl, {
      CI_JOB_STATUS: 'success',
    });
    delete (env as Record<string, string>).NOTIFY_GITLAB_TOKEN;
    const result = await notify(['finish', '--scope', 'pipeline'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^notify: note: NOTIFY_GITLAB_TOKEN is not set: .*read_api/);
    expect(slack.requests).toHaveLength(1);
  });

  describe('a self-managed GitLab with its own CA', () => {
    const cas: PrivateCa[] = [];
    afterAll(() => cas.forEach((ca) => ca.remove()));

    it('is trusted through CI_SERVER_TLS_CA_FILE for the API, and only when it is set', async () => {
      const ca = createPrivateCa();
      cas.push(ca);
      const api = track(
        await startFakeGitLabApi({
          jobs: [gitlabJob({ id: 1, name: 'build', stage: 'build' })],
          token: GL_TOKEN,
          tls: ca.tls,
        }),
      );
      const slack = track(await startFakeSlack());
      const apiUrl = `https://127.0.0.1:${new URL(api.origin).port}/api/v4`;
      const trusted = await notify(
        ['finish', '--scope', 'pipeline'],
        gitlabEnv(apiUrl, slack.webhookUrl, { CI_SERVER_TLS_CA_FILE: ca.caFile }),
      );
      expect(trusted.code, trusted.stderr).toBe(0);
      expect(trusted.stderr).toBe('');
      expect(all(slack.requests[0]!.json as Payload)).toContain('|build>');

      const untrusted = await notify(
        ['finish', '--scope', 'pipeline'],
        gitlabEnv(apiUrl, slack.webhookUrl, { CI_JOB_STATUS: 'success' }),
      );
      expect(untrusted.code, untrusted.stderr).toBe(0);
      expect(untrusted.stderr).toMatch(
        /cannot read the pipeline's jobs: TLS to 127\.0\.0\.1:\d+ failed/,
      );
    });
  });
});

const githubEnv = (apiUrl: string, webhookUrl: string, more: Record<string, string> = {}) => ({
  GITHUB_ACTIONS: 'true',
  CI: 'true',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: apiUrl,
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_RUN_ID: '29679449',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_REF: 'refs/tags/v5.3.25',
  GITHUB_REF_NAME: 'v5.3.25',
  GITHUB_REF_TYPE: 'tag',
  GITHUB_SHA: 'f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0',
  GITHUB_ACTOR: 'mona',
  GITHUB_JOB: 'notify',
  GITHUB_WORKFLOW: 'CI',
  RUNNER_NAME: 'GitHub Actions 9',
  SLACK_WEBHOOK_URL: webhookUrl,
  GITHUB_TOKEN: GH_TOKEN,
  ...more,
});

/** Attempt 1 failed `test`; attempt 2 re-ran it and the jobs after it. */
const githubRun = (attempt: number) => {
  const job = (id: number, name: string, more: Record<string, unknown> = {}) =>
    githubJob({
      id,
      name,
      run_attempt: attempt,
      runner_name: `GitHub Actions ${id % 10}`,
      ...more,
    });
  if (attempt === 1) return [job(1, 'tag'), job(2, 'test', { conclusion: 'failure' })];
  return [
    job(1, 'tag', { started_at: '2024-05-01T10:00:00Z', completed_at: '2024-05-01T10:00:12Z' }),
    job(11, 'build (api)', {
      started_at: '2024-05-01T10:00:20Z',
      completed_at: '2024-05-01T10:03:20Z',
    }),
    job(12, 'build (web)', { conclusion: 'failure' }),
    job(13, 'test'),
    job(14, 'lint', { conclusion: 'cancelled' }),
    job(15, 'e2e', { conclusion: 'skipped' }),
    job(16, 'deploy', { status: 'waiting', conclusion: null, runner_name: null }),
    job(19, 'notify', { status: 'in_progress', conclusion: null }),
  ];
};

describe('GitHub: the whole run in one message', () => {
  it("reads the run attempt's jobs with the workflow's token, and links each job", async () => {
    const api = track(await startFakeGitHubApi({ jobs: githubRun, attempts: 2, token: GH_TOKEN }));
    const { result: result, slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      githubEnv(api.origin, hook),
    );
    expect(result.stderr).toBe('');
    const payload = slack.requests[0]!.json as Payload;
    expect(blockKitProblems(payload)).toEqual([]);
    expect(payload.text).toMatch(
      /^:x: octo-repo v5\.3\.25 .*pipeline failed in .*: build \(web\) failed$/,
    );
    const run = 'https://github.com/octo-org/octo-repo/actions/runs/29679449/job';
    expect(payload.blocks[1]!.text!.text).toBe(
      [
        '*Failed*',
        `:x: <${run}/12|build (web)>  2m 0s`,
        `:white_check_mark: <${run}/1|tag>  12s`,
        `:white_check_mark: <${run}/11|build (api)>  3m 0s`,
        `:white_check_mark: <${run}/13|test>  2m 0s`,
        `:no_entry_sign: <${run}/14|lint>  2m 0s  canceled`,
        `:heavy_minus_sign: <${run}/15|e2e>  skipped`,
        `:hand: <${run}/16|deploy>  manual`,
      ].join('\n'),
    );
    expect(all(payload)).toContain('Started by <https://github.com/mona|mona>');
    expect(api.requests.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/repos/octo-org/octo-repo/actions/runs/29679449/jobs?filter=all&per_page=100',
    ]);
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${GH_TOKEN}`);
    expect(api.requests[0]!.headers['x-github-api-version']).toBe('2022-11-28');
    expectNoSecrets(result, GH_TOKEN);
  });

  it('follows Link rel="next" to every page', async () => {
    const jobs = Array.from({ length: 7 }, (_, i) => githubJob({ id: 100 + i, name: `job ${i}` }));
    const api = track(await startFakeGitHubApi({ jobs, token: GH_TOKEN, perPageMax: 3 }));
    const { slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      githubEnv(api.origin, hook, { GITHUB_RUN_ATTEMPT: '' }),
    );
    expect(api.requests.map((r) => r.query.get('page'))).toEqual([null, '2', '3']);
    for (let i = 0; i < 7; i++)
      expect(all(slack.requests[0]!.json as Payload)).toContain(`|job ${i}>`);
  });

  it('a partial re-run keeps the earlier tries of the jobs it did not run again', async () => {
    const job = (id: number, name: string, attempt: number, conclusion = 'success') =>
      githubJob({ id, name, run_attempt: attempt, conclusion, runner_name: `r${id}` });
    const api = track(
      await startFakeGitHubApi({
        token: GH_TOKEN,
        attempts: 3,
        jobs: (attempt) =>
          attempt === 1
            ? [job(1, 'build', 1), job(2, 'test', 1, 'failure'), job(3, 'lint', 1)]
            : attempt === 2
              ? [
                  job(4, 'test', 2),
                  githubJob({
                    id: 5,
                    name: 'notify',
                    run_attempt: 2,
                    status: 'in_progress',
                    runner_name: 'r5',
                  }),
                ]
              : [job(6, 'test', 3, 'failure')],
      }),
    );
    const { slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      githubEnv(api.origin, hook, { RUNNER_NAME: 'r5', GITHUB_RUN_ATTEMPT: '2' }),
    );
    const payload = slack.requests[0]!.json as Payload;
    // Attempt 3 started since: it is not this run's. The runner r5 is this job's own.
    expect(payload.text).toMatch(/pipeline succeeded/);
    const lines = payload.blocks[1]!.text!.text.split('\n');
    expect(lines.map((line) => /\|([^>]+)>/.exec(line)?.[1])).toEqual(['build', 'lint', 'test']);
    expect(lines[2]).toContain('/job/4|test>');
  });

  it('two jobs may share a name on GitHub: both are listed, the failure first', async () => {
    const api = track(
      await startFakeGitHubApi({
        token: GH_TOKEN,
        jobs: [
          githubJob({ id: 10, name: 'Build', conclusion: 'failure' }),
          githubJob({ id: 11, name: 'Build' }),
        ],
      }),
    );
    const { slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      githubEnv(api.origin, hook),
    );
    const payload = slack.requests[0]!.json as Payload;
    expect(payload.text).toMatch(/pipeline failed.*: Build failed$/);
    expect(all(payload)).toContain('2 jobs: 1 passed, 1 failed');
  });

  it('a next page on another host is not read, said, and no success is claimed', async () => {
    const elsewhere = track(await startFakeGitHubApi({ jobs: [], token: GH_TOKEN }));
    const luring = track(
      await startFakeGitHubApi({
        jobs: [],
        token: GH_TOKEN,
        answer: () => ({
          status: 200,
          body: { total_count: 9, jobs: [githubJob({ id: 1, name: 'build' })] },
          headers: {
            link: `<${elsewhere.origin}/repositories/1/actions/runs/1/jobs?page=2>; rel="next"`,
          },
        }),
      }),
    );
    const { result: result, slack } = await finish(['finish', '--scope', 'pipeline'], (hook) =>
      githubEnv(luring.origin, hook),
    );
    expect(elsewhere.requests).toHaveLength(0);
    expect(result.stderr).toMatch(
      /GitHub's next page of jobs is on http:\/\/127\.0\.0\.1:\d+, not followed \(the token goes to GitHub's API only\)/,
    );
    expect((slack.requests[0]!.json as Payload).text).toMatch(/finished with an unknown status/);
  });

  it.each<[401 | 403 | 404, RegExp]>([
    [401, /GitHub refused GITHUB_TOKEN \(HTTP 401\)/],
    [
      403,
      /GITHUB_TOKEN may not read the run's jobs \(HTTP 403\): it needs the actions: read permission/,
    ],
    [404, /GitHub found no run 29679449 in octo-org\/octo-repo for GITHUB_TOKEN \(HTTP 404\)/],
  ])('HTTP %i: one line naming the permission', async (status, line) => {
    const api = track(
      await startFakeGitHubApi({ jobs: [], token: GH_TOKEN, answer: () => githubError(status) }),
    );
    const { result: result, slack } = await finish(
      ['finish', '--scope', 'pipeline', '--status', 'success'],
      (hook) => githubEnv(api.origin, hook),
    );
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
    expect(slack.requests).toHaveLength(1);
    expectNoSecrets(result, GH_TOKEN);
  });

  it('without a token, NOTIFY_NEEDS gives the results', async () => {
    const slack = track(await startFakeSlack());
    const env = githubEnv('http://127.0.0.1:9', slack.webhookUrl, {
      NOTIFY_NEEDS: JSON.stringify({
        build: { result: 'success', outputs: {} },
        deploy: { result: 'failure', outputs: {} },
        docs: { result: 'skipped', outputs: {} },
      }),
    });
    delete (env as Record<string, string>).GITHUB_TOKEN;
    const result = await notify(['finish', '--scope', 'pipeline'], env);
    expect(result.code, result.stderr).toBe(0);
    const payload = slack.requests[0]!.json as Payload;
    expect(payload.blocks[1]!.text!.text).toBe(
      [
        '*Failed*',
        ':x: deploy',
        ':white_check_mark: build',
        ':heavy_minus_sign: docs  skipped',
      ].join('\n'),
    );
    expect(payload.text).toMatch(/pipeline failed: deploy failed$/);
  });

  it("a job's own finish links its own page, found by its runner", async () => {
    const api = track(await startFakeGitHubApi({ jobs: githubRun, attempts: 2, token: GH_TOKEN }));
    const { slack } = await finish(['finish', '--status', 'failure'], (hook) =>
      githubEnv(api.origin, hook),
    );
    expect(all(slack.requests[0]!.json as Payload)).toContain(
      '<https://github.com/octo-org/octo-repo/actions/runs/29679449/job/19|View failed job>',
    );
  });
});

describe('what the API answers is checked, and said in its own terms', () => {
  const one = [gitlabJob({ id: 1, name: 'build', stage: 'build' })];
  const run = async (answer: Parameters<typeof startFakeGitLabApi>[0]['answer'], extra = {}) => {
    const api = track(await startFakeGitLabApi({ jobs: one, token: GL_TOKEN, answer }));
    const slack = track(await startFakeSlack());
    const result = await notify(
      ['finish', '--scope', 'pipeline', '--timeout', '6'],
      gitlabEnv(api.apiUrl, slack.webhookUrl, { CI_JOB_STATUS: 'success', ...extra }),
    );
    return { api, slack, result };
  };

  it('a redirect is not followed, and names the setting to fix', async () => {
    const { api, slack, result } = await run(() => ({
      status: 301,
      body: {},
      headers: { location: 'https://gitlab.elsewhere.example/api/v4/projects/42' },
    }));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /GitLab answered with a redirect \(HTTP 301\) to https:\/\/gitlab\.elsewhere\.example, not followed: check CI_API_V4_URL/,
    );
    expect(api.requests).toHaveLength(1);
    expect(slack.requests).toHaveLength(1);
  });

  it('an answer that is not a list of jobs is a warning, not a summary of nothing', async () => {
    const { result, slack } = await run(() => ({ status: 200, body: { jobs: {} } }));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /cannot read the pipeline's jobs: GitLab's answer is not a list of jobs/,
    );
    expect((slack.requests[0]!.json as Payload).text).toBe(
      ':white_check_mark: chat-server production pipeline succeeded',
    );
  });

  it('a 429 is the API rate limiting the token, and a retry line names the API', async () => {
    let calls = 0;
    const { result } = await run((req) =>
      req.path.endsWith('/jobs') && calls++ === 0
        ? { status: 500, body: { message: '500 Internal Server Error' } }
        : req.path.endsWith('/jobs')
          ? { status: 429, body: { message: 'Retry later' }, headers: { 'retry-after': '3600' } }
          : undefined,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/attempt 1 failed \(GitLab API: HTTP 500\)/);
    expect(result.stderr).toMatch(/GitLab is rate limiting the token \(HTTP 429\)/);
    expect(result.stderr).not.toMatch(/Slack/);
  });

  it('an x-next-page that does not move on ends the walk', async () => {
    const { api, result } = await run((req) =>
      req.path.endsWith('/jobs')
        ? {
            status: 200,
            body: [gitlabJob({ id: 1, name: 'build' })],
            headers: { 'x-next-page': '1' },
          }
        : undefined,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(api.requests.filter((r) => r.path.endsWith('/jobs'))).toHaveLength(1);
  });
});

describe('what decides the result is the job’s, never the checkout’s', () => {
  it('a .env cannot make a failed job speak for a green pipeline', async () => {
    const api = track(
      await startFakeGitLabApi({ jobs: [gitlabJob({ id: 1, name: 'build' })], token: GL_TOKEN }),
    );
    const slack = track(await startFakeSlack());
    const dir = mkdtempSync(join(tmpdir(), 'notify-summary-'));
    try {
      writeFileSync(join(dir, '.env'), `NOTIFY_SCOPE=pipeline\nNOTIFY_GITLAB_TOKEN=${GL_TOKEN}\n`);
      const env = gitlabEnv(api.apiUrl, slack.webhookUrl, {
        CI_JOB_STATUS: 'failed',
        CI_JOB_NAME: 'deploy',
        NOTIFY_ENV_FILE: '.env',
      });
      delete (env as Record<string, string>).NOTIFY_GITLAB_TOKEN;
      const result = await notify(['finish'], env, { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/NOTIFY_SCOPE in the env file is ignored/);
      expect(result.stderr).toMatch(/NOTIFY_GITLAB_TOKEN in the env file is ignored/);
      expect(api.requests).toHaveLength(0);
      expect((slack.requests[0]!.json as Payload).text).toMatch(
        /^:x: chat-server production job deploy failed/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nothing is read for a message that goes nowhere', async () => {
    const api = track(await startFakeGitLabApi({ jobs: [], token: GL_TOKEN }));
    const env = gitlabEnv(api.apiUrl, '');
    delete (env as Record<string, string>).SLACK_WEBHOOK_URL;
    const result = await notify(['finish', '--scope', 'pipeline'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/neither SLACK_WEBHOOK_URL nor SLACK_BOT_TOKEN is set/);
    expect(api.requests).toHaveLength(0);
  });

  it('a user named by hand is not linked to the CI user’s profile', async () => {
    const api = track(
      await startFakeGitLabApi({ jobs: [gitlabJob({ id: 1, name: 'build' })], token: GL_TOKEN }),
    );
    const { slack } = await finish(
      ['finish', '--scope', 'pipeline', '--user', 'release-bot'],
      (hook) => gitlabEnv(api.apiUrl, hook),
    );
    expect(all(slack.requests[0]!.json as Payload)).toContain('Started by release-bot');
    expect(all(slack.requests[0]!.json as Payload)).not.toContain('/jiyoung|');
  });
});

describe('Slack app mode', () => {
  it("the summary is the pipeline message's final state", async () => {
    const api = track(await startFakeGitLabApi({ jobs: gitlabPipeline(999), token: GL_TOKEN }));
    const slack = track(await startFakeSlackApi({ postRate: false }));
    const env = {
      ...gitlabEnv(api.apiUrl, ''),
      SLACK_BOT_TOKEN: slack.token,
      NOTIFY_CHANNEL: 'C0DEPLOYS',
      NOTIFY_SLACK_API_URL: slack.apiUrl,
    };
    const start = await notify(['start', '--scope', 'pipeline'], env);
    expect(start.code, start.stderr).toBe(0);
    const finish = await notify(['finish', '--scope', 'pipeline'], env);
    expect(finish.code, finish.stderr).toBe(0);
    const [parent] = slack.channelMessages('C0DEPLOYS');
    expect(parent?.text).toMatch(
      /^:x: chat-server production pipeline failed in .*: deploy failed$/,
    );
    expect(JSON.stringify(parent?.blocks)).toContain('|image>  1m 35s');
    expectNoSecrets(finish, GL_TOKEN, slack.token);
  });
});

describe('the version in the headline', () => {
  it('NOTIFY_VERSION on a branch; the tag on a tag, whatever NOTIFY_VERSION says', async () => {
    const slack = track(await startFakeSlack());
    const env = { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, NOTIFY_VERSION: 'v5.3.25' };
    const branch = await notify(['start'], env);
    expect(branch.code, branch.stderr).toBe(0);
    const tag = await notify(['start'], {
      ...env,
      CI_COMMIT_TAG: 'v5.4.0',
      CI_COMMIT_REF_NAME: 'v5.4.0',
    });
    expect(tag.code, tag.stderr).toBe(0);
    expect(slack.requests.map((r) => (r.json as Payload).text)).toEqual([
      ':rocket: chat-server v5.3.25 production job deploy is started by jiyoung',
      ':rocket: chat-server v5.4.0 job deploy is started by jiyoung',
    ]);
  });
});
