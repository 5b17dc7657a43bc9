// https://docs.gitlab.com/ci/variables/predefined_variables/
import { describe, expect, it } from 'vitest';
import type { Env } from '../../../src/context.ts';
import { gitlab } from '../../../src/providers/gitlab.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const PROJECT_URL = 'https://gitlab.example.com/team/chat-server';

/** A branch pipeline for a push to the default branch, as GitLab Runner sets it. */
const base: Env = {
  CI: 'true',
  GITLAB_CI: 'true',
  CI_SERVER_URL: 'https://gitlab.example.com',
  CI_SERVER_HOST: 'gitlab.example.com',
  CI_PROJECT_ID: '42',
  CI_PROJECT_NAME: 'chat-server',
  CI_PROJECT_PATH: 'team/chat-server',
  CI_PROJECT_PATH_SLUG: 'team-chat-server',
  CI_PROJECT_NAMESPACE: 'team',
  CI_PROJECT_URL: PROJECT_URL,
  CI_DEFAULT_BRANCH: 'main',
  CI_COMMIT_SHA: SHA,
  CI_COMMIT_SHORT_SHA: 'e83c5163',
  CI_COMMIT_BEFORE_SHA: '9c2f1e4b7a3d5c8e0f1a2b3c4d5e6f708192a3b4',
  CI_COMMIT_REF_NAME: 'main',
  CI_COMMIT_REF_SLUG: 'main',
  CI_COMMIT_BRANCH: 'main',
  CI_COMMIT_TITLE: 'Add read receipts',
  CI_COMMIT_MESSAGE: 'Add read receipts\n\nShow when a message was read.\n',
  CI_COMMIT_DESCRIPTION: '\nShow when a message was read.\n',
  CI_COMMIT_AUTHOR: 'Jiyoung Kim <jiyoung@example.com>',
  CI_COMMIT_TIMESTAMP: '2025-05-01T18:14:03+09:00',
  CI_PIPELINE_ID: '1234567',
  CI_PIPELINE_IID: '321',
  CI_PIPELINE_URL: `${PROJECT_URL}/-/pipelines/1234567`,
  CI_PIPELINE_SOURCE: 'push',
  CI_PIPELINE_CREATED_AT: '2025-05-01T09:14:03Z',
  CI_JOB_ID: '7654321',
  CI_JOB_NAME: 'deploy-prod',
  CI_JOB_STAGE: 'deploy',
  CI_JOB_URL: `${PROJECT_URL}/-/jobs/7654321`,
  CI_JOB_STARTED_AT: '2025-05-01T09:20:41Z',
  GITLAB_USER_ID: '1001',
  GITLAB_USER_LOGIN: 'jiyoung',
  GITLAB_USER_NAME: 'Jiyoung Kim',
  GITLAB_USER_EMAIL: 'jiyoung@example.com',
};

describe('gitlab.detect', () => {
  it.each<[string, Env, boolean]>([
    ['GitLab Runner', base, true],
    // gitlab-ci-local runs the same pipelines on a laptop and sets GITLAB_CI=false.
    ['gitlab-ci-local', { ...base, GITLAB_CI: 'false' }, true],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
    ['GITLAB_CI set to an empty string', { GITLAB_CI: '' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(gitlab.detect(env)).toBe(expected);
  });
});

describe('gitlab.context', () => {
  it('push to the default branch', () => {
    expect(gitlab.context(base, io)).toEqual({
      provider: 'gitlab',
      project: { name: 'chat-server', path: 'team/chat-server', url: PROJECT_URL },
      ref: { name: 'main', slug: 'main', isTag: false, defaultBranch: 'main' },
      environment: {},
      user: 'jiyoung',
      userUrl: 'https://gitlab.example.com/jiyoung',
      userEmail: 'jiyoung@example.com',
      commit: {
        sha: SHA,
        shortSha: 'e83c5163',
        title: 'Add read receipts',
        author: 'Jiyoung Kim',
        url: `${PROJECT_URL}/-/commit/${SHA}`,
      },
      pipeline: {
        id: '1234567',
        url: `${PROJECT_URL}/-/pipelines/1234567`,
        source: 'push',
        startedAt: '2025-05-01T09:14:03Z',
      },
      job: {
        id: '7654321',
        name: 'deploy-prod',
        stage: 'deploy',
        url: `${PROJECT_URL}/-/jobs/7654321`,
        startedAt: '2025-05-01T09:20:41Z',
      },
    });
  });

  it('merge request pipeline', () => {
    // MR pipelines have no CI_COMMIT_BRANCH; CI_COMMIT_REF_NAME is the source branch.
    const env: Env = {
      ...base,
      CI_COMMIT_BRANCH: undefined,
      CI_COMMIT_REF_NAME: 'feature/login',
      CI_COMMIT_REF_SLUG: 'feature-login',
      CI_COMMIT_SHA: '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
      CI_COMMIT_SHORT_SHA: '5f1c0e2d',
      CI_COMMIT_TITLE: 'Log in with SSO',
      CI_COMMIT_MESSAGE: 'Log in with SSO',
      CI_COMMIT_AUTHOR: 'Minho Park <minho@example.com>',
      CI_PIPELINE_ID: '1234570',
      CI_PIPELINE_URL: `${PROJECT_URL}/-/pipelines/1234570`,
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_JOB_NAME: 'unit-tests',
      CI_JOB_STAGE: 'test',
      CI_JOB_ID: '7654400',
      CI_JOB_URL: `${PROJECT_URL}/-/jobs/7654400`,
      CI_MERGE_REQUEST_ID: '88001',
      CI_MERGE_REQUEST_IID: '17',
      CI_MERGE_REQUEST_TITLE: 'Log in with SSO',
      CI_MERGE_REQUEST_PROJECT_URL: PROJECT_URL,
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/login',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_MERGE_REQUEST_EVENT_TYPE: 'detached',
      GITLAB_USER_LOGIN: 'minho',
      GITLAB_USER_NAME: 'Minho Park',
    };
    expect(gitlab.context(env, io)).toEqual({
      provider: 'gitlab',
      project: { name: 'chat-server', path: 'team/chat-server', url: PROJECT_URL },
      ref: { name: 'feature/login', slug: 'feature-login', isTag: false, defaultBranch: 'main' },
      environment: {},
      user: 'minho',
      userUrl: 'https://gitlab.example.com/minho',
      userEmail: 'jiyoung@example.com',
      commit: {
        sha: '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
        shortSha: '5f1c0e2d',
        title: 'Log in with SSO',
        author: 'Minho Park',
        url: `${PROJECT_URL}/-/commit/5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d`,
      },
      pipeline: {
        id: '1234570',
        url: `${PROJECT_URL}/-/pipelines/1234570`,
        source: 'merge_request_event',
        startedAt: '2025-05-01T09:14:03Z',
      },
      job: {
        id: '7654400',
        name: 'unit-tests',
        stage: 'test',
        url: `${PROJECT_URL}/-/jobs/7654400`,
        startedAt: '2025-05-01T09:20:41Z',
      },
      change: {
        kind: 'merge_request',
        number: '17',
        title: 'Log in with SSO',
        url: `${PROJECT_URL}/-/merge_requests/17`,
      },
    });
  });

  it('tag pipeline', () => {
    // Tag pipelines have CI_COMMIT_TAG and no CI_COMMIT_BRANCH.
    const env: Env = {
      ...base,
      CI_COMMIT_BRANCH: undefined,
      CI_COMMIT_TAG: 'v1.2.0',
      CI_COMMIT_TAG_MESSAGE: 'Release 1.2.0',
      CI_COMMIT_REF_NAME: 'v1.2.0',
      CI_COMMIT_REF_SLUG: 'v1-2-0',
      CI_COMMIT_TITLE: 'Release 1.2.0',
      CI_COMMIT_MESSAGE: 'Release 1.2.0',
      CI_PIPELINE_ID: '1234580',
      CI_PIPELINE_URL: `${PROJECT_URL}/-/pipelines/1234580`,
    };
    expect(gitlab.context(env, io)).toEqual({
      provider: 'gitlab',
      project: { name: 'chat-server', path: 'team/chat-server', url: PROJECT_URL },
      ref: { name: 'v1.2.0', slug: 'v1-2-0', isTag: true, defaultBranch: 'main' },
      environment: {},
      user: 'jiyoung',
      userUrl: 'https://gitlab.example.com/jiyoung',
      userEmail: 'jiyoung@example.com',
      commit: {
        sha: SHA,
        shortSha: 'e83c5163',
        title: 'Release 1.2.0',
        author: 'Jiyoung Kim',
        url: `${PROJECT_URL}/-/commit/${SHA}`,
      },
      pipeline: {
        id: '1234580',
        url: `${PROJECT_URL}/-/pipelines/1234580`,
        source: 'push',
        startedAt: '2025-05-01T09:14:03Z',
      },
      job: {
        id: '7654321',
        name: 'deploy-prod',
        stage: 'deploy',
        url: `${PROJECT_URL}/-/jobs/7654321`,
        startedAt: '2025-05-01T09:20:41Z',
      },
    });
  });

  it('scheduled pipeline', () => {
    // The schedule's owner is the pipeline's user.
    const env: Env = {
      ...base,
      CI_PIPELINE_SOURCE: 'schedule',
      CI_PIPELINE_ID: '1234590',
      CI_PIPELINE_URL: `${PROJECT_URL}/-/pipelines/1234590`,
      CI_PIPELINE_CREATED_AT: '2025-05-02T03:00:00Z',
      CI_JOB_NAME: 'nightly-e2e',
      CI_JOB_STAGE: 'test',
      CI_JOB_STARTED_AT: '2025-05-02T03:00:12Z',
      GITLAB_USER_LOGIN: 'release-bot',
      GITLAB_USER_NAME: 'Release Bot',
    };
    expect(gitlab.context(env, io)).toEqual({
      provider: 'gitlab',
      project: { name: 'chat-server', path: 'team/chat-server', url: PROJECT_URL },
      ref: { name: 'main', slug: 'main', isTag: false, defaultBranch: 'main' },
      environment: {},
      user: 'release-bot',
      userUrl: 'https://gitlab.example.com/release-bot',
      userEmail: 'jiyoung@example.com',
      commit: {
        sha: SHA,
        shortSha: 'e83c5163',
        title: 'Add read receipts',
        author: 'Jiyoung Kim',
        url: `${PROJECT_URL}/-/commit/${SHA}`,
      },
      pipeline: {
        id: '1234590',
        url: `${PROJECT_URL}/-/pipelines/1234590`,
        source: 'schedule',
        startedAt: '2025-05-02T03:00:00Z',
      },
      job: {
        id: '7654321',
        name: 'nightly-e2e',
        stage: 'test',
        url: `${PROJECT_URL}/-/jobs/7654321`,
        startedAt: '2025-05-02T03:00:12Z',
      },
    });
  });

  it('deploy job with an environment, a Kubernetes namespace and a status (after_script)', () => {
    const env: Env = {
      ...base,
      CI_ENVIRONMENT_NAME: 'production',
      CI_ENVIRONMENT_SLUG: 'production',
      CI_ENVIRONMENT_URL: 'https://chat.example.com',
      CI_ENVIRONMENT_TIER: 'production',
      CI_ENVIRONMENT_ACTION: 'start',
      KUBE_NAMESPACE: 'chat-server-42-production',
      CI_JOB_STATUS: 'failed',
    };
    expect(gitlab.context(env, io)).toEqual({
      ...gitlab.context(base, io),
      environment: { name: 'production', url: 'https://chat.example.com' },
      namespace: 'chat-server-42-production',
      status: 'failed',
    });
  });

  it('a protected ref, and a deploy freeze in effect', () => {
    const env: Env = { ...base, CI_COMMIT_REF_PROTECTED: 'true', CI_DEPLOY_FREEZE: 'true' };
    const plain = gitlab.context(base, io);
    expect(gitlab.context(env, io)).toEqual({
      ...plain,
      ref: { ...plain.ref, protected: true },
      deployFreeze: true,
    });
    const open = gitlab.context({ ...base, CI_COMMIT_REF_PROTECTED: 'false' }, io);
    expect(open.ref.protected).toBe(false);
    expect(open.deployFreeze).toBeUndefined();
  });

  it('gitlab-ci-local: the same context as GitLab Runner', () => {
    expect(gitlab.context({ ...base, GITLAB_CI: 'false' }, io)).toEqual(gitlab.context(base, io));
  });

  it.each<[string, string | undefined, string | undefined]>([
    ['Name <email>', 'Jiyoung Kim <jiyoung@example.com>', 'Jiyoung Kim'],
    ['a name alone', 'Jiyoung Kim', 'Jiyoung Kim'],
    ['an address alone', '<jiyoung@example.com>', undefined],
    ['nothing', undefined, undefined],
  ])('commit author from %s', (_name, author, expected) => {
    expect(gitlab.context({ ...base, CI_COMMIT_AUTHOR: author }, io).commit.author).toBe(expected);
  });

  it('falls back to the first line of CI_COMMIT_MESSAGE and to an 8-character short SHA', () => {
    const env: Env = {
      ...base,
      CI_COMMIT_TITLE: undefined,
      CI_COMMIT_SHORT_SHA: undefined,
      CI_COMMIT_MESSAGE: 'Fix the login loop\r\n\r\nIt redirected forever.',
    };
    expect(gitlab.context(env, io).commit).toEqual({
      sha: SHA,
      shortSha: 'e83c5163',
      title: 'Fix the login loop',
      author: 'Jiyoung Kim',
      url: `${PROJECT_URL}/-/commit/${SHA}`,
    });
  });

  it('treats empty variables as missing and invents nothing', () => {
    // GitLab defines some variables as '' rather than leaving them out.
    const env: Env = {
      GITLAB_CI: 'true',
      CI_COMMIT_TAG: '',
      CI_ENVIRONMENT_NAME: '',
      KUBE_NAMESPACE: '  ',
    };
    expect(gitlab.context(env, io)).toEqual({
      provider: 'gitlab',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    });
  });
});
