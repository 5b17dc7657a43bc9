// The README's settings table is what users read: every setting, with its flag and variable.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.ts';
import { providers } from '../../src/providers/index.ts';

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

describe('README providers table', () => {
  const rows = readme.split('\n').filter((line) => /^\| [^|]+\| `[a-z]+` +\|/.test(line));
  const named = rows.map((row) => row.split('|')[2]!.trim().replace(/`/g, ''));

  it('lists every provider the code detects, and no other', () => {
    const ids = providers.filter((provider) => provider.name !== 'local').map((p) => p.name);
    expect(named.sort()).toEqual([...ids].sort());
  });

  it.each(providers.filter((p) => p.name !== 'local').map((p) => [p.name]))(
    '%s has a snippet section of its own, or is GitLab or GitHub',
    (name) => {
      const row = rows.find((r) => r.split('|')[2]!.includes(`\`${name}\``))!;
      const title = row.split('|')[1]!.trim();
      const heading = ['gitlab', 'github'].includes(name) ? `## ${title}` : `### ${title}`;
      expect(readme.split('\n')).toContain(heading);
    },
  );
});
