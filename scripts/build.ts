// npm run build: bundle (esbuild) -> single executable (Node SEA) -> dist/rootfs (the whole
// FROM-scratch image) and dist/kaniko (a bundle with its own loader, for kaniko's debug image).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

function step(name: string, work: () => void | Promise<void>): Promise<void> {
  const started = performance.now();
  return Promise.resolve(work()).then(() =>
    console.log(`build: ${name} (${Math.round(performance.now() - started)} ms)`),
  );
}

function run(command: string, args: string[], stderr: 'inherit' | 'ignore' = 'inherit'): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', stderr] });
}

// postject's ELF reader warns once per note section of Node's binary that binutils' strip left
// without a name ("Can't find string offset for section name '.note.100'"). The notes are kept
// as they are and the executable is checked below, so these lines say nothing: drop them, keep
// any other line.
const HARMLESS = /^warning: Can't find string offset for section name '\.note[.\d]*'$/;

function inject(exe: string, blob: string): void {
  const result = spawnSync(
    join(ROOT, 'node_modules/.bin/postject'),
    [exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const noise = (result.stderr ?? '').split('\n').filter((l) => l.trim() && !HARMLESS.test(l));
  if (noise.length) console.error(noise.join('\n'));
  if (result.status !== 0) throw new Error(`postject failed (${result.status ?? result.signal})`);
}

const mib = (path: string) => `${(statSync(path).size / 2 ** 20).toFixed(1)} MiB`;

if (!process.version.startsWith('v24.')) {
  throw new Error(
    `build needs the pinned Node 24 (run it through npm run build); this is ${process.version}`,
  );
}
rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });

const bundle = join(DIST, 'notify.cjs');
await step('bundle', async () => {
  await build({
    entryPoints: [join(ROOT, 'src/bin.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node24',
    // A SEA runs one CommonJS script; yargs is ESM-only and reads import.meta.url.
    format: 'cjs',
    banner: { js: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    define: { 'import.meta.url': '__import_meta_url', __NOTIFY_VERSION__: JSON.stringify(version) },
    minify: true,
    // Error names stay readable in DEBUG stack traces.
    keepNames: true,
    legalComments: 'none',
    metafile: false,
    logLevel: 'warning',
  });
});

const exe = join(DIST, 'notify');
await step('single executable', () => {
  const blob = join(DIST, 'sea-prep.blob');
  const config = join(DIST, 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: true,
      // Every argument and variable is notify's, none the runtime's: NODE_OPTIONS is ignored,
      // and the `--` ends the runtime's own option scan (Node reads `--env-file` anywhere in
      // argv before any JavaScript runs, even in a single executable, up to a `--`).
      // OPENSSL_CONF is read before any JavaScript, and a FIFO there would hang every run: the
      // runtime reads an empty configuration instead (absent files are fine too).
      execArgv: ['--openssl-config=/dev/null', '--'],
      execArgvExtension: 'none',
    }),
  );
  run(process.execPath, ['--experimental-sea-config', config]);
  copyFileSync(process.execPath, exe);
  chmodSync(exe, 0o755);
  // Strip first: stripping after injection would drop the injected blob.
  // Node's binary carries notes that binutils does not know; the warnings about them are noise.
  run('strip', ['--strip-all', exe], 'ignore');
  inject(exe, blob);
  rmSync(blob);
  rmSync(config);
});

await step('check: no argument or variable reaches the runtime', () => {
  // If the SEA options above were lost, Node would answer these itself: exit 9 for the missing
  // --env-file, a MODULE_NOT_FOUND stack for NODE_OPTIONS. notify answers with exit 2, one line.
  // OPENSSL_CONF naming a FIFO would hang the runtime before notify's first line: a timeout.
  const missing = join(DIST, 'no-such-dir', 'check');
  const fifo = join(DIST, 'check.fifo');
  run('mkfifo', [fifo]);
  const result = spawnSync(exe, ['start', '--dry-run', '--env-file', `${missing}.env`], {
    encoding: 'utf8',
    env: { NODE_OPTIONS: `--require=${missing}.js`, OPENSSL_CONF: fifo },
    timeout: 20_000,
  });
  rmSync(fifo);
  const said = `${result.stderr ?? ''}`.trim();
  if (result.status !== 2 || !/^notify: .*env file/.test(said) || said.includes('\n')) {
    throw new Error(
      `dist/notify let the runtime take an argument or NODE_OPTIONS (exit ${result.status}): ${said}`,
    );
  }
});

/** The loader and shared libraries the executable links, as absolute paths on this machine. */
function linkedLibraries(path: string): string[] {
  const libs: string[] = [];
  for (const line of run('ldd', [path]).split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1]) libs.push(match[1]);
  }
  return libs;
}

const libs = linkedLibraries(exe);
const loader = libs.find((lib) => basename(lib).startsWith('ld-linux'));
if (!loader) throw new Error(`no dynamic loader found for ${exe}`);

await step('rootfs', () => {
  const rootfs = join(DIST, 'rootfs');
  const put = (from: string, to: string) => {
    mkdirSync(join(rootfs, dirname(to)), { recursive: true });
    copyFileSync(from, join(rootfs, to)); // copyFileSync follows symlinks: real files only
  };
  put(exe, '/usr/local/bin/notify');
  for (const lib of libs) put(lib, lib);
  put(CA_BUNDLE, CA_BUNDLE);
  mkdirSync(join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/:/sbin/nologin\nnotify:x:65532:65532:notify:/:/sbin/nologin\n',
  );
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnotify:x:65532:\n');
});

await step('kaniko bundle', () => {
  const kaniko = join(DIST, 'kaniko');
  mkdirSync(join(kaniko, 'bin'), { recursive: true });
  mkdirSync(join(kaniko, 'lib'), { recursive: true });
  mkdirSync(join(kaniko, 'libexec'), { recursive: true });
  copyFileSync(exe, join(kaniko, 'libexec/notify'));
  for (const lib of libs) copyFileSync(lib, join(kaniko, 'lib', basename(lib)));
  cpSync(join(ROOT, 'scripts/kaniko-launcher.sh'), join(kaniko, 'bin/notify'));
  chmodSync(join(kaniko, 'bin/notify'), 0o755);
});

// For the :debug image, a shell for CI job scripts: a static busybox from the build machine
// (Debian's busybox-static), with its applets as links. Optional: only that image needs it.
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((path) => {
  if (!existsSync(path)) return false;
  try {
    run('ldd', [path], 'ignore');
    return false; // dynamically linked: it would need libraries the image does not have
  } catch {
    return true; // ldd: not a dynamic executable
  }
});
await step(
  BUSYBOX ? 'busybox for the debug image' : 'busybox: no static one here, no debug image',
  () => {
    if (!BUSYBOX) return;
    const dir = join(DIST, 'busybox');
    mkdirSync(dir, { recursive: true });
    copyFileSync(BUSYBOX, join(dir, 'busybox'));
    chmodSync(join(dir, 'busybox'), 0o755);
    for (const applet of run(BUSYBOX, ['--list']).split('\n').filter(Boolean)) {
      if (applet !== 'busybox') symlinkSync('busybox', join(dir, applet));
    }
  },
);

console.log(
  `build: dist/notify ${mib(exe)}, linked: ${libs.map((lib) => basename(lib)).join(' ')}`,
);
