// The retry policy and the explanations, as pure decisions. The real network path is tested
// end to end in test/delivery/ against real servers; here a scripted transport answers.
import { describe, expect, it } from 'vitest';
import { ConfigError, SlackHttpError, SlackRequestError } from '../../src/errors.ts';
import {
  backoffMs,
  explainNetwork,
  MAX_ATTEMPTS,
  RATE_LIMIT_FLOOR_MS,
  retryAfterMs,
} from '../../src/http.ts';
import { buildReport } from '../../src/report.ts';
import { explainHttp, slack, SLACK_ERRORS } from '../../src/targets/slack.ts';
import { send, type SendOptions } from '../../src/webhook.ts';
import { mainPush } from './sample-context.ts';
import type { HttpResponse, Transport } from '../../src/platform/types.ts';

const URL_ = new URL('https://hooks.slack.com/services/T000/B000/XXXX');

/** A transport that answers from a script, one entry per attempt, and counts the attempts. */
function scripted(...answers: Array<Partial<HttpResponse> | Error>) {
  const calls: number[] = [];
  const transport: Transport = async () => {
    calls.push(Date.now());
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return { statusCode: 200, headers: {}, body: 'ok', complete: true, ...answer };
  };
  return { transport, calls };
}

const coded = (code: string) => Object.assign(new Error(code), { code });
const fast = { timeoutMs: 10_000, env: {}, url: URL_, random: () => 0 };
const REPORT = buildReport(
  mainPush,
  { kind: 'start' },
  {
    environment: { map: [] },
    logs: { grafanaUrlMap: [], datasource: 'Loki', from: 'pipeline' },
  },
);
/** A Slack webhook delivery of one report: the policy under test is the same for every target. */
const deliver = (options: Omit<SendOptions, 'target' | 'report'>) =>
  send({ ...options, target: slack, report: REPORT });

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  it.each<[string | undefined, number | undefined]>([
    ['1', 1000],
    ['0', 0],
    ['2.5', 2500],
    [' 3 ', 3000],
    ['Sat, 21 Nov 2026 10:00:02 GMT', 2000],
    ['Sat, 21 Nov 2026 09:59:00 GMT', 0],
    ['Saturday, 21-Nov-26 10:00:04 GMT', 4000],
    ['Sat Nov 21 10:00:05 2026', 5000],
    ['Sat Nov  1 10:00:05 2026', 0],
    ['Sat, 21 Nov 2026 10:00:02 CET', undefined],
    ['Sat, 21 Foo 2026 10:00:02 GMT', undefined],
    ['2026-11-21T10:00:09Z', undefined],
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
    await expect(deliver({ ...fast, transport })).resolves.toMatchObject({ attempts: 3 });
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
    const { transport, calls } = scripted(...Array(MAX_ATTEMPTS).fill(limited), {});
    const result = await deliver({ ...fast, transport });
    expect(result.attempts).toBe(MAX_ATTEMPTS + 1);
    expect(calls).toHaveLength(MAX_ATTEMPTS + 1);
    // Retry-After: 0 is no reason to hammer: every wait is at least the floor.
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]! - calls[i - 1]!).toBeGreaterThanOrEqual(RATE_LIMIT_FLOOR_MS - 20);
    }
  });

  it('gives up on an endless 429 at the deadline, saying so in one line', async () => {
    const limited = { statusCode: 429, headers: { 'retry-after': '0' }, body: 'rate_limited' };
    const { transport, calls } = scripted(limited);
    const error = await deliver({ ...fast, timeoutMs: 2500, transport }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^still rate limited \(HTTP 429\) after [23] attempts in 2\.5s \(NOTIFY_TIMEOUT\)/,
    );
    expect(calls.length).toBeLessThanOrEqual(3);
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

describe('deliver: a wrong peer is said once, not retried', () => {
  it.each<[string, RegExp]>([
    ['EPROTO', /^TLS with hooks\.slack\.com failed \(EPROTO\); the port may not speak TLS/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /^TLS with hooks\.slack\.com failed/],
    ['HPE_INVALID_CONSTANT', /^hooks\.slack\.com did not answer in HTTP \(HPE_INVALID_CONSTANT\)/],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', /^TLS handshake with hooks\.slack\.com failed/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /certificate was refused/],
  ])('%s: one attempt, the true cause', async (code, message) => {
    const { transport, calls } = scripted(coded(code));
    const error = await deliver({ ...fast, transport }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('NODE_EXTRA_CA_CERTS');
    expect(calls).toHaveLength(1);
  });

  it('blames an https:// proxy that does not speak TLS, not the CA', () => {
    const proxy = new URL('https://proxy.example.com:3128');
    const message = explainNetwork('EPROTO', URL_, proxy);
    expect(message).toContain('the proxy proxy.example.com:3128');
    expect(message).toContain('http://');
    expect(message).not.toContain('NODE_EXTRA_CA_CERTS');
  });
});

describe('deliver: proxy variables are configuration', () => {
  it.each<[Record<string, string>, RegExp]>([
    [{ HTTPS_PROXY: 'socks5://127.0.0.1:1080' }, /^HTTPS_PROXY is a SOCKS proxy \(socks5:\/\/\)/],
    [{ https_proxy: 'socks5h://u:pw@127.0.0.1:1080' }, /^https_proxy is a SOCKS proxy/],
    [{ HTTPS_PROXY: 'http://[bad' }, /^HTTPS_PROXY is not a usable proxy URL/],
    [{ HTTP_PROXY: 'ftp://proxy:21' }, /^HTTP_PROXY is not a usable proxy URL/],
    [{ HTTP_PROXY: 'http://' }, /^HTTP_PROXY is not a usable proxy URL/],
  ])('%j: exit 2 before any request', async (env, message) => {
    const { transport, calls } = scripted({});
    const error = await deliver({ ...fast, env, transport }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('pw@');
    expect(calls).toHaveLength(0);
  });

  it('ignores a malformed proxy variable for the other scheme', async () => {
    const { transport, calls } = scripted({});
    const env = { HTTP_PROXY: 'http://[bad', HTTPS_PROXY: 'http://proxy:3128' };
    await expect(deliver({ ...fast, env, transport })).resolves.toMatchObject({ attempts: 1 });
    expect(calls).toHaveLength(1);
  });
});

describe('deliver: interrupted', () => {
  it('stops at once on a signal and says the message may not have been sent', async () => {
    const outside = new AbortController();
    const transport: Transport = ({ signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(coded('ABORT_ERR')));
        setTimeout(() => outside.abort('SIGTERM'), 50);
      });
    const started = Date.now();
    const error = await deliver({ ...fast, transport, signal: outside.signal }).catch(
      (e: unknown) => e,
    );
    expect((error as SlackRequestError).code).toBe('interrupted');
    expect((error as Error).message).toBe(
      'interrupted by SIGTERM before hooks.slack.com confirmed the message; it may not have been sent',
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
