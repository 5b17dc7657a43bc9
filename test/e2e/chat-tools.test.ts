// One GitLab job, five chat tools: only the webhook URL changes, and each fake receives its own
// tool's native message, with nothing a committer wrote turned into a mention or a link.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAfterEach, expectNoSecrets, notify } from '../delivery/support.ts';
import { startFakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeGoogleChat } from '../helpers/fake-google-chat.ts';
import { startFakeMattermost } from '../helpers/fake-mattermost.ts';
import { startFakeSlack } from '../helpers/fake-slack.ts';
import { startFakeTeams } from '../helpers/fake-teams.ts';
import { GITLAB_ENV } from '../helpers/run.ts';

const track = closeAfterEach();
const builds = mkdtempSync(join(tmpdir(), 'notify-chat-tools-'));
afterAll(() => rmSync(builds, { recursive: true, force: true }));

const HOSTILE = '<!channel> @everyone @here <@U0BOSS> [click](https://evil.example) **bold**';
const job = (webhookUrl: string, more: Record<string, string> = {}) => ({
  ...GITLAB_ENV,
  SLACK_WEBHOOK_URL: webhookUrl,
  CI_BUILDS_DIR: builds,
  CI_JOB_ID: String(Math.floor(Math.random() * 1e9)),
  CI_COMMIT_TITLE: HOSTILE,
  ...more,
});

interface Fake {
  url: string;
  requests: Array<{ body: string; method?: string; path?: string }>;
}

/** Every body the fake took, as one string: what reached the tool. */
const bodies = (fake: Fake) => fake.requests.map((r) => r.body).join('\n');

const tools = [
  ['Slack', () => startFakeSlack().then((f) => ({ ...f, url: f.webhookUrl }))],
  ['Mattermost', () => startFakeMattermost()],
  ['Microsoft Teams', () => startFakeTeams()],
  ['Discord', () => startFakeDiscord()],
  ['Google Chat', () => startFakeGoogleChat()],
] as const;

describe('the same job, only the webhook URL changed', () => {
  it.each(tools)('%s gets its own native message', async (tool, start) => {
    const fake = track(await start()) as unknown as Fake & { close(): Promise<void> };
    const result = await notify(['finish', '--status', 'failed'], job(fake.url));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(fake.requests).toHaveLength(1);
    const body = JSON.parse(fake.requests[0]!.body) as Record<string, unknown>;
    switch (tool) {
      case 'Slack':
        expect(body.blocks).toBeInstanceOf(Array);
        break;
      case 'Mattermost':
        expect(body.attachments).toBeInstanceOf(Array);
        expect(body).not.toHaveProperty('blocks');
        break;
      case 'Microsoft Teams':
        expect(body.type).toBe('message');
        expect(JSON.stringify(body.attachments)).toContain(
          'application/vnd.microsoft.card.adaptive',
        );
        break;
      case 'Discord':
        expect(body.embeds).toBeInstanceOf(Array);
        expect(body.allowed_mentions).toEqual({ parse: [] });
        break;
      case 'Google Chat':
        expect(body.cardsV2).toBeInstanceOf(Array);
        expect(body.thread).toEqual({ threadKey: expect.stringContaining('1234') });
        break;
    }
    expect(result.stdout).toMatch(/^notify: sent the finish notification to /);
    // What a committer wrote never pings: no tool's mention syntax survives in what was sent.
    const sent = bodies(fake);
    // Slack's and Discord's mention syntax, as written.
    expect(sent).not.toMatch(/(^|[^\\])(<!channel>|<@U0BOSS>)/);
    // A Markdown link, for the tools whose text takes one (Slack and Google Chat show it as it is).
    if (tool !== 'Slack' && tool !== 'Google Chat')
      expect(sent).not.toContain('[click](https://evil');
    // A bare address, for the tools that link those by themselves.
    if (tool === 'Microsoft Teams' || tool === 'Google Chat')
      expect(sent).not.toMatch(/https:\/\/evil|evil\.example/);
    // A bare @everyone or @here, for the tools that ping on those words.
    if (tool === 'Discord' || tool === 'Mattermost')
      expect(sent).not.toMatch(/(^|[^\\\u200b])@(everyone|here)\b/);
    expectNoSecrets(result, new URL(fake.url).pathname.split('/').pop());
  });

  it.each(tools)('%s: --dry-run says which tool and why', async (tool, start) => {
    const fake = track(await start()) as unknown as Fake & { close(): Promise<void> };
    const result = await notify(['start', '--dry-run'], job(fake.url));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^notify: dry run: for ${tool}: `));
    expect(fake.requests).toHaveLength(0);
    const shown = JSON.parse(result.stdout) as Record<string, unknown>;
    if (tool === 'Slack') expect(shown.blocks).toBeInstanceOf(Array);
    else
      expect(shown.chat).toBe(
        tool === 'Microsoft Teams' ? 'teams' : tool.toLowerCase().replace(' ', '-'),
      );
  });
});

describe('Discord: one message per job', () => {
  it('the finish edits what the start posted', async () => {
    const fake = track(await startFakeDiscord());
    const env = job(fake.url);
    const start = await notify(['start'], env);
    expect(start.code, start.stderr).toBe(0);
    const finish = await notify(['finish', '--status', 'success'], env);
    expect(finish.code, finish.stderr).toBe(0);
    expect(finish.stdout).toMatch(/^notify: updated the finish notification to Discord at /);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]!.edits).toBe(1);
    expect(fake.messages[0]!.content).toMatch(/succeeded/);
  });
});

describe('Discord: a finish that pings', () => {
  it('posts the ping anew, and still brings the start’s message to the end', async () => {
    const fake = track(await startFakeDiscord());
    const env = job(fake.url, { NOTIFY_MENTION: 'here' });
    expect((await notify(['start'], env)).code).toBe(0);
    const finish = await notify(['finish', '--status', 'failed'], env);
    expect(finish.code, finish.stderr).toBe(0);
    expect(fake.messages).toHaveLength(2);
    const [first, second] = fake.messages;
    expect(first!.edits).toBe(1);
    expect(first!.content).toMatch(/failed/);
    expect(first!.content).not.toContain('@here');
    expect(second!.content).toContain('@here');
    expect(second!.allowed_mentions).toEqual({ parse: ['everyone'] });
  });
});

describe('NOTIFY_TARGET and retired URLs', () => {
  it('NOTIFY_TARGET says the tool outright', async () => {
    const fake = track(await startFakeMattermost());
    const result = await notify(['start', '--dry-run'], job(fake.url, { NOTIFY_TARGET: 'slack' }));
    expect(result.stderr).toMatch(/^notify: dry run: for Slack: NOTIFY_TARGET is slack/);
    const wrong = await notify(['start'], job(fake.url, { NOTIFY_TARGET: 'irc' }));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /NOTIFY_TARGET must be one of slack, mattermost, teams, discord, google-chat/,
    );
  });

  it('a NOTIFY_TARGET that contradicts the host, or Discord’s /slack endpoint, is exit 2', async () => {
    const slackHost = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX';
    const wrong = await notify(['start'], job(slackHost, { NOTIFY_TARGET: 'discord' }));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/NOTIFY_TARGET is discord, but SLACK_WEBHOOK_URL is Slack's/);
    const suffix =
      'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz/slack';
    const result = await notify(['start'], job(suffix));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/without that suffix/);
    expect(result.stderr).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('an Office 365 connector URL is exit 2, saying what to use instead', async () => {
    const url = 'https://contoso.webhook.office.com/webhookb2/aaaa@bbbb/IncomingWebhook/cccc/dddd';
    const result = await notify(['start'], job(url));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^notify: SLACK_WEBHOOK_URL: .*(Workflows|workflow)/);
    expect(result.stderr).not.toContain('cccc');
  });
});
