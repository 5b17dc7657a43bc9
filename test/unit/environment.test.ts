import { describe, expect, it } from 'vitest';
import {
  envKind,
  envLabel,
  globMatch,
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

describe('globMatch', () => {
  it.each<[string, string, string, boolean]>([
    ['an empty pattern matches only the empty string', '', '', true],
    ['an empty pattern matches nothing else', '', 'main', false],
    ['a star matches anything', '*', 'feature/login', true],
    ['a star matches the empty string', '*', '', true],
    ['two stars are one', '**', 'release/1.2', true],
    ['a prefix', 'release/*', 'release/1.2', true],
    ['a prefix must start the text', 'release/*', 'pre-release/1.2', false],
    ['a suffix', '*-hotfix', 'v1.2-hotfix', true],
    ['a suffix must end the text', '*-hotfix', 'v1.2-hotfix-2', false],
    ['prefix and suffix may not overlap', 'ab*ba', 'aba', false],
    ['prefix and suffix may meet', 'ab*ba', 'abba', true],
    ['a middle piece', 'feature/*/login*', 'feature/jy/login-sso', true],
    ['middle pieces in order', '*b*a*', 'ab', false],
    ['a middle piece may not use the suffix', '*ab*b', 'ab', false],
    ['a later occurrence of a middle piece', '*aab*', 'aaab', true],
    ['case matters', 'Main', 'main', false],
    ['a dot is literal', 'v1.2', 'v1x2', false],
    ['a plus is literal', 'c++*', 'c++17', true],
    ['a question mark is literal', 'why?', 'why!', false],
    ['a question mark matches itself', 'why?', 'why?', true],
    ['parentheses are literal', 'fix(*)', 'fix(ui)', true],
    ['an open bracket is literal', '[wip]*', '[wip] login', true],
    ['a bracket is no character class', '[wip]*', 'w login', false],
    ['a backslash is literal', 'a\\*', 'a\\b', true],
    ['a backslash escapes nothing', 'a\\*', 'a*', false],
    ['anchors are literal', '^main$', '^main$', true],
  ])('%s: %j vs %j', (_name, pattern, text, matches) => {
    expect(globMatch(pattern, text)).toBe(matches);
  });

  // Each of these takes minutes, or forever, with a backtracking RegExp.
  it.each<[string, string, string, boolean]>([
    ['many stars, no b', `${'*a'.repeat(12)}*b`, 'a'.repeat(40), false],
    ['many stars, 10,000 characters', `${'*a'.repeat(12)}*b`, 'a'.repeat(10_000), false],
    ['many stars, a b at the end', `${'*a'.repeat(12)}*b`, `${'a'.repeat(10_000)}b`, true],
    ['200 stars', `${'*a'.repeat(200)}*b`, 'a'.repeat(10_000), false],
    ['200 stars and nothing else', '*'.repeat(200), 'a'.repeat(10_000), true],
    ['200 pieces that all fit', 'a*'.repeat(200), 'a'.repeat(10_000), true],
  ])('stays linear: %s', (_name, pattern, text, matches) => {
    const started = performance.now();
    expect(globMatch(pattern, text)).toBe(matches);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('the map lookup uses it', () => {
    const map: PatternMap = [[`${'*a'.repeat(12)}*b`, 'x']];
    const started = performance.now();
    expect(lookup(map, 'a'.repeat(40))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(200);
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
