// URL for the tiny executable. QuickJS has none; core-js's WHATWG implementation is exact but
// costs about 3 ms to load and 3 ms for each long URL it parses, which was most of a run. So the
// common case — an absolute http(s) URL with an ASCII host name and nothing to normalise but
// case, a default port or an empty path — is parsed here, with the same result as WHATWG's
// parser; anything else (credentials, IP addresses, percent-encoding to add, dot segments,
// backslashes, non-ASCII, a base URL) goes to core-js, loaded only then. Tested against Node's
// URL in test/unit/tiny-url.test.ts.

import { loadPart } from './parts.ts';

interface Parts {
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
  /** With its `?`; '' when there is none. */
  query: string;
  /** With its `#`; '' when there is none. */
  fragment: string;
}

interface CoreJs {
  URL: typeof globalThis.URL;
  URLSearchParams: typeof globalThis.URLSearchParams;
}

let core: CoreJs | undefined;
/** core-js's URL and URLSearchParams, loaded on first use. */
export function coreJs(): CoreJs {
  if (core) return core;
  // core-js uses the engine's own URL when it finds one that works: hide ours while it loads.
  const global = globalThis as Record<string, unknown>;
  const ours = ['URL', 'URLSearchParams'].map(
    (name) => [name, Object.getOwnPropertyDescriptor(global, name)] as const,
  );
  for (const [name] of ours) delete global[name];
  try {
    core = loadPart<CoreJs>('core-js');
  } finally {
    for (const [name, descriptor] of ours) {
      if (descriptor) Object.defineProperty(global, name, descriptor);
    }
  }
  return core;
}

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };
const SHAPE = /^(https?):\/\/([a-z0-9.-]+)(?::(\d*))?(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i;
// What each part may hold as it is: printable ASCII less what WHATWG's parser would encode or
// read otherwise there (a backslash is a slash in http(s) paths).
const PATH = /^[\x21-\x7e]*$/;
const PATH_SPECIAL = /["<>?`{}\\^]/;
const QUERY_SPECIAL = /["<>']/;
const FRAGMENT_SPECIAL = /["<>`]/;
// A last label that reads as a number makes the host an IPv4 address (0x7f.1, 2130706433...).
const NUMBER_LABEL = /^(\d+|0x[0-9a-f]*)$/i;

/** The parts of `input` when the fast path parses it exactly as WHATWG does; else undefined. */
export function parseSimple(input: string): Parts | undefined {
  // WHATWG strips leading and trailing C0 controls and spaces, and removes tabs and newlines
  // anywhere: the second is rare enough to leave to core-js.
  const text = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [, scheme, host, port, path = '/', query = '', fragment = ''] = m;
  const hostname = host!.toLowerCase();
  const labels = hostname.split('.');
  if (labels.some((label) => !label || label.startsWith('xn--'))) return undefined;
  if (NUMBER_LABEL.test(labels[labels.length - 1]!)) return undefined;
  if (!PATH.test(path) || PATH_SPECIAL.test(path)) return undefined;
  // Dot segments are resolved by WHATWG's parser, in any case and percent-encoded.
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path)) return undefined;
  if (!PATH.test(query) || QUERY_SPECIAL.test(query)) return undefined;
  if (!PATH.test(fragment) || FRAGMENT_SPECIAL.test(fragment)) return undefined;
  const protocol = `${scheme!.toLowerCase()}:`;
  let portText = '';
  if (port) {
    const number = Number(port);
    if (number > 65535) return undefined;
    portText = String(number) === DEFAULT_PORT[protocol] ? '' : String(number);
  }
  return { protocol, hostname, port: portText, pathname: path, query, fragment };
}

export class URL {
  private readonly parts: Parts | undefined;
  private exact: globalThis.URL | undefined;

  constructor(input: string | { toString(): string }, base?: string | { toString(): string }) {
    const text = String(input);
    this.parts = base === undefined ? parseSimple(text) : undefined;
    if (!this.parts) {
      this.exact =
        base === undefined ? new (coreJs().URL)(text) : new (coreJs().URL)(text, String(base));
    }
  }

  /** core-js's URL for the same text: for what the fast path does not hold. */
  private full(): globalThis.URL {
    return (this.exact ??= new (coreJs().URL)(this.href));
  }

  get protocol(): string {
    return this.parts ? this.parts.protocol : this.full().protocol;
  }
  get username(): string {
    return this.parts ? '' : this.full().username;
  }
  get password(): string {
    return this.parts ? '' : this.full().password;
  }
  get hostname(): string {
    return this.parts ? this.parts.hostname : this.full().hostname;
  }
  get port(): string {
    return this.parts ? this.parts.port : this.full().port;
  }
  get host(): string {
    if (!this.parts) return this.full().host;
    return this.parts.port ? `${this.parts.hostname}:${this.parts.port}` : this.parts.hostname;
  }
  get origin(): string {
    return this.parts ? `${this.parts.protocol}//${this.host}` : this.full().origin;
  }
  get pathname(): string {
    return this.parts ? this.parts.pathname : this.full().pathname;
  }
  get search(): string {
    if (!this.parts) return this.full().search;
    return this.parts.query.length > 1 ? this.parts.query : '';
  }
  get hash(): string {
    if (!this.parts) return this.full().hash;
    return this.parts.fragment.length > 1 ? this.parts.fragment : '';
  }
  get href(): string {
    if (!this.parts) return this.full().href;
    const { pathname, query, fragment } = this.parts;
    return `${this.origin}${pathname}${query}${fragment}`;
  }
  get searchParams(): URLSearchParams {
    return this.full().searchParams;
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
}
