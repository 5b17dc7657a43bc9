// What the chat tools' targets share: escaping with a budget, fitting units within one, and
// counting a payload's bytes without TextEncoder.
import { describe, expect, it } from 'vitest';
import { escapeWithin, fitWithin, utf8Bytes } from '../../../src/targets/pieces.ts';

describe('escapeWithin', () => {
  const star = (char: string) => (char === '*' ? '\\*' : char);

  it('cleans controls and outer spaces, then escapes, then cuts after escaping', () => {
    expect(escapeWithin(' a\u0000\u0007b*\n', 100, star)).toBe('a b\\*');
    expect(escapeWithin('ab*cd', 4, star)).toBe('ab…');
    expect(escapeWithin('ab*cd', 5, star)).toBe('ab\\*…');
  });

  it('tells an escape the character after, undefined at the end', () => {
    const seen: Array<[string, string | undefined]> = [];
    escapeWithin('a🚀b', 100, (char, next) => {
      seen.push([char, next]);
      return char;
    });
    expect(seen).toEqual([
      ['a', '🚀'],
      ['🚀', 'b'],
      ['b', undefined],
    ]);
  });

  it('an escape that depends on the next character is cut whole', () => {
    const colon = (char: string, next: string | undefined) =>
      char === ':' && next === '/' ? '&#58;' : char;
    expect(escapeWithin('ab://x', 100, colon)).toBe('ab&#58;//x');
    expect(escapeWithin('ab://x', 7, colon)).toBe('ab…');
  });
});

describe('fitWithin', () => {
  it.each<[string[], number, string]>([
    [['a', 'b'], 2, 'ab'],
    [['a', 'b', 'c'], 2, 'a…'],
    [['a', '🚀', 'c'], 3, 'a…'],
    [['a', '🚀', 'c'], 4, 'a🚀c'],
    [['&amp;', 'b'], 5, '…'],
  ])('%j within %i: %j', (units, max, fitted) => {
    expect(fitWithin(units, max)).toBe(fitted);
  });
});

describe('utf8Bytes', () => {
  it.each(['', 'ascii', 'é', '€', '🚀', '❄️', '\ud800', '\udc00x', 'a\ud83d', '👩‍👩‍👧‍👦'])(
    '%j as Buffer counts it',
    (text) => {
      expect(utf8Bytes(text)).toBe(Buffer.byteLength(text));
    },
  );
});
