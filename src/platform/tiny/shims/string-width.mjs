// string-width for the tiny build: the engine has no Intl.Segmenter and no /v regular
// expressions. Code points, not grapheme clusters: enough for --help, which is ASCII.
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;

export default function stringWidth(text, options = {}) {
  if (typeof text !== 'string' || text.length === 0) return 0;
  let width = 0;
  for (const character of stripAnsi(text)) {
    if (ZERO_WIDTH.test(character)) continue;
    width += eastAsianWidth(character.codePointAt(0), {
      ambiguousAsWide: options.ambiguousIsNarrow === false,
    });
  }
  return width;
}
