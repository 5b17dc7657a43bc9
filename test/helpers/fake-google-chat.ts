// A real HTTP server on 127.0.0.1 standing in for a Google Chat space's incoming webhook (the
// Chat API's spaces.messages.create with the webhook's key and token): it records every request
// and answers as Chat does, or as the test scripts. Tests assert on the recording after the call
// returns.
import type { ServerResponse } from 'node:http';
import { startRecording, type Recorded, type Recording, type Responder } from './fake-chat.ts';
import { sequence } from './fake-slack.ts';

export type { Recorded, Responder };

export const SPACE = 'AAQA1b2C3d4';
export const KEY = 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI';
export const TOKEN = 'x9Tq2Wn4Lk7Jp1Hs5Dg8Fa3Zc6Vb0Nm2Rt4Yu7Io9Pe1%3D';
export const MESSAGES_PATH = `/v1/spaces/${SPACE}/messages`;
export const WEBHOOK_QUERY = `?key=${KEY}&token=${TOKEN}`;
/** Chat's limit for a message, text and cards together. */
const MESSAGE_BYTES = 32_000;

function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
    .end(JSON.stringify(body));
}

/** An error as Google's APIs answer it: `{ error: { code, message, status } }`. */
export function googleError(
  code: number,
  status: string,
  message: string,
  details?: unknown[],
): Responder {
  return (_req, res) =>
    json(res, code, { error: { code, message, status, ...(details ? { details } : {}) } });
}

export const quotaExceeded = (headers: Record<string, string> = {}): Responder => {
  return (_req, res) =>
    json(
      res,
      429,
      {
        error: {
          code: 429,
          message:
            "Resource has been exhausted (e.g. check quota). Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per space'.",
          status: 'RESOURCE_EXHAUSTED',
        },
      },
      headers,
    );
};

export const badKey: Responder = googleError(
  400,
  'INVALID_ARGUMENT',
  'API key not valid. Please pass a valid API key.',
  [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
    },
  ],
);

/**
 * The space as Chat answers a webhook: the space by the path, the caller by key and token, the
 * message by its size and content; a created message is answered with itself, in the thread its
 * key names when the request asks to reply (`messageReplyOption`), else in a new one.
 */
export function chatSpace(): Responder {
  const threads = new Map<string, string>();
  let messages = 0;
  return (req, res) => {
    const url = new URL(req.path, 'http://fake');
    if (url.pathname !== MESSAGES_PATH) {
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.')(req, res);
    }
    if (url.searchParams.get('key') !== KEY) return badKey(req, res);
    if (url.searchParams.get('token') !== decodeURIComponent(TOKEN)) {
      return googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission')(req, res);
    }
    const message = req.json as
      { text?: unknown; cardsV2?: unknown; thread?: { threadKey?: unknown } } | undefined;
    if (!message || typeof message !== 'object') {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.')(req, res);
    }
    if (Buffer.byteLength(req.body) > MESSAGE_BYTES) {
      return googleError(400, 'INVALID_ARGUMENT', 'Message too large.')(req, res);
    }
    if (!message.text && !(Array.isArray(message.cardsV2) && message.cardsV2.length)) {
      return googleError(400, 'INVALID_ARGUMENT', 'Message cannot be empty.')(req, res);
    }
    messages++;
    const key = typeof message.thread?.threadKey === 'string' ? message.thread.threadKey : '';
    const reply = url.searchParams.get('messageReplyOption')?.startsWith('REPLY_MESSAGE') ?? false;
    let thread = reply && key ? threads.get(key) : undefined;
    if (!thread) {
      thread = `spaces/${SPACE}/threads/T${messages}x${messages}`;
      if (reply && key) threads.set(key, thread);
    }
    const id = `M${messages}.M${messages}`;
    return json(res, 200, {
      name: `spaces/${SPACE}/messages/${id}`,
      sender: { name: 'users/114022495153014004089', displayName: 'notify', type: 'BOT' },
      text: message.text ?? '',
      createTime: new Date().toISOString(),
      thread: { name: thread, ...(key ? { threadKey: key } : {}) },
      space: { name: `spaces/${SPACE}`, type: 'ROOM', spaceType: 'SPACE' },
    });
  };
}

export interface FakeGoogleChat extends Recording {
  /** A webhook-shaped URL on this server: the space's path, `key` and `token` included. */
  url: string;
}

/** Answered as the space, or by `script`: a responder a request, and the last for the rest. */
export async function startFakeGoogleChat(...script: Responder[]): Promise<FakeGoogleChat> {
  const recording = await startRecording(script.length ? sequence(...script) : chatSpace());
  return { ...recording, url: `${recording.origin}${MESSAGES_PATH}${WEBHOOK_QUERY}` };
}
