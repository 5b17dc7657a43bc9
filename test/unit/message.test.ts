import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../src/context.ts';
import { DEFAULT_DATASOURCE } from '../../src/links.ts';
import {
  actions,
  buildMessage,
  details,
  fallbackText,
  headline,
  outcome,
  statusEmoji,
} from '../../src/targets/slack.ts';
import type { Event, MessageSettings } from '../../src/report.ts';
import type { Status } from '../../src/status.ts';
import {
  COMMIT_URL,
  contextWith,
  featureBranch,
  JOB_URL,
  mainPush,
  PIPELINE_URL,
  PROJECT_URL,
} from './sample-context.ts';

const settings: MessageSettings = {
  environment: { map: [] },
  logs: { grafanaUrlMap: [], datasource: DEFAULT_DATASOURCE, from: 'pipeline' },
};

const start: Event = { kind: 'start' };
const finish = (status: Status): Event => ({ kind: 'finish', status });

const plain = (s: string) => s;
const bold = (s: string) => `*${s}*`;

/** The mrkdwn texts of a payload, in order: headline, small print, links. */
function texts(ctx: CiContext, event: Event, given: MessageSettings = settings): string[] {
  return buildMessage(ctx, event, given).blocks.flatMap((block) =>
    block.type === 'section' ? [block.text.text] : block.elements.map((e) => e.text),
  );
}

const GITHUB_URL = 'https://github.com/team/chat-server';
const RUN_URL = `${GITHUB_URL}/actions/runs/9876543210`;
const PR_HEAD_SHA = '5f1c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';

const githubPullRequest: CiContext = {
  provider: 'github',
  project: { name: 'chat-server', path: 'team/chat-server', url: GITHUB_URL },
  ref: { name: 'feature/typing', isTag: false, defaultBranch: 'main' },
  environment: {},
  user: 'minho',
  commit: { sha: PR_HEAD_SHA, shortSha: '5f1c0e2', url: `${GITHUB_URL}/commit/${PR_HEAD_SHA}` },
  pipeline: { id: '9876543210', url: RUN_URL, source: 'pull_request' },
  job: { name: 'test', stage: 'CI', url: RUN_URL },
  change: {
    kind: 'pull_request',
    number: '42',
    title: 'Show typing indicators',
    url: `${GITHUB_URL}/pull/42`,
  },
};

describe('statusEmoji and outcome', () => {
  it.each<[Event, string, string]>([
    [start, ':rocket:', 'is started'],
    [finish('success'), ':white_check_mark:', 'succeeded'],
    [finish('failed'), ':x:', 'failed'],
    [finish('canceled'), ':no_entry_sign:', 'was canceled'],
    [finish('timedout'), ':hourglass:', 'timed out'],
    [finish('aborted'), ':octagonal_sign:', 'was aborted'],
    [finish('unknown'), ':grey_question:', 'finished with an unknown status'],
  ])('%j -> %s %s', (event, emoji, verb) => {
    expect(statusEmoji(event)).toBe(emoji);
    expect(outcome(event)).toBe(verb);
  });
});

describe('headline and fallbackText', () => {
  it.each<[string, CiContext, string | undefined, Event, string]>([
    [
      'the start story',
      mainPush,
      'production',
      start,
      'chat-server production job deploy-prod is started by jiyoung',
    ],
    [
      'a job that succeeded speaks of itself, not of the pipeline',
      mainPush,
      'production',
      finish('success'),
      'chat-server production job deploy-prod succeeded',
    ],
    [
      'a failure names the stage and the job',
      featureBranch,
      'feature/login',
      finish('failed'),
      'chat-server feature/login job unit-tests failed at stage test',
    ],
    [
      'so does an unknown status',
      mainPush,
      'production',
      finish('unknown'),
      'chat-server production job deploy-prod finished with an unknown status at stage deploy',
    ],
    [
      'a failure without a stage names the job alone',
      contextWith({ job: { stage: undefined } }),
      'production',
      finish('failed'),
      'chat-server production job deploy-prod failed',
    ],
    [
      'a failure knowing neither says nothing more',
      contextWith({ job: { stage: undefined, name: undefined } }),
      'production',
      finish('timedout'),
      'chat-server production pipeline timed out',
    ],
    [
      'no user: nobody is named',
      { ...mainPush, user: undefined },
      'production',
      start,
      'chat-server production job deploy-prod is started',
    ],
    ['no label', mainPush, undefined, start, 'chat-server job deploy-prod is started by jiyoung'],
    [
      'the project path when the name is unknown',
      contextWith({ project: { name: undefined } }),
      'production',
      start,
      'team/chat-server production job deploy-prod is started by jiyoung',
    ],
    [
      'untrusted names are escaped',
      { ...mainPush, user: '<!channel>' },
      'a&b',
      start,
      'chat-server a&amp;b job deploy-prod is started by &lt;!channel&gt;',
    ],
  ])('%s', (_name, ctx, label, event, expected) => {
    expect(headline(ctx, label, event, plain)).toBe(expected);
    expect(fallbackText(ctx, label, event)).toBe(`${statusEmoji(event)} ${expected}`);
  });

  it('emphasises the names, and only the names', () => {
    expect(headline(featureBranch, 'feature/login', finish('failed'), bold)).toBe(
      '*chat-server* *feature/login* job *unit-tests* failed at stage *test*',
    );
  });

  it('keeps a 60,000-character name to a short headline', () => {
    const line = headline({ ...mainPush, user: 'x'.repeat(60_000) }, 'production', start, plain);
    expect(line.length).toBeLessThan(200);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('details', () => {
  it('a tag is called a tag', () => {
    const ctx = contextWith({ ref: { name: 'v1.2.0', isTag: true } });
    expect(details(ctx, start)[0]).toBe('Tag v1.2.0');
  });

  it('a merge request is linked as !iid', () => {
    const ctx: CiContext = {
      ...featureBranch,
      change: {
        kind: 'merge_request',
        number: '17',
        title: 'Log in with SSO',
        url: `${PROJECT_URL}/-/merge_requests/17`,
      },
    };
    expect(details(ctx, start)).toContain(
      `<${PROJECT_URL}/-/merge_requests/17|!17 Log in with SSO>`,
    );
  });

  it('falls back to the first 8 characters of the SHA, unlinked without a URL', () => {
    const ctx = contextWith({
      commit: { shortSha: undefined, url: undefined, title: undefined, author: undefined },
    });
    expect(details(ctx, start)).toEqual([
      'Branch main',
      'e83c5163',
      `Job <${JOB_URL}|deploy-prod>`,
      `<${PIPELINE_URL}|Pipeline #1234567>`,
    ]);
  });

  it('a deploy that starts during a deploy freeze says so first; its end does not', () => {
    const ctx: CiContext = { ...mainPush, deployFreeze: true };
    expect(details(ctx, start)[0]).toBe(':snowflake: A deploy freeze is in effect');
    expect(details(ctx, { kind: 'finish', status: 'success', scope: 'job' })).not.toContain(
      ':snowflake: A deploy freeze is in effect',
    );
    expect(details(mainPush, start)).not.toContain(':snowflake: A deploy freeze is in effect');
  });

  it('a context with nothing in it has no small print', () => {
    const empty: CiContext = {
      provider: 'local',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    };
    expect(details(empty, start)).toEqual([]);
    expect(buildMessage(empty, start, settings).blocks).toHaveLength(1);
  });
});

describe('actions', () => {
  it('drops links whose URL is not http(s)', () => {
    const ctx = contextWith({ job: { url: 'javascript:alert(1)' } });
    expect(actions(ctx, 'production', finish('failed'), 'ftp://grafana.example.com')).toEqual([]);
  });
});

describe('scope: pipeline, for a job that only notifies', () => {
  const pipelineFailed: Event = { kind: 'finish', status: 'failed', scope: 'pipeline' };

  it('its start is the seed: <repo> <env> pipeline is started by <user>', () => {
    expect(fallbackText(mainPush, 'production', { kind: 'start', scope: 'pipeline' })).toBe(
      ':rocket: chat-server production pipeline is started by jiyoung',
    );
  });

  it('speaks of the pipeline, not of the notifying job', () => {
    expect(fallbackText(featureBranch, 'feature/login', pipelineFailed)).toBe(
      ':x: chat-server feature/login pipeline failed',
    );
    expect(details(featureBranch, pipelineFailed).some((text) => text.startsWith('Job '))).toBe(
      false,
    );
  });

  it('links the pipeline where a job scope links the job', () => {
    expect(actions(featureBranch, 'feature/login', pipelineFailed)).toEqual([
      `<${PIPELINE_URL}|View pipeline>`,
    ]);
    expect(actions(featureBranch, 'feature/login', finish('failed'))).toEqual([
      `<${JOB_URL}|View failed job>`,
    ]);
  });
});

describe('buildMessage', () => {
  it('start on main', () => {
    expect(buildMessage(mainPush, start, settings)).toEqual({
      text: ':rocket: chat-server production job deploy-prod is started by jiyoung',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            verbatim: true,
            text: ':rocket: *chat-server* *production* job *deploy-prod* is started by *jiyoung*',
          },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', verbatim: true, text: 'Branch main' },
            {
              type: 'mrkdwn',
              verbatim: true,
              text: `<${COMMIT_URL}|e83c5163> Add read receipts (Jiyoung Kim)`,
            },
            { type: 'mrkdwn', verbatim: true, text: `Job <${JOB_URL}|deploy-prod>` },
            { type: 'mrkdwn', verbatim: true, text: `<${PIPELINE_URL}|Pipeline #1234567>` },
          ],
        },
      ],
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it('success links the deployed environment', () => {
    const ctx = contextWith({
      environment: { name: 'production', url: 'https://chat.example.com' },
    });
    expect(buildMessage(ctx, finish('success'), settings)).toEqual({
      text: ':white_check_mark: chat-server production job deploy-prod succeeded',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            verbatim: true,
            text: ':white_check_mark: *chat-server* *production* job *deploy-prod* succeeded',
          },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', verbatim: true, text: 'Branch main' },
            {
              type: 'mrkdwn',
              verbatim: true,
              text: `<${COMMIT_URL}|e83c5163> Add read receipts (Jiyoung Kim)`,
            },
            { type: 'mrkdwn', verbatim: true, text: `Job <${JOB_URL}|deploy-prod>` },
            { type: 'mrkdwn', verbatim: true, text: `<${PIPELINE_URL}|Pipeline #1234567>` },
            { type: 'mrkdwn', verbatim: true, text: 'Started by jiyoung' },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            verbatim: true,
            text: '<https://chat.example.com/|Open production>',
          },
        },
      ],
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it('success without an environment URL links the project', () => {
    expect(texts(mainPush, finish('success')).at(-1)).toBe(`<${PROJECT_URL}|Open project>`);
  });

  it('failure on a feature branch links the failed job and names stage and job', () => {
    expect(buildMessage(featureBranch, finish('failed'), settings)).toEqual({
      text: ':x: chat-server feature/login job unit-tests failed at stage test',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            verbatim: true,
            text: ':x: *chat-server* *feature/login* job *unit-tests* failed at stage *test*',
          },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', verbatim: true, text: 'Branch feature/login' },
            {
              type: 'mrkdwn',
              verbatim: true,
              text: `<${COMMIT_URL}|e83c5163> Add read receipts (Jiyoung Kim)`,
            },
            { type: 'mrkdwn', verbatim: true, text: `Job <${JOB_URL}|unit-tests>` },
            { type: 'mrkdwn', verbatim: true, text: `<${PIPELINE_URL}|Pipeline #1234567>` },
            { type: 'mrkdwn', verbatim: true, text: 'Started by jiyoung' },
          ],
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', verbatim: true, text: `<${JOB_URL}|View failed job>` },
        },
      ],
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it.each<[Status, string, string]>([
    ['canceled', ':no_entry_sign:', 'was canceled'],
    ['timedout', ':hourglass:', 'timed out'],
    ['aborted', ':octagonal_sign:', 'was aborted'],
    ['unknown', ':grey_question:', 'finished with an unknown status'],
  ])('%s: says so, names stage and job, links the job', (status, emoji, verb) => {
    const message = buildMessage(mainPush, finish(status), settings);
    expect(message.text).toBe(
      `${emoji} chat-server production job deploy-prod ${verb} at stage deploy`,
    );
    expect(texts(mainPush, finish(status))).toEqual([
      `${emoji} *chat-server* *production* job *deploy-prod* ${verb} at stage *deploy*`,
      'Branch main',
      `<${COMMIT_URL}|e83c5163> Add read receipts (Jiyoung Kim)`,
      `Job <${JOB_URL}|deploy-prod>`,
      `<${PIPELINE_URL}|Pipeline #1234567>`,
      'Started by jiyoung',
      `<${JOB_URL}|View job>`,
    ]);
  });

  it('GitHub pull request run links the PR as #number', () => {
    expect(buildMessage(githubPullRequest, start, settings)).toEqual({
      text: ':rocket: chat-server feature/typing job test is started by minho',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            verbatim: true,
            text: ':rocket: *chat-server* *feature/typing* job *test* is started by *minho*',
          },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', verbatim: true, text: 'Branch feature/typing' },
            {
              type: 'mrkdwn',
              verbatim: true,
              text: `<${GITHUB_URL}/commit/${PR_HEAD_SHA}|5f1c0e2>`,
            },
            {
              type: 'mrkdwn',
              verbatim: true,
              text: `<${GITHUB_URL}/pull/42|#42 Show typing indicators>`,
            },
            { type: 'mrkdwn', verbatim: true, text: `Job <${RUN_URL}|test>` },
            { type: 'mrkdwn', verbatim: true, text: `<${RUN_URL}|Pipeline #9876543210>` },
          ],
        },
      ],
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it('adds the runtime logs link after the main action', () => {
    const withGrafana: MessageSettings = {
      ...settings,
      logs: { ...settings.logs, grafanaUrl: 'https://grafana.example.com/' },
    };
    const links = texts(mainPush, finish('success'), withGrafana).at(-1) as string;
    const [open, logs = ''] = links.split('  •  ');
    expect(open).toBe(`<${PROJECT_URL}|Open project>`);
    // Inside a link Slack wants & as &amp;, and the pane JSON must survive the round trip.
    expect(logs).toMatch(
      /^<https:\/\/grafana\.example\.com\/explore\?schemaVersion=1&amp;panes=[^<>|]+\|View runtime logs>$/,
    );
    const href = logs.slice(1, logs.indexOf('|')).replace(/&amp;/g, '&');
    const panes = JSON.parse(new URL(href).searchParams.get('panes') as string);
    expect(panes.nfy.queries[0].expr).toBe('{namespace="chat-server-production"}');
  });

  it('the start message links the logs alone', () => {
    const withGrafana: MessageSettings = {
      ...settings,
      logs: { ...settings.logs, grafanaUrl: 'https://grafana.example.com/' },
    };
    expect(texts(mainPush, start, withGrafana).at(-1)).toMatch(
      /^<https:\/\/grafana\.example\.com\/explore\?.*\|View runtime logs>$/,
    );
  });

  it('the environment settings choose the label', () => {
    const fixed: MessageSettings = { ...settings, environment: { fixed: 'staging', map: [] } };
    expect(buildMessage(mainPush, start, fixed).text).toBe(
      ':rocket: chat-server staging job deploy-prod is started by jiyoung',
    );
  });
});
