// The images, for every platform the build makes, as OCI image layouts under dist/oci:
//   dist/oci/notify        tag <version>        FROM scratch: the executable, CA list, /etc/passwd
//   dist/oci/notify-debug  tag <version>-debug  the same and a static busybox in /busybox
// and, on demand (it needs the kaniko base, copied with all its platforms), the kaniko image:
//   node scripts/images.ts kaniko <base layout> <out layout> [base name]
// They hold what docker/Dockerfile, Dockerfile.debug and Dockerfile.kaniko would build, for amd64
// and arm64 under one tag. Publish one with: skopeo copy --all oci:dist/oci/notify:<tag> docker://…
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  normalise,
  readBase,
  writeLayout,
  type Descriptor,
  type Platform,
  type RunConfig,
} from './oci.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAGE = join(ROOT, 'build/images');

export const SOURCE = 'https://gitlab.com/notify-ci/notify';
const PATH_DEFAULT = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CA = 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt';

/** What the build put where, per platform. */
export interface Built {
  platform: Platform;
  rootfs: string;
  busybox: string;
  kaniko: string;
}

export const BUILT: Built[] = [
  {
    platform: { os: 'linux', architecture: 'amd64' },
    rootfs: join(DIST, 'rootfs'),
    busybox: join(DIST, 'busybox'),
    kaniko: join(DIST, 'kaniko'),
  },
  {
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    rootfs: join(DIST, 'linux-arm64/rootfs'),
    busybox: join(DIST, 'linux-arm64/busybox'),
    kaniko: join(DIST, 'linux-arm64/kaniko'),
  },
];

export const version = (): string =>
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const labels = (title: string, description: string, v: string): Record<string, string> => ({
  'org.opencontainers.image.title': title,
  'org.opencontainers.image.description': description,
  'org.opencontainers.image.version': v,
  'org.opencontainers.image.licenses': 'MIT',
  'org.opencontainers.image.source': SOURCE,
});

/**
 * `dir` placed at `/<under>` of a layer (`.`: its root): a staged copy, symlinks kept as they are,
 * modes normalised, so that the layer is the same whatever umask the build ran under.
 */
export function staged(name: string, dir: string, under = '.', stage = join(STAGE, name)): string {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, under, '..'), { recursive: true });
  cpSync(dir, join(stage, under), { recursive: true, verbatimSymlinks: true });
  normalise(join(stage, under), dir);
  if (under !== '.') normalise(stage, stage); // the folders above it
  return stage;
}

const arch = (built: Built) => built.platform.architecture;

export function buildImages(
  out = join(DIST, 'oci'),
  v = version(),
): { notify: Descriptor; debug?: Descriptor } {
  for (const built of BUILT) {
    if (!existsSync(built.rootfs))
      throw new Error(`${built.rootfs} is missing: npm run build makes it`);
  }
  const run: RunConfig = {
    Env: [`PATH=${PATH_DEFAULT}`, CA],
    Entrypoint: ['/usr/local/bin/notify'],
    Cmd: ['--help'],
    User: '65532:65532',
  };
  const notify = writeLayout(
    join(out, 'notify'),
    v,
    BUILT.map((built) => ({
      platform: built.platform,
      layers: [
        { from: staged(`rootfs-${arch(built)}`, built.rootfs), comment: 'COPY dist/rootfs/ /' },
      ],
      config: {
        ...run,
        Labels: labels(
          'notify',
          'Tell your team in chat that a CI pipeline started and how it ended',
          v,
        ),
      },
    })),
  );
  // Like the build's busybox, the debug image is made only where a static busybox was found.
  if (!BUILT.every((built) => existsSync(built.busybox))) return { notify };
  const debug = writeLayout(
    join(out, 'notify-debug'),
    `${v}-debug`,
    BUILT.map((built) => ({
      platform: built.platform,
      layers: [
        { from: staged(`rootfs-${arch(built)}`, built.rootfs), comment: 'COPY dist/rootfs/ /' },
        {
          from: staged(`busybox-${arch(built)}`, built.busybox, 'busybox'),
          comment: 'COPY dist/busybox/ /busybox/',
        },
      ],
      config: {
        Env: ['PATH=/usr/local/bin:/busybox', CA],
        Cmd: ['/busybox/sh'],
        Labels: labels('notify-debug', 'notify with a busybox shell, for CI job scripts', v),
      },
    })),
  );
  return { notify, debug };
}

/**
 * kaniko's debug image (every platform of it, from the layout `base`) with notify under
 * /kaniko/notify. The labels name the base and its digest, as the layout had it.
 */
export function buildKanikoImage(
  base: string,
  out: string,
  baseName = 'kaniko debug image',
  v = version(),
): Descriptor {
  const top = JSON.parse(readFileSync(join(base, 'index.json'), 'utf8')) as {
    manifests: Descriptor[];
  };
  const baseLabels = {
    'org.opencontainers.image.base.name': baseName,
    'org.opencontainers.image.base.digest': top.manifests[0]!.digest,
  };
  return writeLayout(
    out,
    `${v}-debug`,
    BUILT.map((built) => ({
      platform: built.platform,
      base: { layout: base, image: readBase(base, built.platform) },
      layers: [
        {
          from: staged(`kaniko-${arch(built)}`, built.kaniko, 'kaniko/notify'),
          comment: 'COPY dist/kaniko/ /kaniko/notify/',
        },
      ],
      config: {
        Env: ['PATH=/kaniko/notify/bin:/usr/local/bin:/kaniko:/busybox'],
        Labels: {
          ...labels('kaniko-notify', 'kaniko debug image with notify at /kaniko/notify', v),
          ...baseLabels,
        },
      },
    })),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [what, base, out, baseName] = process.argv.slice(2);
  if (what !== 'kaniko' || !base || !out) {
    console.error(
      'usage: node scripts/images.ts kaniko <base OCI layout> <out OCI layout> [base name]',
    );
    process.exit(2);
  }
  const index = buildKanikoImage(base, out, baseName);
  console.log(`images: ${out} ${index.digest}`);
}
