// https://docs.github.com/en/actions/reference/workflows-and-actions/variables
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CiContext, Env, ProviderIo } from '../../../src/context.ts';
import { github } from '../../../src/providers/github.ts';

// The runner writes the webhook payload to a file; the provider reads it like the CLI does.
const io: ProviderIo = { readFile: (path) => readFileSync(path, 'utf8') };
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/github/${name}`, import.meta.url));

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const PR_HEAD_SHA = '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
// On pull_request events GITHUB_SHA is the merge commit GitHub made, not a commit anyone pushed.
const PR_MERGE_SHA = '3b9d7f0c1e2a4b6c8d0e1f2a3b4c5d6e7f8a9b0c';
const REPO_URL = 'https://github.com/team/chat-server';
const RUN_URL = `${REPO_URL}/actions/runs/9876543210`;

/** A workflow run for a push to main, as the runner sets it. */
const base: Env = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'team/chat-server',
  GITHUB_REPOSITORY_OWNER: 'team',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_REF_TYPE: 'branch',
  GITHUB_HEAD_REF: '',
  GITHUB_BASE_REF: '',
  GITHUB_SHA: SHA,
  GITHUB_ACTOR: 'jiyoung',
  GITHUB_TRIGGERING_ACTOR: 'jiyoung',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_NUMBER: '128',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'deploy',
  GITHUB_WORKFLOW: 'Deploy',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_EVENT_PATH: fixture('push.json'),
  RUNNER_OS: 'Linux',
};

/** What a push to main yields; other cases state how they differ. */
const pushContext: CiContext = {
  provider: 'github',
  project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
  ref: { name: 'main', isTag: false, defaultBranch: 'main' },
  environment: {},
  user: 'jiyoung',
  userUrl: 'https://github.com/jiyoung',
  commit: {
    sha: SHA,
    shortSha: 'e83c516',
    title: 'Add read receipts',
    author: 'Jiyoung Kim',
    url: `${REPO_URL}/commit/${SHA}`,
  },
  pipeline: { id: '9876543210', attempt: '1', url: RUN_URL, source: 'push', name: 'Deploy' },
  job: { name: 'deploy', stage: 'Deploy', url: RUN_URL },
};

describe('github.detect', () => {
  it.each<[string, Env, boolean]>([
    ['GitHub Actions', base, true],
    ['GITHUB_ACTIONS=false', { ...base, GITHUB_ACTIONS: 'false' }, false],
    ['GitLab', { CI: 'true', GITLAB_CI: 'true' }, false],
    ['nothing', {}, false],
  ])('%s -> %s', (_name, env, expected) => {
    expect(github.detect(env)).toBe(expected);
  });
});

describe('github.context', () => {
  it('push', () => {
    expect(github.context(base, io)).toEqual(pushContext);
  });

  it('a protected branch (GITHUB_REF_PROTECTED)', () => {
    expect(github.context({ ...base, GITHUB_REF_PROTECTED: 'true' }, io)).toEqual({
      ...pushContext,
      ref: { ...pushContext.ref, protected: true },
    });
  });

  it('pull request', () => {
    const env: Env = {
      ...base,
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_HEAD_REF: 'feature/typing',
      GITHUB_BASE_REF: 'main',
      GITHUB_SHA: PR_MERGE_SHA,
      GITHUB_ACTOR: 'minho',
      GITHUB_TRIGGERING_ACTOR: 'minho',
      GITHUB_JOB: 'test',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: fixture('pull_request.json'),
    };
    expect(github.context(env, io)).toEqual({
      provider: 'github',
      project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
      ref: { name: 'feature/typing', isTag: false, defaultBranch: 'main' },
      environment: {},
      user: 'minho',
      userUrl: 'https://github.com/minho',
      commit: {
        sha: PR_HEAD_SHA,
        shortSha: '5f1c0e2',
        url: `${REPO_URL}/commit/${PR_HEAD_SHA}`,
      },
      pipeline: {
        id: '9876543210',
        attempt: '1',
        url: RUN_URL,
        source: 'pull_request',
        name: 'CI',
      },
      job: { name: 'test', stage: 'CI', url: RUN_URL },
      change: {
        kind: 'pull_request',
        number: '42',
        title: 'Show typing indicators',
        url: `${REPO_URL}/pull/42`,
        author: 'minho',
        authorUrl: 'https://github.com/minho',
      },
    });
  });

  it('tag', () => {
    const env: Env = {
      ...base,
      GITHUB_REF: 'refs/tags/v1.2.0',
      GITHUB_REF_NAME: 'v1.2.0',
      GITHUB_REF_TYPE: 'tag',
      GITHUB_JOB: 'release',
      GITHUB_WORKFLOW: 'Release',
      GITHUB_EVENT_PATH: fixture('tag.json'),
    };
    expect(github.context(env, io)).toEqual({
      provider: 'github',
      project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
      ref: { name: 'v1.2.0', isTag: true, defaultBranch: 'main' },
      environment: {},
      user: 'jiyoung',
      userUrl: 'https://github.com/jiyoung',
      commit: {
        sha: SHA,
        shortSha: 'e83c516',
        title: 'Release 1.2.0',
        author: 'Jiyoung Kim',
        url: `${REPO_URL}/commit/${SHA}`,
      },
      pipeline: { id: '9876543210', attempt: '1', url: RUN_URL, source: 'push', name: 'Release' },
      job: { name: 'release', stage: 'Release', url: RUN_URL },
    });
  });

  it('schedule', () => {
    // A schedule's payload holds no repository, so the default branch is unknown.
    const env: Env = {
      ...base,
      GITHUB_ACTOR: 'jiyoung',
      GITHUB_TRIGGERING_ACTOR: 'release-bot',
      GITHUB_JOB: 'e2e',
      GITHUB_WORKFLOW: 'Nightly',
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: fixture('schedule.json'),
    };
    expect(github.context(env, io)).toEqual({
      provider: 'github',
      project: { name: 'chat-server', path: 'team/chat-server', url: REPO_URL },
      ref: { name: 'main', isTag: false },
      environment: {},
      user: 'release-bot',
      userUrl: 'https://github.com/release-bot',
      commit: { sha: SHA, shortSha: 'e83c516', url: `${REPO_URL}/commit/${SHA}` },
      pipeline: {
        id: '9876543210',
        attempt: '1',
        url: RUN_URL,
        source: 'schedule',
        name: 'Nightly',
      },
      job: { name: 'e2e', stage: 'Nightly', url: RUN_URL },
    });
  });

  it('GitHub Enterprise Server: links use GITHUB_SERVER_URL', () => {
    const server = 'https://github.example.com';
    const env: Env = { ...base, GITHUB_SERVER_URL: server };
    const runUrl = `${server}/team/chat-server/actions/runs/9876543210`;
    expect(github.context(env, io)).toEqual({
      ...pushContext,
      project: { ...pushContext.project, url: `${server}/team/chat-server` },
      commit: { ...pushContext.commit, url: `${server}/team/chat-server/commit/${SHA}` },
      pipeline: { ...pushContext.pipeline, url: runUrl },
      job: { ...pushContext.job, url: runUrl },
      userUrl: `${server}/jiyoung`,
    });
  });

  it('without GITHUB_TRIGGERING_ACTOR the actor started the run', () => {
    const env: Env = { ...base, GITHUB_ACTOR: 'minho', GITHUB_TRIGGERING_ACTOR: undefined };
    expect(github.context(env, io)).toEqual({
      ...pushContext,
      user: 'minho',
      userUrl: 'https://github.com/minho',
    });
  });

  describe('an unusable event file leaves out what only the event knows, and never throws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'notify-github-event-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const corrupt = join(dir, 'event.json');
    // A runner killed mid-write leaves a truncated file behind.
    writeFileSync(corrupt, '{"pull_request": {"number": 42, "title": "Show typ');

    /** The push context minus the event's details. */
    const withoutEvent: CiContext = {
      ...pushContext,
      ref: { name: 'main', isTag: false },
      commit: { sha: SHA, shortSha: 'e83c516', url: `${REPO_URL}/commit/${SHA}` },
    };

    it.each<[string, string | undefined]>([
      ['corrupt JSON', corrupt],
      ['a missing file', join(dir, 'does-not-exist.json')],
      ['JSON null', fixture('null.json')],
      ['a JSON array', fixture('array.json')],
      ['no GITHUB_EVENT_PATH', undefined],
    ])('%s', (_name, path) => {
      expect(github.context({ ...base, GITHUB_EVENT_PATH: path }, io)).toEqual(withoutEvent);
    });
  });

  describe('without GITHUB_REF_NAME the ref comes from GITHUB_REF', () => {
    // Runners that predate GITHUB_REF_NAME, and local runners, set only GITHUB_REF.
    const noRefName: Env = { ...base, GITHUB_REF_NAME: undefined };

    it('a branch', () => {
      expect(github.context(noRefName, io)).toEqual(pushContext);
    });

    it('a branch with slashes', () => {
      const env: Env = { ...noRefName, GITHUB_REF: 'refs/heads/feature/read/receipts' };
      expect(github.context(env, io)).toEqual({
        ...pushContext,
        ref: { ...pushContext.ref, name: 'feature/read/receipts' },
      });
    });

    it.each<[string, Env]>([
      ['GITHUB_REF_TYPE=tag', { GITHUB_REF_TYPE: 'tag' }],
      ['no GITHUB_REF_TYPE either', { GITHUB_REF_TYPE: undefined }],
    ])('a tag, %s', (_name, over) => {
      const env: Env = { ...noRefName, GITHUB_REF: 'refs/tags/v1.2.0', ...over };
      expect(github.context(env, io)).toEqual({
        ...pushContext,
        ref: { ...pushContext.ref, name: 'v1.2.0', isTag: true },
      });
    });

    it('GITHUB_REF_TYPE has the last word on what the ref is', () => {
      const env: Env = { ...base, GITHUB_REF: 'refs/tags/v1.2.0', GITHUB_REF_TYPE: 'branch' };
      expect(github.context(env, io)).toEqual(pushContext);
    });

    it('a pull request without its event: the number, as GitHub names the ref', () => {
      const env: Env = {
        ...noRefName,
        GITHUB_REF: 'refs/pull/42/merge',
        GITHUB_REF_TYPE: undefined,
        GITHUB_SHA: PR_MERGE_SHA,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: undefined,
      };
      expect(github.context(env, io)).toEqual({
        ...pushContext,
        ref: { name: '42/merge', isTag: false },
        commit: {
          sha: PR_MERGE_SHA,
          shortSha: '3b9d7f0',
          url: `${REPO_URL}/commit/${PR_MERGE_SHA}`,
        },
        pipeline: { ...pushContext.pipeline, source: 'pull_request' },
        change: { kind: 'pull_request', number: '42', url: `${REPO_URL}/pull/42` },
      });
    });

    it('a pull request without its event still names the branch by GITHUB_HEAD_REF', () => {
      const env: Env = {
        ...noRefName,
        GITHUB_REF: 'refs/pull/42/merge',
        GITHUB_HEAD_REF: 'feature/typing',
        GITHUB_EVENT_PATH: undefined,
      };
      expect(github.context(env, io)).toEqual({
        ...pushContext,
        ref: { name: 'feature/typing', isTag: false },
        commit: { sha: SHA, shortSha: 'e83c516', url: `${REPO_URL}/commit/${SHA}` },
        change: { kind: 'pull_request', number: '42', url: `${REPO_URL}/pull/42` },
      });
    });

    it('the event names the pull request when it can', () => {
      const env: Env = {
        ...noRefName,
        GITHUB_REF: 'refs/pull/42/merge',
        GITHUB_HEAD_REF: 'feature/typing',
        GITHUB_EVENT_PATH: fixture('pull_request.json'),
      };
      expect(github.context(env, io).change).toEqual({
        kind: 'pull_request',
        number: '42',
        title: 'Show typing indicators',
        url: `${REPO_URL}/pull/42`,
        author: 'minho',
        authorUrl: 'https://github.com/minho',
      });
    });

    it.each<[string, string | undefined]>([
      ['no GITHUB_REF', undefined],
      ['a kind of ref GitHub does not name', 'refs/remotes/origin/main'],
      ['not a ref', 'main'],
    ])('%s: no name', (_name, ref) => {
      const env: Env = { ...noRefName, GITHUB_REF: ref };
      expect(github.context(env, io)).toEqual({
        ...pushContext,
        ref: { ...pushContext.ref, name: undefined },
      });
    });
  });

  it('without GITHUB_REPOSITORY there are no links, only names', () => {
    const env: Env = { ...base, GITHUB_REPOSITORY: undefined, GITHUB_EVENT_PATH: undefined };
    expect(github.context(env, io)).toEqual({
      provider: 'github',
      project: {},
      ref: { name: 'main', isTag: false },
      environment: {},
      user: 'jiyoung',
      userUrl: 'https://github.com/jiyoung',
      commit: { sha: SHA, shortSha: 'e83c516' },
      pipeline: { id: '9876543210', attempt: '1', source: 'push', name: 'Deploy' },
      job: { name: 'deploy', stage: 'Deploy' },
    });
  });
});
