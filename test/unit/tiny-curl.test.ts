import { describe, expect, it } from 'vitest';
import {
  bypassesProxy,
  noProxyForCurl,
  parseHead,
  proxyForCurl,
  unbracket,
} from '../../src/platform/tiny/curl.ts';

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

describe('bypassesProxy: NO_PROXY by libcurl’s rules', () => {
  it.each([
    ['hooks.slack.com', '', false],
    ['hooks.slack.com', '*', true],
    ['hooks.slack.com', 'example.com,*', true],
    ['hooks.slack.com', 'slack.com', true],
    ['hooks.slack.com', '.slack.com', true],
    ['hooks.slack.com', '*.slack.com', true],
    ['hooks.slack.com', 'SLACK.COM.', true],
    ['hooks.slack.com', 'hooks.slack.com:443', true],
    ['hooks.slack.com', 'ks.slack.com', false],
    ['notslack.com', 'slack.com', false],
    ['slack.com', 'hooks.slack.com', false],
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    ['127.0.0.1', '127.0.0.0/8', true],
    ['128.0.0.1', '127.0.0.0/8', false],
    ['10.1.2.3', '10.0.0.0/16', false],
    ['10.0.2.3', '10.0.0.0/16', true],
    ['127.0.0.1', 'localhost', false],
    ['[::1]', '::1', true],
    ['[::1]', '[::1]:8080', true],
    ['[::1]', '::2', false],
    ['[fe80::1:2]', 'fe80::/10', true],
    ['[fec0::1]', 'fe80::/10', false],
    ['[::ffff:a00:1]', '::ffff:10.0.0.0/104', true],
    ['[2001:db8::1]', '2001:db8:0:0:0:0:0:1', true],
  ])('%s with NO_PROXY=%j: %s', (host, noProxy, expected) => {
    expect(bypassesProxy(host, noProxy)).toBe(expected);
  });
});

describe('proxyForCurl: the port always written', () => {
  it.each([
    ['http://proxy.example.com', 'http://proxy.example.com:80'],
    ['http://proxy.example.com:80', 'http://proxy.example.com:80'],
    ['https://proxy.example.com', 'https://proxy.example.com:443'],
    ['http://127.0.0.1:3128/ignored', 'http://127.0.0.1:3128'],
    ['http://us%40er:p%3Ass@proxy:3128', 'http://us%40er:p%3Ass@proxy:3128'],
    ['http://user@proxy', 'http://user@proxy:80'],
    ['http://[::1]:3128', 'http://[::1]:3128'],
  ])('%s -> %s', (input, expected) => expect(proxyForCurl(new URL(input))).toBe(expected));
});
