import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  finishStatus,
  layerEnv,
  parseMap,
  resolveConfig,
  type Config,
  type Flags,
} from '../../src/config.ts';
import type { CiContext, Env } from '../../src/context.ts';
import { ConfigError, ExitCode } from '../../src/errors.ts';
import { mainPush } from './sample-context.ts';

const TEAM = 'T0123ABCD';
const CHANNEL = 'B0456EFGH';
const TOKEN = 'abcdefghijklmnopqrstuvwx';
const PATH = `/services/${TEAM}/${CHANNEL}/${TOKEN}`;
const WEBHOOK = `https://hooks.slack.com${PATH}`;

/** The ConfigError `run` throws; fails the test when it throws nothing or something else. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('layerEnv + resolveConfig: flags > the environment > .env > defaults', () => {
  const resolve = (flags: Flags, processEnv: Env, dotenv: Env) =>
    resolveConfig('start', flags, layerEnv(processEnv, dotenv).env);

  it.each<[string, Flags, Env, Env, string | undefined]>([
    [
      'a flag wins over everything',
      { environment: 'from-flag' },
      { NOTIFY_ENVIRONMENT: 'from-process' },
      { NOTIFY_ENVIRONMENT: 'from-dotenv' },
      'from-flag',
    ],
    [
      'NOTIFY_* from the process wins over .env',
      {},
      { NOTIFY_ENVIRONMENT: 'from-process' },
      { NOTIFY_ENVIRONMENT: 'from-dotenv' },
      'from-process',
    ],
    [
      '.env when the process has none',
      {},
      {},
      { NOTIFY_ENVIRONMENT: 'from-dotenv' },
      'from-dotenv',
    ],
    // CI platforms define unset variables as ''; an empty value must not hide the .env one.
    [
      'an empty NOTIFY_* in the process does not hide .env',
      {},
      { NOTIFY_ENVIRONMENT: '' },
      { NOTIFY_ENVIRONMENT: 'from-dotenv' },
      'from-dotenv',
    ],
    ['nothing set', {}, {}, {}, undefined],
  ])('%s', (_name, flags, processEnv, dotenv, expected) => {
    expect(resolve(flags, processEnv, dotenv).message.environment.fixed).toBe(expected);
  });

  it.each<[string, Flags, Env, Env, string | undefined]>([
    [
      'the CI variable when nothing else sets it',
      {},
      { SLACK_WEBHOOK_URL: `${WEBHOOK}1` },
      {},
      `${WEBHOOK}1`,
    ],
    [
      'the masked CI/CD variable wins over an application .env',
      {},
      { SLACK_WEBHOOK_URL: `${WEBHOOK}1` },
      { SLACK_WEBHOOK_URL: `${WEBHOOK}2` },
      `${WEBHOOK}1`,
    ],
    [
      '.env when the job sets none',
      {},
      { SLACK_WEBHOOK_URL: '' },
      { SLACK_WEBHOOK_URL: `${WEBHOOK}2` },
      `${WEBHOOK}2`,
    ],
    [
      'the flag wins over both',
      { webhookUrl: `${WEBHOOK}3` },
      { SLACK_WEBHOOK_URL: `${WEBHOOK}1` },
      { SLACK_WEBHOOK_URL: `${WEBHOOK}2` },
      `${WEBHOOK}3`,
    ],
    ['no webhook: nothing to send to', {}, {}, {}, undefined],
  ])('webhook: %s', (_name, flags, processEnv, dotenv, expected) => {
    expect(resolve(flags, processEnv, dotenv).webhookUrl?.href).toBe(expected);
  });

  it('.env only fills in what the environment leaves unset', () => {
    const layered = layerEnv(
      { SLACK_WEBHOOK_URL: 'https://ci.example/hook', NOTIFY_DRY_RUN: '', PATH: '/usr/bin' },
      {
        SLACK_WEBHOOK_URL: 'https://dotenv.example/hook',
        NOTIFY_USER: 'ops',
        NOTIFY_DRY_RUN: 'false',
      },
    );
    expect(layered).toEqual({
      env: {
        SLACK_WEBHOOK_URL: 'https://ci.example/hook',
        NOTIFY_USER: 'ops',
        NOTIFY_DRY_RUN: 'false',
        PATH: '/usr/bin',
      },
      ignored: [],
    });
  });

  it('the job status never comes from a file, even when the job has none', () => {
    const layered = layerEnv(
      { CI_JOB_STATUS: 'failed' },
      { NOTIFY_STATUS: 'success', NOTIFY_ENV_FILE: 'other.env' },
    );
    expect(layered).toEqual({
      env: { CI_JOB_STATUS: 'failed' },
      ignored: ['NOTIFY_STATUS', 'NOTIFY_ENV_FILE'],
    });
    const ctx = { ...mainPush, status: layered.env.CI_JOB_STATUS };
    expect(finishStatus(resolveConfig('finish', {}, layered.env), ctx).status).toBe('failed');
  });

  it('what decides a summary never comes from a file: scope, needs, the tokens', () => {
    const layered = layerEnv(
      {},
      {
        NOTIFY_SCOPE: 'pipeline',
        NOTIFY_NEEDS: '{"a":{"result":"success"}}',
        NOTIFY_GITLAB_TOKEN: 'glpat-x',
        NOTIFY_GITHUB_TOKEN: 'ghs_x',
        NOTIFY_VERSION: 'v1',
        NOTIFY_TARGET: 'slack',
      },
    );
    expect(layered).toEqual({
      env: { NOTIFY_VERSION: 'v1' },
      ignored: [
        'NOTIFY_SCOPE',
        'NOTIFY_NEEDS',
        'NOTIFY_GITLAB_TOKEN',
        'NOTIFY_GITHUB_TOKEN',
        'NOTIFY_TARGET',
      ],
    });
  });

  it(".env cannot fake the CI's variables or reroute the proxy", () => {
    const layered = layerEnv(
      { CI_JOB_STATUS: 'failed', GITLAB_CI: 'true' },
      { CI_JOB_STATUS: 'success', GITLAB_CI: 'false', HTTPS_PROXY: 'http://evil:3128' },
    );
    expect(layered.env).toEqual({ CI_JOB_STATUS: 'failed', GITLAB_CI: 'true' });
  });
});

describe('resolveConfig defaults', () => {
  it('everything unset', () => {
    expect(resolveConfig('finish', {}, {})).toEqual({
      command: 'finish',
      dryRun: false,
      timeoutMs: 30_000,
      softFail: false,
      scope: 'job',
      filter: {},
      routes: { webhookMap: [], channelMap: [] },
      message: {
        environment: { map: [] },
        logs: { grafanaUrlMap: [], datasource: 'Loki', from: 'pipeline' },
      },
      overrides: {},
      summary: {},
      mentions: { everyone: [], map: [], on: 'failure' },
    } satisfies Config);
  });

  it('reads every setting from its variable', () => {
    const env: Env = {
      SLACK_WEBHOOK_URL: WEBHOOK,
      NOTIFY_DRY_RUN: 'yes',
      NOTIFY_TIMEOUT: '2.5',
      NOTIFY_SOFT_FAIL: 'on',
      NOTIFY_STATUS: 'cancelled',
      NOTIFY_SCOPE: 'Pipeline',
      NOTIFY_ENVIRONMENT: 'staging',
      NOTIFY_ENVIRONMENT_MAP: 'main=production, release/*=staging\ndevelop=dev',
      NOTIFY_GRAFANA_URL: 'https://grafana.example.com',
      NOTIFY_GRAFANA_URL_MAP: 'production=https://grafana.prod.example.com/?orgId=1',
      NOTIFY_GRAFANA_DATASOURCE: 'loki-uid',
      NOTIFY_LOGS_QUERY: '{app="{{project}}"}',
      NOTIFY_NAMESPACE: 'chat',
      NOTIFY_LOGS_FROM: 'job',
      NOTIFY_PROJECT: 'chat',
      NOTIFY_PROJECT_URL: 'https://example.com/chat',
      NOTIFY_REF: 'release/1',
      NOTIFY_USER: 'ops',
      NOTIFY_ENVIRONMENT_URL: 'https://chat.example.com',
      NOTIFY_JOB_URL: 'https://example.com/job/1',
      NOTIFY_WHEN: 'failure,start',
      NOTIFY_BRANCHES: 'default, release/*',
      NOTIFY_WEBHOOK_MAP: 'production=https://hooks.example.com/p',
      NOTIFY_CHANNEL_MAP: 'review*=#review',
      NOTIFY_FAILURE_WEBHOOK_URL: 'https://hooks.example.com/oncall',
      NOTIFY_FAILURE_CHANNEL: 'C0ONCALL1',
      NOTIFY_VERSION: 'v5.3.25',
      NOTIFY_GITLAB_TOKEN: 'glpat-secret',
      NOTIFY_GITHUB_TOKEN: 'ghs_secret',
      NOTIFY_NEEDS: '{"build":{"result":"success","outputs":{}},"deploy":{"result":"failure"}}',
      NOTIFY_MENTION: 'U0456,production=<!subteam^S0123> U0789,review*=',
      NOTIFY_MENTION_ON: 'change',
    };
    const { webhookUrl, ...rest } = resolveConfig('finish', {}, env);
    expect(webhookUrl?.href).toBe(WEBHOOK);
    expect(rest).toEqual({
      command: 'finish',
      dryRun: true,
      status: 'canceled',
      timeoutMs: 2500,
      softFail: true,
      scope: 'pipeline',
      filter: {
        when: {
          outcomes: new Set(['failed', 'timedout', 'aborted', 'unknown', 'start']),
          name: 'NOTIFY_WHEN',
          value: 'failure,start',
        },
        branches: {
          patterns: ['default', 'release/*'],
          name: 'NOTIFY_BRANCHES',
          value: 'default, release/*',
        },
      },
      routes: {
        webhookMap: [['production', 'https://hooks.example.com/p']],
        channelMap: [['review*', '#review']],
        failureWebhookUrl: new URL('https://hooks.example.com/oncall'),
        failureChannel: 'C0ONCALL1',
      },
      message: {
        environment: {
          fixed: 'staging',
          map: [
            ['main', 'production'],
            ['release/*', 'staging'],
            ['develop', 'dev'],
          ],
        },
        logs: {
          grafanaUrl: 'https://grafana.example.com/',
          grafanaUrlMap: [['production', 'https://grafana.prod.example.com/?orgId=1']],
          datasource: 'loki-uid',
          query: '{app="{{project}}"}',
          namespace: 'chat',
          from: 'job',
        },
      },
      overrides: {
        project: 'chat',
        projectUrl: 'https://example.com/chat',
        ref: 'release/1',
        user: 'ops',
        environmentUrl: 'https://chat.example.com',
        jobUrl: 'https://example.com/job/1',
        version: 'v5.3.25',
      },
      summary: {
        gitlabToken: { name: 'NOTIFY_GITLAB_TOKEN', value: 'glpat-secret' },
        githubToken: { name: 'NOTIFY_GITHUB_TOKEN', value: 'ghs_secret' },
        needs: [
          { name: 'build', status: 'success' },
          { name: 'deploy', status: 'failed' },
        ],
      },
      mentions: {
        everyone: [{ kind: 'user', id: 'U0456' }],
        map: [
          [
            'production',
            [
              { kind: 'group', id: 'S0123' },
              { kind: 'user', id: 'U0789' },
            ],
          ],
          ['review*', []],
        ],
        on: 'change',
      },
    } satisfies Omit<Config, 'webhookUrl'>);
  });

  it.each<[string, boolean]>([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
    ['', false],
  ])('NOTIFY_SOFT_FAIL=%j -> %s', (value, expected) => {
    expect(resolveConfig('start', {}, { NOTIFY_SOFT_FAIL: value }).softFail).toBe(expected);
  });

  it('a boolean flag wins over its variable', () => {
    expect(resolveConfig('start', { dryRun: false }, { NOTIFY_DRY_RUN: 'true' }).dryRun).toBe(
      false,
    );
  });
});

describe('bad settings: ConfigError, exit 2, one line naming the setting', () => {
  const expectUsageError = (run: () => unknown, setting: string) => {
    const error = configError(run);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(setting);
    expect(error.message).not.toMatch(/[\r\n]/);
  };

  it.each<[string, string, string]>([
    ['webhook URL without scheme', 'SLACK_WEBHOOK_URL', WEBHOOK.replace('https://', '')],
    ['webhook URL with another scheme', 'SLACK_WEBHOOK_URL', WEBHOOK.replace('https:', 'ftp:')],
    ['non-numeric timeout', 'NOTIFY_TIMEOUT', 'thirty'],
    ['timeout with a unit', 'NOTIFY_TIMEOUT', '30s'],
    ['zero timeout', 'NOTIFY_TIMEOUT', '0'],
    ['negative timeout', 'NOTIFY_TIMEOUT', '-5'],
    ['timeout over an hour', 'NOTIFY_TIMEOUT', '3601'],
    ['unknown status', 'NOTIFY_STATUS', 'running'],
    ['environment map entry without =', 'NOTIFY_ENVIRONMENT_MAP', 'main'],
    ['environment map entry without a branch', 'NOTIFY_ENVIRONMENT_MAP', '=x'],
    ['environment map entry without a label', 'NOTIFY_ENVIRONMENT_MAP', 'x='],
    ['one bad entry among good ones', 'NOTIFY_ENVIRONMENT_MAP', 'main=production,develop'],
    ['Grafana map entry without =', 'NOTIFY_GRAFANA_URL_MAP', 'production'],
    [
      'Grafana map entry without scheme',
      'NOTIFY_GRAFANA_URL_MAP',
      'production=grafana.example.com',
    ],
    [
      'Grafana map entry not http(s)',
      'NOTIFY_GRAFANA_URL_MAP',
      'production=ftp://grafana.example.com',
    ],
    ['Grafana URL without scheme', 'NOTIFY_GRAFANA_URL', 'grafana.example.com'],
    ['non-boolean soft fail', 'NOTIFY_SOFT_FAIL', 'maybe'],
    ['non-boolean dry run', 'NOTIFY_DRY_RUN', '2'],
    ['a timeout too short to open a connection', 'NOTIFY_TIMEOUT', '0.0001'],
    ['a log range start Grafana cannot read', 'NOTIFY_LOGS_FROM', 'garbage'],
    ['a log range start with a space', 'NOTIFY_LOGS_FROM', 'now - 1h'],
    ['a placeholder notify does not know', 'NOTIFY_LOGS_QUERY', '{ns="{{namespce}}"}'],
    ['a job URL that is not a URL', 'NOTIFY_JOB_URL', 'notaurl'],
    ['a project URL with another scheme', 'NOTIFY_PROJECT_URL', 'javascript:alert(1)'],
    ['an environment URL without scheme', 'NOTIFY_ENVIRONMENT_URL', 'app.example.com'],
  ])('%s: %s=%j', (_name, variable, value) => {
    expectUsageError(() => resolveConfig('finish', {}, { [variable]: value }), variable);
  });

  // Given as a flag, the error names the flag the user typed.
  it.each<[Flags, string]>([
    [{ webhookUrl: 'T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx' }, '--webhook-url'],
    [{ timeout: '0' }, '--timeout'],
    [{ status: 'done' }, '--status'],
    [{ environmentMap: 'main' }, '--environment-map'],
    [{ grafanaUrl: 'grafana.example.com' }, '--grafana-url'],
  ])('%j names %s', (flags, flag) => {
    expectUsageError(() => resolveConfig('finish', flags, {}), flag);
  });

  it.each<[string, Flags, Env]>([
    ['without scheme', {}, { SLACK_WEBHOOK_URL: WEBHOOK.replace('https://', '') }],
    ['with another scheme', {}, { SLACK_WEBHOOK_URL: WEBHOOK.replace('https:', 'ftp:') }],
    ['as a flag', { webhookUrl: WEBHOOK.replace('https://', '') }, {}],
  ])('never repeats the webhook URL, which is a secret: %s', (_name, flags, env) => {
    const error = configError(() => resolveConfig('start', flags, env));
    expect(error.message).toMatch(
      /^(SLACK_WEBHOOK_URL|--webhook-url) is not an http\(s\) URL \(expected https:\/\/hooks\.slack\.com\/services\/T…\/B…\/…\)$/,
    );
    for (const part of [PATH, TOKEN, TEAM, CHANNEL]) expect(error.message).not.toContain(part);
  });

  it('names the unknown placeholder and the known ones', () => {
    expect(
      configError(() => resolveConfig('start', {}, { NOTIFY_LOGS_QUERY: '{a="{{app}}"}' })).message,
    ).toBe(
      'NOTIFY_LOGS_QUERY has an unknown placeholder "{{app}}" (known: {{namespace}} {{project}} {{environment}} {{ref_slug}})',
    );
  });

  it.each<[string, string]>([
    ['job', 'job'],
    ['now-6h', 'now-6h'],
    ['2026-11-21T10:00:00Z', String(Date.parse('2026-11-21T10:00:00Z'))],
  ])('NOTIFY_LOGS_FROM=%s is taken as %s', (value, from) => {
    expect(resolveConfig('start', {}, { NOTIFY_LOGS_FROM: value }).message.logs.from).toBe(from);
  });

  it('quotes the bad value of settings that are not secret', () => {
    expect(configError(() => resolveConfig('start', {}, { NOTIFY_TIMEOUT: '-5' })).message).toBe(
      'NOTIFY_TIMEOUT must be a number of seconds from 1 to 3600, e.g. 30 (got "-5")',
    );
    expect(
      configError(() => resolveConfig('start', {}, { NOTIFY_ENVIRONMENT_MAP: 'main' })).message,
    ).toBe(
      'NOTIFY_ENVIRONMENT_MAP entry "main" is not key=value (expected e.g. main=production,develop=dev)',
    );
    expect(configError(() => resolveConfig('start', { scope: 'stage' }, {})).message).toBe(
      '--scope must be job or pipeline (got "stage")',
    );
  });
});

describe('parseMap', () => {
  it.each<[string, Array<[string, string]>]>([
    ['main=production', [['main', 'production']]],
    [
      ' main = production , develop=dev ,',
      [
        ['main', 'production'],
        ['develop', 'dev'],
      ],
    ],
    [
      'main=production\nrelease/*=staging\n',
      [
        ['main', 'production'],
        ['release/*', 'staging'],
      ],
    ],
    // Only the first = splits: Grafana URLs carry their own.
    [
      'production=https://g.example.com/?orgId=2',
      [['production', 'https://g.example.com/?orgId=2']],
    ],
    ['', []],
  ])('%j', (text, expected) => {
    expect(parseMap('MAP', text, 'a=b')).toEqual(expected);
  });
});

describe('finishStatus: explicit > CI > unknown', () => {
  const config = (status?: Config['status']): Config => ({
    ...resolveConfig('finish', {}, {}),
    status,
  });
  const ci = (status?: string): CiContext => ({ ...mainPush, status });

  it.each<[string, Config['status'], string | undefined, string]>([
    ['explicit wins over the CI', 'failed', 'success', 'failed'],
    ['explicit without a CI status', 'canceled', undefined, 'canceled'],
    ['the CI status', undefined, 'failed', 'failed'],
    ['a GitHub spelling from the CI', undefined, 'cancelled', 'canceled'],
  ])('%s', (_name, explicit, fromCi, expected) => {
    expect(finishStatus(config(explicit), ci(fromCi))).toEqual({ status: expected });
  });

  it.each<[string, string | undefined, string]>([
    ['no status anywhere', undefined, 'no job status was found'],
    ['a status the CI made up', 'pending', 'the CI reported an unrecognised job status "pending"'],
    [
      'control characters in it',
      'ok\u001b[2J\n',
      'the CI reported an unrecognised job status "ok\\x1b[2J\\n"',
    ],
  ])('%s: unknown, with a warning saying how to fix it', (_name, fromCi, why) => {
    const result = finishStatus(config(), ci(fromCi));
    expect(result.status).toBe('unknown');
    expect(result.warning).toBe(
      `${why}; pass --status (success, failed, canceled, timedout, aborted) or set NOTIFY_STATUS. Reporting it as unknown`,
    );
  });

  it('running (notify finish placed in script:) is not success, and says where it belongs', () => {
    const result = finishStatus(config(), ci('running'));
    expect(result.status).toBe('unknown');
    expect(result.warning).toMatch(/after_script/);
  });

  it('never reports success when nothing is known', () => {
    for (const fromCi of [undefined, '', 'unknown', 'skipped', 'manual', 'constructor']) {
      expect(finishStatus(config(), ci(fromCi)).status).toBe('unknown');
    }
  });
});

describe('the CI API tokens', () => {
  it("GitHub's own token is used unless notify's is given", () => {
    expect(resolveConfig('finish', {}, { GITHUB_TOKEN: ' ghs_a ' }).summary).toEqual({
      githubToken: { name: 'GITHUB_TOKEN', value: 'ghs_a' },
    });
    expect(
      resolveConfig('finish', { githubToken: 'ghs_b' }, { GITHUB_TOKEN: 'ghs_a' }).summary,
    ).toEqual({ githubToken: { name: '--github-token', value: 'ghs_b' } });
  });

  it("a GITHUB_TOKEN that cannot be a token is not notify's to refuse: it is not used", () => {
    expect(resolveConfig('start', {}, { GITHUB_TOKEN: 'token with space' }).summary).toEqual({});
  });

  it.each(['NOTIFY_GITLAB_TOKEN', 'NOTIFY_GITHUB_TOKEN'])(
    '%s with a space or a line break is exit 2, and not echoed',
    (name) => {
      for (const value of ['glpat x', 'glpat\nX-Evil: 1']) {
        expect(() => resolveConfig('finish', {}, { [name]: value })).toThrow(ConfigError);
        expect(() => resolveConfig('finish', {}, { [name]: value })).not.toThrow(/glpat/);
      }
    },
  );
});

describe('applyOverrides', () => {
  it('lays what the user said over what the CI found', () => {
    const overridden = applyOverrides(mainPush, {
      project: 'chat',
      projectUrl: 'https://example.com/chat',
      ref: 'release/1',
      user: 'ops',
      environmentUrl: 'https://chat.example.com',
      jobUrl: 'https://example.com/job/1',
    });
    expect(overridden).toEqual({
      ...mainPush,
      project: { ...mainPush.project, name: 'chat', url: 'https://example.com/chat' },
      // The CI's slug belongs to the CI's ref, not to the one given.
      ref: { ...mainPush.ref, name: 'release/1', slug: undefined },
      user: 'ops',
      environment: { url: 'https://chat.example.com' },
      job: { ...mainPush.job, url: 'https://example.com/job/1' },
    });
  });

  it('changes nothing when nothing is given', () => {
    expect(applyOverrides(mainPush, {})).toEqual(mainPush);
  });
});

describe('Slack app settings', () => {
  const TOKEN = 'xoxb-1234-5678-abcdefghijklmnop';
  it('a bot token and a channel make app mode, and the token wins over the webhook', () => {
    const config = resolveConfig(
      'start',
      {},
      {
        SLACK_BOT_TOKEN: TOKEN,
        NOTIFY_CHANNEL: '#deploys',
        SLACK_WEBHOOK_URL: WEBHOOK,
        NOTIFY_SLACK_TS: '1795300000.000100',
        NOTIFY_STATE_FILE: 'notify.env',
      },
    );
    expect(config.app).toEqual({
      token: TOKEN,
      channel: '#deploys',
      apiUrl: new URL('https://slack.com/api'),
      ts: '1795300000.000100',
      stateFile: 'notify.env',
    });
  });

  it('no token: no app mode, whatever else is set', () => {
    expect(resolveConfig('start', {}, { NOTIFY_CHANNEL: 'C0123ABCD' }).app).toBeUndefined();
  });

  it.each<[Env, RegExp]>([
    [{ SLACK_BOT_TOKEN: 'not-a-token-value' }, /^SLACK_BOT_TOKEN is not a Slack token/],
    [{ SLACK_BOT_TOKEN: TOKEN }, /^NOTIFY_CHANNEL is required with SLACK_BOT_TOKEN/],
    [
      { SLACK_BOT_TOKEN: TOKEN, NOTIFY_CHANNEL: 'Deploys Channel!' },
      /^NOTIFY_CHANNEL must be a channel ID/,
    ],
    [
      { SLACK_BOT_TOKEN: TOKEN, NOTIFY_CHANNEL: 'C0123ABCD', NOTIFY_SLACK_TS: 'yesterday' },
      /^NOTIFY_SLACK_TS must be a Slack message ts/,
    ],
    [
      {
        SLACK_BOT_TOKEN: TOKEN,
        NOTIFY_CHANNEL: 'C0123ABCD',
        NOTIFY_SLACK_API_URL: 'slack.com/api',
      },
      /^NOTIFY_SLACK_API_URL is not an http\(s\) URL/,
    ],
  ])('%j: exit 2, one line, the token never shown', (env, message) => {
    const error = configError(() => resolveConfig('start', {}, env));
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('abcdefghijklmnop');
    expect(error.message).not.toContain('not-a-token-value');
  });
});
