// https://docs.drone.io/pipeline/environment/reference/
import { describe, expect, it } from 'vitest';
import type { CiContext, Env } from '../../../src/context.ts';
import { drone } from '../../../src/providers/drone.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const BEFORE = '9c2f1e4b7a3d5c8e0f1a2b3c4d5e6f708192a3b4';
const PR_SHA = '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const REPO_URL = 'https://github.com/team/chat-server';
const BUILD_URL = 'https://drone.example.com/team/chat-server/42';

/**
 * A push to the default branch of a GitHub repository, in the `notify-finish` step of the
 * `deploy` pipeline, as the Docker runner sets it.
 */
const base: Env = {
  CI: 'true',
  DRONE: 'true',
  DRONE_SYSTEM_HOST: 'drone.example.com',
  DRONE_SYSTEM_HOSTNAME: 'drone.example.com',
  DRONE_SYSTEM_PROTO: 'https',
  DRONE_SYSTEM_VERSION: '2.26.0',
  DRONE_REPO: 'team/chat-server',
  DRONE_REPO_OWNER: 'team',
  DRONE_REPO_NAMESPACE: 'team',
  DRONE_REPO_NAME: 'chat-server',
  DRONE_REPO_LINK: REPO_URL,
  DRONE_REPO_BRANCH: 'main',
  DRONE_REPO_PRIVATE: 'true',
  DRONE_REPO_VISIBILITY: 'private',
  DRONE_REPO_SCM: 'git',
  DRONE_REMOTE_URL: `${REPO_URL}.git`,
  DRONE_GIT_HTTP_URL: `${REPO_URL}.git`,
  DRONE_GIT_SSH_URL: 'git@github.com:team/chat-server.git',
  DRONE_BRANCH: 'main',
  DRONE_SOURCE_BRANCH: 'main',
  DRONE_TARGET_BRANCH: 'main',
  DRONE_COMMIT: SHA,
  DRONE_COMMIT_SHA: SHA,
  DRONE_COMMIT_BEFORE: BEFORE,
  DRONE_COMMIT_AFTER: SHA,
  DRONE_COMMIT_REF: 'refs/heads/main',
  DRONE_COMMIT_BRANCH: 'main',
  // GitHub pushes link the compare view, not the commit.
  DRONE_COMMIT_LINK: `${REPO_URL}/compare/${BEFORE}...${SHA}`,
  DRONE_COMMIT_MESSAGE: 'Add read receipts\n\nShow when a message was read.\n',
  DRONE_COMMIT_AUTHOR: 'jiyoung',
  DRONE_COMMIT_AUTHOR_NAME: 'Jiyoung Kim',
  DRONE_COMMIT_AUTHOR_EMAIL: 'jiyoung@example.com',
  DRONE_COMMIT_AUTHOR_AVATAR: 'https://avatars.githubusercontent.com/u/1001',
  DRONE_BUILD_NUMBER: '42',
  DRONE_BUILD_PARENT: '0',
  DRONE_BUILD_EVENT: 'push',
  DRONE_BUILD_ACTION: '',
  DRONE_BUILD_LINK: BUILD_URL,
  DRONE_BUILD_TRIGGER: '@hook',
  DRONE_BUILD_CREATED: '1746090840',
  DRONE_BUILD_STARTED: '1746090843',
  DRONE_BUILD_FINISHED: '1746091300',
  DRONE_BUILD_STATUS: 'success',
  DRONE_STAGE_KIND: 'pipeline',
  DRONE_STAGE_TYPE: 'docker',
  DRONE_STAGE_NAME: 'deploy',
  DRONE_STAGE_NUMBER: '1',
  DRONE_STAGE_MACHINE: 'runner-1',
  DRONE_STAGE_OS: 'linux',
  DRONE_STAGE_ARCH: 'amd64',
  DRONE_STAGE_STARTED: '1746090845',
  DRONE_STAGE_FINISHED: '1746091300',
  DRONE_STAGE_STATUS: 'success',
  DRONE_STEP_NAME: 'notify-finish',
  DRONE_STEP_NUMBER: '4',
  DRONE_WORKSPACE: '/drone/src',
};

/** What the push to main yields; other cases state how they differ. */
const pushContext: CiContext = {
  provider: 'drone',
  project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
  ref: { name: 'main', isTag: false, defaultBranch: 'main' },
  environment: {},
  commit: {
    sha: SHA,
    shortSha: 'e83c5163',
    title: 'Add read receipts',
    author: 'Jiyoung Kim',
    url: `${REPO_URL}/commit/${SHA}`,
  },
  pipeline: { id: '42', url: BUILD_URL, source: 'push', startedAt: '2025-05-01T09:14:03Z' },
  job: { name: 'deploy', url: BUILD_URL, startedAt: '2025-05-01T09:14:05Z' },
  status: 'success',
};

/** A pull request from `feature/login` into main; DRONE_COMMIT_BRANCH is then the target. */
const pullRequestEnv: Env = {
  ...base,
  DRONE_COMMIT: PR_SHA,
  DRONE_COMMIT_SHA: PR_SHA,
  DRONE_COMMIT_AFTER: PR_SHA,
  DRONE_COMMIT_REF: 'refs/pull/17/head',
  DRONE_COMMIT_BRANCH: 'main',
  DRONE_BRANCH: 'main',
  DRONE_SOURCE_BRANCH: 'feature/login',
  DRONE_TARGET_BRANCH: 'main',
  DRONE_COMMIT_LINK: `${REPO_URL}/pull/17`,
  DRONE_COMMIT_MESSAGE: 'Log in with SSO',
  DRONE_COMMIT_AUTHOR: 'minho',
  DRONE_COMMIT_AUTHOR_NAME: 'Minho Park',
  DRONE_BUILD_EVENT: 'pull_request',
  DRONE_BUILD_ACTION: 'synchronized',
  DRONE_PULL_REQUEST: '17',
  DRONE_PULL_REQUEST_TITLE: 'Log in with SSO',
};

describe('drone.detect', () => {
  it.each<[string, Env, boolean]>([
    ['Drone', base, true],
    ['DRONE=true alone', { DRONE: 'true' }, true],
    ['GitLab', { CI: 'true', GITLAB_CI: 'true' }, false],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
    ['CI=true alone', { CI: 'true' }, false],
    ['DRONE set to something else', { CI: 'true', DRONE: 'false' }, false],
    ['Drone variables without DRONE=true', { ...base, DRONE: undefined }, false],
    // Woodpecker's Drone compatibility layer: DRONE_* variables, DRONE_BUILD_STATUS always success.
    ['Woodpecker with Drone variables', { ...base, CI: 'woodpecker' }, false],
    ['Woodpecker alone', { CI: 'woodpecker' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(drone.detect(env)).toBe(expected);
  });
});

describe('drone.context', () => {
  it('push to the default branch, in the final step of the deploy pipeline', () => {
    // A webhook (@hook) started it: Drone does not say who pushed, so there is no user.
    expect(drone.context(base, io)).toEqual(pushContext);
  });

  it('pull request on GitHub: the source branch, title and link', () => {
    expect(drone.context(pullRequestEnv, io)).toEqual({
      ...pushContext,
      ref: { name: 'feature/login', isTag: false, defaultBranch: 'main' },
      commit: {
        sha: PR_SHA,
        shortSha: '5f1c0e2d',
        title: 'Log in with SSO',
        author: 'Minho Park',
        url: `${REPO_URL}/commit/${PR_SHA}`,
      },
      pipeline: { ...pushContext.pipeline, source: 'pull_request' },
      change: {
        kind: 'pull_request',
        number: '17',
        title: 'Log in with SSO',
        url: `${REPO_URL}/pull/17`,
      },
    });
  });

  it('merge request on a self-hosted GitLab: the kind and link from DRONE_COMMIT_LINK', () => {
    const repo = 'https://gitlab.example.com/team/sub/chat-server';
    const env: Env = {
      ...pullRequestEnv,
      DRONE_REPO_LINK: repo,
      DRONE_COMMIT_LINK: `${repo}/-/merge_requests/17`,
    };
    const ctx = drone.context(env, io);
    expect(ctx.change).toEqual({
      kind: 'merge_request',
      number: '17',
      title: 'Log in with SSO',
      url: `${repo}/-/merge_requests/17`,
    });
    // A self-hosted forge's commit URL is not built: its shape cannot be told.
    expect(ctx.commit.url).toBeUndefined();
  });

  it('merge request on gitlab.com without a link: built from the repository', () => {
    const repo = 'https://gitlab.com/team/chat-server';
    const env: Env = { ...pullRequestEnv, DRONE_REPO_LINK: repo, DRONE_COMMIT_LINK: '' };
    const ctx = drone.context(env, io);
    expect(ctx.change).toEqual({
      kind: 'merge_request',
      number: '17',
      title: 'Log in with SSO',
      url: `${repo}/-/merge_requests/17`,
    });
    expect(ctx.commit.url).toBe(`${repo}/-/commit/${PR_SHA}`);
  });

  it.each<[string, Env]>([
    [
      'a self-hosted forge with no pull request link',
      { DRONE_REPO_LINK: 'https://git.example.com/team/chat-server', DRONE_COMMIT_LINK: '' },
    ],
    [
      "a link to another pull request's number",
      {
        DRONE_REPO_LINK: 'https://git.example.com/team/chat-server',
        DRONE_COMMIT_LINK: 'https://git.example.com/team/chat-server/pulls/18',
      },
    ],
    ['a number that is no number', { DRONE_PULL_REQUEST: '17/../../admin' }],
  ])('pull request with %s: no link', (_name, overrides) => {
    const env = { ...pullRequestEnv, ...overrides };
    expect(drone.context(env, io).change).toEqual({
      kind: 'pull_request',
      number: env.DRONE_PULL_REQUEST,
      title: 'Log in with SSO',
      url: undefined,
    });
  });

  it('pull request on Gitea: the link Drone gives', () => {
    const repo = 'https://git.example.com/team/chat-server';
    const env: Env = {
      ...pullRequestEnv,
      DRONE_REPO_LINK: repo,
      DRONE_COMMIT_LINK: `${repo}/pulls/17`,
    };
    expect(drone.context(env, io).change?.url).toBe(`${repo}/pulls/17`);
  });

  it.each<[string, string, string | undefined]>([
    [
      "a self-hosted forge's link to this commit",
      `https://git.example.com/team/chat-server/commit/${SHA}`,
      `https://git.example.com/team/chat-server/commit/${SHA}`,
    ],
    [
      "Bitbucket's link to this commit",
      `https://bitbucket.example.com/projects/TEAM/repos/chat-server/commits/${SHA}`,
      `https://bitbucket.example.com/projects/TEAM/repos/chat-server/commits/${SHA}`,
    ],
    [
      'a compare view',
      `https://git.example.com/team/chat-server/compare/${BEFORE}...${SHA}`,
      undefined,
    ],
    [
      'a link to another commit',
      `https://git.example.com/team/chat-server/commit/${BEFORE}`,
      undefined,
    ],
  ])('commit URL from %s', (_name, link, expected) => {
    const env: Env = {
      ...base,
      DRONE_REPO_LINK: 'https://git.example.com/team/chat-server',
      DRONE_COMMIT_LINK: link,
    };
    expect(drone.context(env, io).commit.url).toBe(expected);
  });

  it('tag build', () => {
    const env: Env = {
      ...base,
      DRONE_TAG: 'v1.2.0',
      DRONE_COMMIT_REF: 'refs/tags/v1.2.0',
      DRONE_COMMIT_BRANCH: '',
      DRONE_BRANCH: '',
      DRONE_SOURCE_BRANCH: '',
      DRONE_TARGET_BRANCH: '',
      DRONE_COMMIT_LINK: `${REPO_URL}/releases/tag/v1.2.0`,
      DRONE_COMMIT_MESSAGE: 'Release 1.2.0',
      DRONE_BUILD_EVENT: 'tag',
      DRONE_SEMVER: '1.2.0',
    };
    expect(drone.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'v1.2.0', isTag: true, defaultBranch: 'main' },
      commit: { ...pushContext.commit, title: 'Release 1.2.0' },
      pipeline: { ...pushContext.pipeline, source: 'tag' },
    });
  });

  it('a tag known only from DRONE_COMMIT_REF, and a branch only from DRONE_COMMIT_REF', () => {
    const refOnly: Env = {
      ...base,
      DRONE_SOURCE_BRANCH: undefined,
      DRONE_COMMIT_BRANCH: undefined,
    };
    const tag = drone.context({ ...refOnly, DRONE_COMMIT_REF: 'refs/tags/v1.2.0' }, io);
    expect(tag.ref).toEqual({ name: 'v1.2.0', isTag: true, defaultBranch: 'main' });
    const branch = drone.context({ ...refOnly, DRONE_COMMIT_REF: 'refs/heads/feature/login' }, io);
    expect(branch.ref).toEqual({ name: 'feature/login', isTag: false, defaultBranch: 'main' });
  });

  it('promotion by a user: the target environment, and who promoted it', () => {
    const env: Env = {
      ...base,
      DRONE_BUILD_NUMBER: '43',
      DRONE_BUILD_PARENT: '42',
      DRONE_BUILD_LINK: 'https://drone.example.com/team/chat-server/43',
      DRONE_BUILD_EVENT: 'promote',
      DRONE_BUILD_TRIGGER: 'jiyoung',
      DRONE_DEPLOY_TO: 'production',
    };
    const url = 'https://drone.example.com/team/chat-server/43';
    expect(drone.context(env, io)).toEqual({
      ...pushContext,
      environment: { name: 'production' },
      user: 'jiyoung',
      pipeline: { ...pushContext.pipeline, id: '43', url, source: 'promote' },
      job: { ...pushContext.job, url },
    });
  });

  it.each<[string, string, string, string | undefined]>([
    ['a cron', 'cron', '@cron', undefined],
    ['a webhook', 'push', '@hook', undefined],
    ['a user (custom build)', 'custom', 'f.bar', 'f.bar'],
    ['a rollback by a user', 'rollback', 'tphoney', 'tphoney'],
  ])('started by %s', (_name, event, trigger, user) => {
    const ctx = drone.context(
      { ...base, DRONE_BUILD_EVENT: event, DRONE_BUILD_TRIGGER: trigger },
      io,
    );
    expect(ctx.pipeline.source).toBe(event);
    expect(ctx.user).toBe(user);
  });

  it.each<[string, Env, string | undefined]>([
    ['a passing build', {}, 'success'],
    ['a failed build', { DRONE_BUILD_STATUS: 'failure', DRONE_STAGE_STATUS: 'failure' }, 'failed'],
    ['any case', { DRONE_BUILD_STATUS: 'Failure', DRONE_STAGE_STATUS: 'Failure' }, 'failed'],
    // A parallel pipeline failed: the build did, though this pipeline has not (yet).
    ['a failed build, this pipeline passing', { DRONE_BUILD_STATUS: 'failure' }, 'failed'],
    // The build's snapshot may lag behind this pipeline's own state.
    [
      'this pipeline failed, the build snapshot passing',
      { DRONE_STAGE_STATUS: 'failure' },
      'failed',
    ],
    ['DRONE_BUILD_STATUS alone', { DRONE_STAGE_STATUS: undefined }, 'success'],
    ['DRONE_STAGE_STATUS alone', { DRONE_BUILD_STATUS: undefined }, 'success'],
    ['a value that is neither, as given', { DRONE_BUILD_STATUS: 'killed' }, 'killed'],
    ['no status', { DRONE_BUILD_STATUS: '', DRONE_STAGE_STATUS: undefined }, undefined],
  ])('status from %s', (_name, overrides, expected) => {
    expect(drone.context({ ...base, ...overrides }, io).status).toBe(expected);
  });

  it.each<[string, Env, string | undefined, string | undefined]>([
    ['the documented timestamps', {}, '2025-05-01T09:14:03Z', '2025-05-01T09:14:05Z'],
    [
      'DRONE_BUILD_CREATED when not started',
      { DRONE_BUILD_STARTED: '0' },
      '2025-05-01T09:14:00Z',
      '2025-05-01T09:14:05Z',
    ],
    [
      'values that are no timestamps',
      { DRONE_BUILD_STARTED: 'soon', DRONE_BUILD_CREATED: '-1', DRONE_STAGE_STARTED: '1e9' },
      undefined,
      undefined,
    ],
    [
      'values out of range',
      {
        DRONE_BUILD_STARTED: '99999999999999999999',
        DRONE_BUILD_CREATED: undefined,
        DRONE_STAGE_STARTED: '0',
      },
      undefined,
      undefined,
    ],
  ])('start times from %s', (_name, overrides, pipeline, job) => {
    const ctx = drone.context({ ...base, ...overrides }, io);
    expect(ctx.pipeline.startedAt).toBe(pipeline);
    expect(ctx.job.startedAt).toBe(job);
  });

  it('falls back to DRONE_COMMIT and to the author login', () => {
    const env: Env = {
      ...base,
      DRONE_COMMIT_SHA: undefined,
      DRONE_COMMIT_AUTHOR_NAME: '',
      DRONE_COMMIT_MESSAGE: 'Fix the login loop\r\n\r\nIt redirected forever.',
    };
    expect(drone.context(env, io).commit).toEqual({
      ...pushContext.commit,
      title: 'Fix the login loop',
      author: 'jiyoung',
    });
  });

  it('passes odd values through and builds no link from them', () => {
    const env: Env = {
      ...pullRequestEnv,
      DRONE_REPO_LINK: 'javascript:alert(1)//github.com/team/chat-server',
      DRONE_COMMIT_LINK: '<https://evil.example|click>',
      DRONE_PULL_REQUEST_TITLE: '<!channel> *urgent*',
      DRONE_STAGE_NAME: '<!here>',
      DRONE_BUILD_TRIGGER: '<@U123>',
    };
    const ctx = drone.context(env, io);
    expect(ctx.project.url).toBe('javascript:alert(1)//github.com/team/chat-server');
    expect(ctx.commit.url).toBeUndefined();
    expect(ctx.change).toEqual({
      kind: 'pull_request',
      number: '17',
      title: '<!channel> *urgent*',
      url: undefined,
    });
    expect(ctx.job.name).toBe('<!here>');
    expect(ctx.user).toBe('<@U123>');
  });

  it('treats empty variables as missing and invents nothing', () => {
    const env: Env = {
      DRONE: 'true',
      DRONE_TAG: '',
      DRONE_DEPLOY_TO: '',
      DRONE_PULL_REQUEST: '',
      DRONE_PULL_REQUEST_TITLE: '',
      DRONE_BUILD_STATUS: '  ',
    };
    expect(drone.context(env, io)).toEqual({
      provider: 'drone',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    });
  });
});
