// main() in-process: what a job's log shows and the exit code, for the paths that send nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, quickParse, VERSION } from '../../src/cli.ts';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'notify-cli-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main({
    argv,
    env,
    cwd,
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

  it.each([
    [[]],
    [['deploy']],
    [['start', '--bogus']],
    [['start', 'finish']],
    [['start', '--timeout']],
  ])('%j is a usage error: exit 2 with the usage', async (argv) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--webhook-url');
    expect(result.stderr.trim().split('\n').pop()).toMatch(
      /Unknown|Not enough|Name (a|one) command/,
    );
  });

  it('skips with one line when no webhook is set', async () => {
    expect(await run(['start'], GITLAB)).toEqual({
      code: 0,
      stdout: 'notify: SLACK_WEBHOOK_URL is not set; skipping the start notification\n',
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

  it('reads settings from .env, below NOTIFY_* in the process', async () => {
    writeFileSync(join(cwd, '.env'), 'NOTIFY_ENVIRONMENT=staging\nNOTIFY_USER=from-dotenv\n');
    const result = await run(['start', '--dry-run'], { ...GITLAB, NOTIFY_USER: 'from-process' });
    expect(JSON.parse(result.stdout).text).toBe(
      ':rocket: chat-server staging pipeline is started by from-process',
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
      stdout: 'notify: SLACK_WEBHOOK_URL is not set; skipping the start notification\n',
      stderr: '',
    });
  });

  it('a webhook URL passed as an argument by mistake is masked in the usage error', async () => {
    const secret = 'https://hooks.slack.com/services/T0SECRET/B0SECRET/tokentokentoken';
    const result = await run(['start', secret], GITLAB);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('tokentokentoken');
    expect(result.stderr).toContain('https://hooks.slack.com/services/T…/B…/****');
  });

  it('an --env-file that cannot be read is a configuration error', async () => {
    const result = await run(['start', '--env-file', 'missing.env'], GITLAB);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^notify: env file .*missing\.env cannot be read/);
  });
});

describe('quickParse agrees with yargs on the common forms', () => {
  it.each([
    [['start'], { kind: 'run', command: 'start', flags: {} }],
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
  ])('%j', (argv, expected) => {
    expect(quickParse(argv)).toEqual(expected);
  });

  it.each([
    [['start', '--help']],
    [['start', '-x']],
    [['start', '--timeout']],
    [['start', 'extra']],
  ])('%j is left to yargs', (argv) => {
    expect(quickParse(argv)).toBeUndefined();
  });
});
