// Slack app mode through the built executable, as the jobs of a pipeline run it: a first stage of
// two parallel jobs, a test stage, a failing deploy and a `.post` job that ends the pipeline,
// against a fake Slack Web API that rate-limits posts and interleaves its answers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFakeSlackApi,
  type FakeSlackApi,
  type StoredMessage,
} from '../helpers/fake-slack-api.ts';
import { GITLAB_ENV, runNotify, type RunResult } from '../helpers/run.ts';

const CHANNEL = 'C0DEPLOYS';
const PROJECT_URL = GITLAB_ENV.CI_PROJECT_URL!;

interface Job {
  id: string;
  name: string;
  stage: string;
  status: 'success' | 'failed';
}

const STAGES: Job[][] = [
  [
    { id: '101', name: 'build-image', stage: 'build', status: 'success' },
    { id: '102', name: 'build-docs', stage: 'build', status: 'success' },
  ],
  [{ id: '201', name: 'unit-tests', stage: 'test', status: 'success' }],
  [{ id: '301', name: 'deploy-production', stage: 'deploy', status: 'failed' }],
];

let fake: FakeSlackApi;
let builds: string;
const results: RunResult[] = [];

function jobEnv(job: Job | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const started = new Date(Date.now() - 72_000).toISOString();
  return {
    ...GITLAB_ENV,
    SLACK_BOT_TOKEN: fake.token,
    NOTIFY_CHANNEL: '#deploys',
    NOTIFY_SLACK_API_URL: fake.apiUrl,
    CI_BUILDS_DIR: builds,
    CI_PIPELINE_CREATED_AT: new Date(Date.now() - 300_000).toISOString(),
    ...(job
      ? {
          CI_JOB_ID: job.id,
          CI_JOB_NAME: job.name,
          CI_JOB_STAGE: job.stage,
          CI_JOB_URL: `${PROJECT_URL}/-/jobs/${job.id}`,
          CI_JOB_STARTED_AT: started,
        }
      : { CI_JOB_ID: '401', CI_JOB_NAME: 'notify-end', CI_JOB_STAGE: '.post' }),
    ...extra,
  };
}

async function notify(args: string[], env: Record<string, string>): Promise<RunResult> {
  const result = await runNotify(args, env, { cwd: builds });
  results.push(result);
  return result;
}

const topLevel = (messages: StoredMessage[]) =>
  messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
const blocksText = (message: StoredMessage) => JSON.stringify(message.blocks ?? []);

describe('Slack app mode: one pipeline, one conversation', () => {
  beforeAll(async () => {
    fake = await startFakeSlackApi({ delayMs: [0, 30] });
    builds = mkdtempSync(join(tmpdir(), 'notify-builds-'));
    for (const stage of STAGES) {
      await Promise.all(stage.map((job) => notify(['start'], jobEnv(job))));
      await Promise.all(
        stage.map((job) => notify(['finish'], jobEnv(job, { CI_JOB_STATUS: job.status }))),
      );
    }
    await notify(['finish', '--scope', 'pipeline', '--status', 'failed'], jobEnv(undefined));
  }, 120_000);

  afterAll(async () => {
    await fake?.close();
    if (builds) rmSync(builds, { recursive: true, force: true });
  });

  it('every run exits 0 with one line and no secret', () => {
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^notify: (posted|updated) the pipeline message in C0DEPLOYS/);
      expect(`${result.stdout}${result.stderr}`).not.toContain(fake.token);
    }
  });

  it('leaves exactly one pipeline message in the channel', () => {
    const parents = topLevel(fake.channelMessages(CHANNEL));
    expect(parents).toHaveLength(1);
    expect(parents[0]!.metadata?.event_payload).toMatchObject({
      provider: 'gitlab',
      project: 'team/chat-server',
      pipeline: GITLAB_ENV.CI_PIPELINE_ID,
    });
  });

  it('its board has every job with its state and duration, and a red final state', () => {
    const [parent] = topLevel(fake.channelMessages(CHANNEL));
    const board = blocksText(parent!);
    for (const job of STAGES.flat()) {
      const emoji = job.status === 'success' ? ':white_check_mark:' : ':x:';
      expect(board).toMatch(new RegExp(`${emoji} <[^|]*/jobs/${job.id}\\|${job.name}>  1m 1[23]s`));
    }
    expect(parent!.text).toMatch(/^:x: chat-server production pipeline failed in 5m \d+s$/);
    expect(parent!.reactions).toEqual(['x']);
  });

  it('one reply per job, and the pipeline’s end; the failure is broadcast', () => {
    const [parent] = topLevel(fake.channelMessages(CHANNEL));
    const all = fake.threadReplies(CHANNEL, parent!.ts);
    // Who started it is named in the failure, not pinged (no address to find them by): no call.
    expect(all.filter((r) => r.text.startsWith('cc '))).toEqual([]);
    const replies = all;
    expect(replies.map((r) => r.metadata?.event_type)).toEqual([
      ...STAGES.flat().map(() => 'notify_job'),
      'notify_pipeline_end',
    ]);
    const failed = replies.find((r) => r.text.includes('deploy-production'))!;
    expect(failed.text).toMatch(
      /^:x: chat-server production job deploy-production failed in 1m 1[23]s at stage deploy cc jiyoung$/,
    );
    expect(failed.reply_broadcast).toBe(true);
    expect(replies.filter((r) => r.reply_broadcast)).toHaveLength(1);
    expect(blocksText(failed)).toContain('View failed job');
  });

  it('posts were rate limited and retried, never lost', () => {
    const limited = fake.calls.filter((call) => call.status === 429);
    expect(limited.length).toBeGreaterThan(0);
  });
});

describe('Slack app mode: where start leaves the message', () => {
  it('writes --state-file and $GITHUB_OUTPUT; finish with NOTIFY_SLACK_TS needs no search', async () => {
    fake = await startFakeSlackApi({ postRate: false });
    builds = mkdtempSync(join(tmpdir(), 'notify-builds-'));
    try {
      const output = join(builds, 'github-output');
      const job = STAGES[0]![0]!;
      const start = await notify(
        ['start', '--state-file', join(builds, 'notify.env')],
        jobEnv(job, { GITHUB_OUTPUT: output, NOTIFY_CHANNEL: CHANNEL }),
      );
      expect(start.code, start.stderr).toBe(0);
      const [parent] = topLevel(fake.channelMessages(CHANNEL));
      expect(readFileSync(join(builds, 'notify.env'), 'utf8')).toBe(
        `NOTIFY_CHANNEL=${CHANNEL}\nNOTIFY_SLACK_TS=${parent!.ts}\n`,
      );
      expect(readFileSync(output, 'utf8')).toBe(
        `slack_ts=${parent!.ts}\nslack_channel=${CHANNEL}\n`,
      );

      // Another job, with the ts handed over and no state of its own: no history search.
      const before = fake.calls.length;
      const finish = await notify(
        ['finish', '--status', 'success'],
        jobEnv(STAGES[1]![0]!, { NOTIFY_CHANNEL: CHANNEL, NOTIFY_SLACK_TS: parent!.ts }),
      );
      expect(finish.code, finish.stderr).toBe(0);
      const methods = fake.calls.slice(before).map((call) => call.method);
      expect(methods).not.toContain('conversations.history');
      expect(topLevel(fake.channelMessages(CHANNEL))).toHaveLength(1);
    } finally {
      await fake.close();
      rmSync(builds, { recursive: true, force: true });
    }
  });
});

describe('Slack app mode: what goes wrong is said in one line', () => {
  it.each<[string, Parameters<typeof startFakeSlackApi>[0], RegExp]>([
    [
      'a missing scope',
      { scopes: ['chat:write'] },
      /the app lacks the scope channels:history that conversations\.history needs/,
    ],
    [
      'the app not in the channel',
      { channels: [{ id: CHANNEL, name: 'deploys', member: false }] },
      /not a member of C0DEPLOYS: invite it/,
    ],
    [
      'a revoked token',
      { revokedTokens: ['xoxb-notify-test'] },
      /Slack refused SLACK_BOT_TOKEN \(token_revoked\)/,
    ],
  ])('%s: exit 1, one line, no token', async (_name, options, said) => {
    fake = await startFakeSlackApi(options);
    builds = mkdtempSync(join(tmpdir(), 'notify-builds-'));
    try {
      const result = await runNotify(
        ['start'],
        jobEnv(STAGES[0]![0]!, { NOTIFY_CHANNEL: CHANNEL }),
        {
          cwd: builds,
        },
      );
      expect(result.code).toBe(1);
      const lines = result.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^notify: delivery failed: /);
      expect(lines[0]).toMatch(said);
      expect(`${result.stdout}${result.stderr}`).not.toContain(fake.token);
      const soft = await runNotify(
        ['start', '--soft-fail'],
        jobEnv(STAGES[0]![0]!, { NOTIFY_CHANNEL: CHANNEL }),
        {
          cwd: builds,
        },
      );
      expect(soft.code).toBe(0);
    } finally {
      await fake.close();
      rmSync(builds, { recursive: true, force: true });
    }
  });

  it('--dry-run says the bot token is used, and sends nothing', async () => {
    fake = await startFakeSlackApi();
    try {
      const result = await runNotify(['start', '--dry-run'], {
        ...jobEnv(STAGES[0]![0]!),
        SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/services/T0/B0/x',
      });
      expect(result.code).toBe(0);
      const shown = JSON.parse(result.stdout) as { mode: string; channel: string };
      expect(shown.mode).toMatch(/SLACK_BOT_TOKEN is set, so it is used and the webhook is not/);
      expect(shown.channel).toBe('#deploys');
      expect(fake.calls).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});

describe('Slack app mode: ten jobs at once', () => {
  it('one parent, ten lines, ten replies: nothing lost to the race', async () => {
    fake = await startFakeSlackApi({ delayMs: [0, 40] });
    builds = mkdtempSync(join(tmpdir(), 'notify-builds-'));
    try {
      const jobs: Job[] = Array.from({ length: 10 }, (_, i) => ({
        id: String(500 + i),
        name: `shard-${i}`,
        stage: 'test',
        status: i === 7 ? 'failed' : 'success',
      }));
      const env = (job: Job, extra: Record<string, string> = {}) =>
        jobEnv(job, { NOTIFY_CHANNEL: CHANNEL, NOTIFY_TIMEOUT: '60', ...extra });
      const starts = await Promise.all(
        jobs.map((job) => runNotify(['start'], env(job), { cwd: builds })),
      );
      const finishes = await Promise.all(
        jobs.map((job) =>
          runNotify(['finish'], env(job, { CI_JOB_STATUS: job.status }), { cwd: builds }),
        ),
      );
      for (const result of [...starts, ...finishes]) expect(result.code, result.stderr).toBe(0);
      const parents = topLevel(fake.channelMessages(CHANNEL));
      expect(parents).toHaveLength(1);
      const board = JSON.stringify(parents[0]!.blocks);
      for (const job of jobs) {
        const emoji = job.status === 'success' ? ':white_check_mark:' : ':x:';
        expect(board, job.name).toContain(`${emoji} <${PROJECT_URL}/-/jobs/${job.id}|${job.name}>`);
      }
      expect(parents[0]!.text).toMatch(
        /^:x: chat-server production pipeline is failing: shard-7 failed$/,
      );
      const replies = fake
        .threadReplies(CHANNEL, parents[0]!.ts)
        .filter((r) => !r.text.startsWith('cc '));
      expect(replies.map((r) => r.metadata?.event_payload.name).sort()).toEqual(
        jobs.map((j) => j.name).sort(),
      );
    } finally {
      await fake.close();
      rmSync(builds, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('Slack app mode on GitHub Actions', () => {
  it('start records the time in RUNNER_TEMP; finish finds it and shows the duration', async () => {
    fake = await startFakeSlackApi({ postRate: false });
    builds = mkdtempSync(join(tmpdir(), 'notify-runner-'));
    try {
      const env = {
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_REPOSITORY: 'team/chat-server',
        GITHUB_REF_NAME: 'main',
        GITHUB_RUN_ID: '777',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: 'deploy',
        GITHUB_ACTOR: 'jiyoung',
        RUNNER_TEMP: builds,
        NOTIFY_ENVIRONMENT: 'production',
        SLACK_BOT_TOKEN: fake.token,
        NOTIFY_CHANNEL: CHANNEL,
        NOTIFY_SLACK_API_URL: fake.apiUrl,
      };
      const start = await runNotify(['start'], env, { cwd: builds });
      expect(start.code, start.stderr).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const finish = await runNotify(['finish', '--status', 'success'], env, { cwd: builds });
      expect(finish.code, finish.stderr).toBe(0);
      const [parent] = topLevel(fake.channelMessages(CHANNEL));
      expect(JSON.stringify(parent!.blocks)).toMatch(/:white_check_mark: <[^|]+\|deploy> {2}[12]s/);
      const [reply] = fake.threadReplies(CHANNEL, parent!.ts);
      expect(reply!.text).toMatch(
        /^:white_check_mark: chat-server production job deploy succeeded in [12]s$/,
      );
    } finally {
      await fake.close();
      rmSync(builds, { recursive: true, force: true });
    }
  });
});
