/** How a job ended. `unknown` is what `finish` reports when no status can be found. */
export type Status = 'success' | 'failed' | 'canceled' | 'timedout' | 'unknown';

// GitLab: success, failed, canceled, timedout (CI_JOB_STATUS). GitHub: success, failure,
// cancelled (job.status). The rest are spellings people type.
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
  'timed-out': 'timedout',
  timeout: 'timedout',
};

export const STATUS_NAMES = ['success', 'failed', 'canceled', 'timedout'] as const;

/** The status for a raw value, or undefined when the value is not one we know. */
export function parseStatus(raw: string): Exclude<Status, 'unknown'> | undefined {
  const key = raw.trim().toLowerCase();
  // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
}
