// Multi-platform images as OCI image layouts (https://github.com/opencontainers/image-spec), written
// from the build's directories without a daemon: one tag, an index with a manifest per platform.
// Every byte is reproducible (sorted tar entries, no times, no owners), so the same sources give
// the same digests. skopeo (Debian's package) copies a layout to a registry or a Docker daemon.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;
// Docker's own media types, as a base pulled from Docker Hub or ghcr.io may still use.
const DOCKER_INDEX = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** A base's layer as OCI names it: Docker's two layer types have OCI twins; the rest are OCI's. */
const OCI_LAYER: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': MEDIA.layer,
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
};

export interface Platform {
  os: 'linux';
  architecture: 'amd64' | 'arm64';
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** What a Dockerfile's ENV, ENTRYPOINT, CMD, USER and LABEL would set. */
export interface RunConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  User?: string;
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  config?: RunConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: { created_by?: string; comment?: string; empty_layer?: boolean }[];
}

export interface Layer {
  /** Directory whose contents become the layer's root. */
  from: string;
  /** What the history says made it. */
  comment: string;
}

export interface PlatformImage {
  platform: Platform;
  layers: Layer[];
  config: RunConfig;
  /** An image in another layout to build on (FROM): its layers, and its config merged under ours. */
  base?: { layout: string; image: BaseImage };
}

export interface BaseImage {
  manifest: Descriptor;
  config: ImageConfig;
  layers: Descriptor[];
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const blobPath = (layout: string, digest: string) => join(layout, 'blobs', ...digest.split(':', 2));

function putBlob(layout: string, mediaType: string, bytes: Buffer): Descriptor {
  const digest = `sha256:${sha256(bytes)}`;
  const path = blobPath(layout, digest);
  mkdirSync(join(path, '..'), { recursive: true });
  if (!existsSync(path)) writeFileSync(path, bytes);
  return { mediaType, digest, size: bytes.length };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/**
 * A directory as a layer: a ustar archive in name order, owned by root, dated 0 (GNU tar, from
 * Debian's package), gzipped by zlib, which writes no time or name in its header. Modes are taken
 * as they are: normalise() them first, or the build machine's umask is in the layer.
 */
export function tarLayer(from: string): { tar: Buffer; gz: Buffer } {
  const entries = readdirSync(from).sort();
  if (entries.length === 0) throw new Error(`${from}: an empty layer`);
  const tar = execFileSync(
    'tar',
    [
      '--create',
      '--file=-',
      '--format=ustar',
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      `--directory=${from}`,
      '--',
      ...entries,
    ],
    { maxBuffer: 1 << 30 },
  );
  return { tar, gz: gzipSync(tar, { level: 9 }) };
}

/**
 * Sets every mode in a tree as an image wants it, whatever the umask that made it: directories
 * 0755, files 0644, or 0755 when their owner may run them. A sticky directory that all may write
 * (/tmp) stays 1777. Symbolic links have no mode of their own. The modes are judged from `source`
 * when `dir` is a copy of it (a copy may have lost the sticky bit).
 */
export function normalise(dir: string, source = dir): void {
  const walk = (path: string, from: string) => {
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      const shared = (stat.mode & 0o1002) === 0o1002;
      chmodSync(path, shared ? 0o1777 : 0o755);
      for (const entry of readdirSync(path)) walk(join(path, entry), join(from, entry));
    } else {
      chmodSync(path, stat.mode & 0o100 ? 0o755 : 0o644);
    }
  };
  walk(dir, source);
}

/** Reads the image of one platform from a layout (an OCI index, maybe nested, or Docker's). */
export function readBase(layout: string, platform: Platform): BaseImage {
  const read = (digest: string) => JSON.parse(readFileSync(blobPath(layout, digest), 'utf8'));
  const seek = (manifests: Descriptor[]): Descriptor => {
    for (const manifest of manifests) {
      if (manifest.mediaType === MEDIA.index || manifest.mediaType === DOCKER_INDEX) {
        const inner = read(manifest.digest) as { manifests: Descriptor[] };
        try {
          return seek(inner.manifests);
        } catch {
          continue;
        }
      }
      const p = manifest.platform;
      if (p && p.os === platform.os && p.architecture === platform.architecture) return manifest;
    }
    throw new Error(
      `${layout}: no image for ${platform.os}/${platform.architecture} (the base must be copied with all its platforms: skopeo copy --all)`,
    );
  };
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    manifests: Descriptor[];
  };
  const manifest = seek(index.manifests);
  if (manifest.mediaType !== MEDIA.manifest && manifest.mediaType !== DOCKER_MANIFEST) {
    throw new Error(`${layout}: ${manifest.mediaType} is not an image manifest`);
  }
  const body = read(manifest.digest) as { config: Descriptor; layers: Descriptor[] };
  return { manifest, config: read(body.config.digest) as ImageConfig, layers: body.layers };
}

/** Ours over the base's: labels merged, the rest replaced where we set it. */
function mergeConfig(base: RunConfig | undefined, ours: RunConfig): RunConfig {
  const merged: RunConfig = { ...base, ...ours };
  if (base?.Labels || ours.Labels) merged.Labels = { ...base?.Labels, ...ours.Labels };
  if (ours.Env && base?.Env) {
    const names = new Set(ours.Env.map((entry) => entry.split('=', 1)[0]));
    merged.Env = [...base.Env.filter((entry) => !names.has(entry.split('=', 1)[0])), ...ours.Env];
  }
  return merged;
}

/**
 * Writes an OCI image layout at `layout` (replacing what was there): one index, tagged `tag`,
 * with a manifest per platform. Returns the index's descriptor (what a registry's tag will name).
 */
export function writeLayout(layout: string, tag: string, images: PlatformImage[]): Descriptor {
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = images.map(({ platform, layers, config, base }) => {
    const layerDescriptors: Descriptor[] = [];
    const diffIds: string[] = [...(base?.image.config.rootfs.diff_ids ?? [])];
    const history = [...(base?.image.config.history ?? [])];
    for (const descriptor of base?.image.layers ?? []) {
      const bytes = readFileSync(blobPath(base!.layout, descriptor.digest));
      const mediaType = OCI_LAYER[descriptor.mediaType] ?? descriptor.mediaType;
      layerDescriptors.push(putBlob(layout, mediaType, bytes));
      if (layerDescriptors.at(-1)!.digest !== descriptor.digest) {
        throw new Error(`${base!.layout}: blob ${descriptor.digest} does not match its digest`);
      }
    }
    for (const layer of layers) {
      const { tar, gz } = tarLayer(layer.from);
      layerDescriptors.push(putBlob(layout, MEDIA.layer, gz));
      diffIds.push(`sha256:${sha256(tar)}`);
      history.push({ created_by: layer.comment, comment: 'notify build' });
    }
    const imageConfig: ImageConfig = {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created: '1970-01-01T00:00:00Z',
      config: mergeConfig(base?.image.config.config, config),
      rootfs: { type: 'layers', diff_ids: diffIds },
      history,
    };
    const configDescriptor = putBlob(layout, MEDIA.config, json(imageConfig));
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: configDescriptor,
      layers: layerDescriptors,
      ...(config.Labels ? { annotations: config.Labels } : {}),
    };
    return { ...putBlob(layout, MEDIA.manifest, json(manifest)), platform };
  });
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests,
  };
  const indexDescriptor = putBlob(layout, MEDIA.index, json(index));
  // The layout's own index.json names the tag; the index blob is what a registry will hold.
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [
        { ...indexDescriptor, annotations: { 'org.opencontainers.image.ref.name': tag } },
      ],
    }),
  );
  return indexDescriptor;
}
