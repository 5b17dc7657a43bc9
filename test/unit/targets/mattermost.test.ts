import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../../src/platform/types.ts';
import {
  escapeMattermost,
  judgeMattermost,
  mattermost,
  POST_LIMIT,
  renderMattermost,
  type MattermostPayload,
} from '../../../src/targets/mattermost.ts';
import { closeAfterEach } from '../../delivery/support.ts';
import {
  HOOK_KEY,
  mattermostError,
  mattermostProblems,
  mattermostRateLimited,
  startFakeMattermost,
} from '../../helpers/fake-mattermost.ts';
import { COMMIT_URL, JOB_URL, PIPELINE_URL } from '../sample-context.ts';
import {
  answer,
  failure,
  failureOf,
  findMarkup,
  hostileReports,
  job,
  jobUrl,
  linkedHostile,
  manyJobs,
  sendTo,
  SEVEN,
  startReport,
  success,
  summaryOf,
} from './support.ts';

const KEY = 'xi1nbk7kfbgnzcrdt5mpo4h9qa';

/** Every text of a payload that Mattermost draws as Markdown, and reads for mentions. */
const markdownTexts = (payload: MattermostPayload): string[] => [
  payload.text,
  ...payload.attachments.map((attachment) => attachment.text ?? ''),
];

/**
 * What Mattermost would read as markup, a mention, a hashtag or an emoji in a text, once each
 * escape is taken as the character it stands for. notify's own markup is bold names, stage
 * titles and links to `known` URLs.
 */
const markupIn = (text: string, known: readonly string[] = []): string[] =>
  findMarkup(
    text
      .replace(/\\[^A-Za-z0-9\s]/g, '·')
      .replace(/&#\d+;/g, '·')
      .replace(/@\u200b/g, '·'),
    known,
    [
      [/@\w|<!/, 'mention'],
      [/[#~]\p{L}/u, 'hashtag or channel'],
      [/:[\w+-]+:|(^|\s)([:;]'?-?[)(\][DdPpOoSsXx/|$@]|<\/?3|x-d)/im, 'emoji'],
      [/\]\(|!\[|[a-z][\w.+-]*:(\/|\p{L}|\d)|www\.|\.\p{L}{2,4}\//iu, 'link'],
      [/[*_`|~$<&\\]/, 'formatting'],
      [/^(#|>|-|\+|=|\d+[.)])/m, 'block'],
      [/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, 'control'],
    ],
  );

/** All of a payload's text together, as notify keeps it within one post. */
const size = (payload: MattermostPayload) =>
  payload.text.length +
  payload.attachments.reduce((n, a) => n + a.fallback.length + (a.text ?? '').length, 0);

describe('recognise', () => {
  it.each([
    `https://chat.example.com/hooks/${KEY}`,
    `http://mattermost.internal:8065/hooks/${KEY}`,
    `https://example.com/mattermost/hooks/${KEY}`,
    `https://chat.example.com/hooks/${KEY}/`,
    `https://chat.example.com/hooks/${KEY.toUpperCase()}`,
    `https://chat.example.com/hooks/${KEY.slice(0, 24)}`,
  ])('%s is a Mattermost webhook', (url) => {
    const why = mattermost.recognise(new URL(url));
    expect(why).toBe('the path is /hooks/ and a webhook key, as Mattermost makes them');
  });

  it.each([
    `https://hooks.slack.com/hooks/${KEY}`,
    `https://x.hooks.slack.com/hooks/${KEY}`,
    'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX',
    `https://chat.example.com/hooks/commands/${KEY}`,
    `https://chat.example.com/hooks/${KEY}/extra`,
    `https://chat.example.com/hooks/abc`,
    `https://chat.example.com/hooks/${KEY}-x`,
    `https://rocket.example.com/hooks/${KEY}/${KEY}`,
    `https://chat.example.com/api/v4/hooks/incoming/${KEY}`,
    `https://discord.com/api/webhooks/123456789012345678/${KEY}`,
  ])('%s is not', (url) => {
    expect(mattermost.recognise(new URL(url))).toBeUndefined();
  });
});

describe('escapeMattermost', () => {
  it.each<[string, string]>([
    ['deploy-prod', 'deploy-prod'],
    ['v5.3.25', 'v5.3.25'],
    ['fix: the (odd) case!', 'fix: the (odd) case!'],
    ['**bold** _it_ `code` [x](y) a|b', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[x\\](y) a\\|b'],
    ['@here @channel @all @jiyoung', '@\u200bhere @\u200bchannel @\u200ball @\u200bjiyoung'],
    ['~town-square #release', '&#126;town-square &#35;release'],
    [':rocket: :) ;) <3 x-d X-D', '&#58;rocket: &#58;) &#59;) &#60;3 x\u2011d X\u2011D'],
    ['https://evil.example www.evil.example', 'https&#58;//evil\\.example www\\.evil\\.example'],
    ['~~s~~ $x$ a=b R&D \\', '&#126;&#126;s&#126;&#126; &#36;x&#36; a&#61;b R&#38;D &#92;'],
    ['box-d fix-d', 'box-d fix-d'],
    ['line\nbreak\u202eflipped\u0007', 'line break flipped'],
  ])('%j -> %j', (raw, escaped) => {
    expect(escapeMattermost(raw, 1000)).toBe(escaped);
  });

  it('cuts after escaping, never inside an entity', () => {
    expect(escapeMattermost('#'.repeat(300), 100)).toBe(`${'&#35;'.repeat(19)}…`);
  });
});

describe('render', () => {
  it('a start: the headline in the text, the small print in the attachment', () => {
    expect(renderMattermost(startReport)).toEqual({
      text: '🚀 **chat-server** **production** job **deploy-prod** is started by **jiyoung**',
      attachments: [
        {
          fallback: '🚀 chat-server production job deploy-prod is started by jiyoung',
          color: '#1D9BD1',
          text: [
            'Branch main',
            `[e83c5163](${COMMIT_URL}) Add read receipts (Jiyoung Kim)`,
            `Job [deploy-prod](${JOB_URL})`,
            `[Pipeline &#35;1234567](${PIPELINE_URL})`,
          ].join('\n'),
        },
      ],
    });
  });

  it('a failure: red, the failed job linked, whom notify calls in the text', () => {
    const payload = renderMattermost(
      failure([
        { kind: 'here' },
        { kind: 'channel' },
        { kind: 'user', id: 'U0123ABCD' },
        { kind: 'group', id: 'S0456EFGH' },
        { kind: 'name', name: 'Minho' },
      ]),
    );
    expect(payload.text).toBe(
      '❌ **chat-server** **feature/login** job **unit-tests** failed in 1m 2s at stage **test**\ncc @here @channel Minho',
    );
    const [attachment] = payload.attachments;
    expect(attachment!.color).toBe('#E01E5A');
    expect(attachment!.text).toContain(`\n\n[View failed job](${JOB_URL})`);
    expect(attachment!.fallback).toBe(
      '❌ chat-server feature/login job unit-tests failed in 1m 2s at stage test',
    );
  });

  it("Slack's ids name no one here: no cc line", () => {
    const payload = renderMattermost(failure([{ kind: 'user', id: 'U0123ABCD' }]));
    expect(payload.text).not.toContain('\n');
  });

  it('a success: green, the deploy linked', () => {
    const payload = renderMattermost(success);
    expect(payload.text).toBe(
      '✅ **chat-server** **production** job **deploy-prod** succeeded in 5m 2s',
    );
    expect(payload.attachments[0]!.color).toBe('#2EB67D');
    expect(payload.attachments[0]!.text).toContain('[Open production](https://chat.example.com/)');
  });

  it('a summary of 7 jobs: the failure first, then each stage under its name', () => {
    const payload = renderMattermost(summaryOf(SEVEN));
    expect(mattermostProblems(payload)).toEqual([]);
    expect(payload.text).toBe('❌ **chat-server** **production** pipeline failed');
    expect(payload.attachments[0]!.fallback).toBe(
      '❌ chat-server production pipeline failed: deploy failed',
    );
    expect(payload.attachments[0]!.text).toMatch(
      new RegExp(
        `^${[
          '\\*\\*Failed\\*\\*',
          `❌ \\[deploy\\]\\(${jobUrl(6)}\\) at stage deploy · 1m 1s`,
          '\\*\\*build\\*\\*',
          `✅ \\[image\\]\\(${jobUrl(2)}\\) · 1m 1s`,
          `✅ \\[compile\\]\\(${jobUrl(8)}\\) · 1m 1s`,
          '\\*\\*test\\*\\*',
          `✅ \\[unit\\]\\(${jobUrl(3)}\\) · 1m 1s`,
          `⚠️ \\[lint\\]\\(${jobUrl(4)}\\) · 1m 1s · allowed to fail`,
          `✋ \\[e2e\\]\\(${jobUrl(5)}\\) · manual`,
          '\\*\\*deploy\\*\\*',
          `➖ \\[smoke\\]\\(${jobUrl(7)}\\) · skipped`,
          '',
          '7 jobs: 3 passed, 1 failed, 1 allowed to fail, 1 skipped, 1 manual',
        ]
          .join('\n')
          .replace(/\./g, '\\.')}`,
      ),
    );
  });

  it.each([1000, 5000])('a summary of %i jobs stays one post, the rest counted', (count) => {
    const many = manyJobs(count, 40, 13);
    const payload = renderMattermost(summaryOf(many, count === 5000));
    expect(mattermostProblems(payload)).toEqual([]);
    expect(size(payload)).toBeLessThanOrEqual(POST_LIMIT);
    const text = payload.attachments[0]!.text!;
    const shown = text.split('\n').filter((line) => /^(✅|❌) /.test(line)).length;
    expect(text).toContain(
      `\n…and ${count - shown} more\n\n${count}${count === 5000 ? '+' : ''} jobs: `,
    );
  });
});

describe('render: hostile input stays text, within limits', () => {
  const HOSTILE = [
    '@here @channel @all @jiyoung <!channel> <@U123> ~town-square #release',
    '[click](https://evil.example) ![img](https://evil.example/x.png) https://evil.example www.evil.example evil.example/x mailto:a',
    '**bold** __u__ *i* _i_ ~~s~~ `code` ```block``` $x^2$ a|b',
    ':rocket: :) :-( ;) <3 </3 x-d',
    '# heading\n> quote\n- list\n1. list\n===\n---',
    '&lt;&#64;here &amp; \\*',
    '\u202eflipped\u2066 \u0000\u0007\u001b[31m',
  ].join(' ');
  const reports = hostileReports(
    HOSTILE,
    { ref: '~', commitTitle: '#', changeTitle: '@all ', jobName: ':' },
    `release ${HOSTILE}`,
    400,
  );

  it('the check sees markup where there is some', () => {
    expect(markupIn('**x** @here #tag :) [a](https://x) ~~s~~\n- item')).toEqual([
      'mention',
      'hashtag or channel',
      'emoji',
      'link',
      'formatting',
      'block',
    ]);
  });

  it.each(reports)('%s: no markup, mention, hashtag, emoji or link, one post', (_name, report) => {
    const payload = renderMattermost(report);
    expect(mattermostProblems(payload)).toEqual([]);
    expect(size(payload)).toBeLessThanOrEqual(POST_LIMIT);
    for (const text of markdownTexts(payload)) expect([text, markupIn(text)]).toEqual([text, []]);
  });

  it('with real URLs, only notify links, and only to them', () => {
    const payload = renderMattermost(linkedHostile(HOSTILE));
    expect(mattermostProblems(payload)).toEqual([]);
    for (const text of markdownTexts(payload))
      expect([text, markupIn(text, [COMMIT_URL, JOB_URL, PIPELINE_URL])]).toEqual([text, []]);
  });

  it('a link keeps its query, written so both Markdown readers decode it', () => {
    const url = 'https://grafana.example.com/explore?orgId=1&left=(a)';
    const payload = renderMattermost({ ...startReport, links: [{ url, label: ['Logs'] }] });
    expect(payload.attachments[0]!.text).toContain(
      '[Logs](https://grafana.example.com/explore?orgId=1&amp;left=%28a%29)',
    );
  });
});

describe('judge', () => {
  const appError = (status: number, id: string, message = 'Some words.', detailed = '') =>
    answer(status, { id, message, detailed_error: detailed, request_id: 'r', status_code: status });

  it('2xx: posted', () => {
    expect(judgeMattermost(answer(200, 'ok'), 1)).toEqual({ kind: 'done', value: {} });
  });

  it.each<[string, HttpResponse, number]>([
    [
      'Retry-After',
      answer(429, 'limit exceeded\n', { 'retry-after': '3', 'x-ratelimit-reset': '2' }),
      3000,
    ],
    [
      'X-Ratelimit-Reset alone',
      answer(429, 'limit exceeded\n', { 'x-ratelimit-reset': '2' }),
      2000,
    ],
    ['nothing said', answer(429), 1000],
  ])('429, %s', (_name, response, delayMs) => {
    expect(judgeMattermost(response, 1)).toMatchObject({ kind: 'retry', delayMs });
  });

  it.each([500, 502, 503])('%i is tried again', (status) => {
    expect(judgeMattermost(answer(status, '<html>'), 1)).toMatchObject({
      kind: 'retry',
      reason: `HTTP ${status}`,
    });
  });

  it.each<[HttpResponse, RegExp]>([
    [
      appError(400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.', `hook_id=${KEY}`),
      /^Mattermost answered HTTP 400 \(web\.incoming_webhook\.invalid\.app_error\): there is no such webhook/,
    ],
    [
      appError(404, 'web.incoming_webhook.invalid.app_error'),
      /^Mattermost answered HTTP 404 \(web\.incoming_webhook\.invalid\.app_error\): there is no such webhook/,
    ],
    [
      appError(501, 'web.incoming_webhook.disabled.app_error'),
      /\(web\.incoming_webhook\.disabled\.app_error\): incoming webhooks are disabled on this server/,
    ],
    [
      appError(400, 'web.incoming_webhook.text.app_error'),
      /\(web\.incoming_webhook\.text\.app_error\): .*bug in notify.*--dry-run$/,
    ],
    [
      appError(
        400,
        'api.webhook.incoming.error',
        `Failed to handle the payload for incoming webhook ${KEY}`,
        `webhook_id=${KEY}`,
      ),
      /bug in notify/,
    ],
    [appError(403, 'web.incoming_webhook.channel_locked.app_error'), /locked to its channel/],
    [
      appError(403, 'web.incoming_webhook.permissions.app_error'),
      /may no longer post in its private channel/,
    ],
    [appError(404, 'app.channel.get.existing.app_error'), /channel no longer exists/],
    [
      answer(403, '<html>Forbidden</html>'),
      /^Mattermost answered HTTP 403: Mattermost refused the webhook/,
    ],
    [
      answer(404, '404 page not found'),
      /^Mattermost answered HTTP 404: there is no webhook at this URL/,
    ],
    [answer(301, ''), /^Mattermost answered HTTP 301: .*redirect.*https:\/\//],
    [answer(400, { id: KEY, message: KEY }), /^Mattermost answered HTTP 400: .*bug in notify/],
  ])('%j fails in one line', (response, message) => {
    const error = failureOf(judgeMattermost, response);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(new RegExp(`${KEY}|/hooks/`));
  });
});

describe('send() to a Mattermost webhook', () => {
  const track = closeAfterEach();

  it('posts the message as one post', async () => {
    const fake = track(await startFakeMattermost());
    const sent = await sendTo(mattermost, fake.url, failure([{ kind: 'here' }]));
    expect(sent).toMatchObject({ attempts: 1 });
    expect(sent.id).toBeUndefined();
    const payload = renderMattermost(failure([{ kind: 'here' }]));
    expect(fake.messages).toEqual([{ message: payload.text, attachments: payload.attachments }]);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: `/hooks/${HOOK_KEY}` });
  });

  it('waits out a 429, then posts', async () => {
    const fake = track(await startFakeMattermost({ before: [mattermostRateLimited(1)] }));
    const sent = await sendTo(mattermost, fake.url, startReport);
    expect(sent.attempts).toBe(2);
    expect(fake.messages).toHaveLength(1);
    const [a, b] = fake.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(980);
  });

  it('a deleted webhook fails at once, in one line, without the key', async () => {
    const fake = track(await startFakeMattermost());
    const url = fake.url.replace(HOOK_KEY, KEY);
    const error = (await sendTo(mattermost, url, startReport).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^Mattermost answered HTTP 400 \(web\.incoming_webhook\.invalid\.app_error\): there is no such webhook/,
    );
    expect(error.message).not.toMatch(new RegExp(`\\n|${KEY}|${HOOK_KEY}|127\\.0\\.0\\.1`));
    expect(fake.requests).toHaveLength(1);
    expect(fake.messages).toHaveLength(0);
  });

  it('webhooks switched off stay off: a 501 is not tried again', async () => {
    const fake = track(await startFakeMattermost({ disabled: true }));
    const error = (await sendTo(mattermost, fake.url, startReport).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/incoming webhooks are disabled on this server/);
    expect(fake.requests).toHaveLength(1);
  });

  it('a server error is tried again', async () => {
    const fake = track(
      await startFakeMattermost({
        before: [mattermostError(500, 'api.post.create_webhook_post.creating.app_error', 'x')],
      }),
    );
    expect(await sendTo(mattermost, fake.url, startReport)).toMatchObject({ attempts: 2 });
    expect(fake.messages).toHaveLength(1);
  });

  it('a summary of 1,000 jobs is one post', async () => {
    const fake = track(await startFakeMattermost());
    const many = Array.from({ length: 1000 }, (_, i) =>
      job(i + 1, `job-${i}-${'n'.repeat(40)}`, `stage-${i % 9}`, 'success'),
    );
    await sendTo(mattermost, fake.url, summaryOf(many));
    expect(fake.messages).toHaveLength(1);
  });
});
