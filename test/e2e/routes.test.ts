// Routes through the executable, beyond the webhooks (test/e2e/pipeline-routes.test.ts): a
// Slack app's channel per environment label and its failure channel, and what --dry-run says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
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
      /^notify: NOTIFY_WEBHOOK_MAP \(production\) is not an http\(s\) URL/,
    );
    expect(result.stderr).not.toContain('s3cr3t');
  });
});
