// https://circleci.com/docs/reference/variables/
import { describe, expect, it } from 'vitest';
import type { CiContext, Env } from '../../../src/context.ts';
import { circleci } from '../../../src/providers/circleci.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const REPO_URL = 'https://github.com/team/chat-server';
const WORKFLOW_ID = 'b86a4bc4-bcd1-4170-94d6-4af66846c1c1';
const WORKFLOW_URL = `https://app.circleci.com/pipelines/workflows/${WORKFLOW_ID}`;
const JOB_ID = '0f5c7a2e-3d41-4b8a-9c6e-1a2b3c4d5e6f';
const JOB_URL = 'https://circleci.com/gh/team/chat-server/4821';

/** A job of the workflow run for a push to main, on CircleCI cloud, for a GitHub OAuth project. */
const base: Env = {
  CI: 'true',
  CIRCLECI: 'true',
  CIRCLE_BRANCH: 'main',
  CIRCLE_BUILD_NUM: '4821',
  CIRCLE_BUILD_URL: JOB_URL,
  CIRCLE_JOB: 'deploy-prod',
  CIRCLE_NODE_INDEX: '0',
  CIRCLE_NODE_TOTAL: '1',
  CIRCLE_ORGANIZATION_ID: '6a1d2f3e-4b5c-4d6e-8f70-8192a3b4c5d6',
  CIRCLE_PIPELINE_ID: '4e1ffd3b-c260-43db-a66c-8766eaf7fc88',
  CIRCLE_PREVIOUS_BUILD_NUM: '4819',
  CIRCLE_PROJECT_ID: '9d8c7b6a-5f4e-4d3c-a2b1-0f9e8d7c6b5a',
  CIRCLE_PROJECT_REPONAME: 'chat-server',
  CIRCLE_PROJECT_USERNAME: 'team',
  CIRCLE_REPOSITORY_URL: 'git@github.com:team/chat-server.git',
  CIRCLE_SHA1: SHA,
  CIRCLE_USERNAME: 'jiyoung',
  CIRCLE_WORKFLOW_ID: WORKFLOW_ID,
  CIRCLE_WORKFLOW_JOB_ID: JOB_ID,
  CIRCLE_WORKFLOW_WORKSPACE_ID: WORKFLOW_ID,
  CIRCLE_WORKING_DIRECTORY: '~/project',
};

/** What a push to main yields; other cases state how they differ. */
const pushContext: CiContext = {
  provider: 'circleci',
  project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
  ref: { name: 'main', isTag: false },
  environment: {},
  user: 'jiyoung',
  commit: { sha: SHA, shortSha: 'e83c5163', url: `${REPO_URL}/commit/${SHA}` },
  pipeline: { id: WORKFLOW_ID, url: WORKFLOW_URL },
  job: { id: JOB_ID, name: 'deploy-prod', url: JOB_URL },
};

describe('circleci.detect', () => {
  it.each<[string, Env, boolean]>([
    ['CircleCI', base, true],
    ['CIRCLECI alone', { CIRCLECI: 'true' }, true],
    ['GitLab', { CI: 'true', GITLAB_CI: 'true' }, false],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
    ['Jenkins', { JENKINS_URL: 'https://jenkins.example.com/', BUILD_ID: '7' }, false],
    ['Travis CI', { CI: 'true', TRAVIS: 'true' }, false],
    ['Buildkite', { CI: 'true', BUILDKITE: 'true' }, false],
    ['Bitbucket Pipelines', { CI: 'true', BITBUCKET_BUILD_NUMBER: '42' }, false],
    ['Azure Pipelines', { TF_BUILD: 'True' }, false],
    ['CI=true alone', { CI: 'true' }, false],
    ['CIRCLECI set to an empty string', { CI: 'true', CIRCLECI: '' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(circleci.detect(env)).toBe(expected);
  });
});

describe('circleci.context', () => {
  it('push to main', () => {
    expect(circleci.context(base, io)).toEqual(pushContext);
  });

  it('a branch with an open pull request', () => {
    // CircleCI builds the pushed branch and links the pull request open for it.
    const sha = '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
    const env: Env = {
      ...base,
      CIRCLE_BRANCH: 'feature/login',
      CIRCLE_SHA1: sha,
      CIRCLE_JOB: 'unit-tests',
      CIRCLE_BUILD_NUM: '4830',
      CIRCLE_BUILD_URL: 'https://circleci.com/gh/team/chat-server/4830',
      CIRCLE_PULL_REQUEST: `${REPO_URL}/pull/17`,
      CIRCLE_PULL_REQUESTS: `${REPO_URL}/pull/17`,
      CIRCLE_USERNAME: 'minho',
    };
    expect(circleci.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'feature/login', isTag: false },
      user: 'minho',
      commit: { sha, shortSha: '5f1c0e2d', url: `${REPO_URL}/commit/${sha}` },
      job: {
        id: JOB_ID,
        name: 'unit-tests',
        url: 'https://circleci.com/gh/team/chat-server/4830',
      },
      change: { kind: 'pull_request', number: '17', url: `${REPO_URL}/pull/17` },
    });
  });

  it('a pull request from a fork', () => {
    // Forked pull requests build `pull/<n>` and add the CIRCLE_PR_* variables.
    const env: Env = {
      ...base,
      CIRCLE_BRANCH: 'pull/23',
      CIRCLE_PR_NUMBER: '23',
      CIRCLE_PR_REPONAME: 'chat-server',
      CIRCLE_PR_USERNAME: 'outside-dev',
      CIRCLE_PULL_REQUEST: `${REPO_URL}/pull/23`,
      CIRCLE_PULL_REQUESTS: `${REPO_URL}/pull/23`,
    };
    expect(circleci.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'pull/23', isTag: false },
      change: { kind: 'pull_request', number: '23', url: `${REPO_URL}/pull/23` },
    });
  });

  it('a fork pull request known only by CIRCLE_PR_NUMBER: the URL from the repository', () => {
    const env: Env = { ...base, CIRCLE_BRANCH: 'pull/23', CIRCLE_PR_NUMBER: '23' };
    expect(circleci.context(env, io).change).toEqual({
      kind: 'pull_request',
      number: '23',
      url: `${REPO_URL}/pull/23`,
    });
  });

  it.each<[string, Env, CiContext['change']]>([
    [
      'a trailing slash',
      { CIRCLE_PULL_REQUEST: `${REPO_URL}/pull/17/` },
      { kind: 'pull_request', number: '17', url: `${REPO_URL}/pull/17/` },
    ],
    [
      'a URL without a number, and CIRCLE_PR_NUMBER',
      { CIRCLE_PULL_REQUEST: 'https://example.com/pr/latest', CIRCLE_PR_NUMBER: '5' },
      { kind: 'pull_request', number: '5', url: 'https://example.com/pr/latest' },
    ],
    [
      'a URL without a number alone',
      { CIRCLE_PULL_REQUEST: 'https://example.com/pr/x' },
      undefined,
    ],
    ['a CIRCLE_PR_NUMBER that is not a number', { CIRCLE_PR_NUMBER: '23; rm -rf /' }, undefined],
    [
      'no repository URL to link a fork pull request',
      { CIRCLE_PR_NUMBER: '23', CIRCLE_REPOSITORY_URL: undefined },
      { kind: 'pull_request', number: '23', url: undefined },
    ],
    ['empty variables', { CIRCLE_PULL_REQUEST: '', CIRCLE_PR_NUMBER: ' ' }, undefined],
  ])('pull request from %s', (_name, overrides, expected) => {
    expect(circleci.context({ ...base, ...overrides }, io).change).toEqual(expected);
  });

  it('tag build', () => {
    // Tag builds have CIRCLE_TAG and no CIRCLE_BRANCH.
    const env: Env = { ...base, CIRCLE_BRANCH: undefined, CIRCLE_TAG: 'v1.2.0' };
    expect(circleci.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'v1.2.0', isTag: true },
    });
  });

  it('a Bitbucket Cloud project', () => {
    const bitbucket = 'https://bitbucket.org/team/chat-server';
    const env: Env = {
      ...base,
      CIRCLE_REPOSITORY_URL: 'git@bitbucket.org:team/chat-server.git',
      CIRCLE_BUILD_URL: 'https://circleci.com/bb/team/chat-server/4821',
      CIRCLE_PULL_REQUEST: `${bitbucket}/pull-requests/9`,
    };
    expect(circleci.context(env, io)).toEqual({
      ...pushContext,
      project: { name: 'chat-server', path: 'team/chat-server', url: bitbucket },
      commit: { sha: SHA, shortSha: 'e83c5163', url: `${bitbucket}/commits/${SHA}` },
      job: { ...pushContext.job, url: 'https://circleci.com/bb/team/chat-server/4821' },
      change: { kind: 'pull_request', number: '9', url: `${bitbucket}/pull-requests/9` },
    });
    // A fork pull request's link follows Bitbucket's shape too.
    const fork = circleci.context(
      { ...env, CIRCLE_PULL_REQUEST: undefined, CIRCLE_PR_NUMBER: '9' },
      io,
    );
    expect(fork.change?.url).toBe(`${bitbucket}/pull-requests/9`);
  });

  it('a GitLab or GitHub App project: no repository URL, so no project or commit link', () => {
    // CIRCLE_REPOSITORY_URL and CIRCLE_PULL_REQUEST(S) are for GitHub OAuth and Bitbucket Cloud.
    const env: Env = {
      ...base,
      CIRCLE_REPOSITORY_URL: undefined,
      CIRCLE_BUILD_URL: 'https://app.circleci.com/jobs/circleci/6a1d2f3e/9d8c7b6a/4821',
    };
    expect(circleci.context(env, io)).toEqual({
      ...pushContext,
      project: { name: 'chat-server', path: 'team/chat-server' },
      commit: { sha: SHA, shortSha: 'e83c5163' },
      job: { ...pushContext.job, url: env.CIRCLE_BUILD_URL },
    });
  });

  it('CircleCI Server: the job URL, but no guessed workflow URL', () => {
    const jobUrl = 'https://circleci.example.com/gh/team/chat-server/4821';
    expect(circleci.context({ ...base, CIRCLE_BUILD_URL: jobUrl }, io)).toEqual({
      ...pushContext,
      pipeline: { id: WORKFLOW_ID },
      job: { ...pushContext.job, url: jobUrl },
    });
  });

  it.each<[string, string | undefined, boolean]>([
    ['https://circleci.com/gh/…', JOB_URL, true],
    ['https://app.circleci.com/…', 'https://app.circleci.com/jobs/gh/team/chat-server/1', true],
    ['a look-alike host', 'https://circleci.com.example.net/gh/team/chat-server/1', false],
    ['plain http', 'http://circleci.com/gh/team/chat-server/1', false],
    ['text that is no URL', 'not a url', false],
    ['no job URL', undefined, false],
  ])('workflow URL from a job URL of %s', (_name, jobUrl, linked) => {
    const ctx = circleci.context({ ...base, CIRCLE_BUILD_URL: jobUrl }, io);
    expect(ctx.pipeline.url).toBe(linked ? WORKFLOW_URL : undefined);
  });

  it('the job id falls back to CIRCLE_BUILD_NUM', () => {
    const env: Env = { ...base, CIRCLE_WORKFLOW_JOB_ID: undefined };
    expect(circleci.context(env, io).job).toEqual({ ...pushContext.job, id: '4821' });
  });

  it.each<[string, string, CiContext['project'] | undefined]>([
    ['SSH', 'git@github.com:team/chat-server.git', { path: 'team/chat-server', url: REPO_URL }],
    [
      'SSH without .git',
      'git@github.com:team/chat-server',
      { path: 'team/chat-server', url: REPO_URL },
    ],
    ['HTTPS', 'https://github.com/team/chat-server', { path: 'team/chat-server', url: REPO_URL }],
    [
      'HTTPS with .git',
      'https://github.com/team/chat-server.git',
      { path: 'team/chat-server', url: REPO_URL },
    ],
    [
      'HTTPS with a trailing slash',
      'https://github.com/team/chat-server/',
      { path: 'team/chat-server', url: REPO_URL },
    ],
    [
      'an upper-case host',
      'git@GitHub.com:team/chat-server.git',
      { path: 'team/chat-server', url: REPO_URL },
    ],
    [
      'dots in the name',
      'git@github.com:team/chat.server.js.git',
      { path: 'team/chat.server.js', url: 'https://github.com/team/chat.server.js' },
    ],
    [
      'Bitbucket over HTTPS',
      'https://bitbucket.org/team/chat-server.git',
      { path: 'team/chat-server', url: 'https://bitbucket.org/team/chat-server' },
    ],
    ['GitHub Enterprise', 'git@github.example.com:team/chat-server.git', undefined],
    ['GitLab', 'git@gitlab.com:team/chat-server.git', undefined],
    ['an ssh:// URL', 'ssh://git@github.com/team/chat-server.git', undefined],
    ['plain http', 'http://github.com/team/chat-server', undefined],
    ['credentials in the URL', 'https://user@github.com/team/chat-server', undefined],
    ['a port', 'https://github.com:443/team/chat-server', undefined],
    ['a deeper path', 'https://github.com/team/sub/chat-server', undefined],
    ['a dot-dot segment', 'https://github.com/team/..', undefined],
    ['markup in the name', 'git@github.com:team/<b>chat</b>.git', undefined],
    ['a space', 'git@github.com:team/chat server.git', undefined],
  ])('repository URL: %s', (_name, repositoryUrl, expected) => {
    // Without CIRCLE_PROJECT_*, the repository URL alone names the project.
    const env: Env = {
      ...base,
      CIRCLE_REPOSITORY_URL: repositoryUrl,
      CIRCLE_PROJECT_USERNAME: undefined,
      CIRCLE_PROJECT_REPONAME: undefined,
    };
    const project = circleci.context(env, io).project;
    expect(project).toEqual(expected ? { ...expected, name: expected.path?.split('/')[1] } : {});
  });

  it('hostile values pass through as text and do not throw', () => {
    const env: Env = {
      CIRCLECI: 'true',
      CIRCLE_BRANCH: '<!channel> *bold*\nnext line',
      CIRCLE_JOB: 'deploy <@U123>',
      CIRCLE_USERNAME: '&lt;script&gt;',
      CIRCLE_SHA1: 'not-a-sha',
      CIRCLE_WORKFLOW_ID: '../../x?y=1#z',
      CIRCLE_BUILD_URL: JOB_URL,
      CIRCLE_PULL_REQUEST: 'javascript:alert(1)//42',
      CIRCLE_REPOSITORY_URL: 'git@github.com:team/chat-server.git',
    };
    expect(circleci.context(env, io)).toEqual({
      provider: 'circleci',
      project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
      ref: { name: '<!channel> *bold*\nnext line', isTag: false },
      environment: {},
      user: '&lt;script&gt;',
      commit: { sha: 'not-a-sha', shortSha: 'not-a-sh', url: `${REPO_URL}/commit/not-a-sha` },
      pipeline: {
        id: '../../x?y=1#z',
        url: 'https://app.circleci.com/pipelines/workflows/..%2F..%2Fx%3Fy%3D1%23z',
      },
      job: { name: 'deploy <@U123>', url: JOB_URL },
      change: { kind: 'pull_request', number: '42', url: 'javascript:alert(1)//42' },
    });
  });

  it('treats empty variables as missing and invents nothing', () => {
    // No status either: CircleCI has none among its variables; users pass --status.
    const env: Env = {
      CIRCLECI: 'true',
      CIRCLE_TAG: '',
      CIRCLE_BRANCH: ' ',
      CIRCLE_PULL_REQUEST: '',
      CIRCLE_REPOSITORY_URL: '',
    };
    expect(circleci.context(env, io)).toEqual({
      provider: 'circleci',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    });
  });
});
