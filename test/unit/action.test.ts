// The GitHub Action in-process: the runner's INPUT_* variables as notify's flags, an input over
// the step's environment as a flag is, and what the step leaves: its outputs, its summary, its
// exit code. Deliveries go to real fake servers on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  actionArgv,
  actionOutputs,
  actionWords,
  inert,
  input,
  INPUT_SETTINGS,
  inputVariable,
  NOT_INPUTS,
  outputsText,
  runAction,
  unexpected,
} from '../../src/action.ts';
import { parseCommandLine } from '../../src/cli.ts';
import { SETTINGS, type Flags, type SettingKey } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { appendText, onSignal, readText, writeText } from '../../src/platform/node.ts';
import { nodeTransport } from '../../src/platform/node-http.ts';
import { buildReport } from '../../src/report.ts';
import { closeAfterEach } from '../delivery/support.ts';
import { startFakeSlack, status } from '../helpers/fake-slack.ts';
import { readOutputs, runnerCommands, runnerStep, type Step } from '../helpers/github-runner.ts';
import { mainPush } from './sample-context.ts';
import { settings } from './targets/support.ts';

const SPECS = Object.entries(SETTINGS) as Array<[SettingKey, (typeof SETTINGS)[SettingKey]]>;

/** The flags a step's inputs become, as the command line reads them back. */
function flagsOf(env: Record<string, string>): Flags {
  const parsed = parseCommandLine(actionArgv(env));
  if (parsed.kind !== 'run') throw new Error(`not a run: ${JSON.stringify(parsed)}`);
  return parsed.flags;
}

const inputs = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [inputVariable(name), value]));

describe('inputs as the runner sets them', () => {
  it.each([
    ['webhook-url', 'INPUT_WEBHOOK-URL'],
    ['command', 'INPUT_COMMAND'],
    ['a name with spaces', 'INPUT_A_NAME_WITH_SPACES'],
  ])('%s is %s', (name, variable) => {
    expect(inputVariable(name)).toBe(variable);
  });

  it.each(['', '  ', '\n'])('an input given as %j is not given', (value) => {
    expect(input({ 'INPUT_WEBHOOK-URL': value }, 'webhook-url')).toBeUndefined();
    expect(flagsOf(inputs({ command: 'start', 'webhook-url': value, timeout: value }))).toEqual({});
  });

  it('every input setting comes from the input named as its flag, and only from it', () => {
    const env: Record<string, string> = { INPUT_COMMAND: 'finish' };
    const value = (key: SettingKey) => (key === 'status' ? 'failure' : `the ${key}`);
    for (const [key, spec] of INPUT_SETTINGS) {
      env[inputVariable(spec.flag)] = spec.type === 'boolean' ? 'true' : value(key);
    }
    const expected = Object.fromEntries(
      INPUT_SETTINGS.map(([key, spec]) => [key, spec.type === 'boolean' ? true : value(key)]),
    );
    expect(flagsOf(env)).toEqual(expected);
    expect(actionArgv(env)[0]).toBe('finish');
  });

  it('a setting that is no input is not read, though the runner passes it (with a warning)', () => {
    expect(Object.keys(NOT_INPUTS).sort()).toEqual(['gitlabToken', 'stateFile']);
    const env: Record<string, string> = { INPUT_COMMAND: 'start' };
    for (const [key, spec] of SPECS) {
      if (key in NOT_INPUTS) env[inputVariable(spec.flag)] = `/the/${key}`;
    }
    expect(env).toHaveProperty(['INPUT_GITLAB-TOKEN']);
    expect(env).toHaveProperty(['INPUT_STATE-FILE']);
    expect(actionArgv(env)).toEqual(['start']);
  });

  it.each(['success', 'failure', 'cancelled', 'Failure', 'failed', 'canceled', 'timed out'])(
    'status %j is taken as the command line takes it',
    (status) => {
      expect(flagsOf(inputs({ command: 'finish', status }))).toEqual({ status });
    },
  );

  it('a value stays the value, whatever it looks like', () => {
    const values = {
      'webhook-url': '--dry-run',
      'environment-map': 'main=production\ndevelop=dev\n',
      'logs-query': '{app="a=b"} |= "--x"',
      project: ' spaced out ',
    };
    expect(flagsOf(inputs({ command: 'start', ...values }))).toEqual({
      webhookUrl: values['webhook-url'],
      environmentMap: values['environment-map'],
      logsQuery: values['logs-query'],
      project: values.project,
    });
  });

  it.each<[string, boolean]>([
    ['true', true],
    ['True', true],
    ['yes', true],
    ['1', true],
    ['on', true],
    ['false', false],
    ['FALSE', false],
    ['no', false],
    ['0', false],
    [' off ', false],
  ])('a switch given as %j is %s, beating the environment either way', (value, on) => {
    expect(flagsOf(inputs({ command: 'start', 'dry-run': value, 'soft-fail': value }))).toEqual({
      dryRun: on,
      softFail: on,
    });
  });

  it.each<[Record<string, string>, string]>([
    [{}, 'the command input is required: start or finish'],
    [{ command: ' ' }, 'the command input is required: start or finish'],
    [{ command: 'doctor' }, 'the command input must be start or finish (got "doctor")'],
    [{ command: 'Start' }, 'the command input must be start or finish (got "Start")'],
    [{ command: 'xoxb-1234/5678 secret' }, 'the command input must be start or finish'],
    [
      { command: 'start', 'dry-run': 'maybe' },
      'the dry-run input must be true or false (got "maybe")',
    ],
    [
      { command: 'finish', 'soft-fail': 'https://hooks.slack.com/services/T0/B0/x' },
      'the soft-fail input must be true or false',
    ],
    [
      { command: 'finish', status: 'passed!' },
      'the status input must be success, failure or cancelled, as job.status gives it',
    ],
    [
      { command: 'finish', status: 'green' },
      'the status input must be success, failure or cancelled, as job.status gives it (got "green")',
    ],
  ])('%j: %s', (values, message) => {
    let error: unknown;
    try {
      actionArgv(inputs(values));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
  });
});

describe('outputs', () => {
  it('are written as name<<delimiter blocks, one fresh delimiter each', () => {
    const delimiters = ['ghadelimiter_1', 'ghadelimiter_2'];
    const text = outputsText(
      [
        ['ts', '1763800000.000100'],
        ['channel', ''],
      ],
      () => delimiters.shift()!,
    );
    expect(text).toBe(
      'ts<<ghadelimiter_1\n1763800000.000100\nghadelimiter_1\nchannel<<ghadelimiter_2\n\nghadelimiter_2\n',
    );
  });

  it('a value that holds its delimiter is never written', () => {
    expect(() => outputsText([['ts', 'x\nEOF\ny']], () => 'EOF')).toThrow(/holds its delimiter/);
  });

  it('are the Slack app message, and empty outside app mode', () => {
    const report = buildReport(mainPush, { kind: 'start' }, settings);
    const app = { channel: 'C0DEPLOYS', ts: '1763800000.000100' };
    expect(actionOutputs({ kind: 'sent', report, app })).toEqual([
      ['ts', app.ts],
      ['channel', app.channel],
    ]);
    expect(actionOutputs({ kind: 'failed', report, app })).toEqual([
      ['ts', app.ts],
      ['channel', app.channel],
    ]);
    for (const outcome of [{ kind: 'sent', report } as const, { kind: 'skipped' } as const]) {
      expect(actionOutputs(outcome)).toEqual([
        ['ts', ''],
        ['channel', ''],
      ]);
    }
    expect(actionOutputs(undefined)).toEqual([
      ['ts', ''],
      ['channel', ''],
    ]);
  });
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'notify-action-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const track = closeAfterEach();

/** The Action in-process, in the step's workspace, with the step's environment only. */
async function action(step: Step) {
  let stdout = '';
  let stderr = '';
  const code = await runAction({
    env: step.env,
    cwd: step.env.GITHUB_WORKSPACE,
    readText,
    writeText,
    appendText,
    onSignal,
    transport: (env) => nodeTransport(env),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    delimiter: () => `ghadelimiter_${randomUUID()}`,
    stopToken: () => randomUUID(),
  });
  // Regular files only: a FIFO left there by a test is not read (that would wait for a writer).
  const read = (path: string) =>
    existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  return { code, stdout, stderr, outputs: read(step.output), summary: read(step.summary) };
}

const headline = (json: unknown) => (json as { text: string }).text;

describe('status: skipped, as needs.<job>.result gives it for a job that did not run', () => {
  it.each(['skipped', ' Skipped '])(
    '%j: nothing is sent, one line, exit 0, empty outputs',
    async (status) => {
      const slack = track(await startFakeSlack());
      const step = runnerStep(dir, { command: 'finish', status, 'webhook-url': slack.webhookUrl });
      const result = await action(step);
      expect(result.code, result.stderr).toBe(0);
      expect(slack.requests).toHaveLength(0);
      expect(result.stdout).toBe(
        'notify: not sending the finish notification: the status input is skipped\n',
      );
      expect(result.outputs).toMatch(
        /^ts<<ghadelimiter_[\w-]+\n\nghadelimiter_[\w-]+\nchannel<<ghadelimiter_[\w-]+\n\nghadelimiter_[\w-]+\n$/,
      );
      expect(result.summary ?? '').toBe('');
    },
  );

  it('the other inputs are still checked: a bad one is exit 2', async () => {
    const step = runnerStep(dir, { command: 'finish', status: 'skipped', 'soft-fail': 'maybe' });
    const result = await action(step);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^::error title=notify::notify: the soft-fail input must be true or false/,
    );
  });
});

describe('an input beats the step’s environment, as a flag does', () => {
  it('the webhook input is used; the env: one is not', async () => {
    const given = track(await startFakeSlack());
    const other = track(await startFakeSlack());
    const step = runnerStep(
      dir,
      { command: 'start', 'webhook-url': given.webhookUrl },
      { SLACK_WEBHOOK_URL: other.webhookUrl },
    );
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    expect(given.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it('an input left empty leaves the env: variable to decide', async () => {
    const slack = track(await startFakeSlack());
    const step = runnerStep(dir, { command: 'start' }, { SLACK_WEBHOOK_URL: slack.webhookUrl });
    expect(step.env['INPUT_WEBHOOK-URL']).toBe('');
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
  });

  it('status: the input over NOTIFY_STATUS, as GitHub writes job.status', async () => {
    const slack = track(await startFakeSlack());
    const step = runnerStep(
      dir,
      { command: 'finish', status: 'failure', 'webhook-url': slack.webhookUrl },
      { NOTIFY_STATUS: 'success' },
    );
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    expect(headline(slack.requests[0]!.json)).toMatch(
      /^:x: chat-server production job deploy failed/,
    );
  });

  it('soft-fail: false beats NOTIFY_SOFT_FAIL=true: a failed delivery fails the step', async () => {
    const slack = track(await startFakeSlack({ responder: status(404, 'no_service') }));
    const step = runnerStep(
      dir,
      { command: 'start', 'webhook-url': slack.webhookUrl, 'soft-fail': 'false' },
      { NOTIFY_SOFT_FAIL: 'true' },
    );
    const result = await action(step);
    expect(result.code).toBe(1);
    // One annotation on the run's page, the line that ended the run; in the log, that once.
    expect(result.stdout).toMatch(
      /^::error title=notify::notify: delivery failed: .*no_service.*\n$/m,
    );
    expect(result.stderr).not.toContain('delivery failed');
    expect(`${result.stdout}${result.stderr}`).not.toContain(slack.webhookUrl);
  });

  it('soft-fail: true keeps the step green and says so, in the log and the summary', async () => {
    const slack = track(await startFakeSlack({ responder: status(404, 'no_service') }));
    const step = runnerStep(dir, {
      command: 'start',
      'webhook-url': slack.webhookUrl,
      'soft-fail': 'true',
    });
    const result = await action(step);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^notify: warning: delivery failed: .*\(soft fail: exiting 0\)$/m,
    );
    expect(result.stdout).not.toContain('::error');
    expect(result.summary).toContain(
      "⚠️ _Not every destination got this message: this step's log says why._",
    );
  });

  it('a setting that is not valid is exit 2, named as its flag, and nothing is sent', async () => {
    const slack = track(await startFakeSlack());
    const step = runnerStep(dir, {
      command: 'start',
      'webhook-url': slack.webhookUrl,
      timeout: 'soon',
    });
    const result = await action(step);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      '::error title=notify::notify: --timeout must be a number of seconds from 1 to 3600, e.g. 30 (got "soon")\n',
    );
    expect(slack.requests).toHaveLength(0);
    expect(result.summary).toBeUndefined();
  });

  it.each<[Record<string, string>, string]>([
    [{ command: 'doctor' }, 'the command input must be start or finish (got "doctor")'],
    [{ command: 'Start' }, 'the command input must be start or finish (got "Start")'],
    [{}, 'the command input is required: start or finish'],
    [{ command: 'start', 'soft-fail': 'yes please' }, 'the soft-fail input must be true or false'],
    [
      { command: 'finish', status: 'done' },
      'the status input must be success, failure or cancelled, as job.status gives it (got "done")',
    ],
  ])(
    'an input that is not valid, %j: exit 2 before anything else, as an annotation',
    async (given, message) => {
      const result = await action(runnerStep(dir, given));
      expect(result).toEqual({
        code: 2,
        stdout: `::error title=notify::notify: ${message}\n`,
        stderr: '',
        summary: undefined,
        outputs: undefined,
      });
    },
  );
});

describe('what the step leaves', () => {
  it('a delivered start: empty outputs (a webhook), the message in the summary', async () => {
    const slack = track(await startFakeSlack());
    const result = await action(
      runnerStep(dir, { command: 'start', 'webhook-url': slack.webhookUrl }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readOutputs(result.outputs!)).toEqual({ ts: '', channel: '' });
    expect(result.summary).toMatch(
      /^### 🚀 \*\*chat\\-server\*\* \*\*production\*\* job \*\*deploy\*\* is started by \*\*jiyoung\*\*\n\n- Branch main\n/,
    );
    expect(result.summary).toContain('Add read receipts (Jiyoung Kim)');
  });

  it('nothing configured: one line, exit 0, empty outputs and no summary', async () => {
    const result = await action(runnerStep(dir, { command: 'start' }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^notify: neither SLACK_WEBHOOK_URL nor SLACK_BOT_TOKEN is set/m);
    expect(readOutputs(result.outputs!)).toEqual({ ts: '', channel: '' });
    expect(result.summary).toBeUndefined();
  });

  it('a run a filter leaves out writes no summary either', async () => {
    const slack = track(await startFakeSlack());
    const step = runnerStep(dir, {
      command: 'finish',
      status: 'success',
      'webhook-url': slack.webhookUrl,
      when: 'failure',
    });
    const result = await action(step);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^notify: not sending the finish notification/m);
    expect(slack.requests).toHaveLength(0);
    expect(result.summary).toBeUndefined();
  });

  it('a dry run: the summary says nothing was sent', async () => {
    const result = await action(
      runnerStep(dir, { command: 'start', 'dry-run': 'true' }, { NOTIFY_PROJECT: 'chat' }),
    );
    expect(result.code).toBe(0);
    expect(result.summary).toMatch(/^### 🚀 \*\*chat\*\* /);
    expect(result.summary).toMatch(/\n\n_Dry run: nothing was sent\._\n\n$/);
  });

  it('a summary that cannot be written is a warning; the step stands', async () => {
    const slack = track(await startFakeSlack());
    const step = runnerStep(dir, { command: 'start', 'webhook-url': slack.webhookUrl });
    mkdirSync(step.summary);
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(result.stderr).toBe(
      `notify: warning: cannot write the step summary to "${step.summary}" (EISDIR); the step's result stands\n`,
    );
  });

  it('a FIFO with no reader for the summary or the outputs fails at once, never waits', async () => {
    const slack = track(await startFakeSlack());
    const step = runnerStep(dir, { command: 'start', 'webhook-url': slack.webhookUrl });
    for (const path of [step.summary, step.output]) {
      expect(spawnSync('mkfifo', [path]).status).toBe(0);
    }
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`cannot write the step's outputs to "${step.output}" (ENXIO)`);
    expect(result.stderr).toContain(`cannot write the step summary to "${step.summary}" (ENXIO)`);
  });

  it('a token the text holds is masked in the summary, whatever Markdown escapes in it', async () => {
    const slack = track(await startFakeSlack());
    const token = 'ghp_s3cr3tT0kenS3cr3tT0ken-1234';
    const event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ head_commit: { message: `Rotate ${token} today`, author: { name: 'x' } } }),
    );
    const step = runnerStep(
      dir,
      { command: 'start', 'webhook-url': slack.webhookUrl, 'github-token': token },
      { GITHUB_EVENT_PATH: event },
    );
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    // The mask's stars are text too.
    expect(result.summary).toContain('Rotate \\*\\*\\*\\* today');
    expect(result.summary).not.toContain('s3cr3t');
    expect(`${result.stdout}${result.stderr}${result.outputs}`).not.toContain('s3cr3t');
  });
});

/** Commit and pull request titles, an author and a server's answer, each a workflow command. */
const HOSTILE =
  'Fix ##[set-output name=ts;]1700000000.000100 and ##[stop-commands]zzz ##[add-mask]a #\u200b#[error]b';

function hostileEvent(): string {
  const event = join(dir, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      head_commit: {
        message: `${HOSTILE}\n::set-output name=ts::1`,
        author: { name: '##[error]x' },
      },
      pull_request: {
        number: 7,
        title: `::add-mask::pr ${HOSTILE}`,
        html_url: 'https://github.com/team/chat-server/pull/7',
        user: { login: 'jiyoung' },
      },
    }),
  );
  return event;
}

describe('what the runner runs: nothing that came in with the text', () => {
  it.each<[string, string]>([
    ['##[set-output name=ts;]1', '## [set-output name=ts;]1'],
    ['a ###[b] ##[c', 'a ### [b] ## [c'],
    ['#\u200b#\u200b[x]', '#\u200b#\u200b [x]'],
    ['::add-mask::x', ': :add-mask::x'],
    ['  \u200b::error::x\n::warning::y', '  \u200b: :error::x\n: :warning::y'],
    ['notify: a::b ## [c] #[d]', 'notify: a::b ## [c] #[d]'],
  ])('inert(%j) is %j', (text, shown) => {
    expect(inert(text)).toBe(shown);
    expect(runnerCommands('', inert(text))).toEqual([]);
  });

  it('the check finds what the runner would run', () => {
    expect(
      runnerCommands(`a ${HOSTILE}\n ::ADD-MASK::x\n::debug::y`, 'x #\u200b#[error]b'),
    ).toEqual(['stdout: set-output', 'stdout: add-mask', 'stdout: debug', 'stderr: error']);
    expect(runnerCommands('::stop-commands::T1\n##[set-output]x\n::t1::\n::error::z', '')).toEqual([
      'stdout: stop-commands',
      'stdout: resume',
      'stdout: error',
    ]);
  });

  it('a dry run prints the titles as they are, between stop-commands and its token', async () => {
    const step = runnerStep(
      dir,
      { command: 'start', 'dry-run': 'true' },
      { GITHUB_EVENT_PATH: hostileEvent() },
    );
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('##[set-output name=ts;]1700000000.000100');
    expect(result.stdout).toContain('::add-mask::pr');
    const lines = result.stdout.trimEnd().split('\n');
    const token = /^::stop-commands::([0-9a-f-]{36})$/.exec(lines[0]!)?.[1];
    expect(token).toBeDefined();
    expect(lines.at(-1)).toBe(`::${token}::`);
    expect(runnerCommands(result.stdout, result.stderr)).toEqual([
      'stdout: stop-commands',
      'stdout: resume',
    ]);
  });

  it('a failed delivery: stderr inert, the annotation after the window, inert too', async () => {
    const slack = track(await startFakeSlack({ responder: status(404, HOSTILE) }));
    const step = runnerStep(
      dir,
      { command: 'finish', status: 'failure', 'webhook-url': slack.webhookUrl },
      { GITHUB_EVENT_PATH: hostileEvent() },
    );
    const result = await action(step);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^::error title=notify::notify: delivery failed: .*## \[set-output/m,
    );
    expect(runnerCommands(result.stdout, result.stderr)).toEqual(['stdout: error']);
  });

  it('a sent message: its line in the window, the window closed before the step ends', async () => {
    const slack = track(await startFakeSlack());
    const step = runnerStep(
      dir,
      { command: 'start', 'webhook-url': slack.webhookUrl, project: HOSTILE },
      { GITHUB_EVENT_PATH: hostileEvent() },
    );
    const result = await action(step);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^notify: sent the start notification .*##\[set-output/m);
    expect(runnerCommands(result.stdout, result.stderr)).toEqual([
      'stdout: stop-commands',
      'stdout: resume',
    ]);
  });
});

describe('the reason a step failed, once', () => {
  it('a partial failure: the destination that failed in the log, the result as the annotation', async () => {
    const good = track(await startFakeSlack());
    const bad = track(await startFakeSlack({ responder: status(404, 'no_service') }));
    const step = runnerStep(dir, {
      command: 'finish',
      status: 'failure',
      'webhook-url': good.webhookUrl,
      'failure-webhook-url': bad.webhookUrl,
    });
    const result = await action(step);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^notify: delivery to .* failed: .*no_service/m);
    const annotations = result.stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(annotations).toEqual([
      '::error title=notify::notify: delivery failed: 1 of 2 destinations did not get the message',
    ]);
    expect(result.stderr).not.toContain('1 of 2 destinations');
  });

  it('DEBUG: the stack trace in the log, the reason as the annotation only', async () => {
    const result = await action(
      runnerStep(dir, { command: 'start', timeout: 'soon' }, { DEBUG: '1' }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ConfigError: --timeout must be/);
    expect(result.stdout).toBe(
      '::error title=notify::notify: --timeout must be a number of seconds from 1 to 3600, e.g. 30 (got "soon")\n',
    );
  });
});

describe('the status, in the Action’s words', () => {
  it('a finish without one warns of the status input and job.status', async () => {
    const result = await action(runnerStep(dir, { command: 'finish', 'dry-run': 'true' }));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'notify: warning: no job status was given: set the status input to job.status (success, failure, cancelled), or NOTIFY_STATUS. Reporting it as unknown\n',
    );
    expect(result.stderr).not.toContain('--status');
  });

  it('NOTIFY_STATUS that is no status: its words are job.status’s', async () => {
    const result = await action(
      runnerStep(dir, { command: 'finish', 'dry-run': 'true' }, { NOTIFY_STATUS: 'green' }),
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      '::error title=notify::notify: NOTIFY_STATUS must be success, failure or cancelled, as job.status gives it (got "green")\n',
    );
  });

  it('other lines are left as they are', () => {
    for (const line of ['notify: warning: x', 'notify: --timeout must be a number', ''])
      expect(actionWords(line)).toBe(line);
  });
});

describe('an unexpected error', () => {
  it('is one line, the annotation, with the exit code main gives one', async () => {
    const step = runnerStep(dir, { command: 'start' });
    const env = new Proxy(step.env, {
      get(target, name) {
        if (name === 'INPUT_COMMAND') throw new TypeError('the environment went away');
        return Reflect.get(target, name);
      },
    });
    const result = await action({ ...step, env });
    expect(result).toMatchObject({
      code: 1,
      stdout: '::error title=notify::notify: unexpected error: the environment went away\n',
      stderr: '',
    });
  });

  it('one that escapes the run as well: one line, masked as told', () => {
    let stdout = '';
    const code = unexpected(
      new RangeError('xoxb-1 at line\n2 ##[add-mask]z'),
      (text) => (stdout += text),
      (text) => text.replace('xoxb-1', '****'),
    );
    expect(code).toBe(1);
    expect(stdout).toBe(
      '::error title=notify::notify: unexpected error: **** at line\\n2 ## [add-mask]z\n',
    );
    expect(runnerCommands(stdout, '')).toEqual(['stdout: error']);
  });
});
