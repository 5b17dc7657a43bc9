// https://buildkite.com/docs/pipelines/configure/environment-variables
import { describe, expect, it } from 'vitest';
import type { CiContext, Env } from '../../../src/context.ts';
import { buildkite } from '../../../src/providers/buildkite.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const REPO_URL = 'https://github.com/team/chat-server';
const PIPELINE_URL = 'https://buildkite.com/acme-inc/chat-server';
const BUILD_URL = `${PIPELINE_URL}/builds/1514`;
const JOB_ID = 'e44f9784-e20e-4b93-a21d-f41fd5869db9';

/** The deploy step of a build for a push to the default branch, as the agent sets it. */
const base: Env = {
  CI: 'true',
  BUILDKITE: 'true',
  BUILDKITE_ORGANIZATION_SLUG: 'acme-inc',
  BUILDKITE_ORGANIZATION_ID: '6abcd532-f9b7-41e9-8717-40fb75a82b5d',
  BUILDKITE_PIPELINE_SLUG: 'chat-server',
  BUILDKITE_PIPELINE_NAME: 'Chat Server',
  BUILDKITE_PIPELINE_ID: 'd18439cc-df59-45b0-97cc-98d7fb69d983',
  BUILDKITE_PIPELINE_PROVIDER: 'github',
  BUILDKITE_PIPELINE_DEFAULT_BRANCH: 'main',
  BUILDKITE_REPO: 'git@github.com:team/chat-server.git',
  BUILDKITE_BRANCH: 'main',
  BUILDKITE_TAG: '',
  BUILDKITE_COMMIT: SHA,
  BUILDKITE_MESSAGE: 'Add read receipts\n\nShow when a message was read.\n',
  BUILDKITE_BUILD_ID: '4735ba57-80d0-46e2-8fa0-b28223a86586',
  BUILDKITE_BUILD_NUMBER: '1514',
  BUILDKITE_BUILD_URL: BUILD_URL,
  BUILDKITE_BUILD_CREATOR: 'Jiyoung Kim',
  BUILDKITE_BUILD_CREATOR_EMAIL: 'jiyoung@example.com',
  BUILDKITE_BUILD_AUTHOR: 'Jiyoung Kim',
  BUILDKITE_BUILD_AUTHOR_EMAIL: 'jiyoung@example.com',
  BUILDKITE_SOURCE: 'webhook',
  BUILDKITE_PULL_REQUEST: 'false',
  BUILDKITE_PULL_REQUEST_BASE_BRANCH: '',
  BUILDKITE_PULL_REQUEST_REPO: '',
  BUILDKITE_JOB_ID: JOB_ID,
  BUILDKITE_STEP_ID: '080b7d73-986d-4a39-a510-b34f9faf4710',
  BUILDKITE_STEP_KEY: 'deploy',
  BUILDKITE_LABEL: ':rocket: Deploy',
  BUILDKITE_COMMAND: 'notify start && ./deploy.sh',
  BUILDKITE_RETRY_COUNT: '0',
  BUILDKITE_TIMEOUT: 'false',
  BUILDKITE_AGENT_NAME: 'elastic-builders-088264dc4f9',
};

/** What the deploy step of a push to main yields; other cases state how they differ. */
const pushContext: CiContext = {
  provider: 'buildkite',
  project: { name: 'Chat Server', path: 'acme-inc/chat-server', url: PIPELINE_URL },
  ref: { name: 'main', isTag: false, defaultBranch: 'main' },
  environment: {},
  user: 'Jiyoung Kim',
  commit: {
    sha: SHA,
    shortSha: 'e83c5163',
    title: 'Add read receipts',
    author: 'Jiyoung Kim',
    url: `${REPO_URL}/commit/${SHA}`,
  },
  pipeline: { id: '1514', url: BUILD_URL, source: 'webhook' },
  job: { id: JOB_ID, name: ':rocket: Deploy', url: `${BUILD_URL}#${JOB_ID}` },
};

describe('buildkite.detect', () => {
  it.each<[string, Env, boolean]>([
    ['Buildkite agent', base, true],
    ['BUILDKITE alone', { BUILDKITE: 'true' }, true],
    ['BUILDKITE set to an empty string', { CI: 'true', BUILDKITE: '' }, false],
    ['CI=true alone', { CI: 'true' }, false],
    ['GitLab', { CI: 'true', GITLAB_CI: 'true' }, false],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
    ['Jenkins', { JENKINS_URL: 'https://jenkins.example.com/', BUILD_ID: '42' }, false],
    ['CircleCI', { CI: 'true', CIRCLECI: 'true' }, false],
    ['Bitbucket Pipelines', { CI: 'true', BITBUCKET_BUILD_NUMBER: '7' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(buildkite.detect(env)).toBe(expected);
  });
});

describe('buildkite.context', () => {
  it('push to the default branch', () => {
    expect(buildkite.context(base, io)).toEqual(pushContext);
  });

  it('pull request from a fork: the pull request is on the pipeline repository', () => {
    const env: Env = {
      ...base,
      BUILDKITE_BRANCH: 'minho:feature/login',
      BUILDKITE_COMMIT: '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
      BUILDKITE_MESSAGE: 'Log in with SSO',
      BUILDKITE_BUILD_NUMBER: '1515',
      BUILDKITE_BUILD_URL: `${PIPELINE_URL}/builds/1515`,
      BUILDKITE_BUILD_CREATOR: 'Minho Park',
      BUILDKITE_BUILD_AUTHOR: 'Minho Park',
      BUILDKITE_PULL_REQUEST: '17',
      BUILDKITE_PULL_REQUEST_BASE_BRANCH: 'main',
      BUILDKITE_PULL_REQUEST_REPO: 'git://github.com/minho/chat-server.git',
      BUILDKITE_PULL_REQUEST_LABELS: 'auth,ui',
      BUILDKITE_LABEL: ':jest: Unit tests',
      BUILDKITE_STEP_KEY: 'unit-tests',
    };
    expect(buildkite.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'minho:feature/login', isTag: false, defaultBranch: 'main' },
      user: 'Minho Park',
      commit: {
        sha: '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
        shortSha: '5f1c0e2d',
        title: 'Log in with SSO',
        author: 'Minho Park',
        url: `${REPO_URL}/commit/5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d`,
      },
      pipeline: { id: '1515', url: `${PIPELINE_URL}/builds/1515`, source: 'webhook' },
      job: {
        id: JOB_ID,
        name: ':jest: Unit tests',
        url: `${PIPELINE_URL}/builds/1515#${JOB_ID}`,
      },
      change: { kind: 'pull_request', number: '17', url: `${REPO_URL}/pull/17` },
    });
  });

  it('tag build: BUILDKITE_BRANCH is the tag too', () => {
    const env: Env = {
      ...base,
      BUILDKITE_BRANCH: 'v1.2.0',
      BUILDKITE_TAG: 'v1.2.0',
      BUILDKITE_MESSAGE: 'Release 1.2.0',
    };
    expect(buildkite.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'v1.2.0', isTag: true, defaultBranch: 'main' },
      commit: { ...pushContext.commit, title: 'Release 1.2.0' },
    });
  });

  it('scheduled build: no author, the schedule names the source', () => {
    const env: Env = {
      ...base,
      BUILDKITE_SOURCE: 'schedule',
      BUILDKITE_BUILD_AUTHOR: '',
      BUILDKITE_BUILD_AUTHOR_EMAIL: '',
      BUILDKITE_MESSAGE: 'Nightly end-to-end tests',
      BUILDKITE_LABEL: 'e2e',
      BUILDKITE_STEP_KEY: 'nightly-e2e',
    };
    expect(buildkite.context(env, io)).toEqual({
      ...pushContext,
      commit: {
        sha: SHA,
        shortSha: 'e83c5163',
        title: 'Nightly end-to-end tests',
        url: `${REPO_URL}/commit/${SHA}`,
      },
      pipeline: { ...pushContext.pipeline, source: 'schedule' },
      job: { ...pushContext.job, name: 'e2e' },
    });
  });

  it('build created in the dashboard for HEAD: no commit is named, no message typed', () => {
    const env: Env = {
      ...base,
      BUILDKITE_SOURCE: 'ui',
      BUILDKITE_COMMIT: 'HEAD',
      BUILDKITE_MESSAGE: '',
      BUILDKITE_BUILD_AUTHOR: '',
    };
    expect(buildkite.context(env, io)).toEqual({
      ...pushContext,
      commit: {},
      pipeline: { ...pushContext.pipeline, source: 'ui' },
    });
  });

  it('a step in a group, deploying a GitHub deployment', () => {
    const env: Env = {
      ...base,
      BUILDKITE_GROUP_ID: '4a331026-8c9a-4714-aff0-8aa30211a34e',
      BUILDKITE_GROUP_KEY: 'deploys',
      BUILDKITE_GROUP_LABEL: ':ship: Deploy',
      BUILDKITE_GITHUB_DEPLOYMENT_ID: '87972451',
      BUILDKITE_GITHUB_DEPLOYMENT_ENVIRONMENT: 'production',
      BUILDKITE_GITHUB_DEPLOYMENT_TASK: 'deploy',
    };
    expect(buildkite.context(env, io)).toEqual({
      ...pushContext,
      environment: { name: 'production' },
      job: { ...pushContext.job, stage: ':ship: Deploy' },
    });
  });

  it('a step without a label is named by its key', () => {
    const env: Env = { ...base, BUILDKITE_LABEL: '' };
    expect(buildkite.context(env, io).job.name).toBe('deploy');
  });

  describe('status, as a post-command hook sees it', () => {
    it.each<[string, Env, string | undefined]>([
      ['in the command: not known yet', {}, undefined],
      ['exit 0', { BUILDKITE_COMMAND_EXIT_STATUS: '0' }, 'success'],
      ['exit 1', { BUILDKITE_COMMAND_EXIT_STATUS: '1' }, 'failed'],
      ['killed by SIGKILL (137)', { BUILDKITE_COMMAND_EXIT_STATUS: '137' }, 'failed'],
      ['-1', { BUILDKITE_COMMAND_EXIT_STATUS: '-1' }, 'failed'],
      [
        'canceled (SIGTERM, 143)',
        { BUILDKITE_COMMAND_EXIT_STATUS: '143', BUILDKITE_JOB_CANCELLED: 'true' },
        'canceled',
      ],
      [
        'canceled after a clean exit',
        { BUILDKITE_COMMAND_EXIT_STATUS: '0', BUILDKITE_JOB_CANCELLED: 'true' },
        'canceled',
      ],
      [
        'BUILDKITE_JOB_CANCELLED not true',
        { BUILDKITE_COMMAND_EXIT_STATUS: '0', BUILDKITE_JOB_CANCELLED: 'false' },
        'success',
      ],
      ['not a number: passed through', { BUILDKITE_COMMAND_EXIT_STATUS: 'passed' }, 'passed'],
      ['a decimal: passed through', { BUILDKITE_COMMAND_EXIT_STATUS: '0.5' }, '0.5'],
      ['empty', { BUILDKITE_COMMAND_EXIT_STATUS: '' }, undefined],
    ])('%s -> %s', (_name, extra, expected) => {
      const context = buildkite.context({ ...base, ...extra }, io);
      expect(context).toEqual({ ...pushContext, status: expected });
    });
  });

  it.each<[string, string, string | undefined]>([
    ['SSH, scp-like', 'git@github.com:team/chat-server.git', REPO_URL],
    ['HTTPS with .git', 'https://github.com/team/chat-server.git', REPO_URL],
    ['HTTPS without .git', 'https://github.com/team/chat-server', REPO_URL],
    ['HTTPS with a token', 'https://x-access-token:abc@github.com/team/chat-server.git', REPO_URL],
    ['git://', 'git://github.com/team/chat-server.git', REPO_URL],
    ['ssh:// with a port', 'ssh://git@github.com:22/team/chat-server.git', REPO_URL],
    [
      'a dot in the name',
      'git@github.com:team/chat.server.git',
      'https://github.com/team/chat.server',
    ],
    ['GitHub Enterprise', 'git@github.example.com:team/chat-server.git', undefined],
    ['GitLab', 'git@gitlab.com:team/chat-server.git', undefined],
    ['a look-alike host', 'https://github.com.evil.example/team/chat-server.git', undefined],
    ['github.com as a user name', 'https://github.com@evil.example/team/chat-server', undefined],
    ['a deeper path', 'https://github.com/team/chat-server/extra.git', undefined],
    ['a local path', '/var/lib/git/chat-server.git', undefined],
  ])('commit and pull request links from BUILDKITE_REPO: %s', (_name, repo, expected) => {
    const env: Env = { ...base, BUILDKITE_REPO: repo, BUILDKITE_PULL_REQUEST: '17' };
    const context = buildkite.context(env, io);
    expect(context.commit.url).toBe(expected && `${expected}/commit/${SHA}`);
    expect(context.change).toEqual({
      kind: 'pull_request',
      number: '17',
      url: expected && `${expected}/pull/17`,
    });
  });

  it('a pull request number that is not a number is kept, without a link', () => {
    const env: Env = { ...base, BUILDKITE_PULL_REQUEST: '17<script>' };
    expect(buildkite.context(env, io).change).toEqual({
      kind: 'pull_request',
      number: '17<script>',
    });
  });

  it('passes odd values through untouched', () => {
    const env: Env = {
      ...base,
      BUILDKITE_PIPELINE_NAME: '<!channel> *bold* `code`',
      BUILDKITE_BRANCH: 'feature/<b>&amp;',
      BUILDKITE_MESSAGE: '<@U123> *hello*\r\nsecond line',
      BUILDKITE_BUILD_CREATOR: 'Ro\u202ebert',
      BUILDKITE_LABEL: ':boom: <https://evil.example|click>',
    };
    const context = buildkite.context(env, io);
    expect(context.project.name).toBe('<!channel> *bold* `code`');
    expect(context.ref.name).toBe('feature/<b>&amp;');
    expect(context.commit.title).toBe('<@U123> *hello*');
    expect(context.user).toBe('Ro\u202ebert');
    expect(context.job.name).toBe(':boom: <https://evil.example|click>');
  });

  it('treats empty variables as missing and invents nothing', () => {
    const env: Env = {
      BUILDKITE: 'true',
      BUILDKITE_TAG: '',
      BUILDKITE_PULL_REQUEST: 'false',
      BUILDKITE_GROUP_LABEL: '',
      BUILDKITE_COMMAND_EXIT_STATUS: '  ',
    };
    expect(buildkite.context(env, io)).toEqual({
      provider: 'buildkite',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    });
  });

  it('without a job id the job links the build', () => {
    const env: Env = { ...base, BUILDKITE_JOB_ID: '' };
    expect(buildkite.context(env, io).job).toEqual({ name: ':rocket: Deploy', url: BUILD_URL });
  });

  it('the pipeline path and link need both the organization and the pipeline slug', () => {
    const env: Env = { ...base, BUILDKITE_ORGANIZATION_SLUG: '' };
    expect(buildkite.context(env, io).project).toEqual({ name: 'Chat Server' });
    const unnamed: Env = { ...base, BUILDKITE_PIPELINE_NAME: '' };
    expect(buildkite.context(unnamed, io).project.name).toBe('chat-server');
  });
});
