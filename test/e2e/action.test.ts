// The GitHub Action as a runner runs it: the bundle action.yml names, on the pinned Node 24,
// in the step's workspace, with the runner's variables, every declared input as INPUT_<NAME>,
// and the step's GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files; against a fake Slack webhook and
// a fake Slack Web API on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAfterEach } from '../delivery/support.ts';
import { startFakeSlack, status, WEBHOOK_PATH } from '../helpers/fake-slack.ts';
import { startFakeSlackApi } from '../helpers/fake-slack-api.ts';
import {
  ACTION_YML,
  PUSH_SHA,
  readOutputs,
  RUN_URL,
  runnerCommands,
  runnerStep,
  type Step,
} from '../helpers/github-runner.ts';
import { ROOT } from '../helpers/run.ts';

const NODE = join(ROOT, 'node_modules/.bin/node');
const BUNDLE = join(ROOT, ACTION_YML.runs.main);

interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string> | undefined;
  summary: string | undefined;
}

/** `node <main>` as the runner starts it: the step's variables only, in its workspace. */
function runStep(step: Step): Promise<StepResult> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BUNDLE], {
      env: step.env,
      cwd: step.env.GITHUB_WORKSPACE,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
      const outputs = read(step.output);
      resolve({
        code,
        stdout,
        stderr,
        outputs: outputs === undefined ? undefined : readOutputs(outputs),
        summary: read(step.summary),
      });
    });
  });
}

const texts = (requests: Array<{ json: unknown }>) =>
  requests.map((request) => (request.json as { text: string }).text);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'notify-action-e2e-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const track = closeAfterEach();

describe('the GitHub Action, run as the runner runs it', () => {
  it('runs on the pinned Node 24, the runtime action.yml asks for', () => {
    expect(ACTION_YML.runs.using).toBe('node24');
    expect(spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v24\./);
  });

  it('a job with a webhook: start and finish, each message sent, mirrored and summed up', async () => {
    const slack = track(await startFakeSlack());
    // The webhook from the step's env:, as a secret is usually given.
    const secrets = { SLACK_WEBHOOK_URL: slack.webhookUrl };
    const start = await runStep(runnerStep(dir, { command: 'start' }, secrets));
    const finish = await runStep(
      runnerStep(dir, { command: 'finish', status: 'failure' }, secrets),
    );

    for (const result of [start, finish]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.outputs).toEqual({ ts: '', channel: '' });
      expect(`${result.stdout}${result.stderr}${result.summary}`).not.toContain(WEBHOOK_PATH);
      expect(runnerCommands(result.stdout, result.stderr)).toEqual([
        'stdout: stop-commands',
        'stdout: resume',
      ]);
    }
    expect(start.stdout.split('\n')[1]).toMatch(
      /^notify: sent the start notification to http:\/\/127\.0\.0\.1:\d+\/services\/T…\/B…\/\*{4} \(1 attempt\)/,
    );
    expect(texts(slack.requests)).toEqual([
      ':rocket: chat-server production job deploy is started by jiyoung',
      // GitHub's job has no stage of its own: the workflow is its stage.
      ':x: chat-server production job deploy failed at stage CI',
    ]);
    expect(JSON.stringify(slack.requests[1]!.json)).toContain(`<${RUN_URL}|View failed job>`);
    // The summary file is the job's: each step adds its message.
    expect(finish.summary).toBe(
      [
        '### 🚀 **chat\\-server** **production** job **deploy** is started by **jiyoung**',
        '',
        '- Branch main',
        '- [e83c516](https://github.com/team/chat-server/commit/e83c5163316f89bfbde7d9ab23ca2e25604af290) Add read receipts (Jiyoung Kim)',
        `- Job [deploy](${RUN_URL})`,
        `- [Pipeline #\u200b4242](${RUN_URL})`,
        '',
        '### ❌ **chat\\-server** **production** job **deploy** failed at stage **CI**',
        '',
        '- Branch main',
        '- [e83c516](https://github.com/team/chat-server/commit/e83c5163316f89bfbde7d9ab23ca2e25604af290) Add read receipts (Jiyoung Kim)',
        `- Job [deploy](${RUN_URL})`,
        `- [Pipeline #\u200b4242](${RUN_URL})`,
        '- Started by [jiyoung](https://github.com/jiyoung)',
        '',
        `[View failed job](${RUN_URL})`,
        '',
        '',
      ].join('\n'),
    );
  });

  it('the Slack app: ts and channel as outputs, and a later job finds the message by them', async () => {
    const api = track(await startFakeSlackApi({ postRate: false }));
    const app = {
      'bot-token': api.token,
      channel: '#deploys',
      'slack-api-url': api.apiUrl,
    };
    const build = await runStep(
      runnerStep(join(dir, 'build'), { command: 'start', ...app }, { GITHUB_JOB: 'build' }),
    );
    expect(build.code, build.stderr).toBe(0);
    const [parent] = api.channelMessages('C0DEPLOYS');
    expect(parent).toBeDefined();
    expect(build.outputs).toEqual({ ts: parent!.ts, channel: 'C0DEPLOYS' });
    expect(build.summary).toMatch(
      /^### 🚀 \*\*chat\\-server\*\* \*\*production\*\* job \*\*build\*\* is started by \*\*jiyoung\*\*\n/,
    );

    const finished = await runStep(
      runnerStep(
        join(dir, 'build'),
        { command: 'finish', status: 'success', ...app },
        { GITHUB_JOB: 'build' },
      ),
    );
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.outputs).toEqual({ ts: parent!.ts, channel: 'C0DEPLOYS' });

    // Another job, handed the first's outputs: no search of the channel's history.
    const before = api.calls.length;
    const deploy = await runStep(
      runnerStep(
        join(dir, 'deploy'),
        {
          command: 'start',
          ...app,
          channel: build.outputs!.channel!,
          'slack-ts': build.outputs!.ts!,
        },
        { GITHUB_JOB: 'deploy-production' },
      ),
    );
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(api.calls.slice(before).map((call) => call.method)).not.toContain(
      'conversations.history',
    );
    expect(api.channelMessages('C0DEPLOYS')).toHaveLength(1);
    expect(api.threadReplies('C0DEPLOYS', parent!.ts).map((reply) => reply.text)).toEqual(
      [
        ':white_check_mark: chat-server production job build succeeded in 0s',
        ':rocket: chat-server production job deploy-production is started by jiyoung',
      ].map((text) =>
        expect.stringMatching(
          new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('0s', '\\d+s')}`),
        ),
      ),
    );
    for (const result of [build, finished, deploy]) {
      expect(`${result.stdout}${result.stderr}${result.summary}`).not.toContain(api.token);
    }
  });

  it('the pipeline summary job: scope pipeline with needs', async () => {
    const slack = track(await startFakeSlack());
    const needs = JSON.stringify({
      build: { result: 'success', outputs: {} },
      test: { result: 'failure', outputs: {} },
      deploy: { result: 'skipped', outputs: {} },
    });
    const result = await runStep(
      runnerStep(
        dir,
        { command: 'finish', status: 'success', scope: 'pipeline', needs },
        { SLACK_WEBHOOK_URL: slack.webhookUrl, GITHUB_JOB: 'notify' },
      ),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(texts(slack.requests)).toEqual([
      ':x: chat-server production pipeline failed: test failed',
    ]);
    expect(result.summary).toContain('### ❌ **chat\\-server** **production** pipeline failed\n');
    expect(result.summary).toContain(
      '**Failed**\n\n* ❌ test\n\n+ ✅ build\n+ ➖ deploy · skipped\n',
    );
    expect(result.summary).toContain('\n- 3 jobs: 1 passed, 1 failed, 1 skipped\n');
  });

  it('a failed delivery: exit 1, one line and its annotation, the summary says so', async () => {
    const slack = track(await startFakeSlack({ responder: status(404, 'no_service') }));
    const result = await runStep(
      runnerStep(dir, { command: 'start', 'webhook-url': slack.webhookUrl }),
    );
    expect(result.code).toBe(1);
    // The reason once: as the annotation, which the log shows too.
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^::error title=notify::notify: delivery failed: .*no_service.*\n$/,
    );
    expect(runnerCommands(result.stdout, result.stderr)).toEqual(['stdout: error']);
    expect(result.outputs).toEqual({ ts: '', channel: '' });
    expect(result.summary).toMatch(
      /\n\n⚠️ _Not every destination got this message: this step's log says why\._\n\n$/,
    );
    expect(`${result.stdout}${result.stderr}${result.summary}`).not.toContain(WEBHOOK_PATH);
  });

  it('a setting that is not valid: exit 2 before anything is sent, no summary', async () => {
    const slack = track(await startFakeSlack());
    const result = await runStep(
      runnerStep(
        dir,
        { command: 'start', 'webhook-url': slack.webhookUrl, channel: 'https://x' },
        {
          SLACK_BOT_TOKEN: 'xoxb-1234-s3cr3tT0ken',
        },
      ),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      '::error title=notify::notify: --channel must be a channel ID such as C0123ABCD, or #name (got a URL; a webhook goes in a *_WEBHOOK_URL setting)\n',
    );
    expect(slack.requests).toHaveLength(0);
    expect(result.summary).toBeUndefined();
    expect(result.outputs).toEqual({ ts: '', channel: '' });
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cr3t');
  });

  it.each<[Record<string, string>, string]>([
    [{}, 'the command input is required: start or finish'],
    [{ command: 'Start' }, 'the command input must be start or finish (got "Start")'],
    [{ command: 'start', 'soft-fail': 'yes please' }, 'the soft-fail input must be true or false'],
  ])('inputs %j: exit 2, and the annotation says which input is wrong', async (inputs, message) => {
    const result = await runStep(runnerStep(dir, inputs));
    expect(result).toMatchObject({
      code: 2,
      stdout: `::error title=notify::notify: ${message}\n`,
      stderr: '',
      summary: undefined,
    });
  });

  describe('titles that are workflow commands: nothing runs outside a stop-commands window', () => {
    const HOSTILE =
      'Fix ##[set-output name=ts;]1700000000.000100 and ##[stop-commands]zzz ##[add-mask]GH-123';
    const hostileEvent = () => {
      const event = join(dir, 'event.json');
      writeFileSync(
        event,
        JSON.stringify({
          head_commit: {
            message: `${HOSTILE} e83c5163316f\n::set-output name=channel::C0`,
            author: { name: '##[error]Jiyoung' },
          },
          pull_request: {
            number: 7,
            title: `::add-mask::pr ${HOSTILE}`,
            html_url: 'https://github.com/team/chat-server/pull/7',
            head: { sha: PUSH_SHA },
            user: { login: 'jiyoung' },
          },
        }),
      );
      return event;
    };

    it('a dry run prints the payload as it is, inside the window', async () => {
      const result = await runStep(
        runnerStep(
          dir,
          { command: 'start', 'dry-run': 'true' },
          { GITHUB_EVENT_PATH: hostileEvent() },
        ),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`${HOSTILE} e83c5163316f`);
      expect(result.stdout).toContain('::add-mask::pr');
      expect(runnerCommands(result.stdout, result.stderr)).toEqual([
        'stdout: stop-commands',
        'stdout: resume',
      ]);
      expect(result.outputs).toEqual({ ts: '', channel: '' });
      // And the step summary makes no reference of them either.
      expect(result.summary).toContain(`GH\\-\u200b123 e83c51\u200b63316f`);
    });

    it('a finish whose webhook answers with commands: the annotation runs, nothing else', async () => {
      const slack = track(
        await startFakeSlack({ responder: status(404, `no_service ${HOSTILE}`) }),
      );
      const result = await runStep(
        runnerStep(
          dir,
          { command: 'finish', status: 'failure', 'webhook-url': slack.webhookUrl },
          { GITHUB_EVENT_PATH: hostileEvent() },
        ),
      );
      expect(result.code).toBe(1);
      expect(slack.requests).toHaveLength(1);
      expect(result.stdout).toContain('## [set-output name=ts;]');
      expect(runnerCommands(result.stdout, result.stderr)).toEqual(['stdout: error']);
    });
  });
});
