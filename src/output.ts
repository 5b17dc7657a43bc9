// What reaches the terminal: text from settings, CI variables and servers is shown, never
// obeyed. No escape sequence, carriage return or bidi override passes, and a message meant as
// one line stays one line, so nothing a value holds can forge another `notify:` line.

// C0 and C1 controls, DEL, the line and paragraph separators, and the bidi embeddings,
// overrides and isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LINES =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** The longest line printed; what a server said can be long, and a log reader needs the start. */
export const LINE_MAX = 1000;

/** One line: every control character shown as an escape, and at most LINE_MAX characters. */
export function oneLine(text: string): string {
  const out = text.replace(CONTROL, visible);
  return out.length > LINE_MAX ? `${out.slice(0, LINE_MAX - 1)}…` : out;
}

/** Several lines (help, a dry run's JSON): line breaks and tabs kept, other controls shown. */
export function block(text: string): string {
  return text.replace(CONTROL_BUT_LINES, visible);
}

/** A value quoted inside a message: `"timed\nout"`, cut to `max` characters. */
export function quote(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return `"${shown.replace(CONTROL, visible)}"`;
}

/** The DEBUG switch: set to anything but an empty, 0, false, no or off value. */
export function isOn(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  return Boolean(v) && !['0', 'false', 'no', 'off'].includes(v!);
}
