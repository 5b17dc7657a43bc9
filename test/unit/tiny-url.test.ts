// The tiny executable's URL fast path (src/platform/tiny/url.ts) against Node's WHATWG URL: what
// it takes, it must read exactly as WHATWG does; everything else it leaves to core-js.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSimple, URL as TinyURL } from '../../src/platform/tiny/url.ts';

const PROPERTIES = [
  'href',
  'protocol',
  'username',
  'password',
  'host',
  'hostname',
  'port',
  'pathname',
  'search',
  'hash',
  'origin',
] as const;

function expectSameAsNode(input: string): void {
  const node = new URL(input);
  const tiny = new TinyURL(input);
  for (const name of PROPERTIES)
    expect(tiny[name], `${name} of ${JSON.stringify(input)}`).toBe(node[name]);
  expect(String(tiny)).toBe(node.href);
  expect(JSON.stringify({ tiny })).toBe(JSON.stringify({ tiny: node }));
}

describe('the fast path', () => {
  it.each([
    'https://hooks.slack.com/services/T0123/B0456/abcdefXYZ',
    'HTTPS://Hooks.Slack.COM/services/x',
    'https://hooks.slack.com',
    'https://hooks.slack.com:443/x',
    'http://hooks.slack.com:80/x',
    'http://example.com:0080/x',
    'https://example.com:8443/x?y=1#z',
    'https://example.com:/x',
    'https://example.com?x',
    'https://example.com#x',
    'https://example.com/?',
    'https://example.com/#',
    'https://grafana.example.com/sub/explore?orgId=2&panes=%7B%22a%22%3A1%7D',
    '  https://example.com/x  ',
    'https://a-b.example-.com/x|y;z[1]',
    "https://example.com/it's",
    'https://example.com/x?a={b}|c\\d`e',
    'https://example.com/x#a{b}|c\\d#e',
    'https://example.com/%zz/%41',
    'https://example.com/a/.b/..c/',
  ])('%s reads as Node reads it', (input) => {
    expect(parseSimple(input)).toBeDefined();
    expectSameAsNode(input);
  });

  it.each([
    'https://user:pw@example.com/',
    'https://example.com/a^b',
    'https://127.0.0.1/x',
    'https://0x7f.1/x',
    'https://example.1/x',
    'https://[::1]/x',
    'https://xn--bcher-kva.example/x',
    'https://bücher.example/x',
    'https://example.com/a b',
    'https://example.com/a\tb',
    'https://example.com\\x',
    'https://example.com/a/../b',
    'https://example.com/a/%2E%2e/b',
    'https://example.com/a/.',
    "https://example.com/?it's",
    'https://example.com/#`',
    'https://example.com./x',
    'https://exa_mple.com/x',
    'https://example.com:99999/x',
    'https:example.com',
    'https:///example.com',
    'ftp://example.com/x',
    'javascript:alert(1)',
  ])('%s is left to the full parser', (input) => {
    expect(parseSimple(input)).toBeUndefined();
  });

  it('agrees with Node on whatever it takes (property)', () => {
    const piece = fc.constantFrom(
      ...'aZ09-._~:/?#[]@!$&\'()*+,;=%{}|\\^`" <>\t\n'.split(''),
      'xn--',
      '0x',
      '%2e',
      '..',
      'é',
      '443',
      '80',
    );
    const tail = fc.array(piece, { maxLength: 24 }).map((xs) => xs.join(''));
    const input = fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://', ' https://', 'https:/', 'http:'),
        fc.constantFrom('example.com', 'Example.COM', 'a.b.c', '127.0.0.1', 'x', ''),
        tail,
      )
      .map(([scheme, host, rest]) => `${scheme}${host}${rest}`);
    fc.assert(
      fc.property(input, (text) => {
        if (!parseSimple(text)) return;
        expectSameAsNode(text);
      }),
      { numRuns: 20000 },
    );
  });
});
