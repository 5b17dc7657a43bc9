// HTTPS to a server whose certificate a private CA signed, as behind a TLS-inspecting
// corporate proxy or with a self-hosted Mattermost: unknown CA is a permanent failure that
// names the fix, and NODE_EXTRA_CA_CERTS is the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../helpers/fake-slack.ts';
import { createPrivateCa, type PrivateCa } from '../helpers/ca.ts';
import { WEBHOOK_PATH } from '../helpers/fake-slack.ts';
import {
  closeAfterEach,
  expectNoSecrets,
  jobEnv,
  notify,
  oneLine,
  startCountingRelay,
} from './support.ts';

const track = closeAfterEach();
let ca: PrivateCa;

beforeAll(() => {
  ca = createPrivateCa();
});
afterAll(() => ca?.remove());

describe('TLS with a private CA', () => {
  it('fails at once, naming NODE_EXTRA_CA_CERTS, when the CA is unknown', async () => {
    const slack = track(await startFakeSlack({ tls: ca.tls }));
    // The handshake fails before any request exists: count connections in front of Slack.
    const relay = track(await startCountingRelay(Number(new URL(slack.origin).port)));
    const webhookUrl = `https://127.0.0.1:${relay.port}${WEBHOOK_PATH}`;
    const result = await notify(['start'], jobEnv(webhookUrl));

    expect(result.code).toBe(1);
    expect(relay.connections).toBe(1);
    expect(slack.requests).toHaveLength(0);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^notify: delivery failed: TLS to 127\.0\.0\.1:\d+ failed/);
    expect(line).toContain('NODE_EXTRA_CA_CERTS');
    expect(result.stdout).toBe('');
    expectNoSecrets(result, webhookUrl);
  });

  it('delivers when NODE_EXTRA_CA_CERTS names the CA', async () => {
    const slack = track(await startFakeSlack({ tls: ca.tls }));
    const env = jobEnv(slack.webhookUrl, { NODE_EXTRA_CA_CERTS: ca.caFile });
    const result = await notify(['start'], env);

    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(oneLine(result.stdout)).toContain(`sent the start notification to ${slack.origin}/`);
    expect(result.stderr).toBe('');
    expectNoSecrets(result, slack.webhookUrl);
  });
});
