// One realistic run for the pure-module tests: a GitLab pipeline for a push to main of
// team/chat-server, started by jiyoung. Tests change only what their case is about.
import type { CiContext } from '../../src/context.ts';

export const PROJECT_URL = 'https://gitlab.example.com/team/chat-server';
export const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
export const COMMIT_URL = `${PROJECT_URL}/-/commit/${SHA}`;
export const PIPELINE_URL = `${PROJECT_URL}/-/pipelines/1234567`;
export const JOB_URL = `${PROJECT_URL}/-/jobs/7654321`;

export const mainPush: CiContext = {
  provider: 'gitlab',
  project: { name: 'chat-server', path: 'team/chat-server', url: PROJECT_URL },
  ref: { name: 'main', slug: 'main', isTag: false, defaultBranch: 'main' },
  environment: {},
  user: 'jiyoung',
  commit: {
    sha: SHA,
    shortSha: 'e83c5163',
    title: 'Add read receipts',
    author: 'Jiyoung Kim',
    url: COMMIT_URL,
  },
  pipeline: {
    id: '1234567',
    url: PIPELINE_URL,
    source: 'push',
    startedAt: '2025-05-01T09:14:03Z',
  },
  job: {
    name: 'deploy-prod',
    stage: 'deploy',
    url: JOB_URL,
    startedAt: '2025-05-01T09:20:41Z',
  },
};

type Patch = {
  [K in keyof CiContext]?: CiContext[K] extends object ? Partial<CiContext[K]> : CiContext[K];
};

/** `mainPush` with some fields changed; nested objects are merged, not replaced. */
export function contextWith(patch: Patch): CiContext {
  return {
    ...mainPush,
    ...patch,
    project: { ...mainPush.project, ...patch.project },
    ref: { ...mainPush.ref, ...patch.ref },
    environment: { ...mainPush.environment, ...patch.environment },
    commit: { ...mainPush.commit, ...patch.commit },
    pipeline: { ...mainPush.pipeline, ...patch.pipeline },
    job: { ...mainPush.job, ...patch.job },
  };
}

/** A feature branch whose `test` stage failed in job `unit-tests`. */
export const featureBranch: CiContext = contextWith({
  ref: { name: 'feature/login', slug: 'feature-login' },
  job: { name: 'unit-tests', stage: 'test' },
});
