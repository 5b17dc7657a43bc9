// Routes through the executable, beyond the webhooks (test/e2e/pipeline-routes.test.ts): a
// Slack app's channel per environment label and its failure channel, and what --dry-run says.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../helpers/fake-slack.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { startSilentServer } from '../delivery/support.ts';
import { GITLAB_ENV, runNotify } from '../helpers/run.ts';

let fake: FakeSlackApi;
let builds: string;
beforeEach(async () => {
  fake = await startFakeSlackApi({
    channels: [
      { id: 'C0DEPLOYS', name: 'deploys' },
      { id: 'C0REVIEWS', name: 'review-apps' },
      { id: 'C0ONCALL1', name: 'oncall' },
    ],
    postRate: false,
  });
  builds = mkdtempSync(join(tmpdir(), 'notify-routes-'));
});
afterEach(async () => {
  await fake.close();
  rmSync(builds, { recursive: true, force: true });
});

const appEnv = (extra: Record<string, string>) => ({
  ...GITLAB_ENV,
  SLACK_BOT_TOKEN: fake.token,
  NOTIFY_CHANNEL: '#deploys',
  NOTIFY_SLACK_API_URL: fake.apiUrl,
  NOTIFY_CHANNEL_MAP: 'review/*=#review-apps',
  NOTIFY_FAILURE_CHANNEL: '#oncall',
  CI_BUILDS_DIR: builds,
  ...extra,
});

describe('a Slack app routed by environment label', () => {
  it('a review app speaks in its channel, not the default one', async () => {
    const result = await runNotify(['start'], appEnv({ CI_ENVIRONMENT_NAME: 'review/login' }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(fake.channelMessages('C0REVIEWS')).toHaveLength(1);
    expect(fake.channelMessages('C0DEPLOYS')).toHaveLength(0);
  });

  it('a failure goes to the failure channel as well, as a message of its own', async () => {
    const env = appEnv({ CI_ENVIRONMENT_NAME: 'production', CI_JOB_STATUS: 'failed' });
    const result = await runNotify(['finish'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'notify: posted the failure in C0ONCALL1 too (NOTIFY_FAILURE_CHANNEL)',
    );
    const [alert] = fake.channelMessages('C0ONCALL1');
    expect(alert?.text).toMatch(/^:x: chat-server production job \S+ failed/);
    // The pipeline's own channel: its message, and the failure reply broadcast there.
    expect(fake.channelMessages('C0DEPLOYS')).toHaveLength(2);
    expect(`${result.stdout}${result.stderr}`).not.toContain(fake.token);
  });

  it('a success does not reach the failure channel', async () => {
    const env = appEnv({ CI_ENVIRONMENT_NAME: 'production', CI_JOB_STATUS: 'success' });
    const result = await runNotify(['finish'], env);
    expect(result.code).toBe(0);
    expect(fake.channelMessages('C0ONCALL1')).toHaveLength(0);
  });
});

describe('--dry-run says where a message would go, and why', () => {
  const hook = (name: string) =>
    `https://hooks.example.com/services/T0TEAM0001/B0${name}01/s3cr3tT0ken${name}`;

  it('webhooks: the label’s and the failure one, masked', async () => {
    const result = await runNotify(['finish', '--dry-run', '--status', 'failed'], {
      ...GITLAB_ENV,
      CI_ENVIRONMENT_NAME: 'production',
      SLACK_WEBHOOK_URL: hook('DEFAULT'),
      NOTIFY_WEBHOOK_MAP: `production=${hook('PROD')}`,
      NOTIFY_FAILURE_WEBHOOK_URL: hook('ONCALL'),
    });
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as { to: Array<{ webhook: string; why: string }> };
    expect(shown.to.map((to) => to.why)).toEqual([
      'NOTIFY_WEBHOOK_MAP for "production"',
      'NOTIFY_FAILURE_WEBHOOK_URL, as a failure',
    ]);
    expect(result.stdout).not.toMatch(/s3cr3tT0ken/);
    expect(result.stdout).toContain('hooks.example.com');
  });

  it('a filter that lets the run through says why', async () => {
    const result = await runNotify(
      ['finish', '--dry-run', '--status', 'failed', '--when', 'failure', '--branches', 'default'],
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: hook('DEFAULT') },
    );
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as { because: string[]; to: Array<{ why: string }> };
    expect(shown.because).toEqual([
      'the ref "main" is among --branches ("default")',
      'the outcome "failed" is among --when ("failure")',
    ]);
    expect(shown.to.map((to) => to.why)).toEqual(['SLACK_WEBHOOK_URL']);
  });

  it('a filter that leaves the run out: one line, exit 0, nothing else', async () => {
    const result = await runNotify(['start', '--dry-run', '--branches', 'default'], {
      ...GITLAB_ENV,
      CI_COMMIT_REF_NAME: 'feature/login',
      CI_COMMIT_BRANCH: 'feature/login',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'notify: not sending the start notification: the ref "feature/login" is not among --branches ("default")\n',
    );
  });

  it('a map with a bad URL names the setting and the label, never the value', async () => {
    const result = await runNotify(['start', '--dry-run'], {
      ...GITLAB_ENV,
      NOTIFY_WEBHOOK_MAP: 'production=not a url s3cr3t',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^notify: NOTIFY_WEBHOOK_MAP \(label "production"\) is not an http\(s\) URL/,
    );
    expect(result.stderr).not.toContain('s3cr3t');
  });
});

describe('every destination hears, within the one deadline', () => {
  it('the Slack app cannot post: the failure channel and the failure webhook still hear; exit 1', async () => {
    const oncall = await startFakeSlack();
    try {
      const env = appEnv({
        NOTIFY_CHANNEL: 'C0GONE001',
        NOTIFY_CHANNEL_MAP: '',
        CI_JOB_STATUS: 'failed',
        NOTIFY_FAILURE_WEBHOOK_URL: oncall.webhookUrl,
      });
      const result = await runNotify(['finish'], env);
      expect(result.code).toBe(1);
      expect(fake.channelMessages('C0ONCALL1')).toHaveLength(1);
      expect(oncall.requests).toHaveLength(1);
      expect(result.stderr).toContain(
        'notify: delivery to the pipeline message in C0GONE001 failed',
      );
      expect(result.stderr).toContain(
        'notify: delivery failed: 1 of 3 destinations did not get the message',
      );
      expect(result.stdout).not.toContain(new URL(oncall.webhookUrl).pathname);
    } finally {
      await oncall.close();
    }
  });

  it('a webhook that never answers takes its share of NOTIFY_TIMEOUT, not the next one’s', async () => {
    const silent = await startSilentServer();
    const oncall = await startFakeSlack();
    try {
      const started = Date.now();
      const result = await runNotify(['finish', '--status', 'failed'], {
        ...GITLAB_ENV,
        SLACK_WEBHOOK_URL: `http://127.0.0.1:${silent.port}/services/T0/B0/s1lentT0ken0001`,
        NOTIFY_FAILURE_WEBHOOK_URL: oncall.webhookUrl,
        NOTIFY_TIMEOUT: '3',
      });
      expect(result.code).toBe(1);
      expect(oncall.requests).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(4500);
    } finally {
      await silent.close();
      await oncall.close();
    }
  });
});

describe('secrets written in the wrong setting or the wrong way round', () => {
  const secret = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefSECRETxyz';

  it.each([
    ['NOTIFY_WEBHOOK_MAP', `${secret}=production`],
    ['NOTIFY_WEBHOOK_MAP', secret],
    ['NOTIFY_FAILURE_CHANNEL', secret],
    ['NOTIFY_CHANNEL_MAP', `production=${secret}`],
  ])('%s=%s: exit 2, and no piece of the URL', async (name, value) => {
    const result = await runNotify(['finish', '--status', 'failed', '--dry-run'], {
      ...GITLAB_ENV,
      [name]: value,
    });
    expect(result.code).toBe(2);
    for (const piece of ['abcdefSECRETxyz', 'B0456EFGH', 'T0123ABCD']) {
      expect(`${result.stdout}${result.stderr}`).not.toContain(piece);
    }
  });
});

describe('the checkout cannot route or silence', () => {
  it.each([
    ['NOTIFY_WEBHOOK_MAP', '*=http://127.0.0.1:9/services/T/B/attacker'],
    ['NOTIFY_WHEN', 'success'],
    ['NOTIFY_BRANCHES', 'nothing-matches'],
    ['NOTIFY_FAILURE_WEBHOOK_URL', 'http://127.0.0.1:9/services/T/B/attacker'],
    ['NOTIFY_SLACK_API_URL', 'https://api.attacker.example/api'],
  ])('%s from a .env file is ignored, with a warning', async (name, value) => {
    const dir = mkdtempSync(join(tmpdir(), 'notify-dotenv-'));
    try {
      writeFileSync(join(dir, 'ci.env'), `${name}=${value}\n`);
      const result = await runNotify(
        ['finish', '--status', 'failed', '--dry-run', '--env-file', join(dir, 'ci.env')],
        { ...GITLAB_ENV, SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/j0bT0ken0001' },
      );
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`notify: warning: ${name} in the env file is ignored`);
      expect(result.stdout).not.toContain('attacker');
      expect(result.stdout).not.toContain('not sending');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
