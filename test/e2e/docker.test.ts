// The images, built by a real Docker daemon and run on the host network against the fake Slack.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withPrivateCaSlack } from '../helpers/ca.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { need, succeeds } from '../helpers/need.ts';
import { startSilentServer } from '../delivery/support.ts';
import { GITLAB_ENV, requireBuild, ROOT } from '../helpers/run.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const IMAGE = 'notify-test/notify:e2e';
const DEBUG_IMAGE = 'notify-test/notify:e2e-debug';
const KANIKO_STANDIN = 'notify-test/kaniko-standin:debug';
const KANIKO_IMAGE = 'notify-test/kaniko-notify:e2e';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((path) => existsSync(path));
const hasDocker = need('docker', 'a running Docker daemon builds and runs the images', () =>
  succeeds('docker', ['info']),
);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function docker(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustDocker(args: string[]): Promise<string> {
  const result = await docker(args);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** `docker run --rm` on the host network (where the fake Slack listens) with these variables. */
const dockerRun = (env: Record<string, string>, ...rest: string[]) =>
  docker(['run', '--rm', '--network', 'host', ...envArgs(env), ...rest]);

const envArgs = (env: Record<string, string>) =>
  Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

describe.skipIf(!hasDocker)('the images, on a real Docker daemon', () => {
  let slack: FakeSlack;
  let standin: string;

  beforeAll(async () => {
    requireBuild();
    await mustDocker(['build', '-q', '-f', 'docker/Dockerfile', '-t', IMAGE, ROOT]);
    await mustDocker(['build', '-q', '-f', 'docker/Dockerfile.debug', '-t', DEBUG_IMAGE, ROOT]);
    // kaniko's debug image as far as notify can tell: busybox at /busybox, nothing else. The real
    // one cannot be pulled here; the build argument is how any base is swapped in.
    standin = mkdtempSync(join(tmpdir(), 'notify-kaniko-base-'));
    mkdirSync(join(standin, 'busybox'));
    copyFileSync(BUSYBOX!, join(standin, 'busybox/busybox'));
    writeFileSync(
      join(standin, 'Dockerfile'),
      'FROM scratch\nCOPY busybox/busybox /busybox/busybox\n' +
        'RUN ["/busybox/busybox", "--install", "/busybox"]\nENV PATH=/usr/local/bin:/kaniko:/busybox\n',
    );
    await mustDocker(['build', '-q', '-t', KANIKO_STANDIN, standin]);
    await mustDocker([
      'build',
      '-q',
      '-f',
      'docker/Dockerfile.kaniko',
      '--build-arg',
      `KANIKO_IMAGE=${KANIKO_STANDIN}`,
      '-t',
      KANIKO_IMAGE,
      ROOT,
    ]);
  }, 180_000);

  afterAll(async () => {
    if (standin) rmSync(standin, { recursive: true, force: true });
    await docker(['rmi', '-f', IMAGE, DEBUG_IMAGE, KANIKO_IMAGE, KANIKO_STANDIN]);
  });

  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(() => slack.close());

  it('is FROM scratch: runs as a non-root numeric user, with no shell to run', async () => {
    const config = JSON.parse(await mustDocker(['image', 'inspect', IMAGE]))[0].Config;
    expect(config.User).toBe('65532:65532');
    expect(config.Entrypoint).toEqual(['/usr/local/bin/notify']);
    expect(config.Labels['org.opencontainers.image.title']).toBe('notify');
    const shell = await docker(['run', '--rm', '--entrypoint', '/bin/sh', IMAGE, '-c', 'true']);
    expect(shell.code).not.toBe(0);
  });

  it('delivers to Slack on the host network', async () => {
    const env = { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl };
    const result = await dockerRun(env, IMAGE, 'start');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]!.json as { text: string }).text).toBe(
      ':rocket: chat-server production job deploy is started by jiyoung',
    );
  });

  it('debug image: a job script that only notifies speaks of the pipeline', async () => {
    // As a GitLab `.post` job with `when: on_failure` runs it: a shell, notify on the PATH.
    const env = {
      ...GITLAB_ENV,
      SLACK_WEBHOOK_URL: slack.webhookUrl,
      CI_JOB_NAME: 'notify-failure',
    };
    const result = await dockerRun(
      env,
      DEBUG_IMAGE,
      '/busybox/sh',
      '-c',
      'notify finish --status failed --scope pipeline',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
    const payload = slack.requests[0]!.json as { text: string; blocks: unknown[] };
    expect(payload.text).toBe(':x: chat-server production pipeline failed');
    expect(JSON.stringify(payload.blocks)).toContain(
      `<${GITLAB_ENV.CI_PIPELINE_URL}|View pipeline>`,
    );
    expect(JSON.stringify(payload.blocks)).not.toContain('notify-failure');
  });

  it('trusts a private CA mounted and named in NODE_EXTRA_CA_CERTS', () =>
    withPrivateCaSlack(async (ca, tls) => {
      const env = {
        ...GITLAB_ENV,
        SLACK_WEBHOOK_URL: tls.webhookUrl,
        NODE_EXTRA_CA_CERTS: '/ca.pem',
      };
      const result = await dockerRun(env, '-v', `${ca.caFile}:/ca.pem:ro`, IMAGE, 'start');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(tls.requests).toHaveLength(1);
    }));

  it('as PID 1, docker stop (SIGTERM) ends a delivery at once, with one line', async () => {
    const silent = await startSilentServer();
    const name = `notify-e2e-pid1-${process.pid}`;
    try {
      const env = { ...GITLAB_ENV, SLACK_WEBHOOK_URL: `http://127.0.0.1:${silent.port}/hooks/x` };
      const run = dockerRun(env, '--name', name, IMAGE, 'start');
      // Until notify is connected to the silent server, the signal would come too early.
      for (let i = 0; i < 100 && silent.connections === 0; i++) await sleep(100);
      expect(silent.connections).toBe(1);
      const stopped = Date.now();
      await mustDocker(['kill', '--signal', 'TERM', name]);
      const result = await run;
      expect(Date.now() - stopped).toBeLessThan(5_000);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(/^notify: delivery failed: interrupted by SIGTERM/);
    } finally {
      await docker(['rm', '-f', name]);
      await silent.close();
    }
  });

  it.each(['/usr/local/bin/notify', 'kaniko'])(
    '%s: NODE_OPTIONS and --env-file are notify’s, not the runtime’s',
    async (which) => {
      const env = { ...GITLAB_ENV, NODE_OPTIONS: '--require=/nonexistent.js' };
      const args = ['start', '--dry-run', '--env-file', '/nonexistent.env'];
      const result =
        which === 'kaniko'
          ? await dockerRun(
              env,
              '--entrypoint',
              '/busybox/sh',
              KANIKO_IMAGE,
              '-c',
              `notify ${args.join(' ')}`,
            )
          : await dockerRun(env, IMAGE, ...args);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        'notify: env file "/nonexistent.env" cannot be read: missing (check --env-file)',
      );
    },
  );

  it.each(['/usr/local/bin/notify', 'kaniko'])(
    '%s: the runtime’s own variables set for the job change nothing',
    async (which) => {
      const env = {
        ...GITLAB_ENV,
        SLACK_WEBHOOK_URL: slack.webhookUrl,
        CI_JOB_STATUS: 'failed',
        NODE_DEBUG: 'net,http',
        UV_THREADPOOL_SIZE: '8',
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
      };
      const result =
        which === 'kaniko'
          ? await dockerRun(env, '--entrypoint', '/busybox/sh', KANIKO_IMAGE, '-c', 'notify finish')
          : await dockerRun(env, IMAGE, 'finish');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(slack.requests).toHaveLength(1);
      expect(result.stdout).toMatch(/^notify: sent the finish notification/);
    },
  );

  it('kaniko image: notify on the PATH of a busybox shell delivers', async () => {
    const env = { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, CI_JOB_STATUS: 'failed' };
    const result = await dockerRun(
      env,
      '--entrypoint',
      '/busybox/sh',
      KANIKO_IMAGE,
      '-c',
      'notify finish',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]!.json as { text: string }).text).toBe(
      ':x: chat-server production job deploy failed at stage deploy',
    );
  });
});
