// The version lives in package.json alone; everything that carries one says the same: the
// executables, the Action's bundle, the images' tags and labels, the components' defaults, and
// every place the README names a published version. (The release pipelines refuse a tag that is
// not it: test/e2e/release.test.ts.)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBuild, ROOT } from '../helpers/run.ts';

const V = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const MAJOR = V.split('.')[0]!;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe(`one version, package.json's (${V})`, () => {
  beforeAll(() => requireBuild());

  it('notify --version says it, static executable and Node bundle alike', () => {
    for (const [command, args] of [
      [join(ROOT, 'dist/notify'), ['--version']],
      [process.execPath, [join(ROOT, 'dist/notify.cjs'), '--version']],
    ] as const) {
      const result = spawnSync(command, args, { encoding: 'utf8', env: {} });
      expect(result.stdout.trim(), `${command} ${args.join(' ')}`).toBe(V);
    }
  });

  it("the Action's bundle was built with it", () => {
    const bundle = read('dist/action.cjs');
    const versions = new Set(bundle.match(/"\d+\.\d+\.\d+"/g));
    expect(versions.has(JSON.stringify(V))).toBe(true);
    const action = parse(read('action.yml')) as { runs: { main: string } };
    expect(action.runs.main).toBe('dist/action.cjs');
  });

  it('the images are tagged and labelled with it', () => {
    for (const [name, tag] of [
      ['notify', V],
      ['notify-debug', `${V}-debug`],
    ]) {
      const dir = join(ROOT, 'dist/oci', name!);
      const blob = (digest: string) =>
        JSON.parse(readFileSync(join(dir, 'blobs', ...digest.split(':')), 'utf8'));
      const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
      expect(
        top.manifests.map((m: any) => m.annotations['org.opencontainers.image.ref.name']),
      ).toEqual([tag]);
      for (const entry of blob(top.manifests[0].digest).manifests) {
        const config = blob(blob(entry.digest).config.digest);
        expect(config.config.Labels['org.opencontainers.image.version']).toBe(V);
      }
    }
  });

  it("the components' defaults name it, and no other", () => {
    for (const file of ['templates/job.yml', 'templates/pipeline.yml']) {
      const found = [
        ...read(file).matchAll(/notify-ci(?:\/|%2F)notify[^\s'"]*?[:/](\d+\.\d+\.\d+)/g),
      ];
      expect(found.length, file).toBeGreaterThan(0);
      expect(new Set(found.map((m) => m[1])), file).toEqual(new Set([V]));
    }
  });

  it('the README names it wherever it names a published version', () => {
    const readme = read('README.md');
    const published = [
      ...readme.matchAll(/notify-ci(?:\/|%2F)notify[^\s`'"]*?[:@/](\d+\.\d+\.\d+)/g),
      ...readme.matchAll(/oci:dist\/oci\/[\w-]+:(\d+\.\d+\.\d+)/g),
    ].map((m) => m[1]);
    expect(published.length).toBeGreaterThan(5);
    expect(new Set(published)).toEqual(new Set([V]));
    const actionTags = [...readme.matchAll(/notify-ci\/notify@(v[\w.]+)/g)].map((m) => m[1]);
    expect(actionTags.length).toBeGreaterThan(0);
    expect(new Set(actionTags)).toEqual(new Set([`v${MAJOR}`]));
  });
});
