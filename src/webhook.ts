// A report to a chat tool's incoming webhook: rendered by its target, sent under the run's
// deadline with the retry policy every call shares (http.ts), the answer read by the target.
import type { Env } from './context.ts';
import { Deadline, exchange, type RetryNotice } from './http.ts';
import type { Transport } from './platform/types.ts';
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
    return { attempts, payload, ...(value.id ? { id: value.id } : {}) };
  } finally {
    deadline.dispose();
  }
}
