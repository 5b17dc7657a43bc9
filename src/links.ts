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
  /** `pipeline`, `job`, or any Grafana time (`now-1h`, epoch milliseconds, ISO 8601). */
  from: string;
}

export const DEFAULT_QUERY = '{namespace="{{namespace}}"}';
export const DEFAULT_DATASOURCE = 'Loki';
const FALLBACK_FROM = 'now-1h';

/**
 * The Kubernetes namespace the job deploys to: explicit first, then GitLab Auto DevOps'
 * convention (`<project>-production`, `<project>` for dev, `<project>-<ref slug>` for review).
 */
export function namespaceFor(
  ctx: CiContext,
  label: string | undefined,
  override?: string,
): string | undefined {
  const explicit = override ?? ctx.namespace;
  if (explicit) return explicit;
  const project = ctx.project.name;
  if (!project) return undefined;
  switch (envKind(label)) {
    case 'production':
      return `${project}-production`;
    case 'dev':
      return project;
    case 'review': {
      const slug = ctx.ref.slug ?? (ctx.ref.name ? slugify(ctx.ref.name) : undefined);
      return slug ? `${project}-${slug}` : project;
    }
  }
}

/** Grafana's `from`: the pipeline's or job's start in epoch milliseconds, or a literal. */
export function rangeStart(ctx: CiContext, from: string): string {
  const pipeline = ctx.pipeline.startedAt;
  const job = ctx.job.startedAt;
  const iso = from === 'pipeline' ? (pipeline ?? job) : from === 'job' ? (job ?? pipeline) : null;
  if (iso === null) return from;
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? String(ms) : FALLBACK_FROM;
}

/** A LogQL string literal may not hold a bare quote or backslash. */
function logqlValue(value: string): string {
  return value.replace(/[\\"]/g, '\\$&');
}

export function expandQuery(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
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
  const panes = {
    a: {
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
  const expr = expandQuery(template, {
    namespace: namespace ?? '',
    project: ctx.project.name ?? '',
    environment: label ?? '',
    ref_slug: ctx.ref.slug ?? slugify(ctx.ref.name ?? ''),
  });
  return exploreUrl(grafanaUrl, settings.datasource, expr, rangeStart(ctx, settings.from));
}
