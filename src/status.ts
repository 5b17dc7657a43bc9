/** How a job ended. `unknown` is what `finish` reports when no status can be found. */
export type Status = 'success' | 'failed' | 'canceled' | 'timedout' | 'aborted' | 'unknown';

// GitLab: success, failed, canceled, timedout, aborted (CI_JOB_STATUS). GitHub: success,
// failure, cancelled (job.status). Jenkins: SUCCESS, FAILURE, UNSTABLE, ABORTED. The rest are spellings people type. Keys are normalised:
// lowercase, each run of spaces, underscores or hyphens one `_`.
const ALIASES: Readonly<Record<string, Exclude<Status, 'unknown'>>> = {
  success: 'success',
  succeeded: 'success',
  passed: 'success',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
  timedout: 'timedout',
  timed_out: 'timedout',
  timeout: 'timedout',
  aborted: 'aborted',
  // Jenkins's currentBuild.currentResult: UNSTABLE is a build whose tests failed.
  unstable: 'failed',
};

export const STATUS_NAMES = ['success', 'failed', 'canceled', 'timedout', 'aborted'] as const;

function normalise(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');
}

/** The status for a raw value, or undefined when the value is not one we know. */
export function parseStatus(raw: string): Exclude<Status, 'unknown'> | undefined {
  const key = normalise(raw);
  // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
}

/**
 * Why a value the CI reported is not a final status, when there is more to say than "unknown".
 * GitLab sets CI_JOB_STATUS=running while `script:` runs: only `after_script:` sees the outcome.
 */
export function statusHint(raw: string): string | undefined {
  if (normalise(raw) !== 'running') return undefined;
  return 'CI_JOB_STATUS is "running": run notify finish in after_script, where GitLab sets the final status, or pass --status';
}
