// Reads from a CI's REST API for the pipeline summary: GETs over notify's own transport, under a
// deadline of their own and http.ts's retry policy, pages followed only on the API's own origin
// (the token goes nowhere else) and only so far.
import type { Env } from '../context.ts';
import { CiApiError } from '../errors.ts';
import { Deadline, exchange, rateLimited, type RetryNotice, type Verdict } from '../http.ts';
import type { HttpResponse, Transport } from '../platform/types.ts';

// A page of 100 GitHub jobs with their steps is a few hundred kilobytes.
const BODY_LIMIT = 4 * 1024 * 1024;
const OK_BODY_GRACE_MS = 10_000;

export interface ReadOptions {
  deadline: Deadline;
  env: Env;
  transport: Transport;
  headers: Record<string, string>;
  /** Who answers, for messages: GitHub, GitLab. */
  peer: string;
  /** The variable that gives the API's address: a redirect means it should say another. */
  urlSetting: string;
  /** One line for an answer that is not 2xx: what it means, what to do. */
  explain: (response: HttpResponse) => string;
  onRetry?: (notice: RetryNotice) => void;
}

export interface Page {
  body: unknown;
  headers: HttpResponse['headers'];
}

/** The first value of a header, trimmed. */
export function header(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim();
}

/** A redirect is not followed (the token would go with it): say where it pointed. */
function redirected(response: HttpResponse, options: ReadOptions): string {
  let to = '';
  try {
    const { origin } = new URL(header(response.headers, 'location') ?? '');
    if (origin !== 'null') to = ` to ${origin}`;
  } catch {
    // No usable Location: the status says enough.
  }
  return `${options.peer} answered with a redirect (HTTP ${response.statusCode})${to}, not followed: check ${options.urlSetting}`;
}

function judge(options: ReadOptions) {
  return (response: HttpResponse, attempts: number): Verdict<Page> => {
    const { statusCode } = response;
    if (statusCode >= 200 && statusCode < 300) {
      let body: unknown;
      try {
        body = response.complete ? JSON.parse(response.body) : undefined;
      } catch {
        body = undefined;
      }
      if (body !== undefined) return { kind: 'done', value: { body, headers: response.headers } };
      const error = new CiApiError(
        `the answer was ${response.complete ? 'not JSON' : 'cut short'}`,
        statusCode,
        attempts,
      );
      return { kind: 'retry', reason: error.message, error };
    }
    const error = new CiApiError(
      statusCode >= 300 && statusCode < 400
        ? redirected(response, options)
        : options.explain(response),
      statusCode,
      attempts,
    );
    if (statusCode === 429) return rateLimited(response, error);
    if (statusCode >= 500) return { kind: 'retry', reason: `HTTP ${statusCode}`, error };
    return { kind: 'fail', error };
  };
}

export async function getJson(url: URL, options: ReadOptions): Promise<Page> {
  const { value } = await exchange({
    url,
    method: 'GET',
    body: '',
    headers: { accept: 'application/json', 'user-agent': 'notify', ...options.headers },
    deadline: options.deadline,
    env: options.env,
    transport: options.transport,
    judge: judge(options),
    bodyLimit: BODY_LIMIT,
    okBodyGraceMs: OK_BODY_GRACE_MS,
    onRetry: options.onRetry,
  });
  return value;
}

export interface Pages {
  pages: Page[];
  /** Pages were left unread: past `maxPages`, or on another origin. */
  more: boolean;
  /** The origin a next page was on, not followed. */
  elsewhere?: string;
}

/**
 * Every page, from `first` on: `next` names the following page's URL (from the answer's headers)
 * or nothing. A URL on another origin ends the walk (the token goes only where it was meant to),
 * as does `maxPages`, or a page already read.
 */
export async function getPages(
  first: URL,
  maxPages: number,
  next: (page: Page, url: URL) => URL | undefined,
  options: ReadOptions,
): Promise<Pages> {
  const pages: Page[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = first;
  while (url && !seen.has(url.href)) {
    if (pages.length === maxPages) return { pages, more: true };
    seen.add(url.href);
    const page = await getJson(url, options);
    pages.push(page);
    const following = next(page, url);
    if (following && following.origin !== first.origin)
      return { pages, more: true, elsewhere: following.origin };
    url = following;
  }
  return { pages, more: false };
}

/** `<https://…?page=2>; rel="next", <…>; rel="last"`: the URL of `rel`. */
export function linkRel(value: string | undefined, rel: string): string | undefined {
  for (const part of (value ?? '').split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (
      match &&
      new RegExp(`(^|;)\\s*rel="?([^";]*\\s)?${rel}(\\s[^";]*)?"?\\s*(;|$)`).test(match[2]!)
    )
      return match[1];
  }
  return undefined;
}

/** A value from an API's JSON that should be a non-empty string (numbers as text). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Milliseconds between two ISO 8601 times; undefined unless both read and end ≥ start. */
export function spanMs(from: unknown, to: unknown): number | undefined {
  const start = typeof from === 'string' ? Date.parse(from) : NaN;
  const end = typeof to === 'string' ? Date.parse(to) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) && end >= start ? end - start : undefined;
}

/**
 * What a lookup that stopped short says, in the API's terms: the lookup's own deadline (half of
 * NOTIFY_TIMEOUT), a rate limit, or the error's line.
 */
export function lookupFailure(error: unknown, deadline: Deadline, peer: string): string {
  if (deadline.interrupted) return `interrupted by ${deadline.interrupted}`;
  const code = (error as { code?: unknown } | undefined)?.code;
  const last = (error as { cause?: unknown } | undefined)?.cause;
  const lastLine = last instanceof Error ? `; last attempt: ${last.message}` : '';
  if (deadline.signal.aborted || code === 'deadline')
    return `${peer} gave no answer within ${deadline.seconds}s (half of NOTIFY_TIMEOUT)${lastLine}`;
  if (code === 'rate_limited') return `${peer} is rate limiting the token (HTTP 429)`;
  return error instanceof Error ? error.message : String(error);
}
