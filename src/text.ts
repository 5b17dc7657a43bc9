// Slack mrkdwn: untrusted text stays text. Only &, < and > are control characters
// (https://docs.slack.dev/messaging/formatting-message-text#escaping); with them escaped,
// nothing a committer writes can become a link or a `<!channel>` mention.

/** Slack's limits: a section's or context element's text, and a message's `text`. */
export const SECTION_LIMIT = 3000;
export const TEXT_LIMIT = 40_000;
export const URL_LIMIT = 2000;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

// C0/C1 controls (newlines included: our fields are one line) and the bidi overrides and
// isolates that can make text read differently from what it is.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

/**
 * Escaped mrkdwn of at most `max` characters (after escaping). Longer text is cut on a
 * code-point boundary, never inside an entity, and ends with an ellipsis.
 */
export function mrkdwn(raw: string, max: number = SECTION_LIMIT): string {
  const clean = raw.replace(UNSAFE, ' ').trim();
  // Only text that does not fit is cut: cutting reserves a character for the ellipsis.
  const escaped = clean.replace(/[&<>]/g, (char) => ENTITIES[char] ?? char);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const char of clean) {
    const piece = ENTITIES[char] ?? char;
    if (out.length + piece.length > max - 1) return `${out}…`;
    out += piece;
  }
  return out;
}

/**
 * A URL safe to place inside `<url|label>`: http(s) only and normalised. Undefined for anything
 * else, so the label shows unlinked.
 */
export function safeUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // `|` and `>` would end the link early; `&` is escaped like everywhere else in mrkdwn.
  const href = url.href
    .replace(/[|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/&/g, '&amp;');
  return href.length <= URL_LIMIT ? href : undefined;
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
