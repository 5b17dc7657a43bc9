// https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/
import { describe, expect, it } from 'vitest';
import type { CiContext, Env } from '../../../src/context.ts';
import { bitbucket } from '../../../src/providers/bitbucket.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const REPO_URL = 'https://bitbucket.org/team/chat-server';
const STEP_UUID = '{7c2a0f37-ea6f-4ffc-8a60-a5a7868dac4c}';
const RUN_URL = `${REPO_URL}/pipelines/results/128`;
// Bitbucket's own links encode the braces of a step UUID.
const STEP_URL = `${RUN_URL}/steps/%7B7c2a0f37-ea6f-4ffc-8a60-a5a7868dac4c%7D`;

/** A branch build of main (a push), as Bitbucket Pipelines sets it in `script:`. */
const base: Env = {
  CI: 'true',
  BITBUCKET_BUILD_NUMBER: '128',
  BITBUCKET_CLONE_DIR: '/opt/atlassian/pipelines/agent/build',
  BITBUCKET_COMMIT: SHA,
  BITBUCKET_WORKSPACE: 'team',
  BITBUCKET_REPO_SLUG: 'chat-server',
  BITBUCKET_REPO_UUID: '{fe99db34-e979-40be-b383-c1a7738b52f7}',
  BITBUCKET_REPO_FULL_NAME: 'team/chat-server',
  BITBUCKET_BRANCH: 'main',
  BITBUCKET_GIT_HTTP_ORIGIN: 'http://bitbucket.org/team/chat-server',
  BITBUCKET_GIT_SSH_ORIGIN: 'git@bitbucket.org:team/chat-server.git',
  BITBUCKET_STEP_UUID: STEP_UUID,
  BITBUCKET_PIPELINE_UUID: '{a57b6951-6d4d-4674-83cf-0ae6fa67061b}',
  BITBUCKET_PROJECT_KEY: 'CHAT',
  BITBUCKET_PROJECT_UUID: '{e291bb4c-af79-4a1c-bbaf-2a246f8a4f21}',
  BITBUCKET_STEP_TRIGGERER_UUID: '{5a50dd52-5ab7-4225-831c-4db9451375a2}',
};

/** What the branch build yields; other cases state how they differ. */
const pushContext: CiContext = {
  provider: 'bitbucket',
  project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
  ref: { name: 'main', isTag: false },
  environment: {},
  commit: { sha: SHA, shortSha: 'e83c5163', url: `${REPO_URL}/commits/${SHA}` },
  pipeline: { id: '128', url: RUN_URL },
  job: { id: STEP_UUID, url: STEP_URL },
};

describe('bitbucket.detect', () => {
  it.each<[string, Env, boolean]>([
    ['Bitbucket Pipelines', base, true],
    // ktomk/pipelines runs bitbucket-pipelines.yml locally and numbers every build 0.
    ['a local run of bitbucket-pipelines.yml', { CI: 'true', BITBUCKET_BUILD_NUMBER: '0' }, true],
    [
      'BITBUCKET_BUILD_NUMBER set to an empty string',
      { ...base, BITBUCKET_BUILD_NUMBER: '' },
      false,
    ],
    ['GitLab', { CI: 'true', GITLAB_CI: 'true' }, false],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
    // Jenkins's build number has a similar name.
    ['Jenkins', { JENKINS_URL: 'https://ci.example.com/', BUILD_NUMBER: '42' }, false],
    ['CI=true alone', { CI: 'true' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(bitbucket.detect(env)).toBe(expected);
  });
});

describe('bitbucket.context', () => {
  it('branch build', () => {
    expect(bitbucket.context(base, io)).toEqual(pushContext);
  });

  it('pull request build', () => {
    // BITBUCKET_BRANCH is the source branch; pull request builds have been seen to carry a
    // 12-character BITBUCKET_COMMIT, which Bitbucket's commit pages accept.
    const env: Env = {
      ...base,
      BITBUCKET_BRANCH: 'feature/login',
      BITBUCKET_COMMIT: '8d081548cabb',
      BITBUCKET_BUILD_NUMBER: '131',
      BITBUCKET_PR_ID: '17',
      BITBUCKET_PR_DESTINATION_BRANCH: 'main',
    };
    expect(bitbucket.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'feature/login', isTag: false },
      commit: {
        sha: '8d081548cabb',
        shortSha: '8d081548',
        url: `${REPO_URL}/commits/8d081548cabb`,
      },
      pipeline: {
        id: '131',
        url: `${REPO_URL}/pipelines/results/131`,
        source: 'pull_request',
      },
      job: {
        id: STEP_UUID,
        url: `${REPO_URL}/pipelines/results/131/steps/%7B7c2a0f37-ea6f-4ffc-8a60-a5a7868dac4c%7D`,
      },
      change: { kind: 'pull_request', number: '17', url: `${REPO_URL}/pull-requests/17` },
    });
  });

  it('tag build', () => {
    // Tag builds have BITBUCKET_TAG and no BITBUCKET_BRANCH.
    const env: Env = { ...base, BITBUCKET_BRANCH: undefined, BITBUCKET_TAG: 'v1.2.0' };
    expect(bitbucket.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'v1.2.0', isTag: true },
      pipeline: { ...pushContext.pipeline, source: 'tag' },
    });
  });

  it('deployment step, in after-script once the script succeeded', () => {
    const env: Env = {
      ...base,
      BITBUCKET_DEPLOYMENT_ENVIRONMENT: 'production',
      BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID: '{0d1c2b3a-4f5e-6d7c-8b9a-0f1e2d3c4b5a}',
      BITBUCKET_EXIT_CODE: '0',
    };
    expect(bitbucket.context(env, io)).toEqual({
      ...pushContext,
      environment: { name: 'production' },
      status: 'success',
    });
  });

  it.each<[string, string | undefined, string | undefined]>([
    ['0 (the script succeeded)', '0', 'success'],
    ['1 (the script failed)', '1', 'failed'],
    ['another exit code', '137', 'failed'],
    ['a negative exit code', '-1', 'failed'],
    ['0 with spaces around', ' 0 ', 'success'],
    ['a word (passed through, for notify to report)', 'running', 'running'],
    ['a number that is no exit code (passed through)', '1.5', '1.5'],
    ['an empty value (script:, no outcome yet)', '', undefined],
    ['nothing', undefined, undefined],
  ])('status from BITBUCKET_EXIT_CODE %s', (_name, code, expected) => {
    expect(bitbucket.context({ ...base, BITBUCKET_EXIT_CODE: code }, io).status).toBe(expected);
  });

  it('links the pipeline when there is no step UUID', () => {
    const env: Env = { ...base, BITBUCKET_STEP_UUID: undefined };
    expect(bitbucket.context(env, io).job).toEqual({ url: RUN_URL });
  });

  it('builds the path from workspace and slug, or the address from the git origin', () => {
    const named: Env = { ...base, BITBUCKET_REPO_FULL_NAME: undefined };
    expect(bitbucket.context(named, io)).toEqual(pushContext);

    const originOnly: Env = {
      BITBUCKET_BUILD_NUMBER: '128',
      BITBUCKET_GIT_HTTP_ORIGIN: 'http://bitbucket.org/team/chat-server',
    };
    expect(bitbucket.context(originOnly, io)).toEqual({
      provider: 'bitbucket',
      project: { url: REPO_URL },
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: { id: '128', url: RUN_URL },
      job: { url: RUN_URL },
    });
  });

  it('never names the user by account UUID', () => {
    expect(bitbucket.context(base, io).user).toBeUndefined();
  });

  it('passes odd values through without throwing', () => {
    const env: Env = {
      ...base,
      BITBUCKET_REPO_FULL_NAME: 'team/<!channel>',
      BITBUCKET_REPO_SLUG: '<!channel>',
      BITBUCKET_BRANCH: 'fix/*bold* `code` <@U123>',
      // A lone surrogate would make a plain encodeURIComponent throw.
      BITBUCKET_STEP_UUID: '{a b}/\uD800',
      BITBUCKET_PR_ID: 'x&y',
      BITBUCKET_EXIT_CODE: 'constructor',
    };
    const url = 'https://bitbucket.org/team/<!channel>';
    expect(bitbucket.context(env, io)).toEqual({
      ...pushContext,
      project: { name: '<!channel>', path: 'team/<!channel>', url },
      ref: { name: 'fix/*bold* `code` <@U123>', isTag: false },
      commit: { ...pushContext.commit, url: `${url}/commits/${SHA}` },
      pipeline: { id: '128', url: `${url}/pipelines/results/128`, source: 'pull_request' },
      job: {
        id: '{a b}/\uD800',
        url: `${url}/pipelines/results/128/steps/%7Ba%20b%7D%2F%EF%BF%BD`,
      },
      status: 'constructor',
      change: { kind: 'pull_request', number: 'x&y', url: `${url}/pull-requests/x&y` },
    });
  });

  it('treats empty variables as missing and invents nothing', () => {
    // Bitbucket documents most variables as set only on some builds; blank ones are absent.
    const env: Env = {
      BITBUCKET_BUILD_NUMBER: '7',
      BITBUCKET_TAG: '',
      BITBUCKET_PR_ID: ' ',
      BITBUCKET_DEPLOYMENT_ENVIRONMENT: '',
      BITBUCKET_EXIT_CODE: '',
    };
    expect(bitbucket.context(env, io)).toEqual({
      provider: 'bitbucket',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: { id: '7' },
      job: {},
    });
  });
});
