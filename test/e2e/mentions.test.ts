// The right people and the right signal, through the executable against the fake Slack Web API:
// who a failure calls (found by address, or named by the job's settings), and how a pipeline's
// end compares with the last one of the same ref: fixed, broken, still failing.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCOPES,
  startFakeSlackApi,
  type FakeSlackApi,
  type StoredMessage,
} from '../helpers/fake-slack-api.ts';
import { startFakeSlack } from '../helpers/fake-slack.ts';
import { listen } from '../helpers/listen.ts';
import { GITLAB_ENV, runNotify, type RunResult } from '../helpers/run.ts';

const CHANNEL = 'C0DEPLOYS';
const ONCALL = '<!subteam^S0ONCALL>';
const builds = mkdtempSync(join(tmpdir(), 'notify-mentions-'));
afterAll(() => rmSync(builds, { recursive: true, force: true }));

let slack: FakeSlackApi;
const start = (scopes?: string[]) =>
  startFakeSlackApi({
    postRate: false,
    channels: [
      { id: 'C0DEPLOYS', name: 'deploys' },
      { id: 'C0ONCALL', name: 'oncall' },
    ],
    users: [{ id: 'U0JIYOUNG', email: 'jiyoung@example.com', name: 'jiyoung' }],
    ...(scopes ? { scopes } : {}),
  });
beforeEach(async () => {
  slack = await start();
});
afterEach(() => slack.close());

let pipelineId = 5000;
/** A pipeline's env on a ref; each call is a new pipeline. */
function pipeline(extra: Record<string, string> = {}) {
  const id = String(++pipelineId);
  return (job?: { name: string; status?: string }, more: Record<string, string> = {}) => ({
    ...GITLAB_ENV,
    SLACK_BOT_TOKEN: slack.token,
    NOTIFY_CHANNEL: CHANNEL,
    NOTIFY_SLACK_API_URL: slack.apiUrl,
    NOTIFY_MENTION: `production=${ONCALL},review*=`,
    GITLAB_USER_EMAIL: 'jiyoung@example.com',
    CI_BUILDS_DIR: builds,
    CI_PIPELINE_ID: id,
    CI_PIPELINE_URL: `https://gitlab.example.com/team/chat-server/-/pipelines/${id}`,
    CI_PIPELINE_CREATED_AT: new Date(Date.now() - 60_000).toISOString(),
    CI_JOB_ID: `${id}1`,
    CI_JOB_NAME: job?.name ?? 'notify',
    CI_JOB_STAGE: job ? 'deploy' : '.post',
    ...(job?.status ? { CI_JOB_STATUS: job.status } : {}),
    ...extra,
    ...more,
  });
}

async function run(args: string[], env: Record<string, string>): Promise<RunResult> {
  const result = await runNotify(args, env, { cwd: builds });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** A whole pipeline: its start, and its end with `status`. */
async function wholePipeline(status: 'success' | 'failed', extra: Record<string, string> = {}) {
  const env = pipeline(extra);
  await run(['start', '--scope', 'pipeline'], env());
  return run(['finish', '--scope', 'pipeline', '--status', status], env());
}

const parents = () =>
  slack.channelMessages(CHANNEL).filter((m) => m.metadata?.event_type === 'notify_pipeline');
const said = (message: StoredMessage | undefined) =>
  `${message?.text ?? ''}\n${JSON.stringify(message?.blocks ?? [])}`;

describe('mentions on failure', () => {
  it('a failing production deploy calls the person who started it and the on-call group', async () => {
    const env = pipeline();
    const deploy = { name: 'deploy-production' };
    await run(['start'], env(deploy));
    const result = await run(['finish'], env({ ...deploy, status: 'failed' }));
    expect(result.stderr).toBe('');
    const [parent] = parents();
    const [reply] = slack.threadReplies(CHANNEL, parent!.ts);
    expect(reply?.text).toMatch(/failed.* cc <@U0JIYOUNG> <!subteam\^S0ONCALL>$/);
    expect(said(reply)).toContain('"text":"cc <@U0JIYOUNG> <!subteam^S0ONCALL>"');
    // Looked up by the address GitLab gives for the account that started the pipeline.
    expect(slack.calls.filter((c) => c.method === 'users.lookupByEmail')).toEqual([
      expect.objectContaining({ args: { email: 'jiyoung@example.com' }, ok: true }),
    ]);
  });

  it('the mention is a new message: the edited failure reply gets a cc reply under it', async () => {
    const env = pipeline();
    await run(['start'], env({ name: 'deploy-production' }));
    await run(['finish'], env({ name: 'deploy-production', status: 'failed' }));
    const replies = slack.threadReplies(CHANNEL, parents()[0]!.ts);
    const cc = replies.filter((r) => r.text.startsWith('cc '));
    expect(cc).toHaveLength(1);
    expect(cc[0]!.text).toMatch(
      /^cc <@U0JIYOUNG> <!subteam\^S0ONCALL>: :x: chat-server production job deploy-production failed/,
    );
  });

  it('one breakage calls people once: a second failing job and the end call no one', async () => {
    const env = pipeline();
    for (const name of ['test', 'lint']) {
      await run(['start'], env({ name }));
      await run(['finish'], env({ name, status: 'failed' }));
    }
    await run(['finish', '--scope', 'pipeline', '--status', 'failed'], env());
    const replies = slack.threadReplies(CHANNEL, parents()[0]!.ts);
    // The first failure's reply (edited: no one hears of that) and its cc reply call; nothing else.
    const calling = replies.filter((r) => /<@U0JIYOUNG>/.test(r.text));
    expect(calling.map((r) => r.text)).toEqual([
      expect.stringMatching(/^:x: chat-server production job test failed .* cc <@U0JIYOUNG>/),
      expect.stringMatching(/^cc <@U0JIYOUNG> .*: :x: chat-server production job test failed/),
    ]);
  });

  it('a lookup Slack cannot answer costs one warning, never the message', async () => {
    // Slack, but its user lookup answers HTTP 500 every time.
    const relay = createServer((req, res) => {
      if (req.url?.includes('users.lookupByEmail')) {
        req.resume();
        res.writeHead(500).end('oops');
        return;
      }
      const upstream = new URL(slack.apiUrl);
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    const { port, close } = await listen(relay);
    try {
      const env = pipeline({ NOTIFY_SLACK_API_URL: `http://127.0.0.1:${port}/api` });
      await run(['start'], env({ name: 'deploy' }));
      const result = await run(
        ['finish', '--timeout', '8'],
        env({ name: 'deploy', status: 'failed' }),
      );
      expect(
        result.stderr
          .trim()
          .split('\n')
          .filter((l) => l.includes('warning')),
      ).toEqual([
        expect.stringMatching(/users\.lookupByEmail.*; the person is named, not mentioned$/),
      ]);
      const [reply] = slack.threadReplies(CHANNEL, parents()[0]!.ts);
      expect(reply?.text).toMatch(/failed.* cc jiyoung <!subteam\^S0ONCALL>$/);
    } finally {
      await close();
    }
  });

  it('a failing review app calls only the person who started it', async () => {
    const env = pipeline({
      CI_COMMIT_REF_NAME: 'feature/typing',
      CI_COMMIT_BRANCH: 'feature/typing',
      CI_ENVIRONMENT_NAME: 'review/feature-typing',
    });
    const review = { name: 'review' };
    await run(['start'], env(review));
    await run(['finish'], env({ ...review, status: 'failed' }));
    const [reply] = slack.threadReplies(CHANNEL, parents()[0]!.ts);
    expect(reply?.text).toMatch(/ cc <@U0JIYOUNG>$/);
    expect(said(reply)).not.toContain('subteam');
  });

  it('a success calls no one', async () => {
    const env = pipeline();
    await run(['start'], env({ name: 'deploy' }));
    await run(['finish'], env({ name: 'deploy', status: 'success' }));
    const [reply] = slack.threadReplies(CHANNEL, parents()[0]!.ts);
    expect(said(reply)).not.toMatch(/<@|subteam|cc /);
    expect(slack.calls.some((c) => c.method === 'users.lookupByEmail')).toBe(false);
  });

  it('someone Slack does not know is named, not pinged, without a warning', async () => {
    const env = pipeline({
      GITLAB_USER_EMAIL: 'nobody@example.com',
      CI_COMMIT_AUTHOR: 'X <x@example.com>',
    });
    await run(['start'], env({ name: 'deploy' }));
    const result = await run(['finish'], env({ name: 'deploy', status: 'failed' }));
    expect(result.stderr).toBe('');
    const [reply] = slack.threadReplies(CHANNEL, parents()[0]!.ts);
    expect(reply?.text).toMatch(/ cc jiyoung <!subteam\^S0ONCALL>$/);
    // The account's address only: the commit's is whatever its author wrote.
    expect(
      slack.calls.filter((c) => c.method === 'users.lookupByEmail').map((c) => c.args.email),
    ).toEqual(['nobody@example.com']);
  });

  it('without users:read.email: one warning naming the scope, and the person named', async () => {
    await slack.close();
    slack = await start(DEFAULT_SCOPES.filter((scope) => scope !== 'users:read.email'));
    const env = pipeline();
    await run(['start'], env({ name: 'deploy' }));
    const result = await run(['finish'], env({ name: 'deploy', status: 'failed' }));
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^notify: warning: the app lacks the scope users:read\.email .*; the person is named, not mentioned$/,
      ),
    ]);
    const [reply] = slack.threadReplies(CHANNEL, parents()[0]!.ts);
    expect(reply?.text).toMatch(/ cc jiyoung <!subteam\^S0ONCALL>$/);
  });

  it('NOTIFY_MENTION_ON=never calls no one', async () => {
    const env = pipeline({ NOTIFY_MENTION_ON: 'never' });
    await run(['start'], env({ name: 'deploy' }));
    await run(['finish'], env({ name: 'deploy', status: 'failed' }));
    expect(said(slack.threadReplies(CHANNEL, parents()[0]!.ts)[0])).not.toMatch(/<@|subteam/);
  });
});

describe('fixed, broken, still failing', () => {
  it('a green pipeline after a red one on the same branch says fixed, and by whom', async () => {
    await wholePipeline('failed');
    await wholePipeline('success');
    const [, second] = parents();
    expect(second?.text).toMatch(
      /^:white_check_mark: chat-server production is fixed by jiyoung \(pipeline #\d+ succeeded/,
    );
    const end = slack.threadReplies(CHANNEL, second!.ts).at(-1);
    expect(end?.text).toMatch(/is fixed by jiyoung/);
    expect(second?.metadata?.event_payload).toMatchObject({ ref: 'main', status: 'success' });
  });

  it('a red pipeline after a green one is broken, and calls the on-call', async () => {
    await wholePipeline('success');
    await wholePipeline('failed');
    const second = parents()[1]!;
    const end = slack.threadReplies(CHANNEL, second.ts).at(-1);
    expect(end?.text).toMatch(/^:x: chat-server production is broken: pipeline #\d+ failed/);
    expect(end?.text).toMatch(/cc <@U0JIYOUNG> <!subteam\^S0ONCALL>$/);
  });

  it('a second red in a row goes into the first one’s thread, without calling anyone', async () => {
    await wholePipeline('failed');
    await wholePipeline('failed');
    const [first, second] = parents();
    const told = slack.threadReplies(CHANNEL, first!.ts).at(-1);
    expect(told?.text).toMatch(
      /^:x: chat-server production is still failing: pipeline #\d+ failed/,
    );
    expect(said(told)).toContain(`pipelines/${pipelineId}|Pipeline #${pipelineId}>`);
    expect(said(told)).not.toMatch(/<@|subteam/);
    expect(said(slack.threadReplies(CHANNEL, second!.ts).at(-1))).not.toMatch(/<@|subteam/);
  });

  it('…unless NOTIFY_MENTION_ON=always', async () => {
    await wholePipeline('failed');
    await wholePipeline('failed', { NOTIFY_MENTION_ON: 'always' });
    const told = slack.threadReplies(CHANNEL, parents()[0]!.ts).at(-1);
    expect(told?.text).toMatch(/still failing.*cc <@U0JIYOUNG> <!subteam\^S0ONCALL>$/);
  });

  it('a third red in a row is told in the first failure’s thread', async () => {
    await wholePipeline('failed');
    await wholePipeline('failed');
    await wholePipeline('failed');
    const [first, second] = parents();
    const stillFailing = (ts: string) =>
      slack.threadReplies(CHANNEL, ts).filter((r) => /still failing/.test(r.text));
    expect(stillFailing(first!.ts)).toHaveLength(2);
    expect(stillFailing(second!.ts)).toHaveLength(1); // its own end
  });

  it('a canceled pipeline leaves the line as it was', async () => {
    await wholePipeline('failed');
    const canceled = pipeline();
    await run(['start', '--scope', 'pipeline'], canceled());
    await run(['finish', '--scope', 'pipeline', '--status', 'canceled'], canceled());
    await wholePipeline('failed');
    expect(parents()[2]?.text).toMatch(/still failing/);
  });

  it('merge request pipelines are a line of their own', async () => {
    await wholePipeline('failed');
    await wholePipeline('success', { CI_PIPELINE_SOURCE: 'merge_request_event' });
    expect(parents()[1]?.text).toMatch(
      /^:white_check_mark: chat-server production pipeline succeeded/,
    );
  });

  it('the failure channel calls whom the pipeline message called: no one while still failing', async () => {
    await wholePipeline('failed', { NOTIFY_FAILURE_CHANNEL: 'C0ONCALL' });
    await wholePipeline('failed', { NOTIFY_FAILURE_CHANNEL: 'C0ONCALL' });
    const oncall = slack.channelMessages('C0ONCALL');
    expect(oncall).toHaveLength(2);
    expect(oncall[0]!.text).toMatch(/cc <@U0JIYOUNG> <!subteam\^S0ONCALL>$/);
    expect(oncall[1]!.text).not.toMatch(/cc /);
  });

  it('another branch is another story: no trend', async () => {
    await wholePipeline('failed');
    await wholePipeline('success', { CI_COMMIT_REF_NAME: 'develop', CI_COMMIT_BRANCH: 'develop' });
    expect(parents()[1]?.text).toMatch(/^:white_check_mark: chat-server dev pipeline succeeded/);
  });

  it('the first pipeline just reports its state', async () => {
    await wholePipeline('failed');
    const end = slack.threadReplies(CHANNEL, parents()[0]!.ts).at(-1);
    expect(end?.text).toMatch(/^:x: chat-server production pipeline failed/);
  });
});

describe('webhook mode', () => {
  it('NOTIFY_MENTION calls by ID on a failure, and not on a success', async () => {
    const hook = await startFakeSlack();
    try {
      const env = {
        ...GITLAB_ENV,
        SLACK_WEBHOOK_URL: hook.webhookUrl,
        NOTIFY_MENTION: 'U0456,production=<!subteam^S0ONCALL> U0789',
      };
      await run(['finish', '--status', 'failed'], env);
      await run(['finish', '--status', 'success'], env);
      const [failed, passed] = hook.requests.map((r) => r.json as { text: string });
      expect(failed?.text).toMatch(/failed.* cc <!subteam\^S0ONCALL> <@U0789>$/);
      expect(passed?.text).not.toMatch(/cc /);
    } finally {
      await hook.close();
    }
  });

  it('a committer cannot ping anyone: commit titles and names stay text', async () => {
    const hook = await startFakeSlack();
    try {
      await run(['finish', '--status', 'failed'], {
        ...GITLAB_ENV,
        SLACK_WEBHOOK_URL: hook.webhookUrl,
        CI_COMMIT_TITLE: '<!channel> <@U0BOSS> <!subteam^S0ALL>',
        GITLAB_USER_LOGIN: '<!here>',
      });
      const body = hook.requests[0]!.body;
      expect(body).not.toMatch(/<!channel>|<@U0BOSS>|<!subteam|<!here>/);
    } finally {
      await hook.close();
    }
  });
});
