import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../src/context.ts';
import {
  DEFAULT_DATASOURCE,
  expandQuery,
  exploreUrl,
  namespaceFor,
  rangeStart,
  runtimeLogsUrl,
  type LogsSettings,
} from '../../src/links.ts';
import { contextWith, mainPush } from './sample-context.ts';

/** The Explore state a Grafana link carries, decoded the way Grafana reads it. */
function panesOf(url: string) {
  const parsed = new URL(url);
  const panes = parsed.searchParams.get('panes');
  expect(panes).not.toBeNull();
  return {
    base: `${parsed.origin}${parsed.pathname}`,
    schemaVersion: parsed.searchParams.get('schemaVersion'),
    panes: JSON.parse(panes as string) as Record<
      string,
      {
        datasource: string;
        queries: Array<{ refId: string; expr: string; datasource: { type: string; uid: string } }>;
        range: { from: string; to: string };
      }
    >,
  };
}

const PIPELINE_MS = String(Date.parse('2025-05-01T09:14:03Z'));
const JOB_MS = String(Date.parse('2025-05-01T09:20:41Z'));

const logs = (over: Partial<LogsSettings> = {}): LogsSettings => ({
  grafanaUrlMap: [],
  datasource: DEFAULT_DATASOURCE,
  from: 'pipeline',
  ...over,
});

describe('namespaceFor', () => {
  const review = contextWith({ ref: { name: 'feature/login', slug: 'feature-login' } });

  it.each<[string, CiContext, string | undefined, string | undefined, string | undefined]>([
    [
      'KUBE_NAMESPACE',
      { ...mainPush, namespace: 'chat-42-production' },
      'production',
      undefined,
      'chat-42-production',
    ],
    [
      'the override wins over KUBE_NAMESPACE',
      { ...mainPush, namespace: 'from-ci' },
      'production',
      'mine',
      'mine',
    ],
    ['the override without KUBE_NAMESPACE', mainPush, 'production', 'mine', 'mine'],
    [
      'production: <project>-production',
      mainPush,
      'production',
      undefined,
      'chat-server-production',
    ],
    ['prod is production too', mainPush, 'prod', undefined, 'chat-server-production'],
    ['dev: <project>', mainPush, 'dev', undefined, 'chat-server'],
    ['develop: <project>', mainPush, 'develop', undefined, 'chat-server'],
    [
      'review: <project>-<ref slug>',
      review,
      'feature/login',
      undefined,
      'chat-server-feature-login',
    ],
    [
      'review without CI_COMMIT_REF_SLUG slugs the ref itself',
      contextWith({ ref: { name: 'Feature/Login_2', slug: undefined } }),
      'Feature/Login_2',
      undefined,
      'chat-server-feature-login-2',
    ],
    [
      'review without a ref: <project>',
      contextWith({ ref: { name: undefined, slug: undefined } }),
      undefined,
      undefined,
      'chat-server',
    ],
    [
      'no project, no convention',
      contextWith({ project: { name: undefined } }),
      'production',
      undefined,
      undefined,
    ],
  ])('%s', (_name, ctx, label, override, expected) => {
    expect(namespaceFor(ctx, label, override)).toBe(expected);
  });
});

describe('rangeStart', () => {
  const onlyJob = contextWith({ pipeline: { startedAt: undefined } });
  const onlyPipeline = contextWith({ job: { startedAt: undefined } });
  const neither = contextWith({
    pipeline: { startedAt: undefined },
    job: { startedAt: undefined },
  });
  const garbage = contextWith({ pipeline: { startedAt: 'yesterday-ish' } });

  it.each<[string, CiContext, string, string]>([
    ['pipeline: its start in epoch ms', mainPush, 'pipeline', PIPELINE_MS],
    ['job: its start in epoch ms', mainPush, 'job', JOB_MS],
    ['pipeline falls back to the job start', onlyJob, 'pipeline', JOB_MS],
    ['job falls back to the pipeline start', onlyPipeline, 'job', PIPELINE_MS],
    // Without a start time the link still opens on something useful.
    ['pipeline with no start time at all', neither, 'pipeline', 'now-1h'],
    ['an invalid date', garbage, 'pipeline', 'now-1h'],
    ['a Grafana relative time is kept', mainPush, 'now-6h', 'now-6h'],
    ['epoch milliseconds are kept', mainPush, '1746090843000', '1746090843000'],
    [
      'an ISO date is kept for Grafana to read',
      mainPush,
      '2025-05-01T00:00:00Z',
      '2025-05-01T00:00:00Z',
    ],
  ])('%s', (_name, ctx, from, expected) => {
    expect(rangeStart(ctx, from)).toBe(expected);
  });
});

describe('expandQuery', () => {
  it.each<[string, string, string]>([
    [
      'fills the placeholders',
      '{namespace="{{namespace}}", app="{{ project }}"}',
      '{namespace="ns", app="chat-server"}',
    ],
    ['leaves unknown placeholders alone', '{job="{{job}}"}', '{job="{{job}}"}'],
    // Object.prototype's members are not placeholders.
    [
      'a placeholder named like an Object member is unknown',
      '{a="{{constructor}}", b="{{toString}}"}',
      '{a="{{constructor}}", b="{{toString}}"}',
    ],
  ])('%s', (_name, template, expected) => {
    expect(expandQuery(template, { namespace: 'ns', project: 'chat-server' })).toBe(expected);
  });

  it('escapes quotes and backslashes so a value cannot end the LogQL string', () => {
    expect(expandQuery('{app="{{project}}"}', { project: 'a"b\\c' })).toBe('{app="a\\"b\\\\c"}');
  });
});

describe('exploreUrl', () => {
  it('encodes an Explore pane Grafana can open', () => {
    const url = exploreUrl(
      'https://grafana.example.com/',
      'loki-prod',
      '{namespace="chat"} |= "error"',
      PIPELINE_MS,
    );
    expect(panesOf(url)).toEqual({
      base: 'https://grafana.example.com/explore',
      schemaVersion: '1',
      panes: {
        a: {
          datasource: 'loki-prod',
          queries: [
            {
              refId: 'A',
              expr: '{namespace="chat"} |= "error"',
              queryType: 'range',
              datasource: { type: 'loki', uid: 'loki-prod' },
            },
          ],
          range: { from: PIPELINE_MS, to: 'now' },
        },
      },
    });
  });

  it('keeps a Grafana served under a sub-path', () => {
    const url = exploreUrl(
      'https://ops.example.com/grafana//',
      'Loki',
      '{a="b"}',
      'now-1h',
      'now-5m',
    );
    const { base, panes } = panesOf(url);
    expect(base).toBe('https://ops.example.com/grafana/explore');
    expect(panes.a?.range).toEqual({ from: 'now-1h', to: 'now-5m' });
  });

  it('keeps the query of the Grafana URL, such as its organisation', () => {
    const url = exploreUrl('https://grafana.example.com/?orgId=2', 'Loki', '{a="b"}', 'now-1h');
    expect(new URL(url).searchParams.get('orgId')).toBe('2');
    expect(panesOf(url).panes.a?.queries[0]?.expr).toBe('{a="b"}');
  });

  it('keeps & and # in the query from breaking the URL', () => {
    const expr = '{a="x&panes=evil#frag"}';
    const url = exploreUrl('https://grafana.example.com', 'Loki', expr, 'now-1h');
    expect(new URL(url).hash).toBe('');
    expect(panesOf(url).panes.a?.queries[0]?.expr).toBe(expr);
  });
});

describe('runtimeLogsUrl', () => {
  const prodCtx = { ...mainPush, namespace: undefined };

  it('links the namespace of the environment from the start of the pipeline', () => {
    const url = runtimeLogsUrl(
      prodCtx,
      'production',
      logs({ grafanaUrl: 'https://grafana.example.com/' }),
    );
    const { base, panes } = panesOf(url as string);
    expect(base).toBe('https://grafana.example.com/explore');
    expect(panes.a?.datasource).toBe('Loki');
    expect(panes.a?.queries[0]?.expr).toBe('{namespace="chat-server-production"}');
    expect(panes.a?.range).toEqual({ from: PIPELINE_MS, to: 'now' });
  });

  it.each<[string, string | undefined, string]>([
    ['production', 'production', 'https://grafana.prod.example.com/explore'],
    ['dev', 'dev', 'https://grafana.dev.example.com/explore'],
    [
      'a label the map does not name falls back to the single URL',
      'feature/login',
      'https://grafana.example.com/explore',
    ],
  ])('per-environment Grafana: %s', (_name, label, expected) => {
    const settings = logs({
      grafanaUrl: 'https://grafana.example.com/',
      grafanaUrlMap: [
        ['production', 'https://grafana.prod.example.com/'],
        ['dev', 'https://grafana.dev.example.com/'],
      ],
    });
    expect(panesOf(runtimeLogsUrl(prodCtx, label, settings) as string).base).toBe(expected);
  });

  it('uses the datasource, query template, namespace override and range it is given', () => {
    const settings = logs({
      grafanaUrl: 'https://grafana.example.com/',
      datasource: 'P8E80F9AEF21F6940',
      query:
        '{namespace="{{namespace}}", app="{{project}}", env="{{environment}}", ref="{{ref_slug}}"}',
      namespace: 'chat',
      from: 'job',
    });
    const ctx = contextWith({ ref: { name: 'feature/login', slug: undefined } });
    const { panes } = panesOf(runtimeLogsUrl(ctx, 'review', settings) as string);
    expect(panes.a?.queries[0]).toEqual({
      refId: 'A',
      expr: '{namespace="chat", app="chat-server", env="review", ref="feature-login"}',
      queryType: 'range',
      datasource: { type: 'loki', uid: 'P8E80F9AEF21F6940' },
    });
    expect(panes.a?.range.from).toBe(JOB_MS);
  });

  it.each<[string, CiContext, LogsSettings]>([
    ['no Grafana configured', prodCtx, logs()],
    [
      'no Grafana for this environment',
      prodCtx,
      logs({ grafanaUrlMap: [['dev', 'https://grafana.dev.example.com/']] }),
    ],
    // A query for `namespace=""` would match nothing: better no link than a misleading one.
    [
      'no namespace for a query that needs one',
      contextWith({ project: { name: undefined } }),
      logs({ grafanaUrl: 'https://grafana.example.com/' }),
    ],
  ])('undefined when %s', (_name, ctx, settings) => {
    expect(runtimeLogsUrl(ctx, 'production', settings)).toBeUndefined();
  });

  it('links a query that needs no namespace even without one', () => {
    const ctx = contextWith({ project: { name: undefined } });
    const settings = logs({
      grafanaUrl: 'https://grafana.example.com/',
      query: '{cluster="prod"}',
    });
    expect(
      panesOf(runtimeLogsUrl(ctx, 'production', settings) as string).panes.a?.queries[0]?.expr,
    ).toBe('{cluster="prod"}');
  });
});
