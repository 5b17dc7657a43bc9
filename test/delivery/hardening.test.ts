// What a hostile or unlucky job does to the built executable: runtime options and variables,
// a checkout's .env, files that never end, servers that lie, signals mid-send, and text made
// to fool a terminal. Each case is the executable spawned as a job would spawn it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withPrivateCaSlack } from '../helpers/ca.ts';
import { ok, startFakeSlack, status, WEBHOOK_PATH } from '../helpers/fake-slack.ts';
import { GITLAB_ENV, NOTIFY, ROOT } from '../helpers/run.ts';
import {
  closeAfterEach,
  expectNoSecrets,
  jobEnv,
  lines,
  notify,
  oneLine,
  startRawServer,
  startSilentServer,
  TOKEN,
} from './support.ts';

const track = closeAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'notify-hardening-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STACK_LINE = /^\s{4}at /m;
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A folder of its own for a test: a checkout, with whatever files the test puts there. */
function checkout(files: Record<string, string> = {}): string {
  const path = mkdtempSync(join(dir, 'checkout-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
  return path;
}

/** A FIFO that nobody writes to: opening it for reading blocks, reading it never ends. */
function fifoPath(): string {
  const path = join(dir, 'fifo');
  if (!existsSync(path)) execFileSync('mkfifo', [path]);
  return path;
}

describe('the executable is notify, not a JavaScript runtime', () => {
  it.each([
    ['--env-file missing.env', ['start', '--dry-run', '--env-file', 'missing.env']],
    ['--env-file=missing.env', ['start', '--dry-run', '--env-file=missing.env']],
  ])('%s is notify’s option: exit 2, one line of notify’s', async (_name, args) => {
    const result = await notify(args, GITLAB_ENV);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^notify: env file ".*missing\.env" cannot be read/);
  });

  it('a named env file with NODE_OPTIONS runs nothing', async () => {
    const marker = join(dir, 'required-ran');
    const script = join(dir, 'evil.cjs');
    writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`);
    const cwd = checkout({ 'app.env': `NODE_OPTIONS=--require=${script}\nNOTIFY_USER=ops\n` });
    const result = await notify(['start', '--dry-run', '--env-file', 'app.env'], GITLAB_ENV, {
      cwd,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).text).toContain('started by ops');
    expect(() => execFileSync('test', ['-e', marker])).toThrow();
  });

  it.each([
    ['--require', { NODE_OPTIONS: '--require=/nonexistent/tracing.js' }],
    ['-r dotenv/config', { NODE_OPTIONS: '-r dotenv/config' }],
    ['--inspect', { NODE_OPTIONS: '--inspect=127.0.0.1:0' }],
    ['--max-old-space-size=1', { NODE_OPTIONS: '--max-old-space-size=1' }],
  ])('NODE_OPTIONS=%s set for the job is not obeyed', async (_name, settings) => {
    const result = await notify(['start', '--dry-run'], { ...GITLAB_ENV, ...settings });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).text).toBe(
      ':rocket: chat-server production job deploy is started by jiyoung',
    );
  });

  it.each([['--inspect'], ['--inspect-brk=0'], ['-e'], ['--expose-gc'], ['--eval=1']])(
    '%s on the command line is an unknown option of notify’s',
    async (flag) => {
      const result = await notify(['start', flag], GITLAB_ENV);
      expect(result.code).toBe(2);
      expect(lines(result.stderr)[0]).toMatch(/^notify: unknown option -/);
      expect(result.stderr).not.toContain('Debugger');
    },
  );
});

describe('the runtime’s own variables do not reach it', () => {
  it('NODE_DEBUG=net,http,tls prints nothing, and no secret', async () => {
    const slack = track(await startFakeSlack());
    const result = await notify(
      ['start'],
      jobEnv(slack.webhookUrl, { NODE_DEBUG: 'net,http,tls,http2,fs', NODE_DEBUG_NATIVE: 'SEA' }),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    oneLine(result.stdout);
    expectNoSecrets(result, slack.webhookUrl);
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 does not turn certificate checks off', () =>
    withPrivateCaSlack(async (_ca, tls) => {
      const result = await notify(
        ['start'],
        jobEnv(tls.webhookUrl, { NODE_TLS_REJECT_UNAUTHORIZED: '0' }),
      );
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toMatch(/certificate is not from a trusted CA/);
      expect(tls.requests).toHaveLength(0);
    }));

  it.each([
    ['a FIFO', () => fifoPath()],
    ['/dev/zero', () => '/dev/zero'],
    ['a missing file', () => join(dir, 'no-such-ca.pem')],
  ])('NODE_EXTRA_CA_CERTS naming %s: exit 2 at once, one line', async (_name, path) => {
    const result = await notify(
      ['start'],
      jobEnv(`https://127.0.0.1:9${WEBHOOK_PATH}`, { NODE_EXTRA_CA_CERTS: path() }),
      { killAfterMs: 20_000 },
    );
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^notify: NODE_EXTRA_CA_CERTS ".*" cannot be read: /);
    expect(result.ms).toBeLessThan(10_000);
  });
});

describe('the runtime reads no file of the job’s before notify', () => {
  it('OPENSSL_CONF naming a FIFO: --version and a delivery answer at once', async () => {
    const slack = track(await startFakeSlack());
    const env = jobEnv(slack.webhookUrl, { OPENSSL_CONF: fifoPath() });
    const version = await notify(['--version'], env, { killAfterMs: 15_000 });
    expect(version.code).toBe(0);
    const sent = await notify(['start'], env, { killAfterMs: 15_000 });
    expect(sent.code, sent.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
  });

  it('NODE_USE_SYSTEM_CA=1 with SSL_CERT_FILE naming a FIFO: exit 2 at once, one line', async () => {
    const env = jobEnv(`https://127.0.0.1:9${WEBHOOK_PATH}`, {
      NODE_USE_SYSTEM_CA: '1',
      SSL_CERT_FILE: fifoPath(),
    });
    const result = await notify(['start'], env, { killAfterMs: 15_000 });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(
      /^notify: SSL_CERT_FILE ".*" cannot be read: not a regular file/,
    );
  });
});

describe('a reader that goes away', () => {
  it('stdout closed before the line is printed: delivered is still exit 0, no stack', async () => {
    const slack = track(await startFakeSlack());
    const script = `${NOTIFY} start 2>&1 >&- ; echo "exit=$?"`;
    const result = await notify(['-c', script], jobEnv(slack.webhookUrl), { command: '/bin/sh' });
    expect(slack.requests).toHaveLength(1);
    expect(result.stdout).toBe('exit=0\n');
  });

  it('a dry run piped into a reader that stops at once: no stack', async () => {
    const script = `${NOTIFY} start --dry-run 2>/dev/stdout | true; ${NOTIFY} start --dry-run 2>&1 | head -c 1 >/dev/null; echo done`;
    const result = await notify(['-c', script], GITLAB_ENV, { command: '/bin/sh' });
    expect(result.stdout).toBe('done\n');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('the job’s environment beats the checkout', () => {
  it.each([
    ['NOTIFY_STATUS=success turns no failed job green', { NOTIFY_STATUS: 'success' }],
    ['NOTIFY_DRY_RUN=true silences nothing', { NOTIFY_DRY_RUN: 'true' }],
    [
      'an application SLACK_WEBHOOK_URL does not replace the masked variable',
      { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/services/T0/B0/app-webhook' },
    ],
  ])('in CI, a .env in the checkout: %s', async (_name, dotenv) => {
    const slack = track(await startFakeSlack());
    const cwd = checkout({
      '.env': Object.entries(dotenv)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    });
    const result = await notify(['finish'], jobEnv(slack.webhookUrl, { CI_JOB_STATUS: 'failed' }), {
      cwd,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]!.json as { text: string }).text).toMatch(/^:x: /);
  });

  it('the masked variable wins over a .env named on purpose', async () => {
    const slack = track(await startFakeSlack());
    const cwd = checkout({ 'ci.env': 'SLACK_WEBHOOK_URL=http://127.0.0.1:9/x\nNOTIFY_USER=ops\n' });
    const result = await notify(['start', '--env-file', 'ci.env'], jobEnv(slack.webhookUrl), {
      cwd,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]!.json as { text: string }).text).toContain('started by ops');
  });
});

describe('every read is bounded', () => {
  const fifo = fifoPath();
  const big = join(dir, 'big-event.json');
  writeFileSync(big, `{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
  const githubEnv = (eventPath: string) => ({
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'team/chat-server',
    GITHUB_REF_NAME: 'main',
    GITHUB_ACTOR: 'jiyoung',
    GITHUB_EVENT_PATH: eventPath,
    NOTIFY_ENVIRONMENT: 'production',
  });

  it.each([
    ['/dev/zero', '/dev/zero', 'not a regular file'],
    ['/dev/urandom', '/dev/urandom', 'not a regular file'],
    ['a FIFO with no writer', fifo, 'not a regular file'],
    ['a directory', dir, 'not a regular file'],
    ['a 5 MiB file', big, 'too large'],
  ])('GITHUB_EVENT_PATH=%s: one warning, the message still goes', async (_name, path, why) => {
    const result = await notify(['start', '--dry-run'], githubEnv(path), { killAfterMs: 20_000 });
    expect(result.code).toBe(0);
    expect(oneLine(result.stderr)).toBe(`notify: warning: "${path}" is ${why}; ignored`);
    expect(JSON.parse(result.stdout).text).toBe(
      ':rocket: chat-server production pipeline is started by jiyoung',
    );
  });

  it.each([
    ['/dev/zero', '/dev/zero'],
    ['a FIFO', fifo],
  ])('a .env linked to %s: refused at once, named or not', async (_name, target) => {
    const cwd = checkout();
    symlinkSync(target, join(cwd, '.env'));
    // Outside CI the default .env is read if it is there: skipped with one warning.
    const local = await notify(['start', '--dry-run', '--project', 'x'], {}, { cwd });
    expect(local.code).toBe(0);
    expect(oneLine(local.stderr)).toMatch(/\.env" is not a regular file; not read$/);
    const named = await notify(['start', '--dry-run', '--env-file', '.env'], GITLAB_ENV, { cwd });
    expect(named.code).toBe(2);
    expect(oneLine(named.stderr)).toMatch(/cannot be read: not a regular file/);
  });

  it('in a deleted working directory every command still answers', async () => {
    const cwd = checkout();
    // A shell that removes its own directory, then runs notify from it.
    const script = `cd ${cwd} && rmdir ${cwd} && ${NOTIFY} --version && ${NOTIFY} start --dry-run`;
    const result = await notify(['-c', script], GITLAB_ENV, { command: '/bin/sh' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.stdout).toContain('"text": ":rocket: chat-server');
  });
});

describe('every wait is bounded', () => {
  it('patterns that backtrack in a regex match in linear time', async () => {
    const env = jobEnv(undefined, {
      CI_COMMIT_REF_NAME: 'a'.repeat(40),
      NOTIFY_ENVIRONMENT_MAP: `${'*a'.repeat(12)}*b=x`,
      NOTIFY_GRAFANA_URL_MAP: `${'*a'.repeat(10)}*b=https://grafana.example.com`,
      NOTIFY_GRAFANA_URL: 'https://grafana.example.com',
      NOTIFY_TIMEOUT: '5',
    });
    const result = await notify(['start', '--dry-run'], env, { killAfterMs: 20_000 });
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(10_000);
  });

  it('Retry-After: 0 forever: at least a second between tries, a few lines, one reason', async () => {
    const slack = track(
      await startFakeSlack({ responder: status(429, 'rate_limited', { 'retry-after': '0' }) }),
    );
    const result = await notify(['start'], jobEnv(slack.webhookUrl, { NOTIFY_TIMEOUT: '6' }));
    expect(result.code).toBe(1);
    expect(slack.requests.length).toBeGreaterThanOrEqual(2);
    expect(slack.requests.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < slack.requests.length; i++) {
      expect(slack.requests[i]!.at - slack.requests[i - 1]!.at).toBeGreaterThanOrEqual(950);
    }
    const said = lines(result.stderr);
    expect(said.length).toBeLessThanOrEqual(5);
    expect(said.at(-1)).toMatch(/^notify: delivery failed: still rate limited \(HTTP 429\) after/);
  });

  it('a 2xx whose body trickles: delivered, once, exit 0', async () => {
    const slack = track(
      await startFakeSlack({
        responder: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const timer = setInterval(() => res.write('o'), 200);
          res.on('close', () => clearInterval(timer));
        },
      }),
    );
    const result = await notify(['start'], jobEnv(slack.webhookUrl, { NOTIFY_TIMEOUT: '3' }));
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(result.stdout).toContain('(1 attempt)');
    expect(result.ms).toBeLessThan(3_000 + 2_000);
  });
});

describe('errors say the true cause, once', () => {
  it('an https:// webhook on a plain-HTTP port: one try, one line about TLS', async () => {
    const slack = track(await startFakeSlack({ responder: ok }));
    const url = slack.webhookUrl.replace('http://', 'https://');
    const result = await notify(['start'], jobEnv(url));
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^notify: delivery failed: TLS with 127\.0\.0\.1:\d+ failed \(/);
    expect(line).toContain("check the URL's scheme");
    expect(line).not.toContain('NODE_EXTRA_CA_CERTS');
    expectNoSecrets(result, url);
  });

  it('a server that does not speak HTTP: one try, one line', async () => {
    const raw = track(await startRawServer('SSH-2.0-OpenSSH_9.2\r\n'));
    const result = await notify(['start'], jobEnv(`http://127.0.0.1:${raw.port}${WEBHOOK_PATH}`));
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(
      /^notify: delivery failed: 127\.0\.0\.1:\d+ did not answer in HTTP \(HPE_/,
    );
    expect(raw.connections).toBe(1);
  });

  it('an https:// proxy on a plain port is named, and no CA is blamed', async () => {
    const raw = track(await startRawServer('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const env = jobEnv(`https://hooks.slack.example${WEBHOOK_PATH}`, {
      HTTPS_PROXY: `https://127.0.0.1:${raw.port}`,
    });
    const result = await notify(['start'], env);
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain(`the proxy 127.0.0.1:${raw.port}`);
    expect(line).not.toContain('NODE_EXTRA_CA_CERTS');
  });

  it.each([
    ['HTTPS_PROXY', 'http://user:hunter2hunter2@[bad', /HTTPS_PROXY is not a usable proxy URL/],
    ['https_proxy', 'socks5://127.0.0.1:1080', /https_proxy is a SOCKS proxy .* not support/],
    ['HTTP_PROXY', 'http://:3128', /HTTP_PROXY is not a usable proxy URL/],
  ])('%s=%s is a configuration error: exit 2, one line, no retries', async (name, value, said) => {
    const slack = track(await startFakeSlack());
    const url =
      name === 'HTTP_PROXY' ? slack.webhookUrl : `https://hooks.slack.example${WEBHOOK_PATH}`;
    const result = await notify(['start'], jobEnv(url, { [name]: value }));
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(said);
    expect(result.stderr).not.toContain('hunter2');
    expect(slack.requests).toHaveLength(0);
  });
});

describe('signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s during delivery: one line, exit 1, at once',
    async (signal) => {
      const silent = track(await startSilentServer());
      const child = spawn(NOTIFY, ['start'], {
        env: jobEnv(`http://127.0.0.1:${silent.port}${WEBHOOK_PATH}`),
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const sent = Date.now();
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(Date.now() - sent).toBeLessThan(2_000);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toBe(
        `notify: delivery failed: interrupted by ${signal} before 127.0.0.1:${silent.port} confirmed the message; it may not have been sent`,
      );
    },
  );
});

describe('nothing a user typed is echoed raw, and no part of a secret is shown', () => {
  it.each([
    ['--status with an escape sequence', ['finish', '--status', 'ok\u001b]0;pwned\u0007'], {}],
    [
      '--status with a forged line',
      ['finish', '--status', 'x\nnotify: sent the finish notification'],
      {},
    ],
    ['NOTIFY_STATUS with a bidi override', ['finish'], { NOTIFY_STATUS: 'fail\u202eed' }],
    ['NOTIFY_TIMEOUT with a carriage return', ['start'], { NOTIFY_TIMEOUT: '5\rnotify: ok' }],
  ])('%s: one line, every control character shown as an escape', async (_name, args, settings) => {
    const result = await notify(args, jobEnv(undefined, settings));
    expect(result.code).toBe(2);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^notify: /);
    expect(result.stderr).not.toMatch(TERMINAL_CONTROL);
  });

  it('CI_JOB_STATUS with an escape sequence: warned about, shown as an escape', async () => {
    const result = await notify(['finish', '--dry-run'], {
      ...GITLAB_ENV,
      CI_JOB_STATUS: 'weird\u001b[2J\u001b[H',
    });
    expect(result.code).toBe(0);
    expect(oneLine(result.stderr)).toContain('"weird\\x1b[2J\\x1b[H"');
    expect(result.stderr).not.toMatch(TERMINAL_CONTROL);
  });

  it.each([258, 930, 945, 960, 4_080])(
    'an error body quoting the webhook after %i characters shows no piece of the token',
    async (offset) => {
      const slack = track(
        await startFakeSlack({
          responder: (req, res) => {
            res
              .writeHead(400, { 'content-type': 'text/plain' })
              .end(`${'e'.repeat(offset)}${req.path}${req.path.toUpperCase()}`);
          },
        }),
      );
      const result = await notify(['start'], jobEnv(slack.webhookUrl));
      expect(result.code).toBe(1);
      const output = `${result.stdout}${result.stderr}`.toLowerCase();
      for (let n = 6; n <= TOKEN.length; n++) {
        expect(output).not.toContain(TOKEN.slice(0, n).toLowerCase());
      }
      expect(result.stderr).not.toMatch(STACK_LINE);
    },
  );

  it('a webhook without a scheme passed as a stray argument is not printed', async () => {
    const stray = `hooks.slack.com${WEBHOOK_PATH}`;
    const result = await notify(['start', stray], GITLAB_ENV);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)[0]).toBe(
      'notify: unexpected argument after start (not shown: it may hold a secret)',
    );
    expectNoSecrets(result, stray);
  });
});

describe('usage errors are short', () => {
  it('a mistyped flag: the reason first, then where to look, nothing more', async () => {
    const result = await notify(['finish', '--stauts', 'failed'], GITLAB_ENV);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'notify: unknown option --stauts (did you mean --status?)',
      'Run notify --help to see the commands and options.',
    ]);
  });

  it('DEBUG=0 and DEBUG=false print no stack', async () => {
    for (const debug of ['0', 'false', 'no']) {
      const result = await notify(
        ['start'],
        jobEnv(undefined, { NOTIFY_TIMEOUT: 'x', DEBUG: debug }),
      );
      expect(result.code).toBe(2);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(STACK_LINE);
    }
  });
});
