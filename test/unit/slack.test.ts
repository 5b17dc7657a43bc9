// The retry policy and the explanations, as pure decisions. The real network path is tested
// end to end in test/delivery/ against real servers; here a scripted transport answers.
import { describe, expect, it } from 'vitest';
import { SlackHttpError, SlackRequestError } from '../../src/errors.ts';
import {
  backoffMs,
  deliver,
  explainHttp,
  MAX_ATTEMPTS,
  retryAfterMs,
  SLACK_ERRORS,
} from '../../src/slack.ts';
import type { HttpResponse, Transport } from '../../src/transport.ts';

const URL_ = new URL('https://hooks.slack.com/services/T000/B000/XXXX');

/** A transport that answers from a script, one entry per attempt, and counts the attempts. */
function scripted(...answers: Array<Partial<HttpResponse> | Error>) {
  const calls: number[] = [];
  const transport: Transport = async () => {
    calls.push(Date.now());
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return { statusCode: 200, headers: {}, body: 'ok', ...answer };
  };
  return { transport, calls };
}

const coded = (code: string) => Object.assign(new Error(code), { code });
const fast = { timeoutMs: 10_000, env: {}, payload: {}, url: URL_, random: () => 0 };

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  it.each<[string | undefined, number | undefined]>([
    ['1', 1000],
    ['0', 0],
    ['2.5', 2500],
    [' 3 ', 3000],
    ['Sat, 21 Nov 2026 10:00:02 GMT', 2000],
    ['Sat, 21 Nov 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %j', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});

describe('backoffMs', () => {
  it.each([
    [1, 250, 500],
    [2, 500, 1000],
    [3, 1000, 2000],
    [10, 4000, 8000],
  ])('attempt %i waits between %i and %i ms', (attempt, low, high) => {
    expect(backoffMs(attempt, () => 0)).toBe(low);
    expect(backoffMs(attempt, () => 1)).toBe(high);
  });
});

describe('explainHttp', () => {
  it.each(Object.entries(SLACK_ERRORS))('%s is named and explained', (code, meaning) => {
    expect(explainHttp(400, code)).toBe(`Slack answered HTTP 400 ${code}: ${meaning}`);
  });

  it('shows an unknown body as it came, and says when there is none', () => {
    expect(explainHttp(418, 'short and stout')).toBe('Slack answered HTTP 418: "short and stout"');
    expect(explainHttp(500, '')).toBe('Slack answered HTTP 500 with an empty body');
  });
});

describe('deliver: the retry policy', () => {
  it('retries 5xx and network failures, then delivers', async () => {
    const { transport, calls } = scripted({ statusCode: 503 }, coded('ECONNRESET'), {});
    await expect(deliver({ ...fast, transport })).resolves.toEqual({
      attempts: 3,
      statusCode: 200,
    });
    expect(calls).toHaveLength(3);
  });

  it(`gives up after ${MAX_ATTEMPTS} failed attempts`, async () => {
    const { transport, calls } = scripted({ statusCode: 502, body: 'bad gateway' });
    await expect(deliver({ ...fast, transport })).rejects.toBeInstanceOf(SlackHttpError);
    expect(calls).toHaveLength(MAX_ATTEMPTS);
  });

  it.each([400, 403, 404, 410])('never retries HTTP %i', async (statusCode) => {
    const { transport, calls } = scripted({ statusCode, body: 'invalid_token' });
    const error = await deliver({ ...fast, transport }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackHttpError);
    expect((error as SlackHttpError).statusCode).toBe(statusCode);
    expect(calls).toHaveLength(1);
  });

  it('never retries a TLS failure', async () => {
    const { transport, calls } = scripted(coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'));
    const error = await deliver({ ...fast, transport }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackRequestError);
    expect((error as Error).message).toContain('NODE_EXTRA_CA_CERTS');
    expect(calls).toHaveLength(1);
  });

  it('waits Retry-After on 429 beyond the attempt cap, as the deadline allows', async () => {
    const limited = { statusCode: 429, headers: { 'retry-after': '0' }, body: 'rate_limited' };
    const { transport, calls } = scripted(...Array(MAX_ATTEMPTS + 2).fill(limited), {});
    const result = await deliver({ ...fast, transport });
    expect(result.attempts).toBe(MAX_ATTEMPTS + 3);
    expect(calls).toHaveLength(MAX_ATTEMPTS + 3);
  });

  it('fails at once when Retry-After reaches past the deadline', async () => {
    const { transport, calls } = scripted({ statusCode: 429, headers: { 'retry-after': '60' } });
    const started = Date.now();
    const error = await deliver({ ...fast, timeoutMs: 5000, transport }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'rate limited: Slack asked to wait 60s (Retry-After), past the 5s deadline (NOTIFY_TIMEOUT)',
    );
    expect(calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports each retry before it waits', async () => {
    const { transport } = scripted({ statusCode: 500 }, {});
    const notices: string[] = [];
    await deliver({ ...fast, transport, onRetry: (n) => notices.push(`${n.attempt} ${n.reason}`) });
    expect(notices).toEqual(['1 HTTP 500']);
  });
});
