import { describe, expect, it } from 'vitest';
import {
  byStage,
  latestTries,
  pipelineResult,
  summarise,
  type PipelineJob,
} from '../../src/summary.ts';
import type { Status } from '../../src/status.ts';

const job = (name: string, status: PipelineJob['status'], more: Partial<PipelineJob> = {}) =>
  ({ name, status, ...more }) satisfies PipelineJob;

describe('pipelineResult', () => {
  it.each<[string, PipelineJob[], Status]>([
    ['all passed', [job('a', 'success'), job('b', 'success')], 'success'],
    ['one real failure', [job('a', 'success'), job('b', 'failed')], 'failed'],
    [
      'an allowed failure is a warning',
      [job('a', 'success'), job('b', 'failed', { allowFailure: true })],
      'success',
    ],
    ['every real failure timed out', [job('a', 'timedout'), job('b', 'success')], 'timedout'],
    ['a failure and a time-out', [job('a', 'timedout'), job('b', 'failed')], 'failed'],
    ['a canceled job without failures', [job('a', 'success'), job('b', 'canceled')], 'canceled'],
    ['a failure wins over a cancel', [job('a', 'canceled'), job('b', 'failed')], 'failed'],
    [
      'skipped and manual jobs decide nothing',
      [job('a', 'success'), job('b', 'skipped'), job('c', 'manual')],
      'success',
    ],
    ['nothing finished', [job('a', 'running'), job('b', 'pending')], 'unknown'],
    ['no jobs at all', [], 'unknown'],
    ['only skipped', [job('a', 'skipped')], 'unknown'],
  ])('%s', (_name, jobs, result) => {
    expect(pipelineResult(jobs)).toBe(result);
  });
});

describe('latestTries', () => {
  it('keeps the last try of a retried job (the highest id), in the order first listed', () => {
    const jobs = [
      job('build', 'failed', { id: 10 }),
      job('test', 'success', { id: 11 }),
      job('build', 'success', { id: 17 }),
    ];
    expect(latestTries(jobs)).toEqual([
      job('build', 'success', { id: 17 }),
      job('test', 'success', { id: 11 }),
    ]);
  });

  it('an older try listed later does not win', () => {
    expect(latestTries([job('a', 'success', { id: 9 }), job('a', 'failed', { id: 3 })])).toEqual([
      job('a', 'success', { id: 9 }),
    ]);
  });

  it('without ids, the one listed last', () => {
    expect(latestTries([job('a', 'failed'), job('a', 'success')])).toEqual([job('a', 'success')]);
  });
});

describe('byStage', () => {
  it('orders stages by their first job, .pre first and .post last, jobs by id', () => {
    const jobs = [
      job('notify', 'running', { id: 1, stage: '.post' }),
      job('deploy', 'success', { id: 30, stage: 'deploy' }),
      job('unit', 'success', { id: 21, stage: 'test' }),
      job('lint', 'success', { id: 20, stage: 'test' }),
      job('compile', 'success', { id: 10, stage: 'build' }),
      job('prepare', 'success', { id: 99, stage: '.pre' }),
    ];
    expect(byStage(jobs).map((s) => [s.name, s.jobs.map((j) => j.name)])).toEqual([
      ['.pre', ['prepare']],
      ['build', ['compile']],
      ['test', ['lint', 'unit']],
      ['deploy', ['deploy']],
      ['.post', ['notify']],
    ]);
  });

  it('jobs without stages or ids stay as listed', () => {
    const jobs = [job('b', 'success'), job('a', 'success')];
    expect(byStage(jobs)).toEqual([{ jobs }]);
  });
});

describe('summarise', () => {
  const now = Date.parse('2026-11-22T10:10:00Z');

  it('the real failures first, every other job by stage, each once', () => {
    const summary = summarise({
      jobs: [
        job('compile', 'success', { id: 1, stage: 'build', startedAt: '2026-11-22T10:00:00Z' }),
        job('lint', 'failed', { id: 2, stage: 'test', allowFailure: true }),
        job('deploy', 'failed', { id: 4, stage: 'deploy' }),
        job('e2e', 'manual', { id: 3, stage: 'test' }),
      ],
      source: 'api',
      nowMs: now,
    });
    expect(summary).toEqual({
      result: 'failed',
      allowedFailures: 1,
      durationMs: 10 * 60_000,
      failed: [job('deploy', 'failed', { id: 4, stage: 'deploy' })],
      stages: [
        {
          name: 'build',
          jobs: [
            job('compile', 'success', {
              id: 1,
              stage: 'build',
              startedAt: '2026-11-22T10:00:00Z',
            }),
          ],
        },
        {
          name: 'test',
          jobs: [
            job('lint', 'failed', { id: 2, stage: 'test', allowFailure: true }),
            job('e2e', 'manual', { id: 3, stage: 'test' }),
          ],
        },
      ],
      total: 4,
      more: false,
      source: 'api',
    });
  });

  it("the pipeline's own start wins over its first job's", () => {
    const summary = summarise({
      jobs: [job('a', 'success', { startedAt: '2026-11-22T10:05:00Z' })],
      pipelineStartedAt: '2026-11-22T10:00:00Z',
      source: 'api',
      nowMs: now,
    });
    expect(summary.durationMs).toBe(10 * 60_000);
  });

  it('a success is unknown when not every job was read; a failure among them is not', () => {
    const passed = [job('a', 'success')];
    expect(summarise({ jobs: passed, source: 'api', nowMs: now, more: true }).result).toBe(
      'unknown',
    );
    expect(
      summarise({ jobs: [...passed, job('b', 'failed')], source: 'api', nowMs: now, more: true })
        .result,
    ).toBe('failed');
  });

  it('tens of thousands of jobs: the first start is found without running out of arguments', () => {
    const jobs = Array.from({ length: 200_000 }, (_, i) =>
      job(`j${i}`, 'success', {
        startedAt: new Date(now - 1000 - (i % 5000) * 1000).toISOString(),
      }),
    );
    expect(summarise({ jobs, source: 'api', nowMs: now }).durationMs).toBe(5000 * 1000);
  });

  it('no start known, or one in the future: no duration', () => {
    expect(
      summarise({ jobs: [job('a', 'success')], source: 'needs', nowMs: now }),
    ).not.toHaveProperty('durationMs');
    expect(
      summarise({
        jobs: [job('a', 'success')],
        pipelineStartedAt: '2026-11-23T00:00:00Z',
        source: 'api',
        nowMs: now,
      }),
    ).not.toHaveProperty('durationMs');
  });
});
