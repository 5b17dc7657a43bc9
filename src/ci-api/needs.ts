// GitHub's `needs` context, for a summary without a token: each needed job's result, no durations
// or links. https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#needs-context
import { ConfigError } from '../errors.ts';
import type { JobOutcome, PipelineJob } from '../summary.ts';

const NEEDS_RESULTS: Readonly<Record<string, JobOutcome>> = {
  success: 'success',
  failure: 'failed',
  cancelled: 'canceled',
  skipped: 'skipped',
};

/**
 * GitHub's `needs` context as `${{ toJSON(needs) }}` gives it: each needed job's result, without
 * durations or links. Anything else is the setting's error.
 */
export function parseNeeds(name: string, value: string): PipelineJob[] {
  const example = `'\${{ toJSON(needs) }}'`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const needs = object(parsed);
  if (!needs)
    throw new ConfigError(
      `${name} is not the JSON of GitHub's needs context (expected ${example})`,
    );
  return Object.entries(needs).map(([job, raw]) => {
    const result = object(raw)?.result;
    if (typeof result !== 'string' || !Object.hasOwn(NEEDS_RESULTS, result)) {
      throw new ConfigError(
        `${name} has no result (success, failure, cancelled or skipped) for a job (expected ${example})`,
      );
    }
    return { name: job, status: NEEDS_RESULTS[result]! };
  });
}

function object(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
