// The Web API caller against a real fake Slack Web API on 127.0.0.1: answers, Slack's error
// codes as one line each, rate limits, and the token kept out of every message.
import { afterEach, describe, expect, it } from 'vitest';
import { SlackApiError } from '../../src/errors.ts';
import { Deadline } from '../../src/http.ts';
import { explainApiError, formBody, slackApi, slackApiCall } from '../../src/slack-api.ts';
import { nodeTransport } from '../../src/platform/node-http.ts';
import {
  startFakeSlackApi,
  type FakeSlackApi,
  type FakeSlackApiOptions,
} from '../helpers/fake-slack-api.ts';

let fake: FakeSlackApi | undefined;
const deadlines: Deadline[] = [];
afterEach(async () => {
  for (const deadline of deadlines.splice(0)) deadline.dispose();
  await fake?.close();
  fake = undefined;
});

async function client(options: FakeSlackApiOptions = {}, token?: string, timeoutMs = 10_000) {
  fake = await startFakeSlackApi(options);
  const deadline = new Deadline(timeoutMs);
  deadlines.push(deadline);
  const api = slackApi({
    baseUrl: new URL(fake.apiUrl),
    token: token ?? fake.token,
    deadline,
    env: {},
    transport: nodeTransport({}),
    random: () => 0,
  });
  return { api, fake };
}

/** The SlackApiError a call fails with; fails the test when it succeeds. */
async function failure(call: Promise<unknown>): Promise<SlackApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackApiError);
  return error as SlackApiError;
}

describe('slackApi', () => {
  it('posts with the bearer token and gives Slack’s answer', async () => {
    const { api, fake } = await client();
    const answer = await api<{ ok: boolean; ts: string; channel: string }>('chat.postMessage', {
      channel: 'C0DEPLOYS',
      text: 'hello',
      metadata: { event_type: 'notify_pipeline', event_payload: { pipeline: '1' } },
    });
    expect(answer.ok).toBe(true);
    expect(answer.channel).toBe('C0DEPLOYS');
    const [stored] = fake.channelMessages('C0DEPLOYS');
    expect(stored).toMatchObject({ ts: answer.ts, text: 'hello', byBot: true });
    expect(stored!.metadata).toEqual({
      event_type: 'notify_pipeline',
      event_payload: { pipeline: '1' },
    });
  });

  it('slackApiCall gives the answer’s headers too: the token’s scopes', async () => {
    fake = await startFakeSlackApi({ scopes: ['chat:write', 'channels:read'] });
    const deadline = new Deadline(10_000);
    deadlines.push(deadline);
    const options = { baseUrl: new URL(fake.apiUrl), token: fake.token, deadline, env: {} };
    const { value, headers } = await slackApiCall<{ bot_id?: string }>(
      { ...options, transport: nodeTransport({}) },
      'auth.test',
      {},
    );
    expect(value.bot_id).toBe('B0NOTIFYBOT');
    expect(headers['x-oauth-scopes']).toBe('chat:write,channels:read');
  });

  it('names the missing scope and how to add it', async () => {
    const { api } = await client({ scopes: ['channels:history'] });
    const error = await failure(api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'x' }));
    expect(error.error).toBe('missing_scope');
    expect(error.needed).toBe('chat:write');
    expect(error.message).toMatch(
      /^the app lacks the scope chat:write that chat\.postMessage needs/,
    );
    expect(error.exitCode).toBe(1);
  });

  it.each<[string, FakeSlackApiOptions, string, RegExp]>([
    [
      'not_in_channel',
      { channels: [{ id: 'C0DEPLOYS', name: 'deploys', member: false }] },
      'C0DEPLOYS',
      /invite it/,
    ],
    ['channel_not_found', {}, 'C0NOPE', /NOTIFY_CHANNEL/],
  ])('%s: one line saying what to do', async (code, options, channel, advice) => {
    const { api } = await client(options);
    const error = await failure(api('chat.postMessage', { channel, text: 'x' }));
    expect(error.error).toBe(code);
    expect(error.message).toMatch(advice);
  });

  it('a wrong or revoked token: never retried, never quoted', async () => {
    const secret = 'xoxb-0000-wrong-token-value';
    const { api, fake } = await client({ revokedTokens: [secret] }, secret);
    const error = await failure(api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'x' }));
    expect(error.error).toBe('token_revoked');
    expect(error.message).toMatch(/SLACK_BOT_TOKEN/);
    expect(error.message).not.toContain(secret);
    expect(fake.calls).toHaveLength(1);
  });

  it('a message of someone else’s cannot be edited: says so', async () => {
    const { api, fake } = await client();
    const foreign = fake.addForeignMessage('C0DEPLOYS', { text: 'hi' });
    const error = await failure(
      api('chat.update', { channel: 'C0DEPLOYS', ts: foreign.ts, text: 'x' }),
    );
    expect(error.error).toBe('cant_update_message');
    expect(error.message).toContain(foreign.ts);
  });

  it('a 429 waits Retry-After (at least a second), then goes through', async () => {
    const { api, fake } = await client({ postRate: { perSecond: 1, burst: 1 } });
    await api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'one' });
    await api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'two' });
    const statuses = fake.calls.map((call) => call.status);
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses).toContain(429);
    const limited = fake.calls.findIndex((call) => call.status === 429);
    expect(fake.calls[limited + 1]!.at - fake.calls[limited]!.at).toBeGreaterThanOrEqual(900);
    expect(fake.channelMessages('C0DEPLOYS').map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('reads history with metadata, page by page', async () => {
    const { api } = await client({ postRate: false });
    for (let i = 0; i < 5; i++)
      await api('chat.postMessage', { channel: 'C0DEPLOYS', text: `m${i}` });
    const first = await api<{
      messages: Array<{ text: string }>;
      has_more: boolean;
      response_metadata: { next_cursor: string };
    }>('conversations.history', { channel: 'C0DEPLOYS', limit: 3, include_all_metadata: true });
    expect(first.messages.map((m) => m.text)).toEqual(['m4', 'm3', 'm2']);
    expect(first.has_more).toBe(true);
    const second = await api<{ messages: Array<{ text: string }> }>('conversations.history', {
      channel: 'C0DEPLOYS',
      limit: 3,
      cursor: first.response_metadata.next_cursor,
    });
    expect(second.messages.map((m) => m.text)).toEqual(['m1', 'm0']);
  });
});

describe('formBody', () => {
  it('sends objects as JSON and leaves out what is undefined', () => {
    const body = new URLSearchParams(
      formBody({
        channel: 'C1',
        blocks: [{ type: 'divider' }],
        thread_ts: undefined,
        limit: 2,
        ok: true,
      }),
    );
    expect([...body.keys()]).toEqual(['channel', 'blocks', 'limit', 'ok']);
    expect(JSON.parse(body.get('blocks')!)).toEqual([{ type: 'divider' }]);
    expect(body.get('limit')).toBe('2');
  });
});

describe('explainApiError', () => {
  it.each([
    'not_in_channel',
    'channel_not_found',
    'invalid_auth',
    'missing_scope',
    'ratelimited',
    'msg_too_long',
    'cant_update_message',
    'message_not_found',
  ])('%s: one line', (code) => {
    const line = explainApiError('chat.update', code, { channel: 'C1', ts: '1.2' }, 'chat:write');
    expect(line).not.toMatch(/\n/);
    expect(line.length).toBeGreaterThan(20);
  });
});
