// https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#using-environment-variables
import { describe, expect, it } from 'vitest';
import type { CiContext, Env } from '../../../src/context.ts';
import { jenkins } from '../../../src/providers/jenkins.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const REPO_URL = 'https://github.com/team/chat-server';
const JOB_URL = 'https://jenkins.example.com/job/team/job/chat-server/job/main/';
const BUILD_URL = `${JOB_URL}153/`;

/**
 * The Deploy stage of a multibranch Pipeline building `main` (the repository's primary branch)
 * of team/chat-server, as Jenkins core, the Branch API, Git and Pipeline plugins set it.
 */
const base: Env = {
  CI: 'true',
  JENKINS_URL: 'https://jenkins.example.com/',
  JENKINS_HOME: '/var/jenkins_home',
  BUILD_NUMBER: '153',
  BUILD_ID: '153',
  BUILD_DISPLAY_NAME: '#153',
  JOB_NAME: 'team/chat-server/main',
  JOB_BASE_NAME: 'main',
  JOB_URL,
  BUILD_URL,
  BUILD_TAG: 'jenkins-team-chat-server-main-153',
  EXECUTOR_NUMBER: '0',
  NODE_NAME: 'built-in',
  NODE_LABELS: 'built-in',
  WORKSPACE: '/var/jenkins_home/workspace/chat-server_main',
  BRANCH_NAME: 'main',
  BRANCH_IS_PRIMARY: 'true',
  GIT_BRANCH: 'main',
  GIT_COMMIT: SHA,
  GIT_PREVIOUS_COMMIT: '9c2f1e4b7a3d5c8e0f1a2b3c4d5e6f708192a3b4',
  GIT_URL: 'https://github.com/team/chat-server.git',
  STAGE_NAME: 'Deploy',
};

/** What the base build yields; other cases state how they differ. */
const mainContext: CiContext = {
  provider: 'jenkins',
  project: { name: 'chat-server', path: 'team/chat-server/main', url: REPO_URL },
  ref: { name: 'main', isTag: false, defaultBranch: 'main' },
  environment: {},
  commit: { sha: SHA, shortSha: 'e83c5163', url: `${REPO_URL}/commit/${SHA}` },
  pipeline: { id: '153', url: BUILD_URL },
  job: { name: 'Deploy', url: BUILD_URL },
};

describe('jenkins.detect', () => {
  it.each<[string, Env, boolean]>([
    ['a Jenkins build', base, true],
    [
      'a build of a Jenkins whose URL is not configured (no JENKINS_URL)',
      { ...base, JENKINS_URL: undefined },
      false,
    ],
    [
      'JENKINS_URL alone (a Jenkins CLI user’s shell)',
      { JENKINS_URL: 'https://jenkins.example.com/' },
      false,
    ],
    ['BUILD_ID alone', { BUILD_ID: '153' }, false],
    ['JENKINS_URL set to an empty string', { ...base, JENKINS_URL: '' }, false],
    ['BUILD_ID set to spaces', { ...base, BUILD_ID: '  ' }, false],
    ['GitLab CI', { CI: 'true', GITLAB_CI: 'true', CI_JOB_ID: '7654321' }, false],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: '9876543210' }, false],
    ['CI=true alone', { CI: 'true' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(jenkins.detect(env)).toBe(expected);
  });
});

describe('jenkins.context', () => {
  it('the primary branch of a multibranch project', () => {
    expect(jenkins.context(base, io)).toEqual(mainContext);
  });

  it('a GitHub pull request', () => {
    // BRANCH_NAME is Jenkins's name for the change; GIT_COMMIT may be a merge made on the agent.
    const env: Env = {
      ...base,
      JOB_NAME: 'team/chat-server/PR-24',
      JOB_BASE_NAME: 'PR-24',
      JOB_URL: 'https://jenkins.example.com/job/team/job/chat-server/job/PR-24/',
      BUILD_NUMBER: '3',
      BUILD_ID: '3',
      BUILD_URL: 'https://jenkins.example.com/job/team/job/chat-server/job/PR-24/3/',
      BUILD_TAG: 'jenkins-team-chat-server-PR-24-3',
      BRANCH_NAME: 'PR-24',
      BRANCH_IS_PRIMARY: undefined,
      CHANGE_ID: '24',
      CHANGE_URL: `${REPO_URL}/pull/24`,
      CHANGE_TITLE: 'Log in with SSO',
      CHANGE_AUTHOR: 'minho',
      CHANGE_AUTHOR_DISPLAY_NAME: 'Minho Park',
      CHANGE_AUTHOR_EMAIL: 'minho@example.com',
      CHANGE_TARGET: 'main',
      CHANGE_BRANCH: 'feature/login',
      GIT_BRANCH: 'PR-24',
      GIT_COMMIT: '3b9d7f0c1e2a4b6c8d0e1f2a3b4c5d6e7f8a9b0c',
      STAGE_NAME: 'Test',
    };
    expect(jenkins.context(env, io)).toEqual({
      provider: 'jenkins',
      project: { name: 'chat-server', path: 'team/chat-server/PR-24', url: REPO_URL },
      ref: { name: 'feature/login', isTag: false },
      environment: {},
      commit: { sha: '3b9d7f0c1e2a4b6c8d0e1f2a3b4c5d6e7f8a9b0c', shortSha: '3b9d7f0c' },
      pipeline: {
        id: '3',
        url: 'https://jenkins.example.com/job/team/job/chat-server/job/PR-24/3/',
        source: 'pull_request',
      },
      job: {
        name: 'Test',
        url: 'https://jenkins.example.com/job/team/job/chat-server/job/PR-24/3/',
      },
      change: {
        kind: 'pull_request',
        number: '24',
        title: 'Log in with SSO',
        url: `${REPO_URL}/pull/24`,
      },
    });
  });

  it('a GitLab merge request (GitLab Branch Source)', () => {
    const project = 'https://gitlab.com/team/backend/chat-server';
    const env: Env = {
      ...base,
      JOB_NAME: 'team/chat-server/MR-17',
      JOB_BASE_NAME: 'MR-17',
      BRANCH_NAME: 'MR-17',
      BRANCH_IS_PRIMARY: undefined,
      CHANGE_ID: '17',
      CHANGE_URL: `${project}/-/merge_requests/17`,
      CHANGE_TITLE: 'Log in with SSO',
      CHANGE_TARGET: 'main',
      CHANGE_BRANCH: 'feature/login',
      GIT_BRANCH: 'MR-17',
      GIT_URL: 'git@gitlab.com:team/backend/chat-server.git',
    };
    expect(jenkins.context(env, io)).toEqual({
      ...mainContext,
      project: { name: 'chat-server', path: 'team/chat-server/MR-17', url: project },
      ref: { name: 'feature/login', isTag: false },
      commit: { sha: SHA, shortSha: 'e83c5163' },
      pipeline: { ...mainContext.pipeline, source: 'pull_request' },
      change: {
        kind: 'merge_request',
        number: '17',
        title: 'Log in with SSO',
        url: `${project}/-/merge_requests/17`,
      },
    });
  });

  it('a tag', () => {
    // A tag's BRANCH_NAME is the tag; tags are never the primary branch.
    const env: Env = {
      ...base,
      JOB_NAME: 'team/chat-server/v1.2.0',
      JOB_BASE_NAME: 'v1.2.0',
      BRANCH_NAME: 'v1.2.0',
      BRANCH_IS_PRIMARY: undefined,
      TAG_NAME: 'v1.2.0',
      TAG_TIMESTAMP: '1746090843000',
      TAG_UNIXTIME: '1746090843',
      TAG_DATE: 'Thu May 01 09:14:03 UTC 2025',
      GIT_BRANCH: 'v1.2.0',
    };
    expect(jenkins.context(env, io)).toEqual({
      ...mainContext,
      project: { ...mainContext.project, path: 'team/chat-server/v1.2.0' },
      ref: { name: 'v1.2.0', isTag: true },
      pipeline: { ...mainContext.pipeline, source: 'tag' },
    });
  });

  it('a branch with a slash: its job name is escaped, the ref is not', () => {
    const env: Env = {
      ...base,
      JOB_NAME: 'team/chat-server/feature%2Flogin',
      JOB_BASE_NAME: 'feature%2Flogin',
      BRANCH_NAME: 'feature/login',
      BRANCH_IS_PRIMARY: undefined,
      GIT_BRANCH: 'feature/login',
    };
    expect(jenkins.context(env, io)).toEqual({
      ...mainContext,
      project: { ...mainContext.project, path: 'team/chat-server/feature%2Flogin' },
      ref: { name: 'feature/login', isTag: false },
    });
  });

  it('a multibranch project outside any folder', () => {
    const env: Env = { ...base, JOB_NAME: 'chat-server/main' };
    expect(jenkins.context(env, io).project).toEqual({
      name: 'chat-server',
      path: 'chat-server/main',
      url: REPO_URL,
    });
  });

  it('a freestyle job in a folder: no stage, so the build speaks for itself', () => {
    const url = 'https://jenkins.example.com/job/ops/job/deploy-chat/88/';
    const env: Env = {
      CI: 'true',
      JENKINS_URL: 'https://jenkins.example.com/',
      BUILD_NUMBER: '88',
      BUILD_ID: '88',
      JOB_NAME: 'ops/deploy-chat',
      JOB_BASE_NAME: 'deploy-chat',
      JOB_URL: 'https://jenkins.example.com/job/ops/job/deploy-chat/',
      BUILD_URL: url,
      GIT_BRANCH: 'origin/release/2.0',
      GIT_COMMIT: SHA,
      GIT_URL: 'git@github.com:team/chat-server.git',
    };
    expect(jenkins.context(env, io)).toEqual({
      provider: 'jenkins',
      project: { name: 'deploy-chat', path: 'ops/deploy-chat', url: REPO_URL },
      ref: { name: 'release/2.0', isTag: false },
      environment: {},
      commit: { sha: SHA, shortSha: 'e83c5163', url: `${REPO_URL}/commit/${SHA}` },
      pipeline: { id: '88', url },
      job: { url },
    });
  });

  it('GIT_LOCAL_BRANCH (checkout to a local branch) is the branch without the remote', () => {
    const env: Env = {
      ...base,
      JOB_NAME: 'deploy-chat',
      JOB_BASE_NAME: 'deploy-chat',
      BRANCH_NAME: undefined,
      BRANCH_IS_PRIMARY: undefined,
      GIT_BRANCH: 'upstream/main',
      GIT_LOCAL_BRANCH: 'main',
    };
    expect(jenkins.context(env, io).ref).toEqual({ name: 'main', isTag: false });
  });

  it('a BRANCH_NAME of the user’s own does not make a plain job multibranch', () => {
    const env: Env = {
      ...base,
      JOB_NAME: 'ops/deploy-chat',
      JOB_BASE_NAME: 'deploy-chat',
      BRANCH_NAME: 'main',
      BRANCH_IS_PRIMARY: undefined,
    };
    expect(jenkins.context(env, io).project).toEqual({
      name: 'deploy-chat',
      path: 'ops/deploy-chat',
      url: REPO_URL,
    });
  });

  it('a non-primary branch names no default branch', () => {
    const env: Env = { ...base, BRANCH_IS_PRIMARY: undefined };
    expect(jenkins.context(env, io).ref).toEqual({ name: 'main', isTag: false });
  });

  it('the build number, not an old-style BUILD_ID timestamp, is the pipeline id', () => {
    const env: Env = { ...base, BUILD_ID: '2014-11-03_09-14-03' };
    expect(jenkins.context(env, io).pipeline.id).toBe('153');
  });

  it('GIT_AUTHOR_NAME and GIT_COMMITTER_NAME are not the commit’s: they sign new commits', () => {
    const env: Env = {
      ...base,
      GIT_AUTHOR_NAME: 'Jenkins',
      GIT_AUTHOR_EMAIL: 'jenkins@example.com',
      GIT_COMMITTER_NAME: 'Jenkins',
      GIT_COMMITTER_EMAIL: 'jenkins@example.com',
    };
    expect(jenkins.context(env, io)).toEqual(mainContext);
  });

  it('reports no status: Jenkins keeps the result out of the environment', () => {
    expect(jenkins.context(base, io).status).toBeUndefined();
  });

  it('no Git checkout: no commit and no project link', () => {
    const env: Env = { ...base, GIT_BRANCH: undefined, GIT_COMMIT: undefined, GIT_URL: undefined };
    expect(jenkins.context(env, io)).toEqual({
      ...mainContext,
      project: { name: 'chat-server', path: 'team/chat-server/main' },
      commit: {},
    });
  });

  it.each<[string, string, string | undefined, string | undefined]>([
    [
      'GitHub over HTTPS',
      'https://github.com/team/chat-server.git',
      REPO_URL,
      `${REPO_URL}/commit/${SHA}`,
    ],
    [
      'no .git suffix, a trailing slash',
      'https://github.com/team/chat-server/',
      REPO_URL,
      `${REPO_URL}/commit/${SHA}`,
    ],
    [
      'credentials in the URL, dropped',
      'https://jenkins:ghp_secret@github.com/team/chat-server.git',
      REPO_URL,
      `${REPO_URL}/commit/${SHA}`,
    ],
    ['scp-like SSH', 'git@github.com:team/chat-server.git', REPO_URL, `${REPO_URL}/commit/${SHA}`],
    [
      'ssh:// with a port',
      'ssh://git@GitHub.com:22/team/chat-server.git',
      REPO_URL,
      `${REPO_URL}/commit/${SHA}`,
    ],
    [
      'GitLab subgroups',
      'https://gitlab.com/team/backend/chat-server.git',
      'https://gitlab.com/team/backend/chat-server',
      `https://gitlab.com/team/backend/chat-server/-/commit/${SHA}`,
    ],
    [
      'Bitbucket Cloud',
      'git@bitbucket.org:team/chat-server.git',
      'https://bitbucket.org/team/chat-server',
      `https://bitbucket.org/team/chat-server/commits/${SHA}`,
    ],
    [
      'a self-hosted forge',
      'https://git.example.com/scm/team/chat-server.git',
      undefined,
      undefined,
    ],
    [
      'GitHub with a path too deep',
      'https://github.com/team/chat-server/extra.git',
      undefined,
      undefined,
    ],
    ['a path that climbs', 'https://github.com/team/../chat-server.git', undefined, undefined],
    ['a local path', '/srv/git/chat-server.git', undefined, undefined],
    ['a file: URL', 'file:///srv/git/chat-server.git', undefined, undefined],
    ['not a URL', 'javascript:alert(1)//github.com/team/chat-server', undefined, undefined],
    [
      'a host named after an Object member',
      'https://constructor/team/chat-server.git',
      undefined,
      undefined,
    ],
  ])('GIT_URL: %s', (_name, gitUrl, projectUrl, commitUrl) => {
    const ctx = jenkins.context({ ...base, GIT_URL: gitUrl }, io);
    expect(ctx.project.url).toBe(projectUrl);
    expect(ctx.commit.url).toBe(commitUrl);
  });

  it('passes untrusted text through unchanged', () => {
    const title = '<!channel> *urgent* `rm -rf /`\nsecond line';
    const env: Env = {
      ...base,
      JOB_NAME: 'team/<!here> *chat*/PR-1',
      BRANCH_NAME: 'PR-1',
      CHANGE_ID: '1',
      CHANGE_TITLE: title,
      CHANGE_BRANCH: '<@U123>',
      STAGE_NAME: 'Deploy <prod>',
    };
    const ctx = jenkins.context(env, io);
    expect(ctx.project.name).toBe('<!here> *chat*');
    expect(ctx.ref.name).toBe('<@U123>');
    expect(ctx.change?.title).toBe(title);
    expect(ctx.job.name).toBe('Deploy <prod>');
  });

  it.each<[string, Env]>([
    ['a JOB_NAME of slashes', { ...base, JOB_NAME: '///', JOB_BASE_NAME: undefined }],
    ['an empty branch', { ...base, JOB_NAME: 'team/%00', BRANCH_NAME: '' }],
    ['a branch named ..', { ...base, JOB_NAME: 'team/chat-server/%2E.', BRANCH_NAME: '..' }],
    ['a CHANGE_URL that is no URL', { ...base, CHANGE_ID: '1', CHANGE_URL: '/merge_requests/' }],
  ])('never throws on odd input: %s', (_name, env) => {
    expect(() => jenkins.context(env, io)).not.toThrow();
  });

  it('treats empty variables as missing and invents nothing', () => {
    const env: Env = {
      JENKINS_URL: 'https://jenkins.example.com/',
      BUILD_ID: '153',
      BRANCH_NAME: '',
      TAG_NAME: '',
      CHANGE_ID: '',
      GIT_URL: ' ',
      STAGE_NAME: '',
    };
    expect(jenkins.context(env, io)).toEqual({
      provider: 'jenkins',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: { id: '153' },
      job: {},
    });
  });
});
