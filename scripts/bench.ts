// npm run bench: `notify start` end to end (spawn -> delivered to a local fake Slack -> exit),
// interleaved in one run with the same POST by curl and with `node -e 0` of the pinned Node,
// the floor of any Node-based executable. Builds nothing: run `npm run build` first.
//   npm run bench [-- --runs 40] [-- --json] [-- --image notify:latest]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOTIFY = join(ROOT, 'dist/notify');
const TARGETS = {
  startVsFloor: 2.0,
  versionVsFloor: 1.5,
  rssMiB: 80,
  binaryMiB: 120,
  imageGzMiB: 45,
};

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
    image: { type: 'string', default: 'notify:latest' },
    deps: { type: 'boolean', default: false },
  },
});
const RUNS = Number(opts.runs);
const log = (line: string) => {
  if (!opts.json) console.log(line);
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

if (opts.deps) {
  await dependencyCosts();
  process.exit(0);
}

/**
 * What loading each runtime dependency costs: each bundled alone (as the build bundles it) and
 * run by the pinned Node, interleaved with `node -e 0`. Without the executable's code cache, so
 * these are upper bounds.
 */
async function dependencyCosts(): Promise<void> {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'notify-deps-'));
  const deps = ['yargs', 'dotenv', 'node:http', 'node:https'];
  const files = new Map<string, string>();
  for (const dep of deps) {
    const entry = join(dir, `${dep.replace(/\W/g, '_')}.mjs`);
    writeFileSync(entry, `import * as m from '${dep}'; globalThis.loaded = m;`);
    const outfile = entry.replace(/\.mjs$/, '.cjs');
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      minify: true,
      nodePaths: [join(ROOT, 'node_modules')],
      define: { 'import.meta.url': '__u' },
      banner: { js: 'const __u = require("node:url").pathToFileURL(__filename).href;' },
      logLevel: 'silent',
    });
    files.set(dep, outfile);
  }
  const run = (args: string[]) =>
    new Promise<number>((resolve) => {
      const started = process.hrtime.bigint();
      spawn(process.execPath, args, { stdio: 'ignore' }).on('close', () =>
        resolve(Number(process.hrtime.bigint() - started) / 1e6),
      );
    });
  const times = new Map<string, number[]>([
    ['node -e 0', []],
    ...deps.map((d) => [d, []] as [string, number[]]),
  ]);
  for (let round = 0; round < RUNS; round++) {
    times.get('node -e 0')!.push(await run(['-e', '0']));
    for (const dep of deps) times.get(dep)!.push(await run([files.get(dep)!]));
  }
  rmSync(dir, { recursive: true, force: true });
  const floor = median(times.get('node -e 0')!);
  console.log(
    `dependency load cost (median of ${RUNS}, pinned Node ${process.version}, no code cache)`,
  );
  for (const [name, xs] of times) {
    const extra = name === 'node -e 0' ? '' : `  (+${(median(xs) - floor).toFixed(1)} ms)`;
    console.log(`  ${name.padEnd(14)} ${median(xs).toFixed(1).padStart(6)} ms${extra}`);
  }
}

if (!existsSync(NOTIFY)) {
  console.error('bench: dist/notify is missing; run `npm run build` first');
  process.exit(2);
}

const ENV = {
  GITLAB_CI: 'true',
  CI_PROJECT_NAME: 'chat-server',
  CI_PROJECT_PATH: 'team/chat-server',
  CI_PROJECT_URL: 'https://gitlab.example.com/team/chat-server',
  CI_DEFAULT_BRANCH: 'main',
  CI_COMMIT_REF_NAME: 'main',
  CI_COMMIT_SHA: '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c',
  CI_COMMIT_SHORT_SHA: '1f2e3d4c',
  CI_COMMIT_TITLE: 'Add health check',
  CI_PIPELINE_ID: '1234',
  CI_PIPELINE_URL: 'https://gitlab.example.com/team/chat-server/-/pipelines/1234',
  CI_JOB_NAME: 'deploy',
  CI_JOB_STAGE: 'deploy',
  CI_JOB_URL: 'https://gitlab.example.com/team/chat-server/-/jobs/5678',
  GITLAB_USER_LOGIN: 'jiyoung',
  NOTIFY_GRAFANA_URL: 'https://grafana.example.com',
};

let received = 0;
let lastArrival = 0;
// Also a Slack Web API as far as one `notify start` in app mode needs: who the bot is, an empty
// channel, a post, an empty thread, an update.
const API_ANSWERS: Record<string, object> = {
  'auth.test': { ok: true, user_id: 'U0BENCH', bot_id: 'B0BENCH' },
  'conversations.history': { ok: true, messages: [], has_more: false },
  'conversations.replies': { ok: true, messages: [], has_more: false },
  'chat.postMessage': { ok: true, channel: 'C0DEPLOYS', ts: '1795300000.000100' },
  'chat.update': { ok: true, channel: 'C0DEPLOYS', ts: '1795300000.000100' },
};
const server = createServer((req, res) => {
  if (!lastArrival) lastArrival = performance.now();
  req.resume();
  req.on('end', () => {
    const method = req.url?.startsWith('/api/') ? req.url.slice('/api/'.length) : undefined;
    if (!method) received++;
    res.end(method ? JSON.stringify(API_ANSWERS[method] ?? { ok: true }) : 'ok');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0BENCH/B0BENCH/benchbenchbench`;
const env = { ...ENV, SLACK_WEBHOOK_URL: webhook };

// curl posts exactly what notify would.
const work = mkdtempSync(join(tmpdir(), 'notify-bench-'));
const payloadFile = join(work, 'payload.json');
const dry = spawnSync(NOTIFY, ['start', '--dry-run'], { env, encoding: 'utf8' });
writeFileSync(payloadFile, JSON.stringify(JSON.parse(dry.stdout)));
const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

interface Case {
  name: string;
  command: string;
  args: string[];
  times: number[];
}
const cases: Case[] = [
  { name: 'notify start', command: NOTIFY, args: ['start'], times: [] },
  { name: 'notify --version', command: NOTIFY, args: ['--version'], times: [] },
  { name: 'node -e 0', command: process.execPath, args: ['-e', '0'], times: [] },
];
if (hasCurl) {
  cases.push({
    name: 'curl POST',
    command: 'curl',
    args: [
      '-sS',
      '-o',
      '/dev/null',
      '-X',
      'POST',
      '-H',
      'content-type: application/json',
      '--data-binary',
      `@${payloadFile}`,
      webhook,
    ],
    times: [],
  });
}

function timeOnce(c: Case): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(c.command, c.args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${c.name} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const WARMUP = 3;
log(
  `bench: ${RUNS} interleaved rounds (+${WARMUP} warm-up) of ${cases.map((c) => c.name).join(', ')}`,
);
for (let round = 0; round < RUNS + WARMUP; round++) {
  for (const c of shuffle(cases)) {
    const ms = await timeOnce(c);
    if (round >= WARMUP) c.times.push(ms);
  }
}
const expected = (RUNS + WARMUP) * (hasCurl ? 2 : 1);
if (received !== expected)
  throw new Error(`fake Slack received ${received} POSTs, expected ${expected}`);

const stats = Object.fromEntries(
  cases.map((c) => [
    c.name,
    { median: median(c.times), min: Math.min(...c.times), max: Math.max(...c.times) },
  ]),
);

/**
 * Start-up of each delivery path: from spawn to the first request reaching its server, the
 * webhook's POST or the Slack app's first Web API call, interleaved; and each path whole.
 */
const apiUrl = webhook.replace(/\/services\/.*$/, '/api');
const paths = {
  webhook: { first: [] as number[], whole: [] as number[] },
  'slack app': { first: [] as number[], whole: [] as number[] },
};
async function timePath(name: keyof typeof paths, round: number): Promise<void> {
  const appEnv = {
    ...ENV,
    CI_PIPELINE_ID: String(100_000 + round),
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    NOTIFY_CHANNEL: 'C0DEPLOYS',
    NOTIFY_SLACK_API_URL: apiUrl,
  };
  lastArrival = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(NOTIFY, ['start'], {
      env: name === 'webhook' ? env : appEnv,
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} exited ${code}`)),
    );
  });
  const whole = performance.now() - started;
  const first = lastArrival - started;
  if (round >= WARMUP) {
    paths[name].first.push(first);
    paths[name].whole.push(whole);
  }
}
for (let round = 0; round < RUNS + WARMUP; round++) {
  for (const name of shuffle(Object.keys(paths) as Array<keyof typeof paths>)) {
    await timePath(name, round);
  }
}

/** Peak RSS of one `notify start`, from the kernel's accounting of a finished child. */
function peakRssKiB(): Promise<number | undefined> {
  const script =
    'import resource,subprocess,sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);' +
    ' print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  // Asynchronously: the fake Slack answers from this process's event loop.
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', script, NOTIFY, 'start'], {
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? Number(out.trim()) : undefined));
  });
}
const rssSamples: number[] = [];
for (let i = 0; i < 5; i++) {
  const kib = await peakRssKiB();
  if (kib !== undefined) rssSamples.push(kib);
}
const rssMiB = rssSamples.length ? Math.max(...rssSamples) / 1024 : undefined;

async function gzipSize(command: string, args: string[]): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let size = 0;
    const gzip = createGzip();
    gzip.on('data', (chunk: Buffer) => (size += chunk.length));
    gzip.on('end', () => resolve(size));
    child.stdout.pipe(gzip);
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      if (code !== 0) resolve(undefined);
    });
  });
}

const mib = (bytes: number) => bytes / 2 ** 20;
const binaryMiB = mib(statSync(NOTIFY).size);
let image: { name: string; sizeMiB: number; gzipMiB: number; source: string } | undefined;
const inspect = spawnSync('docker', ['image', 'inspect', '--format', '{{.Size}}', opts.image], {
  encoding: 'utf8',
});
if (inspect.status === 0) {
  const gz = await gzipSize('docker', ['save', opts.image]);
  if (gz !== undefined) {
    image = {
      name: opts.image,
      sizeMiB: mib(Number(inspect.stdout.trim())),
      gzipMiB: mib(gz),
      source: 'docker save | gzip',
    };
  }
} else if (existsSync(join(ROOT, 'dist/rootfs'))) {
  // No image built here: its one layer is dist/rootfs, so a gzipped tar of it is the pull size.
  const gz = await gzipSize('tar', ['-C', join(ROOT, 'dist/rootfs'), '-cf', '-', '.']);
  const raw = spawnSync('du', ['-sb', join(ROOT, 'dist/rootfs')], { encoding: 'utf8' });
  if (gz !== undefined && raw.status === 0) {
    image = {
      name: 'dist/rootfs (no Docker image found)',
      sizeMiB: mib(Number(raw.stdout.split('\t')[0])),
      gzipMiB: mib(gz),
      source: 'tar | gzip',
    };
  }
}

server.close();
rmSync(work, { recursive: true, force: true });

const floor = stats['node -e 0']!.median;
const ratios = {
  startVsFloor: stats['notify start']!.median / floor,
  versionVsFloor: stats['notify --version']!.median / floor,
  startVsCurl: hasCurl ? stats['notify start']!.median / stats['curl POST']!.median : undefined,
  appVsWebhookFirstRequest: median(paths['slack app'].first) / median(paths.webhook.first),
};
const pathStats = Object.fromEntries(
  Object.entries(paths).map(([name, p]) => [
    name,
    { firstRequestMedian: median(p.first), wholeMedian: median(p.whole) },
  ]),
);
const checks = {
  startVsFloor: ratios.startVsFloor <= TARGETS.startVsFloor,
  versionVsFloor: ratios.versionVsFloor <= TARGETS.versionVsFloor,
  rss: rssMiB !== undefined && rssMiB <= TARGETS.rssMiB,
  binary: binaryMiB <= TARGETS.binaryMiB,
  image: image !== undefined && image.gzipMiB <= TARGETS.imageGzMiB,
};
const machine = spawnSync(
  'sh',
  ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2; nproc"],
  { encoding: 'utf8' },
)
  .stdout.trim()
  .split('\n');

if (opts.json) {
  console.log(
    JSON.stringify(
      {
        runs: RUNS,
        machine: { cpu: machine[0]?.trim(), cores: Number(machine[1]) },
        node: process.version,
        stats,
        paths: pathStats,
        ratios,
        rssMiB,
        binaryMiB,
        image,
        targets: TARGETS,
        checks,
      },
      null,
      2,
    ),
  );
} else {
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  log(`machine: ${machine[0]?.trim()}, ${machine[1]} cores; Node ${process.version}`);
  for (const [name, s] of Object.entries(stats)) {
    log(
      `  ${name.padEnd(18)} median ${f(s.median).padStart(9)}   min–max ${f(s.min)} – ${f(s.max)}`,
    );
  }
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  log(
    `notify start / node -e 0:     ${ratios.startVsFloor.toFixed(2)}x  (target <= ${TARGETS.startVsFloor}x) ${mark(checks.startVsFloor)}`,
  );
  log(
    `notify --version / node -e 0: ${ratios.versionVsFloor.toFixed(2)}x  (target <= ${TARGETS.versionVsFloor}x) ${mark(checks.versionVsFloor)}`,
  );
  if (ratios.startVsCurl !== undefined)
    log(`notify start / curl:          ${ratios.startVsCurl.toFixed(2)}x`);
  for (const [name, p] of Object.entries(pathStats)) {
    log(
      `  ${`start, ${name}`.padEnd(18)} first request ${f(p.firstRequestMedian).padStart(9)}   whole ${f(p.wholeMedian)}`,
    );
  }
  log(
    `Slack app / webhook, spawn to first request: ${ratios.appVsWebhookFirstRequest.toFixed(2)}x (the same start-up: nothing more loaded)`,
  );
  log(
    `peak RSS (notify start):      ${rssMiB === undefined ? 'n/a (needs python3)' : `${rssMiB.toFixed(1)} MiB`}  (target <= ${TARGETS.rssMiB} MB) ${mark(checks.rss)}`,
  );
  log(
    `dist/notify:                  ${binaryMiB.toFixed(1)} MiB  (target <= ${TARGETS.binaryMiB} MB) ${mark(checks.binary)}`,
  );
  log(
    image
      ? `image ${image.name}: ${image.sizeMiB.toFixed(1)} MiB, ${image.gzipMiB.toFixed(1)} MiB compressed (${image.source})  (target <= ${TARGETS.imageGzMiB} MB) ${mark(checks.image)}`
      : 'image: n/a (no Docker image and no dist/rootfs)',
  );
}
