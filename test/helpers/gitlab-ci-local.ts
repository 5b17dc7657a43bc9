// A .gitlab-ci.yml run by gitlab-ci-local with its shell executor, in a fresh git repository, with
// the built notify on the jobs' PATH as `COPY --from=notify` would put it (unless told otherwise).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
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

export interface PipelineOptions {
  /** Folders of this repository committed beside the .gitlab-ci.yml, e.g. `templates`. */
  copy?: string[];
  /** Leave dist/ off the jobs' PATH: notify is not in the jobs' "image". */
  withoutNotify?: boolean;
  /** Run jobs that name an image in the shell too (--force-shell-executor): no Docker. */
  forceShell?: boolean;
  /** More of gitlab-ci-local's environment, which the shell executor's jobs inherit. */
  env?: Record<string, string>;
  /** Check the whole configuration, includes merged, against GitLab's JSON schema first. */
  schema?: boolean;
}

/** Runs test/fixtures/<fixture>/.gitlab-ci.yml with these CI/CD variables; resolves when done. */
export async function runPipeline(
  fixture: string,
  variables: Record<string, string>,
  options: PipelineOptions = {},
): Promise<PipelineRun> {
  requireBuild();
  const repo = mkdtempSync(join(tmpdir(), 'notify-pipeline-'));
  copyFileSync(
    join(ROOT, 'test/fixtures', fixture, '.gitlab-ci.yml'),
    join(repo, '.gitlab-ci.yml'),
  );
  for (const folder of options.copy ?? []) {
    cpSync(join(ROOT, folder), join(repo, folder), { recursive: true });
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Jiyoung Kim');
  git('config', 'user.email', 'jiyoung@example.com');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/team/chat-server.git');
  git('add', '.gitlab-ci.yml', ...(options.copy ?? []));
  git('commit', '-q', '-m', 'Deploy chat-server');
  // Asynchronously: the fakes answer from this process's event loop.
  const child = spawn(
    process.execPath,
    [
      GITLAB_CI_LOCAL,
      '--no-color',
      ...(options.schema ? [] : ['--no-json-schema-validation']),
      ...(options.forceShell ? ['--force-shell-executor'] : []),
      ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`]),
    ],
    {
      cwd: repo,
      env: {
        PATH: options.withoutNotify
          ? `${process.env.PATH}`
          : `${join(ROOT, 'dist')}:${process.env.PATH}`,
        HOME: repo,
        SHLVL: '1',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, output, remove: () => rmSync(repo, { recursive: true, force: true }) };
}
