// Whatever a committer writes, or a runner leaves in the event file, the job still gets its
// message: valid JSON within Slack's limits, no mention that pings a channel, no shell run.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SECTION_LIMIT, TEXT_LIMIT } from '../../src/text.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { GITLAB_ENV, type RunResult } from '../helpers/run.ts';
import { closeAfterEach, expectNoSecrets, notify, oneLine } from './support.ts';

const track = closeAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'notify-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// If any layer handed the text to a shell, this file would appear.
const PWNED = join(dir, 'pwned');
const MENTIONS = ['<!channel>', '<!here>', '<!everyone>', '<@U0123ABCD>'];

const HOSTILE: Array<[name: string, title: string]> = [
  ['quotes and backticks', `it's "quoted" and \`backticked\` and \\escaped\\`],
  ['command substitution', `$(touch ${PWNED}) \`touch ${PWNED}\` ; touch ${PWNED}`],
  ['mentions and links', `${MENTIONS.join(' ')} <https://evil.example|click me> &amp;`],
  ['newlines', 'first line\nsecond line <!channel>\r\nthird'],
  ['emoji', '🚀 deploy 👩‍👩‍👧‍👦 🇰🇷 :rotating_light:'],
  ['RTL and bidi overrides', 'שלום עולם مرحبا \u202Egnp.exe\u202C \u2066isolate\u2069'],
  ['60,000 characters', `${'a'.repeat(30_000)}${'<&>'.repeat(10_000)}`],
];

interface Payload {
  text: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
}

/** The one message Slack got is valid, within Slack's limits, and pings no one. */
function expectSafeDelivery(result: RunResult, slack: FakeSlack): Payload {
  expect(result.code, result.stderr).toBe(0);
  expect(slack.requests).toHaveLength(1);
  const { body, json } = slack.requests[0]!;
  expect(json, 'the body is valid JSON').toBeDefined();
  const payload = json as Payload;
  expect(payload.text.length).toBeLessThanOrEqual(TEXT_LIMIT);
  // Slack's own limits: 50 blocks, 10 elements in a context block.
  expect(payload.blocks.length).toBeLessThanOrEqual(50);
  for (const block of payload.blocks) {
    if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    for (const element of block.elements ?? []) {
      expect(element.text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    }
    expect(block.elements?.length ?? 0).toBeLessThanOrEqual(10);
  }
  for (const mention of MENTIONS) expect(body).not.toContain(mention);
  // The success line carries the fallback text: still one line, whatever the input.
  oneLine(result.stdout);
  expect(existsSync(PWNED)).toBe(false);
  expectNoSecrets(result, slack.webhookUrl);
  return payload;
}

describe('hostile input, end to end', () => {
  it.each(HOSTILE)('CI_COMMIT_TITLE with %s', async (_name, title) => {
    const slack = track(await startFakeSlack());
    const env = { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, CI_COMMIT_TITLE: title };
    const result = await notify(['start'], env);

    expectSafeDelivery(result, slack);
  });

  it.each(['start', 'finish'])('%s with every text variable hostile at once', async (command) => {
    // Each value mixes all of the above; 20,000 characters each keeps the whole environment
    // well under the kernel's limit for exec.
    const hostile = `${HOSTILE.slice(0, -1)
      .map(([, title]) => title)
      .join(' ')} ${'<&>'.repeat(6_000)}`;
    const variables = [
      'CI_PROJECT_NAME',
      'CI_PROJECT_PATH',
      'CI_COMMIT_REF_NAME',
      'CI_COMMIT_REF_SLUG',
      'CI_COMMIT_TITLE',
      'CI_COMMIT_AUTHOR',
      'CI_COMMIT_SHORT_SHA',
      'CI_PIPELINE_ID',
      'CI_JOB_NAME',
      'CI_JOB_STAGE',
      'CI_ENVIRONMENT_NAME',
      'CI_MERGE_REQUEST_IID',
      'CI_MERGE_REQUEST_TITLE',
      'GITLAB_USER_LOGIN',
    ];
    const slack = track(await startFakeSlack());
    const env: Record<string, string> = {
      ...GITLAB_ENV,
      SLACK_WEBHOOK_URL: slack.webhookUrl,
      ...Object.fromEntries(variables.map((name) => [name, hostile.slice(0, 20_000)])),
      // Links that would run script or break out of Slack's <url|label> syntax.
      CI_JOB_URL: 'javascript:alert(1)',
      CI_PROJECT_URL: 'https://gitlab.example.com/a|<!channel>',
      CI_ENVIRONMENT_URL: 'https://x.example/>|<!here>',
      CI_JOB_STATUS: 'failed',
    };
    const result = await notify([command], env);

    const payload = expectSafeDelivery(result, slack);
    expect(JSON.stringify(payload)).not.toContain('javascript:');
  });

  describe('GitHub Actions event file', () => {
    const GITHUB_ENV: Record<string, string> = {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'team/chat-server',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_ACTOR: 'jiyoung',
      GITHUB_JOB: 'deploy',
      GITHUB_WORKFLOW: 'CI',
    };
    const eventFile = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };

    it.each([
      ['truncated JSON', '{"head_commit": {"message": "Add health'],
      ['binary junk', '\u0000\u00ff\u00fe garbage \u0007'],
      ['JSON null', 'null'],
      [
        'fields of the wrong types',
        '{"head_commit":{"message":42,"author":[]},"pull_request":{"number":{}}}',
      ],
    ])('a corrupt file (%s) still sends', async (name, content) => {
      const slack = track(await startFakeSlack());
      const path = eventFile(`${name.replace(/\W+/g, '-')}.json`, content);
      const env = { ...GITHUB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, GITHUB_EVENT_PATH: path };
      const result = await notify(['start'], env);

      expectSafeDelivery(result, slack);
    });

    it('a missing file still sends', async () => {
      const slack = track(await startFakeSlack());
      const env = {
        ...GITHUB_ENV,
        SLACK_WEBHOOK_URL: slack.webhookUrl,
        GITHUB_EVENT_PATH: join(dir, 'no-such-event.json'),
      };
      const result = await notify(['start'], env);

      expectSafeDelivery(result, slack);
    });

    it('hostile text in a valid file stays text', async () => {
      const slack = track(await startFakeSlack());
      const title = HOSTILE.map(([, text]) => text).join(' ');
      const path = eventFile(
        'hostile.json',
        JSON.stringify({
          head_commit: { message: `${title}\n\nbody <!channel>`, author: { name: '<!here>' } },
          pull_request: {
            number: 7,
            title,
            html_url: 'javascript:alert(1)',
            head: { sha: '<!channel>' },
          },
        }),
      );
      const env = {
        ...GITHUB_ENV,
        SLACK_WEBHOOK_URL: slack.webhookUrl,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: path,
      };
      const result = await notify(['finish', '--status', 'failure'], env);

      const payload = expectSafeDelivery(result, slack);
      expect(JSON.stringify(payload)).not.toContain('javascript:');
    });
  });
});
