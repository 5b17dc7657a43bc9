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
    ['Jenkins', { JENKINS_URL: 'https://jenkins.example.com/', BUILD_ID: '12' }, 'jenkins'],
    ['the Jenkins CLI in a shell', { JENKINS_URL: 'https://jenkins.example.com/' }, 'local'],
    ['Azure Pipelines', { TF_BUILD: 'True' }, 'azure'],
    ['Buildkite', { CI: 'true', BUILDKITE: 'true' }, 'buildkite'],
    ['CircleCI', { CI: 'true', CIRCLECI: 'true' }, 'circleci'],
    ['Bitbucket Pipelines', { CI: 'true', BITBUCKET_BUILD_NUMBER: '7' }, 'bitbucket'],
    ['Drone', { CI: 'true', DRONE: 'true' }, 'drone'],
    ['Woodpecker', { CI: 'woodpecker' }, 'woodpecker'],
    // Woodpecker's plugin steps carry Drone's variables.
    [
      'a Woodpecker plugin step',
      { CI: 'woodpecker', DRONE: 'true', DRONE_BUILD_STATUS: 'success' },
      'woodpecker',
    ],
    ['a GitLab job that runs a Drone tool', { GITLAB_CI: 'true', DRONE: 'true' }, 'gitlab'],
    ['CI=true alone', { CI: 'true' }, 'local'],
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
      project: { name: undefined },
      ref: { name: undefined, isTag: false },
      environment: {},
      user,
      commit: {},
      pipeline: {},
      job: {},
    });
  });
});

describe('local.context in a working copy', () => {
  const io = (head: string | Error) => ({
    readFile: (path: string) => {
      expect(path).toBe('.git/HEAD');
      if (head instanceof Error) throw head;
      return head;
    },
  });

  it.each<[string, string | Error, string | undefined]>([
    ['a branch', 'ref: refs/heads/feature/login\n', 'feature/login'],
    ['a detached HEAD', 'e83c5163316f89bfbde7d9ab23ca2e25604af290\n', undefined],
    ['no git at all', new Error('ENOENT'), undefined],
  ])('%s', (_name, head, branch) => {
    const ctx = local.context({ PWD: '/home/jiyoung/chat-server' }, io(head));
    expect(ctx.project.name).toBe('chat-server');
    expect(ctx.ref.name).toBe(branch);
  });
});

describe('local: the project is the folder’s own name', () => {
  it.each<[string | undefined, string | undefined]>([
    ['/home/jiyoung/chat-server', 'chat-server'],
    ['/home/jiyoung/chat-server/', 'chat-server'],
    ['/home/jiyoung/chat-server//', 'chat-server'],
    ['/', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('PWD=%j -> %j', (pwd, name) => {
    const ctx = local.context(pwd === undefined ? {} : { PWD: pwd }, {
      readFile: () => {
        throw new Error('ENOENT');
      },
    });
    expect(ctx.project.name).toBe(name);
  });
});
