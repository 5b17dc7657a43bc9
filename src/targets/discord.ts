// Discord: a Report as a webhook message — `content` says what happened and calls who notify
// calls, one embed holds the small print, the links and a pipeline's jobs — within Discord's
// limits, in Discord Markdown escaped so that nothing a committer writes formats, links or pings.
// Also what Discord's webhooks answer.
// https://discord.com/developers/docs/resources/webhook#execute-webhook
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
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
  fitWithin,
  renderPieces,
  smallPrint,
  TONE_EMOJI,
  unicodeEmoji,
  type Syntax,
} from './pieces.ts';
import type { Delivered, Delivery, Target } from './types.ts';

/** Discord's limits, in characters. */
export const LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Title, description, field names and values, footer and author of all embeds together. */
  embed: 6000,
} as const;

/** The description's share when the jobs need the rest of the embed. */
const DESCRIPTION_WITH_JOBS = 2000;
/** Room kept for the footer that counts the jobs left out. */
const MORE_ROOM = 40;
/** A fact or job line with its links longer than this is written without them. */
const LINE_MAX = 1000;

export interface DiscordField {
  name: string;
  value: string;
}

export interface DiscordEmbed {
  color: number;
  description?: string;
  fields?: DiscordField[];
  footer?: { text: string };
}

export interface DiscordPayload {
  content: string;
  embeds: DiscordEmbed[];
  /** Only what notify itself wrote may ping: `everyone` for its @here or @everyone, else none. */
  allowed_mentions: { parse: Array<'everyone'> };
}

// Discord reads a backslash before any punctuation as that character itself. Escaped always:
// what formats, quotes code, hides a spoiler or opens a masked link, a mention, an emoji or a
// timestamp anywhere in a line. Escaped where it would act: `:` before `//` (a bare URL is a
// link), `.` before a letter (`discord.gg/…` is one too). `@` gets a zero-width space after it
// instead: an escaped `\@everyone` may still ping.
const ALWAYS = /[\\*_~`|<[\]]/;
const LETTER = /\p{L}/u;

function escapeChar(char: string, next: string | undefined): string {
  if (char === '@') return '@\u200b';
  if (ALWAYS.test(char)) return `\\${char}`;
  if (char === ':' && next === '/') return '\\:';
  if (char === '.' && next !== undefined && LETTER.test(next)) return '\\.';
  return char;
}

/** Untrusted text in Discord Markdown, at most `max` characters. */
export const escapeDiscord = (raw: string, max: number): string =>
  escapeWithin(raw, max, escapeChar);

/** A line that begins with an untrusted value must not begin a heading, a quote or a list. */
const lineStart = (text: string): string =>
  text.replace(/^([#>+-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');

/** A URL as a masked link's target: what would end it or read as markup is percent-encoded. */
function linkTarget(url: string): string {
  return new URL(url.trim()).href.replace(
    /[()[\]<>\\"'`\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

const markdown: Syntax = {
  escape: escapeDiscord,
  strong: (text) => `**${text}**`,
  link: (url, label) => (label ? `[${label}](${linkTarget(url)})` : ''),
};
const unlinked: Syntax = { ...markdown, link: (_url, label) => label };

const render = (pieces: readonly Piece[], syntax: Syntax = markdown) =>
  renderPieces(unicodeEmoji(pieces), syntax);

/** With its links when that is short enough for a line, else without them. */
function line(pieces: readonly Piece[], max = LINE_MAX): string {
  const linked = lineStart(render(pieces));
  return linked.length <= max ? linked : lineStart(render(pieces, unlinked));
}

const COLOR: Readonly<Record<Tone, number>> = {
  start: 0x1d9bd1,
  success: 0x2eb67d,
  failed: 0xe01e5a,
  canceled: 0x9e9e9e,
  timedout: 0xecb22e,
  aborted: 0x9e9e9e,
  unknown: 0x9e9e9e,
};

const PINGS: ReadonlySet<string> = new Set(['@here', '@everyone']);

/** The headline, then `cc` and whom notify calls: what a phone's notification shows. */
function content(report: Report): { text: string; pings: boolean } {
  const head = `${TONE_EMOJI[report.tone]} ${render(report.headline)}`;
  const tail = render(report.headlineTail);
  const said = calledByWord(report.mentions, '@everyone', escapeDiscord);
  const first = head.length + tail.length <= LIMITS.content ? `${head}${tail}` : head;
  const room = LIMITS.content - first.length - '\ncc '.length;
  const cc = room > 0 ? joinWithin(said, ' ', room) : '';
  const text = cc ? `${first}\ncc ${cc}` : first;
  return {
    text: fitWithin([...text], LIMITS.content),
    pings: cc.split(' ').some((word) => PINGS.has(word)),
  };
}

/** The small print and the links, in Markdown. */
const description = (report: Report, max: number): string =>
  smallPrint(
    report,
    max,
    (fact) => line(fact),
    (link) => markdown.link(link.url, render(link.label)),
  );

/**
 * The jobs as fields, each within Discord's field limits, all within `budget` characters and
 * 25 fields; `left` counts the jobs that did not fit, from the first that did not on.
 */
export function jobFields(
  summary: Summary,
  budget: number,
): { fields: DiscordField[]; left: number } {
  const fields: DiscordField[] = [];
  const groups = jobGroups(summary, (name) => lineStart(escapeDiscord(name, NAME_MAX)) || 'other');
  const total = groups.reduce((n, group) => n + group.jobs.length, 0);
  let used = 0;
  let shown = 0;
  for (const group of groups) {
    // Every field has a name: `Jobs` where no stage has one.
    const title = group.title ?? 'Jobs';
    let field: DiscordField | undefined;
    for (const job of group.jobs) {
      const text = line(jobPieces(job, group.withStage), LIMITS.fieldValue);
      if (field && field.value.length + 1 + text.length <= LIMITS.fieldValue) {
        if (used + 1 + text.length > budget) return { fields, left: total - shown };
        field.value += `\n${text}`;
        used += 1 + text.length;
      } else {
        const name = field ? `${title} (continued)` : title;
        if (fields.length >= LIMITS.fields || used + name.length + text.length > budget)
          return { fields, left: total - shown };
        field = { name, value: text };
        fields.push(field);
        used += name.length + text.length;
      }
      shown++;
    }
  }
  return { fields, left: 0 };
}

/** A Report as Discord's payload, within every limit Discord checks. */
export function renderDiscord(report: Report): DiscordPayload {
  const { text, pings } = content(report);
  const embed: DiscordEmbed = { color: COLOR[report.tone] };
  const small = description(report, report.summary ? DESCRIPTION_WITH_JOBS : LIMITS.description);
  if (small) embed.description = small;
  if (report.summary) {
    const { fields, left } = jobFields(report.summary, LIMITS.embed - small.length - MORE_ROOM);
    if (fields.length) embed.fields = fields;
    if (left) embed.footer = { text: `…and ${left} more` };
  }
  const filled = embed.description !== undefined || embed.fields !== undefined;
  return {
    content: text,
    embeds: filled ? [embed] : [],
    allowed_mentions: { parse: pings ? ['everyone'] : [] },
  };
}

const SNOWFLAKE = /^\d{1,25}$/;

/**
 * Where a payload goes. A post waits for the message (`wait=true`) so that the answer names it;
 * a job's finish edits its start's message, unless it calls someone: Discord notifies no one of
 * a mention an edit adds. An unversioned URL is sent to API v10, whose answers are the ones read
 * here (a 429's `retry_after` in seconds; before v8, milliseconds).
 */
export function discordRequest(
  url: URL,
  payload: unknown,
  _report: Report,
  previousId?: string,
): Delivery {
  const path = url.pathname.replace(/\/+$/, '').replace(/^\/api\/webhooks\//, '/api/v10/webhooks/');
  // Other parameters (thread_id) stay as they are.
  const query = url.search
    .slice(1)
    .split('&')
    .filter((param) => param && !/^wait(=|$)/.test(param));
  const body = JSON.stringify(payload);
  const pings = (payload as Partial<DiscordPayload>).allowed_mentions?.parse?.length;
  const at = (pathname: string, params: string[]) =>
    new URL(`${url.origin}${pathname}${params.length ? `?${params.join('&')}` : ''}`);
  if (previousId && SNOWFLAKE.test(previousId) && !pings) {
    return { url: at(`${path}/messages/${previousId}`, query), method: 'PATCH', body };
  }
  return { url: at(path, [...query, 'wait=true']), method: 'POST', body };
}

/** Discord's JSON error body, as far as it is one. */
interface DiscordAnswer {
  code?: number;
  message?: string;
  retry_after?: number;
  global?: boolean;
  errors?: unknown;
}

function answerOf(body: string): DiscordAnswer {
  const parsed = jsonOf(body);
  return parsed && typeof parsed === 'object' ? (parsed as DiscordAnswer) : {};
}

/** The code of the error an edit meets when its message is gone: post anew instead. */
export const UNKNOWN_MESSAGE = 'discord_unknown_message';

/** Discord answered with a non-2xx status; `discordCode` is its JSON error code, if any. */
export class DiscordHttpError extends ChatHttpError {
  declare readonly code: string;
  readonly discordCode: number | undefined;
  constructor(
    message: string,
    statusCode: number,
    body: string,
    attempts: number,
    discordCode: number | undefined,
  ) {
    super(message, statusCode, body, attempts);
    this.discordCode = discordCode;
    if (statusCode === 404 && discordCode === 10008) this.code = UNKNOWN_MESSAGE;
  }
}

/** Whether an edit failed because its message is gone, so that posting anew is the answer. */
export const isUnknownMessage = (error: unknown): boolean =>
  error instanceof DiscordHttpError && error.code === UNKNOWN_MESSAGE;

const BUG = 'this is a bug in notify; please report it with the output of --dry-run';
const NEW_WEBHOOK =
  "create a new webhook in the channel's Integrations settings and update the webhook URL";

/** Discord's error codes, each in one line: what it means and what to do. */
export const DISCORD_ERRORS: Readonly<Record<number, string>> = {
  10003: 'the channel or thread the webhook posts to no longer exists',
  10008: 'the message to edit is gone (deleted, or not posted by this webhook)',
  10015: `the webhook was deleted; ${NEW_WEBHOOK}`,
  50001: 'the webhook has no access to the channel or thread it posts to',
  50006: `Discord found nothing to post; ${BUG}`,
  50013: 'the webhook lacks a permission in the channel or thread it posts to',
  50027: `the webhook's token is wrong, or the webhook was reset; ${NEW_WEBHOOK}`,
  50035: `Discord could not take the message; ${BUG}`,
  220001:
    'the webhook posts to a forum or media channel, where a message needs a thread: add ?thread_id=<the thread> to the webhook URL',
};

/**
 * Discord's own words for its error (`Unknown Webhook`), where they are a few plain words: never
 * anything that could be a URL, an id or a token.
 */
function wording(answer: DiscordAnswer): string | undefined {
  const { message } = answer;
  if (typeof message !== 'string' || message.length > 80) return undefined;
  const words = message.split(' ');
  return words.every((word) => /^[A-Za-z][A-Za-z.,'()-]{0,24}$/.test(word)) ? message : undefined;
}

/** `embeds.0.fields.3.value: BASE_TYPE_MAX_LENGTH`: the first field a 50035 names. */
function firstProblem(errors: unknown): string | undefined {
  const path: string[] = [];
  let node = errors;
  for (let depth = 0; depth < 12 && node && typeof node === 'object'; depth++) {
    const record = node as Record<string, unknown>;
    const list = record._errors;
    if (Array.isArray(list)) {
      const code = (list[0] as { code?: unknown } | undefined)?.code;
      const where = path.join('.');
      return typeof code === 'string' && /^\w{1,60}$/.test(code) ? `${where}: ${code}` : where;
    }
    const key = Object.keys(record)[0];
    if (key === undefined || !/^\w{1,40}$/.test(key)) return undefined;
    path.push(key);
    node = record[key];
  }
  return undefined;
}

/** One line on Discord's answer: its code and words, what it means, what to do. */
export function explainDiscord(statusCode: number, body: string): string {
  const answer = answerOf(body);
  const code = typeof answer.code === 'number' ? answer.code : undefined;
  const words = wording(answer);
  const problem = code === 50035 ? firstProblem(answer.errors) : undefined;
  const named = [code, words].filter((part) => part !== undefined).join(' ');
  const said = `Discord answered HTTP ${statusCode}${named ? ` (${named}${problem ? ` at ${problem}` : ''})` : ''}`;
  if (problem?.startsWith('thread_id'))
    return `${said}: the webhook URL's thread_id is not a thread of its channel`;
  const known =
    code !== undefined && Object.hasOwn(DISCORD_ERRORS, code) ? DISCORD_ERRORS[code] : undefined;
  if (known) return `${said}: ${known}`;
  if (statusCode === 429)
    return `${said}: Discord is rate limiting ${answer.global ? 'this runner' : 'this webhook'}; space out messages or raise NOTIFY_TIMEOUT`;
  if (statusCode >= 300 && statusCode < 400)
    return `${said}: the webhook answered with a redirect; use the URL Discord shows for the webhook`;
  if (statusCode === 401) return `${said}: the webhook's token is wrong; ${NEW_WEBHOOK}`;
  if (statusCode === 403)
    return `${said}: Discord refused the request; the webhook may have no access to its channel, or Discord blocks this runner's network`;
  if (statusCode === 404) return `${said}: there is no webhook at this URL; ${NEW_WEBHOOK}`;
  if (statusCode === 400 || statusCode === 413) return `${said}: ${BUG}`;
  return said;
}

/** How long a 429 asks to wait: the longest of what its body and headers say. */
function rateLimitMs(response: HttpResponse, answer: DiscordAnswer): number | undefined {
  const seconds = (value: unknown) => {
    const n = typeof value === 'string' ? Number(value.trim()) : value;
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.ceil(n * 1000) : undefined;
  };
  const asked = [
    retryAfterMs(header(response, 'retry-after')),
    seconds(header(response, 'x-ratelimit-reset-after')),
    seconds(answer.retry_after),
  ].filter((ms): ms is number => ms !== undefined);
  return asked.length ? Math.max(...asked) : undefined;
}

/** The id of the message a 2xx answer names (`wait=true`, or an edit). */
function messageId(response: HttpResponse): Delivered {
  if (!response.complete || !response.body) return {};
  const id = (answerOf(response.body) as { id?: unknown }).id;
  return typeof id === 'string' && SNOWFLAKE.test(id) ? { id } : {};
}

/** An answer: 2xx posted (with its id when the body names it), 429 and 5xx again, else failed. */
export function judgeDiscord(response: HttpResponse, attempts: number): Verdict<Delivered> {
  const { statusCode, body } = response;
  if (statusCode >= 200 && statusCode < 300) return { kind: 'done', value: messageId(response) };
  const answer = answerOf(body);
  const code = typeof answer.code === 'number' ? answer.code : undefined;
  const error = new DiscordHttpError(
    explainDiscord(statusCode, body),
    statusCode,
    body,
    attempts,
    code,
  );
  return afterFailure(response, error, { wait: (ms) => rateLimitMs(response, answer) ?? ms });
}

const HOSTS: ReadonlySet<string> = new Set([
  'discord.com',
  'discordapp.com',
  'ptb.discord.com',
  'canary.discord.com',
]);
const WEBHOOK_PATH = /^\/api(?:\/v\d{1,2})?\/webhooks\/\d{15,25}\/[\w-]{20,100}\/?$/;

export const discord: Target = {
  name: 'discord',
  title: 'Discord',
  recognise: (url) =>
    HOSTS.has(url.hostname) && WEBHOOK_PATH.test(url.pathname)
      ? `the host is ${url.hostname} and the path /api/webhooks/…`
      : undefined,
  render: renderDiscord,
  request: discordRequest,
  judge: judgeDiscord,
  editsMessages: true,
  editGone: isUnknownMessage,
};
