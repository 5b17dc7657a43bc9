// The GitLab CI/CD components (templates/*.yml) held to notify itself: every input is declared as
// GitLab's spec:inputs wants it and fills in a setting that exists (or says what else it does), no
// secret is an input, text reaches the shell only through variables, whatever carries a version
// carries package.json's, and the README's inputs table is the templates'.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { SETTINGS } from '../../src/config.ts';
import { MENTION_ON } from '../../src/mentions.ts';
import { TARGET_NAMES } from '../../src/targets/types.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const VERSION = (JSON.parse(read('package.json')) as { version: string }).version;

interface Input {
  type?: 'string' | 'boolean' | 'number' | 'array';
  default?: unknown;
  description?: string;
  options?: unknown[];
  regex?: string;
}
interface Job {
  variables?: Record<string, unknown>;
  before_script?: string[];
  script?: string[];
  after_script?: string[];
  image?: string;
}
interface Component {
  name: string;
  inputs: Record<string, Input>;
  jobs: Record<string, Job>;
  /** The body as written, before GitLab interpolates it. */
  text: string;
}

/** A component as GitLab reads it: the spec header, `---`, then the configuration. */
function load(file: string): Component {
  const source = read(`templates/${file}`);
  const [header, body] = source.split(/^---$/m);
  const spec = parse(header!) as { spec: { inputs: Record<string, Input> } };
  return {
    name: file.replace(/\.yml$/, ''),
    inputs: spec.spec.inputs,
    jobs: parse(body!) as Record<string, Job>,
    text: body!,
  };
}

const files = readdirSync(join(ROOT, 'templates')).filter((f) => f.endsWith('.yml'));
const components = files.map(load);
const byName = Object.fromEntries(components.map((c) => [c.name, c]));

/** Inputs that are the components' own, not notify's settings. */
const OWN: Record<string, string> = {
  download_url: 'where notify is fetched',
  download_timeout: 'seconds each request',
  image: "the jobs' image",
  start_stage: "the start job's stage",
  finish_stage: "the finish jobs' stage",
  job_prefix: "the jobs' names",
  strict: 'a failed start fails the job',
};

const SECRETS = new Set<string>([
  SETTINGS.webhookUrl.env,
  SETTINGS.botToken.env,
  SETTINGS.gitlabToken.env,
  SETTINGS.githubToken.env,
  SETTINGS.webhookMap.env,
  SETTINGS.failureWebhookUrl.env,
]);
const SETTING_ENVS = new Set<string>(Object.values(SETTINGS).map((s) => s.env));
/** GitLab's `!reference [job, key]`: a list, as far as these tests read it. */
const REFERENCE: Tags = [{ tag: '!reference', collection: 'seq', resolve: (seq) => seq }];
const INTERPOLATION = /\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g;

const scripts = (job: Job) => [
  ...(job.before_script ?? []),
  ...(job.script ?? []),
  ...(job.after_script ?? []),
];

/**
 * What the settings step says each setting is filled in from: `export NOTIFY_X="${NOTIFY_X:-…}"`,
 * the `…` being a variable the job sets from an input, or an input itself.
 */
function settingsOf(component: Component): Map<string, { setting: string; inline: boolean }> {
  const found = new Map<string, { setting: string; inline: boolean }>();
  const jobs = Object.values(component.jobs).filter((job) => scripts(job).length);
  for (const job of jobs) {
    const step = scripts(job).find((s) => s.startsWith('# notify: each input fills in'));
    expect(step, 'the settings step').toBeDefined();
    for (const line of step!.split('\n').slice(1).filter(Boolean)) {
      const match = /^export (\w+)="\$\{\1:-(.+)\}"$/.exec(line);
      expect(match, line).not.toBeNull();
      const [, setting, from] = match!;
      const inline = /^\$\[\[ inputs\.(\w+) \]\]$/.exec(from!);
      const viaVariable = /^\$(NOTIFY_INPUT_\w+)$/.exec(from!);
      let input: string;
      if (inline) input = inline[1]!;
      else {
        expect(viaVariable, line).not.toBeNull();
        const variable = viaVariable![1]!;
        expect(variable).toBe(setting!.replace(/^NOTIFY_/, 'NOTIFY_INPUT_'));
        const value = job.variables?.[variable];
        const whole = /^\$\[\[ inputs\.(\w+) \]\]$/.exec(String(value));
        expect(whole, `${variable}: ${String(value)}`).not.toBeNull();
        input = whole![1]!;
      }
      const seen = found.get(input);
      if (seen) expect(seen).toEqual({ setting: setting!, inline: !!inline });
      found.set(input, { setting: setting!, inline: !!inline });
    }
  }
  return found;
}

describe('the components', () => {
  it('are the job and the pipeline components, in the catalog layout', () => {
    expect(files.sort()).toEqual(['job.yml', 'pipeline.yml']);
    expect(byName.job!.jobs['.notify']).toBeDefined();
  });

  describe.each(components.map((c) => [c.name, c] as const))('%s', (_name, component) => {
    it.each(Object.entries(component.inputs))(
      '%s is optional, typed, described, its default valid',
      (name, input) => {
        expect(name).toMatch(/^[a-z][a-z_]*$/);
        expect(input.description?.trim()).toBeTruthy();
        expect(input.default).toBeDefined();
        const type = input.type ?? 'string';
        expect(['string', 'boolean', 'number', 'array']).toContain(type);
        expect(Array.isArray(input.default) ? 'array' : typeof input.default).toBe(type);
        if (input.options) expect(input.options).toContain(input.default);
        if (input.regex) expect(String(input.default)).toMatch(new RegExp(input.regex));
      },
    );

    it('uses every input it declares, and declares every input it uses', () => {
      const used = new Set([...component.text.matchAll(INTERPOLATION)].map((m) => m[1]!));
      expect([...used].sort()).toEqual(Object.keys(component.inputs).sort());
    });

    it("maps each input onto one of notify's settings, or is one of the component's own", () => {
      const mapped = settingsOf(component);
      for (const [name, input] of Object.entries(component.inputs)) {
        const to = mapped.get(name);
        if (name in OWN) {
          expect(to, name).toBeUndefined();
          continue;
        }
        expect(to, `${name} fills in no setting`).toBeDefined();
        expect(SETTING_ENVS.has(to!.setting), to!.setting).toBe(true);
        // The description names the variable it fills in, first.
        expect(input.description!.startsWith(`${to!.setting}. `), name).toBe(true);
      }
      // Each setting from one input at most.
      const settings = [...mapped.values()].map((m) => m.setting);
      expect(new Set(settings).size).toBe(settings.length);
    });

    it('has no input for a secret: those are masked CI/CD variables', () => {
      for (const { setting } of settingsOf(component).values()) {
        expect(SECRETS.has(setting), setting).toBe(false);
      }
      for (const name of Object.keys(component.inputs)) {
        expect(name).not.toMatch(/token|webhook|secret|password|key/);
      }
    });

    it('puts no text input in a script: only booleans and numbers, which cannot be shell', () => {
      for (const job of Object.values(component.jobs)) {
        for (const step of scripts(job)) {
          for (const [, name] of step.matchAll(INTERPOLATION)) {
            expect(['boolean', 'number'], `${name} in a script`).toContain(
              component.inputs[name!]!.type,
            );
          }
        }
        // A whole-value variable is a string input: GitLab takes a variable's value as text.
        for (const value of Object.values(job.variables ?? {})) {
          const name = /^\$\[\[ inputs\.(\w+) \]\]$/.exec(String(value))?.[1];
          if (name) expect(component.inputs[name]!.type ?? 'string', name).toBe('string');
        }
      }
    });

    it('offers for target, mention_on and scope exactly what notify takes', () => {
      const { target, mention_on, scope } = component.inputs;
      expect(target?.options?.slice().sort()).toEqual(['', ...TARGET_NAMES].sort());
      expect(mention_on?.options?.slice().sort()).toEqual(['', ...MENTION_ON].sort());
      if (scope) expect(scope.options).toEqual(['job', 'pipeline']);
    });

    it(`fetches notify ${VERSION}, the version in package.json, by default`, () => {
      expect(component.inputs.download_url?.default).toBe(
        `https://gitlab.com/api/v4/projects/notify-ci%2Fnotify/packages/generic/notify/${VERSION}`,
      );
    });
  });

  it(`runs the pipeline jobs on notify ${VERSION}'s debug image, the version in package.json`, () => {
    const image = `registry.gitlab.com/notify-ci/notify:${VERSION}-debug`;
    expect(byName.pipeline!.inputs.image?.default).toBe(image);
    for (const [name, job] of Object.entries(byName.pipeline!.jobs)) {
      expect(job.image, name).toBe('$[[ inputs.image ]]');
    }
  });

  it('names the pipeline jobs only as jobs that run: job_prefix cannot start with a dot', () => {
    const regex = new RegExp(byName.pipeline!.inputs.job_prefix!.regex!);
    for (const name of ['notify', 'Notify_2', 'team.notify', 'ci-notify', '_notify']) {
      expect(name).toMatch(regex);
    }
    // A leading dot hides every job: they would never run, and nothing would say so.
    for (const name of ['.notify', '.', '-notify', '', 'notify start', 'a/b', '$X']) {
      expect(name).not.toMatch(regex);
    }
  });

  it('fetch notify with the same step, and fill in the same settings alike', () => {
    const step = (c: Component, first: string) =>
      Object.values(c.jobs)
        .flatMap(scripts)
        .find((s) => s.startsWith(first));
    const install = '# notify: the one on the PATH';
    expect(step(byName.job!, install)).toBeDefined();
    expect(step(byName.pipeline!, install)).toBe(step(byName.job!, install));
    const job = settingsOf(byName.job!);
    const pipeline = settingsOf(byName.pipeline!);
    for (const [input, to] of pipeline) expect(job.get(input), input).toEqual(to);
    for (const [name, input] of Object.entries(byName.pipeline!.inputs)) {
      if (byName.job!.inputs[name]) expect(byName.job!.inputs[name], name).toEqual(input);
    }
  });
});

describe('README: GitLab CI/CD component', () => {
  const readme = read('README.md');
  const start = readme.indexOf('\n## GitLab CI/CD component\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));

  it('comes right after GitLab CI, before GitHub Actions', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    const at = headings.indexOf('## GitLab CI/CD component');
    expect(headings.slice(at - 1, at + 2)).toEqual([
      '## GitLab CI',
      '## GitLab CI/CD component',
      '## GitHub Actions',
    ]);
  });

  it(`includes existing components at ${VERSION}, from the canonical project`, () => {
    const includes = [...section.matchAll(/^ {2}- component: (\S+)$/gm)].map((m) => m[1]!);
    expect(includes.length).toBeGreaterThan(0);
    for (const include of includes) {
      const match = /^gitlab\.com\/notify-ci\/notify\/([\w-]+)@(.+)$/.exec(include);
      expect(match, include).not.toBeNull();
      expect(Object.keys(byName)).toContain(match![1]);
      expect(match![2]).toBe(VERSION);
    }
    // Every version in the section is package.json's.
    for (const [, version] of section.matchAll(/(?:notify:|notify\/|@)(\d+\.\d+\.\d+)/g)) {
      expect(version).toBe(VERSION);
    }
  });

  it("gives its examples' includes only inputs the components declare, of their types", () => {
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const includes = blocks
      .map(
        (block) =>
          parse(block, { customTags: REFERENCE }) as {
            include?: Array<{ component: string; inputs?: object }>;
          },
      )
      .flatMap((config) => config.include ?? []);
    expect(includes.length).toBeGreaterThan(0);
    for (const include of includes) {
      const component = byName[/\/([\w-]+)@/.exec(include.component)![1]!]!;
      for (const [name, value] of Object.entries(include.inputs ?? {})) {
        const input = component.inputs[name];
        expect(input, `${component.name} has no input ${name}`).toBeDefined();
        expect(typeof value, name).toBe(input!.type ?? 'string');
      }
    }
  });

  it('lists every input once, with what it sets, its components and its default', () => {
    const rows = section
      .split('\n')
      .filter((line) => /^\| `[a-z_]+` /.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const listed = rows.map((row) => row[1]!.replaceAll('`', ''));
    const declared = [...new Set(components.flatMap((c) => Object.keys(c.inputs)))];
    expect(listed.sort()).toEqual(declared.sort());
    const mapped = new Map(components.flatMap((c) => [...settingsOf(c)]));
    for (const row of rows) {
      const name = row[1]!.replaceAll('`', '');
      const sets = mapped.get(name)?.setting;
      expect(row[2], name).toBe(sets ? `\`${sets}\`` : `(${OWN[name]})`);
      const inComponents = components.filter((c) => name in c.inputs).map((c) => c.name);
      expect(row[3], name).toBe(inComponents.join(', '));
      const input = components.find((c) => name in c.inputs)!.inputs[name]!;
      expect(row[4], name).toBe(input.default === '' ? '' : `\`${String(input.default)}\``);
    }
  });

  it('names every secret as a CI/CD variable, never an input', () => {
    const never = section.slice(section.indexOf('**Never inputs'));
    for (const secret of SECRETS) {
      if (secret === SETTINGS.githubToken.env) continue; // GitHub's, not GitLab's
      expect(never, secret).toContain(`\`${secret}\``);
    }
  });
});
