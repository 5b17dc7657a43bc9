// Before any delivery: no webhook means skip (exit 0), a wrong setting means exit 2 with one
// line that names the setting, and neither path ever prints the webhook.
import { describe, expect, it } from 'vitest';
import { startFakeSlack } from '../helpers/fake-slack.ts';
import { startProxy } from './proxy.ts';
import { closeAfterEach, expectNoSecrets, jobEnv, notify, oneLine } from './support.ts';

const track = closeAfterEach();

// Scheme-less, as pasted from a chat window: not a URL, and still a secret.
const NO_SCHEME = 'hooks.slack.com/services/T0FAKE0001/B0FAKE0002/s3cr3tT0kenS3cr3tT0ken';
const STACK_LINE = /^\s{4}at /m;

describe('configuration', () => {
  // GitLab passes a variable defined without a value as an empty string.
  it.each([
    ['unset', {}],
    ['empty', { SLACK_WEBHOOK_URL: '' }],
  ])('skips with one line and sends nothing when the webhook is %s', async (_name, settings) => {
    // Whatever notify might send would have to pass this proxy: it must see nothing.
    const proxy = track(await startProxy());
    const env = jobEnv(undefined, { ...settings, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
    const result = await notify(['start'], env);

    expect(result.code).toBe(0);
    const line = oneLine(result.stdout);
    expect(line).toContain('SLACK_WEBHOOK_URL');
    expect(line).toMatch(/skipping/);
    expect(result.stderr).toBe('');
    expect(proxy.records).toHaveLength(0);
  });

  describe.each([
    [
      'a webhook without a scheme',
      ['start'],
      { SLACK_WEBHOOK_URL: NO_SCHEME },
      'SLACK_WEBHOOK_URL',
    ],
    ['NOTIFY_TIMEOUT=abc', ['start'], { NOTIFY_TIMEOUT: 'abc' }, 'NOTIFY_TIMEOUT'],
    ['--status bogus', ['finish', '--status', 'bogus'], {}, '--status'],
    [
      'NOTIFY_ENVIRONMENT_MAP=garbage',
      ['start'],
      { NOTIFY_ENVIRONMENT_MAP: 'garbage' },
      'NOTIFY_ENVIRONMENT_MAP',
    ],
  ])('%s', (_name, args, settings: Record<string, string>, names) => {
    it('exits 2 with one line naming the setting, no stack, no secret', async () => {
      const slack = track(await startFakeSlack());
      const result = await notify(args, jobEnv(slack.webhookUrl, settings));

      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const line = oneLine(result.stderr);
      expect(line).toMatch(/^notify: /);
      expect(line).toContain(names);
      expect(result.stderr).not.toMatch(STACK_LINE);
      expect(slack.requests).toHaveLength(0);
      expectNoSecrets(result, slack.webhookUrl, settings.SLACK_WEBHOOK_URL);
    });

    it('with DEBUG=1 may add a stack, still no secret', async () => {
      const slack = track(await startFakeSlack());
      const env = jobEnv(slack.webhookUrl, { ...settings, DEBUG: '1' });
      const result = await notify(args, env);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain(names);
      expect(slack.requests).toHaveLength(0);
      expectNoSecrets(result, slack.webhookUrl, settings.SLACK_WEBHOOK_URL);
    });
  });
});
