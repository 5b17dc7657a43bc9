// Each CI provider through the executable: a deploy job's documented variables in, the start
// message out (--dry-run), naming the project, environment, job and user, and linking the run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNotify } from '../helpers/run.ts';

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';

interface Case {
  env: Record<string, string>;
  /** The headline: most CIs name the job; Bitbucket has no step name, so it speaks of the pipeline. */
  text: string;
  /** A link the message must carry: the job's log, else the run. */
  link: string;
}

const CASES: Record<string, Case> = {
  'Bitbucket Pipelines': {
    env: {
      CI: 'true',
      BITBUCKET_BUILD_NUMBER: '42',
      BITBUCKET_REPO_SLUG: 'chat-server',
      BITBUCKET_REPO_FULL_NAME: 'team/chat-server',
      BITBUCKET_BRANCH: 'main',
      BITBUCKET_COMMIT: SHA,
      BITBUCKET_DEPLOYMENT_ENVIRONMENT: 'production',
      NOTIFY_USER: 'jiyoung',
    },
    text: ':rocket: chat-server production pipeline is started by jiyoung',
    link: 'https://bitbucket.org/team/chat-server/pipelines/results/42',
  },
  CircleCI: {
    env: {
      CI: 'true',
      CIRCLECI: 'true',
      CIRCLE_PROJECT_USERNAME: 'team',
      CIRCLE_PROJECT_REPONAME: 'chat-server',
      CIRCLE_BRANCH: 'main',
      CIRCLE_SHA1: SHA,
      CIRCLE_JOB: 'deploy',
      CIRCLE_USERNAME: 'jiyoung',
      CIRCLE_BUILD_URL: 'https://circleci.com/gh/team/chat-server/42',
      NOTIFY_ENVIRONMENT: 'production',
    },
    text: ':rocket: chat-server production job deploy is started by jiyoung',
    link: 'https://circleci.com/gh/team/chat-server/42',
  },
  Jenkins: {
    env: {
      JENKINS_URL: 'https://jenkins.example.com/',
      BUILD_ID: '42',
      BUILD_NUMBER: '42',
      JOB_NAME: 'chat-server',
      JOB_BASE_NAME: 'chat-server',
      BUILD_URL: 'https://jenkins.example.com/job/chat-server/42/',
      GIT_BRANCH: 'origin/main',
      GIT_COMMIT: SHA,
      STAGE_NAME: 'deploy',
      NOTIFY_USER: 'jiyoung',
      NOTIFY_ENVIRONMENT: 'production',
    },
    text: ':rocket: chat-server production job deploy is started by jiyoung',
    link: 'https://jenkins.example.com/job/chat-server/42/',
  },
  'Azure Pipelines': {
    env: {
      TF_BUILD: 'True',
      SYSTEM_COLLECTIONURI: 'https://dev.azure.com/team/',
      SYSTEM_TEAMPROJECT: 'chat',
      BUILD_REPOSITORY_NAME: 'chat-server',
      BUILD_SOURCEBRANCH: 'refs/heads/main',
      BUILD_SOURCEVERSION: SHA,
      BUILD_BUILDID: '42',
      BUILD_REQUESTEDFOR: 'jiyoung',
      SYSTEM_JOBDISPLAYNAME: 'deploy',
      SYSTEM_JOBID: 'j1',
      ENVIRONMENT_NAME: 'production',
    },
    text: ':rocket: chat-server production job deploy is started by jiyoung',
    link: 'https://dev.azure.com/team/chat/_build/results?buildId=42&amp;view=logs&amp;j=j1',
  },
  Buildkite: {
    env: {
      CI: 'true',
      BUILDKITE: 'true',
      BUILDKITE_ORGANIZATION_SLUG: 'team',
      BUILDKITE_PIPELINE_SLUG: 'chat-server',
      BUILDKITE_BRANCH: 'main',
      BUILDKITE_COMMIT: SHA,
      BUILDKITE_BUILD_NUMBER: '42',
      BUILDKITE_BUILD_URL: 'https://buildkite.com/team/chat-server/builds/42',
      BUILDKITE_JOB_ID: 'j1',
      BUILDKITE_LABEL: 'deploy',
      BUILDKITE_BUILD_CREATOR: 'jiyoung',
      NOTIFY_ENVIRONMENT: 'production',
    },
    text: ':rocket: chat-server production job deploy is started by jiyoung',
    link: 'https://buildkite.com/team/chat-server/builds/42#j1',
  },
  Woodpecker: {
    env: {
      CI: 'woodpecker',
      CI_REPO: 'team/chat-server',
      CI_REPO_NAME: 'chat-server',
      CI_COMMIT_BRANCH: 'main',
      CI_COMMIT_SHA: SHA,
      CI_PIPELINE_NUMBER: '42',
      CI_PIPELINE_URL: 'https://ci.example.com/repos/1/pipeline/42',
      CI_PIPELINE_EVENT: 'deployment',
      CI_PIPELINE_DEPLOY_TARGET: 'production',
      CI_WORKFLOW_NAME: 'deploy',
      CI_PIPELINE_AUTHOR: 'jiyoung',
      // Woodpecker's plugin steps carry Drone's variables too: still Woodpecker.
      DRONE: 'true',
    },
    text: ':rocket: chat-server production job deploy is started by jiyoung',
    link: 'https://ci.example.com/repos/1/pipeline/42',
  },
  Drone: {
    env: {
      CI: 'true',
      DRONE: 'true',
      DRONE_REPO: 'team/chat-server',
      DRONE_REPO_NAME: 'chat-server',
      DRONE_COMMIT_BRANCH: 'main',
      DRONE_COMMIT_SHA: SHA,
      DRONE_BUILD_NUMBER: '42',
      DRONE_BUILD_LINK: 'https://drone.example.com/team/chat-server/42',
      DRONE_BUILD_EVENT: 'promote',
      DRONE_DEPLOY_TO: 'production',
      DRONE_STAGE_NAME: 'deploy',
      DRONE_BUILD_TRIGGER: 'jiyoung',
    },
    text: ':rocket: chat-server production job deploy is started by jiyoung',
    link: 'https://drone.example.com/team/chat-server/42',
  },
};

describe.each(Object.entries(CASES))('%s through the executable', (_ci, { env, text, link }) => {
  it('start: the job, the environment, the user and a link to the run', async () => {
    const result = await runNotify(['start', '--dry-run'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const payload = JSON.parse(result.stdout) as { text: string };
    expect(payload.text).toBe(text);
    expect(result.stdout).toContain(link);
  });

  it('is a CI: a .env in the checkout is not read unless named', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'notify-checkout-'));
    try {
      writeFileSync(join(checkout, '.env'), 'NOTIFY_PROJECT=from-the-checkout\n');
      const result = await runNotify(['start', '--dry-run'], env, { cwd: checkout });
      expect(result.code).toBe(0);
      expect((JSON.parse(result.stdout) as { text: string }).text).toBe(text);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
