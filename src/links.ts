// Deep links into Grafana Explore (the `panes` URL format, Grafana 10+):
// https://grafana.com/docs/grafana/latest/explore/get-started-with-explore/#generate-explore-urls-from-external-tools
import type { CiContext } from './context.ts';
import { slugify } from './context.ts';
import { envKind, lookup, type PatternMap } from './environment.ts';

export interface LogsSettings {
  grafanaUrl?: string;
  /** Environment label to Grafana URL, for teams with one Grafana per cluster. */
  grafanaUrlMap: PatternMap;
  /** Datasource UID or name. */
  datasource: string;
  /** LogQL with `{{namespace}}`, `{{project}}`, `{{environment}}`, `{{ref_slug}}` placeholders. */
  query?: string;
  namespace?: string;
  /** `pipeline`, `job`, or a start time `parseLogsFrom` accepts. */
  from: string;
}

export const DEFAULT_QUERY = '{namespace="{{namespace}}"}';
export const DEFAULT_DATASOURCE = 'Loki';
const FALLBACK_FROM = 'now-1h';

/**
 * A Kubernetes namespace name (RFC 1123 label): lowercase `[a-z0-9-]`, at most 63 characters,
 * starting and ending with a letter or digit. Empty when nothing of `name` is usable.
 */
function namespaceName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/**
 * The Kubernetes namespace the job deploys to: explicit first, then GitLab Auto DevOps'
 * convention (`<project>-production`, `<project>` for dev, `<project>-<ref slug>` for review).
 * An explicit namespace is used as given: it names a namespace that exists. A derived one is
 * made a valid name, since project and branch names allow what Kubernetes does not.
 */
export function namespaceFor(
  ctx: CiContext,
  label: string | undefined,
  override?: string,
): string | undefined {
  const explicit = override ?? ctx.namespace;
  if (explicit) return explicit;
  // A project whose name has nothing usable has no convention: `-production` alone is not it.
  const project = namespaceName(ctx.project.name ?? '');
  if (!project) return undefined;
  switch (envKind(label)) {
    case 'production':
      return namespaceName(`${project}-production`);
    case 'dev':
      return project;
    case 'review': {
      const slug = ctx.ref.slug ?? (ctx.ref.name ? slugify(ctx.ref.name) : undefined);
      return namespaceName(slug ? `${project}-${slug}` : project);
    }
  }
}

const RELATIVE_TIME = /^now(?:-\d+[smhdwMy])?(?:\/[smhdwMy])?$/;
const EPOCH_MS = /^\d{10,13}$/;
// A date, or a date-time with its zone: without one the instant depends on the runner's clock.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2}):?(\d{2})))?$/;

/** An ISO 8601 date or date-time in epoch milliseconds, or undefined if it is no real instant. */
function isoToEpochMs(value: string): number | undefined {
  const m = ISO_8601.exec(value);
  if (!m) return undefined;
  const parts = m.slice(1, 7).map((part) => Number(part ?? 0));
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const sign = m[9] === '-' ? -1 : 1;
  const offset = m[9] ? sign * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (hour > 23 || minute > 59 || second > 59 || Math.abs(offset) >= 24 * 60) return undefined;
  const date = new Date(0);
  // Unlike Date.UTC, setUTCFullYear does not read years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  // An impossible day (February 30th) rolls over into the next month rather than failing.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const ms = date.getTime() + ((hour * 60 + minute - offset) * 60 + second) * 1000 + millis;
  return ms >= 0 ? ms : undefined;
}

/**
 * A `--logs-from` value as the Explore link will use it, or undefined when it is none of:
 * `pipeline`, `job`, a Grafana relative time (`now`, `now-6h`, `now-1d/d`), epoch milliseconds,
 * or an ISO 8601 date (midnight UTC) or date-time with a zone. Dates become epoch milliseconds,
 * the form the link gives the pipeline's and job's start, so Grafana reads every `from` alike.
 */
export function parseLogsFrom(value: string): string | undefined {
  if (value === 'pipeline' || value === 'job') return value;
  if (RELATIVE_TIME.test(value) || EPOCH_MS.test(value)) return value;
  const ms = isoToEpochMs(value);
  return ms === undefined ? undefined : String(ms);
}

/**
 * Grafana's `from`: the pipeline's or job's start in epoch milliseconds, or the literal given,
 * with a date made epoch milliseconds as `parseLogsFrom` does. A value that is no time at all
 * opens the last hour, like a missing start.
 */
export function rangeStart(ctx: CiContext, from: string): string {
  const pipeline = ctx.pipeline.startedAt;
  const job = ctx.job.startedAt;
  const iso = from === 'pipeline' ? (pipeline ?? job) : from === 'job' ? (job ?? pipeline) : null;
  if (iso === null) return parseLogsFrom(from) ?? FALLBACK_FROM;
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? String(ms) : FALLBACK_FROM;
}

/** A LogQL string literal may not hold a bare quote or backslash. */
function logqlValue(value: string): string {
  return value.replace(/[\\"]/g, '\\$&');
}

/** The placeholders a logs query template may use, in the order the docs list them. */
export const QUERY_PLACEHOLDERS = ['namespace', 'project', 'environment', 'ref_slug'] as const;
export type QueryPlaceholder = (typeof QUERY_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

// LogQL's line_format and label_format take Go templates: their keywords and `__line__`-style
// built-ins look like placeholders but are the query's own.
const GO_TEMPLATE_WORDS = new Set(['else', 'end', 'break', 'continue', 'nil', 'true', 'false']);
const isTemplateWord = (name: string) => GO_TEMPLATE_WORDS.has(name) || /^__\w+__$/.test(name);

/** The `{{name}}` placeholders of a template that notify would leave unfilled, each once. */
export function unknownPlaceholders(template: string): string[] {
  const known: ReadonlySet<string> = new Set(QUERY_PLACEHOLDERS);
  const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
  return [...new Set(names.filter((name) => !known.has(name) && !isTemplateWord(name)))];
}

export function expandQuery(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    // Own keys only: `{{toString}}` must stay text, not find Object.prototype.toString.
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return value === undefined ? whole : logqlValue(value);
  });
}

export function exploreUrl(
  grafanaUrl: string,
  datasource: string,
  expr: string,
  from: string,
  to = 'now',
): string {
  // Grafana keeps pane ids of three characters from [0-9a-z], not all digits; any other id is
  // replaced on load and the URL rewritten.
  const panes = {
    nfy: {
      datasource,
      queries: [
        { refId: 'A', expr, queryType: 'range', datasource: { type: 'loki', uid: datasource } },
      ],
      range: { from, to },
    },
  };
  // Keep what the Grafana URL already says, such as a sub-path or `?orgId=2`.
  const base = new URL(grafanaUrl);
  const path = base.pathname.replace(/\/+$/, '');
  const query = base.search ? `${base.search.slice(1)}&` : '';
  const panesParam = encodeURIComponent(JSON.stringify(panes));
  return `${base.origin}${path}/explore?${query}schemaVersion=1&panes=${panesParam}`;
}

/** The "View runtime logs" link, or undefined when no Grafana is configured for this env. */
export function runtimeLogsUrl(
  ctx: CiContext,
  label: string | undefined,
  settings: LogsSettings,
): string | undefined {
  const grafanaUrl = lookup(settings.grafanaUrlMap, label) ?? settings.grafanaUrl;
  if (!grafanaUrl) return undefined;
  const namespace = namespaceFor(ctx, label, settings.namespace);
  const template = settings.query ?? DEFAULT_QUERY;
  if (!namespace && /\{\{\s*namespace\s*\}\}/.test(template)) return undefined;
  const vars: Record<QueryPlaceholder, string> = {
    namespace: namespace ?? '',
    project: ctx.project.name ?? '',
    environment: label ?? '',
    ref_slug: ctx.ref.slug ?? slugify(ctx.ref.name ?? ''),
  };
  const expr = expandQuery(template, vars);
  return exploreUrl(grafanaUrl, settings.datasource, expr, rangeStart(ctx, settings.from));
}
