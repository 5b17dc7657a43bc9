// A real HTTP(S) server on 127.0.0.1 standing in for Slack's Web API
// (https://docs.slack.dev/reference/methods): the methods notify calls, answered with Slack's shapes
// for success, errors and rate limits, over an in-memory workspace. Every call is recorded; tests
// read the recording and the workspace after the call returns.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listen } from './listen.ts';

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  /** Whether the bot is in the channel; default true. */
  member?: boolean;
}

export interface StoredMessage {
  ts: string;
  channel: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  user: string;
  bot_id?: string;
  /** Posted by this fake's bot. */
  byBot: boolean;
  reply_broadcast?: boolean;
  edited?: { ts: string };
  /** Reactions the bot added. */
  reactions: string[];
}

export interface FakeSlackApiOptions {
  /** The bot token the server accepts; default 'xoxb-notify-test'. */
  token?: string;
  /** Tokens answered with token_revoked. */
  revokedTokens?: string[];
  /** The token's scopes; default: everything notify may need. */
  scopes?: string[];
  /** Default: [{ id: 'C0DEPLOYS', name: 'deploys' }]. */
  channels?: FakeChannel[];
  users?: Array<{ id: string; email: string; name: string; isBot?: boolean }>;
  /** Random delay before answering each call, in ms [min, max]: interleaves parallel clients. */
  delayMs?: [number, number];
  /**
   * chat.postMessage allowed per channel: a token bucket refilled at `perSecond`, holding `burst`.
   * Default { perSecond: 1, burst: 1 }; false turns it off.
   */
  postRate?: { perSecond: number; burst: number } | false;
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string; cert: string };
}

export interface FakeSlackApiCall {
  method: string;
  /** The arguments as parsed from query and body, without the token. */
  args: Record<string, unknown>;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
}

export interface FakeSlackApi {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** `${origin}/api` */
  apiUrl: string;
  token: string;
  calls: FakeSlackApiCall[];
  /** Top-level messages of a channel (thread replies excluded unless broadcast), oldest first. */
  channelMessages(channel: string): StoredMessage[];
  /** The replies of a thread (without its parent), oldest first. */
  threadReplies(channel: string, threadTs: string): StoredMessage[];
  /** Adds a message as another user posted it (not editable or deletable by the bot). Returns it. */
  addForeignMessage(
    channel: string,
    fields: Partial<StoredMessage> & { text: string },
  ): StoredMessage;
  close(): Promise<void>;
}

export const DEFAULT_SCOPES = [
  'chat:write',
  'channels:history',
  'groups:history',
  'channels:read',
  'groups:read',
  'reactions:write',
  'users:read',
  'users:read.email',
];

/** The workspace and the bot as auth.test and posted messages show them. */
export const FAKE_TEAM = {
  id: 'T0NOTIFY01',
  name: 'Notify Test',
  url: 'https://notify-test.slack.com/',
};
export const FAKE_BOT = { userId: 'U0NOTIFYBOT', botId: 'B0NOTIFYBOT', appId: 'A0NOTIFYAPP' };
export const FOREIGN_USER = 'U0SOMEONE1';

// Limits from the method pages: chat.postMessage truncates text beyond 40,000 characters (with a
// warning), chat.update refuses text beyond 4,000 (msg_too_long); Block Kit allows 50 blocks and
// 3,000 characters of section text.
const POST_TEXT_LIMIT = 40_000;
const UPDATE_TEXT_LIMIT = 4_000;
const MAX_BLOCKS = 50;
const SECTION_TEXT_LIMIT = 3_000;

type Args = Record<string, unknown>;
type Body = Record<string, unknown>;

/** A refusal: Slack's `{ ok: false, error }`, HTTP 200 unless said otherwise. */
class SlackError extends Error {
  readonly code: string;
  readonly extra: Body;
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(code: string, extra: Body = {}, status = 200, headers: Record<string, string> = {}) {
    super(code);
    this.code = code;
    this.extra = extra;
    this.status = status;
    this.headers = headers;
  }
}

function fail(code: string, extra: Body = {}): never {
  throw new SlackError(code, extra);
}

/** Slack's ts: seconds, a dot, six digits of microseconds. */
export function formatTs(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

/** Microseconds of a ts (or of plain seconds); undefined when it is not one. */
export function parseTs(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,12})(?:\.(\d{0,6})\d*)?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 1e6 + Number((match[2] ?? '').padEnd(6, '0'));
}

function flag(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === '1';
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

function given(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A JSON argument: an object or array as sent in a JSON body, or its text as a form sends it. */
function jsonArg(value: unknown, invalid: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return fail(invalid);
  }
}

function invalidBlocks(pointerAndMessage: string[]): never {
  return fail('invalid_blocks', {
    errors: pointerAndMessage,
    response_metadata: { messages: pointerAndMessage.map((line) => `[ERROR] ${line}`) },
  });
}

function parseBlocks(value: unknown): unknown[] {
  const blocks = jsonArg(value, 'invalid_blocks_format');
  if (!Array.isArray(blocks)) return fail('invalid_blocks_format');
  if (blocks.length > MAX_BLOCKS) {
    invalidBlocks([`no more than ${MAX_BLOCKS} items allowed [json-pointer:/blocks]`]);
  }
  blocks.forEach((block: unknown, index) => {
    if (typeof block !== 'object' || block === null || typeof (block as Body).type !== 'string') {
      invalidBlocks([`missing required field: type [json-pointer:/blocks/${index}]`]);
    }
    const { type, text: sectionText } = block as { type: string; text?: { text?: unknown } };
    if (
      type === 'section' &&
      typeof sectionText?.text === 'string' &&
      sectionText.text.length > SECTION_TEXT_LIMIT
    ) {
      invalidBlocks([
        `must be less than ${SECTION_TEXT_LIMIT + 1} characters [json-pointer:/blocks/${index}/text/text]`,
      ]);
    }
  });
  return blocks;
}

type Metadata = NonNullable<StoredMessage['metadata']>;

/** undefined: not given; null: given empty (chat.update removes the metadata). */
function parseMetadata(value: unknown): Metadata | null | undefined {
  if (!given(value)) return undefined;
  const metadata = jsonArg(value, 'invalid_metadata_format');
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return fail('invalid_metadata_format');
  }
  if (Object.keys(metadata).length === 0) return null;
  const { event_type, event_payload } = metadata as Body;
  if (
    typeof event_type !== 'string' ||
    event_type === '' ||
    typeof event_payload !== 'object' ||
    event_payload === null ||
    Array.isArray(event_payload)
  ) {
    return fail('invalid_metadata_schema');
  }
  return { event_type, event_payload: event_payload as Record<string, unknown> };
}

function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/** The part after `prefix:` of a cursor this server made; invalid_cursor otherwise. */
function decodeCursor(value: unknown, prefix: string): string | undefined {
  if (!given(value)) return undefined;
  const decoded = Buffer.from(text(value), 'base64').toString('utf8');
  if (!decoded.startsWith(`${prefix}:`)) return fail('invalid_cursor');
  return decoded.slice(prefix.length + 1);
}

function limitArg(value: unknown, fallback: number, max: number): number {
  if (!given(value)) return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) return fail('invalid_limit');
  return Math.min(limit, max);
}

function parseBody(contentType: string | undefined, raw: string): Args {
  if (raw.trim() === '') return {};
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return fail('invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return fail('invalid_json');
    }
    // Slack reads the token of a JSON call from the Authorization header only.
    const { token: _ignored, ...args } = parsed as Args;
    return args;
  }
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  return fail(type === '' ? 'missing_post_type' : 'invalid_post_type');
}

interface Answer {
  status: number;
  body: Body;
  headers: Record<string, string>;
}

export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const token = options.token ?? 'xoxb-notify-test';
  const revoked = new Set(options.revokedTokens ?? []);
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const channels = options.channels ?? [{ id: 'C0DEPLOYS', name: 'deploys' }];
  const users = options.users ?? [];
  const postRate = options.postRate ?? { perSecond: 1, burst: 1 };
  const calls: FakeSlackApiCall[] = [];

  /** Every channel's messages, replies included, in ts order. */
  const store = new Map<string, StoredMessage[]>(channels.map((c) => [c.id, []]));
  let lastTs = 0;
  const nextTs = (): string => {
    lastTs = Math.max(Date.now() * 1000, lastTs + 1);
    return formatTs(lastTs);
  };
  const buckets = new Map<string, { tokens: number; at: number }>();

  const messagesOf = (channelId: string): StoredMessage[] => store.get(channelId) ?? [];
  const add = (message: StoredMessage): void => {
    const list = messagesOf(message.channel);
    list.push(message);
    list.sort((a, b) => parseTs(a.ts)! - parseTs(b.ts)!);
  };
  const find = (channelId: string, ts: unknown): StoredMessage | undefined =>
    given(ts) ? messagesOf(channelId).find((m) => m.ts === text(ts)) : undefined;
  const isReply = (m: StoredMessage): boolean => m.thread_ts !== undefined && m.thread_ts !== m.ts;
  const repliesOf = (channelId: string, parentTs: string): StoredMessage[] =>
    messagesOf(channelId).filter((m) => isReply(m) && m.thread_ts === parentTs);
  const inChannelView = (m: StoredMessage): boolean => !isReply(m) || m.reply_broadcast === true;

  const channelById = (value: unknown): FakeChannel =>
    channels.find((c) => c.id === text(value)) ?? fail('channel_not_found');
  // Only chat.postMessage takes a name for a channel.
  const channelForPost = (value: unknown): FakeChannel => {
    const wanted = text(value);
    const name = wanted.startsWith('#') ? wanted.slice(1) : wanted;
    return channels.find((c) => c.id === wanted || c.name === name) ?? fail('channel_not_found');
  };
  const isMember = (channel: FakeChannel): boolean => channel.member !== false;
  const need = (scope: string): void => {
    if (!scopes.includes(scope)) {
      fail('missing_scope', { needed: scope, provided: scopes.join(',') });
    }
  };
  const needHistory = (channel: FakeChannel): void => {
    need(channel.isPrivate ? 'groups:history' : 'channels:history');
    if (!isMember(channel)) fail('not_in_channel');
  };

  /** 0 when a post may go now, else the whole seconds until the channel's bucket holds one. */
  const takePost = (channelId: string): number => {
    if (postRate === false) return 0;
    const now = Date.now();
    const bucket = buckets.get(channelId) ?? { tokens: postRate.burst, at: now };
    bucket.tokens = Math.min(
      postRate.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * postRate.perSecond,
    );
    bucket.at = now;
    buckets.set(channelId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / postRate.perSecond));
  };

  /** A message as the API shows it. */
  const render = (m: StoredMessage, withMetadata: boolean): Body => {
    const out: Body = { type: 'message' };
    if (isReply(m) && m.reply_broadcast) out.subtype = 'thread_broadcast';
    out.text = m.text;
    out.user = m.user;
    if (m.bot_id !== undefined) out.bot_id = m.bot_id;
    if (m.byBot) out.app_id = FAKE_BOT.appId;
    out.team = FAKE_TEAM.id;
    out.ts = m.ts;
    if (m.blocks !== undefined) out.blocks = m.blocks;
    if (withMetadata && m.metadata !== undefined) out.metadata = m.metadata;
    if (m.edited !== undefined) out.edited = { user: m.user, ts: m.edited.ts };
    if (isReply(m)) {
      out.thread_ts = m.thread_ts;
      const parent = find(m.channel, m.thread_ts);
      if (parent) out.parent_user_id = parent.user;
    } else {
      const replies = repliesOf(m.channel, m.ts);
      if (replies.length > 0) {
        const replyUsers = [...new Set(replies.map((r) => r.user))];
        out.thread_ts = m.ts;
        out.reply_count = replies.length;
        out.reply_users_count = replyUsers.length;
        out.latest_reply = replies[replies.length - 1]!.ts;
        out.reply_users = replyUsers;
      }
    }
    if (m.reactions.length > 0) {
      out.reactions = m.reactions.map((name) => ({ name, users: [FAKE_BOT.userId], count: 1 }));
    }
    return out;
  };

  /** oldest and latest: exclusive unless inclusive. */
  const range = (args: Args): ((ts: string) => boolean) => {
    const oldest = given(args.oldest) ? parseTs(args.oldest) : 0;
    if (oldest === undefined) return fail('invalid_ts_oldest');
    const latest = given(args.latest) ? parseTs(args.latest) : Infinity;
    if (latest === undefined) return fail('invalid_ts_latest');
    const inclusive = flag(args.inclusive);
    return (ts) => {
      const value = parseTs(ts)!;
      return (
        (value > oldest || (inclusive && value === oldest)) &&
        (value < latest || (inclusive && value === latest))
      );
    };
  };

  /** One page of messages in the order given, from the cursor's ts on. */
  const page = (
    messages: StoredMessage[],
    args: Args,
    limit: number,
    from: (ts: number, cursorTs: number) => boolean,
  ): { messages: StoredMessage[]; hasMore: boolean; nextCursor: string } => {
    const cursor = decodeCursor(args.cursor, 'next_ts');
    let rest = messages;
    if (cursor !== undefined) {
      const cursorTs = parseTs(cursor) ?? fail('invalid_cursor');
      rest = messages.filter((m) => from(parseTs(m.ts)!, cursorTs));
    }
    const taken = rest.slice(0, limit);
    const next = rest[limit];
    return {
      messages: taken,
      hasMore: next !== undefined,
      nextCursor: next === undefined ? '' : encodeCursor(`next_ts:${next.ts}`),
    };
  };

  const methods = new Map<string, (args: Args) => Body>([
    [
      'auth.test',
      () => ({
        url: FAKE_TEAM.url,
        team: FAKE_TEAM.name,
        user: 'notify',
        team_id: FAKE_TEAM.id,
        user_id: FAKE_BOT.userId,
        bot_id: FAKE_BOT.botId,
      }),
    ],
    [
      'chat.postMessage',
      (args) => {
        need('chat:write');
        const channel = channelForPost(args.channel);
        if (!isMember(channel)) fail('not_in_channel');
        const retryAfter = takePost(channel.id);
        if (retryAfter > 0) {
          throw new SlackError('ratelimited', {}, 429, { 'retry-after': String(retryAfter) });
        }
        const blocks = given(args.blocks) ? parseBlocks(args.blocks) : undefined;
        let messageText = text(args.text);
        if (messageText === '' && (blocks === undefined || blocks.length === 0)) fail('no_text');
        const metadata = parseMetadata(args.metadata);
        let parent: StoredMessage | undefined;
        if (given(args.thread_ts)) {
          parent = find(channel.id, args.thread_ts);
          if (!parent || isReply(parent)) fail('thread_not_found');
        }
        const extra: Body = {};
        if (messageText.length > POST_TEXT_LIMIT) {
          messageText = messageText.slice(0, POST_TEXT_LIMIT);
          extra.response_metadata = {
            warnings: ['message_truncated'],
            messages: [`[WARN] Message text was truncated to ${POST_TEXT_LIMIT} characters.`],
          };
        }
        const message: StoredMessage = {
          ts: nextTs(),
          channel: channel.id,
          text: messageText,
          user: FAKE_BOT.userId,
          bot_id: FAKE_BOT.botId,
          byBot: true,
          reactions: [],
        };
        if (blocks !== undefined && blocks.length > 0) message.blocks = blocks;
        if (metadata) message.metadata = metadata;
        if (parent) {
          message.thread_ts = parent.ts;
          if (flag(args.reply_broadcast)) message.reply_broadcast = true;
        }
        add(message);
        return { channel: channel.id, ts: message.ts, message: render(message, true), ...extra };
      },
    ],
    [
      'chat.update',
      (args) => {
        need('chat:write');
        const channel = channelById(args.channel);
        const message = find(channel.id, args.ts) ?? fail('message_not_found');
        if (!message.byBot) fail('cant_update_message');
        if (flag(args.reply_broadcast)) {
          if (!isReply(message)) fail('cant_broadcast_message');
          if (given(args.text) || given(args.blocks)) fail('no_dual_broadcast_content_update');
          message.reply_broadcast = true;
        } else {
          const blocks = args.blocks !== undefined ? parseBlocks(args.blocks) : undefined;
          if (!given(args.text) && blocks === undefined) fail('no_text');
          if (text(args.text).length > UPDATE_TEXT_LIMIT) fail('msg_too_long');
          const metadata = parseMetadata(args.metadata);
          if (given(args.text)) message.text = text(args.text);
          if (blocks !== undefined) {
            if (blocks.length > 0) message.blocks = blocks;
            else delete message.blocks;
          }
          if (metadata === null) delete message.metadata;
          else if (metadata !== undefined) message.metadata = metadata;
          message.edited = { ts: nextTs() };
        }
        return {
          channel: channel.id,
          ts: message.ts,
          text: message.text,
          message: render(message, true),
        };
      },
    ],
    [
      'chat.delete',
      (args) => {
        need('chat:write');
        const channel = channelById(args.channel);
        const message = find(channel.id, args.ts) ?? fail('message_not_found');
        if (!message.byBot) fail('cant_delete_message');
        const list = messagesOf(channel.id);
        list.splice(list.indexOf(message), 1);
        return { channel: channel.id, ts: message.ts };
      },
    ],
    [
      'conversations.history',
      (args) => {
        const channel = channelById(args.channel);
        needHistory(channel);
        const limit = limitArg(args.limit, 100, 999);
        const within = range(args);
        const newestFirst = messagesOf(channel.id)
          .filter((m) => inChannelView(m) && within(m.ts))
          .reverse();
        const result = page(newestFirst, args, limit, (ts, cursorTs) => ts <= cursorTs);
        const withMetadata = flag(args.include_all_metadata);
        return {
          messages: result.messages.map((m) => render(m, withMetadata)),
          has_more: result.hasMore,
          pin_count: 0,
          channel_actions_ts: null,
          channel_actions_count: 0,
          response_metadata: { next_cursor: result.nextCursor },
        };
      },
    ],
    [
      'conversations.replies',
      (args) => {
        const channel = channelById(args.channel);
        needHistory(channel);
        const limit = limitArg(args.limit, 1000, 1000);
        const asked = find(channel.id, args.ts) ?? fail('thread_not_found');
        const parent = isReply(asked)
          ? (find(channel.id, asked.thread_ts) ?? fail('thread_not_found'))
          : asked;
        const within = range(args);
        const thread = [parent, ...repliesOf(channel.id, parent.ts).filter((m) => within(m.ts))];
        const result = page(thread, args, limit, (ts, cursorTs) => ts >= cursorTs);
        const withMetadata = flag(args.include_all_metadata);
        return {
          messages: result.messages.map((m) => render(m, withMetadata)),
          has_more: result.hasMore,
          response_metadata: { next_cursor: result.nextCursor },
        };
      },
    ],
    [
      'reactions.add',
      (args) => {
        need('reactions:write');
        const channel = channelById(args.channel);
        if (!given(args.timestamp)) fail('no_item_specified');
        const name = text(args.name);
        if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) fail('invalid_name');
        const message = find(channel.id, args.timestamp) ?? fail('message_not_found');
        if (message.reactions.includes(name)) fail('already_reacted');
        message.reactions.push(name);
        return {};
      },
    ],
    [
      'conversations.list',
      (args) => {
        const types = (given(args.types) ? text(args.types) : 'public_channel')
          .split(',')
          .map((type) => type.trim())
          .filter((type) => type !== '');
        const known = ['public_channel', 'private_channel', 'mpim', 'im'];
        if (types.length === 0 || types.some((type) => !known.includes(type))) {
          fail('invalid_types');
        }
        const wantPublic = types.includes('public_channel');
        const wantPrivate = types.includes('private_channel');
        if (wantPublic) need('channels:read');
        if (wantPrivate) need('groups:read');
        const limit = limitArg(args.limit, 100, 999);
        // A bot sees every public channel, and the private ones it is in.
        const visible = channels.filter((c) =>
          c.isPrivate ? wantPrivate && isMember(c) : wantPublic,
        );
        const cursor = decodeCursor(args.cursor, 'next_channel');
        const start = cursor === undefined ? 0 : visible.findIndex((c) => c.id === cursor);
        if (start < 0) fail('invalid_cursor');
        const taken = visible.slice(start, start + limit);
        const next = visible[start + limit];
        return {
          channels: taken.map((c) => ({
            id: c.id,
            name: c.name,
            is_channel: true,
            is_group: false,
            is_im: false,
            is_mpim: false,
            is_private: c.isPrivate === true,
            is_archived: false,
            is_general: false,
            is_member: isMember(c),
            name_normalized: c.name,
          })),
          response_metadata: {
            next_cursor: next === undefined ? '' : encodeCursor(`next_channel:${next.id}`),
          },
        };
      },
    ],
    [
      'conversations.info',
      (args) => {
        // A private channel the bot is not in is one it cannot see: not found, as in Slack.
        const channel = channels.find((c) => c.id === text(args.channel));
        if (!channel || (channel.isPrivate && !isMember(channel))) fail('channel_not_found');
        need(channel.isPrivate ? 'groups:read' : 'channels:read');
        return {
          channel: {
            id: channel.id,
            name: channel.name,
            is_channel: true,
            is_group: false,
            is_im: false,
            is_mpim: false,
            is_private: channel.isPrivate === true,
            is_archived: false,
            is_general: false,
            is_member: isMember(channel),
            name_normalized: channel.name,
          },
        };
      },
    ],
    [
      'users.lookupByEmail',
      (args) => {
        need('users:read.email');
        const email = text(args.email).toLowerCase();
        const user =
          users.find((u) => email !== '' && u.email.toLowerCase() === email) ??
          fail('users_not_found');
        return {
          user: {
            id: user.id,
            team_id: FAKE_TEAM.id,
            name: user.name,
            deleted: false,
            real_name: user.name,
            is_bot: user.isBot === true,
            profile: { email: user.email, real_name: user.name, display_name: user.name },
          },
        };
      },
    ],
  ]);

  const json = { 'content-type': 'application/json; charset=utf-8' };

  /** Answers one call from its request; synchronous, so a call sees and changes state at once. */
  const dispatch = (
    req: IncomingMessage,
    raw: string,
  ): { method: string; args: Args; answer: Answer } => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : '';
    let args: Args = {};
    const handler = methods.get(method);
    if (!handler) {
      return {
        method,
        args: Object.fromEntries(url.searchParams),
        answer: { status: 404, body: { ok: false, error: 'unknown_method' }, headers: json },
      };
    }
    // Slack names the token's scopes on every answer past authentication.
    let headers: Record<string, string> = json;
    try {
      const query: Args = Object.fromEntries(url.searchParams);
      const body = req.method === 'POST' ? parseBody(req.headers['content-type'], raw) : {};
      const { token: argToken, ...rest } = { ...query, ...body };
      args = rest;
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const presented = bearer ?? (given(argToken) ? text(argToken) : undefined);
      if (presented === undefined) fail('not_authed');
      if (revoked.has(presented)) fail('token_revoked');
      if (presented !== token) fail('invalid_auth');
      headers = { ...json, 'x-oauth-scopes': scopes.join(',') };
      return {
        method,
        args,
        answer: { status: 200, body: { ok: true, ...handler(args) }, headers },
      };
    } catch (error) {
      if (!(error instanceof SlackError)) {
        return {
          method,
          args,
          answer: { status: 500, body: { ok: false, error: 'internal_error' }, headers: json },
        };
      }
      return {
        method,
        args,
        answer: {
          status: error.status,
          body: { ok: false, error: error.code, ...error.extra },
          headers: { ...headers, ...error.headers },
        },
      };
    }
  };

  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const pause = (): Promise<void> => {
    if (!options.delayMs) return Promise.resolve();
    const [min, max] = options.delayMs;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          resolve();
        },
        min + Math.random() * (max - min),
      );
      timers.add(timer);
    });
  };

  const respond = async (req: IncomingMessage, raw: string, res: ServerResponse) => {
    await pause();
    if (closed) return;
    const { method, args, answer } = dispatch(req, raw);
    const call: FakeSlackApiCall = {
      method,
      args,
      at: Date.now(),
      status: answer.status,
      ok: answer.body.ok === true,
    };
    if (typeof answer.body.error === 'string') call.error = answer.body.error;
    calls.push(call);
    if (!res.destroyed)
      res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void respond(req, Buffer.concat(chunks).toString('utf8'), res).catch(() => res.destroy());
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  const { port, close } = await listen(server);
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const channelId = (channel: string): string => {
    const name = channel.startsWith('#') ? channel.slice(1) : channel;
    const found = channels.find((c) => c.id === channel || c.name === name);
    if (!found) throw new Error(`fake Slack API: no channel ${channel}`);
    return found.id;
  };

  return {
    origin,
    apiUrl: `${origin}/api`,
    token,
    calls,
    channelMessages: (channel) =>
      structuredClone(messagesOf(channelId(channel)).filter(inChannelView)),
    threadReplies: (channel, threadTs) => structuredClone(repliesOf(channelId(channel), threadTs)),
    addForeignMessage: (channel, fields) => {
      const id = channelId(channel);
      const ts = fields.ts ?? nextTs();
      const micros = parseTs(ts);
      if (micros === undefined) throw new Error(`fake Slack API: ${ts} is not a ts`);
      lastTs = Math.max(lastTs, micros);
      const message: StoredMessage = {
        user: FOREIGN_USER,
        reactions: [],
        ...structuredClone(fields),
        ts,
        channel: id,
        byBot: false,
      };
      add(message);
      return structuredClone(message);
    },
    close: () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return close();
    },
  };
}
