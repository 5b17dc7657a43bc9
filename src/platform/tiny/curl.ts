// What libcurl gives and takes, in the shapes the logic knows: response headers as Node gives
// them, whether NO_PROXY sends a host around the proxy (libcurl's rules, decided here so that the
// TLS checks know which connection is which), the proxy URL with its port. Pure: tested on Node
// (test/unit/tiny-curl.test.ts).

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
 * NO_PROXY's entries as libcurl reads them, which matches a name and its subdomains, IP addresses
 * and CIDR ranges: `*.example.com` (as other tools take it) becomes `.example.com`, and a port is
 * dropped (libcurl matches none), so that no entry is silently ignored.
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

function ipv4(text: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  const bytes = m?.slice(1).map(Number);
  return bytes?.every((b) => b <= 255) ? bytes : undefined;
}

function ipv6(text: string): number[] | undefined {
  if (!text.includes(':') || !/^[0-9a-f:.]+$/i.test(text)) return undefined;
  // An IPv4 address may end it (::ffff:10.0.0.1): its four bytes are the last two groups.
  let tail: number[] = [];
  let body = text;
  const last = text.lastIndexOf(':');
  if (text.slice(last + 1).includes('.')) {
    const v4 = ipv4(text.slice(last + 1));
    if (!v4) return undefined;
    tail = v4;
    body = text.endsWith(`::${text.slice(last + 1)}`)
      ? text.slice(0, last + 1)
      : text.slice(0, last);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const words = (half: string) => (half ? half.split(':') : []);
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const missing = 8 - tail.length / 2 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(Math.max(0, missing)).fill('0'), ...rest];
  if (groups.some((group) => !/^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  const bytes = groups.flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]);
  return [...bytes, ...tail];
}

function inNetwork(address: number[], network: number[], bits: number): boolean {
  for (let i = 0; i < address.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address[i]! & mask) !== (network[i]! & mask)) return false;
  }
  return true;
}

/**
 * Whether NO_PROXY sends `hostname` (a URL's, IPv6 in brackets) around the proxy, by libcurl's
 * rules: `*`; a name that is the entry or ends in `.` + the entry; an address equal to the entry,
 * or in its CIDR range.
 */
export function bypassesProxy(hostname: string, noProxy: string): boolean {
  const entries = noProxyForCurl(noProxy).split(',').filter(Boolean);
  if (entries.includes('*')) return true;
  const host = unbracket(hostname).toLowerCase().replace(/\.$/, '');
  const address = ipv4(host) ?? ipv6(host);
  for (const entry of entries) {
    if (address) {
      const [net = '', bitsText] = entry.split('/');
      const network = address.length === 4 ? ipv4(net) : ipv6(net);
      const full = address.length * 8;
      const bits = bitsText === undefined ? full : Number(bitsText) || full;
      if (network && Number.isInteger(bits) && bits <= full && inNetwork(address, network, bits)) {
        return true;
      }
      continue;
    }
    const token = entry.toLowerCase().replace(/\.$/, '').replace(/^\./, '');
    if (token && (host === token || host.endsWith(`.${token}`))) return true;
  }
  return false;
}

/** A proxy URL for libcurl: its port always written (libcurl's default would be 1080). */
export function proxyForCurl(proxy: URL): string {
  const port = proxy.port || (proxy.protocol === 'https:' ? '443' : '80');
  const auth = proxy.username
    ? `${proxy.username}${proxy.password ? `:${proxy.password}` : ''}@`
    : '';
  return `${proxy.protocol}//${auth}${proxy.hostname}:${port}`;
}
