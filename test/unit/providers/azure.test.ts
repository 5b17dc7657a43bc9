// https://learn.microsoft.com/en-us/azure/devops/pipelines/build/variables
import { describe, expect, it } from 'vitest';
import type { CiContext, Env } from '../../../src/context.ts';
import { azure } from '../../../src/providers/azure.ts';
import { noFiles } from './support.ts';

const io = noFiles;

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const REPO_URL = 'https://dev.azure.com/fabrikam/Chat/_git/chat-server';
const RUN_URL = 'https://dev.azure.com/fabrikam/Chat/_build/results?buildId=4711';
const JOB_ID = '12f1170f-54f2-53f3-20dd-22fc7dff55f9';
const JOB_URL = `${RUN_URL}&view=logs&j=${JOB_ID}`;

/** A CI build of a push to main in an Azure Repos repository, as the agent sets it. */
const base: Env = {
  TF_BUILD: 'True',
  AGENT_ID: '8',
  AGENT_JOBNAME: 'Deploy',
  AGENT_JOBSTATUS: 'Succeeded',
  AGENT_OS: 'Linux',
  BUILD_BUILDID: '4711',
  BUILD_BUILDNUMBER: '20250501.3',
  BUILD_BUILDURI: 'vstfs:///Build/Build/4711',
  BUILD_DEFINITIONNAME: 'chat-server',
  BUILD_REASON: 'IndividualCI',
  BUILD_REPOSITORY_ID: 'a2f9a77f-0d37-4eaf-aecc-5b3ff7457ad6',
  BUILD_REPOSITORY_NAME: 'chat-server',
  BUILD_REPOSITORY_PROVIDER: 'TfsGit',
  // The agent puts the organisation in the user part of Azure Repos URLs.
  BUILD_REPOSITORY_URI: 'https://fabrikam@dev.azure.com/fabrikam/Chat/_git/chat-server',
  BUILD_REQUESTEDFOR: 'Jiyoung Kim',
  BUILD_REQUESTEDFOREMAIL: 'jiyoung@example.com',
  BUILD_SOURCEBRANCH: 'refs/heads/main',
  BUILD_SOURCEBRANCHNAME: 'main',
  BUILD_SOURCEVERSION: SHA,
  BUILD_SOURCEVERSIONMESSAGE: 'Add read receipts',
  SYSTEM_COLLECTIONURI: 'https://dev.azure.com/fabrikam/',
  SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/fabrikam/',
  SYSTEM_TEAMPROJECT: 'Chat',
  SYSTEM_TEAMPROJECTID: '48440e73-a9f9-45c7-bbdd-3ff745878df5',
  SYSTEM_DEFINITIONID: '12',
  SYSTEM_HOSTTYPE: 'build',
  SYSTEM_JOBATTEMPT: '1',
  SYSTEM_JOBDISPLAYNAME: 'Deploy to production',
  SYSTEM_JOBID: JOB_ID,
  SYSTEM_JOBNAME: 'deploy_prod',
  SYSTEM_STAGEATTEMPT: '1',
  SYSTEM_STAGEDISPLAYNAME: 'Deploy',
  SYSTEM_STAGENAME: 'deploy',
};

/** What the base build yields; other cases state how they differ. */
const pushContext: CiContext = {
  provider: 'azure',
  project: { name: 'chat-server', path: 'chat-server', url: REPO_URL },
  ref: { name: 'main', isTag: false },
  environment: {},
  user: 'Jiyoung Kim',
  commit: {
    sha: SHA,
    shortSha: 'e83c5163',
    title: 'Add read receipts',
    url: `${REPO_URL}/commit/${SHA}`,
  },
  pipeline: { id: '4711', url: RUN_URL, source: 'push' },
  job: { id: JOB_ID, name: 'Deploy to production', stage: 'Deploy', url: JOB_URL },
  status: 'success',
};

describe('azure.detect', () => {
  it.each<[string, Env, boolean]>([
    ['Azure Pipelines', base, true],
    ['TF_BUILD in another case', { TF_BUILD: 'true' }, true],
    ['TF_BUILD set to an empty string', { CI: 'true', TF_BUILD: '' }, false],
    ['GitLab', { CI: 'true', GITLAB_CI: 'true' }, false],
    ['GitHub Actions', { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
    ['Jenkins', { JENKINS_URL: 'https://ci.example.com/', BUILD_ID: '7' }, false],
    ['CircleCI', { CI: 'true', CIRCLECI: 'true' }, false],
    ['Bitbucket Pipelines', { CI: 'true', BITBUCKET_BUILD_NUMBER: '7' }, false],
    ['CI=true alone', { CI: 'true' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(azure.detect(env)).toBe(expected);
  });
});

describe('azure.context', () => {
  it('push to main in Azure Repos', () => {
    expect(azure.context(base, io)).toEqual(pushContext);
  });

  it('batched CI, a branch with slashes (Build.SourceBranchName is only its last segment)', () => {
    const env: Env = {
      ...base,
      BUILD_REASON: 'BatchedCI',
      BUILD_SOURCEBRANCH: 'refs/heads/feature/login',
      BUILD_SOURCEBRANCHNAME: 'login',
    };
    expect(azure.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'feature/login', isTag: false },
    });
  });

  it('pull request in Azure Repos (branch policy build)', () => {
    const merge = '3b9d7f0c1e2a4b6c8d0e1f2a3b4c5d6e7f8a9b0c';
    const env: Env = {
      ...base,
      BUILD_REASON: 'PullRequest',
      BUILD_SOURCEBRANCH: 'refs/pull/17/merge',
      BUILD_SOURCEBRANCHNAME: 'merge',
      BUILD_SOURCEVERSION: merge,
      BUILD_SOURCEVERSIONMESSAGE: 'Merge pull request 17 from feature/login into main',
      BUILD_REQUESTEDFOR: 'Minho Park',
      SYSTEM_PULLREQUEST_ISFORK: 'False',
      SYSTEM_PULLREQUEST_PULLREQUESTID: '17',
      SYSTEM_PULLREQUEST_SOURCEBRANCH: 'refs/heads/feature/login',
      SYSTEM_PULLREQUEST_TARGETBRANCH: 'refs/heads/main',
      SYSTEM_PULLREQUEST_SOURCEREPOSITORYURI: REPO_URL,
      SYSTEM_JOBDISPLAYNAME: 'Unit tests',
      SYSTEM_JOBNAME: 'unit_tests',
      SYSTEM_STAGEDISPLAYNAME: 'Test',
      SYSTEM_STAGENAME: 'test',
    };
    expect(azure.context(env, io)).toEqual({
      provider: 'azure',
      project: { name: 'chat-server', path: 'chat-server', url: REPO_URL },
      ref: { name: 'feature/login', isTag: false },
      environment: {},
      user: 'Minho Park',
      commit: {
        sha: merge,
        shortSha: '3b9d7f0c',
        title: 'Merge pull request 17 from feature/login into main',
        url: `${REPO_URL}/commit/${merge}`,
      },
      pipeline: { id: '4711', url: RUN_URL, source: 'pull_request' },
      job: { id: JOB_ID, name: 'Unit tests', stage: 'Test', url: JOB_URL },
      status: 'success',
      change: { kind: 'pull_request', number: '17', url: `${REPO_URL}/pullrequest/17` },
    });
  });

  it('pull request in a GitHub repository: the number, not GitHub’s internal id', () => {
    // As the agent sets it for a GitHub repository, without stages.
    const github = 'https://github.com/team/chat-server';
    const merge = 'f44ad676029757f70d7fc848d4bdf13b771c279b';
    const env: Env = {
      TF_BUILD: 'True',
      AGENT_JOBNAME: 'Job',
      AGENT_JOBSTATUS: 'Succeeded',
      BUILD_BUILDID: '4',
      BUILD_BUILDNUMBER: '20201215.4',
      BUILD_QUEUEDBY: 'GitHub',
      BUILD_REASON: 'PullRequest',
      BUILD_REPOSITORY_ID: 'team/chat-server',
      BUILD_REPOSITORY_NAME: 'team/chat-server',
      BUILD_REPOSITORY_PROVIDER: 'GitHub',
      BUILD_REPOSITORY_URI: github,
      BUILD_REQUESTEDFOR: 'GitHub',
      BUILD_REQUESTEDFOREMAIL: '',
      BUILD_SOURCEBRANCH: 'refs/pull/89/merge',
      BUILD_SOURCEBRANCHNAME: 'merge',
      BUILD_SOURCEVERSION: merge,
      BUILD_SOURCEVERSIONMESSAGE: 'Merge db49327fe5e5bfea into dc78d69a83b22190',
      SYSTEM_COLLECTIONURI: 'https://dev.azure.com/fabrikam/',
      SYSTEM_TEAMPROJECT: 'chat-server',
      SYSTEM_JOBDISPLAYNAME: 'Job',
      SYSTEM_JOBID: JOB_ID,
      SYSTEM_JOBNAME: '__default',
      SYSTEM_PULLREQUEST_ISFORK: 'False',
      SYSTEM_PULLREQUEST_PULLREQUESTID: '540266026',
      SYSTEM_PULLREQUEST_PULLREQUESTNUMBER: '89',
      SYSTEM_PULLREQUEST_SOURCEBRANCH: 'feature/sso',
      SYSTEM_PULLREQUEST_SOURCEREPOSITORYURI: github,
      SYSTEM_PULLREQUEST_TARGETBRANCH: 'main',
      SYSTEM_STAGEDISPLAYNAME: '__default',
      SYSTEM_STAGENAME: '__default',
    };
    const run = 'https://dev.azure.com/fabrikam/chat-server/_build/results?buildId=4';
    expect(azure.context(env, io)).toEqual({
      provider: 'azure',
      project: { name: 'chat-server', path: 'team/chat-server', url: github },
      ref: { name: 'feature/sso', isTag: false },
      environment: {},
      user: 'GitHub',
      commit: {
        sha: merge,
        shortSha: 'f44ad676',
        title: 'Merge db49327fe5e5bfea into dc78d69a83b22190',
        url: `${github}/commit/${merge}`,
      },
      pipeline: { id: '4', url: run, source: 'pull_request' },
      // `__default` is the stage Azure makes up when the YAML declares none: no stage.
      job: { id: JOB_ID, name: 'Job', url: `${run}&view=logs&j=${JOB_ID}` },
      status: 'success',
      change: { kind: 'pull_request', number: '89', url: `${github}/pull/89` },
    });
  });

  it('pull request without the pull request variables: the number from the ref', () => {
    const env: Env = {
      ...base,
      BUILD_REASON: 'PullRequest',
      BUILD_SOURCEBRANCH: 'refs/pull/7/merge',
      BUILD_SOURCEBRANCHNAME: 'merge',
    };
    expect(azure.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: '7/merge', isTag: false },
      pipeline: { ...pushContext.pipeline, source: 'pull_request' },
      change: { kind: 'pull_request', number: '7', url: `${REPO_URL}/pullrequest/7` },
    });
  });

  it('tag build', () => {
    const env: Env = {
      ...base,
      BUILD_SOURCEBRANCH: 'refs/tags/v1.2.0',
      BUILD_SOURCEBRANCHNAME: 'v1.2.0',
      BUILD_SOURCEVERSIONMESSAGE: 'Release 1.2.0',
    };
    expect(azure.context(env, io)).toEqual({
      ...pushContext,
      ref: { name: 'v1.2.0', isTag: true },
      commit: { ...pushContext.commit, title: 'Release 1.2.0' },
    });
  });

  it.each<[string, string]>([
    ['IndividualCI', 'push'],
    ['BatchedCI', 'push'],
    ['PullRequest', 'pull_request'],
    ['Schedule', 'schedule'],
    // No shared word for these: Azure's own.
    ['Manual', 'Manual'],
    ['ResourceTrigger', 'ResourceTrigger'],
    ['CheckInShelveset', 'CheckInShelveset'],
  ])('Build.Reason %s -> source %s', (reason, source) => {
    expect(azure.context({ ...base, BUILD_REASON: reason }, io).pipeline.source).toBe(source);
  });

  it('deployment job: the environment, and how the job ended', () => {
    const env: Env = {
      ...base,
      ENVIRONMENT_NAME: 'production',
      ENVIRONMENT_ID: '10',
      ENVIRONMENT_RESOURCENAME: 'chat',
      STRATEGY_NAME: 'runOnce',
      AGENT_JOBSTATUS: 'Failed',
    };
    expect(azure.context(env, io)).toEqual({
      ...pushContext,
      environment: { name: 'production' },
      status: 'failed',
    });
  });

  it.each<[string, Env, string | undefined]>([
    ['Succeeded', { AGENT_JOBSTATUS: 'Succeeded' }, 'success'],
    // Partially successful: a success with warnings.
    ['SucceededWithIssues', { AGENT_JOBSTATUS: 'SucceededWithIssues' }, 'success'],
    ['Failed', { AGENT_JOBSTATUS: 'Failed' }, 'failed'],
    ['Canceled', { AGENT_JOBSTATUS: 'Canceled' }, 'canceled'],
    [
      'the older agent.jobstatus',
      { AGENT_JOBSTATUS: undefined, 'agent.jobstatus': 'Failed' },
      'failed',
    ],
    // Unknown values are passed through for notify to report as unknown, never as success.
    ['a value Azure does not document', { AGENT_JOBSTATUS: 'Skipped' }, 'Skipped'],
    ['a prototype key', { AGENT_JOBSTATUS: 'constructor' }, 'constructor'],
    ['nothing', { AGENT_JOBSTATUS: undefined }, undefined],
  ])('status from %s', (_name, overrides, expected) => {
    expect(azure.context({ ...base, ...overrides }, io).status).toBe(expected);
  });

  it('a manual run in a project with spaces on Azure DevOps Server', () => {
    // Server collections have no trailing slash guarantee; project names may hold spaces.
    const env: Env = {
      ...base,
      BUILD_REASON: 'Manual',
      SYSTEM_COLLECTIONURI: undefined,
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://tfs.example.com/tfs/DefaultCollection',
      SYSTEM_TEAMPROJECT: 'Chat Apps',
      BUILD_REPOSITORY_URI:
        'https://tfs.example.com/tfs/DefaultCollection/Chat%20Apps/_git/chat-server',
    };
    const repo = 'https://tfs.example.com/tfs/DefaultCollection/Chat%20Apps/_git/chat-server';
    const run =
      'https://tfs.example.com/tfs/DefaultCollection/Chat%20Apps/_build/results?buildId=4711';
    expect(azure.context(env, io)).toEqual({
      ...pushContext,
      project: { ...pushContext.project, url: repo },
      commit: { ...pushContext.commit, url: `${repo}/commit/${SHA}` },
      pipeline: { id: '4711', url: run, source: 'Manual' },
      job: { ...pushContext.job, url: `${run}&view=logs&j=${JOB_ID}` },
    });
  });

  it('a repository on another Git server: no commit link, the shape is unknown', () => {
    const env: Env = {
      ...base,
      BUILD_REPOSITORY_PROVIDER: 'Git',
      BUILD_REPOSITORY_NAME: 'chat-server',
      BUILD_REPOSITORY_URI: 'https://git.example.com/team/chat-server.git',
    };
    expect(azure.context(env, io)).toEqual({
      ...pushContext,
      project: { ...pushContext.project, url: 'https://git.example.com/team/chat-server.git' },
      commit: { ...pushContext.commit, url: undefined },
    });
  });

  it('TFVC: a server path, not a ref; a changeset, not a commit', () => {
    const env: Env = {
      ...base,
      BUILD_REPOSITORY_PROVIDER: 'TfsVersionControl',
      BUILD_REPOSITORY_NAME: 'Chat',
      BUILD_REPOSITORY_URI: 'https://dev.azure.com/fabrikam/',
      BUILD_SOURCEBRANCH: '$/Chat/main',
      BUILD_SOURCEBRANCHNAME: 'main',
      BUILD_SOURCEVERSION: '1234',
      BUILD_SOURCEVERSIONMESSAGE: 'Add read receipts',
    };
    expect(azure.context(env, io)).toEqual({
      ...pushContext,
      project: { name: 'Chat', path: 'Chat', url: 'https://dev.azure.com/fabrikam' },
      ref: { name: 'main', isTag: false },
      commit: { sha: '1234', shortSha: '1234', title: 'Add read receipts' },
    });
  });

  it('a job outside any declared stage or job: no made-up `__default` names', () => {
    const env: Env = {
      ...base,
      SYSTEM_JOBDISPLAYNAME: '',
      SYSTEM_JOBNAME: '__default',
      SYSTEM_STAGEDISPLAYNAME: '__default',
      SYSTEM_STAGENAME: '__default',
    };
    expect(azure.context(env, io).job).toEqual({ id: JOB_ID, url: JOB_URL });
  });

  it('falls back to the job and stage identifiers without display names', () => {
    const env: Env = { ...base, SYSTEM_JOBDISPLAYNAME: undefined, SYSTEM_STAGEDISPLAYNAME: '' };
    expect(azure.context(env, io).job).toEqual({
      id: JOB_ID,
      name: 'deploy_prod',
      stage: 'deploy',
      url: JOB_URL,
    });
  });

  it('links the run when there is no job id, and nothing without the collection', () => {
    expect(azure.context({ ...base, SYSTEM_JOBID: undefined }, io).job.url).toBe(RUN_URL);
    const bare = azure.context(
      { ...base, SYSTEM_COLLECTIONURI: undefined, SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: undefined },
      io,
    );
    expect(bare.pipeline.url).toBeUndefined();
    expect(bare.job.url).toBeUndefined();
  });

  it('takes the first line of a multi-line message', () => {
    const env: Env = {
      ...base,
      BUILD_SOURCEVERSIONMESSAGE: 'Fix the login loop\r\n\r\nIt redirected.',
    };
    expect(azure.context(env, io).commit.title).toBe('Fix the login loop');
  });

  it('passes odd values through, encodes what goes into its own links, and never throws', () => {
    const env: Env = {
      ...base,
      BUILD_REQUESTEDFOR: '<!channel> *boss*',
      BUILD_SOURCEVERSIONMESSAGE: '<https://evil.example|click> me\nsecond line',
      BUILD_SOURCEBRANCH: 'refs/heads/<b>&amp;',
      SYSTEM_TEAMPROJECT: 'a&b?c#d',
      BUILD_BUILDID: '1&x=2',
      SYSTEM_JOBID: 'j#1',
      BUILD_REPOSITORY_URI: `https://${'/'.repeat(50_000)}x${'/'.repeat(50_000)}`,
    };
    const ctx = azure.context(env, io);
    expect(ctx.user).toBe('<!channel> *boss*');
    expect(ctx.commit.title).toBe('<https://evil.example|click> me');
    expect(ctx.ref.name).toBe('<b>&amp;');
    expect(ctx.pipeline.url).toBe(
      'https://dev.azure.com/fabrikam/a%26b%3Fc%23d/_build/results?buildId=1%26x%3D2',
    );
    expect(ctx.job.url).toBe(`${ctx.pipeline.url}&view=logs&j=j%231`);
    expect(ctx.project.url).toBe(`https://${'/'.repeat(50_000)}x`);
  });

  it('treats empty variables as missing and invents nothing', () => {
    const env: Env = {
      TF_BUILD: 'True',
      BUILD_SOURCEBRANCH: '',
      BUILD_REPOSITORY_URI: ' ',
      ENVIRONMENT_NAME: '',
      SYSTEM_PULLREQUEST_PULLREQUESTID: '',
      AGENT_JOBSTATUS: '',
    };
    expect(azure.context(env, io)).toEqual({
      provider: 'azure',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    });
  });
});
