// Runs the built executable the way a CI job does: spawned, with only the variables given.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const NOTIFY = `${ROOT}dist/notify`;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  /** Give up after this long (the process is killed and code is null). */
  killAfterMs?: number;
  command?: string;
  input?: string;
}

export function requireBuild(): void {
  if (!existsSync(NOTIFY)) throw new Error(`${NOTIFY} is missing: run \`npm run build\` first`);
}

export function runNotify(
  args: readonly string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<RunResult> {
  requireBuild();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(options.command ?? NOTIFY, args, {
      env,
      cwd: options.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    // notify may exit before it reads its input (it reads none unless asked): that is no error.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** A GitLab job's predefined variables, as a deploy job on `main` sees them. */
export const GITLAB_ENV: Record<string, string> = {
  GITLAB_CI: 'true',
  CI: 'true',
  CI_PROJECT_NAME: 'chat-server',
  CI_PROJECT_PATH: 'team/chat-server',
  CI_PROJECT_URL: 'https://gitlab.example.com/team/chat-server',
  CI_DEFAULT_BRANCH: 'main',
  CI_COMMIT_REF_NAME: 'main',
  CI_COMMIT_REF_SLUG: 'main',
  CI_COMMIT_BRANCH: 'main',
  CI_COMMIT_SHA: '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c',
  CI_COMMIT_SHORT_SHA: '1f2e3d4c',
  CI_COMMIT_TITLE: 'Add health check',
  CI_COMMIT_AUTHOR: 'Jiyoung Kim <jiyoung@example.com>',
  CI_PIPELINE_ID: '1234',
  CI_PIPELINE_URL: 'https://gitlab.example.com/team/chat-server/-/pipelines/1234',
  CI_PIPELINE_SOURCE: 'push',
  CI_PIPELINE_CREATED_AT: '2026-11-21T10:00:00Z',
  CI_JOB_NAME: 'deploy',
  CI_JOB_STAGE: 'deploy',
  CI_JOB_URL: 'https://gitlab.example.com/team/chat-server/-/jobs/5678',
  CI_JOB_STARTED_AT: '2026-11-21T10:02:00Z',
  GITLAB_USER_LOGIN: 'jiyoung',
  GITLAB_USER_NAME: 'Jiyoung Kim',
};
