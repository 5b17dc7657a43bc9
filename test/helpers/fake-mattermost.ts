// A real HTTP server on 127.0.0.1 standing in for a Mattermost server's incoming webhook: it
// keeps the posts it makes of what it is sent (a text longer than a post splits into several, as
// Mattermost does), and answers as Mattermost does — `ok`, or its JSON errors (`{id, message,
// …}`), a 429 with its headers where a test scripts one. Tests assert on the recording after
// the call returns.
import { scripted, startRecording, type Recording, type Responder } from './fake-chat.ts';

/** 26 lowercase letters and digits, as Mattermost makes its keys. */
export const HOOK_KEY = 'f4k3h00kk3y0abcdefghijklmn';
/** A post's text at most, in characters; a longer one is split. */
export const MAX_POST = 16_383;

export interface MattermostPost {
  message: string;
  attachments?: unknown[];
}

export interface FakeMattermost extends Recording {
  /** The webhook's URL on this server. */
  url: string;
  /** The posts the channel holds, in order. */
  messages: MattermostPost[];
}

export interface FakeMattermostOptions {
  /** Answers the first requests, one each, in order; every later one is answered as Mattermost. */
  before?: Responder[];
  /** The server's incoming webhooks are switched off (System Console). */
  disabled?: boolean;
}

/** Mattermost's JSON error, as its API writes every AppError. */
export function mattermostError(
  status: number,
  id: string,
  message: string,
  detailed = '',
): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        message,
        detailed_error: detailed,
        request_id: 'fakerequestid0000000000000',
        status_code: status,
      }),
    );
  };
}

/** A 429 as Mattermost's rate limiter sends it. */
export function mattermostRateLimited(seconds = 1): Responder {
  return (_req, res) => {
    res.writeHead(429, {
      'content-type': 'text/plain; charset=utf-8',
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(seconds),
      'retry-after': String(seconds),
    });
    res.end('limit exceeded\n');
  };
}

/**
 * Every way a payload is not one post Mattermost shows in full; empty when it is. Block Kit is
 * drawn as nothing there, and notify keeps all the payload's text within one post's length.
 */
export function mattermostProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const message = payload as { text?: unknown; attachments?: unknown; blocks?: unknown };
  if (message.blocks !== undefined) problems.push('blocks: not drawn by Mattermost');
  let total = 0;
  const text = (where: string, value: unknown) => {
    if (value === undefined) return;
    if (typeof value !== 'string') problems.push(`${where}: not a string`);
    else total += value.length;
  };
  text('text', message.text);
  const attachments = message.attachments ?? [];
  if (!Array.isArray(attachments)) return [...problems, 'attachments: not a list'];
  for (const [i, attachment] of (attachments as Array<Record<string, unknown>>).entries()) {
    for (const key of ['fallback', 'pretext', 'title', 'text', 'author_name', 'footer'])
      text(`attachments.${i}.${key}`, attachment[key]);
    const color = attachment.color;
    if (
      color !== undefined &&
      !(typeof color === 'string' && /^(#[0-9a-f]{6}|good|warning|danger)$/i.test(color))
    )
      problems.push(`attachments.${i}.color: ${String(color)}`);
    for (const [j, field] of (
      (attachment.fields ?? []) as Array<Record<string, unknown>>
    ).entries()) {
      text(`attachments.${i}.fields.${j}.title`, field.title);
      text(`attachments.${i}.fields.${j}.value`, field.value);
    }
  }
  const hasText = typeof message.text === 'string' && message.text.trim() !== '';
  if (!hasText && !attachments.length) problems.push('no text and no attachments');
  if (total > MAX_POST) problems.push(`${total} characters, more than one post`);
  return problems;
}

/** A text cut into posts of at most MAX_POST code points, as Mattermost splits one. */
function split(text: string): string[] {
  const points = [...text];
  const posts: string[] = [];
  for (let at = 0; at < points.length || !posts.length; at += MAX_POST)
    posts.push(points.slice(at, at + MAX_POST).join(''));
  return posts;
}

const PATH = /^\/hooks\/([A-Za-z0-9]+)$/;

export async function startFakeMattermost(
  options: FakeMattermostOptions = {},
): Promise<FakeMattermost> {
  const messages: MattermostPost[] = [];

  const mattermost: Responder = (req, res) => {
    const url = new URL(req.path, 'http://fake');
    const match = PATH.exec(url.pathname);
    if (!match || req.method !== 'POST') {
      const status = match ? 405 : 404;
      return mattermostError(
        status,
        'api.context.404.app_error',
        'Sorry, we could not find the page.',
      )(req, res);
    }
    const key = match[1]!;
    if (options.disabled) {
      return mattermostError(
        501,
        'web.incoming_webhook.disabled.app_error',
        'Incoming webhooks have been disabled by the system admin.',
      )(req, res);
    }
    const body = req.json as { text?: unknown; attachments?: unknown } | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return mattermostError(
        400,
        'model.incoming_hook.parse_data.app_error',
        'Unable to parse incoming data.',
        `webhook_id=${key}`,
      )(req, res);
    }
    const text = typeof body.text === 'string' ? body.text : '';
    // The server checks the text before it looks the webhook up.
    if (!text && (body.attachments === undefined || body.attachments === null)) {
      return mattermostError(
        400,
        'web.incoming_webhook.text.app_error',
        'No text specified.',
      )(req, res);
    }
    if (key !== HOOK_KEY) {
      // Its words name the key: what notify prints must not.
      return mattermostError(
        400,
        'web.incoming_webhook.invalid.app_error',
        'Invalid webhook.',
        `hook_id=${key}`,
      )(req, res);
    }
    const posts = split(text);
    posts.forEach((message, i) => {
      const last = i === posts.length - 1;
      messages.push({
        message,
        ...(last && Array.isArray(body.attachments) ? { attachments: body.attachments } : {}),
      });
    });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };

  const recording = await startRecording(scripted(options.before, mattermost));
  return { ...recording, url: `${recording.origin}/hooks/${HOOK_KEY}`, messages };
}
