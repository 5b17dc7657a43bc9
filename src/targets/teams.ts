// Microsoft Teams through a Workflows webhook (the "Post to a channel when a webhook request is
// received" template): a Report as an Adaptive Card 1.5 in a message, within Teams' 28 KB, and
// what the workflow's trigger answers. Pure but for nothing: no I/O here.
// https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
// https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format
import { ChatHttpError } from '../errors.ts';
import type { Verdict } from '../http.ts';
import type { Mention } from '../mentions.ts';
import type { HttpResponse } from '../platform/types.ts';
import { NAME_MAX, URL_LIMIT, type Piece, type Report, type Tone } from '../report.ts';
import { afterFailure, jsonOf, withServerWords } from './answers.ts';
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

/** Teams refuses a message over about 28 KB; counted in bytes of the JSON posted. */
export const PAYLOAD_LIMIT = 28_000;
/** Job lines drawn at most, however small: past this a card is a scroll, not a summary. */
const JOB_LINES_MAX = 100;
/** Teams draws at most this many buttons in a row (the Adaptive Cards SDK's default too). */
const ACTIONS_MAX = 5;
/** A button's title: short, or Teams cuts it anyway. */
const ACTION_TITLE_MAX = 60;
/** Characters of names in the line that says who is called. */
const MENTIONS_MAX = 1_000;

export type TeamsColor = 'Accent' | 'Good' | 'Warning' | 'Attention';

export interface TextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  weight?: 'Bolder';
  color?: TeamsColor;
  isSubtle?: true;
  spacing?: 'None' | 'Medium';
}

export interface OpenUrl {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.5';
  /** For clients that cannot draw the card, and for the notification. */
  fallbackText: string;
  body: TextBlock[];
  actions?: OpenUrl[];
  msteams: { width: 'Full' };
}

/** What the template's trigger takes: a message whose attachments are the cards to post. */
export interface TeamsPayload {
  type: 'message';
  attachments: Array<{
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: AdaptiveCard;
  }>;
}

// Markdown that Teams reads in a TextBlock: emphasis, code, a link or an autolink, an `<at>`
// mention, strikethrough, and the `{{DATE(…)}}` functions Adaptive Cards expand. Each escaped
// with a backslash is itself. `&` is left: a character written as an entity is literal in
// Markdown, it cannot open any of these.
const MARKDOWN = /[\\*_`~[\]<>{}]/;
const markdownChar = (char: string) => (MARKDOWN.test(char) ? `\\${char}` : char);

/** An untrusted value as Teams Markdown: escaped, one line, at most `max` characters. */
export const teamsText = (raw: string, max: number): string =>
  escapeWithin(raw, max, noAutolink(markdownChar));

/**
 * A line that starts like a list item or a heading (`- `, `+ `, `# `, `1. `, `1) `) reads as one
 * in Markdown wherever the line came from: its first mark is escaped.
 */
export function lineSafe(line: string): string {
  return line.replace(/^(\d{1,9})([.)])/, '$1\\$2').replace(/^([-+#])/, '\\$1');
}

/**
 * A URL for `[label](url)`: one `linkable` accepted, with what would end the destination or open
 * markup percent-encoded; undefined when it would then be too long.
 */
export function markdownUrl(raw: string): string | undefined {
  const href = new URL(raw.trim()).href.replace(
    /[()<>[\]\\`\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return href.length <= URL_LIMIT ? href : undefined;
}

const markdown: Syntax = {
  escape: teamsText,
  strong: (text) => `**${text}**`,
  link: (url, label) => {
    const dest = markdownUrl(url);
    return dest && label ? `[${label}](${dest})` : label;
  },
};

/** For the headline: its TextBlock is bold already, and so are its names. */
const headlineSyntax: Syntax = { ...markdown, strong: (text) => text };

/** Plain text, for a button's title and the fallback: Teams reads no Markdown there. */
const plain = plainSyntax(noAutolink((char) => char));

const render = (pieces: readonly Piece[], syntax: Syntax) =>
  renderPieces(unicodeEmoji(pieces), syntax);

const COLOR: Readonly<Record<Tone, TeamsColor>> = {
  start: 'Accent',
  success: 'Good',
  failed: 'Attention',
  timedout: 'Attention',
  canceled: 'Warning',
  aborted: 'Warning',
  unknown: 'Warning',
};

/** The names of people notify could not find, as text: Teams pings only by AAD ids. */
function mentionNames(mentions: readonly Mention[], syntax: Syntax): string {
  const names: string[] = [];
  let length = 0;
  for (const mention of mentions) {
    if (mention.kind !== 'name') continue;
    const name = syntax.escape(mention.name, NAME_MAX);
    if (!name || names.includes(name)) continue;
    if (length + name.length > MENTIONS_MAX) break;
    names.push(name);
    length += name.length + 2;
  }
  return names.length ? `cc ${names.join(', ')}` : '';
}

const block = (text: string, extra: Omit<TextBlock, 'type' | 'text' | 'wrap'> = {}): TextBlock => ({
  type: 'TextBlock',
  text,
  wrap: true,
  ...extra,
});

function payload(report: Report, jobs: ShownJobs, detail: Detail): TeamsPayload {
  const emoji = TONE_EMOJI[report.tone];
  const headline = `${emoji} ${render(report.headline, headlineSyntax)}`;
  const body: TextBlock[] = [block(headline, { weight: 'Bolder', color: COLOR[report.tone] })];
  const cc = mentionNames(report.mentions, markdown);
  if (cc) body.push(block(cc));
  if (detail !== 'headline') {
    for (const { title, lines } of jobs.groups) {
      if (title) body.push(block(title, { weight: 'Bolder', spacing: 'Medium' }));
      body.push(block(lines.join('\n\n'), title ? { spacing: 'None' } : {}));
    }
    if (jobs.more) body.push(block(`…and ${jobs.more} more`, { isSubtle: true }));
    const facts = detail === 'full' ? markdown : { ...markdown, link: plain.link };
    for (const [i, fact] of report.facts.entries()) {
      const text = lineSafe(render(fact, facts));
      if (text) body.push(block(text, { isSubtle: true, spacing: i ? 'None' : 'Medium' }));
    }
  }
  const actions = buttonLinks(report.links, ACTIONS_MAX, ACTION_TITLE_MAX, (label) =>
    render(label, plain),
  ).map(({ title, url }): OpenUrl => ({ type: 'Action.OpenUrl', title, url }));
  const fallback = `${emoji} ${render(report.headline, plain)}${render(report.headlineTail, plain)}`;
  const names = mentionNames(report.mentions, plain);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.5',
          fallbackText: names ? `${fallback} ${names}` : fallback,
          body,
          ...(actions.length ? { actions } : {}),
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

const fits = (value: unknown) => utf8Bytes(JSON.stringify(value)) <= PAYLOAD_LIMIT;

/**
 * A Report as the message the template posts: the headline in the tone's colour, who is called,
 * the jobs, the small print, and the links as buttons. As many job lines as fit in Teams' limit
 * (the rest counted); should even the small print not fit, its links go, then the small print
 * and the jobs.
 */
export function renderTeams(report: Report): TeamsPayload {
  return mostJobsThatFit(
    report.summary,
    {
      max: JOB_LINES_MAX,
      stageTitle: (name) => lineSafe(teamsText(name, NAME_MAX)),
      line: (pieces) => render(pieces, markdown),
    },
    (jobs, detail) => payload(report, jobs, detail),
    fits,
  );
}

/** The retired Office 365 connector's URLs: Microsoft no longer delivers to them. */
export function retiredTeamsUrl(url: URL): string | undefined {
  const host = url.hostname.toLowerCase();
  const connector =
    host === 'webhook.office.com' ||
    host.endsWith('.webhook.office.com') ||
    ((host === 'outlook.office.com' || host === 'outlook.office365.com') &&
      /^\/webhook(b2)?\//i.test(url.pathname));
  if (!connector) return undefined;
  return `${host} is an Office 365 connector webhook, which Microsoft Teams no longer delivers to; in the channel, create a workflow from the template "Post to a channel when a webhook request is received" and use its URL instead`;
}

const WORKFLOW_HOSTS: ReadonlyArray<[suffix: string, what: string]> = [
  ['.logic.azure.com', 'Azure Logic Apps'],
  ['.api.powerplatform.com', 'Power Automate'],
];
const WORKFLOW_PATH = /\/workflows\/[^/]+\/triggers\/[^/]+\/paths\/invoke\/?$/i;

function recognise(url: URL): string | undefined {
  if (url.protocol !== 'https:' || !WORKFLOW_PATH.test(url.pathname)) return undefined;
  const host = url.hostname.toLowerCase();
  const what =
    host === 'api.powerautomate.com'
      ? 'Power Automate'
      : WORKFLOW_HOSTS.find(([suffix]) => host.endsWith(suffix))?.[1];
  if (!what) return undefined;
  return `the host is ${host} (${what}, which runs Teams workflows) and the path /workflows/…/triggers/…/paths/invoke`;
}

/** What each error code of the workflow's trigger means, and what to do. */
export const WORKFLOW_ERRORS: Readonly<Record<string, string>> = {
  DirectApiAuthorizationRequired:
    'the workflow takes only signed-in callers, or the URL lost its sig parameter; set the trigger\'s "Who can trigger the flow" to "Anyone", and copy its URL again whole (&amp; in place of & breaks it)',
  DirectApiInvalidAuthorizationSignature:
    "the URL's sig does not match: it is mistyped, or the workflow's URL was regenerated; copy the URL again from the workflow's trigger",
  WorkflowNotFound:
    'the workflow was deleted or the URL is wrong; copy the URL again from the workflow, or create one from the template "Post to a channel when a webhook request is received"',
  WorkflowTriggerNotFound:
    'the workflow has no such trigger; copy the URL again from the workflow\'s "When a Teams webhook request is received" trigger',
  TriggerInputSchemaMismatch:
    'the workflow expects another message shape; create it from the template "Post to a channel when a webhook request is received" and leave its trigger as it is',
};

/** What a status means when the answer names no known code. */
function statusMeaning(statusCode: number): string | undefined {
  switch (statusCode) {
    case 400:
      return 'the workflow refused the message; if it was made from the template "Post to a channel when a webhook request is received", this is a bug in notify: please report it with the payload --dry-run prints';
    case 401:
    case 403:
      return WORKFLOW_ERRORS.DirectApiAuthorizationRequired;
    case 404:
      return WORKFLOW_ERRORS.WorkflowNotFound;
  }
  return undefined;
}

/** `{ error: { code, message } }`, the shape Azure's services answer errors in. */
function azureError(body: string): { code?: string; message?: string } {
  const error = (jsonOf(body) as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    ...(typeof error?.code === 'string' && /^\w{1,80}$/.test(error.code)
      ? { code: error.code }
      : {}),
    ...(typeof error?.message === 'string' ? { message: error.message } : {}),
  };
}

export function explainTeams(statusCode: number, body: string): string {
  const { code, message } = azureError(body);
  const answered = `Microsoft Teams answered HTTP ${statusCode}${code ? ` ${code}` : ''}`;
  const known = code && Object.hasOwn(WORKFLOW_ERRORS, code) ? WORKFLOW_ERRORS[code] : undefined;
  const meaning = known ?? statusMeaning(statusCode);
  if (meaning) return `${answered}: ${meaning}`;
  if (statusCode >= 300 && statusCode < 400)
    return `the webhook answered with a redirect (HTTP ${statusCode}); use the workflow's URL as its trigger shows it`;
  return withServerWords(answered, message ?? body.trim());
}

/**
 * The trigger's answer. 202 means the workflow took the message and will post it; a post that
 * fails after that shows only in the workflow's run history.
 */
export function judgeTeams(response: HttpResponse, attempts: number): Verdict<Delivered> {
  const { statusCode, body } = response;
  if (statusCode >= 200 && statusCode < 300) return { kind: 'done', value: {} };
  const error = new ChatHttpError(explainTeams(statusCode, body), statusCode, body, attempts);
  return afterFailure(response, error);
}

export const teams: Target = {
  name: 'teams',
  title: 'Microsoft Teams',
  recognise,
  render: (report) => renderTeams(report),
  request: (url, payload) => ({ url, method: 'POST', body: JSON.stringify(payload) }),
  judge: judgeTeams,
};
