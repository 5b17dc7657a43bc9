// Google Chat through a space's incoming webhook: a Report as a card (cardsV2) with a plain text
// above it, one thread per pipeline, within Chat's 32,000 bytes and 100 widgets; and what the Chat
// API answers. Pure but for nothing: no I/O here.
// https://developers.google.com/workspace/chat/quickstart/webhooks
// https://developers.google.com/workspace/chat/format-messages
import { ChatHttpError } from '../errors.ts';
import type { Verdict } from '../http.ts';
import type { Mention } from '../mentions.ts';
import type { HttpResponse } from '../platform/types.ts';
import { NAME_MAX, URL_LIMIT, type Piece, type Report, type Tone } from '../report.ts';
import { afterFailure, jsonOf, quoteServer, withServerWords } from './answers.ts';
import { mostJobsThatFit, type Detail, type ShownJobs } from './jobs.ts';
import {
  buttonLinks,
  escapeWithin,
  noAutolink,
  plainSyntax,
  renderPieces,
  TONE_EMOJI,
  unicodeEmoji,
  utf8Bytes,
  type Syntax,
} from './pieces.ts';
import type { Delivered, Target } from './types.ts';

/** The most a message may weigh, text and cards together, in bytes of its JSON. */
export const PAYLOAD_LIMIT = 32_000;
/** Chat refuses a message whose text is longer. */
export const TEXT_LIMIT = 4_096;
/** Widgets past this are dropped, with the section that crosses it and all after. */
export const WIDGETS_MAX = 100;
/** A thread key's length at most. */
const THREAD_KEY_MAX = 4_000;
const JOB_LINES_MAX = 100;
const BUTTONS_MAX = 5;
const BUTTON_TEXT_MAX = 60;
/** The text's room for who is called: the whole space first, then names. */
const MENTIONS_MAX = 1_000;
/**
 * The shortest wait after a quota error. Chat takes about one message a second per space, and
 * counts a minute's too; Retry-After is rarely given.
 */
export const RATE_FLOOR_MS = 2_000;
export const REPLY_OPTION = 'messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD';

export interface Button {
  text: string;
  onClick: { openLink: { url: string } };
}
export type Widget =
  | { textParagraph: { text: string } }
  | { decoratedText: { text: string; wrapText: true } }
  | { buttonList: { buttons: Button[] } };

export interface Section {
  header?: string;
  widgets: Widget[];
}

export interface GoogleChatPayload {
  /** Shown above the card and in notifications; the only place a mention pings. */
  text: string;
  cardsV2: Array<{
    cardId: string;
    card: { header: { title: string; subtitle?: string }; sections: Section[] };
  }>;
  thread?: { threadKey: string };
}

// Zero-width space: after `<` it keeps `<users/all>` or `<https://…|label>` from being read as
// a mention or a link; around a mark of the text's own formatting (`*bold*`, `_italic_`,
// `~strike~`, `` `code` ``) it keeps that mark from opening or closing anything, whether Chat
// counts the space as a letter or as a space.
const ZWSP = '\u200b';
const FORMATTING = /[*_~`]/;

/** Plain text for a card's header or a button: nothing there is read but `<`. */
const inertChar = (char: string) => (char === '<' ? `<${ZWSP}` : char);
/** Plain text for the message's text: no mention, link or formatting either. */
const textChar = (char: string) =>
  char === '<' ? `<${ZWSP}` : FORMATTING.test(char) ? `${ZWSP}${char}${ZWSP}` : char;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};
/** Card text is a small HTML: with these escaped, nothing becomes a tag, a link or a mention. */
const htmlChar = (char: string) => ENTITIES[char] ?? char;

/** An untrusted value as card text: escaped, one line, at most `max` characters. */
export const cardText = (raw: string, max: number): string =>
  escapeWithin(raw, max, noAutolink(htmlChar));

/** A URL for `<a href="…">`: one `linkable` accepted, quoted for the attribute. */
export function hrefOf(raw: string): string | undefined {
  const href = new URL(raw.trim()).href
    .replace(/["<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/&/g, '&amp;');
  return href.length <= URL_LIMIT ? href : undefined;
}

const html: Syntax = {
  escape: cardText,
  strong: (text) => `<b>${text}</b>`,
  link: (url, label) => {
    const href = hrefOf(url);
    return href && label ? `<a href="${href}">${label}</a>` : label;
  },
};

const inert = plainSyntax(noAutolink(inertChar));
const textSyntax = plainSyntax(noAutolink(textChar));

const render = (pieces: readonly Piece[], syntax: Syntax) =>
  renderPieces(unicodeEmoji(pieces), syntax);

/** A card's subtitle when the headline has no tail. */
const STATE: Readonly<Record<Tone, string>> = {
  start: 'Started',
  success: 'Succeeded',
  failed: 'Failed',
  timedout: 'Timed out',
  canceled: 'Canceled',
  aborted: 'Aborted',
  unknown: 'Finished with an unknown status',
};

/**
 * `cc <users/all>, Jiyoung Kim`: `here` and `channel` call the whole space, the one mention a
 * webhook can make; a name is text; Slack's user and group ids mean nothing here.
 */
function mentionLine(mentions: readonly Mention[]): string {
  const everyone = mentions.some((m) => m.kind === 'here' || m.kind === 'channel');
  const said = everyone ? ['<users/all>'] : [];
  for (const mention of mentions) {
    const name = mention.kind === 'name' ? textSyntax.escape(mention.name, NAME_MAX) : '';
    if (name && !said.includes(name)) said.push(name);
  }
  return said.length ? `cc ${said.join(', ')}` : '';
}

/** Cut to `max` characters on a code-point boundary, with an ellipsis. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code < 0xdc00) end--;
  return `${text.slice(0, end)}…`;
}

function payload(report: Report, jobs: ShownJobs, detail: Detail): GoogleChatPayload {
  const emoji = TONE_EMOJI[report.tone];
  const sections: Section[] = [];
  const widgets: Widget[] = [];
  if (detail !== 'headline') {
    for (const { title, lines } of jobs.groups) {
      sections.push({
        ...(title ? { header: title } : {}),
        widgets: [{ textParagraph: { text: lines.join('<br>') } }],
      });
    }
    if (jobs.more)
      sections.push({ widgets: [{ textParagraph: { text: `…and ${jobs.more} more` } }] });
    const facts = detail === 'full' ? html : { ...html, link: inert.link };
    for (const fact of report.facts) {
      const text = render(fact, facts);
      if (text) widgets.push({ decoratedText: { text, wrapText: true } });
    }
  }
  const buttons = buttonLinks(report.links, BUTTONS_MAX, BUTTON_TEXT_MAX, (label) =>
    render(label, inert),
  ).map(({ title, url }): Button => ({ text: title, onClick: { openLink: { url } } }));
  if (buttons.length) widgets.push({ buttonList: { buttons } });
  if (widgets.length) sections.push({ widgets });
  const headline = render(report.headline, inert);
  const tail = render(report.headlineTail, inert).replace(/^:\s*/, '');
  // Who is called goes whole, whatever is cut from the words before it.
  const cc = cut(mentionLine(report.mentions), MENTIONS_MAX);
  const said = `${emoji} ${render(report.headline, textSyntax)}${render(report.headlineTail, textSyntax)}`;
  const text = cc ? `${cut(said, TEXT_LIMIT - cc.length - 1)} ${cc}` : cut(said, TEXT_LIMIT);
  const key = report.keys.pipeline?.trim();
  return {
    text,
    cardsV2: [
      {
        cardId: 'notify',
        card: {
          header: { title: `${emoji} ${headline}`, subtitle: tail || STATE[report.tone] },
          sections,
        },
      },
    ],
    ...(key ? { thread: { threadKey: key.slice(0, THREAD_KEY_MAX) } } : {}),
  };
}

export const widgetCount = (payload: GoogleChatPayload): number =>
  payload.cardsV2.reduce(
    (n, { card }) => n + card.sections.reduce((m, section) => m + section.widgets.length, 0),
    0,
  );

const fits = (value: GoogleChatPayload) =>
  widgetCount(value) <= WIDGETS_MAX && utf8Bytes(JSON.stringify(value)) <= PAYLOAD_LIMIT;

/**
 * A Report as a card under a line of text: the headline and its state in the header, the jobs by
 * stage, the small print and the links as buttons. As many job lines as fit in Chat's limits
 * (the rest counted); should even the small print not fit, its links go, then the small print
 * and the jobs.
 */
export function renderGoogleChat(report: Report): GoogleChatPayload {
  return mostJobsThatFit(
    report.summary,
    {
      max: JOB_LINES_MAX,
      stageTitle: (name) => cardText(name, NAME_MAX),
      line: (pieces) => render(pieces, html),
    },
    (jobs, detail) => payload(report, jobs, detail),
    fits,
  );
}

/**
 * The URL to post to: with a thread key, a reply in the pipeline's thread, or a new thread when
 * there is none yet. Built as text: the tiny runtime's URL does not write searchParams back.
 */
export function requestUrl(url: URL, threaded: boolean): URL {
  if (!threaded) return url;
  const query = url.search
    .slice(1)
    .split('&')
    .filter((part) => part && !/^messageReplyOption=/i.test(part));
  query.push(REPLY_OPTION);
  return new URL(`${url.origin}${url.pathname}?${query.join('&')}${url.hash}`);
}

function recognise(url: URL): string | undefined {
  if (url.protocol !== 'https:' || url.hostname.toLowerCase() !== 'chat.googleapis.com')
    return undefined;
  if (!/^\/v1\/spaces\/[^/]+\/messages$/.test(url.pathname)) return undefined;
  return 'the host is chat.googleapis.com and the path /v1/spaces/…/messages';
}

interface GoogleError {
  status?: string;
  message?: string;
  reasons: string[];
}

/** `{ error: { code, message, status, details } }`, the shape Google's APIs answer errors in. */
function googleError(body: string): GoogleError {
  const error = (
    jsonOf(body) as { error?: { message?: unknown; status?: unknown; details?: unknown } } | null
  )?.error;
  const details = Array.isArray(error?.details) ? (error.details as unknown[]) : [];
  return {
    ...(typeof error?.status === 'string' && /^[A-Z_]{1,40}$/.test(error.status)
      ? { status: error.status }
      : {}),
    ...(typeof error?.message === 'string' ? { message: error.message } : {}),
    reasons: details
      .map((detail) => (detail as { reason?: unknown } | null)?.reason)
      .filter((reason): reason is string => typeof reason === 'string'),
  };
}

const WRONG_CREDENTIALS =
  "the webhook's key or token is wrong, or the webhook was removed from the space; in the space, open Apps & integrations, add a webhook and use its URL";

export function explainGoogleChat(statusCode: number, body: string): string {
  const error = googleError(body);
  const answered = `Google Chat answered HTTP ${statusCode}${error.status ? ` ${error.status}` : ''}`;
  // A wrong key is refused as an invalid argument: the request, not the message.
  if (error.reasons.includes('API_KEY_INVALID') || /\bAPI key\b/i.test(error.message ?? ''))
    return `${answered}: ${WRONG_CREDENTIALS}`;
  if (statusCode === 400 || error.status === 'INVALID_ARGUMENT') {
    const which = error.message ? ` (${quoteServer(error.message)})` : '';
    return `${answered}: Chat refused the message as invalid${which}; this is a bug in notify: please report it with the payload --dry-run prints`;
  }
  if (statusCode === 401 || statusCode === 403) return `${answered}: ${WRONG_CREDENTIALS}`;
  if (statusCode === 404)
    return `${answered}: the space is gone, or the URL names another; add a webhook in the space and use its URL`;
  if (statusCode >= 300 && statusCode < 400)
    return `the webhook answered with a redirect (HTTP ${statusCode}); use the URL the space's webhook shows`;
  return withServerWords(answered, error.message ?? body.trim());
}

/** The message Chat created: `spaces/…/messages/…`, when its answer came whole. */
function messageName(body: string): string | undefined {
  const name = (jsonOf(body) as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^spaces\/[^/\s]+\/messages\/[^/\s]+$/.test(name)
    ? name
    : undefined;
}

export function judgeGoogleChat(response: HttpResponse, attempts: number): Verdict<Delivered> {
  const { statusCode, body } = response;
  if (statusCode >= 200 && statusCode < 300) {
    const id = messageName(body);
    return { kind: 'done', value: id ? { id } : {} };
  }
  const error = new ChatHttpError(explainGoogleChat(statusCode, body), statusCode, body, attempts);
  return afterFailure(response, error, {
    // A quota answers 429 RESOURCE_EXHAUSTED; the server did not act, so waiting cannot duplicate.
    limited: statusCode === 429 || googleError(body).status === 'RESOURCE_EXHAUSTED',
    wait: (ms) => Math.max(ms, RATE_FLOOR_MS),
  });
}

export const googleChat: Target = {
  name: 'google-chat',
  title: 'Google Chat',
  recognise,
  render: (report) => renderGoogleChat(report),
  request: (url, payload) => ({
    url: requestUrl(url, (payload as Partial<GoogleChatPayload>).thread !== undefined),
    method: 'POST',
    body: JSON.stringify(payload),
  }),
  judge: judgeGoogleChat,
};
