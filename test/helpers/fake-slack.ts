// A real HTTP(S) server on 127.0.0.1 standing in for Slack: it records every request and
// answers with whatever the test scripts. Tests assert on the recording after the call returns.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listen } from './listen.ts';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  at: number;
}

/** Answers one request; `recorded` is already in `requests`. */
export type Responder = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export const ok: Responder = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
};

export function status(code: number, body = '', headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    res.writeHead(code, { 'content-type': 'text/plain', ...headers }).end(body);
  };
}

/**
 * An incoming webhook as Slack answers it: a message with text or blocks is posted (200 ok); a
 * JSON object without either is refused with 400 no_text, anything else with 400
 * invalid_payload. What `notify doctor` tells a live webhook by.
 */
export const slackWebhook: Responder = (req, res) => {
  const message = req.json;
  let refusal: string | undefined;
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    refusal = 'invalid_payload';
  } else {
    const { text, blocks } = message as { text?: unknown; blocks?: unknown };
    const hasText = typeof text === 'string' && text.trim() !== '';
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    if (!hasText && !hasBlocks) refusal = 'no_text';
  }
  if (refusal) res.writeHead(400, { 'content-type': 'text/plain' }).end(refusal);
  else void ok(req, res);
};

/** Answer the n-th request with responders[n], and every later one with the last. */
export function sequence(...responders: Responder[]): Responder {
  let n = 0;
  return (req, res) => responders[Math.min(n++, responders.length - 1)]!(req, res);
}

export interface FakeSlack {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  origin: string;
  /** A webhook-shaped URL on this server. */
  webhookUrl: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  responder?: Responder;
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string; cert: string };
}

export const WEBHOOK_PATH = '/services/T0FAKE0001/B0FAKE0002/s3cr3tT0kenS3cr3tT0ken';

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const responder = options.responder ?? ok;
  const requests: Recorded[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        at: Date.now(),
      };
      requests.push(recorded);
      void Promise.resolve(responder(recorded, res)).catch(() => res.destroy());
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  const { port, close } = await listen(server);
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return { origin, webhookUrl: `${origin}${WEBHOOK_PATH}`, requests, close };
}
