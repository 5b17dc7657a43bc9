// Many jobs of one pipeline finishing together against Slack's webhook limit (about one
// message per second): every message arrives exactly once, none is lost, none doubled.
import { describe, expect, it } from 'vitest';
import { ok, startFakeSlack, status, type Responder } from '../helpers/fake-slack.ts';
import { closeAfterEach, expectNoSecrets, jobEnv, notify } from './support.ts';

const track = closeAfterEach();

const SENDERS = 20;

/** Slack's limit as a token bucket of one: a message per second, 429 for the rest. */
function onePerSecond(): { responder: Responder; accepted: string[] } {
  const accepted: string[] = [];
  let last = -Infinity;
  const rateLimited = status(429, 'rate_limited', { 'retry-after': '1' });
  const responder: Responder = (req, res) => {
    if (req.at - last < 1_000) return rateLimited(req, res);
    last = req.at;
    accepted.push((req.json as { text: string }).text);
    return ok(req, res);
  };
  return { responder, accepted };
}

describe('a burst of senders against the rate limit', () => {
  it(`delivers all ${SENDERS} messages exactly once`, async () => {
    const bucket = onePerSecond();
    const slack = track(await startFakeSlack({ responder: bucket.responder }));
    const projects = Array.from(
      { length: SENDERS },
      (_, i) => `burst-${String(i).padStart(2, '0')}`,
    );

    const results = await Promise.all(
      projects.map((project) =>
        notify(
          ['start'],
          jobEnv(slack.webhookUrl, { NOTIFY_TIMEOUT: '60', NOTIFY_PROJECT: project }),
          {
            killAfterMs: 90_000,
          },
        ),
      ),
    );

    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expectNoSecrets(result, slack.webhookUrl);
    }
    // Each project's message accepted once: no loss, and no duplicate from a retry.
    expect(bucket.accepted).toHaveLength(SENDERS);
    for (const project of projects) {
      expect(bucket.accepted.filter((text) => text.includes(`${project} `))).toHaveLength(1);
    }
  }, 120_000);
});
