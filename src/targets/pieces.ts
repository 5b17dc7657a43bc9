// Turning a Report's pieces into one tool's text: its escaping applied to every untrusted value,
// each value cut to its budget after escaping (never inside an escape), names emphasised, links
// written only for URLs every target can link. Each target gives its own syntax. Also what the
// tools other than Slack write alike: emoji as characters, buttons, the small print, mentions
// by word, and a payload's size in bytes.
import type { Mention } from '../mentions.ts';
import {
  linkable,
  NAME_MAX,
  type Piece,
  type Report,
  type ReportLink,
  type Tone,
} from '../report.ts';
import { joinWithin } from '../text.ts';

// C0/C1 controls (newlines included: these values are one line) and the bidi overrides and
// isolates that can make text read differently from what it is.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

/**
 * Escaped text of at most `max` characters (after escaping). Longer text is cut on a code-point
 * boundary, never inside an escape, and ends with an ellipsis. `escapeChar` sees the character
 * after, for a syntax where a character acts only before certain others.
 */
export function escapeWithin(
  raw: string,
  max: number,
  escapeChar: (char: string, next: string | undefined) => string,
): string {
  const chars = [...raw.replace(UNSAFE, ' ').trim()];
  return fitWithin(
    chars.map((char, i) => escapeChar(char, chars[i + 1])),
    max,
  );
}

/**
 * For a tool that links bare addresses by itself (Teams, Google Chat): a zero-width space after
 * the `:` of `://` and after a dot before a letter, so that `evil.example/x` or
 * `https://evil.example` in a branch or a title stays text, shown as itself.
 */
export const noAutolink =
  (escapeChar: (char: string, next: string | undefined) => string) =>
  (char: string, next: string | undefined): string => {
    const escaped = escapeChar(char, next);
    if (char === ':' && next === '/') return `${escaped}\u200b`;
    if (char === '.' && next !== undefined && /[A-Za-z]/.test(next)) return `${escaped}\u200b`;
    return escaped;
  };

/**
 * Units (characters, escapes) joined, at most `max` characters: when they are longer, as many
 * whole units as leave room for an ellipsis, then the ellipsis.
 */
export function fitWithin(units: readonly string[], max: number): string {
  const whole = units.join('');
  if (whole.length <= max) return whole;
  let out = '';
  for (const unit of units) {
    if (out.length + unit.length > max - 1) break;
    out += unit;
  }
  return `${out}…`;
}

/** UTF-8 bytes of a string, counted by hand (the engine has no TextEncoder). */
/**
 * A URL as a Markdown link's destination: what would end the link or open markup is
 * percent-encoded, and `&` written as the entity CommonMark (and Mattermost's readers) decode back.
 */
export function markdownDestination(url: string): string {
  return new URL(url.trim()).href
    .replace(
      /[()[\]<>\\"'`\s]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .replace(/&/g, '&amp;');
}

export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export interface Syntax {
  /** One untrusted value, escaped and cut to `max`. */
  escape(raw: string, max: number): string;
  /** An escaped name, emphasised. */
  strong(escaped: string): string;
  /** A rendered label linked to a URL that `linkable` accepted; or just the label. */
  link(url: string, label: string): string;
}

/**
 * The pieces in the tool's syntax. A name or value that escapes to nothing is left out with one
 * of the spaces around it, as if it had not been there.
 */
export function renderPieces(pieces: readonly Piece[], syntax: Syntax): string {
  const parts: string[] = [];
  const empty: number[] = [];
  for (const piece of pieces) {
    let text: string;
    if (typeof piece === 'string') text = piece;
    else if ('name' in piece) {
      const escaped = syntax.escape(piece.name, piece.max ?? NAME_MAX);
      text = escaped ? syntax.strong(escaped) : '';
      if (!escaped) empty.push(parts.length);
    } else if ('value' in piece) {
      text = syntax.escape(piece.value, piece.max ?? NAME_MAX);
      if (!text) empty.push(parts.length);
    } else {
      const label = renderPieces(piece.label, syntax);
      text = linkable(piece.link) ? syntax.link(piece.link!, label) : label;
    }
    parts.push(text);
  }
  for (const at of empty) {
    let before = at - 1;
    while (before >= 0 && parts[before] === '') before--;
    let after = at + 1;
    while (after < parts.length && parts[after] === '') after++;
    const spaceBefore = before >= 0 && parts[before]!.endsWith(' ');
    const spaceAfter = after < parts.length && parts[after]!.startsWith(' ');
    if (spaceAfter && (before < 0 || spaceBefore)) parts[after] = parts[after]!.slice(1);
    else if (spaceBefore && (after >= parts.length || spaceAfter))
      parts[before] = parts[before]!.slice(0, -1);
  }
  return parts.join('');
}

/** Plain text, where the tool reads nothing but what `escapeChar` escapes: no emphasis, no links. */
export const plainSyntax = (
  escapeChar: (char: string, next: string | undefined) => string = (c) => c,
): Syntax => ({
  escape: (raw, max) => escapeWithin(raw, max, escapeChar),
  strong: (text) => text,
  link: (_url, label) => label,
});

/** The pieces as plain text, unescaped but cleaned and cut: for a tool's own plain-text fields. */
export function plainPieces(pieces: readonly Piece[]): string {
  return renderPieces(pieces, plainSyntax());
}

/** What a report's tone looks like in the tools that show emoji as characters. */
export const TONE_EMOJI: Readonly<Record<Tone, string>> = {
  start: '🚀',
  success: '✅',
  failed: '❌',
  timedout: '⌛',
  canceled: '🚫',
  aborted: '🛑',
  unknown: '❔',
};

// notify's own words name an emoji the way Slack does (`:snowflake:`); the other tools show
// such a code as typed, so their targets write the emoji itself.
const EMOJI: Readonly<Record<string, string>> = { snowflake: '❄️' };

/** notify's own words with the Slack emoji codes it uses written as the emoji. */
export function unicodeEmoji(pieces: readonly Piece[]): Piece[] {
  return pieces.map((piece) => {
    if (typeof piece === 'string')
      return piece.replace(/:([a-z_]+):/g, (code, name: string) =>
        Object.hasOwn(EMOJI, name) ? EMOJI[name]! : code,
      );
    if ('link' in piece) return { link: piece.link, label: unicodeEmoji(piece.label) };
    return piece;
  });
}

/**
 * The links a tool shows as buttons: at most `max`, each to a URL `linkable` accepts, its title
 * the label as `title` writes it, cut to `titleMax`; a link whose title is empty is left out.
 */
export function buttonLinks(
  links: readonly ReportLink[],
  max: number,
  titleMax: number,
  title: (label: readonly Piece[]) => string,
): Array<{ title: string; url: string }> {
  const buttons: Array<{ title: string; url: string }> = [];
  for (const link of links) {
    if (buttons.length >= max || !linkable(link.url)) continue;
    const text = escapeWithin(title(link.label), titleMax, (c) => c);
    if (text) buttons.push({ title: text, url: new URL(link.url.trim()).href });
  }
  return buttons;
}

/**
 * The small print, one fact a line, then the links on a line of their own (half of `max` at
 * most), each written by the tool: whole lines and whole links only, within `max` characters.
 */
export function smallPrint(
  report: Report,
  max: number,
  fact: (pieces: readonly Piece[]) => string,
  link: (link: ReportLink) => string,
): string {
  const links = joinWithin(
    report.links
      .filter((each) => linkable(each.url))
      .map((each) => link(each))
      .filter(Boolean),
    ' • ',
    Math.floor(max / 2),
  );
  const facts = joinWithin(
    report.facts.map((pieces) => fact(pieces)).filter(Boolean),
    '\n',
    max - (links ? links.length + 2 : 0),
  );
  return facts && links ? `${facts}\n\n${links}` : facts || links;
}

/**
 * Whom notify calls, once each, where a webhook calls by word: `@here`, `everyone` (the tool's
 * word for the whole channel) and names as escaped text; Slack's user and group ids name no one
 * there. The words that ping go first, so that they are the last left out for room.
 */
export function calledByWord(
  mentions: readonly Mention[],
  everyone: string,
  escape: (raw: string, max: number) => string,
): string[] {
  const word = (mention: Mention): string | undefined => {
    switch (mention.kind) {
      case 'here':
        return '@here';
      case 'channel':
        return everyone;
      case 'name':
        return escape(mention.name, NAME_MAX) || undefined;
      case 'user':
      case 'group':
        return undefined;
    }
  };
  const pings = (said: string) => Number(said === '@here' || said === everyone);
  const said = [...new Set(mentions.map(word).filter((m) => m !== undefined))];
  return said.sort((a, b) => pings(b) - pings(a));
}
