// A secret never appears in any output: everything notify prints passes through a Redactor.

// Path segments the mask shows as they are: the same in every webhook, so no secret.
const PUBLIC_SEGMENTS = new Set(['services', 'hooks']);

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

/** Replaces each secret (and the forms an error message may quote it in) with its mask. */
export class Redactor {
  private readonly pairs: Array<[secret: string, mask: string]> = [];

  /** A webhook URL: the whole URL, its path, and each token-like segment of it. */
  addUrl(raw: string | URL | undefined): this {
    if (!raw) return this;
    let url: URL;
    try {
      url = new URL(String(raw).trim());
    } catch {
      return this.add(String(raw), '****');
    }
    const mask = maskUrl(url);
    this.add(String(raw).trim(), mask).add(url.href, mask);
    if (url.password) this.add(url.password, '****');
    const tail = `${url.pathname}${url.search}`;
    if (tail.length > 1) this.add(tail, '/****');
    for (const segment of url.pathname.split('/')) {
      // Redacting `services` would garble the mask itself and every other mention of the word.
      if (segment.length >= 8 && !PUBLIC_SEGMENTS.has(segment)) this.add(segment, '****');
    }
    for (const value of url.searchParams.values()) {
      if (value.length >= 8) this.add(value, '****');
    }
    return this;
  }

  add(secret: string, mask: string): this {
    if (secret.length >= 4) {
      this.pairs.push([secret, mask]);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) this.pairs.push([encoded, mask]);
    }
    // Longest first, so a whole URL is masked before its parts are.
    this.pairs.sort((a, b) => b[0].length - a[0].length);
    return this;
  }

  redact(text: string): string {
    let out = text;
    for (const [secret, mask] of this.pairs) out = out.split(secret).join(mask);
    return out;
  }
}
