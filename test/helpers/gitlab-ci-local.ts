// A .gitlab-ci.yml run by gitlab-ci-local with its shell executor, in a fresh git repository, with
// the built notify on the jobs' PATH as `COPY --from=notify` would put it.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { need, succeeds } from './need.ts';
import { requireBuild, ROOT } from './run.ts';

const GITLAB_CI_LOCAL = join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js');

export const hasGitlabCiLocal = () =>
  need('rsync', 'gitlab-ci-local copies the repository with it', () =>
    succeeds('rsync', ['--version']),
  );

export interface PipelineRun {
  status: number | null;
  output: string;
  remove(): void;
}

/** Runs test/fixtures/<fixture>/.gitlab-ci.yml with these CI/CD variables; resolves when done. */
export async function runPipeline(
  fixture: string,
  variables: Record<string, string>,
): Promise<PipelineRun> {
  requireBuild();
  const repo = mkdtempSync(join(tmpdir(), 'notify-pipeline-'));
  copyFileSync(
    join(ROOT, 'test/fixtures', fixture, '.gitlab-ci.yml'),
    join(repo, '.gitlab-ci.yml'),
  );
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Jiyoung Kim');
  git('config', 'user.email', 'jiyoung@example.com');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/team/chat-server.git');
  git('add', '.gitlab-ci.yml');
  git('commit', '-q', '-m', 'Deploy chat-server');
  // Asynchronously: the fakes answer from this process's event loop.
  const child = spawn(
    process.execPath,
    [
      GITLAB_CI_LOCAL,
      '--no-color',
      '--no-json-schema-validation',
      ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`]),
    ],
    {
      cwd: repo,
      env: { PATH: `${join(ROOT, 'dist')}:${process.env.PATH}`, HOME: repo, SHLVL: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, output, remove: () => rmSync(repo, { recursive: true, force: true }) };
}
