// npm run bench: `notify start` end to end (spawn -> delivered to a local fake Slack -> exit),
// over http and https, interleaved in one run with the same POST by curl, with the same program
// on Node (dist/notify.cjs) and with `node -e 0`; then memory, sizes and the image. Builds
// nothing: run `npm run build` first.
//   npm run bench [-- --runs 40] [-- --json]
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createPrivateCa } from '../test/helpers/ca.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOTIFY = join(ROOT, 'dist/notify');
const NODE_BUNDLE = join(ROOT, 'dist/notify.cjs');
const SYSTEM_CA = '/etc/ssl/certs/ca-certificates.crt';
const TARGETS = {
  startVsCurl: 2.0,
  startVsCurlGoal: 1.0,
  rssMiB: 16,
  binaryMiB: 10,
  imageGzMiB: 10,
};

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
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

if (!existsSync(NOTIFY) || !existsSync(NODE_BUNDLE)) {
  console.error('bench: dist/notify or dist/notify.cjs is missing; run `npm run build` first');
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
// And GitLab's API, as far as a pipeline summary reads it: one page of 100 jobs, no trigger jobs.
const STAGES = ['build', 'test', 'deploy'];
const GITLAB_JOBS = JSON.stringify(
  Array.from({ length: 100 }, (_, i) => ({
    id: 9000 + i,
    status: i === 57 ? 'failed' : 'success',
    stage: STAGES[i % 3],
    name: `job-${i}`,
    allow_failure: false,
    started_at: '2026-11-22T10:00:00.000Z',
    finished_at: '2026-11-22T10:01:30.500Z',
    duration: 90.5,
    web_url: `https://gitlab.example.com/team/chat-server/-/jobs/${9000 + i}`,
  })),
);
function answer(req: IncomingMessage, res: ServerResponse) {
  if (req.url?.startsWith('/api/v4/')) {
    req.resume();
    res.setHeader('x-next-page', '');
    res.end(req.url.includes('/jobs?') ? GITLAB_JOBS : '[]');
    return;
  }
  if (!lastArrival) lastArrival = performance.now();
  req.resume();
  req.on('end', () => {
    const method = req.url?.startsWith('/api/') ? req.url.slice('/api/'.length) : undefined;
    if (!method) received++;
    res.end(method ? JSON.stringify(API_ANSWERS[method] ?? { ok: true }) : 'ok');
  });
}
const listen = async (server: ReturnType<typeof createHttpServer>) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

// A private CA for the https case, trusted the way each client is told to: notify and curl
// read the system's bundle and the CA (as a job behind a corporate CA does), Node adds the CA.
const ca = createPrivateCa();
const work = mkdtempSync(join(tmpdir(), 'notify-bench-'));
const bundleFile = join(work, 'ca-bundle.pem');
writeFileSync(
  bundleFile,
  `${existsSync(SYSTEM_CA) ? spawnSync('cat', [SYSTEM_CA], { encoding: 'utf8' }).stdout : ''}\n${spawnSync('cat', [ca.caFile], { encoding: 'utf8' }).stdout}`,
);
const httpServer = createHttpServer(answer);
const httpsServer = createHttpsServer(ca.tls, answer);
const WEBHOOK_PATH = '/services/T0BENCH/B0BENCH/benchbenchbench';
const webhook = `http://127.0.0.1:${await listen(httpServer)}${WEBHOOK_PATH}`;
const webhookTls = `https://127.0.0.1:${await listen(httpsServer)}${WEBHOOK_PATH}`;
const env = { ...ENV, SLACK_WEBHOOK_URL: webhook };
const envTls = { ...ENV, SLACK_WEBHOOK_URL: webhookTls, NOTIFY_CA_FILE: ca.caFile };

// curl posts exactly what notify would.
const payloadFile = join(work, 'payload.json');
const dry = spawnSync(NOTIFY, ['start', '--dry-run'], { env, encoding: 'utf8' });
writeFileSync(payloadFile, JSON.stringify(JSON.parse(dry.stdout)));
const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
const curlPost = (url: string, extra: string[] = []) => [
  '-sS',
  '-o',
  '/dev/null',
  ...extra,
  '-X',
  'POST',
  '-H',
  'content-type: application/json',
  '--data-binary',
  `@${payloadFile}`,
  url,
];

interface Case {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  posts: number;
  times: number[];
}
const node = process.execPath;
// A `.post` job's summary: the jobs read from the API, one message with a hundred lines.
const summaryEnv = {
  ...env,
  CI_API_V4_URL: webhook.replace(/\/services\/.*$/, '/api/v4'),
  CI_PROJECT_ID: '42',
  CI_JOB_ID: '1',
  NOTIFY_GITLAB_TOKEN: 'glpat-bench',
};
const cases: Case[] = [
  { name: 'notify start (http)', command: NOTIFY, args: ['start'], env, posts: 1, times: [] },
  {
    name: 'notify start (https)',
    command: NOTIFY,
    args: ['start'],
    env: envTls,
    posts: 1,
    times: [],
  },
  {
    name: 'notify finish summary',
    command: NOTIFY,
    args: ['finish', '--scope', 'pipeline'],
    env: summaryEnv,
    posts: 1,
    times: [],
  },
  { name: 'notify --version', command: NOTIFY, args: ['--version'], env, posts: 0, times: [] },
  {
    name: 'notify --dry-run',
    command: NOTIFY,
    args: ['start', '--dry-run'],
    env,
    posts: 0,
    times: [],
  },
  {
    name: 'Node: start (http)',
    command: node,
    args: [NODE_BUNDLE, 'start'],
    env,
    posts: 1,
    times: [],
  },
  {
    name: 'Node: start (https)',
    command: node,
    args: [NODE_BUNDLE, 'start'],
    env: { ...envTls, NOTIFY_CA_FILE: '', NODE_EXTRA_CA_CERTS: ca.caFile },
    posts: 1,
    times: [],
  },
  {
    name: 'Node: --version',
    command: node,
    args: [NODE_BUNDLE, '--version'],
    env,
    posts: 0,
    times: [],
  },
  { name: 'node -e 0', command: node, args: ['-e', '0'], env, posts: 0, times: [] },
];
if (hasCurl) {
  cases.push(
    {
      name: 'curl POST (http)',
      command: 'curl',
      args: curlPost(webhook),
      env,
      posts: 1,
      times: [],
    },
    {
      name: 'curl POST (https)',
      command: 'curl',
      args: curlPost(webhookTls, ['--cacert', bundleFile]),
      env,
      posts: 1,
      times: [],
    },
  );
}

function timeOnce(c: Case): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(c.command, c.args, { env: c.env, stdio: 'ignore' });
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
log(`bench: ${RUNS} interleaved rounds (+${WARMUP} warm-up) of ${cases.length} commands`);
for (let round = 0; round < RUNS + WARMUP; round++) {
  for (const c of shuffle(cases)) {
    const ms = await timeOnce(c);
    if (round >= WARMUP) c.times.push(ms);
  }
}
const expected = (RUNS + WARMUP) * cases.reduce((sum, c) => sum + c.posts, 0);
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

// Peak RSS of one run, from the kernel's accounting of a finished child, through a small static
// launcher (scripts/maxrss.c): its own memory is the floor of every figure, a few hundred KiB.
const maxrss = join(work, 'maxrss');
const hasMaxrss =
  spawnSync('musl-gcc', ['-static', '-Os', '-o', maxrss, join(ROOT, 'scripts/maxrss.c')]).status ===
  0;
function peakRssKiB(
  command: string[],
  childEnv: Record<string, string>,
): Promise<number | undefined> {
  // Asynchronously: the fake Slack answers from this process's event loop.
  return new Promise((resolve) => {
    if (!hasMaxrss) return resolve(undefined);
    const child = spawn(maxrss, command, {
      env: { ...process.env, ...childEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      const kib = Number(err.trim().split('\n').at(-1));
      resolve(code === 0 && Number.isFinite(kib) ? kib : undefined);
    });
  });
}

/** Drops a file's pages from the page cache (GNU dd's nocache: posix_fadvise DONTNEED). */
const evict = (path: string) =>
  spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']).status === 0;

/** The largest peak RSS of five runs of `prepare()`'s executable, in MiB. */
async function rss(
  prepare: () => string | undefined,
  args: string[],
  childEnv: Record<string, string>,
): Promise<number | undefined> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const exe = prepare();
    if (!exe) return undefined;
    const kib = await peakRssKiB([exe, ...args], childEnv);
    if (kib !== undefined) samples.push(kib);
  }
  return samples.length ? Math.max(...samples) / 1024 : undefined;
}
let copies = 0;
const rssMiB = {
  evicted: await rss(() => (evict(NOTIFY) ? NOTIFY : undefined), ['start'], env),
  freshlyWritten: await rss(
    () => {
      const copy = join(work, `notify-${copies++}`);
      copyFileSync(NOTIFY, copy);
      return copy;
    },
    ['start'],
    env,
  ),
  https: await rss(() => NOTIFY, ['start'], envTls),
  summary: await rss(() => NOTIFY, ['finish', '--scope', 'pipeline'], summaryEnv),
  node: await rss(() => node, [NODE_BUNDLE, 'start'], env),
  curl: hasCurl ? await rss(() => 'curl', curlPost(webhook), env) : undefined,
  launcher: await rss(() => '/bin/true', [], env),
};

const mib = (bytes: number) => bytes / 2 ** 20;
const binaryMiB = mib(statSync(NOTIFY).size);
const nodeMiB = mib(statSync(node).size + statSync(NODE_BUNDLE).size);
// The images as published: per platform, the layers of its manifest in dist/oci (what a pull
// downloads: the gzipped blobs; on disk: the tars they hold).
const images = imageSizes();
function imageSizes(): { name: string; platform: string; sizeMiB: number; gzipMiB: number }[] {
  const sizes = [];
  for (const name of ['notify', 'notify-debug']) {
    const dir = join(ROOT, 'dist/oci', name);
    if (!existsSync(join(dir, 'index.json'))) continue;
    const blob = (digest: string) => readFileSync(join(dir, 'blobs', ...digest.split(':')));
    const read = (digest: string) => JSON.parse(blob(digest).toString('utf8'));
    const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    for (const entry of read(top.manifests[0].digest).manifests) {
      const layers: { digest: string; size: number }[] = read(entry.digest).layers;
      sizes.push({
        name,
        platform: `${entry.platform.os}/${entry.platform.architecture}`,
        gzipMiB: mib(layers.reduce((sum, layer) => sum + layer.size, 0)),
        sizeMiB: mib(layers.reduce((sum, layer) => sum + gunzipSync(blob(layer.digest)).length, 0)),
      });
    }
  }
  return sizes;
}
const ARM64 = join(ROOT, 'dist/notify-linux-arm64');
const arm64MiB = existsSync(ARM64) ? mib(statSync(ARM64).size) : undefined;

httpServer.close();
httpsServer.close();
ca.remove();
rmSync(work, { recursive: true, force: true });

const m = (name: string) => stats[name]?.median ?? NaN;
const ratios = {
  startVsCurl: m('notify start (http)') / m('curl POST (http)'),
  startHttpsVsCurl: m('notify start (https)') / m('curl POST (https)'),
  startVsNode: m('notify start (http)') / m('Node: start (http)'),
  startVsFloor: m('notify start (http)') / m('node -e 0'),
  versionVsNode: m('notify --version') / m('Node: --version'),
  summaryVsStart: m('notify finish summary') / m('notify start (http)'),
  appVsWebhookFirstRequest: median(paths['slack app'].first) / median(paths.webhook.first),
};
const pathStats = Object.fromEntries(
  Object.entries(paths).map(([name, p]) => [
    name,
    { firstRequestMedian: median(p.first), wholeMedian: median(p.whole) },
  ]),
);
const peak = Math.max(rssMiB.evicted ?? Infinity, rssMiB.freshlyWritten ?? Infinity);
const checks = {
  startVsCurl: hasCurl && ratios.startVsCurl <= TARGETS.startVsCurl,
  startVsCurlGoal: hasCurl && ratios.startVsCurl <= TARGETS.startVsCurlGoal,
  rss: Number.isFinite(peak) && peak <= TARGETS.rssMiB,
  binary: binaryMiB <= TARGETS.binaryMiB,
  image: images.length > 0 && images.every((image) => image.gzipMiB <= TARGETS.imageGzMiB),
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
        arm64MiB,
        nodeMiB,
        images,
        targets: TARGETS,
        checks,
      },
      null,
      2,
    ),
  );
} else {
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  const x = (ratio: number) => `${ratio.toFixed(2)}x`;
  const mb = (value: number | undefined) =>
    value === undefined ? 'n/a' : `${value.toFixed(1)} MiB`;
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  log(`machine: ${machine[0]?.trim()}, ${machine[1]} cores; Node ${process.version}`);
  for (const [name, s] of Object.entries(stats)) {
    log(
      `  ${name.padEnd(22)} median ${f(s.median).padStart(9)}   min–max ${f(s.min)} – ${f(s.max)}`,
    );
  }
  if (hasCurl) {
    log(
      `notify start / curl, http:    ${x(ratios.startVsCurl)}  (target <= ${TARGETS.startVsCurl}x ${mark(checks.startVsCurl)}; goal <= ${TARGETS.startVsCurlGoal}x ${mark(checks.startVsCurlGoal)})`,
    );
    log(`notify start / curl, https:   ${x(ratios.startHttpsVsCurl)}`);
  }
  log(
    `notify start / the same on Node: ${x(ratios.startVsNode)}; / node -e 0: ${x(ratios.startVsFloor)}`,
  );
  log(`notify --version / the same on Node: ${x(ratios.versionVsNode)}`);
  log(
    `notify finish --scope pipeline (100 jobs read from the API) / notify start: ${x(ratios.summaryVsStart)}`,
  );
  for (const [name, p] of Object.entries(pathStats)) {
    log(
      `  ${`start, ${name}`.padEnd(22)} first request ${f(p.firstRequestMedian).padStart(9)}   whole ${f(p.wholeMedian)}`,
    );
  }
  log(`Slack app / webhook, spawn to first request: ${x(ratios.appVsWebhookFirstRequest)}`);
  log(
    `peak RSS, notify start: ${mb(rssMiB.evicted)} (binary evicted from the page cache), ${mb(rssMiB.freshlyWritten)} (freshly written)  (target <= ${TARGETS.rssMiB} MB) ${mark(checks.rss)}`,
  );
  log(
    `peak RSS, others: notify over https ${mb(rssMiB.https)}, a 100-job summary ${mb(rssMiB.summary)}, on Node ${mb(rssMiB.node)}, curl ${mb(rssMiB.curl)}, /bin/true ${mb(rssMiB.launcher)} (the floor)`,
  );
  log(
    `dist/notify: ${binaryMiB.toFixed(2)} MiB  (target <= ${TARGETS.binaryMiB} MB) ${mark(checks.binary)}; Node and the bundle: ${nodeMiB.toFixed(1)} MiB`,
  );
  log(`dist/notify-linux-arm64: ${mb(arm64MiB)}`);
  for (const image of images) {
    log(
      `image ${image.name}, ${image.platform}: ${image.sizeMiB.toFixed(2)} MiB, ${image.gzipMiB.toFixed(2)} MiB compressed  (target <= ${TARGETS.imageGzMiB} MB) ${mark(image.gzipMiB <= TARGETS.imageGzMiB)}`,
    );
  }
  if (images.length === 0) log('images: n/a (no dist/oci: run npm run build)');
}
