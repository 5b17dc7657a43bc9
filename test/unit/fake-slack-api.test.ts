// The fake Slack Web API answers like Slack does (https://docs.slack.dev/reference/methods): each
// method's success shape, its errors, pagination, metadata and the chat.postMessage rate limit.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrivateCa } from '../helpers/ca.ts';
import {
  DEFAULT_SCOPES,
  FAKE_BOT,
  FAKE_TEAM,
  FOREIGN_USER,
  startFakeSlackApi,
  type FakeSlackApi,
  type FakeSlackApiOptions,
} from '../helpers/fake-slack-api.ts';

/** A JSON answer, loosely typed so assertions can reach into it. */
type SlackBody = { ok: boolean; error?: string } & Record<string, any>;

interface Result {
  status: number;
  headers: Headers;
  body: SlackBody;
}

const open: FakeSlackApi[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((api) => api.close()));
});

/** Most cases post several messages to one channel: the rate limit has its own tests. */
async function fake(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const api = await startFakeSlackApi({ postRate: false, ...options });
  open.push(api);
  return api;
}

interface CallOptions {
  /** A token for the Authorization header; null sends none. */
  token?: string | null;
  body?: 'json' | 'form' | 'get';
}

async function call(
  api: FakeSlackApi,
  method: string,
  args: Record<string, unknown> = {},
  { token = api.token, body = 'json' }: CallOptions = {},
): Promise<Result> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let url = `${api.apiUrl}/${method}`;
  let init: RequestInit;
  if (body === 'json') {
    headers['content-type'] = 'application/json; charset=utf-8';
    init = { method: 'POST', headers, body: JSON.stringify(args) };
  } else {
    const params = new URLSearchParams(
      Object.entries(args).map(([key, value]): [string, string] => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    );
    if (body === 'form') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init = { method: 'POST', headers, body: params.toString() };
    } else {
      url = `${url}?${params.toString()}`;
      init = { method: 'GET', headers };
    }
  }
  const response = await fetch(url, { ...init, redirect: 'error' });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as SlackBody,
  };
}

async function post(api: FakeSlackApi, args: Record<string, unknown>): Promise<SlackBody> {
  const { body } = await call(api, 'chat.postMessage', { channel: 'C0DEPLOYS', ...args });
  expect(body.ok, JSON.stringify(body)).toBe(true);
  return body;
}

const TS = /^\d{10}\.\d{6}$/;
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const metadata = {
  event_type: 'pipeline_run',
  event_payload: { pipeline: '42', status: 'running' },
};

describe('requests and authentication', () => {
  it('auth.test answers who the bot is, with its scopes in x-oauth-scopes', async () => {
    const api = await fake();
    const { status, headers, body } = await call(api, 'auth.test');

    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(headers.get('x-oauth-scopes')).toBe(DEFAULT_SCOPES.join(','));
    expect(body).toEqual({
      ok: true,
      url: FAKE_TEAM.url,
      team: FAKE_TEAM.name,
      user: 'notify',
      team_id: FAKE_TEAM.id,
      user_id: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
    });
  });

  it('x-oauth-scopes lists the scopes the server was given', async () => {
    const api = await fake({ scopes: ['chat:write', 'channels:history'] });
    const { headers } = await call(api, 'auth.test');
    expect(headers.get('x-oauth-scopes')).toBe('chat:write,channels:history');
  });

  it.each<[string, CallOptions, Record<string, unknown>, string]>([
    ['no token', { token: null }, {}, 'not_authed'],
    ['a wrong token', { token: 'xoxb-wrong' }, {}, 'invalid_auth'],
    ['a revoked token', { token: 'xoxb-old' }, {}, 'token_revoked'],
    [
      'a wrong token as a form parameter',
      { token: null, body: 'form' },
      { token: 'x' },
      'invalid_auth',
    ],
  ])('%s: HTTP 200 with ok false', async (_name, options, args, error) => {
    const api = await fake({ revokedTokens: ['xoxb-old'] });
    const { status, body } = await call(api, 'auth.test', args, options);

    expect(status).toBe(200);
    expect(body).toEqual({ ok: false, error });
    expect(api.calls).toEqual([
      { method: 'auth.test', args: {}, at: expect.any(Number), status: 200, ok: false, error },
    ]);
  });

  it('a token in a JSON body does not count: Slack reads it from the header', async () => {
    const api = await fake();
    const { body } = await call(api, 'auth.test', { token: api.token }, { token: null });
    expect(body).toEqual({ ok: false, error: 'not_authed' });
  });

  it('takes the token as a form parameter and never records it', async () => {
    const api = await fake();
    const { body } = await call(
      api,
      'chat.postMessage',
      { token: api.token, channel: 'C0DEPLOYS', text: 'hi' },
      { token: null, body: 'form' },
    );

    expect(body.ok).toBe(true);
    expect(api.calls[0]!.args).toEqual({ channel: 'C0DEPLOYS', text: 'hi' });
  });

  it('an unknown method is HTTP 404 unknown_method', async () => {
    const api = await fake();
    for (const method of ['chat.nope', 'constructor', '__proto__']) {
      const { status, body } = await call(api, method);
      expect(status).toBe(404);
      expect(body).toEqual({ ok: false, error: 'unknown_method' });
    }
    expect(api.calls.map((c) => [c.method, c.status, c.error])).toEqual([
      ['chat.nope', 404, 'unknown_method'],
      ['constructor', 404, 'unknown_method'],
      ['__proto__', 404, 'unknown_method'],
    ]);
  });

  it('a JSON body that does not parse is invalid_json', async () => {
    const api = await fake();
    const response = await fetch(`${api.apiUrl}/chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: '{"channel":',
    });
    expect(await response.json()).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('GET with query parameters works like POST', async () => {
    const api = await fake();
    const { ts } = await post(api, { text: 'first' });
    const { body } = await call(
      api,
      'conversations.history',
      { channel: 'C0DEPLOYS' },
      { body: 'get' },
    );

    expect(body.ok).toBe(true);
    expect(body.messages.map((m: SlackBody) => m.ts)).toEqual([ts]);
    expect(api.calls[1]).toMatchObject({
      method: 'conversations.history',
      args: { channel: 'C0DEPLOYS' },
      status: 200,
      ok: true,
    });
  });

  it('serves HTTPS with the given key and certificate', async () => {
    const ca = createPrivateCa();
    try {
      const api = await fake({ tls: ca.tls });
      expect(api.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${api.apiUrl}/auth.test`,
          {
            method: 'POST',
            ca: readFileSync(ca.caFile),
            headers: { authorization: `Bearer ${api.token}` },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toMatchObject({ ok: true, bot_id: FAKE_BOT.botId });
    } finally {
      ca.remove();
    }
  });

  it('missing_scope names the scope needed and the ones provided', async () => {
    const api = await fake({ scopes: ['channels:history'] });
    const { status, body } = await call(api, 'chat.postMessage', {
      channel: 'C0DEPLOYS',
      text: 'hi',
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      ok: false,
      error: 'missing_scope',
      needed: 'chat:write',
      provided: 'channels:history',
    });
  });

  it('delayMs waits before answering, and parallel calls all land', async () => {
    const api = await fake({ delayMs: [40, 60] });
    const started = Date.now();
    const bodies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(api, { text: `message ${i}` })),
    );

    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(new Set(bodies.map((b) => b.ts)).size).toBe(8);
    expect(api.channelMessages('C0DEPLOYS')).toHaveLength(8);
  });
});

describe('chat.postMessage', () => {
  it('posts with JSON: the channel, a Slack ts and the message as stored', async () => {
    const api = await fake();
    const blocks = [section('*Pipeline* started')];
    const body = await post(api, {
      text: 'Pipeline started',
      blocks,
      metadata,
      unfurl_links: false,
      unfurl_media: false,
    });

    expect(body).toEqual({
      ok: true,
      channel: 'C0DEPLOYS',
      ts: expect.stringMatching(TS),
      message: {
        type: 'message',
        text: 'Pipeline started',
        user: FAKE_BOT.userId,
        bot_id: FAKE_BOT.botId,
        app_id: FAKE_BOT.appId,
        team: FAKE_TEAM.id,
        ts: body.ts,
        blocks,
        metadata,
      },
    });
    expect(api.channelMessages('C0DEPLOYS')).toEqual([
      {
        ts: body.ts,
        channel: 'C0DEPLOYS',
        text: 'Pipeline started',
        blocks,
        metadata,
        user: FAKE_BOT.userId,
        bot_id: FAKE_BOT.botId,
        byBot: true,
        reactions: [],
      },
    ]);
    expect(api.calls).toEqual([
      {
        method: 'chat.postMessage',
        args: {
          channel: 'C0DEPLOYS',
          text: 'Pipeline started',
          blocks,
          metadata,
          unfurl_links: false,
          unfurl_media: false,
        },
        at: expect.any(Number),
        status: 200,
        ok: true,
      },
    ]);
  });

  it('posts form-encoded, with blocks and metadata as JSON text', async () => {
    const api = await fake();
    const blocks = [section('hello')];
    const { body } = await call(
      api,
      'chat.postMessage',
      { channel: 'C0DEPLOYS', text: 'hello', blocks, metadata },
      { body: 'form' },
    );

    expect(body.ok).toBe(true);
    expect(body.message).toMatchObject({ text: 'hello', blocks, metadata });
    expect(api.channelMessages('C0DEPLOYS')[0]).toMatchObject({ blocks, metadata });
    expect(api.calls[0]!.args).toEqual({
      channel: 'C0DEPLOYS',
      text: 'hello',
      blocks: JSON.stringify(blocks),
      metadata: JSON.stringify(metadata),
    });
  });

  it('takes metadata as a JSON string inside a JSON body too', async () => {
    const api = await fake();
    const body = await post(api, { text: 'x', metadata: JSON.stringify(metadata) });
    expect(body.message.metadata).toEqual(metadata);
  });

  it.each(['#deploys', 'deploys', 'C0DEPLOYS'])(
    'finds the channel given as %s',
    async (channel) => {
      const api = await fake();
      const body = await post(api, { channel, text: 'hi' });
      expect(body.channel).toBe('C0DEPLOYS');
    },
  );

  it('posts blocks without text', async () => {
    const api = await fake();
    const body = await post(api, { blocks: [section('only blocks')] });
    expect(body.message.text).toBe('');
  });

  it('ts values are Slack-shaped and strictly increasing', async () => {
    const api = await fake();
    const stamps: string[] = [];
    for (let i = 0; i < 20; i += 1) stamps.push((await post(api, { text: `${i}` })).ts);

    for (const ts of stamps) expect(ts).toMatch(TS);
    const micros = stamps.map((ts) => BigInt(ts.replace('.', '')));
    for (let i = 1; i < micros.length; i += 1) expect(micros[i]! > micros[i - 1]!).toBe(true);
  });

  it('text over 40,000 characters is truncated, posted, and warned about', async () => {
    const api = await fake();
    const body = await post(api, { text: 'x'.repeat(40_001) });

    expect(body.message.text).toHaveLength(40_000);
    expect(body.response_metadata.warnings).toEqual(['message_truncated']);
    expect(api.channelMessages('C0DEPLOYS')[0]!.text).toHaveLength(40_000);
  });

  it.each<[string, Record<string, unknown>, FakeSlackApiOptions, Record<string, unknown>]>([
    ['an unknown channel', { channel: 'C0NOWHERE', text: 'x' }, {}, { error: 'channel_not_found' }],
    ['no channel', { channel: undefined, text: 'x' }, {}, { error: 'channel_not_found' }],
    [
      'a channel the bot is not in',
      { channel: 'C0QUIET', text: 'x' },
      { channels: [{ id: 'C0QUIET', name: 'quiet', member: false }] },
      { error: 'not_in_channel' },
    ],
    ['no text and no blocks', { text: '' }, {}, { error: 'no_text' }],
    ['no text and empty blocks', { blocks: [] }, {}, { error: 'no_text' }],
    [
      '51 blocks',
      { text: 'x', blocks: Array.from({ length: 51 }, () => section('a')) },
      {},
      { error: 'invalid_blocks', errors: ['no more than 50 items allowed [json-pointer:/blocks]'] },
    ],
    [
      'section text over 3,000 characters',
      { text: 'x', blocks: [section('a'), section('b'.repeat(3_001))] },
      {},
      {
        error: 'invalid_blocks',
        errors: ['must be less than 3001 characters [json-pointer:/blocks/1/text/text]'],
      },
    ],
    [
      'blocks that are not a list',
      { text: 'x', blocks: '{"a":1}' },
      {},
      { error: 'invalid_blocks_format' },
    ],
    [
      'metadata that is not JSON',
      { text: 'x', metadata: '{nope' },
      {},
      { error: 'invalid_metadata_format' },
    ],
    [
      'metadata without event_type',
      { text: 'x', metadata: { event_payload: {} } },
      {},
      { error: 'invalid_metadata_schema' },
    ],
    [
      'an unknown thread_ts',
      { text: 'x', thread_ts: '1700000000.000100' },
      {},
      { error: 'thread_not_found' },
    ],
  ])('refuses %s', async (_name, args, options, expected) => {
    const api = await fake(options);
    const { status, body } = await call(api, 'chat.postMessage', { channel: 'C0DEPLOYS', ...args });

    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: false, ...expected });
    expect(api.calls[0]).toMatchObject({ status: 200, ok: false, error: expected.error });
    for (const channel of options.channels ?? [{ id: 'C0DEPLOYS' }]) {
      expect(api.channelMessages(channel.id)).toEqual([]);
    }
  });

  it('a 3,000-character section and 50 blocks are fine', async () => {
    const api = await fake();
    await post(api, {
      text: 'x',
      blocks: Array.from({ length: 50 }, () => section('a'.repeat(3_000))),
    });
  });

  it('replies in a thread; a broadcast reply also shows in the channel', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    const reply = await post(api, { text: 'reply', thread_ts: parent.ts });
    const broadcast = await post(api, {
      text: 'loud',
      thread_ts: parent.ts,
      reply_broadcast: true,
    });

    expect(reply.message).toMatchObject({ thread_ts: parent.ts, parent_user_id: FAKE_BOT.userId });
    expect(reply.message).not.toHaveProperty('subtype');
    expect(broadcast.message).toMatchObject({ subtype: 'thread_broadcast', thread_ts: parent.ts });
    expect(api.channelMessages('C0DEPLOYS').map((m) => m.text)).toEqual(['parent', 'loud']);
    expect(api.threadReplies('C0DEPLOYS', parent.ts).map((m) => m.text)).toEqual(['reply', 'loud']);
    expect(api.threadReplies('C0DEPLOYS', parent.ts)[1]).toMatchObject({
      thread_ts: parent.ts,
      reply_broadcast: true,
    });
  });

  it("a reply's ts is no thread to reply to", async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    const reply = await post(api, { text: 'reply', thread_ts: parent.ts });
    const { body } = await call(api, 'chat.postMessage', {
      channel: 'C0DEPLOYS',
      text: 'x',
      thread_ts: reply.ts,
    });
    expect(body).toEqual({ ok: false, error: 'thread_not_found' });
  });
});

describe('chat.postMessage rate limit', () => {
  it('a second post within a second is HTTP 429 ratelimited with Retry-After', async () => {
    const api = await startFakeSlackApi();
    open.push(api);
    await post(api, { text: 'one' });
    const { status, headers, body } = await call(api, 'chat.postMessage', {
      channel: 'C0DEPLOYS',
      text: 'two',
    });

    expect(status).toBe(429);
    expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(body).toEqual({ ok: false, error: 'ratelimited' });
    expect(api.calls.map((c) => [c.status, c.ok, c.error])).toEqual([
      [200, true, undefined],
      [429, false, 'ratelimited'],
    ]);
    expect(api.channelMessages('C0DEPLOYS').map((m) => m.text)).toEqual(['one']);
  });

  it('counts per channel', async () => {
    const api = await startFakeSlackApi({
      channels: [
        { id: 'C0DEPLOYS', name: 'deploys' },
        { id: 'C0BUILDS', name: 'builds' },
      ],
    });
    open.push(api);
    await post(api, { text: 'one' });
    await post(api, { channel: 'C0BUILDS', text: 'one' });
  });

  it('refills at perSecond and holds a burst', async () => {
    const api = await startFakeSlackApi({ postRate: { perSecond: 20, burst: 2 } });
    open.push(api);
    await post(api, { text: 'one' });
    await post(api, { text: 'two' });
    const refused = await call(api, 'chat.postMessage', { channel: 'C0DEPLOYS', text: 'three' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');

    await new Promise((resolve) => setTimeout(resolve, 80));
    await post(api, { text: 'three' });
  });

  it('postRate false lets every post through', async () => {
    const api = await startFakeSlackApi({ postRate: false });
    open.push(api);
    for (let i = 0; i < 5; i += 1) await post(api, { text: `${i}` });
    expect(api.calls.every((c) => c.status === 200)).toBe(true);
  });

  it('other methods are not limited', async () => {
    const api = await startFakeSlackApi();
    open.push(api);
    const { ts } = await post(api, { text: 'one' });
    for (let i = 0; i < 3; i += 1) {
      const { body } = await call(api, 'chat.update', { channel: 'C0DEPLOYS', ts, text: `${i}` });
      expect(body.ok).toBe(true);
    }
  });
});

describe('chat.update', () => {
  it('edits the text, keeps blocks not given, and marks the message edited', async () => {
    const api = await fake();
    const blocks = [section('running')];
    const posted = await post(api, { text: 'running', blocks, metadata });
    const { body } = await call(api, 'chat.update', {
      channel: 'C0DEPLOYS',
      ts: posted.ts,
      text: 'passed',
    });

    expect(body).toEqual({
      ok: true,
      channel: 'C0DEPLOYS',
      ts: posted.ts,
      text: 'passed',
      message: {
        type: 'message',
        text: 'passed',
        user: FAKE_BOT.userId,
        bot_id: FAKE_BOT.botId,
        app_id: FAKE_BOT.appId,
        team: FAKE_TEAM.id,
        ts: posted.ts,
        blocks,
        metadata,
        edited: { user: FAKE_BOT.userId, ts: expect.stringMatching(TS) },
      },
    });
    const [stored] = api.channelMessages('C0DEPLOYS');
    expect(stored).toMatchObject({
      text: 'passed',
      blocks,
      metadata,
      edited: { ts: expect.any(String) },
    });
    expect(BigInt(stored!.edited!.ts.replace('.', ''))).toBeGreaterThan(
      BigInt(posted.ts.replace('.', '')),
    );
  });

  it('replaces blocks and metadata; an empty list and an empty object remove them', async () => {
    const api = await fake();
    const posted = await post(api, { text: 'a', blocks: [section('a')], metadata });
    const next = { event_type: 'pipeline_run', event_payload: { status: 'passed' } };
    await call(api, 'chat.update', {
      channel: 'C0DEPLOYS',
      ts: posted.ts,
      text: 'b',
      blocks: [section('b')],
      metadata: next,
    });
    expect(api.channelMessages('C0DEPLOYS')[0]).toMatchObject({
      blocks: [section('b')],
      metadata: next,
    });

    await call(api, 'chat.update', {
      channel: 'C0DEPLOYS',
      ts: posted.ts,
      text: 'c',
      blocks: [],
      metadata: {},
    });
    const [stored] = api.channelMessages('C0DEPLOYS');
    expect(stored!.text).toBe('c');
    expect(stored).not.toHaveProperty('blocks');
    expect(stored).not.toHaveProperty('metadata');
  });

  it('broadcasts an existing reply to the channel', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    const reply = await post(api, { text: 'reply', thread_ts: parent.ts });
    const { body } = await call(api, 'chat.update', {
      channel: 'C0DEPLOYS',
      ts: reply.ts,
      reply_broadcast: true,
    });

    expect(body.ok).toBe(true);
    expect(body.message).toMatchObject({ subtype: 'thread_broadcast', thread_ts: parent.ts });
    expect(api.channelMessages('C0DEPLOYS').map((m) => m.text)).toEqual(['parent', 'reply']);
  });

  it.each<[string, (ts: string, foreign: string) => Record<string, unknown>, string]>([
    ['an unknown ts', () => ({ ts: '1700000000.000001', text: 'x' }), 'message_not_found'],
    [
      'another user’s message',
      (_ts, foreign) => ({ ts: foreign, text: 'x' }),
      'cant_update_message',
    ],
    ['an unknown channel', (ts) => ({ channel: 'C0NOWHERE', ts, text: 'x' }), 'channel_not_found'],
    ['no text and no blocks', (ts) => ({ ts }), 'no_text'],
    ['text over 4,000 characters', (ts) => ({ ts, text: 'x'.repeat(4_001) }), 'msg_too_long'],
    [
      '51 blocks',
      (ts) => ({ ts, text: 'x', blocks: Array(51).fill(section('a')) }),
      'invalid_blocks',
    ],
    [
      'broadcasting a top-level message',
      (ts) => ({ ts, reply_broadcast: true }),
      'cant_broadcast_message',
    ],
  ])('refuses %s', async (_name, args, error) => {
    const api = await fake();
    const { ts } = await post(api, { text: 'mine' });
    const foreign = api.addForeignMessage('C0DEPLOYS', { text: 'theirs' });
    const { status, body } = await call(api, 'chat.update', {
      channel: 'C0DEPLOYS',
      ...args(ts, foreign.ts),
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: false, error });
    expect(api.channelMessages('C0DEPLOYS').map((m) => [m.text, m.edited])).toEqual([
      ['mine', undefined],
      ['theirs', undefined],
    ]);
  });

  it('broadcasting and changing content at once is refused', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    const reply = await post(api, { text: 'reply', thread_ts: parent.ts });
    const { body } = await call(api, 'chat.update', {
      channel: 'C0DEPLOYS',
      ts: reply.ts,
      text: 'new',
      reply_broadcast: true,
    });
    expect(body).toEqual({ ok: false, error: 'no_dual_broadcast_content_update' });
  });
});

describe('chat.delete', () => {
  it('removes the message from the channel, its history and its thread', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    const reply = await post(api, { text: 'reply', thread_ts: parent.ts });
    const gone = await post(api, { text: 'gone', thread_ts: parent.ts });
    const { body } = await call(api, 'chat.delete', { channel: 'C0DEPLOYS', ts: gone.ts });

    expect(body).toEqual({ ok: true, channel: 'C0DEPLOYS', ts: gone.ts });
    expect(api.threadReplies('C0DEPLOYS', parent.ts).map((m) => m.ts)).toEqual([reply.ts]);
    const replies = await call(api, 'conversations.replies', {
      channel: 'C0DEPLOYS',
      ts: parent.ts,
    });
    expect(replies.body.messages.map((m: SlackBody) => m.text)).toEqual(['parent', 'reply']);
    expect(replies.body.messages[0]).toMatchObject({ reply_count: 1, latest_reply: reply.ts });

    await call(api, 'chat.delete', { channel: 'C0DEPLOYS', ts: parent.ts });
    const history = await call(api, 'conversations.history', { channel: 'C0DEPLOYS' });
    expect(history.body.messages).toEqual([]);
    expect(api.channelMessages('C0DEPLOYS')).toEqual([]);
    const orphan = await call(api, 'conversations.replies', { channel: 'C0DEPLOYS', ts: reply.ts });
    expect(orphan.body).toEqual({ ok: false, error: 'thread_not_found' });
  });

  it.each<[string, (ts: string, foreign: string) => Record<string, unknown>, string]>([
    ['an unknown ts', () => ({ ts: '1700000000.000001' }), 'message_not_found'],
    ['another user’s message', (_ts, foreign) => ({ ts: foreign }), 'cant_delete_message'],
    ['an unknown channel', (ts) => ({ channel: 'C0NOWHERE', ts }), 'channel_not_found'],
  ])('refuses %s', async (_name, args, error) => {
    const api = await fake();
    const { ts } = await post(api, { text: 'mine' });
    const foreign = api.addForeignMessage('C0DEPLOYS', { text: 'theirs' });
    const { body } = await call(api, 'chat.delete', {
      channel: 'C0DEPLOYS',
      ...args(ts, foreign.ts),
    });

    expect(body).toEqual({ ok: false, error });
    expect(api.channelMessages('C0DEPLOYS')).toHaveLength(2);
  });

  it('needs chat:write', async () => {
    const api = await fake({ scopes: ['channels:history'] });
    const foreign = api.addForeignMessage('C0DEPLOYS', { text: 'theirs' });
    const { body } = await call(api, 'chat.delete', { channel: 'C0DEPLOYS', ts: foreign.ts });
    expect(body).toMatchObject({ error: 'missing_scope', needed: 'chat:write' });
  });
});

describe('conversations.history', () => {
  it('newest first, without replies, with thread summaries on parents', async () => {
    const api = await fake();
    const first = await post(api, { text: 'first' });
    const reply = await post(api, { text: 'reply', thread_ts: first.ts });
    const second = await post(api, { text: 'second' });
    const { status, body } = await call(api, 'conversations.history', { channel: 'C0DEPLOYS' });

    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      messages: [
        {
          type: 'message',
          text: 'second',
          user: FAKE_BOT.userId,
          bot_id: FAKE_BOT.botId,
          app_id: FAKE_BOT.appId,
          team: FAKE_TEAM.id,
          ts: second.ts,
        },
        {
          type: 'message',
          text: 'first',
          user: FAKE_BOT.userId,
          bot_id: FAKE_BOT.botId,
          app_id: FAKE_BOT.appId,
          team: FAKE_TEAM.id,
          ts: first.ts,
          thread_ts: first.ts,
          reply_count: 1,
          reply_users_count: 1,
          latest_reply: reply.ts,
          reply_users: [FAKE_BOT.userId],
        },
      ],
      has_more: false,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: { next_cursor: '' },
    });
  });

  it('shows broadcast replies as thread_broadcast', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    await post(api, { text: 'quiet', thread_ts: parent.ts });
    await post(api, { text: 'loud', thread_ts: parent.ts, reply_broadcast: 'true' });
    const { body } = await call(api, 'conversations.history', { channel: 'C0DEPLOYS' });

    expect(body.messages.map((m: SlackBody) => [m.text, m.subtype])).toEqual([
      ['loud', 'thread_broadcast'],
      ['parent', undefined],
    ]);
    expect(body.messages[1]).toMatchObject({ reply_count: 2 });
  });

  it('pages with an opaque cursor until next_cursor is empty', async () => {
    const api = await fake();
    const stamps: string[] = [];
    for (let i = 0; i < 5; i += 1) stamps.push((await post(api, { text: `m${i}` })).ts);

    const pages: SlackBody[] = [];
    let cursor: string | undefined;
    do {
      const { body } = await call(api, 'conversations.history', {
        channel: 'C0DEPLOYS',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      pages.push(body);
      cursor = body.response_metadata.next_cursor;
    } while (cursor);

    expect(pages.map((p) => p.messages.map((m: SlackBody) => m.text))).toEqual([
      ['m4', 'm3'],
      ['m2', 'm1'],
      ['m0'],
    ]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    const first = pages[0]!.response_metadata.next_cursor as string;
    expect(first).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(first).not.toContain(stamps[2]);
  });

  it('limit defaults to 100 and stops at 999', async () => {
    const api = await fake();
    for (let i = 0; i < 3; i += 1) api.addForeignMessage('C0DEPLOYS', { text: `${i}` });
    const { body } = await call(api, 'conversations.history', {
      channel: 'C0DEPLOYS',
      limit: 5000,
    });
    expect(body.messages).toHaveLength(3);
  });

  it('oldest and latest are exclusive unless inclusive', async () => {
    const api = await fake();
    const stamps: string[] = [];
    for (let i = 0; i < 4; i += 1) stamps.push((await post(api, { text: `m${i}` })).ts);
    const texts = async (args: Record<string, unknown>) =>
      (
        await call(api, 'conversations.history', { channel: 'C0DEPLOYS', ...args })
      ).body.messages.map((m: SlackBody) => m.text);

    expect(await texts({ oldest: stamps[0], latest: stamps[3] })).toEqual(['m2', 'm1']);
    expect(await texts({ oldest: stamps[0], latest: stamps[3], inclusive: true })).toEqual([
      'm3',
      'm2',
      'm1',
      'm0',
    ]);
    expect(await texts({ oldest: stamps[2] })).toEqual(['m3']);
    expect(await texts({ latest: stamps[1], inclusive: 1 })).toEqual(['m1', 'm0']);
  });

  it.each([true, 'true', 1, '1'])('include_all_metadata %j adds metadata', async (flag) => {
    const api = await fake();
    await post(api, { text: 'with', metadata });
    const without = await call(api, 'conversations.history', { channel: 'C0DEPLOYS' });
    const withIt = await call(api, 'conversations.history', {
      channel: 'C0DEPLOYS',
      include_all_metadata: flag,
    });

    expect(without.body.messages[0]).not.toHaveProperty('metadata');
    expect(withIt.body.messages[0].metadata).toEqual(metadata);
  });

  it('include_all_metadata false leaves metadata out', async () => {
    const api = await fake();
    await post(api, { text: 'with', metadata });
    const { body } = await call(api, 'conversations.history', {
      channel: 'C0DEPLOYS',
      include_all_metadata: 'false',
    });
    expect(body.messages[0]).not.toHaveProperty('metadata');
  });

  it('shows foreign messages with their user and reactions the bot added', async () => {
    const api = await fake();
    const foreign = api.addForeignMessage('C0DEPLOYS', { text: 'hello from a human' });
    await call(api, 'reactions.add', { channel: 'C0DEPLOYS', timestamp: foreign.ts, name: 'eyes' });
    const { body } = await call(api, 'conversations.history', { channel: 'C0DEPLOYS' });

    expect(foreign).toMatchObject({
      user: FOREIGN_USER,
      byBot: false,
      ts: expect.stringMatching(TS),
    });
    expect(body.messages).toEqual([
      {
        type: 'message',
        text: 'hello from a human',
        user: FOREIGN_USER,
        team: FAKE_TEAM.id,
        ts: foreign.ts,
        reactions: [{ name: 'eyes', users: [FAKE_BOT.userId], count: 1 }],
      },
    ]);
  });

  it.each<[string, Record<string, unknown>, FakeSlackApiOptions, Record<string, unknown>]>([
    ['an unknown channel', { channel: 'C0NOWHERE' }, {}, { error: 'channel_not_found' }],
    ['a channel name', { channel: 'deploys' }, {}, { error: 'channel_not_found' }],
    [
      'a channel the bot is not in',
      { channel: 'C0QUIET' },
      { channels: [{ id: 'C0QUIET', name: 'quiet', member: false }] },
      { error: 'not_in_channel' },
    ],
    [
      'a public channel without channels:history',
      { channel: 'C0DEPLOYS' },
      { scopes: ['chat:write'] },
      { error: 'missing_scope', needed: 'channels:history', provided: 'chat:write' },
    ],
    [
      'a private channel without groups:history',
      { channel: 'G0SECRET' },
      {
        scopes: ['channels:history'],
        channels: [{ id: 'G0SECRET', name: 'secret', isPrivate: true }],
      },
      { error: 'missing_scope', needed: 'groups:history', provided: 'channels:history' },
    ],
    [
      'a cursor it never gave',
      { channel: 'C0DEPLOYS', cursor: 'bm9wZQ==' },
      {},
      { error: 'invalid_cursor' },
    ],
    [
      'a latest that is no ts',
      { channel: 'C0DEPLOYS', latest: 'soon' },
      {},
      { error: 'invalid_ts_latest' },
    ],
    [
      'an oldest that is no ts',
      { channel: 'C0DEPLOYS', oldest: 'then' },
      {},
      { error: 'invalid_ts_oldest' },
    ],
  ])('refuses %s', async (_name, args, options, expected) => {
    const api = await fake(options);
    const { status, body } = await call(api, 'conversations.history', args);
    expect(status).toBe(200);
    expect(body).toEqual({ ok: false, ...expected });
  });

  it('reads a private channel with groups:history', async () => {
    const api = await fake({
      scopes: ['groups:history'],
      channels: [{ id: 'G0SECRET', name: 'secret', isPrivate: true }],
    });
    api.addForeignMessage('G0SECRET', { text: 'psst' });
    const { body } = await call(api, 'conversations.history', { channel: 'G0SECRET' });
    expect(body.messages.map((m: SlackBody) => m.text)).toEqual(['psst']);
  });
});

describe('conversations.replies', () => {
  it('the parent first, then the replies oldest first', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent', metadata });
    const one = await post(api, { text: 'one', thread_ts: parent.ts });
    const human = api.addForeignMessage('C0DEPLOYS', { text: 'two', thread_ts: parent.ts });
    await post(api, { text: 'elsewhere' });
    const { body } = await call(api, 'conversations.replies', {
      channel: 'C0DEPLOYS',
      ts: parent.ts,
    });

    expect(body).toEqual({
      ok: true,
      messages: [
        {
          type: 'message',
          text: 'parent',
          user: FAKE_BOT.userId,
          bot_id: FAKE_BOT.botId,
          app_id: FAKE_BOT.appId,
          team: FAKE_TEAM.id,
          ts: parent.ts,
          thread_ts: parent.ts,
          reply_count: 2,
          reply_users_count: 2,
          latest_reply: human.ts,
          reply_users: [FAKE_BOT.userId, FOREIGN_USER],
        },
        {
          type: 'message',
          text: 'one',
          user: FAKE_BOT.userId,
          bot_id: FAKE_BOT.botId,
          app_id: FAKE_BOT.appId,
          team: FAKE_TEAM.id,
          ts: one.ts,
          thread_ts: parent.ts,
          parent_user_id: FAKE_BOT.userId,
        },
        {
          type: 'message',
          text: 'two',
          user: FOREIGN_USER,
          team: FAKE_TEAM.id,
          ts: human.ts,
          thread_ts: parent.ts,
          parent_user_id: FAKE_BOT.userId,
        },
      ],
      has_more: false,
      response_metadata: { next_cursor: '' },
    });
  });

  it("a reply's ts returns its whole thread", async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    const one = await post(api, { text: 'one', thread_ts: parent.ts });
    await post(api, { text: 'two', thread_ts: parent.ts });
    const { body } = await call(api, 'conversations.replies', { channel: 'C0DEPLOYS', ts: one.ts });
    expect(body.messages.map((m: SlackBody) => m.text)).toEqual(['parent', 'one', 'two']);
  });

  it('a message without replies is a thread of one', async () => {
    const api = await fake();
    const lone = await post(api, { text: 'lone' });
    const { body } = await call(api, 'conversations.replies', {
      channel: 'C0DEPLOYS',
      ts: lone.ts,
    });
    expect(body.messages).toEqual([expect.objectContaining({ text: 'lone', ts: lone.ts })]);
    expect(body.messages[0]).not.toHaveProperty('reply_count');
  });

  it('pages oldest first, the parent on the first page only', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    for (let i = 0; i < 4; i += 1) await post(api, { text: `r${i}`, thread_ts: parent.ts });

    const pages: string[][] = [];
    let cursor = '';
    do {
      const { body } = await call(
        api,
        'conversations.replies',
        { channel: 'C0DEPLOYS', ts: parent.ts, limit: '2', ...(cursor ? { cursor } : {}) },
        { body: 'form' },
      );
      expect(body.has_more).toBe(body.response_metadata.next_cursor !== '');
      pages.push(body.messages.map((m: SlackBody) => m.text));
      cursor = body.response_metadata.next_cursor;
    } while (cursor);

    expect(pages).toEqual([['parent', 'r0'], ['r1', 'r2'], ['r3']]);
  });

  it('oldest and latest narrow the replies', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent' });
    const stamps: string[] = [];
    for (let i = 0; i < 3; i += 1)
      stamps.push((await post(api, { text: `r${i}`, thread_ts: parent.ts })).ts);
    const { body } = await call(api, 'conversations.replies', {
      channel: 'C0DEPLOYS',
      ts: parent.ts,
      oldest: stamps[0],
      latest: stamps[2],
    });
    expect(body.messages.map((m: SlackBody) => m.text)).toEqual(['parent', 'r1']);
  });

  it('metadata only with include_all_metadata', async () => {
    const api = await fake();
    const parent = await post(api, { text: 'parent', metadata });
    await post(api, { text: 'reply', thread_ts: parent.ts, metadata });
    const plain = await call(api, 'conversations.replies', { channel: 'C0DEPLOYS', ts: parent.ts });
    const full = await call(api, 'conversations.replies', {
      channel: 'C0DEPLOYS',
      ts: parent.ts,
      include_all_metadata: true,
    });

    expect(plain.body.messages.map((m: SlackBody) => m.metadata)).toEqual([undefined, undefined]);
    expect(full.body.messages.map((m: SlackBody) => m.metadata)).toEqual([metadata, metadata]);
  });

  it.each<[string, Record<string, unknown>, FakeSlackApiOptions, Record<string, unknown>]>([
    [
      'an unknown ts',
      { channel: 'C0DEPLOYS', ts: '1700000000.000001' },
      {},
      { error: 'thread_not_found' },
    ],
    ['no ts', { channel: 'C0DEPLOYS' }, {}, { error: 'thread_not_found' }],
    [
      'an unknown channel',
      { channel: 'C0NOWHERE', ts: '1700000000.000001' },
      {},
      { error: 'channel_not_found' },
    ],
    [
      'a channel the bot is not in',
      { channel: 'C0QUIET', ts: '1700000000.000001' },
      { channels: [{ id: 'C0QUIET', name: 'quiet', member: false }] },
      { error: 'not_in_channel' },
    ],
    [
      'no history scope',
      { channel: 'C0DEPLOYS', ts: '1700000000.000001' },
      { scopes: ['chat:write'] },
      { error: 'missing_scope', needed: 'channels:history', provided: 'chat:write' },
    ],
  ])('refuses %s', async (_name, args, options, expected) => {
    const api = await fake(options);
    const { body } = await call(api, 'conversations.replies', args);
    expect(body).toEqual({ ok: false, ...expected });
  });
});

describe('reactions.add', () => {
  it('adds a reaction once', async () => {
    const api = await fake();
    const { ts } = await post(api, { text: 'deployed' });
    const first = await call(api, 'reactions.add', {
      channel: 'C0DEPLOYS',
      timestamp: ts,
      name: 'rocket',
    });
    const again = await call(api, 'reactions.add', {
      channel: 'C0DEPLOYS',
      timestamp: ts,
      name: 'rocket',
    });

    expect(first.body).toEqual({ ok: true });
    expect(again.body).toEqual({ ok: false, error: 'already_reacted' });
    expect(api.channelMessages('C0DEPLOYS')[0]!.reactions).toEqual(['rocket']);
  });

  it.each<[string, Record<string, unknown>, FakeSlackApiOptions, Record<string, unknown>]>([
    [
      'an unknown message',
      { timestamp: '1700000000.000001', name: 'eyes' },
      {},
      { error: 'message_not_found' },
    ],
    ['no timestamp', { name: 'eyes' }, {}, { error: 'no_item_specified' }],
    [
      'an emoji name with colons',
      { timestamp: 'TS', name: ':eyes:' },
      {},
      { error: 'invalid_name' },
    ],
    [
      'an unknown channel',
      { channel: 'C0NOWHERE', timestamp: 'TS', name: 'eyes' },
      {},
      { error: 'channel_not_found' },
    ],
    [
      'no reactions:write',
      { timestamp: 'TS', name: 'eyes' },
      { scopes: ['chat:write'] },
      { error: 'missing_scope', needed: 'reactions:write', provided: 'chat:write' },
    ],
  ])('refuses %s', async (_name, args, options, expected) => {
    const api = await fake(options);
    const foreign = api.addForeignMessage('C0DEPLOYS', { text: 'x' });
    const { body } = await call(api, 'reactions.add', {
      channel: 'C0DEPLOYS',
      ...args,
      ...(args.timestamp === 'TS' ? { timestamp: foreign.ts } : {}),
    });
    expect(body).toEqual({ ok: false, ...expected });
  });
});

describe('conversations.list', () => {
  const channels = [
    { id: 'C0DEPLOYS', name: 'deploys' },
    { id: 'C0BUILDS', name: 'builds', member: false },
    { id: 'G0SECRET', name: 'secret', isPrivate: true },
    { id: 'G0HIDDEN', name: 'hidden', isPrivate: true, member: false },
  ];
  const summary = (body: SlackBody) =>
    body.channels.map((c: SlackBody) => [c.id, c.name, c.is_private, c.is_member]);

  it('public channels by default', async () => {
    const api = await fake({ channels });
    const { body } = await call(api, 'conversations.list');

    expect(body.ok).toBe(true);
    expect(summary(body)).toEqual([
      ['C0DEPLOYS', 'deploys', false, true],
      ['C0BUILDS', 'builds', false, false],
    ]);
    expect(body.channels[0]).toMatchObject({ is_channel: true, is_archived: false });
    expect(body.response_metadata).toEqual({ next_cursor: '' });
  });

  it('private channels the bot is in, when asked for', async () => {
    const api = await fake({ channels });
    const { body } = await call(api, 'conversations.list', {
      types: 'public_channel,private_channel',
      exclude_archived: true,
    });
    expect(summary(body)).toEqual([
      ['C0DEPLOYS', 'deploys', false, true],
      ['C0BUILDS', 'builds', false, false],
      ['G0SECRET', 'secret', true, true],
    ]);
  });

  it('pages with limit and cursor', async () => {
    const api = await fake({ channels });
    const first = await call(api, 'conversations.list', {
      types: 'public_channel,private_channel',
      limit: 2,
    });
    const second = await call(api, 'conversations.list', {
      types: 'public_channel,private_channel',
      limit: 2,
      cursor: first.body.response_metadata.next_cursor,
    });

    expect(summary(first.body).map((c: unknown[]) => c[0])).toEqual(['C0DEPLOYS', 'C0BUILDS']);
    expect(first.body.response_metadata.next_cursor).not.toBe('');
    expect(summary(second.body).map((c: unknown[]) => c[0])).toEqual(['G0SECRET']);
    expect(second.body.response_metadata.next_cursor).toBe('');
  });

  it.each<[string, Record<string, unknown>, FakeSlackApiOptions, Record<string, unknown>]>([
    [
      'public channels without channels:read',
      {},
      { scopes: ['groups:read'] },
      { error: 'missing_scope', needed: 'channels:read', provided: 'groups:read' },
    ],
    [
      'private channels without groups:read',
      { types: 'public_channel,private_channel' },
      { scopes: ['channels:read'] },
      { error: 'missing_scope', needed: 'groups:read', provided: 'channels:read' },
    ],
    ['an unknown type', { types: 'public_channel,shared' }, {}, { error: 'invalid_types' }],
    ['a limit that is no number', { limit: 'many' }, {}, { error: 'invalid_limit' }],
    ['a cursor it never gave', { cursor: 'bm9wZQ==' }, {}, { error: 'invalid_cursor' }],
  ])('refuses %s', async (_name, args, options, expected) => {
    const api = await fake(options);
    const { body } = await call(api, 'conversations.list', args);
    expect(body).toEqual({ ok: false, ...expected });
  });
});

describe('conversations.info', () => {
  const channels = [
    { id: 'C0DEPLOYS', name: 'deploys' },
    { id: 'C0BUILDS', name: 'builds', member: false },
    { id: 'G0SECRET', name: 'secret', isPrivate: true },
    { id: 'G0HIDDEN', name: 'hidden', isPrivate: true, member: false },
  ];

  it.each([
    ['a public channel the bot is in', 'C0DEPLOYS', 'deploys', false, true],
    ['a public channel it is not in', 'C0BUILDS', 'builds', false, false],
    ['a private channel it is in', 'G0SECRET', 'secret', true, true],
  ])('%s', async (_name, id, name, isPrivate, isMember) => {
    const api = await fake({ channels });
    const { body } = await call(api, 'conversations.info', { channel: id });

    expect(body).toEqual({
      ok: true,
      channel: {
        id,
        name,
        is_channel: true,
        is_group: false,
        is_im: false,
        is_mpim: false,
        is_private: isPrivate,
        is_archived: false,
        is_general: false,
        is_member: isMember,
        name_normalized: name,
      },
    });
  });

  it.each<[string, Record<string, unknown>, FakeSlackApiOptions, Record<string, unknown>]>([
    ['an unknown channel', { channel: 'C0NOWHERE' }, {}, { error: 'channel_not_found' }],
    ['a private channel it is not in', { channel: 'G0HIDDEN' }, {}, { error: 'channel_not_found' }],
    ['a name instead of an ID', { channel: '#deploys' }, {}, { error: 'channel_not_found' }],
    [
      'a public channel without channels:read',
      { channel: 'C0DEPLOYS' },
      { scopes: ['groups:read'] },
      { error: 'missing_scope', needed: 'channels:read', provided: 'groups:read' },
    ],
    [
      'a private channel without groups:read',
      { channel: 'G0SECRET' },
      { scopes: ['channels:read'] },
      { error: 'missing_scope', needed: 'groups:read', provided: 'channels:read' },
    ],
  ])('refuses %s', async (_name, args, options, expected) => {
    const api = await fake({ channels, ...options });
    const { body } = await call(api, 'conversations.info', args);
    expect(body).toEqual({ ok: false, ...expected });
  });
});

describe('users.lookupByEmail', () => {
  const users = [
    { id: 'U0ALICE001', email: 'alice@example.com', name: 'alice' },
    { id: 'U0CIBOT001', email: 'ci@example.com', name: 'ci', isBot: true },
  ];

  it('finds a user by email, ignoring case', async () => {
    const api = await fake({ users });
    const { body } = await call(
      api,
      'users.lookupByEmail',
      { email: 'Alice@Example.com' },
      { body: 'get' },
    );

    expect(body).toEqual({
      ok: true,
      user: {
        id: 'U0ALICE001',
        team_id: FAKE_TEAM.id,
        name: 'alice',
        deleted: false,
        real_name: 'alice',
        is_bot: false,
        profile: { email: 'alice@example.com', real_name: 'alice', display_name: 'alice' },
      },
    });
  });

  it('says whether the user is a bot', async () => {
    const api = await fake({ users });
    const { body } = await call(api, 'users.lookupByEmail', { email: 'ci@example.com' });
    expect(body.user).toMatchObject({ id: 'U0CIBOT001', is_bot: true });
  });

  it.each<[string, Record<string, unknown>, FakeSlackApiOptions, Record<string, unknown>]>([
    ['an unknown email', { email: 'bob@example.com' }, {}, { error: 'users_not_found' }],
    ['no email', {}, {}, { error: 'users_not_found' }],
    [
      'no users:read.email',
      { email: 'alice@example.com' },
      { scopes: ['users:read'] },
      { error: 'missing_scope', needed: 'users:read.email', provided: 'users:read' },
    ],
  ])('refuses %s', async (_name, args, options, expected) => {
    const api = await fake({ users, ...options });
    const { body } = await call(api, 'users.lookupByEmail', args);
    expect(body).toEqual({ ok: false, ...expected });
  });
});

describe('the workspace seen by tests', () => {
  it('addForeignMessage keeps a given ts and later posts come after it', async () => {
    const api = await fake();
    const future = `${Math.floor(Date.now() / 1000) + 3600}.000100`;
    const foreign = api.addForeignMessage('#deploys', { text: 'from the future', ts: future });
    const mine = await post(api, { text: 'mine' });

    expect(foreign).toMatchObject({ ts: future, channel: 'C0DEPLOYS', byBot: false });
    expect(BigInt(mine.ts.replace('.', ''))).toBeGreaterThan(BigInt(future.replace('.', '')));
    expect(api.channelMessages('deploys').map((m) => m.text)).toEqual(['from the future', 'mine']);
  });

  it('returns copies: changing them does not change the workspace', async () => {
    const api = await fake();
    await post(api, { text: 'kept' });
    api.channelMessages('C0DEPLOYS')[0]!.text = 'changed';
    expect(api.channelMessages('C0DEPLOYS')[0]!.text).toBe('kept');
  });

  it('an unknown channel is a test mistake and throws', async () => {
    const api = await fake();
    expect(() => api.channelMessages('C0NOWHERE')).toThrow(/no channel C0NOWHERE/);
    expect(() => api.addForeignMessage('nowhere', { text: 'x' })).toThrow(/no channel nowhere/);
  });
});
