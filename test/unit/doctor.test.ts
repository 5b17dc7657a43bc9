// notify doctor's pure parts: which settings a problem names, every problem of a configuration,
// why a provider was detected, the facts and settings as shown, the scopes, what a webhook's
// answer to an empty message means; and a run that needs no network makes no request.
import { describe, expect, it } from 'vitest';
import {
  detectedBy,
  doctor,
  exitCodeOf,
  factRows,
  healthUrl,
  missingScopes,
  namedSettings,
  problemOf,
  readWebhookProbe,
  resolveLeniently,
  settingRows,
  shownValue,
  summaryLine,
  table,
  testMessage,
  type Line,
} from '../../src/doctor.ts';
import {
  ConfigError,
  ExitCode,
  SlackApiError,
  SlackHttpError,
  SlackRequestError,
} from '../../src/errors.ts';
import { gitlab } from '../../src/providers/gitlab.ts';
import { jenkins } from '../../src/providers/jenkins.ts';
import { local } from '../../src/providers/local.ts';
import type { SlackPayload } from '../../src/targets/slack.ts';
import { contextWith, mainPush } from './sample-context.ts';

const HOOK = 'https://hooks.slack.com/services/T0SECRET01/B0SECRET02/tokentokentokentoken';

describe('namedSettings', () => {
  it.each<[string, string[]]>([
    ['--timeout must be a number of seconds', ['timeout']],
    ['NOTIFY_CHANNEL is required with SLACK_BOT_TOKEN (a channel ID)', ['channel', 'botToken']],
    ['NOTIFY_GRAFANA_URL_MAP is not an http(s) URL', ['grafanaUrlMap']],
    ['NOTIFY_FAILURE_WEBHOOK_URL is not an http(s) URL', ['failureWebhookUrl']],
    ['--mention-on must be failure, always, change or never', ['mentionOn']],
    ['no setting here', []],
  ])('%s', (message, keys) => {
    expect(namedSettings(message)).toEqual(keys);
  });
});

describe('resolveLeniently', () => {
  it('a good configuration reads as start reads it', () => {
    const { config, errors, dropped } = resolveLeniently({}, { SLACK_WEBHOOK_URL: HOOK });
    expect(config?.webhookUrl?.href).toBe(HOOK);
    expect(errors).toEqual([]);
    expect(dropped).toEqual([]);
  });

  it('every refused setting, once each, and the rest read', () => {
    const { config, errors, dropped } = resolveLeniently(
      { timeout: 'soon' },
      { SLACK_WEBHOOK_URL: HOOK, NOTIFY_LOGS_FROM: 'yesterday', NOTIFY_SCOPE: 'stage' },
    );
    expect(errors.map((e) => e.message.split(' ')[0])).toEqual([
      '--timeout',
      'NOTIFY_SCOPE',
      'NOTIFY_LOGS_FROM',
    ]);
    expect(dropped).toEqual(['timeout', 'scope', 'logsFrom']);
    expect(config).toMatchObject({ timeoutMs: 30_000, scope: 'job' });
    expect(config?.webhookUrl?.href).toBe(HOOK);
  });

  it('a problem that only follows from leaving another setting out is not reported', () => {
    const { config, errors, dropped } = resolveLeniently(
      {},
      { SLACK_BOT_TOKEN: 'xoxb-1-2', NOTIFY_CHANNEL: 'not a channel' },
    );
    expect(errors.map((e) => e.message)).toEqual([
      'NOTIFY_CHANNEL must be a channel ID such as C0123ABCD, or #name (got "not a channel")',
    ]);
    expect(dropped).toEqual(['channel', 'botToken']);
    expect(config?.app).toBeUndefined();
  });

  it('a missing channel is reported: it was never given', () => {
    const { errors } = resolveLeniently({}, { SLACK_BOT_TOKEN: 'xoxb-1-2' });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^NOTIFY_CHANNEL is required with SLACK_BOT_TOKEN/),
    ]);
  });
});

describe('detectedBy', () => {
  it.each([
    ['gitlab', gitlab, { GITLAB_CI: 'true', CI: 'true', CI_PROJECT_NAME: 'x' }, 'GITLAB_CI is set'],
    [
      'jenkins',
      jenkins,
      { JENKINS_URL: 'https://ci', BUILD_ID: '7', JOB_NAME: 'x' },
      'BUILD_ID and JENKINS_URL are set',
    ],
    ['local', local, { PWD: '/src/app' }, 'no CI detected'],
  ])('%s', (_name, provider, env, why) => {
    expect(detectedBy(provider, env)).toBe(why);
  });
});

describe('factRows', () => {
  it('the facts a message is made of', () => {
    expect(
      factRows(contextWith({ ref: { protected: true } }), 'production', 'GITLAB_CI is set'),
    ).toEqual([
      ['provider', 'gitlab (GITLAB_CI is set)'],
      ['project', 'chat-server'],
      ['project url', 'https://gitlab.example.com/team/chat-server'],
      ['ref', 'main (branch)'],
      ['default branch', 'main'],
      ['protected', 'yes'],
      ['environment', 'production'],
      ['pipeline', '1234567'],
      ['pipeline url', mainPush.pipeline.url],
      ['job', 'deploy-prod'],
      ['stage', 'deploy'],
      ['job url', mainPush.job.url],
      ['user', 'jiyoung'],
      ['commit', 'e83c5163 Add read receipts'],
    ]);
  });

  it('what the CI did not say is -, never made up', () => {
    const bare = {
      provider: 'local',
      project: {},
      ref: { isTag: false },
      environment: {},
      commit: {},
      pipeline: {},
      job: {},
    };
    const rows = factRows(bare, undefined, 'no CI detected');
    expect(rows.slice(1).every(([, value]) => value === '-')).toBe(true);
  });

  it('a tag, and a commit known only by its sha', () => {
    const rows = new Map(
      factRows(
        contextWith({
          ref: { name: 'v1.2.0', isTag: true, protected: false },
          commit: { shortSha: undefined, title: undefined },
        }),
        'v1.2.0',
        'x',
      ),
    );
    expect(rows.get('ref')).toBe('v1.2.0 (tag)');
    expect(rows.get('protected')).toBe('no');
    expect(rows.get('commit')).toBe('e83c5163');
  });
});

describe('shownValue', () => {
  it.each<[Parameters<typeof shownValue>[0], string | boolean, string]>([
    ['botToken', 'xoxb-1234-secret', '****'],
    ['gitlabToken', 'glpat-secret', '****'],
    ['webhookUrl', HOOK, 'https://hooks.slack.com/services/T…/B…/****'],
    ['failureWebhookUrl', 'not a url', '****'],
    [
      'webhookMap',
      `production=${HOOK},${HOOK}=review`,
      'production=https://hooks.slack.com/services/T…/B…/****,****',
    ],
    ['dryRun', true, 'true'],
    ['channel', ' #deploys ', '#deploys'],
    ['needs', 'x'.repeat(100), `${'x'.repeat(59)}…`],
  ])('%s', (key, value, shown) => {
    expect(shownValue(key, value)).toBe(shown);
  });
});

describe('settingRows', () => {
  it('each setting given, and where from; the flag first, then the environment, then .env', () => {
    const rows = settingRows(
      { timeout: '5', dryRun: false },
      { SLACK_WEBHOOK_URL: HOOK, NOTIFY_CHANNEL: '', NOTIFY_PROJECT: 'app' },
      { NOTIFY_PROJECT: 'other', NOTIFY_ENVIRONMENT: 'staging', NOTIFY_WHEN: 'failure' },
      '/src/app/.env',
      false,
    );
    expect(rows).toEqual([
      {
        name: 'SLACK_WEBHOOK_URL',
        value: 'https://hooks.slack.com/services/T…/B…/****',
        source: 'environment',
      },
      {
        name: 'NOTIFY_WHEN',
        value: 'failure',
        source: '.env (/src/app/.env): ignored, only the job may set it',
      },
      { name: 'NOTIFY_DRY_RUN', value: 'false', source: '--dry-run' },
      { name: 'NOTIFY_TIMEOUT', value: '5', source: '--timeout' },
      { name: 'NOTIFY_ENVIRONMENT', value: 'staging', source: '.env (/src/app/.env)' },
      {
        name: 'NOTIFY_PROJECT',
        value: 'app',
        source: 'environment (its value in the .env is not used)',
      },
    ]);
  });
});

describe('table', () => {
  it('aligns the columns; a value cannot break the line or reach the terminal raw', () => {
    expect(
      table([
        ['a', 'one', 'x'],
        ['longer', 'two\n\u001b[31m', 'y'],
      ]),
    ).toEqual(['  a       one            x', '  longer  two\\n\\x1b[31m  y']);
  });

  it('cuts a long cell', () => {
    const [line] = table([['k', 'v'.repeat(500)]]);
    expect(line).toHaveLength(2 + 1 + 2 + 100);
    expect(line!.endsWith('…')).toBe(true);
  });
});

describe('missingScopes', () => {
  const all = [
    'chat:write',
    'channels:history',
    'groups:history',
    'channels:read',
    'groups:read',
    'reactions:write',
    'users:read.email',
  ];

  it('none missing with every scope the manifest asks for', () => {
    expect(missingScopes(all)).toEqual([]);
  });

  it('either of a public/private pair is enough', () => {
    const publicOnly = all.filter((scope) => !scope.startsWith('groups:'));
    expect(missingScopes(publicOnly)).toEqual([]);
  });

  it('each need that no scope meets, with the methods that have it', () => {
    expect(missingScopes(['chat:write', 'groups:read'])).toEqual([
      {
        scopes: ['channels:history', 'groups:history'],
        methods: ['conversations.history', 'conversations.replies'],
      },
      { scopes: ['reactions:write'], methods: ['reactions.add'] },
      { scopes: ['users:read.email'], methods: ['users.lookupByEmail'] },
    ]);
  });
});

describe('readWebhookProbe', () => {
  it.each<[number, string, RegExp | true]>([
    [400, 'no_text', true],
    [400, 'invalid_payload', true],
    [200, 'ok', true],
    [404, 'no_service', /no_service: the webhook is disabled or was removed; create a new/],
    [403, 'invalid_token', /invalid_token: the webhook was revoked or its URL is mistyped/],
    [410, 'channel_is_archived', /archived; unarchive it/],
    [
      404,
      '<html>Not Found</html>',
      /HTTP 404: ".*"; copy the webhook URL again from the Slack app/,
    ],
    [302, '', /redirect \(HTTP 302\); use the final URL/],
  ])('HTTP %i %s', (status, body, expected) => {
    const probe = readWebhookProbe(status, body);
    if (expected === true) expect(probe.live).toBe(true);
    else expect(probe).toEqual({ live: false, why: expect.stringMatching(expected) });
  });
});

describe('healthUrl', () => {
  it.each([
    ['https://grafana.example.com', 'https://grafana.example.com/api/health'],
    ['https://example.com/grafana/?orgId=2', 'https://example.com/grafana/api/health'],
  ])('%s', (base, health) => {
    expect(healthUrl(base).href).toBe(health);
  });
});

describe('exit code and summary', () => {
  const line = (problem?: Line['problem']): Line => ({
    mark: problem ? 'FAIL' : 'ok',
    text: 'x',
    ...(problem ? { problem } : {}),
  });

  it.each<[Line[], ExitCode, string]>([
    [[line(), line()], ExitCode.Ok, 'notify doctor: all good'],
    [[line('unreachable')], ExitCode.DeliveryFailed, 'notify doctor: 1 problem'],
    [
      [line('unreachable'), line('misconfigured'), line()],
      ExitCode.Usage,
      'notify doctor: 2 problems',
    ],
  ])('%#', (lines, code, summary) => {
    expect(exitCodeOf(lines)).toBe(code);
    expect(summaryLine(lines)).toBe(summary);
  });

  it.each<[string, unknown, Line['problem'] | undefined]>([
    ['a setting', new ConfigError('x'), 'misconfigured'],
    ['a revoked token', new SlackApiError('x', 'auth.test', 'token_revoked', 1), 'misconfigured'],
    ['not in the channel', new SlackApiError('x', 'm', 'not_in_channel', 1), 'misconfigured'],
    ['Slack down', new SlackApiError('x', 'm', 'internal_error', 1), 'unreachable'],
    ['a gone webhook', new SlackHttpError('x', 404, 'no_service', 1), 'misconfigured'],
    ['a 503', new SlackHttpError('x', 503, '', 4), 'unreachable'],
    [
      'a refused connection',
      new SlackRequestError('x', 'ECONNREFUSED', 4, undefined),
      'unreachable',
    ],
    ['a bug', new TypeError('x'), undefined],
  ])('%s', (_name, error, problem) => {
    expect(problemOf(error)).toBe(problem);
  });
});

describe('testMessage', () => {
  it('the message as start sends it, with a line on top that says it is a test', () => {
    const payload: SlackPayload = {
      text: ':rocket: chat-server production job deploy is started',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x', verbatim: true } }],
      unfurl_links: false,
      unfurl_media: false,
    };
    const test = testMessage(payload, '2026-11-21T10:00:00Z');
    expect(test.text).toBe('[test] :rocket: chat-server production job deploy is started');
    expect(test.blocks).toEqual([
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: ':test_tube: A test from notify doctor at 2026-11-21T10:00:00Z: nothing happened in the pipeline.',
            verbatim: true,
          },
        ],
      },
      payload.blocks[0],
    ]);
  });
});

describe('doctor offline', () => {
  async function run(env: Record<string, string>, flags = {}) {
    const said: string[] = [];
    const asked: string[] = [];
    const code = await doctor({
      flags,
      sendTest: true,
      env,
      dotenv: {},
      inCi: true,
      io: { readFile: () => '' },
      transport: () => async (request) => {
        asked.push(request.url.href);
        throw new Error('no network in this test');
      },
      signal: new AbortController().signal,
      now: () => Date.parse('2026-11-21T10:00:00Z'),
      say: (line) => said.push(line),
    });
    return { code, said, asked };
  }

  it('nothing to send to: the facts, exit 2, and not one request', async () => {
    const { code, said, asked } = await run({ GITLAB_CI: 'true', CI_PROJECT_NAME: 'chat-server' });
    expect(code).toBe(ExitCode.Usage);
    expect(asked).toEqual([]);
    expect(said).toContain('  project         chat-server');
    expect(said).toContain('  (none)');
    expect(said.at(-1)).toBe('notify doctor: 1 problem');
  });

  it('settings that cannot be read: each named, no request', async () => {
    const { code, said, asked } = await run(
      { GITLAB_CI: 'true', SLACK_WEBHOOK_URL: 'hooks.slack.com/nope' },
      { timeout: '0' },
    );
    expect(code).toBe(ExitCode.Usage);
    expect(asked).toEqual([]);
    expect(said.filter((line) => line.startsWith('  FAIL'))).toEqual([
      expect.stringMatching(/^ {2}FAIL {2}SLACK_WEBHOOK_URL is not an http\(s\) URL/),
      expect.stringMatching(/^ {2}FAIL {2}--timeout must be a number of seconds/),
    ]);
  });
});
