// Microsoft Teams: which URLs are its workflows, the card a Report becomes (checked by
// Microsoft's Adaptive Cards SDK and Teams' size limit), escaping against hostile input, what
// each answer means, and a delivery through the real transport to a fake workflow trigger.
import * as AdaptiveCards from 'adaptivecards';
import { describe, expect, it } from 'vitest';
import { ChatHttpError } from '../../../src/errors.ts';
import { RATE_LIMIT_FLOOR_MS } from '../../../src/http.ts';
import { buildReport } from '../../../src/report.ts';
import { Redactor } from '../../../src/secrets.ts';
import type { Status } from '../../../src/status.ts';
import {
  explainTeams,
  judgeTeams,
  lineSafe,
  markdownUrl,
  PAYLOAD_LIMIT,
  retiredTeamsUrl,
  teams,
  teamsText,
  type TeamsPayload,
} from '../../../src/targets/teams.ts';
import { closeAfterEach } from '../../delivery/support.ts';
import {
  SIG,
  startFakeTeams,
  throttled,
  workflowError,
  WORKFLOW_ID,
  type FakeTeams,
} from '../../helpers/fake-teams.ts';
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

const LOGIC_APPS = `https://prod-27.westeurope.logic.azure.com:443/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
const POWER_PLATFORM = `https://default0a1b2c3d4e5f4a6b8c9d0e1f2a3b4c.5d.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;

/** Everything Microsoft's SDK and Teams' limits find wrong with a payload; empty when none. */
function cardProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const text = JSON.stringify(payload);
  const bytes = Buffer.byteLength(text);
  if (bytes > PAYLOAD_LIMIT) problems.push(`${bytes} bytes`);
  const message = payload as TeamsPayload;
  if (message.type !== 'message') problems.push('not a message');
  if (message.attachments?.length !== 1) return [...problems, 'not one attachment'];
  const attachment = message.attachments[0]!;
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive')
    problems.push(`contentType ${attachment.contentType}`);
  if (attachment.contentUrl !== null) problems.push('contentUrl');
  const { msteams, ...content } = attachment.content;
  if (msteams?.width !== 'Full') problems.push('msteams.width');
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  card.parse(content, context);
  for (let i = 0; i < context.eventCount; i++)
    problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of card.validateProperties().validationEvents)
    problems.push(`validate: ${event.message}`);
  // The SDK drops what it does not know (a property, an empty text) without a word: what it
  // keeps must be everything there was.
  if (JSON.stringify(sorted(card.toJSON())) !== JSON.stringify(sorted(content)))
    problems.push(`round trip: ${JSON.stringify(card.toJSON())}`);
  for (const block of content.body) {
    if (!block.text.trim()) problems.push('an empty TextBlock');
  }
  for (const action of content.actions ?? []) {
    if (!/^https?:\/\//.test(action.url)) problems.push(`action url ${action.url}`);
    if (!action.title.trim()) problems.push('an action without a title');
  }
  return problems;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}

const cardOf = (payload: unknown) => (payload as TeamsPayload).attachments[0]!.content;
const texts = (payload: unknown) => cardOf(payload).body.map((block) => block.text);

describe('recognise', () => {
  it.each([
    ['Azure Logic Apps', LOGIC_APPS, 'prod-27.westeurope.logic.azure.com (Azure Logic Apps'],
    ['Power Platform', POWER_PLATFORM, '.environment.api.powerplatform.com (Power Automate'],
    [
      'Power Platform, regional',
      `https://prod-01.uk.api.powerplatform.com/powerautomate/automations/direct/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=1&sig=${SIG}`,
      'prod-01.uk.api.powerplatform.com (Power Automate',
    ],
    [
      'Power Automate',
      `https://api.powerautomate.com/powerautomate/automations/direct/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=1&sig=${SIG}`,
      'api.powerautomate.com (Power Automate',
    ],
  ])('%s', (_name, url, reason) => {
    const said = teams.recognise(new URL(url));
    expect(said).toContain(reason);
    expect(said).toContain('/workflows/…/triggers/…/paths/invoke');
    expect(said).not.toContain(SIG);
    expect(said).not.toContain(WORKFLOW_ID);
  });

  it.each([
    ['plain http', LOGIC_APPS.replace('https:', 'http:')],
    ['a look-alike host', LOGIC_APPS.replace('logic.azure.com', 'logic.azure.com.evil.example')],
    ['a host that only ends alike', LOGIC_APPS.replace('prod-27.westeurope.', 'evil')],
    ['the bare domain', LOGIC_APPS.replace('prod-27.westeurope.', '')],
    ['another path', `https://prod-27.westeurope.logic.azure.com/workflows/${WORKFLOW_ID}/runs`],
    ['the trigger, not its invoke path', LOGIC_APPS.replace('/paths/invoke', '')],
    ['Power Automate elsewhere', POWER_PLATFORM.replace('api.powerplatform.com', 'example.com')],
    [
      'an Office 365 connector',
      'https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d',
    ],
    ['Slack', 'https://hooks.slack.com/services/T000/B000/XXXX'],
    ['Google Chat', 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t'],
  ])('refuses %s', (_name, url) => {
    expect(teams.recognise(new URL(url))).toBeUndefined();
  });
});

describe('retiredTeamsUrl', () => {
  it.each([
    'https://contoso.webhook.office.com/webhookb2/0b1c@2d3e/IncomingWebhook/4f5a/6b7c',
    'https://outlook.office.com/webhook/0b1c@2d3e/IncomingWebhook/4f5a/6b7c',
    'https://outlook.office365.com/webhook/0b1c@2d3e/IncomingWebhook/4f5a/6b7c',
  ])('%s says it no longer works and what to use', (url) => {
    const line = retiredTeamsUrl(new URL(url));
    expect(line).toMatch(/is an Office 365 connector webhook, which Microsoft Teams no longer/);
    expect(line).toContain('"Post to a channel when a webhook request is received"');
    expect(line).not.toContain('IncomingWebhook');
    expect(line).not.toMatch(/\n/);
  });

  it.each([LOGIC_APPS, 'https://outlook.office.com/mail/', 'https://webhook.office.com.example/x'])(
    'leaves %s alone',
    (url) => {
      expect(retiredTeamsUrl(new URL(url))).toBeUndefined();
    },
  );
});

describe('the secret', () => {
  it('is masked wherever the URL is quoted', () => {
    const redactor = new Redactor().addUrl(LOGIC_APPS);
    const said = redactor.redact(
      `POST ${LOGIC_APPS} failed; sig=${SIG}; ${encodeURIComponent(SIG)}`,
    );
    expect(said).not.toContain(SIG);
    expect(said).not.toContain(WORKFLOW_ID);
  });
});

describe('render', () => {
  it('a start: the headline in the accent colour, the small print, no buttons yet', () => {
    const payload = teams.render(buildReport(mainPush, start, settings));
    expect(cardProblems(payload)).toEqual([]);
    const card = cardOf(payload);
    expect(card.version).toBe('1.5');
    expect(card.body[0]).toEqual({
      type: 'TextBlock',
      text: '🚀 chat-server production job deploy-prod is started by jiyoung',
      wrap: true,
      weight: 'Bolder',
      color: 'Accent',
    });
    expect(texts(payload).slice(1)).toEqual([
      'Branch main',
      `[e83c5163](${COMMIT_URL}) Add read receipts (Jiyoung Kim)`,
      `Job [deploy-prod](${JOB_URL})`,
      `[Pipeline #1234567](${PIPELINE_URL})`,
    ]);
    expect(card.body.slice(1).every((block) => block.isSubtle)).toBe(true);
    expect(card.actions).toBeUndefined();
    expect(card.fallbackText).toBe(
      '🚀 chat-server production job deploy-prod is started by jiyoung',
    );
  });

  it('a failure: attention, the stage, a button to the failed job', () => {
    const payload = teams.render(buildReport(mainPush, finish('failed'), settings));
    expect(cardProblems(payload)).toEqual([]);
    const card = cardOf(payload);
    expect(card.body[0]).toMatchObject({
      text: '❌ chat-server production job deploy-prod failed in 1m 2s at stage deploy',
      color: 'Attention',
    });
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'View failed job', url: JOB_URL },
    ]);
    expect(texts(payload)).toContain('Started by jiyoung');
  });

  it('a success: good, and a button to the environment', () => {
    const ctx = contextWith({
      environment: { name: 'production', url: 'https://chat.example.com' },
    });
    const payload = teams.render(buildReport(ctx, finish('success'), settings));
    expect(cardProblems(payload)).toEqual([]);
    expect(cardOf(payload).body[0]).toMatchObject({
      text: '✅ chat-server production job deploy-prod succeeded in 1m 2s',
      color: 'Good',
    });
    expect(cardOf(payload).actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open production', url: 'https://chat.example.com/' },
    ]);
  });

  it.each<[Status, string]>([
    ['canceled', 'Warning'],
    ['timedout', 'Attention'],
    ['aborted', 'Warning'],
    ['unknown', 'Warning'],
  ])('%s is %s', (status, color) => {
    const payload = teams.render(buildReport(mainPush, finish(status), settings));
    expect(cardProblems(payload)).toEqual([]);
    expect(cardOf(payload).body[0]!.color).toBe(color);
  });

  it('names the people notify could not find, and no one else', () => {
    const report = buildReport(mainPush, finish('failed'), settings, {
      mentions: [
        { kind: 'user', id: 'U0123ABCD' },
        { kind: 'group', id: 'S0456EFGH' },
        { kind: 'here' },
        { kind: 'channel' },
        { kind: 'name', name: 'Jiyoung Kim' },
        { kind: 'name', name: '<at>Alex</at>' },
      ],
    });
    const payload = teams.render(report);
    expect(cardProblems(payload)).toEqual([]);
    expect(texts(payload)[1]).toBe('cc Jiyoung Kim, \\<at\\>Alex\\</at\\>');
    expect(JSON.stringify(payload)).not.toMatch(/U0123ABCD|S0456EFGH|<!here>|<!channel>/);
    expect(cardOf(payload).fallbackText).toContain('cc Jiyoung Kim, <at>Alex</at>');
    expect(JSON.stringify(payload)).not.toContain('"entities"');
  });

  it('a thousand names: as many as a line holds', () => {
    const mentions = Array.from({ length: 1_000 }, (_, i) => ({
      kind: 'name' as const,
      name: `${'n'.repeat(90)}${i}`,
    }));
    const payload = teams.render(buildReport(mainPush, finish('failed'), settings, { mentions }));
    expect(cardProblems(payload)).toEqual([]);
    expect(texts(payload)[1]!.length).toBeLessThanOrEqual(1_003);
  });

  it('the deploy freeze in an emoji Teams shows', () => {
    const payload = teams.render(buildReport(contextWith({ deployFreeze: true }), start, settings));
    expect(texts(payload)).toContain('❄️ A deploy freeze is in effect');
  });
});

describe('render: a summary', () => {
  it('7 jobs: the failure first with its stage, then each stage, then the counts', () => {
    const payload = teams.render(summaryOf(SEVEN));
    expect(cardProblems(payload)).toEqual([]);
    const body = cardOf(payload).body;
    expect(body[0]!.text).toMatch(/^❌ chat-server production pipeline failed/);
    expect(body.slice(1, 9).map((b) => [b.text, b.weight ?? '', b.spacing ?? ''])).toEqual([
      ['Failed', 'Bolder', 'Medium'],
      [`❌ [deploy](${jobUrl(6)}) at stage deploy · 1m 1s`, '', 'None'],
      ['build', 'Bolder', 'Medium'],
      [`✅ [image](${jobUrl(2)}) · 1m 1s\n\n✅ [compile](${jobUrl(8)}) · 1m 1s`, '', 'None'],
      ['test', 'Bolder', 'Medium'],
      [
        `✅ [unit](${jobUrl(3)}) · 1m 1s\n\n⚠️ [lint](${jobUrl(4)}) · 1m 1s · allowed to fail\n\n✋ [e2e](${jobUrl(5)}) · manual`,
        '',
        'None',
      ],
      ['deploy', 'Bolder', 'Medium'],
      [`➖ [smoke](${jobUrl(7)}) · skipped`, '', 'None'],
    ]);
    expect(body[9]!.text).toBe(
      '7 jobs: 3 passed, 1 failed, 1 allowed to fail, 1 skipped, 1 manual',
    );
    expect(cardOf(payload).actions?.[0]).toEqual({
      type: 'Action.OpenUrl',
      title: 'View failed job',
      url: jobUrl(6),
    });
    expect(cardOf(payload).fallbackText).toContain(': deploy failed');
  });

  it.each([1_000, 5_000])('%i jobs: as many as fit, the rest counted', (count) => {
    const many = manyJobs(count, 37, 97);
    const payload = teams.render(summaryOf(many, count === 5_000));
    expect(cardProblems(payload)).toEqual([]);
    const all = texts(payload).join('\n\n');
    const shown = all.split('\n\n').filter((line) => /^(✅|❌) \[job-/.test(line)).length;
    expect(shown).toBeGreaterThan(0);
    expect(all).toContain(`…and ${count - shown} more`);
    expect(texts(payload)).toContain(
      `${count}${count === 5_000 ? '+' : ''} jobs: ${count - Math.ceil(count / 97)} passed, ${Math.ceil(count / 97)} failed`,
    );
  });
});

describe('render: within 28 KB whatever the report', () => {
  it('job lines too heavy for the line cap: the bytes decide', () => {
    const heavy = Array.from({ length: 60 }, (_, i) =>
      job(i + 1, `${'n'.repeat(99)}${i}`, 'build', 'success', { url: longUrl(i + 1) }),
    );
    const payload = teams.render(summaryOf(heavy));
    expect(cardProblems(payload)).toEqual([]);
    const shown = texts(payload)
      .join('\n\n')
      .split('\n\n')
      .filter((l) => l.startsWith('✅ [')).length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(60);
    expect(texts(payload)).toContain(`…and ${60 - shown} more`);
    // One line more would not have fitted.
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeGreaterThan(PAYLOAD_LIMIT - 2_300);
  });

  it('small print whose links do not fit keeps its words', () => {
    const payload = teams.render(factsReport(14, 'commit', true));
    expect(cardProblems(payload)).toEqual([]);
    expect(texts(payload).slice(1)).toEqual(Array(14).fill('commit'));
    expect(cardOf(payload).actions).toHaveLength(1);
  });

  it('small print that does not fit at all leaves the headline and the buttons', () => {
    const payload = teams.render(factsReport(200, '€'.repeat(300), false));
    expect(cardProblems(payload)).toEqual([]);
    expect(texts(payload)).toEqual(['❌ the pipeline failed']);
    expect(cardOf(payload).actions).toHaveLength(1);
  });
});

// Each mixes what could become formatting, a link, a mention or an expanded function in Teams.
const HOSTILE: Array<[string, string]> = [
  ['emphasis and code', '**bold** __under__ _it_ ~~strike~~ `code` ***both***'],
  [
    'links',
    '[click](https://evil.example) ![x](https://evil.example/x.png) <https://evil.example>',
  ],
  ['mentions', '<at>Jiyoung Kim</at> <at id="0">x</at> @channel <!here> <users/all>'],
  ['functions', '{{DATE(2017-02-14T06:08:39Z, SHORT)}} {{TIME(2017-02-14T06:08:39Z)}}'],
  ['backslashes', '\\*not\\* \\\\*bold\\\\* \\[x\\](https://evil.example)'],
  ['blocks', '- item\n1. item\n# heading\n> quote\n2) item'],
  ['lists at the start', '- item'],
  ['numbers at the start', '1. item'],
  ['controls and bidi', 'a\u0000b\u0007c\u001b[31md\u202Egnp.exe\u202C \u2066isolate\u2069\u0085'],
  ['60,000 characters', `${'a'.repeat(30_000)}${'*_[<{'.repeat(6_000)}`],
];

/** The Markdown marks no backslash escapes. */
function bareMarks(text: string): string[] {
  const marks: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (/[*_`~[\]<>{}]/.test(text[i]!)) marks.push(text[i]!);
  }
  return marks;
}

/** Links to the CI's own pages, notify's only markup outside the headline, taken out. */
const TRUSTED_LINK = /\[((?:\\.|[^\\\]])*)\]\((https:\/\/gitlab\.example\.com\/[^)\s]*)\)/g;

describe('hostile input stays text', () => {
  it.each(hostileCases(HOSTILE))('%s', (_name, report) => {
    const payload = teams.render(report);
    expect(cardProblems(payload)).toEqual([]);
    for (const block of cardOf(payload).body) {
      const text = block.text.replace(TRUSTED_LINK, '$1');
      expect(bareMarks(text), text.slice(0, 300)).toEqual([]);
      for (const line of block.text.split('\n\n')) {
        expect(line).not.toMatch(/^\s*([-+#>]|\d+[.)])/);
        expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }
    }
    const json = JSON.stringify(payload);
    expect(json).not.toContain('javascript:');
    for (const block of cardOf(payload).body)
      expect(block.text).not.toMatch(/(^|[^\\])\]\(https:\/\/evil/);
    for (const action of cardOf(payload).actions ?? [])
      expect(action.url).toMatch(/^https:\/\/gitlab\.example\.com\//);
  });
});

describe('escaping', () => {
  it.each([
    ['plain', 'deploy-prod v1.2.3 (main)', 'deploy-prod v1.2.3 (main)'],
    ['emphasis', '*a* _b_ ~c~ `d`', '\\*a\\* \\_b\\_ \\~c\\~ \\`d\\`'],
    ['a link', '[x](https://e.example)', '\\[x\\](https:\u200b//e.\u200bexample)'],
    ['a mention', '<at>x</at>', '\\<at\\>x\\</at\\>'],
    ['a function', '{{DATE(x)}}', '\\{\\{DATE(x)\\}\\}'],
    ['a backslash', 'a\\b', 'a\\\\b'],
    ['an entity is left: it is literal', '&lt;at&gt;', '&lt;at&gt;'],
  ])('%s', (_name, raw, escaped) => {
    expect(teamsText(raw, 100)).toBe(escaped);
  });

  it('cuts after escaping, never inside an escape', () => {
    expect(teamsText('ab*cd', 4)).toBe('ab…');
    expect(teamsText('ab*cd', 5)).toBe('ab\\*…');
  });

  it.each([
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['# heading', '\\# heading'],
    ['12. item', '12\\. item'],
    ['3) item', '3\\) item'],
    ['v1.2 is fine', 'v1.2 is fine'],
    ['12 items', '12 items'],
  ])('a line %j starts as text', (line, safe) => {
    expect(lineSafe(line)).toBe(safe);
  });

  it('a link destination cannot be ended early', () => {
    expect(markdownUrl('https://e.example/a(b)[c]<d>`e`')).toBe(
      'https://e.example/a%28b%29%5Bc%5D%3Cd%3E%60e%60',
    );
  });
});

const azure = (code: string, message = 'whatever') => JSON.stringify({ error: { code, message } });

describe('judge', () => {
  it.each([200, 202, 204])('HTTP %i is delivered', (status) => {
    expect(judgeTeams(answer(status), 1)).toEqual({ kind: 'done', value: {} });
  });

  it('429 waits what Retry-After says', () => {
    const verdict = judgeTeams(
      answer(429, azure('WorkflowRequestsThrottled'), { 'retry-after': '7' }),
      1,
    );
    expect(verdict).toMatchObject({
      kind: 'retry',
      delayMs: 7000,
      reason: 'rate limited (HTTP 429)',
    });
  });

  it.each([500, 502, 503, 504])('HTTP %i is retried', (status) => {
    expect(judgeTeams(answer(status), 1)).toMatchObject({
      kind: 'retry',
      reason: `HTTP ${status}`,
    });
  });

  it.each<[number, string, RegExp]>([
    [
      401,
      azure('DirectApiAuthorizationRequired'),
      /^Microsoft Teams answered HTTP 401 DirectApiAuthorizationRequired: the workflow takes only signed-in callers, or the URL lost its sig parameter; set the trigger's "Who can trigger the flow" to "Anyone"/,
    ],
    [
      401,
      azure('DirectApiInvalidAuthorizationSignature'),
      /HTTP 401 DirectApiInvalidAuthorizationSignature: the URL's sig does not match/,
    ],
    [403, '', /^Microsoft Teams answered HTTP 403: the workflow takes only signed-in callers/],
    [
      404,
      azure('WorkflowNotFound', `The workflow '${WORKFLOW_ID}' could not be found.`),
      /^Microsoft Teams answered HTTP 404 WorkflowNotFound: the workflow was deleted or the URL is wrong; copy the URL again/,
    ],
    [
      404,
      'Not Found',
      /^Microsoft Teams answered HTTP 404: the workflow was deleted or the URL is wrong/,
    ],
    [
      400,
      azure('TriggerInputSchemaMismatch'),
      /HTTP 400 TriggerInputSchemaMismatch: the workflow expects another message shape; create it from the template/,
    ],
    [
      400,
      azure('InvalidRequestContent'),
      /^Microsoft Teams answered HTTP 400 InvalidRequestContent: the workflow refused the message; .* this is a bug in notify: please report it with the payload --dry-run prints$/,
    ],
    [
      410,
      azure('Gone', `See ${LOGIC_APPS} for more.`),
      /^Microsoft Teams answered HTTP 410 Gone: "See … for more\."$/,
    ],
    [413, '', /^Microsoft Teams answered HTTP 413 with an empty body$/],
    [302, '', /^the webhook answered with a redirect \(HTTP 302\)/],
  ])('HTTP %i %s fails for good, in one line', (status, body, line) => {
    const error = failureOf(judgeTeams, answer(status, body));
    expect(error.message).toMatch(line);
    expect(error.message).not.toContain(SIG);
    expect(error.message).not.toContain('logic.azure.com');
  });

  it('own keys only: a code of toString is no known code', () => {
    expect(explainTeams(409, azure('toString', 'conflict'))).toBe(
      'Microsoft Teams answered HTTP 409 toString: "conflict"',
    );
  });
});

describe('send through the Node transport', () => {
  const track = closeAfterEach();
  const report = buildReport(mainPush, finish('failed'), settings);
  const deliver = (server: FakeTeams) => sendTo(teams, server.url, report);

  it('delivers: one POST of the card, JSON, to the trigger URL as it is', async () => {
    const server = track(await startFakeTeams());
    const sent = await deliver(server);
    expect(sent.attempts).toBe(1);
    expect(sent.id).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(server.url.slice(server.origin.length));
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request!.json).toEqual(sent.payload);
    expect(cardProblems(request!.json)).toEqual([]);
  });

  it('waits out a 429 and delivers on the next try', async () => {
    const server = track(
      await startFakeTeams(throttled(0), (_req, res) => {
        res.writeHead(202).end();
      }),
    );
    const sent = await deliver(server);
    expect(sent.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(
      RATE_LIMIT_FLOOR_MS - 20,
    );
  });

  it('fails for good on a deleted workflow, in one line without the secret', async () => {
    const server = track(
      await startFakeTeams(
        workflowError(404, 'WorkflowNotFound', `The workflow '${WORKFLOW_ID}' could not be found.`),
      ),
    );
    const error = await deliver(server).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatHttpError);
    expect((error as ChatHttpError).message).toMatch(
      /^Microsoft Teams answered HTTP 404 WorkflowNotFound: the workflow was deleted or the URL is wrong/,
    );
    expect((error as Error).message).not.toMatch(/\n/);
    for (const secret of [SIG, server.url, server.url.slice(server.origin.length)])
      expect((error as Error).message).not.toContain(secret);
    expect(server.requests).toHaveLength(1);
  });

  it('a URL without its sig is told apart by the fake as by the trigger', async () => {
    const server = track(await startFakeTeams());
    const error = await sendTo(teams, server.url.replace(/&sig=[^&]+/, ''), report).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/HTTP 401 DirectApiAuthorizationRequired/);
  });
});

describe('the payload', () => {
  it('is what render gives, as JSON, to the URL unchanged', () => {
    const report = buildReport(mainPush, start, settings);
    const url = new URL(LOGIC_APPS);
    const payload = teams.render(report);
    expect(teams.request(url, payload, report)).toEqual({
      url,
      method: 'POST',
      body: JSON.stringify(payload),
    });
  });
});
