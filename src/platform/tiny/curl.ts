// What libcurl gives and takes, in the shapes the logic knows: response headers as Node gives
// them, NO_PROXY as libcurl reads it. Pure: tested on Node (test/unit/tiny-curl.test.ts).

/** Response headers as Node gives them: lower-case names, set-cookie a list, others joined. */
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

export function parseHead(head: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    if (name === 'set-cookie') headers[name] = [...((seen as string[] | undefined) ?? []), value];
    else if (seen === undefined) headers[name] = value;
    else if (!FIRST_ONLY.has(name)) headers[name] = `${seen as string}, ${value}`;
  }
  return headers;
}

/**
 * NO_PROXY for libcurl, which matches a name and its subdomains, IP addresses and CIDR ranges:
 * `*.example.com` (as other tools take it) becomes `.example.com`, and a port is dropped (libcurl
 * matches none), so that no entry is silently ignored.
 */
export function noProxyForCurl(value: string): string {
  const entries = value.split(/[\s,]+/).filter(Boolean);
  // libcurl takes `*` only as the whole value.
  if (entries.includes('*')) return '*';
  return entries
    .map((entry) => {
      const host = entry.replace(/^\*\./, '.');
      const v6 = /^\[([^\]]*)\](?::\d+)?$/.exec(host);
      if (v6) return v6[1]!;
      return host.includes(':') && host.indexOf(':') === host.lastIndexOf(':')
        ? host.slice(0, host.indexOf(':'))
        : host;
    })
    .join(',');
}

export const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, '$1');
