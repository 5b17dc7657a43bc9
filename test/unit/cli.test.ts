// main() in-process: what a job's log shows and the exit code, for the paths that send nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, parseCommandLine, VERSION } from '../../src/cli.ts';
import { appendText, onSignal, readText, writeText } from '../../src/platform/node.ts';
import { nodeTransport } from '../../src/platform/node-http.ts';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'notify-cli-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

/** `main` in-process; `{ gone: true }` runs it as in a working directory that was deleted. */
async function run(argv: string[], env: Record<string, string> = {}, where = { gone: false }) {
  let stdout = '';
  let stderr = '';
  const code = await main({
    argv,
    env,
    cwd: where.gone ? undefined : cwd,
    readText,
    writeText,
    appendText,
    onSignal,
    transport: (env) => nodeTransport(env),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

const GITLAB = {
  GITLAB_CI: 'true',
  CI_PROJECT_NAME: 'chat-server',
  CI_COMMIT_REF_NAME: 'main',
  CI_DEFAULT_BRANCH: 'main',
  GITLAB_USER_LOGIN: 'jiyoung',
};

describe('main', () => {
  it('--version prints the version alone', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it.each<[string[], string]>([
    [[], 'name a command: start, finish or doctor'],
    [['deploy'], 'unknown command "deploy" (expected start, finish or doctor)'],
    [['docter'], 'unknown command "docter" (did you mean doctor?)'],
    [['start', '--send-test'], '--send-test is for notify doctor, not start'],
    [['finish', '--no-send-test'], '--send-test is for notify doctor, not finish'],
    [['doctor', '--sendtest'], 'unknown option --sendtest (did you mean --send-test?)'],
    [['doctor', '--send-test=maybe'], '--send-test takes no value (it is a switch)'],
    [['strat'], 'unknown command "strat" (did you mean start?)'],
    [['Finsh'], 'unknown command "Finsh" (did you mean finish?)'],
    [['start', '--bogus'], 'unknown option --bogus'],
    [['start', '--webhok-url', 'x'], 'unknown option --webhok-url (did you mean --webhook-url?)'],
    [['start', '--dryrun'], 'unknown option --dryrun (did you mean --dry-run?)'],
    [['start', '--no-timeout'], 'unknown option --no-timeout'],
    [['start', 'finish'], 'unexpected argument "finish" after start'],
    [['start', '--timeout'], '--timeout needs a value'],
    [['start', '--timeout', '--dry-run'], '--timeout needs a value'],
    [['start', '--dry-run=maybe'], '--dry-run takes no value (it is a switch)'],
    [['start', '--\u001b[2J'], 'unknown option (not shown: it may hold a secret)'],
  ])('%j: exit 2, the reason first in one line, then where to look', async (argv, reason) => {
    const result = await run(argv);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `notify: ${reason}\nRun notify --help to see the commands and options.\n`,
    });
  });

  it('--help names doctor, its switch and its exit codes', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toMatch(/^ {2}notify doctor +Check that everything is in place/m);
    expect(stdout).toContain('--send-test');
    expect(stdout).toContain('notify doctor --send-test');
    expect(stdout).toContain(
      'notify doctor: 0 all good, 1 something unreachable, 2 misconfigured.',
    );
  });

  it('--help anywhere prints the help, with every setting, and exits 0', async () => {
    for (const argv of [['--help'], ['start', '-h'], ['finish', '--bogus', '--help']]) {
      const result = await run(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('--webhook-url');
      expect(result.stdout).toContain('[$SLACK_WEBHOOK_URL]');
      expect(result.stderr).toBe('');
    }
  });

  it('skips with one line when no webhook is set', async () => {
    expect(await run(['start'], GITLAB)).toEqual({
      code: 0,
      stdout:
        'notify: neither SLACK_WEBHOOK_URL nor SLACK_BOT_TOKEN is set; skipping the start notification\n',
      stderr: '',
    });
  });

  it('--dry-run prints the payload as JSON and sends nothing, even with a webhook', async () => {
    const result = await run(['start', '--dry-run'], {
      ...GITLAB,
      SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/services/T0/B0/never-called',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).text).toBe(
      ':rocket: chat-server production pipeline is started by jiyoung',
    );
  });

  it('finish without any status says so and never claims success', async () => {
    const result = await run(['finish', '--dry-run'], GITLAB);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^notify: warning: no job status was found; pass --status/);
    expect(JSON.parse(result.stdout).text).toBe(
      ':grey_question: chat-server production pipeline finished with an unknown status',
    );
  });

  it('outside CI, reads settings from .env, below the environment', async () => {
    writeFileSync(join(cwd, '.env'), 'NOTIFY_ENVIRONMENT=staging\nNOTIFY_USER=from-dotenv\n');
    const result = await run(['start', '--dry-run', '--project', 'chat-server'], {
      NOTIFY_USER: 'from-process',
    });
    expect(JSON.parse(result.stdout).text).toBe(
      ':rocket: chat-server staging pipeline is started by from-process',
    );
  });

  it.each<[string, Record<string, string>]>([
    ['GitLab', GITLAB],
    ['CI=true alone', { CI: 'true', NOTIFY_PROJECT: 'chat-server' }],
  ])('in CI (%s), the checkout .env is not read unless named', async (_name, env) => {
    writeFileSync(join(cwd, '.env'), 'NOTIFY_USER=staging\nNOTIFY_DRY_RUN=false\n');
    writeFileSync(join(cwd, 'notify.env'), 'NOTIFY_USER=reviewer\n');
    const plain = await run(['start', '--dry-run'], env);
    expect(JSON.parse(plain.stdout).text).not.toContain('staging');
    const named = await run(['start', '--dry-run', '--env-file', 'notify.env'], env);
    expect(JSON.parse(named.stdout).text).toContain('by reviewer');
    const byVariable = await run(['start', '--dry-run'], { ...env, NOTIFY_ENV_FILE: 'notify.env' });
    expect(JSON.parse(byVariable.stdout).text).toContain('by reviewer');
  });

  it('in CI, a named .env cannot choose the label or the ref: they choose routes and who is called', async () => {
    writeFileSync(
      join(cwd, 'notify.env'),
      'NOTIFY_ENVIRONMENT=review\nNOTIFY_ENVIRONMENT_MAP=main=review\nNOTIFY_REF=feature/x\n',
    );
    const result = await run(['start', '--dry-run', '--env-file', 'notify.env'], GITLAB);
    expect(JSON.parse(result.stdout).text).toContain('chat-server production pipeline');
    for (const name of ['NOTIFY_ENVIRONMENT', 'NOTIFY_ENVIRONMENT_MAP', 'NOTIFY_REF'])
      expect(result.stderr).toContain(`${name} in the env file is ignored`);
  });

  it('a named .env never turns a failed job green', async () => {
    writeFileSync(join(cwd, 'notify.env'), 'NOTIFY_STATUS=success\n');
    const result = await run(['finish', '--dry-run', '--env-file', 'notify.env'], {
      ...GITLAB,
      CI_JOB_STATUS: 'failed',
    });
    expect(JSON.parse(result.stdout).text).toMatch(/^:x: /);
    expect(result.stderr).toBe(
      'notify: warning: NOTIFY_STATUS in the env file is ignored: it only comes from the job\n',
    );
  });

  it('a flag given twice takes its last value', async () => {
    const result = await run(['finish', '--dry-run', '--status', 'success', '--status', 'failed'], {
      ...GITLAB,
      CI_JOB_STATUS: 'success',
    });
    expect(JSON.parse(result.stdout).text).toMatch(/^:x: .* pipeline failed/);
  });

  it('an empty --webhook-url, as from an unset variable, means unset: skip', async () => {
    const result = await run(['start', '--webhook-url', ''], GITLAB);
    expect(result).toEqual({
      code: 0,
      stdout:
        'notify: neither SLACK_WEBHOOK_URL nor SLACK_BOT_TOKEN is set; skipping the start notification\n',
      stderr: '',
    });
  });

  it.each([
    'https://hooks.slack.com/services/T0SECRET/B0SECRET/tokentokentoken',
    'hooks.slack.com/services/T0SECRET/B0SECRET/tokentokentoken',
    'T0SECRET/B0SECRET/tokentokentoken',
  ])('a webhook passed as an argument by mistake (%s) is not shown', async (secret) => {
    for (const argv of [['start', secret], [secret], ['start', `--webhookurl=${secret}`]]) {
      const result = await run(argv, GITLAB);
      expect(result.code).toBe(2);
      expect(result.stderr).not.toContain('tokent');
      expect(result.stderr).not.toContain('SECRET');
    }
  });

  it('an --env-file that cannot be read is a configuration error', async () => {
    const result = await run(['start', '--env-file', 'missing.env'], GITLAB);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^notify: env file .*missing\.env" cannot be read: missing/);
  });

  it.each([
    ['a directory', (dir: string) => dir],
    ['a device that never ends', () => '/dev/zero'],
  ])('an --env-file that is %s is refused at once', async (_name, path) => {
    const result = await run(['start', '--env-file', path(cwd)], GITLAB);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot be read: not a regular file/);
  });

  it('a default .env that is not a regular file is skipped with one warning', async () => {
    mkdirSync(join(cwd, '.env'));
    const result = await run(['start', '--dry-run', '--project', 'x'], {});
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^notify: warning: ".*\/\.env" is not a regular file; not read\n$/,
    );
  });

  it('a working directory that no longer exists: commands still run', async () => {
    const gone = (argv: string[]) => run(argv, GITLAB, { gone: true });
    expect(await gone(['--version'])).toMatchObject({ code: 0 });
    const dry = await gone(['start', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).text).toContain('chat-server');
    expect(await gone(['start', '--env-file', 'rel.env'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'notify: --env-file "rel.env" is relative, but the working directory no longer exists; give an absolute path\n',
    });
  });

  it.each([
    ['DEBUG=0', '0', false],
    ['DEBUG=false', 'false', false],
    ['DEBUG=', '', false],
    ['DEBUG=1', '1', true],
  ])('%s: a stack only when DEBUG is on', async (_name, debug, stack) => {
    const result = await run(['start', '--timeout', 'soon'], { ...GITLAB, DEBUG: debug });
    expect(result.code).toBe(2);
    expect(result.stderr.includes('    at ')).toBe(stack);
    expect(result.stdout).toBe('');
  });

  it('doctor: an --env-file that cannot be read is one problem among the rest, on stdout', async () => {
    const result = await run(['doctor', '--env-file', 'missing.env'], GITLAB);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^ {2}FAIL {2}env file ".*missing\.env" cannot be read: missing/m,
    );
    expect(result.stdout).toMatch(/^ {2}project +chat-server$/m);
  });

  it('doctor: a token given as a flag is masked in every line', async () => {
    const token = 'xoxb-1234567890-s3cr3tt0k3n';
    const result = await run(
      ['doctor', '--bot-token', token, '--channel', 'C0DEPLOYS', '--timeout', '1'],
      { ...GITLAB, NOTIFY_SLACK_API_URL: 'http://127.0.0.1:9/api' },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}SLACK_BOT_TOKEN +\*{4} +--bot-token$/m);
    expect(result.stdout).toMatch(
      /FAIL {2}SLACK_BOT_TOKEN at Slack \(http:\/\/127\.0\.0\.1:9\/api\): /,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cr3t');
  });

  it('a status with control characters cannot forge a line or reach the terminal raw', async () => {
    const result = await run(
      ['finish', '--status', 'x\nnotify: sent the finish notification\u001b[31m'],
      GITLAB,
    );
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('(got "x\\nnotify: sent the finish notification\\x1b[31m")');
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('parseCommandLine', () => {
  it.each([
    [['start'], { kind: 'run', command: 'start', flags: {} }],
    [['doctor'], { kind: 'doctor', flags: {}, sendTest: false }],
    [
      ['doctor', '--send-test', '--timeout', '5'],
      { kind: 'doctor', flags: { timeout: '5' }, sendTest: true },
    ],
    [['--send-test=false', 'doctor'], { kind: 'doctor', flags: {}, sendTest: false }],
    [
      ['finish', '--status', 'failed', '--timeout=5', '--no-soft-fail'],
      {
        kind: 'run',
        command: 'finish',
        flags: { status: 'failed', timeout: '5', softFail: false },
      },
    ],
    [
      ['start', '--dry-run', '--webhook-url', 'https://x'],
      { kind: 'run', command: 'start', flags: { dryRun: true, webhookUrl: 'https://x' } },
    ],
    [
      ['start', '--dry-run=false', '--status=', '--scope', 'job', '--scope', 'pipeline'],
      { kind: 'run', command: 'start', flags: { dryRun: false, status: '', scope: 'pipeline' } },
    ],
    [['finish', '--status', '-x'], { kind: 'run', command: 'finish', flags: { status: '-x' } }],
    [
      ['start', '--', '--not-a-flag'],
      {
        kind: 'usage',
        reason: 'unexpected argument after start (not shown: it may hold a secret)',
      },
    ],
    [['start', '--help'], { kind: 'help' }],
    [['-v'], { kind: 'version' }],
    [['start', '-x'], { kind: 'usage', reason: 'unknown option -x' }],
    [
      ['start', '--dryRun'],
      { kind: 'usage', reason: 'unknown option --dryRun (did you mean --dry-run?)' },
    ],
    [
      ['start', 'xoxb-1234-secret'],
      {
        kind: 'usage',
        reason: 'unexpected argument after start (not shown: it may hold a secret)',
      },
    ],
  ])('%j', (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });
});
