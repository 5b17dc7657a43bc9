// Reading a chat tool's answer, for the targets other than Slack: its JSON when it is JSON, its
// headers, a server's own words fit to quote, and what a failed answer means for the next try.
import type { DeliveryError } from '../errors.ts';
import { rateLimited, type Verdict } from '../http.ts';
import type { HttpResponse } from '../platform/types.ts';

/** The body as JSON; undefined when it is not JSON (an HTML error page, an answer cut short). */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A header's value, the first where a server sent it twice. */
export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A server's words, quoted on one line: no URL (it may be the webhook's), at most 200 characters. */
export function quoteServer(text: string): string {
  const line = text
    .replace(/\s+/g, ' ')
    .replace(/\b[a-z][\w+.-]*:\/\/\S+/gi, '…')
    .trim();
  return JSON.stringify(line.length <= 200 ? line : `${line.slice(0, 199)}…`);
}

/** `… answered HTTP 410 Gone: "…"`: what the server said, quoted, when it said anything. */
export const withServerWords = (answered: string, words: string): string =>
  words ? `${answered}: ${quoteServer(words)}` : `${answered} with an empty body`;

/**
 * What a failed answer means for the next try. A rate limit (429, or `limited`) waits what
 * Retry-After asks, or what `wait` makes of that where the tool says more; a server error (5xx,
 * or `retry`) is tried again; anything else is final.
 */
export function afterFailure(
  response: HttpResponse,
  error: DeliveryError,
  how: { limited?: boolean; wait?: (retryAfterMs: number) => number; retry?: boolean } = {},
): Verdict<never> {
  const { statusCode } = response;
  if (how.limited ?? statusCode === 429) {
    const limited = rateLimited(response, error);
    return how.wait ? { ...limited, delayMs: how.wait(limited.delayMs) } : limited;
  }
  if (how.retry ?? statusCode >= 500) return { kind: 'retry', reason: `HTTP ${statusCode}`, error };
  return { kind: 'fail', error };
}
