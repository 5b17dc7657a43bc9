// The README's settings table is what users read: every setting, with its flag and variable;
// and the GitHub Action's section: its inputs as action.yml declares them, its workflows valid.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.ts';
import { parse } from 'yaml';
import { providers } from '../../src/providers/index.ts';
import { ACTION_YML } from '../helpers/github-runner.ts';

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

describe('README GitHub Action section', () => {
  const section = readme.slice(
    readme.indexOf('\n## GitHub Action\n'),
    readme.indexOf('\n## Other CIs\n'),
  );
  const rows = section.split('\n').filter((line) => /^\| `[a-z-]+` +\|/.test(line));
  const cells = rows.map((row) => row.split('|').map((cell) => cell.trim()));
  const variable = (description: string) => /\[\$([A-Z_]+)\]$/.exec(description)?.[1];

  it('lies between GitHub Actions and Other CIs', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    const at = headings.indexOf('## GitHub Action');
    expect(headings.slice(at - 1, at + 2)).toEqual([
      '## GitHub Actions',
      '## GitHub Action',
      '## Other CIs',
    ]);
  });

  it('its inputs table lists every input of action.yml, and no other', () => {
    const named = cells.map((row) => row[1]!.replace(/`/g, ''));
    expect([...named].sort()).toEqual(Object.keys(ACTION_YML.inputs).sort());
  });

  it.each(Object.entries(ACTION_YML.inputs))('%s: its variable is action.yml’s', (name, spec) => {
    const row = cells.find((cell) => cell[1] === `\`${name}\``)!;
    const env = variable(spec.description);
    expect(row[2]).toBe(env ? `\`${env}\`` : '');
  });

  it('names each output', () => {
    for (const name of Object.keys(ACTION_YML.outputs)) expect(section).toContain(`\`${name}\``);
  });

  it('its workflows use the Action as action.yml declares it', () => {
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const steps: Array<{ with?: Record<string, unknown> }> = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (record.uses === 'notify-ci/notify@v0') steps.push(record);
        Object.values(record).forEach(walk);
      }
    };
    for (const block of blocks) walk(parse(block));
    expect(steps.length).toBeGreaterThanOrEqual(6);
    for (const step of steps) {
      expect(['start', 'finish']).toContain(step.with?.command);
      for (const name of Object.keys(step.with ?? {}))
        expect(ACTION_YML.inputs).toHaveProperty(name);
      if (step.with?.command === 'finish' && !step.with.scope)
        expect(step.with.status).toBe('${{ job.status }}');
    }
  });
});
