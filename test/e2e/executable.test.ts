// The built artefacts, run as a CI job runs them: the executable alone, the FROM-scratch root
// filesystem in a chroot, and the kaniko bundle in a chroot that holds nothing but busybox.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  readFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withPrivateCaSlack } from '../helpers/ca.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { isRoot, need, succeeds } from '../helpers/need.ts';
import { GITLAB_ENV, NOTIFY, ROOT, requireBuild, runNotify } from '../helpers/run.ts';

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((path) => existsSync(path));
const CHROOT = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((path) => existsSync(path)) ?? 'chroot';
const canChroot = need(
  'chroot',
  'needs root and chroot(8)',
  () => isRoot() && succeeds(CHROOT, ['/', 'true']),
);
const hasFile = need('file', 'it tells a static executable from a dynamic one', () =>
  succeeds('file', ['--version']),
);
const hasLdd = need('ldd', 'it lists the shared libraries an executable would load', () => {
  const ldd = spawnSync('ldd', ['--version'], { stdio: 'ignore' });
  return ldd.error === undefined;
});
const hasBusybox = need(
  'busybox-static',
  'the kaniko bundle is tried in a busybox-only chroot',
  () => Boolean(BUSYBOX),
);

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(() => slack.close());

function expectStartDelivered(result: { code: number | null; stdout: string; stderr: string }) {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(slack.requests).toHaveLength(1);
  const payload = slack.requests[0]!.json as { text: string };
  expect(payload.text).toBe(':rocket: chat-server production job deploy is started by jiyoung');
  expect(result.stdout).toContain('sent the start notification');
  expect(result.stdout).not.toContain('s3cr3t');
}

// Arguments a Node runtime would take for itself (it reads --env-file before any JavaScript).
const RUNTIME_BAIT = ['start', '--dry-run', '--env-file', '/nonexistent.env'];

/** notify, not the runtime, answered RUNTIME_BAIT: its own exit 2 and one line. */
function expectNotifyAnswered(result: { code: number | null; stdout: string; stderr: string }) {
  expect(result.stderr).toBe(
    'notify: env file "/nonexistent.env" cannot be read: missing (check --env-file)\n',
  );
  expect(result.code).toBe(2);
}

describe('dist/notify', () => {
  it.skipIf(!hasFile)('is statically linked, says file(1)', () => {
    requireBuild();
    const file = spawnSync('file', ['-b', NOTIFY], { encoding: 'utf8' });
    expect(file.status).toBe(0);
    expect(file.stdout).toMatch(/^ELF /);
    expect(file.stdout).toContain('statically linked');
    expect(file.stdout).not.toContain('interpreter');
  });

  it.skipIf(!hasLdd)('loads no shared library: ldd says it is not a dynamic executable', () => {
    requireBuild();
    const ldd = spawnSync('ldd', [NOTIFY], { encoding: 'utf8' });
    expect(ldd.status).not.toBe(0);
    // glibc's ldd words it so; musl's (an alpine runner) says "Not a valid dynamic program".
    expect(`${ldd.stdout}${ldd.stderr}`).toMatch(
      /not a dynamic executable|not a valid dynamic program/i,
    );
  });

  it('takes no argument or NODE_OPTIONS for the runtime', async () => {
    const result = await runNotify(RUNTIME_BAIT, {
      ...GITLAB_ENV,
      NODE_OPTIONS: '--require=/nonexistent.js --inspect',
    });
    expectNotifyAnswered(result);
  });

  it('delivers with an empty environment plus CI variables: no Node, no PATH', async () => {
    const result = await runNotify(['start'], {
      ...GITLAB_ENV,
      SLACK_WEBHOOK_URL: slack.webhookUrl,
    });
    expectStartDelivered(result);
  });

  it('prints its version and help without any environment', async () => {
    const version = await runNotify(['--version'], {});
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runNotify(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('SLACK_WEBHOOK_URL');
  });
});

describe.skipIf(!canChroot)('dist/rootfs, the FROM-scratch image, in a chroot', () => {
  it('holds only the executable, CA certificates and passwd', () => {
    const rootfs = join(ROOT, 'dist/rootfs');
    expect(readdirSync(rootfs).sort()).toEqual(['etc', 'tmp', 'usr']);
    expect(existsSync(join(rootfs, 'bin'))).toBe(false);
    expect(existsSync(join(rootfs, 'etc/ssl/certs/ca-certificates.crt'))).toBe(true);
  });

  it('delivers with nothing else', async () => {
    const result = await runNotify(
      [join(ROOT, 'dist/rootfs'), '/usr/local/bin/notify', 'start'],
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl },
      { command: CHROOT },
    );
    expectStartDelivered(result);
  });

  it('takes no argument or NODE_OPTIONS for the runtime', async () => {
    const result = await runNotify(
      [join(ROOT, 'dist/rootfs'), '/usr/local/bin/notify', ...RUNTIME_BAIT],
      { ...GITLAB_ENV, NODE_OPTIONS: '--require=/nonexistent.js' },
      { command: CHROOT },
    );
    expectNotifyAnswered(result);
  });

  it('trusts a private CA given in NODE_EXTRA_CA_CERTS', () =>
    withPrivateCaSlack(async (ca, tls) => {
      const inside = join(ROOT, 'dist/rootfs/tmp/notify-test-ca.pem');
      cpSync(ca.caFile, inside);
      try {
        const run = (extra: Record<string, string>) =>
          runNotify(
            [join(ROOT, 'dist/rootfs'), '/usr/local/bin/notify', 'start'],
            { ...GITLAB_ENV, SLACK_WEBHOOK_URL: tls.webhookUrl, ...extra },
            { command: CHROOT },
          );
        const untrusted = await run({});
        expect(untrusted.code).toBe(1);
        expect(untrusted.stderr).toContain('NODE_EXTRA_CA_CERTS');
        const trusted = await run({ NODE_EXTRA_CA_CERTS: '/tmp/notify-test-ca.pem' });
        expect(trusted.stderr).toBe('');
        expect(trusted.code).toBe(0);
        expect(tls.requests).toHaveLength(1);
      } finally {
        rmSync(inside, { force: true });
      }
    }));
});

describe.skipIf(!canChroot || !hasBusybox)('dist/kaniko in a busybox-only chroot', () => {
  let root: string;
  beforeEach(() => {
    // The shape of kaniko's debug image: /busybox with its applets, no /lib, no /bin, no C library.
    root = mkdtempSync(join(tmpdir(), 'notify-kaniko-'));
    mkdirSync(join(root, 'busybox'));
    cpSync(BUSYBOX!, join(root, 'busybox/busybox'));
    for (const applet of ['sh', 'readlink', 'ls', 'env'])
      symlinkSync('busybox', join(root, 'busybox', applet));
    mkdirSync(join(root, 'kaniko'));
    cpSync(join(ROOT, 'dist/kaniko'), join(root, 'kaniko/notify'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('has no C library outside the bundle', () => {
    expect(readdirSync(root).sort()).toEqual(['busybox', 'kaniko']);
  });

  it('delivers from a busybox shell with notify on the PATH', async () => {
    const result = await runNotify(
      [root, '/busybox/sh', '-c', 'notify start'],
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, PATH: '/kaniko/notify/bin:/busybox' },
      { command: CHROOT },
    );
    expectStartDelivered(result);
  });

  it('trusts a private CA given in NODE_EXTRA_CA_CERTS', () =>
    withPrivateCaSlack(async (ca, tls) => {
      cpSync(ca.caFile, join(root, 'kaniko/ca.pem'));
      const result = await runNotify(
        [root, '/busybox/sh', '-c', 'notify start'],
        {
          ...GITLAB_ENV,
          SLACK_WEBHOOK_URL: tls.webhookUrl,
          PATH: '/kaniko/notify/bin:/busybox',
          NODE_EXTRA_CA_CERTS: '/kaniko/ca.pem',
        },
        { command: CHROOT },
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(tls.requests).toHaveLength(1);
    }));

  it('takes no argument or NODE_OPTIONS for the runtime', async () => {
    const result = await runNotify(
      [root, '/busybox/sh', '-c', `notify ${RUNTIME_BAIT.join(' ')}`],
      { ...GITLAB_ENV, PATH: '/kaniko/notify/bin:/busybox', NODE_OPTIONS: '-r /nonexistent.js' },
      { command: CHROOT },
    );
    expectNotifyAnswered(result);
  });

  it('starts through a symlink, as a PATH entry elsewhere would', async () => {
    const result = await runNotify(
      [
        root,
        '/busybox/sh',
        '-c',
        'ln -s /kaniko/notify/bin/notify /busybox/notify && notify start',
      ],
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, PATH: '/busybox' },
      { command: CHROOT },
    );
    expectStartDelivered(result);
  });
});

describe.skipIf(!canChroot || !hasBusybox)('the executable in an image without glibc', () => {
  let root: string;
  beforeEach(() => {
    // busybox as /bin/sh and nothing else, like an alpine (musl) image: the one file copied in,
    // as the README's COPY line does.
    root = mkdtempSync(join(tmpdir(), 'notify-nolibc-'));
    mkdirSync(join(root, 'bin'));
    cpSync(BUSYBOX!, join(root, 'bin/busybox'));
    symlinkSync('busybox', join(root, 'bin/sh'));
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("delivers after the README's one COPY line", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const [from, to] = /^COPY --from=\S+ (\S+) (\S+)$/m.exec(readme)?.slice(1) ?? [];
    expect(from).toBe('/usr/local/bin/notify');
    cpSync(join(ROOT, 'dist/rootfs', from!), join(root, to!));
    const result = await runNotify(
      [root, '/bin/sh', '-c', 'notify start'],
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, PATH: '/usr/local/bin:/bin' },
      { command: CHROOT },
    );
    expectStartDelivered(result);
  });
});
