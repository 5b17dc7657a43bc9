// The arm64 artefacts, run on this x86-64 machine under qemu's user-mode emulation: the rootfs in
// a chroot, the kaniko bundle and the debug image's busybox in chroots of their shape. There is
// no binfmt_misc here, so qemu-aarch64-static is copied into each chroot and named on the
// command line; an arm64 shell reaches notify through it too. Nothing here runs on real arm64.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_ERRORS } from '../../src/targets/slack.ts';
import { createPrivateCa, type PrivateCa } from '../helpers/ca.ts';
import {
  WEBHOOK_PATH,
  ok,
  sequence,
  startFakeSlack,
  status,
  type FakeSlack,
  type Recorded,
} from '../helpers/fake-slack.ts';
import { isRoot, need, succeeds } from '../helpers/need.ts';
import { GITLAB_ENV, ROOT, runNotify, type RunResult } from '../helpers/run.ts';

const QEMU = (process.env.PATH ?? '/usr/bin')
  .split(delimiter)
  .map((dir) => join(dir, 'qemu-aarch64-static'))
  .find((path) => existsSync(path));
const hasQemu = need('qemu-aarch64-static', 'it runs the arm64 executable on x86-64', () =>
  succeeds(QEMU!, ['--version']),
);
const CHROOT = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((path) => existsSync(path)) ?? 'chroot';
const canChroot = need(
  'chroot',
  'needs root and chroot(8)',
  () => isRoot() && succeeds(CHROOT, ['/', 'true']),
);

const DIST = join(ROOT, 'dist');
const ARM64 = join(DIST, 'linux-arm64');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
const EXPECTED_TEXT = ':rocket: chat-server production job deploy is started by jiyoung';

function requireArm64Build(): void {
  for (const path of [join(DIST, 'notify-linux-arm64'), join(ARM64, 'rootfs')]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  }
}

/** A temporary directory made by `fill`, with qemu-aarch64-static at its root. */
function makeRoot(prefix: string, fill: (root: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  fill(root);
  cpSync(QEMU!, join(root, 'qemu-aarch64-static'));
  return root;
}

/** Copies a tree as it is: symlinks stay relative (the busybox applets'), so they work inside. */
const copyTree = (from: string, to: string) =>
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });

/** Runs `command` (arm64) in the chroot `root` under qemu, with exactly `env`. */
function inChroot(root: string, command: string[], env: Record<string, string>) {
  return runNotify([root, '/qemu-aarch64-static', ...command], env, { command: CHROOT });
}

function expectDelivered(result: RunResult, requests: Recorded[]) {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(requests).toHaveLength(1);
  expect(requests[0]!.path).toBe(WEBHOOK_PATH);
  expect((requests[0]!.json as { text: string }).text).toBe(EXPECTED_TEXT);
  expect(result.stdout).toContain('sent the start notification');
  expectNoSecrets(result);
}

function expectNoSecrets(result: RunResult) {
  expect(`${result.stdout}${result.stderr}`).not.toContain(WEBHOOK_PATH.split('/').at(-1));
}

describe('scripts/native-deps.sh arm64', () => {
  it('without the cross tools, fails in one line that names scripts/setup-debian.sh', () => {
    // Every program on the PATH but the arm64 ones (the cross gcc, its binutils, qemu).
    const bin = mkdtempSync(join(tmpdir(), 'notify-no-cross-'));
    try {
      for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean).reverse()) {
        if (!existsSync(dir)) continue;
        for (const name of readdirSync(dir)) {
          if (/^(aarch64-|qemu-aarch64)/.test(name)) continue;
          rmSync(join(bin, name), { force: true });
          symlinkSync(join(dir, name), join(bin, name));
        }
      }
      const result = spawnSync('bash', [join(ROOT, 'scripts/native-deps.sh'), 'arm64'], {
        encoding: 'utf8',
        env: { PATH: bin },
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^native-deps arm64: aarch64-\S+ not found: .*run scripts\/setup-debian\.sh as root\n$/,
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('file dist/*', () => {
  it('shows an x86-64 and an aarch64 executable, both static', () => {
    requireArm64Build();
    const entries = readdirSync(DIST).sort();
    const file = spawnSync('file', ['-b', ...entries.map((entry) => join(DIST, entry))], {
      encoding: 'utf8',
    });
    expect(file.status).toBe(0);
    const kinds = file.stdout.trimEnd().split('\n');
    expect(kinds).toHaveLength(entries.length);
    const executables = entries
      .map((entry, i) => [entry, kinds[i]!] as const)
      .filter(([, kind]) => kind.startsWith('ELF '));
    expect(executables.map(([entry]) => entry)).toEqual(['notify', 'notify-linux-arm64']);
    const [[, amd64], [, arm64]] = executables as [
      readonly [string, string],
      readonly [string, string],
    ];
    expect(amd64).toMatch(/^ELF 64-bit LSB executable, x86-64, .*statically linked/);
    expect(arm64).toMatch(/^ELF 64-bit LSB executable, ARM aarch64, .*statically linked/);
    for (const kind of [amd64, arm64]) expect(kind).not.toContain('interpreter');
  });
});

describe('dist/linux-arm64: the same artefacts as for x86-64', () => {
  it('rootfs: the same layout as dist/rootfs, with the arm64 executable', () => {
    requireArm64Build();
    const list = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
    expect(list(join(ARM64, 'rootfs'))).toEqual(list(join(DIST, 'rootfs')));
    const exe = readFileSync(join(DIST, 'notify-linux-arm64'));
    expect(readFileSync(join(ARM64, 'rootfs/usr/local/bin/notify')).equals(exe)).toBe(true);
    expect(readFileSync(join(ARM64, 'kaniko/bin/notify')).equals(exe)).toBe(true);
    expect(readdirSync(join(ARM64, 'kaniko'), { recursive: true }).sort()).toEqual([
      'bin',
      'bin/notify',
    ]);
  });

  it("carries Debian's Mozilla CA list, the same as x86-64's, in the rootfs and built in", () => {
    requireArm64Build();
    const pinned = readFileSync(join(ROOT, 'build/native/ca-certificates.crt'));
    const path = 'rootfs/etc/ssl/certs/ca-certificates.crt';
    expect(readFileSync(join(ARM64, path)).equals(pinned)).toBe(true);
    expect(readFileSync(join(DIST, path)).equals(pinned)).toBe(true);
    expect(readFileSync(join(DIST, 'notify-linux-arm64')).includes(pinned)).toBe(true);
  });

  it('busybox: a static aarch64 one, with the applets of dist/busybox as links', () => {
    requireArm64Build();
    const busybox = join(ARM64, 'busybox/busybox');
    const file = spawnSync('file', ['-b', busybox], { encoding: 'utf8' });
    expect(file.stdout).toMatch(/^ELF 64-bit LSB executable, ARM aarch64, .*statically linked/);
    expect(readdirSync(join(ARM64, 'busybox'))).toContain('sh');
  });
});

describe.skipIf(!hasQemu || !canChroot)('dist/linux-arm64/rootfs in a chroot, under qemu', () => {
  let root: string;
  let slack: FakeSlack;
  beforeAll(() => {
    requireArm64Build();
    root = makeRoot('notify-arm64-rootfs-', (dir) => copyTree(join(ARM64, 'rootfs'), dir));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(() => slack.close());

  const notify = (args: string[], env: Record<string, string>) =>
    inChroot(root, ['/usr/local/bin/notify', ...args], env);

  it("--version prints package.json's version", async () => {
    const result = await notify(['--version'], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('a dry run of start with GitLab variables prints what the x86-64 executable prints', async () => {
    const env = { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl };
    const result = await notify(['start', '--dry-run'], env);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { text: string }).text).toBe(EXPECTED_TEXT);
    expect(slack.requests).toHaveLength(0);
    const x86 = await runNotify(
      [join(DIST, 'rootfs'), '/usr/local/bin/notify', 'start', '--dry-run'],
      env,
      { command: CHROOT },
    );
    expect(x86.code).toBe(0);
    expect(result.stdout).toBe(x86.stdout);
    expect(result.stderr).toBe(x86.stderr);
    expectNoSecrets(result);
  });

  it('delivers start to a fake Slack over http', async () => {
    const result = await notify(['start'], { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl });
    expectDelivered(result, slack.requests);
  });

  describe('over https, with a private CA', () => {
    let ca: PrivateCa;
    let tls: FakeSlack;
    beforeAll(async () => {
      ca = createPrivateCa();
      tls = await startFakeSlack({ tls: ca.tls });
      cpSync(ca.caFile, join(root, 'tmp/ca.pem'));
    });
    afterAll(async () => {
      await tls.close();
      ca.remove();
    });
    beforeEach(() => {
      tls.requests.length = 0;
    });

    it('refuses the server without the CA: exit 1, and says where a CA goes', async () => {
      const result = await notify(['start'], { ...GITLAB_ENV, SLACK_WEBHOOK_URL: tls.webhookUrl });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('NODE_EXTRA_CA_CERTS');
      expect(tls.requests).toHaveLength(0);
      expectNoSecrets(result);
    });

    it.each(['NOTIFY_CA_FILE', 'NODE_EXTRA_CA_CERTS'])(
      'delivers with the CA in %s',
      async (name) => {
        const result = await notify(['start'], {
          ...GITLAB_ENV,
          SLACK_WEBHOOK_URL: tls.webhookUrl,
          [name]: '/tmp/ca.pem',
        });
        expectDelivered(result, tls.requests);
      },
    );
  });

  it("exits 1 when Slack refuses the message, with Slack's explanation", async () => {
    const refusing = await startFakeSlack({ responder: status(404, 'no_service') });
    try {
      const result = await notify(['start'], {
        ...GITLAB_ENV,
        SLACK_WEBHOOK_URL: refusing.webhookUrl,
      });
      expect(result.code).toBe(1);
      expect(refusing.requests).toHaveLength(1);
      expect(result.stderr).toBe(
        `notify: delivery failed: Slack answered HTTP 404 no_service: ${SLACK_ERRORS.no_service}\n`,
      );
      expect(result.stdout).toBe('');
      expectNoSecrets(result);
    } finally {
      await refusing.close();
    }
  });

  it('exits 1 when nothing listens, after its retries', async () => {
    const gone = await startFakeSlack();
    await gone.close();
    const port = new URL(gone.origin).port;
    const result = await notify(['start'], { ...GITLAB_ENV, SLACK_WEBHOOK_URL: gone.webhookUrl });
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`notify: delivery failed: connection to 127.0.0.1:${port} refused`);
    expect(lines.slice(0, -1).every((line) => line.startsWith('notify: attempt '))).toBe(true);
    expectNoSecrets(result);
  });
});

// An arm64 shell cannot start an arm64 program here: without binfmt_misc the kernel refuses it
// (ENOEXEC). The shell function does what binfmt_misc does on an x86-64 runner with qemu set up:
// hand the executable to the emulator.
const VIA_QEMU = (path: string) => `notify() { /qemu-aarch64-static ${path} "$@"; }; `;

describe.skipIf(!hasQemu || !canChroot)(
  'dist/linux-arm64/kaniko, in the shape of the arm64 kaniko debug image, under qemu',
  () => {
    let root: string;
    let slack: FakeSlack;
    beforeEach(async () => {
      requireArm64Build();
      // kaniko's debug image as notify sees it: /busybox and /kaniko, no /lib, no C library.
      root = makeRoot('notify-arm64-kaniko-', (dir) => {
        copyTree(join(ARM64, 'busybox'), join(dir, 'busybox'));
        mkdirSync(join(dir, 'kaniko'));
        copyTree(join(ARM64, 'kaniko'), join(dir, 'kaniko/notify'));
      });
      slack = await startFakeSlack();
    });
    afterEach(async () => {
      await slack.close();
      rmSync(root, { recursive: true, force: true });
    });

    it('the bundle has no C library beside it', () => {
      expect(readdirSync(root).sort()).toEqual(['busybox', 'kaniko', 'qemu-aarch64-static']);
    });

    it('its executable delivers', async () => {
      const result = await inChroot(root, ['/kaniko/notify/bin/notify', 'start'], {
        ...GITLAB_ENV,
        SLACK_WEBHOOK_URL: slack.webhookUrl,
      });
      expectDelivered(result, slack.requests);
    });

    it("the arm64 busybox's sh runs notify from a job script and delivers", async () => {
      const result = await inChroot(
        root,
        ['/busybox/sh', '-c', `${VIA_QEMU('/kaniko/notify/bin/notify')}notify start`],
        { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl, PATH: '/busybox' },
      );
      expectDelivered(result, slack.requests);
    });
  },
);

describe.skipIf(!hasQemu || !canChroot)(
  'dist/linux-arm64/rootfs with its busybox, the arm64 debug image, under qemu',
  () => {
    let root: string;
    beforeAll(() => {
      requireArm64Build();
      root = makeRoot('notify-arm64-debug-', (dir) => {
        copyTree(join(ARM64, 'rootfs'), dir);
        copyTree(join(ARM64, 'busybox'), join(dir, 'busybox'));
      });
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('busybox sh -c runs notify and sees its exit codes: 0 delivered, 1 failed, 2 usage', async () => {
      const slack = await startFakeSlack({
        responder: sequence(ok, status(403, 'invalid_token')),
      });
      try {
        const script =
          VIA_QEMU('/usr/local/bin/notify') +
          'notify --version; echo "version: $?"; ' +
          'notify start; echo "delivered: $?"; ' +
          'notify start 2>&1; echo "failed: $?"; ' +
          'notify start --no-such-option 2>/tmp/usage; echo "usage: $?"';
        const result = await inChroot(root, ['/busybox/busybox', 'sh', '-c', script], {
          ...GITLAB_ENV,
          SLACK_WEBHOOK_URL: slack.webhookUrl,
          PATH: '/usr/local/bin:/busybox',
        });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout.split('\n')).toEqual([
          version,
          'version: 0',
          expect.stringContaining('sent the start notification'),
          'delivered: 0',
          `notify: delivery failed: Slack answered HTTP 403 invalid_token: ${SLACK_ERRORS.invalid_token}`,
          'failed: 1',
          'usage: 2',
          '',
        ]);
        expect(slack.requests).toHaveLength(2);
        expectNoSecrets(result);
      } finally {
        await slack.close();
      }
    });
  },
);
