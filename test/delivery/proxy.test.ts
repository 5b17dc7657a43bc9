// Behind a forward proxy, as in most corporate CI: HTTPS_PROXY / HTTP_PROXY (either case) are
// honoured, NO_PROXY bypasses them, and the proxy's credentials are never printed, whether the
// proxy lets us through, refuses us or is not there at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../helpers/fake-slack.ts';
import { createPrivateCa, type PrivateCa } from '../helpers/ca.ts';
import { startProxy } from './proxy.ts';
import {
  closeAfterEach,
  closedPort,
  expectNoSecrets,
  jobEnv,
  notify,
  oneLine,
  startSilentServer,
} from './support.ts';

const track = closeAfterEach();
let ca: PrivateCa;

beforeAll(() => {
  ca = createPrivateCa();
});
afterAll(() => ca?.remove());

const USERNAME = 'ci-bot';
const PASSWORD = 'p4ssw0rdSecret';
const AUTHORIZATION = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
const withCredentials = (port: number) => `http://${USERNAME}:${PASSWORD}@127.0.0.1:${port}`;

/** The fake Slack (over HTTPS unless told otherwise) and a job env that trusts its CA. */
async function slackBehind(settings: Record<string, string>, scheme: 'https' | 'http' = 'https') {
  const slack = track(await startFakeSlack(scheme === 'https' ? { tls: ca.tls } : {}));
  const env = jobEnv(slack.webhookUrl, { NODE_EXTRA_CA_CERTS: ca.caFile, ...settings });
  return { slack, env, target: new URL(slack.origin).host };
}

describe('forward proxy', () => {
  it.each(['HTTPS_PROXY', 'https_proxy'])('%s: tunnels to Slack with CONNECT', async (name) => {
    const proxy = track(await startProxy());
    const { slack, env, target } = await slackBehind({ [name]: proxy.url });
    const result = await notify(['start'], env);

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(proxy.records).toEqual([
      { kind: 'connect', target, authorization: undefined, allowed: true },
    ]);
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('HTTP_PROXY: forwards a plain-http webhook through the proxy', async () => {
    const proxy = track(await startProxy());
    const { slack, env, target } = await slackBehind({ HTTP_PROXY: proxy.url }, 'http');
    const result = await notify(['start'], env);

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    // Only https targets are tunnelled; an http one is sent to the proxy in absolute form
    // (POST http://host/path), as curl does, so the proxy relays it rather than tunnels it.
    expect(proxy.records).toEqual([
      { kind: 'forward', target, authorization: undefined, allowed: true },
    ]);
    expectNoSecrets(result, slack.webhookUrl);
  });

  it.each(['NO_PROXY', 'no_proxy'])('%s=127.0.0.1: goes straight to Slack', async (name) => {
    const proxy = track(await startProxy());
    const { slack, env } = await slackBehind({ HTTPS_PROXY: proxy.url, [name]: '127.0.0.1' });
    const result = await notify(['start'], env);

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(proxy.records).toEqual([]);
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('sends the credentials from the proxy URL and never prints them', async () => {
    const proxy = track(await startProxy({ auth: { username: USERNAME, password: PASSWORD } }));
    const { slack, env, target } = await slackBehind({ HTTPS_PROXY: withCredentials(proxy.port) });
    const result = await notify(['start'], env);

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(proxy.records).toEqual([
      { kind: 'connect', target, authorization: AUTHORIZATION, allowed: true },
    ]);
    expectNoSecrets(result, slack.webhookUrl, PASSWORD, AUTHORIZATION);
  });

  it.each([
    ['HTTPS_PROXY', 'https', 'connect'],
    ['HTTP_PROXY', 'http', 'forward'],
  ] as const)(
    '%s answering 407 to wrong credentials: fails at once without printing them',
    async (name, scheme, kind) => {
      const proxy = track(await startProxy({ auth: { username: USERNAME, password: 'other' } }));
      const { slack, env } = await slackBehind({ [name]: withCredentials(proxy.port) }, scheme);
      const result = await notify(['start'], env);

      expect(result.code).toBe(1);
      expect(slack.requests).toHaveLength(0);
      // Wrong credentials stay wrong: asked once, not retried.
      expect(proxy.records).toHaveLength(1);
      expect(proxy.records[0]).toMatchObject({
        kind,
        authorization: AUTHORIZATION,
        allowed: false,
      });
      const line = oneLine(result.stderr);
      expect(line).toContain('proxy');
      expect(line).toContain('407');
      expectNoSecrets(result, slack.webhookUrl, PASSWORD, AUTHORIZATION);
    },
  );

  it('fails without printing the credentials when the proxy is down', async () => {
    const port = await closedPort();
    const { slack, env } = await slackBehind({ HTTPS_PROXY: withCredentials(port) });
    const result = await notify(['start'], env);

    expect(result.code).toBe(1);
    expect(slack.requests).toHaveLength(0);
    expect(result.stderr).toMatch(/^notify: delivery failed: .*refused$/m);
    expectNoSecrets(result, slack.webhookUrl, PASSWORD, AUTHORIZATION);
  });

  it('a proxy that never answers CONNECT cannot hold the job past NOTIFY_TIMEOUT', async () => {
    // Accepts the connection, then says nothing: a blackholing corporate proxy.
    const silent = track(await startSilentServer());
    const { slack, env } = await slackBehind({
      HTTPS_PROXY: `http://127.0.0.1:${silent.port}`,
      NOTIFY_TIMEOUT: '2',
    });
    const result = await notify(['start'], env);

    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(2000 + 3000);
    expect(oneLine(result.stderr)).toMatch(/no delivery within 2s \(NOTIFY_TIMEOUT\)/);
    expect(slack.requests).toHaveLength(0);
    expectNoSecrets(result, slack.webhookUrl);
  });
});
