// notify's GitLab CI/CD components (templates/job.yml, templates/pipeline.yml) in real pipelines
// run by gitlab-ci-local: included as a project includes them, checked against GitLab's schema,
// the jobs run by its shell executor. The messages reach a fake Slack; the summary reads a fake
// GitLab API; a job whose image has no notify fetches it from a local server. Then the fetch
// itself, under busybox's sh and wget and under dash, as a job in alpine or debian runs it.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitlabJob, startFakeGitLabApi, type FakeGitLabApi } from '../helpers/fake-ci-api.ts';
import {
  ok,
  startFakeSlack,
  status,
  type FakeSlack,
  type Responder,
} from '../helpers/fake-slack.ts';
import { hasGitlabCiLocal, runPipeline, type PipelineRun } from '../helpers/gitlab-ci-local.ts';
import { listen, type Listening } from '../helpers/listen.ts';
import { need, succeeds } from '../helpers/need.ts';
import { NOTIFY, requireBuild, ROOT } from '../helpers/run.ts';

const hasRsync = hasGitlabCiLocal();
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const WARNING = /^.*notify: warning: .*this job goes on without notify$/gm;
const JOB_TOKEN = 'glcbt-64_Yx2Qm7Rk4Nw9Lp3Vd8Tz';
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** The folder a job fetches notify into: named after its ID and token, which only it knows. */
const folderOf = (jobId: string, token = JOB_TOKEN) =>
  `notify-${sha256(`${jobId}:${token}`).slice(0, 16)}`;
/**
 * A folder as anyone who can write to the runner's temporary folder could leave it: a notify of
 * theirs, its SHA-256 beside it as the fetch leaves one, that says when it runs.
 */
function plant(dir: string, ran: string): void {
  mkdirSync(dir, { recursive: true });
  const script = `#!/bin/sh\necho planted >>'${ran}'\n`;
  writeFileSync(join(dir, 'notify'), script, { mode: 0o755 });
  writeFileSync(join(dir, 'notify.sha256'), `${sha256(script)}\n`);
}

interface Payload {
  text: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
}
const payloads = (slack: FakeSlack) => slack.requests.map((r) => r.json as Payload);
const texts = (slack: FakeSlack) => payloads(slack).map((p) => p.text);
const all = (payload: Payload) =>
  payload.blocks
    .flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)])
    .join('\n');

/** The Grafana link of a message: its host and the datasource its pane reads. */
function grafana(payload: Payload): { host: string; datasource: string } | undefined {
  const link = /<(https:\/\/[^|>]+)\|View runtime logs>/.exec(all(payload))?.[1];
  if (!link) return undefined;
  const url = new URL(link.replaceAll('&amp;', '&'));
  const panes = JSON.parse(url.searchParams.get('panes') ?? '{}') as Record<
    string,
    { datasource: string }
  >;
  return { host: url.host, datasource: Object.values(panes)[0]!.datasource };
}

/** A job's lines in gitlab-ci-local's output, without the job-name column. */
const linesOf = (run: PipelineRun, job: string) =>
  run.output
    .split('\n')
    .filter((line) => line.startsWith(`${job} `))
    .map((line) => line.slice(job.length).trim());

describe.skipIf(!hasRsync)('the components in a pipeline, without a GitLab token', () => {
  let slack: FakeSlack;
  let run: PipelineRun;

  beforeAll(async () => {
    slack = await startFakeSlack();
    run = await runPipeline(
      'component',
      { SLACK_WEBHOOK_URL: slack.webhookUrl },
      { copy: ['templates'], forceShell: true, schema: true },
    );
  }, 180_000);

  afterAll(async () => {
    await slack?.close();
    run?.remove();
  });

  it("passes GitLab's schema, and fails only because the deploy fails", () => {
    expect(run.output).toMatch(/json schema validated/);
    expect(run.status, run.output).toBe(1);
    expect(run.output).toMatch(/FAIL\s+deploy\b/);
    for (const job of ['notify-start', 'build', 'notify-failure']) {
      expect(run.output, job).toMatch(new RegExp(`PASS\\s+${job}\\b`));
    }
    // One of the two finish jobs runs: the failure's.
    expect(run.output).not.toMatch(/notify-success|notify-finish/);
    expect(run.output).not.toMatch(/notify: (warning|delivery failed|unexpected)/);
  });

  it('each job that extends .notify says it started and how it ended', () => {
    const jobs = texts(slack).filter((text) => / job /.test(text));
    expect(jobs.sort()).toEqual(
      [
        ':rocket: chat-server live job build is started by jiyoung',
        ':white_check_mark: chat-server live job build succeeded',
        ':rocket: chat-server live job deploy is started by jiyoung',
        ':x: chat-server live job deploy failed at stage deploy',
      ].sort(),
    );
  });

  it("a job's own before_script and after_script run, with the template's referenced around them", () => {
    const deploy = linesOf(run, 'deploy');
    const at = (text: string) => deploy.findIndex((line) => line === text);
    const started = at(
      '$ if command -v notify >/dev/null 2>&1; then notify start || notify_failed start $?; fi',
    );
    const finished = at(
      '$ if command -v notify >/dev/null 2>&1; then notify finish || notify_failed finish $?; fi',
    );
    expect(started, deploy.join('\n')).toBeGreaterThan(-1);
    expect(at('> preparing the deploy')).toBeGreaterThan(started);
    expect(at('> cleaning up after the deploy')).toBeGreaterThan(-1);
    expect(finished).toBeGreaterThan(at('> cleaning up after the deploy'));
  });

  it("runs the notify-only jobs without the project's default before_script", () => {
    expect(linesOf(run, 'notify-start').join('\n')).toContain('$ if command -v notify');
    for (const job of ['notify-start', 'notify-failure']) {
      expect(linesOf(run, job).join('\n'), job).not.toContain("the project's own set-up");
    }
  });

  it('.pre says the pipeline started; the failure job in .post says it failed', () => {
    const pipeline = texts(slack).filter((text) => / pipeline /.test(text));
    expect(pipeline).toEqual([
      ':rocket: chat-server live pipeline is started by jiyoung',
      expect.stringMatching(/^:x: chat-server live pipeline failed/),
    ]);
    // The pipeline's messages come first and last.
    expect(texts(slack)[0]).toBe(pipeline[0]);
    expect(texts(slack).at(-1)).toBe(pipeline[1]);
    expect(run.output).toContain('notify: note: NOTIFY_GITLAB_TOKEN is not set');
  });

  it('an input fills in its setting, and a CI/CD variable of the same name wins over it', () => {
    const jobs = payloads(slack).filter((p) => / job /.test(p.text));
    expect(jobs).toHaveLength(4);
    for (const payload of jobs) {
      // grafana_url from the input; NOTIFY_GRAFANA_DATASOURCE from the pipeline's variables, not
      // the input's loki-from-the-input.
      expect(grafana(payload), payload.text).toEqual({
        host: 'grafana.example.com',
        datasource: 'loki-from-a-variable',
      });
    }
    // The pipeline component was not given grafana_url: its messages have no link.
    const pipeline = payloads(slack).filter((p) => / pipeline /.test(p.text));
    expect(pipeline.map(grafana)).toEqual([undefined, undefined]);
  });
});

describe.skipIf(!hasRsync)('the components in a pipeline, with NOTIFY_GITLAB_TOKEN', () => {
  const TOKEN = 'glpat-Zq9xW3vT7rK2mN8pL4sJ';
  let slack: FakeSlack;
  let api: FakeGitLabApi;
  let run: PipelineRun;

  beforeAll(async () => {
    slack = await startFakeSlack();
    // What GitLab's API says of this pipeline's jobs when .post runs.
    api = await startFakeGitLabApi({
      token: TOKEN,
      jobs: [
        gitlabJob({ id: 301, name: 'notify-start', stage: '.pre', duration: 2 }),
        gitlabJob({ id: 302, name: 'build', stage: 'build', duration: 40 }),
        gitlabJob({ id: 303, name: 'deploy', stage: 'deploy', status: 'failed' }),
      ],
    });
    run = await runPipeline(
      'component',
      {
        SLACK_WEBHOOK_URL: slack.webhookUrl,
        NOTIFY_GITLAB_TOKEN: TOKEN,
        CI_API_V4_URL: api.apiUrl,
      },
      { copy: ['templates'], forceShell: true },
    );
  }, 180_000);

  afterAll(async () => {
    await slack?.close();
    await api?.close();
    run?.remove();
  });

  it('one job in .post runs, always, instead of the success and failure pair', () => {
    expect(run.status, run.output).toBe(1);
    expect(run.output).toMatch(/PASS\s+notify-finish\b/);
    expect(run.output).not.toMatch(/notify-success|notify-failure/);
  });

  it("sums the pipeline up from GitLab's API, read with the token", () => {
    const summary = payloads(slack).at(-1)!;
    expect(summary.text).toMatch(/^:x: chat-server live pipeline failed .*: deploy failed$/);
    expect(all(summary)).toContain('3 jobs: 2 passed, 1 failed');
    const reads = api.requests.filter((r) => r.path.endsWith('/jobs'));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.path).toMatch(/^\/api\/v4\/projects\/\d+\/pipelines\/\d+\/jobs$/);
    expect(reads[0]!.headers['private-token']).toBe(TOKEN);
    expect(run.output).not.toContain(TOKEN);
  });
});

describe.skipIf(!hasRsync)('a job_prefix that starts with a dot', () => {
  let run: PipelineRun | undefined;
  afterAll(() => run?.remove());

  it('is refused when the pipeline is created, instead of hiding every job', async () => {
    const slack = await startFakeSlack();
    try {
      run = await runPipeline(
        'component-prefix',
        { SLACK_WEBHOOK_URL: slack.webhookUrl },
        { copy: ['templates'], forceShell: true },
      );
    } finally {
      await slack.close();
    }
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toMatch(/`job_prefix` input: `\.notify` does not match required regex/);
    expect(run.output).not.toMatch(/> building/);
    expect(slack.requests).toHaveLength(0);
  }, 60_000);
});

describe.skipIf(!hasRsync)('a notify run that fails, in a job that extends .notify', () => {
  const opened: FakeSlack[] = [];
  const runs: PipelineRun[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((slack) => slack.close()));
    for (const run of runs) run.remove();
  });

  async function pipeline(
    fixture: string,
    responder: Responder,
    variables: Record<string, string> = {},
  ) {
    const slack = await startFakeSlack({ responder });
    opened.push(slack);
    const run = await runPipeline(
      fixture,
      { SLACK_WEBHOOK_URL: slack.webhookUrl, ...variables },
      { copy: ['templates'], forceShell: true },
    );
    runs.push(run);
    return { run, slack };
  }
  const warnings = (run: PipelineRun) =>
    linesOf(run, 'deploy').filter((line) => line.includes('notify: warning:'));

  it.each([
    ['Slack refuses the message', status(403, 'invalid_token'), {}],
    // Accepts the request and never answers: notify gives up after NOTIFY_TIMEOUT.
    ['Slack never answers', (() => {}) as Responder, { NOTIFY_TIMEOUT: '1' }],
  ] as const)(
    '%s: one warning line for each run, and the job runs its script and passes',
    async (_case, responder, variables) => {
      const { run, slack } = await pipeline('component-outage', responder, variables);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toMatch(/PASS\s+deploy\b/);
      expect(linesOf(run, 'deploy')).toContain('> deploying');
      expect(warnings(run)).toEqual([
        '> notify: warning: notify start failed (the message was not delivered); this job goes on',
        '> notify: warning: notify finish failed (the message was not delivered); this job goes on',
      ]);
      expect(slack.requests.length).toBeGreaterThanOrEqual(2);
    },
    60_000,
  );

  it('a setting that is not valid (exit status 2): one warning line for each run, and the job passes', async () => {
    const { run, slack } = await pipeline('component-outage', ok, { NOTIFY_TIMEOUT: '0' });
    expect(run.status, run.output).toBe(0);
    expect(linesOf(run, 'deploy')).toContain('> deploying');
    expect(warnings(run)).toEqual([
      '> notify: warning: notify start failed (a setting is not valid); this job goes on',
      '> notify: warning: notify finish failed (a setting is not valid); this job goes on',
    ]);
    expect(slack.requests).toHaveLength(0);
  }, 60_000);

  it('strict: true, and timeout: 0, a number GitLab takes: the job fails before its script', async () => {
    const { run, slack } = await pipeline('component-strict', ok);
    expect(run.status, run.output).toBe(1);
    expect(run.output).toMatch(/FAIL\s+deploy\b/);
    expect(linesOf(run, 'deploy')).not.toContain('> deploying');
    expect(run.output).toContain(
      'notify: NOTIFY_TIMEOUT must be a number of seconds from 1 to 3600',
    );
    // after_script cannot change how the job ended: there, finish is a warning, strict or not.
    expect(warnings(run)).toEqual([
      '> notify: warning: notify finish failed (a setting is not valid); this job goes on',
    ]);
    expect(slack.requests).toHaveLength(0);
  }, 60_000);
});

/** dist/notify as the generic package serves it: notify-linux-amd64 and its SHA256SUMS. */
interface Downloads extends Listening {
  base: string;
  requests: string[];
}

/** `serveDownloads`' executable: dist/notify, other bytes, or an answer of its own. */
type Executable = Buffer | ((res: ServerResponse) => void);

async function serveDownloads(
  sums?: string,
  binary: Executable = readFileSync(NOTIFY),
): Promise<Downloads> {
  const sha = Buffer.isBuffer(binary) ? sha256(binary) : '0'.repeat(64);
  const listing = sums ?? `${sha}  notify-linux-amd64\n${'0'.repeat(64)}  notify-linux-arm64\n`;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/packages/generic/notify/${VERSION}/SHA256SUMS`) res.end(listing);
    else if (req.url === `/packages/generic/notify/${VERSION}/notify-linux-amd64`) {
      if (Buffer.isBuffer(binary)) res.end(binary);
      else binary(res);
    } else res.writeHead(404).end('404 Not Found');
  });
  const listening = await listen(server);
  const base = `http://127.0.0.1:${listening.port}/packages/generic/notify/${VERSION}`;
  return Object.assign(listening, { base, requests });
}

/** A server that accepts the connection and never answers. */
async function serveSilence(): Promise<Downloads> {
  const requests: string[] = [];
  const listening = await listen(createServer((req) => void requests.push(req.url ?? '')));
  const base = `http://127.0.0.1:${listening.port}/packages/generic/notify/${VERSION}`;
  return Object.assign(listening, { base, requests });
}

describe.skipIf(!hasRsync)('a job whose image has no notify', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const runs: PipelineRun[] = [];
  const temps: string[] = [];

  afterAll(async () => {
    await Promise.all(opened.map((server) => server.close()));
    for (const run of runs) run.remove();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The download fixture against `server`, with notify off the PATH and its own TMPDIR, and the
   * job token GitLab gives every job (gitlab-ci-local has none of its own).
   */
  async function pipeline(
    server: Downloads,
    variables: Record<string, string> = {},
    prepare: (tmp: string) => void = () => {},
  ) {
    const slack = await startFakeSlack();
    opened.push(server, slack);
    const tmp = mkdtempSync(join(tmpdir(), 'notify-component-tmp-'));
    temps.push(tmp);
    prepare(tmp);
    const run = await runPipeline(
      'component-download',
      {
        SLACK_WEBHOOK_URL: slack.webhookUrl,
        NOTIFY_DOWNLOADS: server.base,
        CI_JOB_TOKEN: JOB_TOKEN,
        ...variables,
      },
      { copy: ['templates'], withoutNotify: true, env: { TMPDIR: tmp } },
    );
    runs.push(run);
    // Neither the token nor the folder named after it is ever printed.
    expect(run.output).not.toContain(JOB_TOKEN);
    expect(run.output).not.toMatch(/notify-[0-9a-f]{16}/);
    return { run, slack, tmp };
  }

  it('fetches notify-linux-amd64 once, checks it, notifies, and cleans up after itself', async () => {
    const server = await serveDownloads();
    const { run, slack, tmp } = await pipeline(server);
    expect(run.status, run.output).toBe(0);
    expect(texts(slack)).toEqual([
      ':rocket: chat-server live job deploy is started by jiyoung',
      expect.stringMatching(/^:white_check_mark: chat-server live job deploy succeeded/),
    ]);
    // before_script fetched it; after_script found it, checked, where it was left.
    expect(server.requests).toEqual([
      `/packages/generic/notify/${VERSION}/SHA256SUMS`,
      `/packages/generic/notify/${VERSION}/notify-linux-amd64`,
    ]);
    expect(run.output).not.toMatch(WARNING);
    expect(readdirSync(tmp)).toEqual([]);
  }, 180_000);

  it("a notify left ready at the job's ID is never run: the job fetches its own", async () => {
    const server = await serveDownloads();
    let ran = '';
    const { run, slack, tmp } = await pipeline(server, { CI_JOB_ID: '4245' }, (dir) => {
      ran = join(dir, 'planted-ran');
      // Job IDs are sequential: the name a later job's folder had is no secret.
      plant(join(dir, 'notify-4245'), ran);
    });
    expect(run.status, run.output).toBe(0);
    expect(existsSync(ran), run.output).toBe(false);
    expect(texts(slack)).toEqual([
      ':rocket: chat-server live job deploy is started by jiyoung',
      expect.stringMatching(/^:white_check_mark: chat-server live job deploy succeeded/),
    ]);
    expect(server.requests).toHaveLength(2);
    expect(run.output).not.toMatch(WARNING);
    // The job's own folder is gone; what was planted is left as it was, unused.
    expect(readdirSync(tmp).sort()).toEqual(['notify-4245']);
  }, 180_000);

  it('an executable that does not match SHA256SUMS is not run: one warning, and the job passes', async () => {
    const server = await serveDownloads(`${'ab'.repeat(32)}  notify-linux-amd64\n`);
    const { run, slack, tmp } = await pipeline(server);
    expect(run.status, run.output).toBe(0);
    expect(run.output.match(WARNING)).toEqual([
      expect.stringContaining(
        'notify: warning: notify-linux-amd64 does not match its SHA-256 in SHA256SUMS; this job goes on without notify',
      ),
    ]);
    expect(slack.requests).toHaveLength(0);
    expect(run.output).toMatch(/> deploying/);
    // after_script did not try again, and left nothing behind.
    expect(server.requests).toHaveLength(2);
    expect(readdirSync(tmp)).toEqual([]);
  }, 180_000);

  it('a server that never answers: one warning, and the job passes', async () => {
    const server = await serveSilence();
    const { run, slack, tmp } = await pipeline(server);
    expect(run.status, run.output).toBe(0);
    expect(run.output.match(WARNING)).toEqual([
      expect.stringContaining(
        'notify: warning: cannot fetch SHA256SUMS: no answer within 2s; this job goes on without notify',
      ),
    ]);
    expect(slack.requests).toHaveLength(0);
    expect(server.requests).toEqual([`/packages/generic/notify/${VERSION}/SHA256SUMS`]);
    expect(readdirSync(tmp)).toEqual([]);
  }, 180_000);
});

// ---- The fetch itself, in the shells of other images --------------------------------------------

const template = parse(
  readFileSync(join(ROOT, 'templates/job.yml'), 'utf8').split('\n---\n')[1]!,
) as {
  '.notify': { before_script: string[]; after_script: string[] };
};
/** The install step as GitLab hands it to the shell, with download_timeout interpolated. */
const installStep = (downloadTimeout: string) =>
  template['.notify'].before_script
    .find((step) => step.startsWith('# notify: the one on the PATH'))!
    .replaceAll('$[[ inputs.download_timeout ]]', downloadTimeout);
/** What after_script says before the same step: use what before_script fetched. */
const AFTER = template['.notify'].after_script[0]!;

const hasBusybox = need('busybox', 'the fetch is run with busybox sh and wget', () =>
  succeeds('busybox', ['true']),
);
const hasDash = need('dash', 'the fetch is run with dash, as debian images run scripts', () =>
  succeeds('dash', ['-c', 'true']),
);

/** A folder of busybox's applets, and nothing else: an alpine or busybox image's PATH. */
function busyboxPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'notify-busybox-'));
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' });
  for (const applet of applets.split('\n').filter(Boolean)) symlinkSync(busybox, join(dir, applet));
  return dir;
}

interface Install {
  /** As after_script runs it. */
  after?: boolean;
  /** download_timeout, as the input gives it. */
  downloadTimeout?: string;
  /** Shell to run last, e.g. notify itself. */
  then?: string;
}

/** Runs the install step, then says which notify is on the PATH, in `shell` with only `env`. */
function install(shell: string, env: Record<string, string>, options: Install = {}) {
  const script = [
    ...(options.after ? [AFTER] : []),
    installStep(options.downloadTimeout ?? '2'),
    'command -v notify || echo none',
    options.then ?? '',
  ].join('\n');
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(shell, ['-ec', script], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the fetch in other shells', () => {
  const temps: string[] = [];
  const servers: Listening[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });
  beforeAll(() => requireBuild());

  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };
  /** `shell` with the PATH of an image it comes in: busybox's applets alone, or this machine's. */
  function shellOf(shell: 'busybox' | 'dash') {
    if (shell === 'dash') return { command: 'dash', path: `${process.env.PATH}` };
    const path = busyboxPath();
    temps.push(path);
    return { command: join(path, 'sh'), path };
  }
  const serve = async (server: Promise<Downloads>) => {
    const started = await server;
    servers.push(started);
    return started;
  };

  // Each shell the machine has (need() said which it lacks, and CI must have both).
  const shells = (
    [
      ['busybox sh and wget, under timeout', 'busybox', hasBusybox],
      ['dash and curl', 'dash', hasDash],
    ] as const
  )
    .filter(([, , available]) => available)
    .map(([name, shell]) => [name, shell] as const);

  it.each(shells)('%s: fetched once, checked, on the PATH', async (_name, shell) => {
    const server = await serve(serveDownloads());
    const { command, path } = shellOf(shell);
    const tmp = temp('notify-install-');
    const env = {
      PATH: path,
      TMPDIR: tmp,
      CI_JOB_ID: '4242',
      CI_JOB_TOKEN: JOB_TOKEN,
      NOTIFY_INPUT_DOWNLOAD_URL: `${server.base}/`,
    };
    const before = await install(command, env);
    expect(before.stderr).toBe('');
    expect(before).toMatchObject({
      code: 0,
      stdout: `${join(tmp, folderOf('4242'), 'notify')}\n`,
    });
    expect(server.requests).toHaveLength(2);
    // after_script, a new shell: the same file, checked again, and nothing fetched.
    const after = await install(command, env, { after: true });
    expect(after).toEqual(before);
    expect(server.requests).toHaveLength(2);
  });

  it.each(shells)("%s: into the runner's temporary folder for the job", async (_n, shell) => {
    const server = await serve(serveDownloads());
    const { command, path } = shellOf(shell);
    const runnerTemp = temp('notify-project.tmp-');
    const result = await install(command, {
      PATH: path,
      TMPDIR: '/nonexistent',
      RUNNER_TEMP_PROJECT_DIR: runnerTemp,
      CI_JOB_ID: '4244',
      CI_JOB_TOKEN: JOB_TOKEN,
      NOTIFY_INPUT_DOWNLOAD_URL: server.base,
    });
    expect(result).toEqual({
      code: 0,
      stdout: `${join(runnerTemp, folderOf('4244'), 'notify')}\n`,
      stderr: '',
    });
    // The folder is the job user's alone.
    expect(statSync(join(runnerTemp, folderOf('4244'))).mode & 0o777).toBe(0o700);
  });

  /** Runs notify, whichever the step put on the PATH: a planted one would say so in `ran`. */
  const RUN = 'if command -v notify >/dev/null 2>&1; then notify --version >/dev/null; fi';

  describe.each(shells)('%s, with a notify someone left ready', (_name, shell) => {
    it.each([
      ['before_script', false],
      ['after_script', true],
    ] as const)(
      "%s: a folder at the job's ID is never used; the job fetches into its own",
      async (_step, after) => {
        const server = await serve(serveDownloads());
        const { command, path } = shellOf(shell);
        const runnerTemp = temp('notify-project.tmp-');
        const ran = join(runnerTemp, 'planted-ran');
        plant(join(runnerTemp, 'notify-4245'), ran);
        const env = {
          PATH: path,
          RUNNER_TEMP_PROJECT_DIR: runnerTemp,
          CI_JOB_ID: '4245',
          CI_JOB_TOKEN: JOB_TOKEN,
          NOTIFY_INPUT_DOWNLOAD_URL: server.base,
        };
        const result = await install(command, env, { after, then: RUN });
        expect(result).toEqual({
          code: 0,
          stdout: `${join(runnerTemp, folderOf('4245'), 'notify')}\n`,
          stderr: '',
        });
        expect(existsSync(ran)).toBe(false);
        expect(server.requests).toHaveLength(2);
      },
    );

    it('without a job token: what is at the folder is removed, and nothing found is reused', async () => {
      const server = await serve(serveDownloads());
      const { command, path } = shellOf(shell);
      const runnerTemp = temp('notify-project.tmp-');
      const ran = join(runnerTemp, 'planted-ran');
      const env = {
        PATH: path,
        RUNNER_TEMP_PROJECT_DIR: runnerTemp,
        CI_JOB_ID: '4246',
        NOTIFY_INPUT_DOWNLOAD_URL: server.base,
      };
      const fetched = {
        code: 0,
        stdout: `${join(runnerTemp, 'notify-4246', 'notify')}\n`,
        stderr: '',
      };
      plant(join(runnerTemp, 'notify-4246'), ran);
      expect(await install(command, env, { then: RUN })).toEqual(fetched);
      plant(join(runnerTemp, 'notify-4246'), ran);
      expect(await install(command, env, { after: true, then: RUN })).toEqual(fetched);
      expect(existsSync(ran)).toBe(false);
      // Fetched afresh each time.
      expect(server.requests).toHaveLength(4);
    });

    it.each([
      ['before_script', false],
      ['after_script', true],
    ] as const)(
      "%s: a link at the folder's name is not followed; the link goes, the folder is made anew",
      async (_step, after) => {
        const server = await serve(serveDownloads());
        const { command, path } = shellOf(shell);
        const runnerTemp = temp('notify-project.tmp-');
        const elsewhere = temp('notify-elsewhere-');
        const ran = join(elsewhere, 'planted-ran');
        plant(elsewhere, ran);
        symlinkSync(elsewhere, join(runnerTemp, folderOf('4247')));
        const env = {
          PATH: path,
          RUNNER_TEMP_PROJECT_DIR: runnerTemp,
          CI_JOB_ID: '4247',
          CI_JOB_TOKEN: JOB_TOKEN,
          NOTIFY_INPUT_DOWNLOAD_URL: server.base,
        };
        const result = await install(command, env, { after, then: RUN });
        expect(result).toEqual({
          code: 0,
          stdout: `${join(runnerTemp, folderOf('4247'), 'notify')}\n`,
          stderr: '',
        });
        expect(lstatSync(join(runnerTemp, folderOf('4247'))).isDirectory()).toBe(true);
        expect(existsSync(ran)).toBe(false);
        // What the link pointed at is left alone.
        expect(readdirSync(elsewhere).sort()).toEqual(['notify', 'notify.sha256']);
      },
    );
  });

  describe.each(shells.map(([, shell]) => shell))('%s sh and curl, download_timeout', (shell) => {
    const curl = execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
    it.each(['0', '-5', '2.5', '91', '99999', '1e3'])(
      '%s: is not taken; each request ends within 20s and 64 MiB',
      async (given) => {
        const server = await serve(serveDownloads());
        const { command, path } = shellOf(shell);
        // curl, in either shell, with its arguments written down first.
        const wrapped = temp('notify-curl-');
        const calls = join(wrapped, 'calls');
        writeFileSync(
          join(wrapped, 'curl'),
          `#!/bin/sh\necho "$*" >>'${calls}'\nexec '${curl}' "$@"\n`,
          { mode: 0o755 },
        );
        const result = await install(
          command,
          {
            PATH: `${wrapped}:${path}`,
            TMPDIR: temp('notify-install-'),
            CI_JOB_ID: '4248',
            CI_JOB_TOKEN: JOB_TOKEN,
            NOTIFY_INPUT_DOWNLOAD_URL: server.base,
          },
          { downloadTimeout: given },
        );
        expect(result.stderr).toBe('');
        expect(result.stdout).toMatch(/\/notify\n$/);
        const made = readFileSync(calls, 'utf8').trim().split('\n');
        expect(made).toHaveLength(2);
        for (const call of made) {
          expect(call).toContain('--connect-timeout 20 --max-time 20 --max-filesize 67108864 ');
        }
      },
    );
  });

  const sha = createHash('sha256').update(readFileSync(NOTIFY)).digest('hex');
  const failures: Array<
    [
      string,
      () => Promise<Downloads>,
      (base: string) => string,
      string | ((shell: string) => string),
    ]
  > = [
    [
      'a silent server',
      serveSilence,
      (base) => base,
      'cannot fetch SHA256SUMS: no answer within 2s',
    ],
    [
      'a wrong address',
      () => serveDownloads(),
      (base) => `${base}/nowhere`,
      (shell) =>
        `cannot fetch SHA256SUMS: ${shell === 'dash' ? 'the server answered with an HTTP error' : 'the download failed (exit status 1)'}`,
    ],
    [
      'SHA256SUMS without the line',
      () => serveDownloads(`${sha}  notify-linux-riscv64\n`),
      (base) => base,
      'SHA256SUMS has no SHA-256 for notify-linux-amd64',
    ],
    [
      'a file that does not match',
      () => serveDownloads(`${'0'.repeat(64)}  notify-linux-amd64\n`),
      (base) => base,
      'notify-linux-amd64 does not match its SHA-256 in SHA256SUMS',
    ],
    [
      'no download_url',
      () => serveDownloads(),
      () => '',
      'notify is not in this image and download_url is empty',
    ],
    [
      'an executable that does not answer --version',
      () => serveDownloads(undefined, Buffer.from('#!/bin/sh\nexec sleep 60\n')),
      (base) => base,
      'notify-linux-amd64 did not answer --version within 2s',
    ],
    [
      'a file larger than 64 MiB',
      () =>
        serveDownloads(undefined, (res) => {
          res.writeHead(200, { 'content-length': String(65 * 2 ** 20) });
          res.write('\x7fELF');
        }),
      (base) => base,
      // curl refuses it at once; busybox's wget has no such limit, and timeout ends it.
      (shell) =>
        `cannot fetch notify-linux-amd64: ${shell === 'dash' ? 'the file is larger than 64 MiB' : 'no answer within 2s'}`,
    ],
  ];

  describe.each(shells)('%s', (_name, shell) => {
    it.each(failures)('%s: one warning, and the step goes on', async (_case, start, url, said) => {
      const server = await serve(start());
      const { command, path } = shellOf(shell);
      const result = await install(command, {
        PATH: path,
        TMPDIR: temp('notify-install-'),
        CI_JOB_ID: '4243',
        CI_JOB_TOKEN: JOB_TOKEN,
        NOTIFY_INPUT_DOWNLOAD_URL: url(server.base),
      });
      // Under `sh -e`, the step went on, and left no notify on the PATH.
      const reason = typeof said === 'string' ? said : said(shell);
      expect(result).toEqual({
        code: 0,
        stdout: 'none\n',
        stderr: `notify: warning: ${reason}; this job goes on without notify\n`,
      });
    });
  });
});
