// A real HTTP server on 127.0.0.1 standing in for a Discord webhook: it keeps the messages it is
// sent, applies edits to them, and answers as Discord does — the message as JSON with
// `wait=true`, 204 without, its JSON errors (a payload past Discord's limits is refused with
// 50035), 429 with its body and headers where a test scripts one. Tests assert on the recording
// after the call returns.
import type { ServerResponse } from 'node:http';
import { scripted, startRecording, type Recording, type Responder } from './fake-chat.ts';

export const WEBHOOK_ID = '1234567890123456789';
/** 68 characters, as Discord's tokens are. */
export const WEBHOOK_TOKEN = `fAkEt0ken_s3cr3t-${'Q'.repeat(51)}`;

export interface DiscordMessage {
  id: string;
  content?: string;
  embeds?: unknown[];
  allowed_mentions?: unknown;
  /** The thread the webhook posted to (`thread_id`), if any. */
  thread_id?: string;
  /** How many times the message was edited. */
  edits: number;
}

export interface FakeDiscord extends Recording {
  /** The webhook's URL on this server, as Discord shows it (no API version). */
  url: string;
  /** The messages the webhook holds, edits applied, in the order they were posted. */
  messages: DiscordMessage[];
}

export interface FakeDiscordOptions {
  /** Answers the first requests, one each, in order; every later one is answered as Discord. */
  before?: Responder[];
}

const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** A Discord JSON error: `{ code, message }` and whatever else Discord adds. */
export function discordError(status: number, code: number, message: string, extra = {}): Responder {
  return (_req, res) => json(res, status, { message, code, ...extra });
}

/** A 429 as Discord sends it: the wait in the body (seconds, v8 on) and in the headers. */
export function discordRateLimited(retryAfter = 0.25, global = false): Responder {
  return (_req, res) =>
    json(
      res,
      429,
      { message: 'You are being rate limited.', retry_after: retryAfter, global },
      {
        'retry-after': String(Math.ceil(retryAfter)),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfter),
        'x-ratelimit-scope': global ? 'global' : 'user',
        ...(global ? { 'x-ratelimit-global': 'true' } : {}),
      },
    );
}

// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  total: 6000,
};

/**
 * Every way a payload breaks Discord's limits, as `path: CODE` the way a 50035 names them; empty
 * when Discord takes it. Lengths are UTF-16 code units, which is never fewer than Discord counts.
 */
export function discordProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const message = payload as {
    content?: unknown;
    embeds?: unknown;
    allowed_mentions?: { parse?: unknown };
  };
  const text = (path: string, value: unknown, max: number, required = false) => {
    if (value === undefined && !required) return 0;
    if (typeof value !== 'string') problems.push(`${path}: BASE_TYPE_REQUIRED`);
    else if (!value.trim() && required) problems.push(`${path}: BASE_TYPE_REQUIRED`);
    else if (value.length > max) problems.push(`${path}: BASE_TYPE_MAX_LENGTH`);
    return typeof value === 'string' ? value.length : 0;
  };
  text('content', message.content, LIMITS.content);
  const embeds = message.embeds ?? [];
  if (!Array.isArray(embeds)) return [...problems, 'embeds: BASE_TYPE_ARRAY'];
  if (embeds.length > LIMITS.embeds) problems.push('embeds: BASE_TYPE_MAX_LENGTH');
  let total = 0;
  for (const [i, embed] of (embeds as Array<Record<string, unknown>>).entries()) {
    const at = `embeds.${i}`;
    total += text(`${at}.title`, embed.title, LIMITS.title);
    total += text(`${at}.description`, embed.description, LIMITS.description);
    total += text(`${at}.footer.text`, (embed.footer as { text?: unknown })?.text, LIMITS.footer);
    total += text(`${at}.author.name`, (embed.author as { name?: unknown })?.name, LIMITS.author);
    const color = embed.color;
    if (color !== undefined && !(Number.isInteger(color) && (color as number) >= 0))
      problems.push(`${at}.color: NUMBER_TYPE_COERCE`);
    if (color !== undefined && (color as number) > 0xffffff)
      problems.push(`${at}.color: NUMBER_TYPE_MAX`);
    const fields = (embed.fields ?? []) as Array<Record<string, unknown>>;
    if (fields.length > LIMITS.fields) problems.push(`${at}.fields: BASE_TYPE_MAX_LENGTH`);
    for (const [j, field] of fields.entries()) {
      total += text(`${at}.fields.${j}.name`, field.name, LIMITS.fieldName, true);
      total += text(`${at}.fields.${j}.value`, field.value, LIMITS.fieldValue, true);
    }
  }
  if (total > LIMITS.total) problems.push('embeds: MAX_EMBED_SIZE_EXCEEDED');
  const parse = message.allowed_mentions?.parse;
  if (
    parse !== undefined &&
    !(Array.isArray(parse) && parse.every((p) => ['users', 'roles', 'everyone'].includes(p)))
  )
    problems.push('allowed_mentions.parse: BASE_TYPE_CHOICES');
  return problems;
}

/** `{ a: { 0: { b: { _errors: [...] } } } }` for `a.0.b: CODE`, as Discord nests a 50035. */
function formErrors(problems: string[]): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  for (const problem of problems) {
    const [path = '', code = ''] = problem.split(': ');
    let node = errors;
    for (const key of path.split('.')) node = (node[key] ??= {}) as Record<string, unknown>;
    node._errors = [{ code, message: 'Must be within limits.' }];
  }
  return errors;
}

const PATH = /^\/api(?:\/v\d+)?\/webhooks\/([^/]+)\/([^/]+)(?:\/messages\/([^/]+))?\/?$/;

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const messages: DiscordMessage[] = [];
  let nextId = 1_300_000_000_000_000_000n;

  const asMessage = (message: DiscordMessage) => ({
    id: message.id,
    type: 0,
    content: message.content ?? '',
    embeds: message.embeds ?? [],
    channel_id: message.thread_id ?? '1111111111111111111',
    webhook_id: WEBHOOK_ID,
    author: { id: WEBHOOK_ID, username: 'notify', bot: true },
    timestamp: '2026-11-22T10:00:00.000000+00:00',
    edited_timestamp: message.edits ? '2026-11-22T10:05:00.000000+00:00' : null,
  });

  const discord: Responder = (req, res) => {
    const url = new URL(req.path, 'http://fake');
    const match = PATH.exec(url.pathname);
    if (!match) return json(res, 404, { message: '404: Not Found', code: 0 });
    const [, id, token, messageId] = match;
    if (id !== WEBHOOK_ID) return json(res, 404, { message: 'Unknown Webhook', code: 10015 });
    if (token !== WEBHOOK_TOKEN)
      return json(res, 401, { message: 'Invalid Webhook Token', code: 50027 });
    const editing = req.method === 'PATCH' && messageId !== undefined;
    if (!editing && !(req.method === 'POST' && messageId === undefined))
      return json(res, 405, { message: '405: Method Not Allowed', code: 0 });
    const body = req.json as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return json(res, 400, { message: 'The request body contains invalid JSON.', code: 50109 });
    const problems = discordProblems(body);
    if (problems.length) {
      return json(res, 400, {
        message: 'Invalid Form Body',
        code: 50035,
        errors: formErrors(problems),
      });
    }
    const embeds = Array.isArray(body.embeds) ? body.embeds : undefined;
    const content = typeof body.content === 'string' ? body.content : undefined;
    if (editing) {
      const message = messages.find((m) => m.id === messageId);
      if (!message) return json(res, 404, { message: 'Unknown Message', code: 10008 });
      if (content !== undefined) message.content = content;
      if (embeds !== undefined) message.embeds = embeds;
      if (body.allowed_mentions !== undefined) message.allowed_mentions = body.allowed_mentions;
      message.edits++;
      return json(res, 200, asMessage(message));
    }
    if (!content?.trim() && !embeds?.length)
      return json(res, 400, { message: 'Cannot send an empty message', code: 50006 });
    const thread = url.searchParams.get('thread_id');
    const message: DiscordMessage = {
      id: String(nextId++),
      ...(content !== undefined ? { content } : {}),
      ...(embeds !== undefined ? { embeds } : {}),
      ...(body.allowed_mentions !== undefined ? { allowed_mentions: body.allowed_mentions } : {}),
      ...(thread ? { thread_id: thread } : {}),
      edits: 0,
    };
    messages.push(message);
    if (url.searchParams.get('wait') === 'true') return json(res, 200, asMessage(message));
    res.writeHead(204).end();
  };

  const recording = await startRecording(scripted(options.before, discord));
  return {
    ...recording,
    url: `${recording.origin}/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`,
    messages,
  };
}
