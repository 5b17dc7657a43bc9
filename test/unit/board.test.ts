import { describe, expect, it } from 'vitest';
import { between, foldBoard, formatDuration, type JobFact } from '../../src/board.ts';

const job = (key: string, state: JobFact['state'], ts: string, extra: Partial<JobFact> = {}) =>
  ({ key, name: key, state, ts, ...extra }) satisfies JobFact;

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [499, '0s'],
    [45_000, '45s'],
    [59_600, '1m 0s'],
    [72_000, '1m 12s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 0m'],
    [7_530_000, '2h 5m'],
    [-5_000, '0s'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('between', () => {
  it.each<[string | undefined, string | undefined, string | undefined]>([
    ['2026-11-21T10:00:00Z', '2026-11-21T10:01:12Z', '1m 12s'],
    ['2026-11-21T10:00:00+01:00', '2026-11-21T09:00:45Z', '45s'],
    [undefined, '2026-11-21T10:01:12Z', undefined],
    ['2026-11-21T10:00:00Z', undefined, undefined],
    ['garbage', '2026-11-21T10:01:12Z', undefined],
    ['2026-11-21T10:05:00Z', '2026-11-21T10:00:00Z', undefined],
  ])('%s .. %s -> %s', (from, to, text) => {
    expect(between(from, to)).toBe(text);
  });
});

describe('foldBoard', () => {
  it('one line per job, its latest fact, in the order jobs first reported', () => {
    const board = foldBoard(
      [
        job('deploy', 'running', '1.000300'),
        job('build', 'running', '1.000100'),
        job('build', 'success', '1.000400'),
        job('test', 'running', '1.000200'),
      ],
      [],
    );
    expect(board.jobs.map((j) => `${j.key}:${j.state}`)).toEqual([
      'build:success',
      'test:running',
      'deploy:running',
    ]);
    expect(board.overall).toBe('running');
  });

  it.each<[JobFact['state'], string]>([
    ['failed', 'failing'],
    ['timedout', 'failing'],
    ['canceled', 'running'],
    ['success', 'running'],
  ])('a job %s: the pipeline is %s until its end', (state, overall) => {
    expect(foldBoard([job('a', 'success', '1'), job('b', state, '2')], []).overall).toBe(overall);
  });

  it('the latest end decides the overall state', () => {
    const board = foldBoard(
      [job('a', 'failed', '1')],
      [
        { status: 'failed', ts: '5' },
        { status: 'success', ts: '3' },
      ],
    );
    expect(board.overall).toBe('failed');
    expect(board.end).toEqual({ status: 'failed', ts: '5' });
  });

  it('facts arriving in any order fold to the same board', () => {
    const facts = [
      job('a', 'running', '1'),
      job('b', 'running', '2'),
      job('a', 'success', '3'),
      job('b', 'failed', '4'),
      job('c', 'running', '5'),
    ];
    const expected = foldBoard(facts, []);
    for (let i = 0; i < 20; i++) {
      const shuffled = [...facts].sort(() => Math.random() - 0.5);
      expect(foldBoard(shuffled, [])).toEqual(expected);
    }
  });
});
