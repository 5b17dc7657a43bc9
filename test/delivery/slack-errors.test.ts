// Slack's permanent errors: one request, no retry, and one line that says what Slack said and
// what to do about it. --soft-fail turns the failure into a warning for jobs that must not fail.
import { describe, expect, it } from 'vitest';
import { SLACK_ERRORS } from '../../src/targets/slack.ts';
import { startFakeSlack, status } from '../helpers/fake-slack.ts';
import { closeAfterEach, expectNoSecrets, jobEnv, notify, oneLine } from './support.ts';

const track = closeAfterEach();

describe('permanent Slack errors', () => {
  it.each([
    [400, 'invalid_payload'],
    [400, 'invalid_blocks'],
    [400, 'no_text'],
    [404, 'no_service'],
    [403, 'invalid_token'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
    [403, 'action_prohibited'],
    [403, 'posting_to_general_channel_denied'],
  ])('HTTP %i %s: fails once with the explanation', async (code, body) => {
    const slack = track(await startFakeSlack({ responder: status(code, body) }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(1);
    expect(slack.requests).toHaveLength(1);
    expect(oneLine(result.stderr)).toBe(
      `notify: delivery failed: Slack answered HTTP ${code} ${body}: ${SLACK_ERRORS[body]}`,
    );
    expect(result.stdout).toBe('');
    expectNoSecrets(result, slack.webhookUrl);
  });

  // Names on Object.prototype are not Slack codes either: they must not find an explanation.
  it.each(['something_new', 'constructor', 'toString', '__proto__'])(
    'shows an unknown body (%s) as it came',
    async (body) => {
      const slack = track(await startFakeSlack({ responder: status(400, body) }));
      const result = await notify(['start'], jobEnv(slack.webhookUrl));

      expect(result.code).toBe(1);
      expect(slack.requests).toHaveLength(1);
      expect(oneLine(result.stderr)).toBe(
        `notify: delivery failed: Slack answered HTTP 400: "${body}"`,
      );
      expectNoSecrets(result, slack.webhookUrl);
    },
  );

  it.each([
    ['--soft-fail', ['start', '--soft-fail'], {}],
    ['NOTIFY_SOFT_FAIL=true', ['start'], { NOTIFY_SOFT_FAIL: 'true' }],
  ])('%s: warns and exits 0', async (_name, args, settings) => {
    const slack = track(await startFakeSlack({ responder: status(404, 'no_service') }));
    const result = await notify(args, jobEnv(slack.webhookUrl, settings));

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^notify: warning: delivery failed: Slack answered HTTP 404 no_service/);
    expect(line).toContain('(soft fail: exiting 0)');
    expect(result.stdout).toBe('');
    expectNoSecrets(result, slack.webhookUrl);
  });
});
