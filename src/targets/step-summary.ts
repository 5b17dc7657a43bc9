// GitHub's step summary ($GITHUB_STEP_SUMMARY): the message the Action sent, drawn from the same
// Report as the chat tools draw theirs, in GitHub-flavoured Markdown, on the run's page. Nothing
// is sent anywhere: this is a renderer only. Untrusted text stays text: Markdown and HTML are
// escaped, and what GitHub links after rendering (mentions, issue references, GH-123, commit
// SHAs, bare addresses, emoji codes) is broken by a zero-width space.
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary
// https://github.github.com/gfm/
import { NAME_MAX, type Piece, type Report } from '../report.ts';
import { joinWithin } from '../text.ts';
import { mostJobsThatFit, type Detail, type ShownJobs } from './jobs.ts';
import {
  escapeWithin,
  noAutolink,
  renderPieces,
  smallPrint,
  TONE_EMOJI,
  unicodeEmoji,
  utf8Bytes,
  type Syntax,
  markdownDestination,
} from './pieces.ts';

/**
 * What one step's summary may take. GitHub refuses a step's summary past 1 MiB (and shows an
 * error instead); a message is far smaller, and a pipeline's thousand jobs are cut to this.
 */
export const STEP_SUMMARY_MAX = 64 * 1024;
/** The small print and links at most, so that a pipeline's jobs keep most of the room. */
const DETAILS_MAX = 8_000;
/** Characters of the names of the people called. */
const NAMES_MAX = 1_000;
/** Job lines drawn at most: the CI's API gives no more than this. */
const JOB_LINES_MAX = 1_000;

// Every ASCII punctuation mark that opens or closes Markdown (emphasis, code, links, images,
// HTML, entities, headings, quotes, lists, tables, strikethrough, math, footnotes, setext
// underlines) is escaped with a backslash: CommonMark makes it itself. What GitHub finds in the
// rendered text, where a backslash no longer is, gets a zero-width space after its mark:
// `@` (mentions, addresses), `#` (issue references), `:` before a word (emoji codes, schemes),
// and `.` before a letter (bare domains), the last two as the chat tools that link addresses do.
const BACKSLASHED = /[\\`*_{}[\]()<>#+\-.!|~&$=^]/;

function escapeChar(char: string, next: string | undefined): string {
  const escaped = BACKSLASHED.test(char) ? `\\${char}` : char;
  if (char === '@' || char === '#') return `${escaped}\u200b`;
  if (char === ':' && next !== undefined && /[\w+-]/.test(next)) return `${escaped}\u200b`;
  return escaped;
}

const markdownChar = noAutolink(escapeChar);

const ZW = '\u200b';
const HEX = /^[0-9a-f]$/i;

/**
 * What GitHub links that one character and the next cannot tell: `GH-` before a digit (an issue
 * reference) and a commit's SHA (a run of 7 or more hex digits). A zero-width space goes after
 * `GH-`, and after every sixth character of a run of hex digits that goes on, so that no run of
 * seven is left whole. A new one for each value: it counts the run it is in.
 */
function noReference(
  escape: (char: string, next: string | undefined) => string,
): (char: string, next: string | undefined) => string {
  let hex = 0;
  let before = '';
  return (char, next) => {
    let out = escape(char, next);
    hex = HEX.test(char) ? hex + 1 : 0;
    if (hex > 0 && hex % 6 === 0 && next !== undefined && HEX.test(next)) out += ZW;
    if (char === '-' && /^gh$/i.test(before) && next !== undefined && /\d/.test(next)) out += ZW;
    before = `${before}${char}`.slice(-2);
    return out;
  };
}

/** An untrusted value as GitHub-flavoured Markdown text: one line, at most `max` characters. */
export const escapeGfm = (raw: string, max: number): string =>
  escapeWithin(raw, max, noReference(markdownChar));

/**
 * A link's label, where GitHub links no reference of its own: the breaks noReference put in are
 * taken out (`[e83c5163](…/commit/e83c5163…)` is notify's link, and reads as the SHA).
 */
const inLink = (label: string) =>
  label.replace(/(?<=[0-9a-f])\u200b(?=[0-9a-f])/gi, '').replace(/(?<=gh\\-)\u200b(?=\d)/gi, '');

const markdown: Syntax = {
  escape: escapeGfm,
  strong: (text) => `**${text}**`,
  link: (url, label) => (label ? `[${inLink(label)}](${markdownDestination(url)})` : ''),
};
const unlinked: Syntax = { ...markdown, link: (_url, label) => label };
const SYNTAX: Readonly<Record<Exclude<Detail, 'headline'>, Syntax>> = { full: markdown, unlinked };

/**
 * notify's own words: its emoji codes as the emoji, and `Pipeline #` before an id kept from
 * becoming a reference to the repository's issue of that number.
 */
function ownWords(pieces: readonly Piece[]): Piece[] {
  return unicodeEmoji(pieces).map((piece) => {
    if (typeof piece === 'string') return piece.replace(/#/g, '#\u200b');
    if ('link' in piece) return { link: piece.link, label: ownWords(piece.label) };
    return piece;
  });
}

const render = (pieces: readonly Piece[], syntax: Syntax = markdown) =>
  renderPieces(ownWords(pieces), syntax);

/** The names of the people the message called, as text: a chat tool's ids name no one here. */
function calledNames(report: Report): string {
  const names = [
    ...new Set(
      report.mentions.flatMap((m) => (m.kind === 'name' ? [escapeGfm(m.name, NAME_MAX)] : [])),
    ),
  ].filter(Boolean);
  const said = joinWithin(names, ', ', NAMES_MAX);
  return said ? `cc ${said}` : '';
}

/** How the run went, when it is not a message delivered: a line under the message. */
export type StepSummaryNote = 'dry-run' | 'failed';

const NOTES: Readonly<Record<StepSummaryNote, string>> = {
  'dry-run': '_Dry run: nothing was sent._',
  failed: "⚠️ _Not every destination got this message: this step's log says why._",
};

/** The small print and the links, each fact an item of a list. */
function details(report: Report, syntax: Syntax): string {
  return smallPrint(
    report,
    DETAILS_MAX,
    (fact) => {
      const text = render(fact, syntax);
      return text && `- ${text}`;
    },
    (link) => syntax.link(link.url, render(link.label, syntax)),
  );
}

function markdownOf(head: string[], jobs: ShownJobs, small: string, note?: StepSummaryNote) {
  const parts = [...head];
  for (const [i, { title, lines }] of jobs.groups.entries()) {
    if (title) parts.push(`**${title}**`);
    // A list of another mark is another list: a group with no title (GitHub has no stages) is not
    // read as more of the failures before it, nor the small print (`-`) as more jobs.
    const mark = i % 2 ? '+' : '*';
    parts.push(lines.map((line) => `${mark} ${line}`).join('\n'));
  }
  if (jobs.more) parts.push(`…and ${jobs.more} more`);
  if (small) parts.push(small);
  if (note) parts.push(NOTES[note]);
  return `${parts.join('\n\n')}\n\n`;
}

/**
 * A Report as the step summary's Markdown: the headline as a heading, whom it called, the
 * pipeline's jobs, the small print and the links, and a note when nothing or not all was sent.
 * As many job lines as fit in STEP_SUMMARY_MAX bytes, the rest counted; should even the small
 * print not fit, its links go, then the small print and the jobs.
 */
export function renderStepSummary(report: Report, note?: StepSummaryNote): string {
  const cc = calledNames(report);
  const head = [`### ${TONE_EMOJI[report.tone]} ${render(report.headline)}`, ...(cc ? [cc] : [])];
  // Each drawn once: the most job lines that fit are found in a few tries.
  const small: Partial<Record<Detail, string>> = {};
  const smallFor = (detail: Detail) =>
    detail === 'headline' ? '' : (small[detail] ??= details(report, SYNTAX[detail]));
  return mostJobsThatFit(
    report.summary,
    {
      max: JOB_LINES_MAX,
      stageTitle: (name) => escapeGfm(name, NAME_MAX) || 'other',
      line: (pieces) => render(pieces),
    },
    (jobs, detail) =>
      markdownOf(
        head,
        detail === 'headline' ? { groups: [], more: 0 } : jobs,
        smallFor(detail),
        note,
      ),
    (text) => utf8Bytes(text) <= STEP_SUMMARY_MAX,
  );
}
