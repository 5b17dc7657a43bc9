// The project's own release pipelines cannot run here; what can be checked is: each file is valid
// for its platform (GitLab's JSON schema as gitlab-ci-local applies it and its own parser;
// GitHub's workflow schema as action-validator applies it), which jobs a tag brings, and the
// script both run to make the release assets.
import { validateWorkflow } from '@action-validator/core';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBuild, ROOT } from '../helpers/run.ts';

const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js');
const WORKFLOW = readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8');
const GITLAB = readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8');

describe('.github/workflows/release.yml', () => {
  it("is valid by GitHub's workflow schema (and the check does catch a bad one)", () => {
    expect(validateWorkflow(WORKFLOW).errors).toEqual([]);
    const broken = WORKFLOW.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04');
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it('runs on version tags only, with write access only where the release is made', () => {
    const workflow = parse(WORKFLOW) as {
      on: { push: { tags: string[] } };
      permissions: Record<string, string>;
      jobs: Record<string, { permissions?: Record<string, string>; steps: { run?: string }[] }>;
    };
    expect(workflow.on.push.tags).toEqual(['[0-9]+.[0-9]+.[0-9]+']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.build!.permissions).toBeUndefined();
    expect(workflow.jobs.release!.permissions).toEqual({ contents: 'write' });
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ''));
    expect(runs).toContain('bash .ci/run');
    expect(runs).toContain('bash scripts/release-assets.sh "$GITHUB_REF_NAME"');
  });
});

describe('.gitlab-ci.yml', () => {
  let repo: string;

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'notify-release-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', 'https://gitlab.com/notify-ci/notify.git');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  /** gitlab-ci-local's job list for this file, as GitLab's schema and its parser take it. */
  function list(file: string, variables: Record<string, string> = {}) {
    writeFileSync(join(repo, '.gitlab-ci.yml'), file);
    execFileSync('git', ['add', '.'], { cwd: repo });
    execFileSync(
      'git',
      [
        '-c',
        'user.name=n',
        '-c',
        'user.email=n@example.com',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'x',
      ],
      { cwd: repo },
    );
    const result = spawnSync(
      process.execPath,
      [
        GITLAB_CI_LOCAL,
        '--list',
        '--no-color',
        ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`]),
      ],
      { cwd: repo, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: repo }, timeout: 60_000 },
    );
    const output = `${result.stdout}${result.stderr}`;
    const table = result.stdout.slice(result.stdout.indexOf('name '));
    const jobs = table
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0])
      .filter(Boolean);
    return { status: result.status, output, jobs };
  }

  it("is valid by GitLab's schema; a branch pipeline only tests", () => {
    const { status, output, jobs } = list(GITLAB);
    expect(status, output).toBe(0);
    expect(output).toContain('json schema validated');
    expect(jobs).toEqual(['test']);
  });

  it('a version tag also publishes the images and packages, then releases', () => {
    const { status, output, jobs } = list(GITLAB, { CI_COMMIT_TAG: VERSION });
    expect(status, output).toBe(0);
    expect(jobs).toEqual(['test', 'images', 'packages', 'release']);
  });

  it('the schema check does catch a bad file', () => {
    const { status, output } = list(
      GITLAB.replace('  timeout: 30m\n', '  timeout: 30m\n  when: sometimes\n'),
    );
    expect(status, output).not.toBe(0);
    expect(output).toContain("'when' property must be one of");
  });

  it('the release job names the assets the packages job uploads', () => {
    const ci = parse(GITLAB) as Record<
      string,
      { script?: string[]; release?: { assets: { links: { name: string }[] } } }
    >;
    const uploaded = ci
      .packages!.script!.join('\n')
      .match(/for file in ([^;]+);/)![1]!
      .split(' ');
    expect(ci.release!.release!.assets.links.map((link) => link.name)).toEqual(uploaded);
  });
});

describe('scripts/release-assets.sh', () => {
  beforeAll(() => requireBuild());
  const assets = (tag: string) =>
    spawnSync('bash', [join(ROOT, 'scripts/release-assets.sh'), tag], { encoding: 'utf8' });

  it('makes the executables under their release names, and SHA256SUMS that checks', () => {
    const result = assets(VERSION);
    expect(result.status, result.stderr).toBe(0);
    const release = join(ROOT, 'dist/release');
    const sums = readFileSync(join(release, 'SHA256SUMS'), 'utf8');
    expect(
      sums
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/)[1]),
    ).toEqual(['notify-linux-amd64', 'notify-linux-arm64']);
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: release, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(readFileSync(join(release, 'notify-linux-amd64'))).toEqual(
      readFileSync(join(ROOT, 'dist/notify')),
    );
  });

  it.each(['v' + VERSION, '9.9.9', ''])(
    'refuses the tag "%s": not package.json\'s version',
    (tag) => {
      const result = assets(tag);
      expect(result.status).toBe(2);
      expect(result.stderr.trim()).toBe(
        `release-assets: the tag "${tag}" is not package.json's version "${VERSION}"`,
      );
    },
  );
});
