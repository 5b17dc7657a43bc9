// Slack mrkdwn: untrusted text stays text. Only &, < and > are control characters
// (https://docs.slack.dev/messaging/formatting-message-text#escaping); with them escaped,
// nothing a committer writes can become a link or a `<!channel>` mention.

import { linkable } from './report.ts';
import { escapeWithin } from './targets/pieces.ts';

/** Slack's limits: a section's or context element's text, and a message's `text`. */
export const SECTION_LIMIT = 3000;
export const TEXT_LIMIT = 40_000;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escaped mrkdwn of at most `max` characters (after escaping), cleaned and cut as every tool's
 * text is (escapeWithin): never inside an entity, ending with an ellipsis.
 */
export function mrkdwn(raw: string, max: number = SECTION_LIMIT): string {
  return escapeWithin(raw, max, (char) => ENTITIES[char] ?? char);
}

/**
 * A URL safe to place inside `<url|label>`: one every tool can link (`linkable`), normalised.
 * Undefined for anything else, so the label shows unlinked.
 */
export function safeUrl(raw: string | undefined): string | undefined {
  if (!raw || !linkable(raw)) return undefined;
  // `|` and `>` would end the link early; `&` is escaped like everywhere else in mrkdwn.
  return new URL(raw.trim()).href
    .replace(/[|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/&/g, '&amp;');
}

/** `<url|label>` with an already-escaped label; just the label when the URL is unusable. */
export function link(url: string | undefined, label: string): string {
  const safe = safeUrl(url);
  return safe ? `<${safe}|${label}>` : label;
}

/** Join pieces with a separator, dropping those that would push the whole past `max`. */
export function joinWithin(pieces: readonly string[], separator: string, max: number): string {
  let out = '';
  for (const piece of pieces) {
    const next = out ? `${out}${separator}${piece}` : piece;
    if (next.length <= max) out = next;
  }
  return out;
}
