import { describe, expect, it } from 'vitest';
import { githubOutcome } from '../../src/ci-api/github.ts';
import { apiBase, gitlabOutcome } from '../../src/ci-api/gitlab.ts';
import { parseNeeds } from '../../src/ci-api/needs.ts';
import { linkRel } from '../../src/ci-api/read.ts';
import { ConfigError } from '../../src/errors.ts';
import type { JobOutcome } from '../../src/summary.ts';

describe('githubOutcome', () => {
  it.each<[string, string | null, JobOutcome]>([
    ['completed', 'success', 'success'],
    ['completed', 'neutral', 'success'],
    ['completed', 'failure', 'failed'],
    ['completed', 'startup_failure', 'failed'],
    ['completed', 'cancelled', 'canceled'],
    ['completed', 'timed_out', 'timedout'],
    ['completed', 'skipped', 'skipped'],
    ['completed', 'stale', 'skipped'],
    ['completed', 'action_required', 'manual'],
    ['completed', 'something_new', 'skipped'],
    ['in_progress', null, 'running'],
    ['queued', null, 'pending'],
    ['requested', null, 'pending'],
    ['waiting', null, 'manual'],
  ])('%s / %s is %s', (status, conclusion, outcome) => {
    expect(githubOutcome(status, conclusion)).toBe(outcome);
  });
});

describe('gitlabOutcome', () => {
  it.each<[string, string | undefined, JobOutcome]>([
    ['success', undefined, 'success'],
    ['failed', 'script_failure', 'failed'],
    ['failed', 'job_execution_timeout', 'timedout'],
    ['canceled', undefined, 'canceled'],
    ['canceling', undefined, 'canceled'],
    ['skipped', undefined, 'skipped'],
    ['manual', undefined, 'manual'],
    ['scheduled', undefined, 'manual'],
    ['running', undefined, 'running'],
    ['created', undefined, 'pending'],
    ['pending', undefined, 'pending'],
    ['waiting_for_resource', undefined, 'pending'],
    ['preparing', undefined, 'pending'],
  ])('%s (%s) is %s', (status, reason, outcome) => {
    expect(gitlabOutcome(status, reason)).toBe(outcome);
  });
});

describe('GitLab API base', () => {
  it.each([
    [{ CI_API_V4_URL: 'https://gitlab.example.com/api/v4' }, 'https://gitlab.example.com/api/v4'],
    [{ CI_SERVER_URL: 'https://gitlab.example.com/' }, 'https://gitlab.example.com/api/v4'],
    [{}, undefined],
  ])('%j', (env, base) => {
    expect(apiBase(env)).toBe(base);
  });
});

describe('linkRel', () => {
  const link =
    '<https://api.github.com/repositories/1/actions/runs/2/jobs?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/actions/runs/2/jobs?per_page=100&page=5>; rel="last"';
  it('finds the next and last pages', () => {
    expect(linkRel(link, 'next')).toBe(
      'https://api.github.com/repositories/1/actions/runs/2/jobs?per_page=100&page=2',
    );
    expect(linkRel(link, 'last')).toMatch(/page=5$/);
  });
  it('no next on the last page, or no header', () => {
    expect(
      linkRel('<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first"', 'next'),
    ).toBe(undefined);
    expect(linkRel(undefined, 'next')).toBe(undefined);
  });
  it('a rel among several, unquoted', () => {
    expect(linkRel('<https://x/?page=3>; rel=next', 'next')).toBe('https://x/?page=3');
    expect(linkRel('<https://x/?page=3>; rel="prefetch next"', 'next')).toBe('https://x/?page=3');
    expect(linkRel('<https://x/?page=3>; rel="nextish"', 'next')).toBe(undefined);
  });
});

describe('parseNeeds', () => {
  it("reads each needed job's result", () => {
    const needs = JSON.stringify({
      build: { result: 'success', outputs: { version: '1.2.3' } },
      test: { result: 'failure', outputs: {} },
      lint: { result: 'cancelled', outputs: {} },
      deploy: { result: 'skipped', outputs: {} },
    });
    expect(parseNeeds('NOTIFY_NEEDS', needs)).toEqual([
      { name: 'build', status: 'success' },
      { name: 'test', status: 'failed' },
      { name: 'lint', status: 'canceled' },
      { name: 'deploy', status: 'skipped' },
    ]);
  });

  it.each([
    '',
    'not json',
    '[]',
    'null',
    '{"a":{}}',
    '{"a":{"result":"maybe"}}',
    '{"a":"success"}',
  ])('%j is the setting’s error, exit 2', (value) => {
    expect(() => parseNeeds('--needs', value)).toThrow(ConfigError);
    expect(() => parseNeeds('--needs', value)).toThrow(/^--needs /);
  });

  it('no jobs needed: an empty list', () => {
    expect(parseNeeds('NOTIFY_NEEDS', '{}')).toEqual([]);
  });
});
