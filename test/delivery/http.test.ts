// Delivery over plain HTTP against a fake Slack that answers, fails, stalls or hangs up:
// the built executable must deliver once, retry what is worth retrying, and stop in time.
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../src/http.ts';
import { ok, sequence, startFakeSlack, status, type Responder } from '../helpers/fake-slack.ts';
import {
  closeAfterEach,
  closedPort,
  expectNoSecrets,
  jobEnv,
  lines,
  notify,
  oneLine,
} from './support.ts';

const track = closeAfterEach();

// Upper bounds only, with room for a loaded machine: spawning the executable alone can take
// a second there. The longest backoff schedule before giving up (MAX_ATTEMPTS - 1 waits of at
// most 0.5 s, 1 s, 2 s) is 3.5 s.
const HEADROOM_MS = 3_000;
const BACKOFF_TOTAL_MS = 3_500;

const gap = (a: { at: number }, b: { at: number }) => b.at - a.at;

describe('delivery over HTTP', () => {
  it('posts once on 200 and says where, with the webhook masked', async () => {
    const slack = track(await startFakeSlack({ responder: ok }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    const [request] = slack.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.json).toMatchObject({ text: expect.any(String), blocks: expect.any(Array) });
    expect(oneLine(result.stdout)).toContain(
      `sent the start notification to ${slack.origin}/services/T…/B…/**** (1 attempt)`,
    );
    expect(result.stderr).toBe('');
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('waits Retry-After seconds after a 429, then delivers', async () => {
    const slack = track(
      await startFakeSlack({
        responder: sequence(status(429, 'rate_limited', { 'retry-after': '1' }), ok),
      }),
    );
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(2);
    expect(gap(slack.requests[0]!, slack.requests[1]!)).toBeGreaterThanOrEqual(900);
    expect(result.stdout).toContain('(2 attempts)');
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('waits until a Retry-After HTTP date, then delivers', async () => {
    // HTTP dates have whole seconds: 2.5 s ahead, truncated, is 1.5 s to 2.5 s ahead.
    const rateLimited: Responder = (req, res) =>
      status(429, 'rate_limited', {
        'retry-after': new Date(Date.now() + 2_500).toUTCString(),
      })(req, res);
    const slack = track(await startFakeSlack({ responder: sequence(rateLimited, ok) }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(2);
    expect(gap(slack.requests[0]!, slack.requests[1]!)).toBeGreaterThanOrEqual(1_300);
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('gives up at once when Retry-After is beyond NOTIFY_TIMEOUT', async () => {
    const slack = track(
      await startFakeSlack({ responder: status(429, 'rate_limited', { 'retry-after': '120' }) }),
    );
    const result = await notify(['start'], jobEnv(slack.webhookUrl, { NOTIFY_TIMEOUT: '10' }));

    expect(result.code).toBe(1);
    expect(slack.requests).toHaveLength(1);
    // Not after 120 s, and not after sitting out the 10 s budget either.
    expect(result.ms).toBeLessThan(10_000);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/rate limit/i);
    expect(line).toContain('NOTIFY_TIMEOUT');
    expect(result.stdout).toBe('');
    expectNoSecrets(result, slack.webhookUrl);
  });

  it.each([500, 502, 503])('retries after HTTP %i and delivers', async (code) => {
    const slack = track(await startFakeSlack({ responder: sequence(status(code), ok) }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(2);
    expect(oneLine(result.stderr)).toMatch(`attempt 1 failed (HTTP ${code}); retrying in`);
    expect(result.stdout).toContain('(2 attempts)');
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('stops after MAX_ATTEMPTS when Slack stays at 503', async () => {
    const slack = track(await startFakeSlack({ responder: status(503, 'service unavailable') }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(1);
    expect(slack.requests).toHaveLength(MAX_ATTEMPTS);
    expect(result.ms).toBeLessThan(BACKOFF_TOTAL_MS + HEADROOM_MS);
    const stderr = lines(result.stderr);
    // One notice per retry, then the failure.
    expect(stderr).toHaveLength(MAX_ATTEMPTS);
    expect(stderr.at(-1)).toBe(
      'notify: delivery failed: Slack answered HTTP 503: "service unavailable"',
    );
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('fails after the backoff schedule when the connection is refused', async () => {
    const port = await closedPort();
    const webhookUrl = `http://127.0.0.1:${port}/services/T0FAKE0001/B0FAKE0002/s3cr3tT0kenS3cr3tT0ken`;
    const result = await notify(['start'], jobEnv(webhookUrl));

    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(BACKOFF_TOTAL_MS + HEADROOM_MS);
    const stderr = lines(result.stderr);
    expect(stderr).toHaveLength(MAX_ATTEMPTS);
    expect(stderr.at(-1)).toBe(`notify: delivery failed: connection to 127.0.0.1:${port} refused`);
    expectNoSecrets(result, webhookUrl);
  });

  it('retries when the connection is reset mid-request', async () => {
    const reset: Responder = (_req, res) => {
      res.socket?.destroy();
    };
    const slack = track(await startFakeSlack({ responder: sequence(reset, ok) }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(2);
    expect(oneLine(result.stderr)).toMatch(/attempt 1 failed \(connection to .* was reset\)/);
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('stops at NOTIFY_TIMEOUT when the server never answers', async () => {
    const silent: Responder = () => undefined;
    const slack = track(await startFakeSlack({ responder: silent }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl, { NOTIFY_TIMEOUT: '2' }));

    expect(result.code).toBe(1);
    expect(slack.requests).toHaveLength(1);
    expect(result.ms).toBeLessThan(2_000 + HEADROOM_MS);
    expect(oneLine(result.stderr)).toContain('no delivery within 2s (NOTIFY_TIMEOUT)');
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('waits for a slow server within the default timeout', async () => {
    const slow: Responder = (req, res) => {
      setTimeout(() => ok(req, res), 1_500);
    };
    const slack = track(await startFakeSlack({ responder: slow }));
    const result = await notify(['start'], jobEnv(slack.webhookUrl));

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(result.stderr).toBe('');
    expectNoSecrets(result, slack.webhookUrl);
  });
});
