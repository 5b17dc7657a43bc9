import { describe, expect, it } from 'vitest';
import { noProxyForCurl, parseHead, unbracket } from '../../src/platform/tiny/curl.ts';

describe('parseHead: response headers as Node gives them', () => {
  it('lower-cases names, trims values, skips the status line', () => {
    expect(
      parseHead('HTTP/1.1 200 OK\r\nContent-Type:  text/plain \r\nX-Slack-Req: 1\r\n'),
    ).toEqual({
      'content-type': 'text/plain',
      'x-slack-req': '1',
    });
  });

  it('keeps the first of a header that may appear once, joins the others, lists set-cookie', () => {
    const head =
      'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nRetry-After: 90\r\nVia: a\r\nVia: b\r\n' +
      'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n';
    expect(parseHead(head)).toEqual({
      'retry-after': '1',
      via: 'a, b',
      'set-cookie': ['a=1', 'b=2'],
    });
  });

  it('ignores lines that are not headers', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\n: no name\r\ngarbage\r\nok: yes\r\n')).toEqual({
      ok: 'yes',
    });
  });
});

describe('noProxyForCurl', () => {
  it.each([
    ['', ''],
    ['example.com', 'example.com'],
    ['*.example.com', '.example.com'],
    ['.example.com, 127.0.0.1 ,10.0.0.0/8', '.example.com,127.0.0.1,10.0.0.0/8'],
    ['proxy.local:8080', 'proxy.local'],
    ['[::1]:8080,[fe80::1]', '::1,fe80::1'],
    ['::1', '::1'],
    ['a.com,*', '*'],
    ['*', '*'],
  ])('%j -> %j', (input, expected) => {
    expect(noProxyForCurl(input)).toBe(expected);
  });
});

describe('unbracket', () => {
  it.each([
    ['[::1]', '::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['hooks.slack.com', 'hooks.slack.com'],
  ])('%s -> %s', (input, expected) => expect(unbracket(input)).toBe(expected));
});
