import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../src/context.ts';
import {
  DEFAULT_DATASOURCE,
  expandQuery,
  exploreUrl,
  namespaceFor,
  parseLogsFrom,
  QUERY_PLACEHOLDERS,
  rangeStart,
  runtimeLogsUrl,
  unknownPlaceholders,
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
  const named = (name: string) => contextWith({ project: { name }, ref: { slug: undefined } });

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
    // A GitHub repository keeps its capitals; a namespace may not.
    [
      'a project name is lowercased',
      named('Hello-World'),
      'production',
      undefined,
      'hello-world-production',
    ],
    [
      'dev: the project name made valid',
      named('Hello_World.js'),
      'dev',
      undefined,
      'hello-world-js',
    ],
    ['a run of invalid characters is one hyphen', named('a -- b__c'), 'dev', undefined, 'a-b-c'],
    ['no leading or trailing hyphen', named('_chat.server_'), 'dev', undefined, 'chat-server'],
    ['unicode is not a name character', named('Café Übersicht'), 'dev', undefined, 'caf-bersicht'],
    [
      'a project of nothing usable has no convention',
      named('日本語'),
      'production',
      undefined,
      undefined,
    ],
    ['nor does one of only punctuation', named('...'), 'dev', undefined, undefined],
    [
      'a review of a branch with nothing usable is the project',
      contextWith({ ref: { name: '日本語', slug: undefined } }),
      'review',
      undefined,
      'chat-server',
    ],
    [
      'a long branch is cut to 63 characters',
      contextWith({ ref: { name: `feature/${'x'.repeat(100)}`, slug: undefined } }),
      'review',
      undefined,
      `chat-server-feature-${'x'.repeat(43)}`,
    ],
    [
      'a cut does not end on a hyphen',
      contextWith({ ref: { name: `${'x'.repeat(51)}/login`, slug: undefined } }),
      'review',
      undefined,
      `chat-server-${'x'.repeat(51)}`,
    ],
    [
      "GitLab's 63-character slug does not fit after the project",
      contextWith({ ref: { name: 'x', slug: 's'.repeat(63) } }),
      'review',
      undefined,
      `chat-server-${'s'.repeat(51)}`,
    ],
    ['a long project is cut too', named('p'.repeat(100)), 'production', undefined, 'p'.repeat(63)],
    [
      'a slug from the CI is made valid like the rest',
      contextWith({ project: { name: 'Chat' }, ref: { name: 'x', slug: 'Feature_Login' } }),
      'review',
      undefined,
      'chat-feature-login',
    ],
    // An explicit namespace names one that exists: it is not ours to change.
    ['an override is used as given', named('Hello-World'), 'production', 'Team_NS.1', 'Team_NS.1'],
    [
      'KUBE_NAMESPACE is used as given',
      { ...named('Hello-World'), namespace: `Ns-${'n'.repeat(100)}` },
      'production',
      undefined,
      `Ns-${'n'.repeat(100)}`,
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
    ['now is kept', mainPush, 'now', 'now'],
    ['a rounded relative time is kept', mainPush, 'now-1d/d', 'now-1d/d'],
    // The same epoch milliseconds the settings turn it into, so the link is the same either way.
    ['an ISO date-time is epoch ms', mainPush, '2025-05-01T09:14:03Z', PIPELINE_MS],
    ['an ISO date is epoch ms', mainPush, '2025-05-01', String(Date.UTC(2025, 4, 1))],
    ['a value that is no time opens the last hour', mainPush, 'yesterday', 'now-1h'],
  ])('%s', (_name, ctx, from, expected) => {
    expect(rangeStart(ctx, from)).toBe(expected);
  });

  it.each(['pipeline', 'job', 'now-6h', '1746090843000', '2025-05-01T09:14:03+02:00'])(
    '%s: the same as what parseLogsFrom makes of it',
    (from) => {
      expect(rangeStart(mainPush, from)).toBe(rangeStart(mainPush, parseLogsFrom(from) as string));
    },
  );
});

describe('parseLogsFrom', () => {
  const ms = (iso: string) => String(Date.parse(iso));

  it.each<[string, string, string]>([
    ['the pipeline start', 'pipeline', 'pipeline'],
    ['the job start', 'job', 'job'],
    ['now', 'now', 'now'],
    ['seconds ago', 'now-30s', 'now-30s'],
    ['minutes ago', 'now-15m', 'now-15m'],
    ['hours ago', 'now-6h', 'now-6h'],
    ['days ago', 'now-2d', 'now-2d'],
    ['weeks ago', 'now-1w', 'now-1w'],
    ['months ago (capital M)', 'now-3M', 'now-3M'],
    ['years ago', 'now-1y', 'now-1y'],
    ['rounded to the day', 'now-1d/d', 'now-1d/d'],
    ['rounded without an offset', 'now/w', 'now/w'],
    ['epoch ms, 13 digits', '1746090843000', '1746090843000'],
    ['epoch ms, 10 digits', '1746090843', '1746090843'],
    ['an ISO date-time in UTC', '2026-11-21T10:00:00Z', ms('2026-11-21T10:00:00Z')],
    ['with an offset', '2026-11-21T10:00:00+02:00', ms('2026-11-21T08:00:00Z')],
    ['with a negative offset', '2026-11-21T10:00:00-05:30', ms('2026-11-21T15:30:00Z')],
    ['with a basic offset', '2026-11-21T10:00:00+0200', ms('2026-11-21T08:00:00Z')],
    ['with milliseconds', '2026-11-21T10:00:00.250Z', ms('2026-11-21T10:00:00.250Z')],
    [
      'with nanoseconds, cut to ms',
      '2026-11-21T10:00:00,123456789Z',
      ms('2026-11-21T10:00:00.123Z'),
    ],
    ['without seconds', '2026-11-21T10:00Z', ms('2026-11-21T10:00:00Z')],
    ['a plain date is midnight UTC', '2026-11-21', ms('2026-11-21T00:00:00Z')],
    ['a leap day', '2028-02-29', ms('2028-02-29T00:00:00Z')],
    ['the epoch itself', '1970-01-01T00:00:00Z', '0'],
  ])('%s: %s -> %s', (_name, value, expected) => {
    expect(parseLogsFrom(value)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    'Pipeline',
    'JOB',
    'yesterday',
    'now-',
    'now-1',
    'now-h',
    'now+1h',
    'now-1x',
    'now-1H',
    'now-1d/',
    'now-1d/dd',
    ' now-1h',
    'now-1h ',
    '-now-1h',
    '174609084',
    '17460908430000',
    '-1746090843000',
    '1746090843000.5',
    '2026-11-21T10:00:00',
    '2026-11-21 10:00:00Z',
    '2026-11-21T10:00:00+2',
    '2026-02-30',
    '2026-13-01',
    '2026-11-21T24:00:00Z',
    '2026-11-21T10:60:00Z',
    '2026-11-21T10:00:60Z',
    '2026-11-21T10:00:00+24:00',
    '1969-12-31T23:59:59Z',
    '21/11/2026',
    'Sat, 21 Nov 2026 10:00:00 GMT',
    'toString',
  ])('%j is not a start time', (value) => {
    expect(parseLogsFrom(value)).toBeUndefined();
  });
});

describe('unknownPlaceholders', () => {
  it('names the supported placeholders', () => {
    expect(QUERY_PLACEHOLDERS).toEqual(['namespace', 'project', 'environment', 'ref_slug']);
  });

  it.each<[string, string, string[]]>([
    ['the default query', '{namespace="{{namespace}}"}', []],
    [
      'all supported ones',
      '{ns="{{namespace}}", app="{{project}}", env="{{environment}}", ref="{{ref_slug}}"}',
      [],
    ],
    ['spaces inside the braces', '{namespace="{{ namespace }}"}', []],
    ['no placeholder at all', '{cluster="prod"}', []],
    ['a typo', '{namespace="{{namesapce}}"}', ['namesapce']],
    ['case matters', '{app="{{Project}}"}', ['Project']],
    ['each once, in order', '{a="{{job}}", b="{{stage}}", c="{{job}}"}', ['job', 'stage']],
    [
      'Object members are unknown too',
      '{a="{{constructor}}", b="{{toString}}"}',
      ['constructor', 'toString'],
    ],
    // LogQL's own Go templates are not placeholders.
    ['a line_format field', '{app="x"} | line_format "{{.message}}"', []],
    ['a line_format built-in', '{app="x"} | line_format "{{ __line__ }}"', []],
    ['template keywords', '{app="x"} | line_format "{{ if .err }}E{{ else }}-{{ end }}"', []],
    ['not a placeholder: no name', '{a="{{}}", b="{{ }}"}', []],
  ])('%s', (_name, template, expected) => {
    expect(unknownPlaceholders(template)).toEqual(expected);
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
        nfy: {
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

  it('uses a pane id Grafana keeps: three of [0-9a-z], not all digits', () => {
    const { panes } = panesOf(
      exploreUrl('https://grafana.example.com', 'Loki', '{a="b"}', 'now-1h'),
    );
    const ids = Object.keys(panes);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^(?![0-9]{3}$)[0-9a-z]{3}$/);
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
    expect(panes.nfy?.range).toEqual({ from: 'now-1h', to: 'now-5m' });
  });

  it('keeps the query of the Grafana URL, such as its organisation', () => {
    const url = exploreUrl('https://grafana.example.com/?orgId=2', 'Loki', '{a="b"}', 'now-1h');
    expect(new URL(url).searchParams.get('orgId')).toBe('2');
    expect(panesOf(url).panes.nfy?.queries[0]?.expr).toBe('{a="b"}');
  });

  it('keeps & and # in the query from breaking the URL', () => {
    const expr = '{a="x&panes=evil#frag"}';
    const url = exploreUrl('https://grafana.example.com', 'Loki', expr, 'now-1h');
    expect(new URL(url).hash).toBe('');
    expect(panesOf(url).panes.nfy?.queries[0]?.expr).toBe(expr);
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
    expect(panes.nfy?.datasource).toBe('Loki');
    expect(panes.nfy?.queries[0]?.expr).toBe('{namespace="chat-server-production"}');
    expect(panes.nfy?.range).toEqual({ from: PIPELINE_MS, to: 'now' });
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
    expect(panes.nfy?.queries[0]).toEqual({
      refId: 'A',
      expr: '{namespace="chat", app="chat-server", env="review", ref="feature-login"}',
      queryType: 'range',
      datasource: { type: 'loki', uid: 'P8E80F9AEF21F6940' },
    });
    expect(panes.nfy?.range.from).toBe(JOB_MS);
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
      panesOf(runtimeLogsUrl(ctx, 'production', settings) as string).panes.nfy?.queries[0]?.expr,
    ).toBe('{cluster="prod"}');
  });
});
