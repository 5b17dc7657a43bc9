// A real .gitlab-ci.yml run by gitlab-ci-local with its shell executor: notify runs in every
// job's before_script and after_script, exactly as in a GitLab pipeline.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { need, succeeds } from '../helpers/need.ts';
import { requireBuild, ROOT } from '../helpers/run.ts';

const GITLAB_CI_LOCAL = join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js');
const JOBS = ['build-image', 'unit-tests', 'deploy-production'];
const hasRsync = need('rsync', 'gitlab-ci-local copies the repository with it', () =>
  succeeds('rsync', ['--version']),
);

interface Payload {
  text: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
}

const flatten = (payload: Payload) =>
  payload.blocks
    .flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)])
    .join('\n');

describe.skipIf(!hasRsync)('a GitLab pipeline run by gitlab-ci-local', () => {
  let slack: FakeSlack;
  let repo: string;
  let run: { status: number | null; output: string };

  beforeAll(async () => {
    requireBuild();
    slack = await startFakeSlack();
    repo = mkdtempSync(join(tmpdir(), 'notify-pipeline-'));
    copyFileSync(join(ROOT, 'test/fixtures/pipeline/.gitlab-ci.yml'), join(repo, '.gitlab-ci.yml'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Jiyoung Kim');
    git('config', 'user.email', 'jiyoung@example.com');
    git('remote', 'add', 'origin', 'https://gitlab.example.com/team/chat-server.git');
    git('add', '.gitlab-ci.yml');
    git('commit', '-q', '-m', 'Deploy chat-server');
    // Asynchronously: the fake Slack answers from this process's event loop.
    const child = spawn(
      process.execPath,
      [
        GITLAB_CI_LOCAL,
        '--no-color',
        '--no-json-schema-validation',
        '--variable',
        `SLACK_WEBHOOK_URL=${slack.webhookUrl}`,
      ],
      {
        cwd: repo,
        // The jobs find notify on the PATH, as they would after `COPY --from=notify`.
        env: { PATH: `${join(ROOT, 'dist')}:${process.env.PATH}`, HOME: repo, SHLVL: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    run = { status, output };
  }, 180_000);

  afterAll(async () => {
    await slack?.close();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('fails the pipeline because the deploy job fails, not because of notify', () => {
    expect(run.status, run.output).toBe(1);
    expect(run.output).toMatch(/deploy-production/);
    expect(run.output).not.toMatch(/notify: (delivery failed|unexpected)/);
  });

  it('posts a start and a finish for every job', () => {
    const payloads = slack.requests.map((r) => r.json as Payload);
    expect(payloads, run.output).toHaveLength(JOBS.length * 2);
    for (const job of JOBS) {
      const mine = payloads.filter((p) => flatten(p).includes(`|${job}>`));
      expect(mine.map((p) => p.text.split(' ')[0]).sort(), job).toEqual(
        [':rocket:', job === 'deploy-production' ? ':x:' : ':white_check_mark:'].sort(),
      );
      const start = mine.find((p) => p.text.startsWith(':rocket:'))!;
      expect(start.text).toMatch(/^:rocket: chat-server \S+ pipeline is started by jiyoung$/);
    }
  });

  it("says which job failed, in which stage, and links that job's log", () => {
    const finish = slack.requests
      .map((r) => r.json as Payload)
      .find((p) => p.text.startsWith(':x:'))!;
    expect(finish.text).toBe(
      ':x: chat-server production pipeline failed at stage deploy, job deploy-production',
    );
    expect(flatten(finish)).toMatch(
      /<https:\/\/gitlab\.example\.com\/team\/chat-server\/-\/jobs\/\d+\|View failed job>/,
    );
  });
});
