// https://woodpecker-ci.org/docs/usage/environment
import { describe, expect, it } from 'vitest';
import type { CiContext, Env } from '../../../src/context.ts';
import { drone } from '../../../src/providers/drone.ts';
import { woodpecker } from '../../../src/providers/woodpecker.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const PR_SHA = '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const REPO_URL = 'https://git.example.com/team/chat-server';
const PIPELINE_URL = 'https://ci.example.com/repos/7/pipeline/128';

/**
 * A push to the default branch on a Gitea forge, in the `notify-finish` step of the `deploy`
 * workflow (`.woodpecker/deploy.yaml`), as Woodpecker 3.15+ sets it.
 */
const base: Env = {
  CI: 'woodpecker',
  CI_SYSTEM_NAME: 'woodpecker',
  CI_SYSTEM_URL: 'https://ci.example.com',
  CI_SYSTEM_HOST: 'ci.example.com',
  CI_SYSTEM_VERSION: '3.17.0',
  CI_FORGE_TYPE: 'gitea',
  CI_FORGE_URL: 'https://git.example.com',
  CI_REPO: 'team/chat-server',
  CI_REPO_OWNER: 'team',
  CI_REPO_NAME: 'chat-server',
  CI_REPO_REMOTE_ID: '82',
  CI_REPO_URL: REPO_URL,
  CI_REPO_CLONE_URL: `${REPO_URL}.git`,
  CI_REPO_CLONE_SSH_URL: 'git@git.example.com:team/chat-server.git',
  CI_REPO_DEFAULT_BRANCH: 'main',
  CI_REPO_PRIVATE: 'true',
  CI_COMMIT_SHA: SHA,
  CI_COMMIT_REF: 'refs/heads/main',
  CI_COMMIT_BRANCH: 'main',
  CI_COMMIT_MESSAGE: 'Add read receipts\n\nShow when a message was read.\n',
  CI_COMMIT_TIMESTAMP: '1746090843',
  CI_COMMIT_AUTHOR: 'jiyoung',
  CI_COMMIT_AUTHOR_EMAIL: 'jiyoung@example.com',
  CI_PIPELINE_NUMBER: '128',
  CI_PIPELINE_PARENT: '0',
  CI_PIPELINE_EVENT: 'push',
  CI_PIPELINE_URL: PIPELINE_URL,
  CI_PIPELINE_FORGE_URL: `${REPO_URL}/commit/${SHA}`,
  CI_PIPELINE_CREATED: '1746090840',
  CI_PIPELINE_STARTED: '1746090843',
  CI_PIPELINE_AUTHOR: 'jiyoung',
  CI_PIPELINE_AVATAR: 'https://git.example.com/avatars/5dcbcadbce6f87f8abef',
  CI_PIPELINE_FILES: '["deploy.sh"]',
  CI_PIPELINE_STATUS: 'success',
  CI_WORKFLOW_NAME: 'deploy',
  CI_STEP_NAME: 'notify-finish',
  CI_STEP_TYPE: 'commands',
  CI_STEP_NUMBER: '4',
  CI_STEP_STARTED: '1746091241',
  CI_STEP_URL: `${PIPELINE_URL}/4`,
  CI_WORKSPACE: '/woodpecker/src/git.example.com/team/chat-server',
};

/** What the push to main yields; other cases state how they differ. */
const pushContext: CiContext = {
  provider: 'woodpecker',
  project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
  ref: { name: 'main', isTag: false, defaultBranch: 'main' },
  environment: {},
  user: 'jiyoung',
  commit: {
    sha: SHA,
    shortSha: 'e83c5163',
    title: 'Add read receipts',
    author: 'jiyoung',
    url: `${REPO_URL}/commit/${SHA}`,
  },
  pipeline: {
    id: '128',
    url: PIPELINE_URL,
    source: 'push',
    startedAt: '2025-05-01T09:14:03Z',
  },
  job: { name: 'deploy', url: PIPELINE_URL },
  status: 'success',
};

/** A pull request from `feature/login` into main; CI_COMMIT_BRANCH is then the target. */
const pullRequestEnv: Env = {
  ...base,
  CI_COMMIT_SHA: PR_SHA,
  CI_COMMIT_REF: 'refs/pull/17/head',
  CI_COMMIT_REFSPEC: 'feature/login:main',
  CI_COMMIT_BRANCH: 'main',
  CI_COMMIT_SOURCE_BRANCH: 'feature/login',
  CI_COMMIT_TARGET_BRANCH: 'main',
  CI_COMMIT_PULL_REQUEST: '17',
  CI_COMMIT_PULL_REQUEST_LABELS: 'server',
  CI_COMMIT_PULL_REQUEST_DRAFT: 'false',
  CI_COMMIT_MESSAGE: 'Log in with SSO',
  CI_COMMIT_AUTHOR: 'minho',
  CI_PIPELINE_EVENT: 'pull_request',
  CI_PIPELINE_FORGE_URL: `${REPO_URL}/pulls/17`,
  CI_PIPELINE_AUTHOR: 'minho',
};

describe('woodpecker.detect', () => {
  it.each<[string, Env, boolean]>([
    ['Woodpecker', base, true],
    ['CI=woodpecker alone', { CI: 'woodpecker' }, true],
    ['GitLab', { CI: 'true', GITLAB_CI: 'true' }, false],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
    ['Drone', { CI: 'true', DRONE: 'true', DRONE_BUILD_STATUS: 'success' }, false],
    ['CI=true alone', { CI: 'true' }, false],
    ['another CI named in CI', { CI: 'drone' }, false],
    ['Woodpecker variables without CI=woodpecker', { ...base, CI: undefined }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(woodpecker.detect(env)).toBe(expected);
  });

  it("is not Drone, though Woodpecker sets Drone's variables for Drone plugins", () => {
    // What Woodpecker's Drone compatibility layer adds to a plugin step's environment.
    const pluginStep: Env = {
      ...base,
      CI_STEP_TYPE: 'plugin',
      DRONE_BUILD_STATUS: 'success',
      DRONE_REPO_SCM: 'git',
      DRONE_REPO: 'team/chat-server',
      DRONE_COMMIT_SHA: SHA,
      DRONE_BUILD_NUMBER: '128',
      DRONE_BUILD_LINK: PIPELINE_URL,
    };
    expect(woodpecker.detect(pluginStep)).toBe(true);
    expect(drone.detect(pluginStep)).toBe(false);
    // Even with DRONE=true exported by hand.
    expect(drone.detect({ ...pluginStep, DRONE: 'true' })).toBe(false);
  });
});

describe('woodpecker.context', () => {
  it('push to the default branch, in the final step of the deploy workflow', () => {
    expect(woodpecker.context(base, io)).toEqual(pushContext);
  });

  it('pull request on Gitea: the source branch, and a link to the pull request', () => {
    expect(woodpecker.context(pullRequestEnv, io)).toEqual({
      ...pushContext,
      ref: { name: 'feature/login', isTag: false, defaultBranch: 'main' },
      user: 'minho',
      commit: {
        sha: PR_SHA,
        shortSha: '5f1c0e2d',
        title: 'Log in with SSO',
        author: 'minho',
        url: `${REPO_URL}/commit/${PR_SHA}`,
      },
      pipeline: { ...pushContext.pipeline, source: 'pull_request' },
      change: { kind: 'pull_request', number: '17', url: `${REPO_URL}/pulls/17` },
    });
  });

  it.each<[string, string, string, string, CiContext['change']]>([
    [
      'GitHub',
      'github',
      'https://github.com/team/chat-server',
      'https://github.com/team/chat-server/commit/',
      { kind: 'pull_request', number: '17', url: 'https://github.com/team/chat-server/pull/17' },
    ],
    [
      'Forgejo',
      'forgejo',
      'https://codeberg.org/team/chat-server',
      'https://codeberg.org/team/chat-server/commit/',
      { kind: 'pull_request', number: '17', url: 'https://codeberg.org/team/chat-server/pulls/17' },
    ],
    [
      'GitLab: a merge request',
      'gitlab',
      'https://gitlab.example.com/team/sub/chat-server',
      'https://gitlab.example.com/team/sub/chat-server/-/commit/',
      {
        kind: 'merge_request',
        number: '17',
        url: 'https://gitlab.example.com/team/sub/chat-server/-/merge_requests/17',
      },
    ],
  ])('pull request on %s', (_name, forge, repoUrl, commitPrefix, change) => {
    const ctx = woodpecker.context(
      { ...pullRequestEnv, CI_FORGE_TYPE: forge, CI_REPO_URL: repoUrl },
      io,
    );
    expect(ctx.project.url).toBe(repoUrl);
    expect(ctx.commit.url).toBe(`${commitPrefix}${PR_SHA}`);
    expect(ctx.change).toEqual(change);
  });

  it.each<[string, Env]>([
    ['Bitbucket, whose links are not built', { CI_FORGE_TYPE: 'bitbucket' }],
    ['no forge type', { CI_FORGE_TYPE: undefined }],
    ['an unknown forge type', { CI_FORGE_TYPE: 'gogs' }],
    ['a repository URL that is no web address', { CI_REPO_URL: 'git.example.com/team/chat' }],
  ])('pull request with %s: the number, no link', (_name, overrides) => {
    const ctx = woodpecker.context({ ...pullRequestEnv, ...overrides }, io);
    expect(ctx.change).toEqual({ kind: 'pull_request', number: '17', url: undefined });
    // CI_PIPELINE_FORGE_URL is the pull request's page here, not a commit's.
    expect(ctx.commit.url).toBeUndefined();
  });

  it("a forge link that ends in the commit's SHA is the commit's URL on any forge", () => {
    const bitbucket = 'https://bitbucket.org/team/chat-server';
    const env: Env = {
      ...base,
      CI_FORGE_TYPE: 'bitbucket',
      CI_REPO_URL: bitbucket,
      CI_PIPELINE_FORGE_URL: `${bitbucket}/commits/${SHA}`,
    };
    expect(woodpecker.context(env, io).commit.url).toBe(`${bitbucket}/commits/${SHA}`);
    // A push of several commits links a compare view: no commit URL.
    const compare = { ...env, CI_PIPELINE_FORGE_URL: `${bitbucket}/branches/compare/${SHA}` };
    expect(woodpecker.context(compare, io).commit.url).toBeUndefined();
    // A link to another commit is not this one's.
    const other = { ...env, CI_PIPELINE_FORGE_URL: `${bitbucket}/commits/${PR_SHA}` };
    expect(woodpecker.context(other, io).commit.url).toBeUndefined();
  });

  it('tag pipeline', () => {
    const env: Env = {
      ...base,
      CI_COMMIT_REF: 'refs/tags/v1.2.0',
      CI_COMMIT_TAG: 'v1.2.0',
      CI_COMMIT_BRANCH: '',
      CI_COMMIT_MESSAGE: 'Release 1.2.0',
      CI_PIPELINE_EVENT: 'tag',
      CI_PIPELINE_FORGE_URL: `${REPO_URL}/src/tag/v1.2.0`,
    };
    expect(woodpecker.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'v1.2.0', isTag: true, defaultBranch: 'main' },
      commit: { ...pushContext.commit, title: 'Release 1.2.0' },
      pipeline: { ...pushContext.pipeline, source: 'tag' },
    });
  });

  it('a tag known only from CI_COMMIT_REF, and a branch only from CI_COMMIT_REF', () => {
    const tag = woodpecker.context({ ...base, CI_COMMIT_REF: 'refs/tags/v1.2.0' }, io);
    expect(tag.ref).toEqual({ name: 'v1.2.0', isTag: true, defaultBranch: 'main' });
    const branch = woodpecker.context(
      { ...base, CI_COMMIT_BRANCH: undefined, CI_COMMIT_REF: 'refs/heads/feature/login' },
      io,
    );
    expect(branch.ref).toEqual({ name: 'feature/login', isTag: false, defaultBranch: 'main' });
  });

  it('deployment event: the deploy target is the environment', () => {
    const env: Env = {
      ...base,
      CI_PIPELINE_EVENT: 'deployment',
      CI_PIPELINE_DEPLOY_TARGET: 'production',
      CI_PIPELINE_DEPLOY_TASK: 'migration',
    };
    expect(woodpecker.context(env, io)).toEqual({
      ...pushContext,
      environment: { name: 'production' },
      pipeline: { ...pushContext.pipeline, source: 'deployment' },
    });
  });

  it('cron and manual pipelines: the event as Woodpecker names it, and who started it', () => {
    const cron = woodpecker.context({ ...base, CI_PIPELINE_EVENT: 'cron' }, io);
    expect(cron.pipeline.source).toBe('cron');
    const manual = woodpecker.context(
      { ...base, CI_PIPELINE_EVENT: 'manual', CI_PIPELINE_AUTHOR: 'release-bot' },
      io,
    );
    expect(manual).toEqual({
      ...pushContext,
      user: 'release-bot',
      pipeline: { ...pushContext.pipeline, source: 'manual' },
    });
  });

  it.each<[string, Env, string | undefined]>([
    ['a passing workflow (3.15+)', { CI_PIPELINE_STATUS: 'success' }, 'success'],
    ['a failed workflow (3.15+)', { CI_PIPELINE_STATUS: 'failure' }, 'failed'],
    ['any case', { CI_PIPELINE_STATUS: 'FAILURE' }, 'failed'],
    [
      'CI_STEP_STATUS first (2.x)',
      { CI_STEP_STATUS: 'failure', CI_PIPELINE_STATUS: 'success' },
      'failed',
    ],
    [
      'CI_STEP_STATUS alone',
      { CI_STEP_STATUS: 'success', CI_PIPELINE_STATUS: undefined },
      'success',
    ],
    ['an empty CI_STEP_STATUS', { CI_STEP_STATUS: '', CI_PIPELINE_STATUS: 'failure' }, 'failed'],
    ['a value that is neither, as given', { CI_PIPELINE_STATUS: 'killed' }, 'killed'],
    ['no status at all (3.0 to 3.14)', { CI_PIPELINE_STATUS: undefined }, undefined],
  ])('status from %s', (_name, overrides, expected) => {
    expect(woodpecker.context({ ...base, ...overrides }, io).status).toBe(expected);
  });

  it('Woodpecker 2.x: CI_COMMIT_URL, no CI_PIPELINE_AUTHOR, CI_STEP_STATUS', () => {
    const env: Env = {
      ...base,
      CI_FORGE_TYPE: 'bitbucket',
      CI_PIPELINE_FORGE_URL: undefined,
      CI_COMMIT_URL: `https://bitbucket.org/team/chat-server/commits/${SHA}`,
      CI_PIPELINE_AUTHOR: undefined,
      CI_STEP_STATUS: 'failure',
      CI_PIPELINE_STATUS: 'failure',
      CI_PIPELINE_FINISHED: '1746091300',
    };
    expect(woodpecker.context(env, io)).toEqual({
      ...pushContext,
      user: undefined,
      commit: {
        ...pushContext.commit,
        url: `https://bitbucket.org/team/chat-server/commits/${SHA}`,
      },
      status: 'failed',
    });
  });

  it.each<[string, Env, string | undefined]>([
    ['CI_PIPELINE_STARTED', {}, '2025-05-01T09:14:03Z'],
    ['CI_PIPELINE_CREATED when not started', { CI_PIPELINE_STARTED: '0' }, '2025-05-01T09:14:00Z'],
    [
      'nothing from a value that is no timestamp',
      { CI_PIPELINE_STARTED: 'soon', CI_PIPELINE_CREATED: '-1' },
      undefined,
    ],
    [
      'nothing from one out of range',
      { CI_PIPELINE_STARTED: '99999999999999999999', CI_PIPELINE_CREATED: undefined },
      undefined,
    ],
    [
      'nothing from a fraction',
      { CI_PIPELINE_STARTED: '1746090843.5', CI_PIPELINE_CREATED: '' },
      undefined,
    ],
  ])('pipeline start from %s', (_name, overrides, expected) => {
    expect(woodpecker.context({ ...base, ...overrides }, io).pipeline.startedAt).toBe(expected);
  });

  it('a single-file config: the workflow is named after the file', () => {
    const env: Env = { ...base, CI_WORKFLOW_NAME: 'woodpecker', CI_STEP_NAME: 'notify-start' };
    expect(woodpecker.context(env, io).job).toEqual({ name: 'woodpecker', url: PIPELINE_URL });
  });

  it('passes odd values through and builds no link from them', () => {
    const env: Env = {
      ...pullRequestEnv,
      CI_COMMIT_PULL_REQUEST: '17/../../admin',
      CI_COMMIT_SHA: '<!channel>',
      CI_COMMIT_MESSAGE: '*bold* <https://evil.example|click>',
      CI_WORKFLOW_NAME: '<!here>',
      CI_FORGE_TYPE: 'constructor',
    };
    const ctx = woodpecker.context(env, io);
    expect(ctx.change).toEqual({ kind: 'pull_request', number: '17/../../admin', url: undefined });
    expect(ctx.commit).toEqual({
      sha: '<!channel>',
      shortSha: '<!channe',
      title: '*bold* <https://evil.example|click>',
      author: 'minho',
      url: undefined,
    });
    expect(ctx.job.name).toBe('<!here>');
  });

  it('treats empty variables as missing and invents nothing', () => {
    const env: Env = {
      CI: 'woodpecker',
      CI_COMMIT_TAG: '',
      CI_PIPELINE_DEPLOY_TARGET: '',
      CI_COMMIT_PULL_REQUEST: '  ',
      CI_PIPELINE_STATUS: '',
    };
    expect(woodpecker.context(env, io)).toEqual({
      provider: 'woodpecker',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    });
  });
});
