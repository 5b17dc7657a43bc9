// What the chat tools' tests share: the settings and reports they render (one job's start,
// failure and success, a pipeline's summary), hostile input for every field, an answer to judge,
// and a delivery through the real transport.
import { expect } from 'vitest';
import { ChatHttpError } from '../../../src/errors.ts';
import type { Mention } from '../../../src/mentions.ts';
import { nodeTransport } from '../../../src/platform/node-http.ts';
import type { HttpResponse } from '../../../src/platform/types.ts';
import {
  buildReport,
  buildSummaryReport,
  type Event,
  type MessageSettings,
  type Report,
} from '../../../src/report.ts';
import type { Status } from '../../../src/status.ts';
import { summarise, type PipelineJob } from '../../../src/summary.ts';
import type { Target } from '../../../src/targets/types.ts';
import { send } from '../../../src/webhook.ts';
import { contextWith, featureBranch, JOB_URL, mainPush, PROJECT_URL } from '../sample-context.ts';

export const settings: MessageSettings = {
  environment: { map: [] },
  logs: { grafanaUrlMap: [], datasource: 'Loki', from: 'pipeline' },
};

export const start: Event = { kind: 'start' };
export const finish = (status: Status, duration = '1m 2s'): Event => ({
  kind: 'finish',
  status,
  duration,
});

/** A job's start on main, its failure on a feature branch (calling `mentions`), its success. */
export const startReport = buildReport(mainPush, start, settings);
export const failure = (mentions: Mention[] = []) =>
  buildReport(featureBranch, finish('failed'), settings, { mentions });
export const success = buildReport(
  contextWith({ environment: { name: 'production', url: 'https://chat.example.com' } }),
  finish('success', '5m 2s'),
  settings,
);

export const NOW = Date.parse('2026-11-22T10:12:05Z');
export const jobUrl = (id: number) => `${PROJECT_URL}/-/jobs/${id}`;
export const job = (
  id: number,
  name: string,
  stage: string,
  status: PipelineJob['status'],
  more = {},
) =>
  ({ id, name, stage, status, url: jobUrl(id), durationMs: 61_000, ...more }) satisfies PipelineJob;

/** 3 stages, 7 jobs (compile as its retry): a manual job, an allowed failure, a real failure. */
export const SEVEN = [
  job(8, 'compile', 'build', 'success'),
  job(2, 'image', 'build', 'success'),
  job(3, 'unit', 'test', 'success'),
  job(4, 'lint', 'test', 'failed', { allowFailure: true }),
  job(5, 'e2e', 'test', 'manual', { durationMs: undefined }),
  job(6, 'deploy', 'deploy', 'failed'),
  job(7, 'smoke', 'deploy', 'skipped', { durationMs: undefined }),
];

/** The pipeline's summary of `jobs`; `more` when the CI had more than were read. */
export const summaryOf = (jobs: PipelineJob[], more = false): Report =>
  buildSummaryReport(mainPush, summarise({ jobs, source: 'api', nowMs: NOW, more }), settings);

/** A URL of about 2,000 characters: a few of them fill a payload. */
export const longUrl = (i: number) => `https://gitlab.example.com/${'p'.repeat(1_900)}/-/jobs/${i}`;

/** A failure whose small print is `facts` lines of `value`, each linked to a long URL or not. */
export const factsReport = (facts: number, value: string, linked: boolean): Report => ({
  tone: 'failed',
  headline: ['the ', { name: 'pipeline' }, ' failed'],
  headlineTail: [],
  mentions: [],
  facts: Array.from({ length: facts }, (_, i) => [
    { link: linked ? longUrl(i) : undefined, label: [{ value, max: 300 }] },
  ]),
  links: [{ url: JOB_URL, label: ['View failed job'] }],
  keys: {},
});

/** `value` in every field the CI gives; links to the CI's own pages, or to `javascript:`. */
function hostileContext(value: string, linked: boolean) {
  const url = (path: string) =>
    linked ? `https://gitlab.example.com/${path}` : 'javascript:alert(1)';
  return contextWith({
    project: { name: value, path: value, url: url('p') },
    ref: { name: value },
    environment: { name: value, url: url('env') },
    user: value,
    userUrl: url('u'),
    version: value,
    commit: { shortSha: value, title: value, author: value, url: url('c') },
    pipeline: { id: value, url: url('pl') },
    job: { name: value, stage: value, url: url('j') },
    change: {
      kind: 'merge_request',
      number: value.slice(0, 20),
      title: value,
      author: value,
      url: url('mr'),
      authorUrl: url('a'),
    },
  });
}

/**
 * `value` everywhere: every field of the context, a name to call, two jobs of a summary (one
 * unlinked) and the pipeline's key; links to the CI's own pages, or to `javascript:`.
 */
function hostileReport(value: string, linked: boolean, event: Event): Report {
  const report = buildReport(hostileContext(value, linked), event, settings, {
    mentions: [{ kind: 'name', name: value }],
  });
  report.summary = summarise({
    jobs: [job(1, value, value, 'failed'), job(2, value, value, 'success', { url: undefined })],
    source: 'api',
    nowMs: NOW,
  });
  report.keys = { pipeline: value };
  return report;
}

/**
 * For each named hostile value, a job's start, failure and success with the value everywhere,
 * once with links to the CI's own pages and once with links to `javascript:`.
 */
export const hostileCases = (values: ReadonlyArray<[string, string]>): Array<[string, Report]> =>
  values.flatMap(([what, value]) =>
    (
      [
        ['start', start],
        ['failure', finish('failed')],
        ['success', finish('success')],
      ] as const
    ).flatMap(([name, event]) =>
      [false, true].map((linked): [string, Report] => [
        `${what}: ${name}${linked ? ', linked' : ''}`,
        hostileReport(value, linked, event),
      ]),
    ),
  );

/** `count` jobs in `stages` stages, every `failEvery`th failed from the first, with long names. */
export const manyJobs = (count: number, stages: number, failEvery: number) =>
  Array.from({ length: count }, (_, i) =>
    job(
      i + 1,
      `job-${i + 1}-${'n'.repeat(40)}`,
      `stage-${i % stages}`,
      i % failEvery ? 'success' : 'failed',
    ),
  );

/** 60,000 characters of one. */
const huge = (text: string) => text.repeat(60_000);

/**
 * A start, a failure, a success and a summary of `jobs` jobs, `hostile` in every field and each
 * `flood` (`@everyone `, `#`) 60,000 times over where a field is long: every link unusable.
 */
export function hostileReports(
  hostile: string,
  flood: { ref: string; commitTitle: string; changeTitle: string; jobName: string },
  pipelineId: string,
  jobs: number,
): Array<[string, Report]> {
  const ctx = contextWith({
    project: { name: `# ${hostile}`, url: 'javascript:alert(1)' },
    version: hostile,
    user: `- ${hostile}`,
    userUrl: 'javascript:alert(1)',
    ref: { name: huge(flood.ref) },
    commit: {
      shortSha: '1. x',
      title: huge(flood.commitTitle),
      author: hostile,
      url: 'javascript:alert(1)',
    },
    change: {
      kind: 'merge_request',
      number: '1',
      title: huge(flood.changeTitle),
      url: 'javascript:alert(1)',
      author: hostile,
    },
    pipeline: { id: pipelineId, url: 'javascript:alert(1)' },
    job: { name: `${hostile}${huge(flood.jobName)}`, stage: hostile, url: 'javascript:alert(1)' },
    environment: { name: hostile, url: 'javascript:alert(1)' },
  });
  const mentions: Mention[] = [
    { kind: 'name', name: hostile },
    { kind: 'name', name: huge('@') },
  ];
  const summary = summarise({
    jobs: Array.from({ length: jobs }, (_, i) => ({
      id: i,
      name: `${hostile} ${huge('`')}`,
      stage: i % 2 ? hostile : `- ${huge('|')}`,
      status: i % 3 ? 'success' : 'failed',
      url: 'javascript:alert(1)',
    })),
    source: 'api',
    nowMs: NOW,
  });
  return [
    ['a start', buildReport(ctx, start, settings, { mentions })],
    [
      'a failure',
      buildReport(ctx, { kind: 'finish', status: 'failed', duration: hostile }, settings, {
        mentions,
      }),
    ],
    ['a success', buildReport(ctx, { kind: 'finish', status: 'success' }, settings, { mentions })],
    ['a summary', buildSummaryReport(ctx, summary, settings, { mentions })],
  ];
}

/** A failure with `hostile` in the fields whose links stay the CI's own. */
export const linkedHostile = (hostile: string): Report =>
  buildReport(
    contextWith({
      project: { name: hostile },
      user: hostile,
      commit: { title: hostile, author: hostile },
      job: { name: hostile, stage: hostile },
      pipeline: { id: hostile },
    }),
    finish('failed'),
    settings,
  );

/**
 * What a Markdown tool would read as markup in `bare`, a text whose escapes are already taken
 * out: each of `checks` that matches, once notify's own markup (bold, and links to `known`
 * URLs) is taken out too.
 */
export function findMarkup(
  bare: string,
  known: readonly string[],
  checks: ReadonlyArray<readonly [RegExp, string]>,
): string[] {
  let rest = bare;
  for (const url of known) rest = rest.split(`](${url})`).join('·');
  rest = rest.replace(/\[/g, '·').replace(/\*\*/g, '');
  return checks.filter(([pattern]) => pattern.test(rest)).map(([, what]) => what);
}

/** An answer to judge; a body that is not a string is sent as JSON. */
export const answer = (statusCode: number, body: unknown = '', headers = {}, complete = true) =>
  ({
    statusCode,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    complete,
  }) satisfies HttpResponse;

/** The error `judge` fails with for good: a ChatHttpError of the answer's status, in one line. */
export function failureOf(judge: Target['judge'], response: HttpResponse): ChatHttpError {
  const verdict = judge(response, 1);
  expect(verdict.kind).toBe('fail');
  if (verdict.kind !== 'fail') throw new Error(verdict.kind);
  expect(verdict.error).toBeInstanceOf(ChatHttpError);
  const error = verdict.error as ChatHttpError;
  expect(error.statusCode).toBe(response.statusCode);
  expect(error.message).not.toMatch(/\n/);
  return error;
}

/** A report sent to `url` through the real transport, as notify sends it. */
export const sendTo = (target: Target, url: string, report: Report, previousId?: string) =>
  send({
    target,
    url: new URL(url),
    report,
    ...(previousId ? { previousId } : {}),
    timeoutMs: 10_000,
    env: {},
    transport: nodeTransport({}),
    random: () => 0,
  });
