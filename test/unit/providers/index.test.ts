import { describe, expect, it } from 'vitest';
import type { Env } from '../../../src/context.ts';
import { detectProvider, providers } from '../../../src/providers/index.ts';
import { local } from '../../../src/providers/local.ts';

describe('detectProvider', () => {
  it.each<[string, Env, string]>([
    ['GitLab Runner', { CI: 'true', GITLAB_CI: 'true' }, 'gitlab'],
    ['gitlab-ci-local', { CI: 'true', GITLAB_CI: 'false' }, 'gitlab'],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, 'github'],
    // A GitLab job that happens to export GITHUB_ACTIONS (e.g. to run an action locally).
    ['both', { GITLAB_CI: 'true', GITHUB_ACTIONS: 'true' }, 'gitlab'],
    ['some other CI', { CI: 'true', JENKINS_URL: 'https://jenkins.example.com' }, 'local'],
    ['a laptop', { USER: 'jiyoung' }, 'local'],
    ['an empty environment', {}, 'local'],
  ])('%s -> %s', (_name, env, expected) => {
    expect(detectProvider(env).name).toBe(expected);
  });

  it('keeps local, which matches everything, last', () => {
    expect(providers.at(-1)).toBe(local);
  });
});

describe('local.context', () => {
  it.each<[string, Env, string | undefined]>([
    ['USER', { USER: 'jiyoung', LOGNAME: 'other' }, 'jiyoung'],
    ['LOGNAME when USER is unset', { LOGNAME: 'jiyoung' }, 'jiyoung'],
    ['nobody', {}, undefined],
  ])('takes the user from %s', (_name, env, user) => {
    expect(local.context(env, { readFile: () => '' })).toEqual({
      provider: 'local',
      project: {},
      ref: { isTag: false },
      environment: {},
      user,
      commit: {},
      pipeline: {},
      job: {},
    });
  });
});
