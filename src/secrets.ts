// A secret never appears in any output: everything notify prints passes through a Redactor.

// Path segments the mask shows as they are: the same in every webhook, so no secret.
// The words of the chat tools' webhook paths: no secret, and masking them would garble every
// line that says "webhook".
const PUBLIC_SEGMENTS = new Set([
  'services',
  'hooks',
  'api',
  'v10',
  'webhooks',
  'webhookb2',
  'IncomingWebhook',
  'workflows',
  'triggers',
  'manual',
  'paths',
  'invoke',
  'v1',
  'spaces',
  'messages',
  'slack',
  'github',
]);
/** A Teams workflow URL's query names its API version and trigger path: no secret but `sig`. */
const PUBLIC_PARAMS = new Set(['api-version', 'sp', 'sv']);

/** `https://hooks.slack.com/services/T…/B…/****`: enough to tell webhooks apart, not to use one. */
export function maskUrl(url: URL): string {
  const segments = url.pathname.split('/').filter(Boolean);
  const masked = segments.map((segment, i) => {
    if (i === segments.length - 1) return '****';
    if (PUBLIC_SEGMENTS.has(segment)) return segment;
    return `${segment.slice(0, 1)}…`;
  });
  return `${url.protocol}//${url.host}/${masked.join('/')}`;
}

/** Case folding that keeps every character where it was, so positions carry over. */
const fold = (text: string) => text.replace(/[A-Z]+/g, (run) => run.toLowerCase());

/** The shortest piece of a secret that is masked wherever it appears, e.g. where a text was cut. */
export const PREFIX_MIN = 6;

interface Secret {
  /** Folded. */
  text: string;
  mask: string;
  /** Whether its beginnings are secret too: tokens are, a whole URL (`https://…`) is not. */
  prefixes: boolean;
}

/**
 * Replaces each secret, and the forms an error message may quote it in, with its mask: in any
 * letter case, percent-encoded or not, and — for tokens — any beginning of it of PREFIX_MIN or
 * more characters, as a text cut short would show it.
 */
export class Redactor {
  private readonly secrets: Secret[] = [];

  /** A webhook URL: the whole URL, its path, and each token-like part of it. */
  addUrl(raw: string | URL | undefined): this {
    if (!raw) return this;
    let url: URL;
    try {
      url = new URL(String(raw).trim());
    } catch {
      return this.add(String(raw), '****');
    }
    const mask = maskUrl(url);
    this.add(String(raw).trim(), mask, false).add(url.href, mask, false);
    if (url.password) this.add(url.password, '****');
    const tail = `${url.pathname}${url.search}`;
    if (tail.length > 1) this.add(tail, '/****', false);
    const segments = url.pathname.split('/').filter(Boolean);
    segments.forEach((segment, i) => {
      // The last segment is the token, whatever its length (maskUrl hides it too). Before it,
      // ids (T0123ABCD, B0456EFGH, a Discord id) have digits; words (`services`, `webhooks`)
      // do not, and masking them would garble the mask and every message that says `webhook`.
      const last = i === segments.length - 1;
      if (PUBLIC_SEGMENTS.has(segment)) return;
      if (last || (segment.length >= 8 && /\d/.test(segment))) {
        this.add(segment, '****');
      }
    });
    // Only when there is a query: reading searchParams costs more than the rest of a URL.
    if (url.search) {
      for (const [key, value] of url.searchParams) {
        if (value.length >= 8 && !PUBLIC_PARAMS.has(key)) this.add(value, '****');
      }
    }
    return this;
  }

  /** A secret of 4 characters or more; shorter ones would garble ordinary words. */
  add(secret: string, mask: string, prefixes = true): this {
    for (const form of new Set([secret, encodeURIComponent(secret), decoded(secret)])) {
      if (form.length >= 4) this.secrets.push({ text: fold(form), mask, prefixes });
    }
    // Longest first, so a whole URL is masked before its parts are.
    this.secrets.sort((a, b) => b.text.length - a.text.length);
    return this;
  }

  redact(text: string): string {
    if (!this.secrets.length) return text;
    const folded = fold(text);
    // Where each mask goes, found on the original text only: a mask is never searched again.
    const spans: Array<{ from: number; to: number; mask: string }> = [];
    const free = (from: number, to: number) => spans.every((s) => to <= s.from || from >= s.to);
    for (const secret of this.secrets) {
      for (
        let at = folded.indexOf(secret.text);
        at >= 0;
        at = folded.indexOf(secret.text, at + 1)
      ) {
        if (free(at, at + secret.text.length))
          spans.push({ from: at, to: at + secret.text.length, mask: secret.mask });
      }
    }
    for (const secret of this.secrets) {
      if (!secret.prefixes || secret.text.length < PREFIX_MIN) continue;
      const head = secret.text.slice(0, PREFIX_MIN);
      for (let at = folded.indexOf(head); at >= 0; at = folded.indexOf(head, at + 1)) {
        let end = at + PREFIX_MIN;
        while (end - at < secret.text.length && folded[end] === secret.text[end - at]) end++;
        if (free(at, end)) spans.push({ from: at, to: end, mask: '****' });
      }
    }
    spans.sort((a, b) => a.from - b.from);
    let out = '';
    let last = 0;
    for (const span of spans) {
      out += text.slice(last, span.from) + span.mask;
      last = span.to;
    }
    return out + text.slice(last);
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
