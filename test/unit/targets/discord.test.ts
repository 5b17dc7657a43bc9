import { describe, expect, it } from 'vitest';
import type { Mention } from '../../../src/mentions.ts';
import type { HttpResponse } from '../../../src/platform/types.ts';
import { buildReport } from '../../../src/report.ts';
import { summarise } from '../../../src/summary.ts';
import {
  discord,
  discordRequest,
  escapeDiscord,
  isUnknownMessage,
  jobFields,
  judgeDiscord,
  renderDiscord,
  UNKNOWN_MESSAGE,
  type DiscordPayload,
} from '../../../src/targets/discord.ts';
import { closeAfterEach } from '../../delivery/support.ts';
import {
  discordError,
  discordProblems,
  discordRateLimited,
  startFakeDiscord,
  WEBHOOK_ID,
  WEBHOOK_TOKEN,
} from '../../helpers/fake-discord.ts';
import { COMMIT_URL, contextWith, JOB_URL, PIPELINE_URL } from '../sample-context.ts';
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
  NOW,
  sendTo,
  settings,
  SEVEN,
  startReport,
  success,
  summaryOf,
} from './support.ts';

const TOKEN = `AbCdEf0123-_${'x'.repeat(56)}`;
const HOOK = `https://discord.com/api/webhooks/1234567890123456789/${TOKEN}`;

/** Every text of a payload that Discord draws as Markdown. */
const markdownTexts = (payload: DiscordPayload): string[] => [
  payload.content,
  ...payload.embeds.flatMap((embed) => [
    embed.description ?? '',
    ...(embed.fields ?? []).flatMap((field) => [field.name, field.value]),
  ]),
];

/**
 * What Discord would read as markup in a text, once each escape is taken as the character it
 * stands for. notify's own markup is bold names and links to `known` URLs.
 */
const markupIn = (text: string, known: readonly string[] = []): string[] =>
  findMarkup(text.replace(/\\[^A-Za-z0-9\s]/g, '·').replace(/@\u200b/g, '·'), known, [
    [/@(everyone|here)|<(@|#|:|a:|t:|\/|id:)/i, 'mention'],
    [/]\(|[a-z]+:\/\/|discord\.gg/i, 'link'],
    [/[*_~`|]/, 'formatting'],
    [/^(#|>|-|\+|\d+[.)])/m, 'block'],
    [/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, 'control'],
  ]);

describe('recognise', () => {
  const id = '1234567890123456789';
  it.each([
    `https://discord.com/api/webhooks/${id}/${TOKEN}`,
    `https://discordapp.com/api/webhooks/${id}/${TOKEN}`,
    `https://ptb.discord.com/api/webhooks/${id}/${TOKEN}`,
    `https://canary.discord.com/api/webhooks/${id}/${TOKEN}`,
    `https://discord.com/api/v10/webhooks/${id}/${TOKEN}`,
    `https://discord.com/api/webhooks/${id}/${TOKEN}/`,
    `https://discord.com/api/webhooks/${id}/${TOKEN}?thread_id=1234567890123456780`,
  ])('%s is a Discord webhook', (url) => {
    const why = discord.recognise(new URL(url));
    expect(why).toMatch(/^the host is [a-z.]+ and the path \/api\/webhooks\/…$/);
    expect(why).not.toContain(TOKEN.slice(0, 8));
  });

  it.each([
    `https://discord.com.evil.example/api/webhooks/${id}/${TOKEN}`,
    `https://evildiscord.com/api/webhooks/${id}/${TOKEN}`,
    `https://cdn.discordapp.com/api/webhooks/${id}/${TOKEN}`,
    `https://discord.com/api/webhooks/${id}`,
    `https://discord.com/api/webhooks/${id}/`,
    `https://discord.com/api/webhooks/general/${TOKEN}`,
    `https://discord.com/api/webhooks/${id}/${TOKEN}/slack`,
    `https://discord.com/api/webhooks/${id}/${TOKEN}/github`,
    `https://discord.com/channels/${id}/${id}`,
    'https://discord.gg/abcdef',
    `https://hooks.slack.com/services/T000/B000/${TOKEN}`,
    `https://chat.example.com/hooks/abcdefghijklmnopqrstuvwxyz`,
  ])('%s is not', (url) => {
    expect(discord.recognise(new URL(url))).toBeUndefined();
  });
});

describe('escapeDiscord', () => {
  it.each<[string, string]>([
    ['deploy-prod', 'deploy-prod'],
    ['v5.3.25', 'v5.3.25'],
    ['fix: the (odd) case #12', 'fix: the (odd) case #12'],
    [
      '**bold** _it_ ~~s~~ ||spoiler|| `code`',
      '\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\`',
    ],
    ['[x](https://evil.example)', '\\[x\\](https\\://evil\\.example)'],
    ['discord.gg/abc', 'discord\\.gg/abc'],
    ['@everyone @here', '@\u200beveryone @\u200bhere'],
    [
      '<@123> <@&456> <#789> <:e:1> <t:1:R>',
      '\\<@\u200b123> \\<@\u200b&456> \\<#789> \\<:e:1> \\<t:1:R>',
    ],
    ['a\\b', 'a\\\\b'],
    ['line\nbreak\u202eflipped\u0007', 'line break flipped'],
  ])('%j -> %j', (raw, escaped) => {
    expect(escapeDiscord(raw, 1000)).toBe(escaped);
  });

  it('cuts after escaping, never inside an escape', () => {
    const cut = escapeDiscord('*'.repeat(300), 100);
    expect(cut).toBe(`${'\\*'.repeat(49)}…`);
  });
});

describe('render', () => {
  it('a start: the headline in content, the small print in the embed, pinging no one', () => {
    expect(renderDiscord(startReport)).toEqual({
      content: '🚀 **chat-server** **production** job **deploy-prod** is started by **jiyoung**',
      embeds: [
        {
          color: 0x1d9bd1,
          description: [
            'Branch main',
            `[e83c5163](${COMMIT_URL}) Add read receipts (Jiyoung Kim)`,
            `Job [deploy-prod](${JOB_URL})`,
            `[Pipeline #1234567](${PIPELINE_URL})`,
          ].join('\n'),
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it('a failure: red, the failed job linked, and whom notify calls, allowed to ping', () => {
    const payload = renderDiscord(
      failure([
        { kind: 'here' },
        { kind: 'user', id: 'U0123ABCD' },
        { kind: 'name', name: 'Minho' },
      ]),
    );
    expect(payload.content).toBe(
      '❌ **chat-server** **feature/login** job **unit-tests** failed in 1m 2s at stage **test**\ncc @here Minho',
    );
    expect(payload.allowed_mentions).toEqual({ parse: ['everyone'] });
    expect(payload.embeds[0]!.color).toBe(0xe01e5a);
    expect(payload.embeds[0]!.description).toContain(`\n\n[View failed job](${JOB_URL})`);
  });

  it.each<[Mention[], string, string[]]>([
    [[{ kind: 'channel' }], 'cc @everyone', ['everyone']],
    [
      [
        { kind: 'user', id: 'U0123ABCD' },
        { kind: 'group', id: 'S0456' },
      ],
      '',
      [],
    ],
    [[{ kind: 'name', name: '@everyone' }], 'cc @\u200beveryone', []],
  ])('mentions %j: %j, parse %j', (mentions, cc, parse) => {
    const payload = renderDiscord(failure(mentions));
    expect(payload.content.split('\n')[1] ?? '').toBe(cc);
    expect(payload.allowed_mentions.parse).toEqual(parse);
  });

  it('a success: green, the deploy linked', () => {
    const payload = renderDiscord(success);
    expect(payload.content).toMatch(
      /^✅ \*\*chat-server\*\* \*\*production\*\* job \*\*deploy-prod\*\* succeeded in 5m 2s$/,
    );
    expect(payload.embeds[0]!.color).toBe(0x2eb67d);
    expect(payload.embeds[0]!.description).toContain(
      '[Open production](https://chat.example.com/)',
    );
  });

  it("a freeze's snowflake is Discord's emoji, not Slack's code", () => {
    const frozen = buildReport(contextWith({ deployFreeze: true }), { kind: 'start' }, settings);
    expect(renderDiscord(frozen).embeds[0]!.description).toMatch(
      /^❄️ A deploy freeze is in effect\n/,
    );
  });

  it('a summary of 7 jobs: the failure first, a field per stage', () => {
    const payload = renderDiscord(summaryOf(SEVEN));
    expect(discordProblems(payload)).toEqual([]);
    expect(payload.content).toBe(
      '❌ **chat-server** **production** pipeline failed: deploy failed',
    );
    const [embed] = payload.embeds;
    expect(embed!.description).toMatch(
      /^7 jobs: 3 passed, 1 failed, 1 allowed to fail, 1 skipped, 1 manual\n/,
    );
    expect(embed!.fields).toEqual([
      { name: 'Failed', value: `❌ [deploy](${jobUrl(6)}) at stage deploy · 1m 1s` },
      {
        name: 'build',
        value: `✅ [image](${jobUrl(2)}) · 1m 1s\n✅ [compile](${jobUrl(8)}) · 1m 1s`,
      },
      {
        name: 'test',
        value: [
          `✅ [unit](${jobUrl(3)}) · 1m 1s`,
          `⚠️ [lint](${jobUrl(4)}) · 1m 1s · allowed to fail`,
          `✋ [e2e](${jobUrl(5)}) · manual`,
        ].join('\n'),
      },
      { name: 'deploy', value: `➖ [smoke](${jobUrl(7)}) · skipped` },
    ]);
    expect(embed!.footer).toBeUndefined();
  });

  it.each([1000, 5000])(
    'a summary of %i jobs stays within every limit, the rest counted',
    (count) => {
      const many = manyJobs(count, 40, 13);
      const payload = renderDiscord(summaryOf(many, count === 5000));
      expect(discordProblems(payload)).toEqual([]);
      const [embed] = payload.embeds;
      expect(embed!.fields!.length).toBeLessThanOrEqual(25);
      const shown = embed!.fields!.reduce((n, field) => n + field.value.split('\n').length, 0);
      expect(embed!.footer).toEqual({ text: `…and ${count - shown} more` });
      expect(embed!.description).toMatch(
        new RegExp(`^${count}${count === 5000 ? '\\+' : ''} jobs: `),
      );
    },
  );

  it('never more than 25 fields', () => {
    const stages = Array.from({ length: 40 }, (_, i) => job(i + 1, `j${i}`, `s${i}`, 'success'));
    const { fields, left } = jobFields(
      summarise({ jobs: stages, source: 'api', nowMs: NOW }),
      6000,
    );
    expect(fields).toHaveLength(25);
    expect(left).toBe(15);
  });
});

describe('render: hostile input stays text, within limits', () => {
  const HOSTILE = [
    '@everyone @here <@123456789012345678> <@&42> <#42> <:pwn:42> <t:0:R> </cmd:42>',
    '[click](https://evil.example) https://evil.example discord.gg/evil',
    '**bold** __u__ *i* _i_ ~~s~~ ||spoiler|| `code` ```block```',
    '# heading\n> quote\n- list\n1. list\n-# small',
    '\u202eflipped\u2066 \u0000\u0007\u001b[31m',
  ].join(' ');
  const reports = hostileReports(
    HOSTILE,
    { ref: '*', commitTitle: '<', changeTitle: '@everyone ', jobName: '_' },
    `> ${HOSTILE}`,
    60,
  );

  it('the check sees markup where there is some', () => {
    expect(markupIn('**x** *y* @everyone [a](https://x)\n# h\u202e')).toEqual([
      'mention',
      'link',
      'formatting',
      'block',
      'control',
    ]);
  });

  it.each(reports)('%s: no markup, no mention, no link, within limits', (_name, report) => {
    const payload = renderDiscord(report);
    expect(discordProblems(payload)).toEqual([]);
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    for (const text of markdownTexts(payload)) expect([text, markupIn(text)]).toEqual([text, []]);
  });

  it('with real URLs, only notify links, and only to them', () => {
    const payload = renderDiscord(linkedHostile(HOSTILE));
    expect(discordProblems(payload)).toEqual([]);
    for (const text of markdownTexts(payload))
      expect([text, markupIn(text, [COMMIT_URL, JOB_URL, PIPELINE_URL])]).toEqual([text, []]);
  });
});

describe('request', () => {
  const url = new URL(`${HOOK}?thread_id=1234567890123456780`);
  const payload = renderDiscord(startReport);

  it('posts to API v10, waiting for the message, keeping the thread', () => {
    const delivery = discordRequest(url, payload, startReport);
    expect(delivery.method).toBe('POST');
    expect(delivery.url.href).toBe(
      `https://discord.com/api/v10/webhooks/1234567890123456789/${TOKEN}?thread_id=1234567890123456780&wait=true`,
    );
    expect(JSON.parse(delivery.body)).toEqual(payload);
  });

  it("edits the start's message for the job's finish", () => {
    const delivery = discordRequest(url, payload, startReport, '1300000000000000000');
    expect(delivery.method).toBe('PATCH');
    expect(delivery.url.href).toBe(
      `https://discord.com/api/v10/webhooks/1234567890123456789/${TOKEN}/messages/1300000000000000000?thread_id=1234567890123456780`,
    );
  });

  it('keeps a versioned path, and sends one wait=true', () => {
    const v9 = new URL(`https://discord.com/api/v9/webhooks/1/${TOKEN}/?wait=false`);
    expect(discordRequest(v9, payload, startReport).url.href).toBe(
      `https://discord.com/api/v9/webhooks/1/${TOKEN}?wait=true`,
    );
  });

  it('posts anew when the finish calls someone: Discord notifies no one of an edit', () => {
    const calling = failure([{ kind: 'here' }]);
    const delivery = discordRequest(url, renderDiscord(calling), calling, '1300000000000000000');
    expect(delivery.method).toBe('POST');
  });

  it('posts anew for an id that is no message id', () => {
    expect(discordRequest(url, payload, startReport, '../../x').method).toBe('POST');
  });
});

describe('judge', () => {
  it.each<[string, HttpResponse, object]>([
    [
      '200 names the message',
      answer(200, { id: '1300000000000000001', content: 'x' }),
      { id: '1300000000000000001' },
    ],
    ['204 posted, unnamed', answer(204), {}],
    ['200 cut short: posted, unnamed', answer(200, '{"id":"13000', {}, false), {}],
    ['200 with an odd id: posted, unnamed', answer(200, { id: '../x' }), {}],
  ])('%s', (_name, response, value) => {
    expect(judgeDiscord(response, 1)).toEqual({ kind: 'done', value });
  });

  it.each<[string, HttpResponse, number]>([
    [
      'body and headers: the longest wait',
      answer(
        429,
        { message: 'You are being rate limited.', retry_after: 2.5, global: false },
        {
          'retry-after': '3',
          'x-ratelimit-reset-after': '2.5',
        },
      ),
      3000,
    ],
    ['the body alone, in seconds', answer(429, { retry_after: 1.5, global: true }), 1500],
    ['X-RateLimit-Reset-After alone', answer(429, '', { 'x-ratelimit-reset-after': '4.2' }), 4200],
    ["Cloudflare's page with Retry-After", answer(429, '<html>', { 'retry-after': '7' }), 7000],
    ['nothing said', answer(429), 1000],
  ])('429, %s', (_name, response, delayMs) => {
    expect(judgeDiscord(response, 1)).toMatchObject({ kind: 'retry', delayMs });
  });

  it.each([500, 502, 503, 504])('%i is tried again', (status) => {
    expect(judgeDiscord(answer(status, '<html>'), 1)).toMatchObject({
      kind: 'retry',
      reason: `HTTP ${status}`,
    });
  });

  it.each<[HttpResponse, RegExp]>([
    [
      answer(400, { message: 'Cannot send an empty message', code: 50006 }),
      /^Discord answered HTTP 400 \(50006 Cannot send an empty message\): .*bug in notify.*--dry-run$/,
    ],
    [
      answer(400, {
        message: 'Invalid Form Body',
        code: 50035,
        errors: {
          embeds: {
            0: {
              fields: {
                3: {
                  value: {
                    _errors: [
                      { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 1024 or fewer in length.' },
                    ],
                  },
                },
              },
            },
          },
        },
      }),
      /^Discord answered HTTP 400 \(50035 Invalid Form Body at embeds\.0\.fields\.3\.value: BASE_TYPE_MAX_LENGTH\): .*bug in notify.*--dry-run$/,
    ],
    [
      answer(400, {
        message: 'Invalid Form Body',
        code: 50035,
        errors: { thread_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE' }] } },
      }),
      /thread_id: NUMBER_TYPE_COERCE\): the webhook URL's thread_id is not a thread of its channel$/,
    ],
    [
      answer(400, {
        message: 'Webhooks posted to forum channels must have a thread_name or thread_id',
        code: 220001,
      }),
      /\(220001\): .*forum.*thread_id=/,
    ],
    [
      answer(401, { message: 'Invalid Webhook Token', code: 50027 }),
      /^Discord answered HTTP 401 \(50027 Invalid Webhook Token\): the webhook's token is wrong/,
    ],
    [
      answer(404, { message: 'Unknown Webhook', code: 10015 }),
      /^Discord answered HTTP 404 \(10015 Unknown Webhook\): the webhook was deleted; create a new webhook/,
    ],
    [
      answer(404, { message: 'Unknown Message', code: 10008 }),
      /\(10008 Unknown Message\): the message to edit is gone/,
    ],
    [
      answer(403, { message: 'Missing Permissions', code: 50013 }),
      /\(50013 Missing Permissions\): the webhook lacks a permission/,
    ],
    [
      answer(403, '<html>Access denied</html>'),
      /^Discord answered HTTP 403: Discord refused the request/,
    ],
    [answer(301, ''), /^Discord answered HTTP 301: the webhook answered with a redirect/],
    [
      answer(418, { message: `token ${WEBHOOK_TOKEN}`, code: 1 }),
      /^Discord answered HTTP 418 \(1\)$/,
    ],
  ])('%j fails in one line', (response, message) => {
    const error = failureOf(judgeDiscord, response);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/discord\.com|fAkE|AbCdEf/);
  });

  it('an edit whose message is gone says so in its code, to post anew', () => {
    const verdict = judgeDiscord(answer(404, { message: 'Unknown Message', code: 10008 }), 1);
    const { error } = verdict as { error: Error & { code: string } };
    expect(error.code).toBe(UNKNOWN_MESSAGE);
    expect(isUnknownMessage(error)).toBe(true);
    const deleted = judgeDiscord(answer(404, { message: 'Unknown Webhook', code: 10015 }), 1);
    expect(isUnknownMessage((deleted as { error: Error }).error)).toBe(false);
  });
});

describe('send() to a Discord webhook', () => {
  const track = closeAfterEach();

  it('posts the message and learns its id', async () => {
    const fake = track(await startFakeDiscord());
    const sent = await sendTo(discord, fake.url, startReport);
    expect(fake.messages).toHaveLength(1);
    expect(sent).toMatchObject({ attempts: 1, id: fake.messages[0]!.id });
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}?wait=true`);
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(fake.messages[0]!.content).toBe(renderDiscord(startReport).content);
  });

  it("a job's start, then its finish edits the start's message", async () => {
    const fake = track(await startFakeDiscord());
    const first = await sendTo(discord, `${fake.url}?thread_id=42`, startReport);
    const finish = failure();
    const second = await sendTo(discord, `${fake.url}?thread_id=42`, finish, first.id);
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(fake.requests[1]!.path).toBe(
      `/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}/messages/${first.id}?thread_id=42`,
    );
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      id: first.id,
      thread_id: '42',
      edits: 1,
      content: renderDiscord(finish).content,
    });
    expect(second.id).toBe(first.id);
  });

  it("an edit of a message that is gone fails as the caller's cue to post anew", async () => {
    const fake = track(await startFakeDiscord());
    const error = await sendTo(discord, fake.url, startReport, '1299999999999999999').catch(
      (e: unknown) => e,
    );
    expect(isUnknownMessage(error)).toBe(true);
    expect(discord.editGone?.(error)).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('waits out a 429, then posts', async () => {
    const fake = track(await startFakeDiscord({ before: [discordRateLimited(0.25)] }));
    const sent = await sendTo(discord, fake.url, startReport);
    expect(sent.attempts).toBe(2);
    expect(fake.messages).toHaveLength(1);
    const [a, b] = fake.requests;
    // Retry-After rounds the 0.25 s up to 1 s, also the floor of every wait.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(980);
  });

  it('a deleted webhook fails at once, in one line, without the token', async () => {
    const fake = track(
      await startFakeDiscord({ before: [discordError(404, 10015, 'Unknown Webhook')] }),
    );
    const error = (await sendTo(discord, fake.url, startReport).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^Discord answered HTTP 404 \(10015 Unknown Webhook\): the webhook was deleted/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('a wrong token fails at once, in one line, without the token', async () => {
    const fake = track(await startFakeDiscord());
    const url = fake.url.replace(WEBHOOK_TOKEN, TOKEN);
    const error = (await sendTo(discord, url, startReport).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^Discord answered HTTP 401 \(50027 Invalid Webhook Token\): /);
    expect(error.message).not.toMatch(/\n|AbCdEf|fAkE|127\.0\.0\.1/);
    expect(fake.requests).toHaveLength(1);
    expect(fake.messages).toHaveLength(0);
  });

  it('a summary of 1,000 jobs is taken whole', async () => {
    const fake = track(await startFakeDiscord());
    const many = Array.from({ length: 1000 }, (_, i) =>
      job(i + 1, `job-${i}`, `stage-${i % 9}`, 'success'),
    );
    await sendTo(discord, fake.url, summaryOf(many));
    expect(fake.messages).toHaveLength(1);
  });
});
