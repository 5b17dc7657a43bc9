// Mattermost: a Report as an incoming webhook's Slack-compatible attachment (Mattermost draws
// Block Kit as nothing) in Mattermost Markdown, the headline and whom notify calls in the post's
// own text, within the size Mattermost keeps as one post. Untrusted text is escaped so that it
// never formats, links, mentions, searches a hashtag or becomes an emoji. Also what Mattermost's
// webhooks answer.
// https://developers.mattermost.com/integrate/webhooks/incoming/
// https://developers.mattermost.com/integrate/reference/message-attachments/
// https://docs.mattermost.com/collaborate/format-messages.html
import { ChatHttpError } from '../errors.ts';
import { retryAfterMs, type Verdict } from '../http.ts';
import type { HttpResponse } from '../platform/types.ts';
import { NAME_MAX, type Piece, type Report, type Tone } from '../report.ts';
import type { Summary } from '../summary.ts';
import { joinWithin } from '../text.ts';
import { afterFailure, header, jsonOf } from './answers.ts';
import { jobGroups, jobPieces } from './jobs.ts';
import {
  calledByWord,
  escapeWithin,
  plainPieces,
  renderPieces,
  smallPrint,
  TONE_EMOJI,
  type Syntax,
  markdownDestination,
} from './pieces.ts';
import type { Delivered, Target } from './types.ts';

/**
 * Mattermost splits a post whose text is longer than this (in characters) into several; the
 * payload's texts together stay within it.
 */
export const POST_LIMIT = 16_383;
/** The small print and links at most, so that a pipeline's jobs keep most of the post. */
const DETAILS_MAX = 6000;
/** Room kept for the line that counts the jobs left out. */
const MORE_ROOM = 40;
/** A fact or job line with its links longer than this is written without them. */
const LINE_MAX = 2500;

export interface MattermostAttachment {
  /** Plain text, for notifications and clients that cannot draw attachments. */
  fallback: string;
  color: string;
  text?: string;
}

export interface MattermostPayload {
  text: string;
  attachments: MattermostAttachment[];
}

// Mattermost reads a message three times. Its web app's Markdown takes a backslash before the
// characters that format, quote code or open a link or an image. What the web app formats after
// Markdown (hashtags, ~channels, :emoji:, emoticons such as `:)`, `;)`, `<3`) and what the server
// reads (hashtags, autolinks) see a backslash-escaped character as the character itself: those
// go as numeric entities, `:` and `;` only where an emoji, an emoticon or a URL scheme could
// follow, `.` (a backslash) only before a letter (`www.x`, `x.com/` are links). And the server
// finds mentions in the text after entities are decoded: `@` gets a zero-width space after it.
// The post's text is also what a push notification shows as it is: `-`, `.` and `:` stay bare
// where they can do nothing, as they mostly are in project, branch and job names.
const BACKSLASHED = /[*_`[\]|]/;
const ENTITIES = /[\\#~<&=$]/;
const LETTER = /\p{L}/u;
const entity = (char: string) => `&#${char.charCodeAt(0)};`;

function escapeChar(char: string, next: string | undefined): string {
  if (char === '@') return '@\u200b';
  if (BACKSLASHED.test(char)) return `\\${char}`;
  if (ENTITIES.test(char)) return entity(char);
  if (char === ':' && next !== undefined && !/\s/.test(next)) return entity(char);
  if (char === ';' && (next === ')' || next === '-')) return entity(char);
  if (char === '.' && next !== undefined && LETTER.test(next)) return '\\.';
  return char;
}

/** Untrusted text in Mattermost Markdown, at most `max` characters. */
export function escapeMattermost(raw: string, max: number): string {
  // `x-d` on its own is an emoticon: a non-breaking hyphen looks the same and is not. What
  // escapeWithin replaces or trims is never a word character: found before it, the same.
  const unsmiling = raw.replace(/(^|[^\w])(x)-(d)(?![\w])/gi, '$1$2\u2011$3');
  return escapeWithin(unsmiling, max, escapeChar);
}

/** A line that begins with an untrusted value must not begin a heading, a quote or a list. */
const lineStart = (text: string): string =>
  text.replace(/^([>+-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');

const markdown: Syntax = {
  escape: escapeMattermost,
  strong: (text) => `**${text}**`,
  link: (url, label) => (label ? `[${label}](${markdownDestination(url)})` : ''),
};
const unlinked: Syntax = { ...markdown, link: (_url, label) => label };

// notify's own `Pipeline #` before an untrusted id would make a hashtag of it.
function ownWords(pieces: readonly Piece[]): Piece[] {
  return pieces.map((piece) => {
    if (typeof piece === 'string') return piece.replace(/#/g, '&#35;');
    if ('link' in piece) return { link: piece.link, label: ownWords(piece.label) };
    return piece;
  });
}

const render = (pieces: readonly Piece[], syntax: Syntax = markdown) =>
  renderPieces(ownWords(pieces), syntax);

/** With its links when that is short enough for a line, else without them. */
function line(pieces: readonly Piece[]): string {
  const linked = lineStart(render(pieces));
  return linked.length <= LINE_MAX ? linked : lineStart(render(pieces, unlinked));
}

const COLOR: Readonly<Record<Tone, string>> = {
  start: '#1D9BD1',
  success: '#2EB67D',
  failed: '#E01E5A',
  canceled: '#9E9E9E',
  timedout: '#ECB22E',
  aborted: '#9E9E9E',
  unknown: '#9E9E9E',
};

/** Room the post's own text may take: the headline and a line of whom notify calls. */
const TEXT_MAX = 4000;

function postText(report: Report): string {
  const head = `${TONE_EMOJI[report.tone]} ${render(report.headline)}`;
  const said = calledByWord(report.mentions, '@channel', escapeMattermost);
  const cc = joinWithin(said, ' ', TEXT_MAX - head.length - '\ncc '.length);
  return cc ? `${head}\ncc ${cc}` : head;
}

/**
 * The real failures, then every stage's jobs under its name, one line each, within `budget`
 * characters; the jobs that do not fit, from the first that did not on, are counted.
 */
export function jobLines(summary: Summary, budget: number): string {
  const groups = jobGroups(summary, (name) => escapeMattermost(name, NAME_MAX) || 'other');
  const total = groups.reduce((n, group) => n + group.jobs.length, 0);
  let out = '';
  let shown = 0;
  const add = (text: string) => {
    const next = out ? `${out}\n${text}` : text;
    if (next.length > budget - MORE_ROOM) return false;
    out = next;
    return true;
  };
  for (const group of groups) {
    for (const [i, job] of group.jobs.entries()) {
      const text = line(jobPieces(job, group.withStage));
      const fits = i === 0 && group.title ? add(`**${group.title}**\n${text}`) : add(text);
      if (!fits) return `${out ? `${out}\n` : ''}…and ${total - shown} more`;
      shown++;
    }
  }
  return out;
}

/** The small print and the links, in Markdown. */
const details = (report: Report, max: number): string =>
  smallPrint(
    report,
    max,
    (fact) => line(fact),
    (link) => markdown.link(link.url, render(link.label)),
  );

/** A Report as Mattermost's payload, kept as one post. */
export function renderMattermost(report: Report): MattermostPayload {
  const emoji = TONE_EMOJI[report.tone];
  const text = postText(report);
  const fallback = `${emoji} ${plainPieces(report.headline)}${plainPieces(report.headlineTail)}`;
  let room = POST_LIMIT - text.length - fallback.length;
  const small = details(report, Math.min(DETAILS_MAX, room));
  room -= small.length;
  const jobs = report.summary ? jobLines(report.summary, room - 2) : '';
  const body = [jobs, small].filter(Boolean).join('\n\n');
  return {
    text,
    attachments: [{ fallback, color: COLOR[report.tone], ...(body ? { text: body } : {}) }],
  };
}

/** Mattermost's error ids, each in one line: what it means and what to do. */
const BUG = 'this is a bug in notify; please report it with the output of --dry-run';
const NEW_WEBHOOK = 'create a new incoming webhook and update the webhook URL';

export const MATTERMOST_ERRORS: Readonly<Record<string, string>> = {
  'web.incoming_webhook.invalid.app_error': `there is no such webhook (deleted, or its URL mistyped); ${NEW_WEBHOOK}`,
  'web.incoming_webhook.disabled.app_error':
    'incoming webhooks are disabled on this server; a system admin can enable them (Integrations > Integration Management)',
  'web.incoming_webhook.text.app_error': `Mattermost found no text in the message; ${BUG}`,
  'web.incoming_webhook.parse.app_error': `Mattermost could not read the message; ${BUG}`,
  'model.incoming_hook.parse_data.app_error': `Mattermost could not read the message; ${BUG}`,
  'api.webhook.incoming.error': `Mattermost could not read the message; ${BUG}`,
  'web.incoming_webhook.split_props_length.app_error': `the message is too large for one post; ${BUG}`,
  'api.context.invalid_param.app_error': `Mattermost refused a field of the message; ${BUG}`,
  'web.incoming_webhook.channel_locked.app_error':
    'the webhook is locked to its channel and may not post elsewhere',
  'web.incoming_webhook.permissions.app_error':
    "the webhook's creator may no longer post in its private channel; add them back, or create a new incoming webhook",
  'web.incoming_webhook.user.app_error': `the webhook's creator no longer exists or was deactivated; ${NEW_WEBHOOK}`,
  'web.incoming_webhook.channel.app_error': `the webhook's channel no longer exists; ${NEW_WEBHOOK}`,
  'app.channel.get.existing.app_error': `the webhook's channel no longer exists; ${NEW_WEBHOOK}`,
};

/** Mattermost's error id, when the body is its JSON error (`{id, message, …}`). */
function errorId(body: string): string | undefined {
  const id = (jsonOf(body) as { id?: unknown } | null)?.id;
  // Its words are not repeated: some name the webhook's key.
  return typeof id === 'string' && id.length <= 100 && /^[a-z]\w*(\.\w+)+$/i.test(id)
    ? id
    : undefined;
}

/** One line on Mattermost's answer: its error id, what it means, what to do. */
export function explainMattermost(statusCode: number, body: string): string {
  const id = errorId(body);
  const said = `Mattermost answered HTTP ${statusCode}${id ? ` (${id})` : ''}`;
  const known = id && Object.hasOwn(MATTERMOST_ERRORS, id) ? MATTERMOST_ERRORS[id] : undefined;
  if (known) return `${said}: ${known}`;
  if (statusCode === 429)
    return `${said}: Mattermost is rate limiting this webhook; space out messages or raise NOTIFY_TIMEOUT`;
  if (statusCode >= 300 && statusCode < 400)
    return `${said}: the webhook answered with a redirect; use the address it redirects to (often https:// rather than http://)`;
  if (statusCode === 401 || statusCode === 403)
    return `${said}: Mattermost refused the webhook; incoming webhooks may be disabled, or the webhook may not post to its channel`;
  if (statusCode === 404)
    return `${said}: there is no webhook at this URL (deleted, or not a Mattermost server); ${NEW_WEBHOOK}`;
  if (statusCode === 400 || statusCode === 413) return `${said}: ${BUG}`;
  return said;
}

/** How long a 429 asks to wait: Retry-After, else the seconds until X-Ratelimit-Reset. */
function rateLimitMs(response: HttpResponse): number | undefined {
  const retry = retryAfterMs(header(response, 'retry-after'));
  if (retry !== undefined) return retry;
  const reset = Number(header(response, 'x-ratelimit-reset')?.trim() || NaN);
  return Number.isFinite(reset) && reset >= 0 ? Math.ceil(reset * 1000) : undefined;
}

/** An answer: 2xx posted; 429 and 5xx again (but webhooks switched off stay off); else failed. */
export function judgeMattermost(response: HttpResponse, attempts: number): Verdict<Delivered> {
  const { statusCode, body } = response;
  if (statusCode >= 200 && statusCode < 300) return { kind: 'done', value: {} };
  const error = new ChatHttpError(explainMattermost(statusCode, body), statusCode, body, attempts);
  return afterFailure(response, error, {
    wait: (ms) => rateLimitMs(response) ?? ms,
    retry: statusCode >= 500 && errorId(body) !== 'web.incoming_webhook.disabled.app_error',
  });
}

// Mattermost makes keys of 26 lowercase letters and digits; a few more or fewer, or capitals,
// still read as a key copied badly, which the server's answer then names. A server may live
// under a path of its own.
const HOOK_PATH = /^(?:\/[^/]+)*\/hooks\/[A-Za-z0-9]{20,32}\/?$/;

export const mattermost: Target = {
  name: 'mattermost',
  title: 'Mattermost',
  recognise: (url) =>
    url.hostname !== 'hooks.slack.com' &&
    !url.hostname.endsWith('.hooks.slack.com') &&
    HOOK_PATH.test(url.pathname)
      ? 'the path is /hooks/ and a webhook key, as Mattermost makes them'
      : undefined,
  render: renderMattermost,
  request: (url, payload) => ({ url, method: 'POST', body: JSON.stringify(payload) }),
  judge: judgeMattermost,
};
