// Google Chat: which URLs are a space's webhook, the card and text a Report becomes (checked
// against Chat's documented limits and its small HTML), escaping against hostile input, threads,
// what each answer means, and a delivery through the real transport to a fake space.
// https://developers.google.com/workspace/chat/api/reference/rest/v1/cards
import { describe, expect, it } from 'vitest';
import { ChatHttpError } from '../../../src/errors.ts';
import type { HttpResponse } from '../../../src/platform/types.ts';
import { buildReport } from '../../../src/report.ts';
import { Redactor } from '../../../src/secrets.ts';
import {
  cardText,
  explainGoogleChat,
  googleChat,
  hrefOf,
  judgeGoogleChat,
  PAYLOAD_LIMIT,
  RATE_FLOOR_MS,
  REPLY_OPTION,
  requestUrl,
  TEXT_LIMIT,
  widgetCount,
  WIDGETS_MAX,
  type GoogleChatPayload,
  type Widget,
} from '../../../src/targets/google-chat.ts';
import { closeAfterEach } from '../../delivery/support.ts';
import {
  chatSpace,
  KEY,
  MESSAGES_PATH,
  quotaExceeded,
  SPACE,
  startFakeGoogleChat,
  TOKEN,
} from '../../helpers/fake-google-chat.ts';
import { COMMIT_URL, contextWith, JOB_URL, mainPush, PIPELINE_URL } from '../sample-context.ts';
import {
  answer,
  factsReport,
  failureOf,
  finish,
  hostileCases,
  job,
  jobUrl,
  longUrl,
  manyJobs,
  sendTo,
  settings,
  SEVEN,
  start,
  summaryOf,
} from './support.ts';

const WEBHOOK = `https://chat.googleapis.com/v1/spaces/${SPACE}/messages?key=${KEY}&token=${TOKEN}`;
const ZWSP = '\u200b';
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Card text: the tags and entities notify writes, nothing else. */
const TAG = /<\/?([a-z]+)(?: href="([^"]*)")?>/g;
const ENTITY = /&(amp|lt|gt|quot|#\d+);/g;

/** Everything in a payload that Chat's documented limits or its card HTML would refuse. */
function chatProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const message = payload as GoogleChatPayload;
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes > PAYLOAD_LIMIT) problems.push(`${bytes} bytes`);
  if (typeof message.text !== 'string' || !message.text.trim()) problems.push('no text');
  else if (message.text.length > TEXT_LIMIT) problems.push(`text of ${message.text.length}`);
  if (message.thread && !(message.thread.threadKey.length <= 4000)) problems.push('thread key');
  if (message.cardsV2?.length !== 1) return [...problems, 'not one card'];
  const { cardId, card } = message.cardsV2[0]!;
  if (!cardId) problems.push('no cardId');
  if (!card.header?.title?.trim()) problems.push('no header title');
  const widgets = widgetCount(message);
  if (widgets > WIDGETS_MAX) problems.push(`${widgets} widgets`);
  const html = (where: string, text: string) => {
    if (!text.trim()) problems.push(`${where}: empty`);
    for (const [, tag, href] of text.matchAll(TAG)) {
      if (!['a', 'b', 'br'].includes(tag!)) problems.push(`${where}: <${tag}>`);
      if (href !== undefined && !/^https?:\/\//.test(href)) problems.push(`${where}: href ${href}`);
    }
    const rest = text.replace(TAG, '').replace(ENTITY, '');
    if (/[<>&"]/.test(rest)) problems.push(`${where}: bare markup in ${rest.slice(0, 80)}`);
  };
  for (const [i, section] of card.sections.entries()) {
    if (section.header !== undefined) html(`section ${i} header`, section.header);
    if (!section.widgets.length) problems.push(`section ${i}: no widgets`);
    for (const [j, widget] of section.widgets.entries()) {
      const where = `widget ${i}.${j}`;
      const kinds = Object.keys(widget);
      if (kinds.length !== 1) problems.push(`${where}: ${kinds.join(', ')}`);
      const w: Widget = widget;
      if ('textParagraph' in w) html(where, w.textParagraph.text);
      else if ('decoratedText' in w) html(where, w.decoratedText.text);
      else if ('buttonList' in w) {
        if (!w.buttonList.buttons.length) problems.push(`${where}: no buttons`);
        for (const button of w.buttonList.buttons) {
          if (!button.text.trim()) problems.push(`${where}: a button without text`);
          if (!/^https?:\/\//.test(button.onClick.openLink.url))
            problems.push(`${where}: ${button.onClick.openLink.url}`);
        }
      } else problems.push(`${where}: ${kinds[0]}`);
    }
  }
  return problems;
}

const cardOf = (payload: unknown) => (payload as GoogleChatPayload).cardsV2[0]!.card;
const widgetsOf = (payload: unknown) => cardOf(payload).sections.flatMap((s) => s.widgets);
const decorated = (payload: unknown) =>
  widgetsOf(payload).flatMap((w) => ('decoratedText' in w ? [w.decoratedText.text] : []));

describe('recognise', () => {
  it.each([
    ['a webhook', WEBHOOK],
    ['a webhook naming its thread the old way', `${WEBHOOK}&threadKey=deploys`],
    ['a webhook on the default port', WEBHOOK.replace('.com/', '.com:443/')],
  ])('%s', (_name, url) => {
    const said = googleChat.recognise(new URL(url));
    expect(said).toBe('the host is chat.googleapis.com and the path /v1/spaces/…/messages');
  });

  it.each([
    ['plain http', WEBHOOK.replace('https:', 'http:')],
    [
      'a look-alike host',
      WEBHOOK.replace('chat.googleapis.com', 'chat.googleapis.com.evil.example'),
    ],
    [
      'a host that only ends alike',
      WEBHOOK.replace('chat.googleapis.com', 'evilchat.googleapis.com'),
    ],
    ['another Google API', WEBHOOK.replace('chat.googleapis.com', 'www.googleapis.com')],
    ['one message', WEBHOOK.replace('/messages?', '/messages/M1.M1?')],
    ['the space', WEBHOOK.replace('/messages?', '?')],
    ['another version', WEBHOOK.replace('/v1/', '/v2/')],
    ['the Chat app', `https://chat.google.com/room/${SPACE}`],
    ['Slack', 'https://hooks.slack.com/services/T000/B000/XXXX'],
  ])('refuses %s', (_name, url) => {
    expect(googleChat.recognise(new URL(url))).toBeUndefined();
  });
});

describe('the secrets', () => {
  it('key and token are masked wherever the URL is quoted', () => {
    const redactor = new Redactor().addUrl(WEBHOOK);
    const said = redactor.redact(
      `POST ${WEBHOOK} failed; key=${KEY} token=${decodeURIComponent(TOKEN)} ${TOKEN}`,
    );
    expect(said).not.toContain(KEY);
    expect(said).not.toContain(TOKEN);
    expect(said).not.toContain(decodeURIComponent(TOKEN));
  });
});

const link = (url: string, label: string) => `<a href="${url}">${label}</a>`;

describe('render', () => {
  it('a start: the headline in the header and the text, the small print, no buttons yet', () => {
    const payload = googleChat.render(buildReport(mainPush, start, settings)) as GoogleChatPayload;
    expect(chatProblems(payload)).toEqual([]);
    expect(payload.text).toBe('🚀 chat-server production job deploy-prod is started by jiyoung');
    expect(cardOf(payload).header).toEqual({
      title: '🚀 chat-server production job deploy-prod is started by jiyoung',
      subtitle: 'Started',
    });
    expect(decorated(payload)).toEqual([
      'Branch main',
      `${link(COMMIT_URL, 'e83c5163')} Add read receipts (Jiyoung Kim)`,
      `Job ${link(JOB_URL, 'deploy-prod')}`,
      link(PIPELINE_URL, 'Pipeline #1234567'),
    ]);
    expect(widgetsOf(payload).some((w) => 'buttonList' in w)).toBe(false);
    expect(payload.thread).toBeUndefined();
  });

  it('a failure: the stage, a button to the failed job', () => {
    const payload = googleChat.render(buildReport(mainPush, finish('failed'), settings));
    expect(chatProblems(payload)).toEqual([]);
    expect(cardOf(payload).header).toEqual({
      title: '❌ chat-server production job deploy-prod failed in 1m 2s at stage deploy',
      subtitle: 'Failed',
    });
    expect(widgetsOf(payload).at(-1)).toEqual({
      buttonList: {
        buttons: [{ text: 'View failed job', onClick: { openLink: { url: JOB_URL } } }],
      },
    });
    expect(decorated(payload)).toContain('Started by jiyoung');
  });

  it('a success: a button to the environment', () => {
    const ctx = contextWith({
      environment: { name: 'production', url: 'https://chat.example.com' },
    });
    const payload = googleChat.render(buildReport(ctx, finish('success'), settings));
    expect(chatProblems(payload)).toEqual([]);
    expect(cardOf(payload).header.title).toBe(
      '✅ chat-server production job deploy-prod succeeded in 1m 2s',
    );
    expect(widgetsOf(payload).at(-1)).toEqual({
      buttonList: {
        buttons: [
          { text: 'Open production', onClick: { openLink: { url: 'https://chat.example.com/' } } },
        ],
      },
    });
  });

  it('one pipeline, one thread: the pipeline names the thread', () => {
    const report = buildReport(mainPush, start, settings);
    report.keys = { pipeline: 'gitlab.example.com/team/chat-server/1234567', job: '7654321' };
    const payload = googleChat.render(report) as GoogleChatPayload;
    expect(payload.thread).toEqual({ threadKey: 'gitlab.example.com/team/chat-server/1234567' });
    const delivery = googleChat.request(new URL(WEBHOOK), payload, report);
    expect(delivery.method).toBe('POST');
    expect(delivery.url.href).toBe(`${WEBHOOK}&${REPLY_OPTION}`);
    expect(JSON.parse(delivery.body)).toEqual(payload);
  });

  it('without a pipeline, the URL as it is', () => {
    const report = buildReport(mainPush, start, settings);
    const delivery = googleChat.request(new URL(WEBHOOK), googleChat.render(report), report);
    expect(delivery.url.href).toBe(WEBHOOK);
  });

  it('calls the space for here and channel, in the text only; names as text; ids dropped', () => {
    const report = buildReport(mainPush, finish('failed'), settings, {
      mentions: [
        { kind: 'user', id: 'U0123ABCD' },
        { kind: 'group', id: 'S0456EFGH' },
        { kind: 'name', name: 'Jiyoung Kim' },
        { kind: 'here' },
        { kind: 'channel' },
        { kind: 'name', name: '<users/123> *Alex*' },
      ],
    });
    const payload = googleChat.render(report) as GoogleChatPayload;
    expect(chatProblems(payload)).toEqual([]);
    expect(payload.text).toBe(
      `❌ chat-server production job deploy-prod failed in 1m 2s at stage deploy cc <users/all>, Jiyoung Kim, <${ZWSP}users/123> ${ZWSP}*${ZWSP}Alex${ZWSP}*${ZWSP}`,
    );
    const json = JSON.stringify(payload);
    expect(json.split('<users/all>')).toHaveLength(2);
    expect(json).not.toMatch(/U0123ABCD|S0456EFGH/);
  });

  it('a thousand names: as many as the text holds, the space called first', () => {
    const mentions = [
      ...Array.from({ length: 1_000 }, (_, i) => ({
        kind: 'name' as const,
        name: `${'n'.repeat(90)}${i}`,
      })),
      { kind: 'channel' as const },
    ];
    const payload = googleChat.render(
      buildReport(mainPush, finish('failed'), settings, { mentions }),
    ) as GoogleChatPayload;
    expect(chatProblems(payload)).toEqual([]);
    expect(payload.text).toMatch(/ cc <users\/all>, n{90}0, /);
  });

  it('the deploy freeze in an emoji Chat shows', () => {
    const payload = googleChat.render(
      buildReport(contextWith({ deployFreeze: true }), start, settings),
    );
    expect(decorated(payload)).toContain('❄️ A deploy freeze is in effect');
  });
});

describe('render: a summary', () => {
  it('7 jobs: the failure first with its stage, then a section a stage, then the counts', () => {
    const payload = googleChat.render(summaryOf(SEVEN));
    expect(chatProblems(payload)).toEqual([]);
    const card = cardOf(payload);
    expect(card.header).toEqual({
      title: '❌ chat-server production pipeline failed',
      subtitle: 'deploy failed',
    });
    expect(
      card.sections
        .slice(0, 4)
        .map((s) => [
          s.header,
          s.widgets.map((w) => ('textParagraph' in w ? w.textParagraph.text : '')),
        ]),
    ).toEqual([
      ['Failed', [`❌ ${link(jobUrl(6), 'deploy')} at stage deploy · 1m 1s`]],
      [
        'build',
        [`✅ ${link(jobUrl(2), 'image')} · 1m 1s<br>✅ ${link(jobUrl(8), 'compile')} · 1m 1s`],
      ],
      [
        'test',
        [
          `✅ ${link(jobUrl(3), 'unit')} · 1m 1s<br>⚠️ ${link(jobUrl(4), 'lint')} · 1m 1s · allowed to fail<br>✋ ${link(jobUrl(5), 'e2e')} · manual`,
        ],
      ],
      ['deploy', [`➖ ${link(jobUrl(7), 'smoke')} · skipped`]],
    ]);
    expect(decorated(payload)[0]).toBe(
      '7 jobs: 3 passed, 1 failed, 1 allowed to fail, 1 skipped, 1 manual',
    );
    expect((payload as GoogleChatPayload).text).toBe(
      '❌ chat-server production pipeline failed: deploy failed',
    );
  });

  it.each([1_000, 5_000])('%i jobs: as many as fit, the rest counted', (count) => {
    const many = manyJobs(count, 137, 97);
    const payload = googleChat.render(summaryOf(many, count === 5_000));
    expect(chatProblems(payload)).toEqual([]);
    const paragraphs = widgetsOf(payload).flatMap((w) =>
      'textParagraph' in w ? w.textParagraph.text.split('<br>') : [],
    );
    const shown = paragraphs.filter((line) => /^(✅|❌) <a href=/.test(line)).length;
    expect(shown).toBeGreaterThan(0);
    expect(paragraphs).toContain(`…and ${count - shown} more`);
  });

  it('jobs in more stages than widgets Chat draws: the widgets decide', () => {
    const many = Array.from({ length: 150 }, (_, i) => job(i + 1, `j${i}`, `s${i}`, 'success'));
    const payload = googleChat.render(summaryOf(many));
    expect(chatProblems(payload)).toEqual([]);
    expect(widgetCount(payload as GoogleChatPayload)).toBeLessThanOrEqual(WIDGETS_MAX);
    const shown = widgetsOf(payload).filter(
      (w) => 'textParagraph' in w && w.textParagraph.text.startsWith('✅'),
    ).length;
    expect(shown).toBeLessThan(100);
    expect(JSON.stringify(payload)).toContain(`…and ${150 - shown} more`);
  });
});

describe('render: within 32,000 bytes whatever the report', () => {
  it('job lines too heavy for the line cap: the bytes decide', () => {
    const heavy = Array.from({ length: 60 }, (_, i) =>
      job(i + 1, `${'n'.repeat(99)}${i}`, 'build', 'success', { url: longUrl(i + 1) }),
    );
    const payload = googleChat.render(summaryOf(heavy));
    expect(chatProblems(payload)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeGreaterThan(PAYLOAD_LIMIT - 2_300);
    expect(JSON.stringify(payload)).toMatch(/…and \d+ more/);
  });

  it('small print whose links do not fit keeps its words', () => {
    const payload = googleChat.render(factsReport(16, 'commit', true));
    expect(chatProblems(payload)).toEqual([]);
    expect(decorated(payload)).toEqual(Array(16).fill('commit'));
  });

  it('small print that does not fit at all leaves the headline and the buttons', () => {
    const payload = googleChat.render(factsReport(99, '€'.repeat(300), false));
    expect(chatProblems(payload)).toEqual([]);
    expect(decorated(payload)).toEqual([]);
    expect(widgetsOf(payload)).toHaveLength(1);
    expect(cardOf(payload).header.title).toBe('❌ the pipeline failed');
  });
});

// Each mixes what could become markup, a link, a mention or formatting in Chat.
const HOSTILE: Array<[string, string]> = [
  ['tags', '<b>bold</b> <i>it</i> <font color="red">red</font> <br> <script>x</script>'],
  ['links', '<a href="https://evil.example">click</a> <https://evil.example|click me>'],
  ['mentions', '<users/all> <users/123456789> <users/me@example.com> @all'],
  ['entities', '&lt;users/all&gt; &amp;lt; &#60;b&#62; & &amp'],
  ['formatting', '*bold* _it_ ~strike~ `code` ```block```'],
  ['quotes', `"double" 'single' \`back\``],
  ['controls and bidi', 'a\u0000b\u0007c\u001b[31md\u202Egnp.exe\u202C \u2066isolate\u2069\u0085'],
  ['60,000 characters', `${'a'.repeat(30_000)}${'<&>*_'.repeat(6_000)}`],
];

/** Plain text where nothing but `<` is read: each one inert. */
const expectInert = (text: string) => {
  expect(text).not.toMatch(new RegExp(`<(?!${ZWSP})`));
  expect(text).not.toMatch(UNSAFE);
};

describe('hostile input stays text', () => {
  it.each(hostileCases(HOSTILE))('%s', (_name, report) => {
    const payload = googleChat.render(report) as GoogleChatPayload;
    expect(chatProblems(payload)).toEqual([]);
    const card = cardOf(payload);
    // Card text: only notify's tags, each link to the CI's own pages.
    for (const text of [
      ...card.sections.flatMap((s) => (s.header ? [s.header] : [])),
      ...widgetsOf(payload).flatMap((w) =>
        'textParagraph' in w
          ? [w.textParagraph.text]
          : 'decoratedText' in w
            ? [w.decoratedText.text]
            : [],
      ),
    ]) {
      for (const [, , href] of text.matchAll(TAG))
        if (href !== undefined) expect(href).toMatch(/^https:\/\/gitlab\.example\.com\//);
      expect(text).not.toMatch(UNSAFE);
    }
    expectInert(card.header.title);
    expectInert(card.header.subtitle ?? '');
    for (const w of widgetsOf(payload))
      if ('buttonList' in w)
        for (const button of w.buttonList.buttons) {
          expectInert(button.text);
          expect(button.onClick.openLink.url).toMatch(/^https:\/\/gitlab\.example\.com\//);
        }
    // The text: no mention, link or formatting of the committer's.
    expectInert(payload.text);
    for (let i = 0; i < payload.text.length; i++) {
      if (/[*_~`]/.test(payload.text[i]!)) {
        expect(payload.text[i - 1]).toBe(ZWSP);
        expect(payload.text[i + 1]).toBe(ZWSP);
      }
    }
    expect(JSON.stringify(payload)).not.toContain('javascript:');
  });
});

describe('escaping', () => {
  it.each([
    ['plain', 'deploy-prod v1.2.3 (main)', 'deploy-prod v1.2.3 (main)'],
    ['tags', '<b>x</b>', '&lt;b&gt;x&lt;/b&gt;'],
    ['a mention', '<users/all>', '&lt;users/all&gt;'],
    ['an entity', '&lt;', '&amp;lt;'],
    ['quotes', '"x"', '&quot;x&quot;'],
    ['formatting is not card syntax', '*x* _y_', '*x* _y_'],
  ])('%s', (_name, raw, escaped) => {
    expect(cardText(raw, 100)).toBe(escaped);
  });

  it('cuts after escaping, never inside an entity', () => {
    expect(cardText('ab<cd', 5)).toBe('ab…');
    expect(cardText('ab<cd', 7)).toBe('ab&lt;…');
  });

  it('an href cannot leave its attribute', () => {
    expect(hrefOf('https://e.example/a"b<c>?x=1&y=2')).toBe(
      'https://e.example/a%22b%3Cc%3E?x=1&amp;y=2',
    );
  });
});

describe('requestUrl', () => {
  it.each([
    [WEBHOOK, `${WEBHOOK}&${REPLY_OPTION}`],
    [
      `${WEBHOOK}&messageReplyOption=MESSAGE_REPLY_OPTION_UNSPECIFIED`,
      `${WEBHOOK}&${REPLY_OPTION}`,
    ],
    [
      `https://chat.googleapis.com/v1/spaces/${SPACE}/messages`,
      `https://chat.googleapis.com/v1/spaces/${SPACE}/messages?${REPLY_OPTION}`,
    ],
  ])('%s', (url, threaded) => {
    expect(requestUrl(new URL(url), true).href).toBe(threaded);
    expect(requestUrl(new URL(url), false).href).toBe(url);
  });
});

const google = (code: number, status: string, message = 'whatever', details?: unknown[]) =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });

describe('judge', () => {
  it('200 names the message', () => {
    const body = JSON.stringify({ name: `spaces/${SPACE}/messages/M1.M1`, thread: { name: 't' } });
    expect(judgeGoogleChat(answer(200, body), 1)).toEqual({
      kind: 'done',
      value: { id: `spaces/${SPACE}/messages/M1.M1` },
    });
  });

  it.each([
    ['an answer cut short', '{"name":"spaces/AAA/mess', false],
    ['an empty answer', '', true],
    ['a name of another shape', '{"name":"users/123"}', true],
  ])('200 with %s is delivered all the same', (_name, body, complete) => {
    expect(judgeGoogleChat(answer(200, body, {}, complete), 1)).toEqual({
      kind: 'done',
      value: {},
    });
  });

  it.each<[string, HttpResponse, number]>([
    ['429 without Retry-After', answer(429, google(429, 'RESOURCE_EXHAUSTED')), RATE_FLOOR_MS],
    ['429 with a short Retry-After', answer(429, '', { 'retry-after': '0' }), RATE_FLOOR_MS],
    ['429 with a long Retry-After', answer(429, '', { 'retry-after': '9' }), 9_000],
    [
      'a quota error of another status',
      answer(403, google(403, 'RESOURCE_EXHAUSTED')),
      RATE_FLOOR_MS,
    ],
  ])('%s waits, at least the floor', (_name, answer, delayMs) => {
    expect(judgeGoogleChat(answer, 1)).toMatchObject({ kind: 'retry', delayMs });
  });

  it.each([500, 502, 503, 504])('HTTP %i is retried', (status) => {
    expect(judgeGoogleChat(answer(status, google(status, 'UNAVAILABLE')), 1)).toMatchObject({
      kind: 'retry',
      reason: `HTTP ${status}`,
    });
  });

  it.each<[number, string, RegExp]>([
    [
      400,
      google(
        400,
        'INVALID_ARGUMENT',
        'Invalid JSON payload received. Unknown name "cardz": Cannot find field.',
      ),
      /^Google Chat answered HTTP 400 INVALID_ARGUMENT: Chat refused the message as invalid \("Invalid JSON payload received\. Unknown name \\"cardz\\": Cannot find field\."\); this is a bug in notify: please report it with the payload --dry-run prints$/,
    ],
    [
      400,
      google(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { reason: 'API_KEY_INVALID' },
      ]),
      /^Google Chat answered HTTP 400 INVALID_ARGUMENT: the webhook's key or token is wrong, or the webhook was removed from the space/,
    ],
    [
      401,
      google(401, 'UNAUTHENTICATED'),
      /^Google Chat answered HTTP 401 UNAUTHENTICATED: the webhook's key or token is wrong/,
    ],
    [
      403,
      google(403, 'PERMISSION_DENIED'),
      /^Google Chat answered HTTP 403 PERMISSION_DENIED: the webhook's key or token is wrong, or the webhook was removed from the space; in the space, open Apps & integrations, add a webhook and use its URL$/,
    ],
    [
      404,
      google(404, 'NOT_FOUND', 'Requested entity was not found.'),
      /^Google Chat answered HTTP 404 NOT_FOUND: the space is gone, or the URL names another/,
    ],
    [404, '<html>Not Found</html>', /^Google Chat answered HTTP 404: the space is gone/],
    [
      409,
      google(409, 'ALREADY_EXISTS', `See ${WEBHOOK} for more.`),
      /^Google Chat answered HTTP 409 ALREADY_EXISTS: "See … for more\."$/,
    ],
    [413, '', /^Google Chat answered HTTP 413 with an empty body$/],
    [302, '', /^the webhook answered with a redirect \(HTTP 302\)/],
  ])('HTTP %i %s fails for good, in one line', (status, body, line) => {
    const error = failureOf(judgeGoogleChat, answer(status, body));
    expect(error.message).toMatch(line);
    for (const secret of [KEY, TOKEN, SPACE]) expect(error.message).not.toContain(secret);
  });

  it('a long message from Chat is cut', () => {
    const line = explainGoogleChat(400, google(400, 'INVALID_ARGUMENT', 'x'.repeat(5_000)));
    expect(line.length).toBeLessThan(400);
  });
});

describe('send through the Node transport', () => {
  const track = closeAfterEach();
  const threaded = () => {
    const report = buildReport(mainPush, finish('failed'), settings);
    report.keys = { pipeline: 'gitlab.example.com/team/chat-server/1234567' };
    return report;
  };
  const deliver = (url: string) => sendTo(googleChat, url, threaded());

  it("delivers into the pipeline's thread, and says which message it made", async () => {
    const server = track(await startFakeGoogleChat());
    const sent = await deliver(server.url);
    expect(sent.attempts).toBe(1);
    expect(sent.id).toBe(`spaces/${SPACE}/messages/M1.M1`);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`${MESSAGES_PATH}?key=${KEY}&token=${TOKEN}&${REPLY_OPTION}`);
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request!.json).toEqual(sent.payload);
    expect(chatProblems(request!.json)).toEqual([]);
    expect((request!.json as GoogleChatPayload).thread).toEqual({
      threadKey: 'gitlab.example.com/team/chat-server/1234567',
    });
  });

  it('waits out a quota error and delivers on the next try', async () => {
    const server = track(await startFakeGoogleChat(quotaExceeded(), chatSpace()));
    const sent = await deliver(server.url);
    expect(sent.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(
      RATE_FLOOR_MS - 20,
    );
  });

  it('fails for good on a wrong token, in one line without the secrets', async () => {
    const server = track(await startFakeGoogleChat());
    const url = server.url.replace(TOKEN, 'wrong-token-0123456789');
    const error = await deliver(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatHttpError);
    expect((error as ChatHttpError).statusCode).toBe(403);
    expect((error as Error).message).toMatch(
      /^Google Chat answered HTTP 403 PERMISSION_DENIED: the webhook's key or token is wrong/,
    );
    expect((error as Error).message).not.toMatch(/\n/);
    for (const secret of [KEY, TOKEN, 'wrong-token-0123456789', url, server.origin])
      expect((error as Error).message).not.toContain(secret);
    expect(server.requests).toHaveLength(1);
  });

  it('a space that is gone is said so', async () => {
    const server = track(await startFakeGoogleChat());
    const error = await deliver(server.url.replace(SPACE, 'AAQAgone000')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^Google Chat answered HTTP 404 NOT_FOUND: the space is gone/,
    );
  });
});
