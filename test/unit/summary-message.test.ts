import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../src/context.ts';
import type { MessageSettings } from '../../src/report.ts';
import { jobLine, packLines } from '../../src/targets/slack-summary.ts';
import { buildSummaryMessage } from '../../src/targets/slack.ts';
import { countsLine, summarise, type PipelineJob } from '../../src/summary.ts';
import { blockKitProblems } from '../helpers/block-kit.ts';

const settings: MessageSettings = {
  environment: { map: [] },
  logs: { grafanaUrlMap: [], datasource: 'Loki', from: 'pipeline' },
};

const ctx: CiContext = {
  provider: 'gitlab',
  project: {
    name: 'chat-server',
    path: 'team/chat-server',
    url: 'https://gitlab.example.com/team/chat-server',
  },
  ref: { name: 'v5.3.25', isTag: true },
  version: 'v5.3.25',
  environment: { name: 'production', url: 'https://chat.example.com' },
  user: 'jiyoung',
  userUrl: 'https://gitlab.example.com/jiyoung',
  commit: { sha: 'e83c5163316f89bfbde7d9ab23ca2e25604af290', shortSha: 'e83c5163' },
  pipeline: {
    id: '812',
    url: 'https://gitlab.example.com/team/chat-server/-/pipelines/812',
    startedAt: '2026-11-22T10:00:00Z',
  },
  job: { id: '9', name: 'notify', stage: '.post' },
};

const NOW = Date.parse('2026-11-22T10:12:05Z');
const url = (id: number) => `https://gitlab.example.com/team/chat-server/-/jobs/${id}`;
const job = (id: number, name: string, stage: string, status: PipelineJob['status'], more = {}) =>
  ({ id, name, stage, status, url: url(id), durationMs: 61_000, ...more }) satisfies PipelineJob;

/** 3 stages, 7 jobs (compile as its retry): a manual job, an allowed failure, a real failure. */
const SEVEN = [
  job(8, 'compile', 'build', 'success'),
  job(2, 'image', 'build', 'success'),
  job(3, 'unit', 'test', 'success'),
  job(4, 'lint', 'test', 'failed', { allowFailure: true }),
  job(5, 'e2e', 'test', 'manual', { durationMs: undefined }),
  job(6, 'deploy', 'deploy', 'failed'),
  job(7, 'smoke', 'deploy', 'skipped', { durationMs: undefined }),
];

describe('jobLine', () => {
  it.each<[string, PipelineJob, boolean, string]>([
    [
      'a passed job with its link and duration',
      job(3, 'unit', 'test', 'success'),
      false,
      `:white_check_mark: <${url(3)}|unit>  1m 1s`,
    ],
    [
      'a failure names its stage',
      job(6, 'deploy', 'deploy', 'failed'),
      true,
      `:x: <${url(6)}|deploy>  at stage deploy  1m 1s`,
    ],
    [
      'an allowed failure is a warning',
      job(4, 'lint', 'test', 'failed', { allowFailure: true }),
      false,
      `:warning: <${url(4)}|lint>  1m 1s  (allowed to fail)`,
    ],
    ['a manual job says so', { name: 'e2e', status: 'manual' }, false, ':hand: e2e  manual'],
    [
      'a skipped job says so',
      { name: 'smoke', status: 'skipped' },
      false,
      ':heavy_minus_sign: smoke  skipped',
    ],
    [
      'a trigger job stands for its pipeline',
      { name: 'child', status: 'success', downstream: true, url: url(70) },
      false,
      `:white_check_mark: <${url(70)}|child>  (downstream pipeline)`,
    ],
    [
      'a name is text, never markup',
      { name: '<!channel> *x*', status: 'failed', stage: 'a&b', url: 'javascript:alert(1)' },
      true,
      ':x: &lt;!channel&gt; *x*  at stage a&amp;b',
    ],
  ])('%s', (_name, input, withStage, line) => {
    expect(jobLine(input, withStage)).toBe(line);
  });
});

describe('packLines', () => {
  it('keeps every section within 3,000 characters and counts what is left out', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(90)}`);
    const sections = packLines(lines, 3);
    expect(sections).toHaveLength(3);
    for (const section of sections) expect(section.length).toBeLessThanOrEqual(3000);
    const shown = sections
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('line ')).length;
    expect(sections.at(-1)).toMatch(new RegExp(`…and ${500 - shown} more$`));
  });

  it('everything, when it fits', () => {
    expect(packLines(['a', 'b'], 8)).toEqual(['a\nb']);
  });
});

describe('buildSummaryMessage', () => {
  const summary = summarise({
    jobs: SEVEN,
    source: 'api',
    pipelineStartedAt: ctx.pipeline.startedAt,
    nowMs: NOW,
  });
  const payload = buildSummaryMessage(ctx, summary, settings);

  it('says the result, the version and how long the pipeline took', () => {
    expect(payload.text).toBe(
      ':x: chat-server v5.3.25 production pipeline failed in 12m 5s: deploy failed',
    );
    expect(payload.blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':x: *chat-server* *v5.3.25* *production* pipeline failed in 12m 5s',
        verbatim: true,
      },
    });
  });

  it('lists the real failure first, then every other job once, by stage', () => {
    expect(payload.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: [
          '*Failed*',
          `:x: <${url(6)}|deploy>  at stage deploy  1m 1s`,
          '*build*',
          `:white_check_mark: <${url(2)}|image>  1m 1s`,
          `:white_check_mark: <${url(8)}|compile>  1m 1s`,
          '*test*',
          `:white_check_mark: <${url(3)}|unit>  1m 1s`,
          `:warning: <${url(4)}|lint>  1m 1s  (allowed to fail)`,
          `:hand: <${url(5)}|e2e>  manual`,
          '*deploy*',
          `:heavy_minus_sign: <${url(7)}|smoke>  skipped`,
        ].join('\n'),
      },
    });
  });

  it('counts the jobs, and links the failed job, the pipeline and the profile', () => {
    const context = payload.blocks[2];
    expect(context?.type).toBe('context');
    const small = context?.type === 'context' ? context.elements.map((e) => e.text) : [];
    expect(small[0]).toBe('7 jobs: 3 passed, 1 failed, 1 allowed to fail, 1 skipped, 1 manual');
    expect(small).toContain('Started by <https://gitlab.example.com/jiyoung|jiyoung>');
    expect(payload.blocks[3]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: `<${url(6)}|View failed job>  •  <${ctx.pipeline.url}|View pipeline>`,
      },
    });
  });

  it('a pipeline that passed with an allowed failure says so, and links the deploy', () => {
    const passed = summarise({
      jobs: SEVEN.filter((j) => j.name !== 'deploy'),
      source: 'api',
      nowMs: NOW,
      pipelineStartedAt: ctx.pipeline.startedAt,
    });
    const message = buildSummaryMessage(ctx, passed, settings);
    expect(message.text).toBe(
      ':white_check_mark: chat-server v5.3.25 production pipeline succeeded in 12m 5s with 1 allowed failure',
    );
    expect(JSON.stringify(message.blocks.at(-1))).toContain(
      '<https://chat.example.com/|Open production>',
    );
  });

  it.each([100, 1000, 5000])('%i jobs still make a payload Slack takes', (count) => {
    const many = Array.from({ length: count }, (_, i) =>
      job(
        i + 1,
        `job-${i}-${'n'.repeat(60)}`,
        `stage-${i % 7}`,
        i % 13 === 0 ? 'failed' : 'success',
      ),
    );
    const big = summarise({ jobs: many, source: 'api', nowMs: NOW, more: count === 5000 });
    const message = buildSummaryMessage(ctx, big, settings);
    expect(blockKitProblems(message)).toEqual([]);
    const shown = JSON.stringify(message);
    // A hundred jobs are all listed; thousands are cut and counted.
    if (count === 100) for (const { name } of many) expect(shown).toContain(`|${name}>`);
    else expect(shown).toMatch(/…and \d+ more/);
    expect(countsLine(big)).toMatch(new RegExp(`^${count}${count === 5000 ? '\\+' : ''} jobs: `));
  });

  it('long hostile names stay text and within limits', () => {
    const hostile = Array.from({ length: 40 }, (_, i) =>
      job(i, `<!here> ${'&'.repeat(500)}`, `<@U123>${i}`, 'failed'),
    );
    const message = buildSummaryMessage(
      ctx,
      summarise({ jobs: hostile, source: 'api', nowMs: NOW }),
      settings,
    );
    expect(blockKitProblems(message)).toEqual([]);
    const all = JSON.stringify(message);
    expect(all).not.toMatch(/<!here>|<@U123>/);
  });
});
