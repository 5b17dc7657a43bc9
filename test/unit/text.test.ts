import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { URL_LIMIT } from '../../src/report.ts';
import { joinWithin, link, mrkdwn, safeUrl, SECTION_LIMIT } from '../../src/text.ts';

/** An `&` that does not begin one of our three entities: a cut went through one. */
const BROKEN_ENTITY = /&(?!amp;|lt;|gt;)/;

describe('mrkdwn', () => {
  it.each<[string, string]>([
    ['Fix <b> & </b>', 'Fix &lt;b&gt; &amp; &lt;/b&gt;'],
    ['<!channel> deploy', '&lt;!channel&gt; deploy'],
    ['ping <@U123>', 'ping &lt;@U123&gt;'],
    ['<https://evil.example.com|click me>', '&lt;https://evil.example.com|click me&gt;'],
    // Already-escaped text is escaped again: what the committer typed is what readers see.
    ['&amp;', '&amp;amp;'],
    ['`$(rm -rf /)`', '`$(rm -rf /)`'],
    ['plain text', 'plain text'],
  ])('escapes %j', (raw, expected) => {
    expect(mrkdwn(raw)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['newlines become spaces', 'first\nsecond\r\nthird', 'first second third'],
    ['a run of controls is one space', 'a\u0000\u0007\u001b[31mb', 'a [31mb'],
    ['DEL and C1 controls', 'a\u007fb\u0085c\u009bd', 'a b c d'],
    ['right-to-left override', 'invoice\u202egpj.exe', 'invoice gpj.exe'],
    [
      'bidi embeddings and isolates',
      '\u202aa\u202bb\u202cc\u202dd\u2066e\u2067f\u2068g\u2069',
      'a b c d e f g',
    ],
    ['leading and trailing junk is trimmed', '\u202e\t main \n', 'main'],
    ['nothing but controls', '\u0000\u202e\n', ''],
  ])('strips unsafe characters: %s', (_name, raw, expected) => {
    expect(mrkdwn(raw)).toBe(expected);
  });

  it.each<[string, number, string]>([
    // Text that fits exactly is not cut.
    ['abc', 3, 'abc'],
    ['abcd', 3, 'ab…'],
    ['a&b', 7, 'a&amp;b'],
    // The entity does not fit whole, so it is left out whole.
    ['a&b', 6, 'a…'],
    ['a<b', 4, 'a…'],
    // 😀 is two UTF-16 units: a cut between them would leave a lone surrogate.
    ['ab😀cd', 4, 'ab…'],
    ['ab😀cd', 5, 'ab😀…'],
    ['ab😀', 4, 'ab😀'],
    ['한국어 커밋 메시지', 5, '한국어 …'],
  ])('cuts %j to %d: %j', (raw, max, expected) => {
    expect(mrkdwn(raw, max)).toBe(expected);
  });

  it('defaults to the section limit', () => {
    const out = mrkdwn('x'.repeat(10_000));
    expect(out).toHaveLength(SECTION_LIMIT);
    expect(out.endsWith('…')).toBe(true);
  });

  it('is never longer than max, never splits a code point, never cuts an entity', () => {
    const nasty = fc.constantFrom('&', '<', '>', '😀', '👩‍👩‍👧', '\u202e', '\n', 'é');
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'grapheme' }), nasty), { maxLength: 40 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 6, max: 80 }), (raw, max) => {
        const out = mrkdwn(raw, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out.isWellFormed()).toBe(true);
        expect(out).not.toMatch(BROKEN_ENTITY);
        expect(out).not.toMatch(/[<>\u202e\n]/);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves text that fits alone, apart from escaping', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 50 }), (raw) => {
        const clean = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
        const escaped = clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        expect(mrkdwn(raw, escaped.length)).toBe(escaped);
      }),
      { numRuns: 200 },
    );
  });
});

describe('safeUrl', () => {
  it.each<[string, string | undefined]>([
    ['javascript', 'javascript:alert(document.cookie)'],
    ['javascript, shouting', 'JavaScript:alert(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['ftp', 'ftp://files.example.com/build.log'],
    ['file', 'file:///etc/passwd'],
    ['mailto', 'mailto:ops@example.com'],
    ['no scheme', 'gitlab.example.com/team/chat-server'],
    ['garbage', 'not a url at all'],
    ['a bare scheme', 'https://'],
    ['empty', ''],
    ['undefined', undefined],
    ['over-long', `https://example.com/${'a'.repeat(URL_LIMIT)}`],
  ])('rejects %s', (_name, raw) => {
    expect(safeUrl(raw)).toBeUndefined();
  });

  it.each<[string, string, string]>([
    [
      'https',
      'https://gitlab.example.com/team/chat-server',
      'https://gitlab.example.com/team/chat-server',
    ],
    ['http', 'http://grafana.internal:3000/explore', 'http://grafana.internal:3000/explore'],
    ['surrounding whitespace', '  https://example.com/x \n', 'https://example.com/x'],
    [
      '& escaped like all mrkdwn',
      'https://example.com/?a=1&b=2',
      'https://example.com/?a=1&amp;b=2',
    ],
    ['| would end the URL early', 'https://example.com/a|b?c=|', 'https://example.com/a%7Cb?c=%7C'],
    [
      '> would end the link',
      'https://example.com/a>b?c=>#d>',
      'https://example.com/a%3Eb?c=%3E#d%3E',
    ],
    [
      '< would start a new one',
      'https://example.com/<!channel>',
      'https://example.com/%3C!channel%3E',
    ],
    ['spaces', 'https://example.com/a b', 'https://example.com/a%20b'],
  ])('accepts and normalises: %s', (_name, raw, expected) => {
    expect(safeUrl(raw)).toBe(expected);
  });

  it('accepts a URL of exactly the limit, counted after escaping', () => {
    const prefix = 'https://example.com/';
    const atLimit = prefix + 'a'.repeat(URL_LIMIT - prefix.length);
    expect(safeUrl(atLimit)).toBe(atLimit);
    expect(safeUrl(`${atLimit}a`)).toBeUndefined();
    // `&` grows to `&amp;`: the escaped form is what Slack receives.
    expect(safeUrl(`${prefix}?${'&'.repeat(URL_LIMIT / 5)}`)).toBeUndefined();
  });

  it('never yields a character that could end or open a link', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.string(),
        (url, junk) => {
          const out = safeUrl(url + junk);
          if (out === undefined) return;
          expect(out).toMatch(/^https?:\/\//);
          expect(out).not.toMatch(/[<>|\s]/);
          expect(out).not.toMatch(BROKEN_ENTITY);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('link', () => {
  it.each<[string, string | undefined, string, string]>([
    ['a good URL', 'https://example.com/job/1', 'View job', '<https://example.com/job/1|View job>'],
    ['no URL', undefined, 'View job', 'View job'],
    ['an unsafe URL', 'javascript:alert(1)', 'View job', 'View job'],
  ])('%s', (_name, url, label, expected) => {
    expect(link(url, label)).toBe(expected);
  });
});

describe('joinWithin', () => {
  it.each<[string, string[], number, string]>([
    ['everything fits', ['a', 'b', 'c'], 20, 'a • b • c'],
    ['the piece that does not fit is dropped', ['aaaa', 'bbbbbbbbbb', 'c'], 9, 'aaaa • c'],
    ['nothing fits', ['aaaaa'], 3, ''],
    ['no pieces', [], 10, ''],
  ])('%s', (_name, pieces, max, expected) => {
    const out = joinWithin(pieces, ' • ', max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });
});
