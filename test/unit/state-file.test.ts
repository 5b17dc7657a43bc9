// Where app mode's start leaves the pipeline message for the same job's finish: a folder the
// job's steps share, outside the checkout, on each CI that has one.
import { describe, expect, it } from 'vitest';
import { stateFile } from '../../src/app.ts';
import type { Env } from '../../src/context.ts';

const key = { provider: 'gitlab', project: 'team/chat-server', pipeline: '1234' };

describe('stateFile', () => {
  it.each<[string, Env, string | undefined]>([
    ['GitHub', { RUNNER_TEMP: '/home/runner/work/_temp' }, '/home/runner/work/_temp'],
    ['GitLab', { CI_BUILDS_DIR: '/builds', CI_PROJECT_DIR: '/builds/team/chat' }, '/builds'],
    ['GitLab, a kaniko build', { CI_PROJECT_DIR: '/builds/team/chat-server' }, '/builds/team'],
    ['Azure', { AGENT_TEMPDIRECTORY: '/home/vsts/work/_temp' }, '/home/vsts/work/_temp'],
    ['Jenkins', { WORKSPACE_TMP: '/var/jenkins/ws/chat@tmp' }, '/var/jenkins/ws/chat@tmp'],
    [
      'Woodpecker',
      { CI_WORKSPACE: '/woodpecker/src/github.com/team/chat' },
      '/woodpecker/src/github.com/team',
    ],
    ['Drone', { DRONE_WORKSPACE: '/drone/src' }, '/drone'],
    [
      'Bitbucket',
      { BITBUCKET_CLONE_DIR: '/opt/atlassian/pipelines/agent/build' },
      '/opt/atlassian/pipelines/agent',
    ],
    ['a checkout at the root', { CI_WORKSPACE: '/src' }, undefined],
    ['nowhere', {}, undefined],
    ['blank values', { RUNNER_TEMP: ' ', CI_PROJECT_DIR: '' }, undefined],
  ])('%s', (_ci, env, dir) => {
    const path = stateFile(env, key, 'deploy');
    expect(path).toBe(dir === undefined ? undefined : `${dir}/.notify-1234-deploy.env`);
  });

  it('names the file from the pipeline and the job, in plain characters only', () => {
    expect(stateFile({ RUNNER_TEMP: '/tmp/' }, { ...key, pipeline: '9/../x' }, 'a b;c')).toBe(
      '/tmp/.notify-9_.._x-a_b_c.env',
    );
  });
});
