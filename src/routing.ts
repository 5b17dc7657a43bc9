// Who hears what: which runs notify at all (NOTIFY_BRANCHES), which outcomes (NOTIFY_WHEN), and
// where each message goes (a webhook or channel per environment label, and a second destination
// for failures). Pure: the settings are parsed in config.ts, the sending is cli.ts's.
import type { CiContext } from './context.ts';
import { globMatch, lookup, type PatternMap } from './environment.ts';
import { ConfigError } from './errors.ts';
import type { Event } from './report.ts';
import { quote } from './output.ts';
import { parseStatus, STATUS_NAMES, type Status } from './status.ts';

/** What `finish` may report, and `start`: the events NOTIFY_WHEN chooses among. */
export type Outcome = 'start' | Status;

/** The outcomes that are failures: a job that did not end well by itself (a cancel did not). */
export const FAILURES: readonly Status[] = ['failed', 'timedout', 'aborted', 'unknown'];

const SHORTHANDS: Readonly<Record<string, readonly Outcome[]>> = {
  failure: FAILURES,
  success: ['success'],
  start: ['start'],
};

export interface Filter {
  /** undefined: always. */
  when?: { outcomes: ReadonlySet<Outcome>; name: string; value: string };
  /** undefined: every ref. */
  branches?: { patterns: readonly string[]; name: string; value: string };
}

export interface Routes {
  /** Environment label -> webhook URL (secrets). */
  webhookMap: PatternMap;
  /** Environment label -> channel (Slack app mode). */
  channelMap: PatternMap;
  /** Where failures go as well. */
  failureWebhookUrl?: URL;
  failureChannel?: string;
}

const list = (value: string) =>
  value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);

/** NOTIFY_WHEN: `always`, or a list of statuses and shorthands (`failure`, `success`, `start`). */
export function parseWhen(name: string, value: string): Filter['when'] {
  const items = list(value.toLowerCase());
  if (items.length === 1 && items[0] === 'always') return undefined;
  if (!items.length) {
    throw new ConfigError(`${name} names no outcome (expected always, or e.g. failure)`);
  }
  if (items.includes('always')) {
    throw new ConfigError(`${name}: always stands alone (got ${quote(value)})`);
  }
  const outcomes = new Set<Outcome>();
  for (const item of items) {
    const status: Status | undefined = item === 'unknown' ? 'unknown' : parseStatus(item);
    const known: readonly Outcome[] | undefined = Object.hasOwn(SHORTHANDS, item)
      ? SHORTHANDS[item]
      : status
        ? [status]
        : undefined;
    if (!known) {
      throw new ConfigError(
        `${name} entry ${quote(item)} is not an outcome (expected always, or a list of start, failure, ${STATUS_NAMES.join(', ')}, unknown)`,
      );
    }
    for (const outcome of known) outcomes.add(outcome);
  }
  return { outcomes, name, value };
}

/** NOTIFY_BRANCHES: glob patterns of refs (`main,release/*`), and `default`, `protected`. */
export function parseBranches(name: string, value: string): Filter['branches'] {
  const patterns = list(value);
  if (!patterns.length) {
    throw new ConfigError(`${name} names no ref (expected e.g. default,release/*)`);
  }
  return { patterns, name, value };
}

function refMatches(pattern: string, ctx: CiContext): boolean {
  const ref = ctx.ref.name;
  // As for the environment label: a merge or pull request from a branch called `main` (a
  // fork's) is not the default branch.
  if (pattern === 'default') {
    return !ctx.ref.isTag && !ctx.change && !!ref && ref === ctx.ref.defaultBranch;
  }
  if (pattern === 'protected') return ctx.ref.protected === true;
  return ref !== undefined && globMatch(pattern, ref);
}

const outcomeOf = (event: Event): Outcome => (event.kind === 'start' ? 'start' : event.status);

/** Why this run sends nothing, in words for its one line; undefined when it sends. */
export function skipReason(filter: Filter, ctx: CiContext, event: Event): string | undefined {
  const { branches, when } = filter;
  if (branches && !branches.patterns.some((pattern) => refMatches(pattern, ctx))) {
    const among = `${branches.name} (${quote(branches.value)})`;
    return ctx.ref.name === undefined
      ? `no ref was found to match ${among}`
      : `the ref ${quote(ctx.ref.name)} is not among ${among}`;
  }
  if (when && !when.outcomes.has(outcomeOf(event))) {
    const what = event.kind === 'start' ? 'start' : `the outcome ${quote(event.status)}`;
    return `${what} is not among ${when.name} (${quote(when.value)})`;
  }
  return undefined;
}

/** Why this run does send, when a filter is set: for --dry-run. */
export function sendReasons(filter: Filter, ctx: CiContext, event: Event): string[] {
  const out: string[] = [];
  const { branches, when } = filter;
  if (branches) {
    out.push(
      `the ref ${quote(ctx.ref.name ?? '')} is among ${branches.name} (${quote(branches.value)})`,
    );
  }
  if (when) {
    const what = event.kind === 'start' ? 'start' : `the outcome ${quote(event.status)}`;
    out.push(`${what} is among ${when.name} (${quote(when.value)})`);
  }
  return out;
}

export const isFailure = (event: Event) =>
  event.kind === 'finish' && FAILURES.includes(event.status);

/** One destination: where, and why there (for --dry-run). */
export interface Destination<T> {
  to: T;
  why: string;
}

/** The webhooks a message goes to: the label's (else the default), and the failure one. */
export function webhookRoutes(
  routes: Routes,
  fallback: URL | undefined,
  label: string | undefined,
  event: Event,
): Array<Destination<URL>> {
  const out: Array<Destination<URL>> = [];
  const mapped = lookup(routes.webhookMap, label);
  if (mapped) out.push({ to: new URL(mapped), why: `NOTIFY_WEBHOOK_MAP for ${quote(label!)}` });
  else if (fallback) out.push({ to: fallback, why: 'SLACK_WEBHOOK_URL' });
  if (routes.failureWebhookUrl && isFailure(event)) {
    out.push({ to: routes.failureWebhookUrl, why: 'NOTIFY_FAILURE_WEBHOOK_URL, as a failure' });
  }
  return out;
}

/** The channel a Slack app posts to: the label's, else the default. */
export function channelRoute(
  routes: Routes,
  fallback: string,
  label: string | undefined,
): Destination<string> {
  const mapped = lookup(routes.channelMap, label);
  return mapped
    ? { to: mapped, why: `NOTIFY_CHANNEL_MAP for ${quote(label!)}` }
    : { to: fallback, why: 'NOTIFY_CHANNEL' };
}
