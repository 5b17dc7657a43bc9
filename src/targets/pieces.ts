// Turning a Report's pieces into one tool's text: its escaping applied to every untrusted value,
// each value cut to its budget after escaping (never inside an escape), names emphasised, links
// written only for URLs every target can link. Each target gives its own syntax.
import { linkable, NAME_MAX, type Piece } from '../report.ts';

// C0/C1 controls (newlines included: these values are one line) and the bidi overrides and
// isolates that can make text read differently from what it is.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

/**
 * Escaped text of at most `max` characters (after escaping). Longer text is cut on a code-point
 * boundary, never inside an escape, and ends with an ellipsis.
 */
export function escapeWithin(
  raw: string,
  max: number,
  escapeChar: (char: string) => string,
): string {
  const clean = raw.replace(UNSAFE, ' ').trim();
  let whole = '';
  for (const char of clean) whole += escapeChar(char);
  if (whole.length <= max) return whole;
  let out = '';
  for (const char of clean) {
    const piece = escapeChar(char);
    if (out.length + piece.length > max - 1) return `${out}…`;
    out += piece;
  }
  return out;
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

/** The pieces as plain text, unescaped but cleaned and cut: for a tool's own plain-text fields. */
export function plainPieces(pieces: readonly Piece[]): string {
  return renderPieces(pieces, {
    escape: (raw, max) => escapeWithin(raw, max, (c) => c),
    strong: (text) => text,
    link: (_url, label) => label,
  });
}
