// The README's settings table is what users read: every setting, with its flag and variable.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const rows = readme.split('\n').filter((line) => line.startsWith('| `--'));

describe('README settings table', () => {
  it.each(Object.values(SETTINGS).map((s) => [s.flag, s.env] as const))(
    '--%s / %s has a row',
    (flag, env) => {
      // Prettier pads the columns: compare cells, not spacing.
      const cells = rows.map((row) => row.split('|').map((cell) => cell.trim()));
      expect(cells.some((row) => row[1] === `\`--${flag}\`` && row[2] === `\`${env}\``)).toBe(true);
    },
  );

  it('lists no setting that does not exist', () => {
    expect(rows).toHaveLength(Object.keys(SETTINGS).length);
  });
});
