// notify doctor through the built executable, as a job (or a person before a deploy) runs it:
// against the fake Slack Web API, a fake incoming webhook and a fake Grafana on 127.0.0.1. Each
// problem is one line with its fix and the exit code says which kind; a good setup passes and
// posts nothing; no secret reaches the output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, closedPort, expectNoSecrets, lines, notify } from '../delivery/support.ts';
import {
  DEFAULT_SCOPES,
  startFakeSlackApi,
  type FakeSlackApiOptions,
} from '../helpers/fake-slack-api.ts';
import { slackWebhook, startFakeSlack, status, WEBHOOK_PATH } from '../helpers/fake-slack.ts';
import { GITLAB_ENV, runNotify, type RunResult } from '../helpers/run.ts';

const track = closeAfterEach();

/** A Grafana that answers its health check. */
const grafana = () =>
  startFakeSlack({ responder: status(200, '{"database":"ok","version":"11.3.0"}') }).then(track);

async function slackApp(options: FakeSlackApiOptions = {}) {
  return track(await startFakeSlackApi({ postRate: false, ...options }));
}

function appEnv(api: { apiUrl: string; token: string }, settings: Record<string, string> = {}) {
  return {
    ...GITLAB_ENV,
    SLACK_BOT_TOKEN: api.token,
    NOTIFY_CHANNEL: 'C0DEPLOYS',
    NOTIFY_SLACK_API_URL: api.apiUrl,
    NOTIFY_TIMEOUT: '10',
    ...settings,
  };
}

/** The check lines that failed, without their mark. */
const failures = (result: RunResult) =>
  lines(result.stdout)
    .filter((line) => line.startsWith('  FAIL  '))
    .map((line) => line.slice('  FAIL  '.length));

const last = (result: RunResult) => lines(result.stdout).at(-1);

function expectClean(result: RunResult, token?: string) {
  expect(result.stderr).toBe('');
  expectNoSecrets(result, token);
}

describe('notify doctor: a good setup passes and posts nothing', () => {
  it('Slack app: the token, its scopes, the channel and Grafana; exit 0', async () => {
    const api = await slackApp();
    const logs = await grafana();
    const result = await notify(
      ['doctor'],
      appEnv(api, { NOTIFY_GRAFANA_URL: `${logs.origin}/grafana/`, KUBE_NAMESPACE: 'chat' }),
    );

    expect(result.code, result.stdout).toBe(0);
    expectClean(result, api.token);
    const out = result.stdout;
    expect(out).toMatch(/^ {2}provider +gitlab \(GITLAB_CI is set\)$/m);
    expect(out).toMatch(/^ {2}pipeline +1234$/m);
    expect(out).toMatch(/^ {2}commit +1f2e3d4c Add health check$/m);
    expect(out).toMatch(/^ {2}environment +production$/m);
    expect(out).toMatch(/^ {2}SLACK_BOT_TOKEN +\*{4} +environment$/m);
    expect(out).toMatch(/^ {2}ok {4}SLACK_BOT_TOKEN: valid at .*, bot @notify \(B0NOTIFYBOT\)/m);
    expect(out).toContain(
      'ok    scopes: chat:write, channels:history, groups:history, channels:read, groups:read, reactions:write, users:read.email',
    );
    expect(out).toMatch(/^ {2}ok {4}NOTIFY_CHANNEL #deploys \(C0DEPLOYS\): the app is a member$/m);
    expect(out).toMatch(
      /^ {2}info {2}runtime-logs link: http:\/\/127\.0\.0\.1:\d+\/grafana\/explore\?.*chat/m,
    );
    expect(out).toMatch(
      /^ {2}ok {4}Grafana http:\/\/127\.0\.0\.1:\d+\/grafana: reachable \(HTTP 200/m,
    );
    expect(last(result)).toBe('notify doctor: all good');

    expect(api.calls.map((call) => call.method)).toEqual(['auth.test', 'conversations.info']);
    expect(api.channelMessages('C0DEPLOYS')).toEqual([]);
    expect(logs.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/grafana/api/health']]);
  });

  it('webhook: the webhook exists, proven by an empty message Slack refuses; exit 0', async () => {
    const hook = track(await startFakeSlack({ responder: slackWebhook }));
    const result = await notify(['doctor'], { ...GITLAB_ENV, SLACK_WEBHOOK_URL: hook.webhookUrl });

    expect(result.code, result.stdout).toBe(0);
    expectClean(result);
    expect(result.stdout).toMatch(
      /^ {2}ok {4}SLACK_WEBHOOK_URL http:\/\/127\.0\.0\.1:\d+\/services\/T…\/B…\/\*{4}: the webhook exists \(HTTP 400 no_text to an empty message; nothing was posted\)$/m,
    );
    expect(last(result)).toBe('notify doctor: all good');
    expect(hook.requests.map((r) => r.body)).toEqual(['{}']);
  });

  it('a #name channel is found in the list; a private one the bot is in is fine', async () => {
    const api = await slackApp({
      channels: [
        { id: 'C0DEPLOYS', name: 'deploys' },
        { id: 'G0ONCALL', name: 'oncall', isPrivate: true },
      ],
    });
    const result = await notify(
      ['doctor'],
      appEnv(api, { NOTIFY_CHANNEL: '#deploys', NOTIFY_FAILURE_CHANNEL: 'G0ONCALL' }),
    );

    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /ok {4}NOTIFY_CHANNEL #deploys \(C0DEPLOYS\): the app is a member/,
    );
    expect(result.stdout).toMatch(
      /ok {4}NOTIFY_FAILURE_CHANNEL #oncall \(G0ONCALL\): the app is a member/,
    );
    expectClean(result, api.token);
  });
});

describe('notify doctor: each problem in one line with its fix', () => {
  it('a missing scope: named, with where to add it; exit 2', async () => {
    const api = await slackApp({
      scopes: DEFAULT_SCOPES.filter((scope) => scope !== 'reactions:write'),
    });
    const result = await notify(['doctor'], appEnv(api));

    expect(result.code, result.stdout).toBe(2);
    expect(failures(result)).toEqual([
      'scope reactions:write is missing (reactions.add): add it under OAuth & Permissions (slack-app-manifest.yml lists them all) and reinstall the app',
    ]);
    expect(last(result)).toBe('notify doctor: 1 problem');
    expectClean(result, api.token);
  });

  it('no history scope either way (channels: or groups:): one line for the pair', async () => {
    const api = await slackApp({
      scopes: DEFAULT_SCOPES.filter((scope) => !scope.endsWith(':history')),
    });
    const result = await notify(['doctor'], appEnv(api));

    expect(result.code).toBe(2);
    expect(failures(result)).toEqual([
      expect.stringMatching(
        /^scope channels:history or groups:history is missing \(conversations\.history, conversations\.replies\): add it under OAuth & Permissions/,
      ),
    ]);
  });

  it('the bot not in the channel: invite it; exit 2', async () => {
    const api = await slackApp({ channels: [{ id: 'C0DEPLOYS', name: 'deploys', member: false }] });
    const result = await notify(['doctor'], appEnv(api));

    expect(result.code, result.stdout).toBe(2);
    expect(failures(result)).toEqual([
      'NOTIFY_CHANNEL #deploys (C0DEPLOYS): the app is not a member: invite it there (/invite @notify)',
    ]);
    expectClean(result, api.token);
  });

  it('a #name the app cannot see, and an ID that does not exist; exit 2', async () => {
    const api = await slackApp();
    const result = await notify(
      ['doctor'],
      appEnv(api, { NOTIFY_CHANNEL: '#releases', NOTIFY_FAILURE_CHANNEL: 'C0NOWHERE' }),
    );

    expect(result.code).toBe(2);
    expect(failures(result)).toEqual([
      "NOTIFY_CHANNEL #releases is not among the channels the app can see: invite the app there (/invite @notify), or give the channel's ID (C0123ABCD)",
      expect.stringMatching(
        /^NOTIFY_FAILURE_CHANNEL C0NOWHERE: no channel the app can see has this ID .*: invite the app there \(\/invite @notify\), or check the ID$/,
      ),
    ]);
  });

  it('a revoked token: copy the Bot User OAuth Token; exit 2, and nothing more asked', async () => {
    const api = await slackApp({ revokedTokens: ['xoxb-notify-test'] });
    const result = await notify(['doctor'], appEnv(api));

    expect(result.code, result.stdout).toBe(2);
    expect(failures(result)).toEqual([
      "Slack refused SLACK_BOT_TOKEN (token_revoked): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page",
    ]);
    expect(api.calls.map((call) => call.method)).toEqual(['auth.test']);
    expectClean(result, api.token);
  });

  it('an unreachable Grafana: the link is still shown; exit 1', async () => {
    const api = await slackApp();
    const port = await closedPort();
    const result = await notify(
      ['doctor'],
      appEnv(api, { NOTIFY_GRAFANA_URL: `http://127.0.0.1:${port}`, KUBE_NAMESPACE: 'chat' }),
    );

    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toContain(`info  runtime-logs link: http://127.0.0.1:${port}/explore?`);
    expect(failures(result)).toEqual([
      `Grafana http://127.0.0.1:${port}: connection to 127.0.0.1:${port} refused; check NOTIFY_GRAFANA_URL, and that this machine reaches it (HTTPS_PROXY, NO_PROXY; NOTIFY_TIMEOUT)`,
    ]);
    expect(last(result)).toBe('notify doctor: 1 problem');
    expectClean(result, api.token);
  });

  it('a webhook that is gone: create a new one; exit 2, and nothing posted', async () => {
    const hook = track(await startFakeSlack({ responder: status(404, 'no_service') }));
    const result = await notify(['doctor', '--send-test'], {
      ...GITLAB_ENV,
      SLACK_WEBHOOK_URL: hook.webhookUrl,
    });

    expect(result.code, result.stdout).toBe(2);
    expect(failures(result)).toEqual([
      expect.stringMatching(
        /^SLACK_WEBHOOK_URL http:\/\/127\.0\.0\.1:\d+\/services\/T…\/B…\/\*{4}: Slack answered HTTP 404 no_service: the webhook is disabled or was removed; create a new incoming webhook and update SLACK_WEBHOOK_URL$/,
      ),
    ]);
    expect(result.stdout).toMatch(/skip {2}test message to SLACK_WEBHOOK_URL .*: not sent until/);
    expect(hook.requests.map((r) => r.body)).toEqual(['{}']);
    expectClean(result);
  });

  it('neither a webhook nor a token: nothing would be sent; exit 2 without a request', async () => {
    const result = await notify(['doctor'], GITLAB_ENV);

    expect(result.code).toBe(2);
    expect(failures(result)).toEqual([
      expect.stringMatching(
        /^nothing would be sent: neither SLACK_WEBHOOK_URL nor SLACK_BOT_TOKEN/,
      ),
    ]);
  });

  it('a configuration error: every refused setting, and the facts still shown; exit 2', async () => {
    const hook = track(await startFakeSlack({ responder: slackWebhook }));
    const result = await notify(['doctor', '--timeout', 'soon'], {
      ...GITLAB_ENV,
      SLACK_WEBHOOK_URL: hook.webhookUrl,
      NOTIFY_LOGS_FROM: 'yesterday',
      NOTIFY_GRAFANA_URL: 'https://grafana.example.com',
    });

    expect(result.code, result.stdout).toBe(2);
    expect(failures(result)).toEqual([
      '--timeout must be a number of seconds from 1 to 3600, e.g. 30 (got "soon")',
      expect.stringMatching(/^NOTIFY_LOGS_FROM must be pipeline, job, /),
    ]);
    expect(result.stdout).toMatch(/^ {2}project +chat-server$/m);
    expect(result.stdout).toMatch(/^ {2}job +deploy$/m);
    expect(result.stdout).toMatch(/^ {2}NOTIFY_TIMEOUT +soon +--timeout$/m);
    expect(result.stdout).toMatch(
      /skip {2}runtime-logs link and Grafana: not checked until NOTIFY_LOGS_FROM/,
    );
    // What does not depend on the refused settings is still checked.
    expect(result.stdout).toMatch(/ok {4}SLACK_WEBHOOK_URL .*: the webhook exists/);
    expect(last(result)).toBe('notify doctor: 2 problems');
    expectClean(result);
  });
});

describe('notify doctor --send-test', () => {
  it('webhook: exactly one message, the start message marked as a test', async () => {
    const hook = track(await startFakeSlack({ responder: slackWebhook }));
    const result = await notify(['doctor', '--send-test'], {
      ...GITLAB_ENV,
      SLACK_WEBHOOK_URL: hook.webhookUrl,
    });

    expect(result.code, result.stdout).toBe(0);
    const posted = hook.requests.filter((r) => r.body !== '{}');
    expect(posted).toHaveLength(1);
    const message = posted[0]!.json as { text: string; blocks: Array<{ type: string }> };
    expect(message.text).toMatch(/^\[test\] :rocket: chat-server production job deploy/);
    expect(JSON.stringify(message.blocks[0])).toContain('A test from notify doctor');
    expect(result.stdout).toMatch(/ok {4}test message to SLACK_WEBHOOK_URL .*\*{4}: sent$/m);
    expectClean(result);
  });

  it('Slack app: exactly one chat.postMessage, in the channel', async () => {
    const api = await slackApp();
    const result = await notify(['doctor', '--send-test'], appEnv(api));

    expect(result.code, result.stdout).toBe(0);
    expect(api.calls.filter((call) => call.method === 'chat.postMessage')).toHaveLength(1);
    const [message] = api.channelMessages('C0DEPLOYS');
    expect(message!.text).toMatch(/^\[test\] :rocket: chat-server production/);
    expect(message!.metadata).toBeUndefined();
    expect(result.stdout).toMatch(
      new RegExp(`ok {4}test message posted in C0DEPLOYS \\(NOTIFY_CHANNEL, ts ${message!.ts}\\)`),
    );
    expectClean(result, api.token);
  });

  it('is doctor’s alone: start --send-test is a usage error', async () => {
    const result = await notify(['start', '--send-test'], GITLAB_ENV);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        'notify: --send-test is for notify doctor, not start\nRun notify --help to see the commands and options.\n',
    });
  });
});

describe('notify doctor: where each setting came from', () => {
  it('flag, environment, .env; a .env setting the job alone may set is named; secrets masked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notify-doctor-'));
    try {
      const hook = track(await startFakeSlack({ responder: slackWebhook }));
      writeFileSync(
        join(dir, '.env'),
        `SLACK_WEBHOOK_URL=${hook.webhookUrl}\nNOTIFY_WHEN=failure\nNOTIFY_PROJECT=from-file\n`,
      );
      // Outside CI: the default .env is read.
      const result = await runNotify(
        ['doctor', '--environment', 'staging'],
        {
          NOTIFY_TIMEOUT: '10',
          NOTIFY_GITHUB_TOKEN: 'ghp_s3cr3tgithubt0ken0000',
        },
        { cwd: dir },
      );

      expect(result.code, result.stdout).toBe(0);
      const file = join(dir, '.env');
      expect(result.stdout).toContain(`Settings (.env: ${file})`);
      expect(result.stdout).toMatch(/^ {2}provider +local \(no CI detected\)$/m);
      expect(result.stdout).toMatch(
        new RegExp(
          `^ {2}SLACK_WEBHOOK_URL +http://127\\.0\\.0\\.1:\\d+/services/T…/B…/\\*{4} +\\.env \\(${file}\\)$`,
          'm',
        ),
      );
      expect(result.stdout).toMatch(/^ {2}NOTIFY_TIMEOUT +10 +environment$/m);
      expect(result.stdout).toMatch(/^ {2}NOTIFY_ENVIRONMENT +staging +--environment$/m);
      expect(result.stdout).toMatch(/^ {2}NOTIFY_GITHUB_TOKEN +\*{4} +environment$/m);
      expect(result.stdout).toMatch(
        new RegExp(
          `^ {2}NOTIFY_WHEN +failure +\\.env \\(${file}\\): ignored, only the job may set it$`,
          'm',
        ),
      );
      expect(result.stdout).toMatch(/^ {2}warn {2}NOTIFY_WHEN in the \.env file is ignored/m);
      expect(result.stdout).toMatch(/^ {2}project +from-file$/m);
      expect(`${result.stdout}${result.stderr}`).not.toContain(WEBHOOK_PATH);
      expectClean(result, 'ghp_s3cr3tgithubt0ken0000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
