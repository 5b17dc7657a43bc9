// A report to a chat tool's incoming webhook: rendered by its target, sent under the run's
// deadline with the retry policy every call shares (http.ts), the answer read by the target.
import type { Env } from './context.ts';
import { Deadline, exchange, type RetryNotice } from './http.ts';
import { parse as parseDotenv } from 'dotenv';
import { stateFile } from './app.ts';
import type { Platform, Transport } from './platform/types.ts';
import type { Report } from './report.ts';
import type { Target } from './targets/types.ts';

// A webhook answers with a word, or with the message it posted (Discord's `wait=true`).
const BODY_LIMIT = 64 * 1024;
/**
 * How long a 2xx answer's body may take: the status already says the message is in. A tool whose
 * answer names the message (for a later edit) gets longer; without the id the edit is a new post.
 */
const OK_BODY_GRACE_MS = 2_000;

export interface SendOptions {
  target: Target;
  url: URL;
  report: Report;
  /** The message this job's start posted, for a tool that edits it (Discord). */
  previousId?: string;
  /** The whole delivery, retries and waits included. */
  timeoutMs: number;
  /** Proxy variables are read from here. */
  env: Env;
  transport: Transport;
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
  random?: () => number;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
}

export interface Sent {
  attempts: number;
  /** The posted message's id, when the tool names it. */
  id?: string;
  /** The payload that went. */
  payload: unknown;
  /** PATCH: an earlier message was edited. */
  method: 'POST' | 'PATCH';
}

export async function send(options: SendOptions): Promise<Sent> {
  const { target, report } = options;
  const payload = target.render(report);
  const delivery = target.request(options.url, payload, report, options.previousId);
  const deadline = new Deadline(options.timeoutMs, options.signal);
  try {
    const { value, attempts } = await exchange({
      url: delivery.url,
      method: delivery.method,
      peer: target.title,
      body: delivery.body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'notify' },
      deadline,
      env: options.env,
      transport: options.transport,
      judge: (response, tries) => target.judge(response, tries),
      bodyLimit: BODY_LIMIT,
      okBodyGraceMs: OK_BODY_GRACE_MS,
      connectTimeoutMs: options.connectTimeoutMs,
      responseTimeoutMs: options.responseTimeoutMs,
      onRetry: options.onRetry,
      random: options.random,
    });
    return {
      attempts,
      payload,
      method: delivery.method,
      ...(value.id ? { id: value.id } : {}),
    };
  } finally {
    deadline.dispose();
  }
}

export interface WebhookTurn extends Omit<SendOptions, 'previousId'> {
  command: 'start' | 'finish';
  platform: Pick<Platform, 'readText' | 'writeText'>;
  warn: (line: string) => void;
}

const STATE_MAX = 4 * 1024;

/**
 * One turn of a job with a webhook: its start posts; on a tool whose messages are edited
 * (Discord), its finish edits what the start posted, found in the state the start left in the
 * job's own folder. A message that is gone, or no state, and the finish posts anew.
 */
export async function sendToWebhook(turn: WebhookTurn): Promise<Sent & { edited: boolean }> {
  const { target, report } = turn;
  const path =
    target.editsMessages && report.keys.pipeline
      ? stateFile(
          turn.env,
          { provider: target.name, project: '', pipeline: report.keys.pipeline },
          `${report.keys.job ?? 'pipeline'}.${target.name}`,
        )
      : undefined;
  let previousId: string | undefined;
  if (path && turn.command === 'finish') {
    try {
      previousId = parseDotenv(turn.platform.readText(path, STATE_MAX)).NOTIFY_MESSAGE_ID;
    } catch {
      previousId = undefined;
    }
    if (previousId && !/^\d{1,30}$/.test(previousId)) previousId = undefined;
  }
  // Every request of the turn shares its one NOTIFY_TIMEOUT.
  const until = Date.now() + turn.timeoutMs;
  const left = () => Math.max(1, until - Date.now());
  let sent: Sent;
  let edited = false;
  try {
    sent = await send({ ...turn, ...(previousId ? { previousId } : {}) });
    edited = sent.method === 'PATCH';
    if (previousId && !edited) {
      // The tool posted anew to ping someone (an edit notifies no one): the start's message is
      // still brought to the end's state, without the ping.
      await send({
        ...turn,
        report: { ...report, mentions: [] },
        previousId,
        timeoutMs: left(),
      }).catch((error: unknown) => {
        turn.warn(
          `notify: warning: the start's message was not updated: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
  } catch (error) {
    if (!previousId || !target.editGone?.(error)) throw error;
    sent = await send({ ...turn, timeoutMs: left() });
  }
  if (path && turn.command === 'start' && sent.id && /^\d{1,30}$/.test(sent.id)) {
    try {
      turn.platform.writeText(path, `NOTIFY_MESSAGE_ID=${sent.id}\n`);
    } catch {
      turn.warn(`notify: warning: cannot write ${path}; the finish will post a message of its own`);
    }
  }
  return { ...sent, edited };
}
