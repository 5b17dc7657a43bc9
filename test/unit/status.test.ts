import { describe, expect, it } from 'vitest';
import { parseStatus, STATUS_NAMES, statusHint, type Status } from '../../src/status.ts';

describe('parseStatus', () => {
  it.each<[string, string, Exclude<Status, 'unknown'>]>([
    // CI_JOB_STATUS values: https://docs.gitlab.com/ci/variables/predefined_variables/
    ['GitLab', 'success', 'success'],
    ['GitLab', 'failed', 'failed'],
    ['GitLab', 'canceled', 'canceled'],
    ['GitLab', 'timedout', 'timedout'],
    ['GitLab', 'aborted', 'aborted'],
    // job.status values: https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#job-context
    ['GitHub', 'success', 'success'],
    ['GitHub', 'failure', 'failed'],
    ['GitHub', 'cancelled', 'canceled'],
    // currentBuild.currentResult values: https://www.jenkins.io/doc/book/pipeline/syntax/#post
    ['Jenkins', 'SUCCESS', 'success'],
    ['Jenkins', 'FAILURE', 'failed'],
    ['Jenkins', 'UNSTABLE', 'failed'],
    ['Jenkins', 'ABORTED', 'aborted'],
    ['typed by hand', 'succeeded', 'success'],
    ['typed by hand', 'passed', 'success'],
    ['typed by hand', 'error', 'failed'],
    ['typed by hand', 'timed_out', 'timedout'],
    ['typed by hand', 'timed-out', 'timedout'],
    ['typed by hand', 'timeout', 'timedout'],
    ['typed by hand', 'timed out', 'timedout'],
    ['typed by hand', ' Timed  Out ', 'timedout'],
    ['typed by hand', 'TIMED_-_OUT', 'timedout'],
    ['typed by hand', 'timed\tout', 'timedout'],
    ['shouted', 'ABORTED', 'aborted'],
    ['shouted', 'FAILED', 'failed'],
    ['padded', '  Success\n', 'success'],
  ])('%s %j -> %s', (_source, raw, expected) => {
    expect(parseStatus(raw)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'unknown',
    'running',
    'Running',
    'skipped',
    'manual',
    'succes',
    // Separators only count between words we know: they do not join a word back together.
    'fail ed',
    'suc-cess',
    'timedout_',
    '_timedout',
    'toString',
    'constructor',
    '__proto__',
    '${{ job.status }}',
  ])('%j is not a status', (raw) => {
    expect(parseStatus(raw)).toBeUndefined();
  });

  it('accepts every name it advertises', () => {
    for (const name of STATUS_NAMES) expect(parseStatus(name)).toBe(name);
  });
});

describe('statusHint', () => {
  it.each(['running', 'RUNNING', '  Running\n'])('%j: finish ran before GitLab knew', (raw) => {
    expect(statusHint(raw)).toMatch(/^CI_JOB_STATUS is "running": .*after_script.*--status$/);
  });

  it.each(['success', 'failed', 'unknown', 'run', 'runningx', ''])('%j: nothing to add', (raw) => {
    expect(statusHint(raw)).toBeUndefined();
  });
});
