// The multi-platform images as the build writes them (OCI layouts, dist/oci), pushed with skopeo to
// a real registry (Debian's docker-registry, the reference implementation) on 127.0.0.1, and
// pulled and run by a real Docker daemon, which picks its own platform from the one tag.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILT, buildImages, buildKanikoImage, staged, version } from '../../scripts/images.ts';
import { tarLayer, writeLayout, type Descriptor, type ImageConfig } from '../../scripts/oci.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { need, succeeds } from '../helpers/need.ts';
import { GITLAB_ENV, requireBuild, ROOT } from '../helpers/run.ts';

const REGISTRY = '/usr/bin/docker-registry';
const hasTools = need(
  'skopeo, docker-registry and a Docker daemon',
  'the multi-platform images are pushed to a local registry and pulled by Docker',
  () => succeeds('skopeo', ['--version']) && existsSync(REGISTRY) && succeeds('docker', ['info']),
);

const V = version();
const ELF_MACHINE = { amd64: 0x3e, arm64: 0xb7 } as const;
const EXECUTABLE = {
  amd64: join(ROOT, 'dist/notify'),
  arm64: join(ROOT, 'dist/notify-linux-arm64'),
};

interface Layout {
  dir: string;
  blob(digest: string): Buffer;
  json<T>(digest: string): T;
}

const layout = (dir: string): Layout => {
  const blob = (digest: string) => readFileSync(join(dir, 'blobs', ...digest.split(':')));
  return { dir, blob, json: (digest) => JSON.parse(blob(digest).toString('utf8')) };
};

interface Manifest {
  config: Descriptor;
  layers: Descriptor[];
}

/** The tag's index, and for each platform its manifest, config and layers' files. */
function platforms(dir: string, tag: string) {
  const l = layout(dir);
  const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    manifests: Descriptor[];
  };
  const named = top.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  expect(named, `${dir} has the tag ${tag}`).toBeDefined();
  const index = l.json<{ manifests: Descriptor[] }>(named!.digest);
  return {
    index: named!,
    images: index.manifests.map((descriptor) => {
      const manifest = l.json<Manifest>(descriptor.digest);
      return {
        descriptor,
        manifest,
        config: l.json<ImageConfig>(manifest.config.digest),
        files: (n: number) => untar(gunzipSync(l.blob(manifest.layers.at(n)!.digest))),
      };
    }),
  };
}

/** A ustar archive's entries by name (enough for the build's layers): mode, and a file's bytes. */
function tarEntries(tar: Buffer): Map<string, { mode: number; body?: Buffer }> {
  const entries = new Map<string, { mode: number; body?: Buffer }>();
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    const field = (from: number, length: number) =>
      tar
        .subarray(at + from, at + from + length)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const prefix = field(345, 155);
    const type = field(156, 1);
    entries.set((prefix ? `${prefix}/` : '') + field(0, 100), {
      mode: parseInt(field(100, 8).trim(), 8),
      ...(type === '0' || type === '' ? { body: tar.subarray(at + 512, at + 512 + size) } : {}),
    });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** A layer's regular files by name. */
const untar = (tar: Buffer) =>
  new Map(
    [...tarEntries(tar)].flatMap(([name, { body }]) => (body ? [[name, body] as const] : [])),
  );

/** Every entry's mode, by name. */
const tarModes = (tar: Buffer) =>
  new Map([...tarEntries(tar)].map(([name, { mode }]) => [name, mode] as const));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  }
  return result.stdout;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the images as OCI layouts (dist/oci)', () => {
  beforeAll(() => requireBuild());

  it.each([
    ['notify', V],
    ['notify-debug', `${V}-debug`],
  ])('%s: one tag, an index of linux/amd64 and linux/arm64/v8', (name, tag) => {
    const { images } = platforms(join(ROOT, 'dist/oci', name), tag);
    expect(images.map(({ descriptor }) => descriptor.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    for (const { descriptor, config } of images) {
      expect(config.architecture).toBe(descriptor.platform!.architecture);
      expect(config.config?.Labels?.['org.opencontainers.image.version']).toBe(V);
    }
  });

  it('each platform carries its own executable, as built', () => {
    const { images } = platforms(join(ROOT, 'dist/oci/notify'), V);
    for (const { descriptor, files } of images) {
      const arch = descriptor.platform!.architecture as keyof typeof ELF_MACHINE;
      const notify = files(0).get('usr/local/bin/notify');
      expect(notify, `${arch}: usr/local/bin/notify`).toBeDefined();
      expect(notify!.readUInt16LE(18)).toBe(ELF_MACHINE[arch]);
      expect(sha256(notify!)).toBe(sha256(readFileSync(EXECUTABLE[arch])));
      expect(files(0).get('etc/ssl/certs/ca-certificates.crt')?.toString()).toContain(
        '-----BEGIN CERTIFICATE-----',
      );
    }
  });

  it('the same build writes the same bytes: digests are reproducible', () => {
    const again = mkdtempSync(join(tmpdir(), 'notify-oci-'));
    try {
      const { notify, debug } = buildImages(again);
      expect(notify.digest).toBe(platforms(join(ROOT, 'dist/oci/notify'), V).index.digest);
      expect(debug?.digest).toBe(
        platforms(join(ROOT, 'dist/oci/notify-debug'), `${V}-debug`).index.digest,
      );
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe('layers, whatever the umask of the build', () => {
  /** A rootfs-like tree made under one umask: its files', directories' and /tmp's modes. */
  function tree(dir: string, file: number, exe: number, directory: number) {
    mkdirSync(join(dir, 'usr/local/bin'), { recursive: true });
    mkdirSync(join(dir, 'etc'));
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/:/sbin/nologin\n');
    writeFileSync(join(dir, 'usr/local/bin/notify'), '#!/bin/true\n');
    symlinkSync('notify', join(dir, 'usr/local/bin/n'));
    chmodSync(join(dir, 'etc/passwd'), file);
    chmodSync(join(dir, 'usr/local/bin/notify'), exe);
    for (const d of ['usr', 'usr/local', 'usr/local/bin', 'etc'])
      chmodSync(join(dir, d), directory);
    chmodSync(join(dir, 'tmp'), 0o1777);
    return dir;
  }

  it('umask 022 and umask 002 give the same layer: 0644, 0755, and /tmp 1777', () => {
    const work = mkdtempSync(join(tmpdir(), 'notify-umask-'));
    try {
      const layers = [
        [0o644, 0o755, 0o755],
        [0o664, 0o775, 0o775],
        [0o666, 0o777, 0o777],
      ].map(([file, exe, directory], i) => {
        const from = tree(join(work, `from-${i}`), file!, exe!, directory!);
        return tarLayer(staged('umask', from, '.', join(work, `stage-${i}`))).tar;
      });
      expect(new Set(layers.map(sha256)).size).toBe(1);
      const modes = tarModes(layers[0]!);
      expect(modes.get('etc/passwd')).toBe(0o644);
      expect(modes.get('usr/local/bin/notify')).toBe(0o755);
      expect(modes.get('usr/local/bin/')).toBe(0o755);
      expect(modes.get('tmp/')).toBe(0o1777);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasTools)('the images in a registry, pulled by Docker', () => {
  let registry: ChildProcess;
  let host: string;
  let work: string;
  let slack: FakeSlack;
  const pulled: string[] = [];

  const push = (dir: string, tag: string, repository: string) => {
    const ref = `${host}/${repository}:${tag}`;
    run('skopeo', [
      'copy',
      '-q',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${dir}:${tag}`,
      `docker://${ref}`,
    ]);
    return ref;
  };
  const pull = (ref: string, platform?: string) => {
    run('docker', ['pull', '-q', ...(platform ? ['--platform', platform] : []), ref]);
    pulled.push(ref);
    return JSON.parse(run('docker', ['image', 'inspect', ref]))[0] as {
      Architecture: string;
      Variant?: string;
      Config: { Env: string[]; Labels: Record<string, string> };
    };
  };
  // Asynchronously: the fake Slack answers from this process's event loop.
  const dockerRun = (env: Record<string, string>, ...rest: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const args = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      const child = spawn('docker', ['run', '--rm', '--network', 'host', ...args, ...rest]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  beforeAll(async () => {
    requireBuild();
    work = mkdtempSync(join(tmpdir(), 'notify-registry-'));
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    writeFileSync(
      join(work, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${work}/data\nhttp:\n  addr: ${host}\n`,
    );
    registry = spawn(REGISTRY, ['serve', join(work, 'config.yml')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://${host}/v2/`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`docker-registry did not answer on ${host}`);
  }, 30_000);

  afterAll(() => {
    registry?.kill();
    if (pulled.length) spawnSync('docker', ['rmi', '-f', ...new Set(pulled)], { stdio: 'ignore' });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(() => slack.close());

  it('one tag lists both platforms; Docker pulls its own, or the one asked for', async () => {
    const ref = push(join(ROOT, 'dist/oci/notify'), V, 'notify');
    const index = JSON.parse(
      run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]),
    ) as { mediaType: string; manifests: Descriptor[] };
    // What the registry holds is, byte for byte, the index the build wrote.
    const raw = run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
    expect(`sha256:${sha256(Buffer.from(raw))}`).toBe(
      platforms(join(ROOT, 'dist/oci/notify'), V).index.digest,
    );
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => `${m.platform!.os}/${m.platform!.architecture}`)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);

    const arm = pull(ref, 'linux/arm64');
    expect([arm.Architecture, arm.Variant]).toEqual(['arm64', 'v8']);
    const own = pull(ref);
    expect(own.Architecture).toBe('amd64');
    expect(own.Config.Labels['org.opencontainers.image.version']).toBe(V);

    const result = await dockerRun(
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl },
      ref,
      'start',
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect((slack.requests[0]!.json as { text: string }).text).toBe(
      ':rocket: chat-server production job deploy is started by jiyoung',
    );
  });

  it('debug: a job script finds notify and a shell', async () => {
    const ref = push(join(ROOT, 'dist/oci/notify-debug'), `${V}-debug`, 'notify');
    pull(ref);
    const result = await dockerRun(
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl },
      ref,
      '/busybox/sh',
      '-c',
      'notify --version && notify finish --status success',
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(V);
    expect((slack.requests[0]!.json as { text: string }).text).toMatch(/^:white_check_mark: /);
  });

  it('kaniko: every platform of the base, with notify under /kaniko/notify', async () => {
    // kaniko's debug image as far as notify can tell, for both platforms: busybox at /busybox.
    const base = join(work, 'kaniko-base');
    writeLayout(
      base,
      'debug',
      BUILT.map((built) => ({
        platform: built.platform,
        layers: [
          {
            from: staged(
              'base',
              built.busybox,
              'busybox',
              join(work, `base-${built.platform.architecture}`),
            ),
            comment: 'busybox',
          },
        ],
        config: { Env: ['PATH=/usr/local/bin:/kaniko:/busybox'], Entrypoint: ['/kaniko/executor'] },
      })),
    );
    const out = join(work, 'kaniko');
    buildKanikoImage(base, out);
    const { images } = platforms(out, `${V}-debug`);
    for (const { descriptor, manifest, config, files } of images) {
      const arch = descriptor.platform!.architecture as keyof typeof ELF_MACHINE;
      expect(manifest.layers).toHaveLength(2);
      expect(config.config?.Entrypoint).toEqual(['/kaniko/executor']);
      expect(config.config?.Env).toContain(
        'PATH=/kaniko/notify/bin:/usr/local/bin:/kaniko:/busybox',
      );
      expect(config.config?.Labels?.['org.opencontainers.image.base.digest']).toBe(
        JSON.parse(readFileSync(join(base, 'index.json'), 'utf8')).manifests[0].digest,
      );
      expect(files(0).has('busybox/busybox')).toBe(true);
      expect(files(1).get('kaniko/notify/bin/notify')!.readUInt16LE(18)).toBe(ELF_MACHINE[arch]);
    }

    const ref = push(out, `${V}-debug`, 'notify/kaniko');
    pull(ref);
    const result = await dockerRun(
      { ...GITLAB_ENV, SLACK_WEBHOOK_URL: slack.webhookUrl },
      '--entrypoint',
      '/busybox/sh',
      ref,
      '-c',
      'command -v notify && notify start',
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('/kaniko/notify/bin/notify');
    expect(slack.requests).toHaveLength(1);
  });
});
