import { describe, expect, it } from 'vitest';
import {
  envKind,
  envLabel,
  lookup,
  type EnvironmentSettings,
  type EnvKind,
  type PatternMap,
} from '../../src/environment.ts';
import { contextWith } from './sample-context.ts';

const none: EnvironmentSettings = { map: [] };

interface Case {
  ref?: string;
  isTag?: boolean;
  defaultBranch?: string;
  ciEnvironment?: string;
  settings?: EnvironmentSettings;
}

describe('envLabel', () => {
  it.each<[string, Case, string | undefined]>([
    ['the default branch is production', { ref: 'trunk', defaultBranch: 'trunk' }, 'production'],
    ['main is production when the default branch is unknown', { ref: 'main' }, 'production'],
    ['master is production when the default branch is unknown', { ref: 'master' }, 'production'],
    // With a known default branch, main is just another branch.
    [
      'main is not production when trunk is the default',
      { ref: 'main', defaultBranch: 'trunk' },
      'main',
    ],
    ['development is dev', { ref: 'development', defaultBranch: 'main' }, 'dev'],
    ['develop is dev', { ref: 'develop', defaultBranch: 'main' }, 'dev'],
    [
      'a feature branch is named by itself',
      { ref: 'feature/login', defaultBranch: 'main' },
      'feature/login',
    ],
    ['a tag is named by itself', { ref: 'v1.2.0', isTag: true, defaultBranch: 'main' }, 'v1.2.0'],
    // A tag that looks like a branch is still a tag: it does not deploy production by name.
    ['a tag named main is not production', { ref: 'main', isTag: true }, 'main'],
    ['a tag named develop is not dev', { ref: 'develop', isTag: true }, 'develop'],
    [
      "the job's declared environment wins over the branch convention",
      { ref: 'main', defaultBranch: 'main', ciEnvironment: 'staging' },
      'staging',
    ],
    [
      'a fixed label wins over everything',
      {
        ref: 'main',
        ciEnvironment: 'staging',
        settings: { fixed: 'qa', map: [['main', 'production']] },
      },
      'qa',
    ],
    [
      'the map wins over the declared environment',
      { ref: 'main', ciEnvironment: 'staging', settings: { map: [['main', 'live']] } },
      'live',
    ],
    [
      'a glob in the map',
      { ref: 'release/2025.05', settings: { map: [['release/*', 'staging']] } },
      'staging',
    ],
    [
      'a map entry that does not match leaves the convention',
      { ref: 'develop', settings: { map: [['release/*', 'staging']] } },
      'dev',
    ],
    [
      'tags are mapped too',
      { ref: 'v1.2.0', isTag: true, settings: { map: [['v*', 'production']] } },
      'production',
    ],
    ['no ref and nothing declared: no label', {}, undefined],
    ['no ref, but a declared environment', { ciEnvironment: 'review/login' }, 'review/login'],
  ])('%s', (_name, c, expected) => {
    const ctx = contextWith({
      ref: {
        name: c.ref,
        slug: undefined,
        isTag: c.isTag ?? false,
        defaultBranch: c.defaultBranch,
      },
      environment: { name: c.ciEnvironment },
    });
    expect(envLabel(ctx, c.settings ?? none)).toBe(expected);
  });
});

describe('envLabel for merge and pull requests', () => {
  it('a request from a branch called main (a fork) is not a production deploy', () => {
    const ctx = contextWith({
      ref: { name: 'main', defaultBranch: 'main' },
      change: { kind: 'pull_request', number: '7', title: 'Fix typo' },
    });
    expect(envLabel(ctx, { map: [] })).toBe('main');
  });

  it("a job's declared environment still names it", () => {
    const ctx = contextWith({
      ref: { name: 'main', defaultBranch: 'main' },
      environment: { name: 'review/main' },
      change: { kind: 'merge_request', number: '7' },
    });
    expect(envLabel(ctx, { map: [] })).toBe('review/main');
  });
});

describe('lookup', () => {
  const map: PatternMap = [
    ['main', 'production'],
    ['release/*', 'staging'],
    ['*', 'review'],
  ];

  it.each<[string | undefined, string | undefined]>([
    ['main', 'production'],
    ['release/1.2', 'staging'],
    // The first match wins, so the catch-all only takes what the others leave.
    ['feature/x', 'review'],
    [undefined, undefined],
  ])('%s -> %s', (key, expected) => {
    expect(lookup(map, key)).toBe(expected);
  });

  it.each<[string, string, string, boolean]>([
    ['a dot is literal', 'v1.2', 'v1x2', false],
    ['a dot matches itself', 'v1.2', 'v1.2', true],
    ['a plus is literal', 'c++', 'c++', true],
    ['a plus does not repeat', 'c++', 'cc', false],
    ['the pattern is anchored at the start', 'main', 'xmain', false],
    ['the pattern is anchored at the end', 'main', 'mainx', false],
    ['parentheses and brackets are literal', 'fix(a)[b]', 'fix(a)[b]', true],
    ['a star spans slashes', 'release/*', 'release/2025/05', true],
    ['a star matches the empty string', 'release/*', 'release/', true],
  ])('%s: %s vs %s', (_name, pattern, key, matches) => {
    expect(lookup([[pattern, 'hit']], key)).toBe(matches ? 'hit' : undefined);
  });
});

describe('envKind', () => {
  it.each<[string | undefined, EnvKind]>([
    ['production', 'production'],
    ['prod', 'production'],
    ['Production', 'production'],
    ['dev', 'dev'],
    ['develop', 'dev'],
    ['development', 'dev'],
    ['DEV', 'dev'],
    ['staging', 'review'],
    ['feature/login', 'review'],
    ['production-eu', 'review'],
    ['', 'review'],
    [undefined, 'review'],
  ])('%s -> %s', (label, expected) => {
    expect(envKind(label)).toBe(expected);
  });
});
