// npm run build: bundle (esbuild) -> the tiny executable (QuickJS bytecode and libcurl, static,
// musl) -> dist/rootfs (the whole FROM-scratch image) and dist/kaniko (the executable alone, for
// kaniko's debug image). dist/notify.cjs is the same program for Node (bin/notify, development).
// The same for arm64, cross-compiled and checked under qemu: dist/notify-linux-arm64 and, under
// dist/linux-arm64/, its rootfs, kaniko bundle and busybox.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { buildImages } from './images.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const NATIVE = join(ROOT, 'build/native');
const NATIVE_ARM64 = join(ROOT, 'build/native-arm64');
const WORK = join(ROOT, 'build/tiny');
const TINY = join(ROOT, 'src/platform/tiny');
const CA_PATH = '/etc/ssl/certs/ca-certificates.crt';
// Mozilla's CA list from Debian's pinned package (scripts/native-deps.sh), never the build
// machine's store, which may hold CAs of its own.
const CA_BUNDLE = join(NATIVE, 'ca-certificates.crt');
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

/** As run(), without waiting: for work that can share the machine's cores. */
function runAsync(command: string, args: string[], stdout: 'pipe' | 'inherit' = 'pipe') {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', stdout, 'inherit'] });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(
            new Error(
              `${[command, ...args].join(' ').slice(0, 200)} failed (${signal ?? `exit ${code}`})`,
            ),
          ),
    );
  });
}

const mib = (path: string) => `${(statSync(path).size / 2 ** 20).toFixed(2)} MiB`;

/** One architecture's executable and what is made of it. */
interface Target {
  arch: 'amd64' | 'arm64';
  /** Its static libraries (scripts/native-deps.sh). */
  native: string;
  /** A C compiler for musl on it, and the strip that reads its executables. */
  cc: string;
  strip: string;
  exe: string;
  /** Where its rootfs/, kaniko/ and busybox/ go. */
  dir: string;
  /** What file(1) names its machine. */
  machine: RegExp;
  /** How this machine runs its executables: itself, or under qemu's user-mode emulation. */
  runner: string[];
}
const AMD64: Target = {
  arch: 'amd64',
  native: NATIVE,
  cc: 'musl-gcc',
  strip: 'strip',
  exe: join(DIST, 'notify'),
  dir: DIST,
  machine: /x86-64/,
  runner: [],
};
const ARM64: Target = {
  arch: 'arm64',
  native: NATIVE_ARM64,
  // Debian's aarch64 cross gcc with arm64 musl's specs (musl-dev:arm64), as musl-gcc is for x86-64.
  cc: 'aarch64-linux-musl-gcc',
  strip: 'aarch64-linux-gnu-strip',
  exe: join(DIST, 'notify-linux-arm64'),
  dir: join(DIST, 'linux-arm64'),
  machine: /ARM aarch64/,
  runner: ['qemu-aarch64-static'],
};
const TARGETS = [AMD64, ARM64];
/** The command and arguments that run one of target's executables on this machine. */
function on(target: Target, exe: string, args: string[]): [string, string[]] {
  const [command, ...rest] = [...target.runner, exe, ...args];
  return [command!, rest];
}
const relative = (path: string) => path.slice(ROOT.length);

if (!process.version.startsWith('v24.')) {
  throw new Error(
    `build needs the pinned Node 24 (run it through npm run build); this is ${process.version}`,
  );
}
rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

const bundle = join(DIST, 'notify.cjs');
await step('bundle', async () => {
  await build({
    entryPoints: [join(ROOT, 'src/bin.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node24',
    // One CommonJS script that starts fast; yargs is ESM-only and reads import.meta.url.
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

// The GitHub Action (action.yml: `using: node24`, `main: dist/action.cjs`): the same program,
// entered through the step's inputs, run by the runner's own Node. A release commits this file
// at this path.
await step('GitHub Action bundle', async () => {
  await build({
    entryPoints: [join(ROOT, 'src/action-bin.ts')],
    outfile: join(DIST, 'action.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // The Action never draws --help: yargs, which only that loads, stays out of the bundle.
    external: ['yargs'],
    define: { __NOTIFY_VERSION__: JSON.stringify(version) },
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
});

// The tiny build's bundle: one script for QuickJS (ES2020 and what globals.ts adds), with Node's
// modules left out and the two packages that need more than the engine has swapped for shims.
const shim = (name: string) => join(TINY, 'shims', name);
const yargsFactory: Plugin = {
  name: 'yargs-factory',
  setup(b) {
    // yargs does not export its factory; its own entries load it by path, so does our shim.
    b.onResolve({ filter: /^yargs-factory$/ }, () => ({
      path: join(ROOT, 'node_modules/yargs/build/lib/yargs-factory.js'),
    }));
  },
};
// The main program, and the parts it loads only when used (src/platform/tiny/parts.ts): each
// its own script and its own bytecode, so that a run reads only what it needs.
const programs = [
  { name: 'notify_bytecode', entry: join(TINY, 'main.ts') },
  { name: 'notify_part_core_js', entry: join(TINY, 'parts/core-js.ts') },
  { name: 'notify_part_yargs', entry: join(TINY, 'parts/yargs.ts') },
].map((program) => ({ ...program, script: join(WORK, `${program.name}.js`) }));
await step('bundles for the tiny executable', async () => {
  const empty = shim('empty.mjs');
  for (const program of programs) {
    await build({
      entryPoints: [program.entry],
      outfile: program.script,
      bundle: true,
      platform: 'neutral',
      format: 'iife',
      target: 'es2020',
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      alias: {
        fs: empty,
        path: empty,
        os: empty,
        url: empty,
        'node:module': empty,
        yargs: shim('yargs-lazy.mjs'),
        'string-width': shim('string-width.mjs'),
      },
      plugins: [yargsFactory],
      // QuickJS's directive: no line tables or file names in the bytecode (a smaller executable
      // that loads faster); errors keep their names and messages.
      banner: { js: '"use strip";' },
      define: { __NOTIFY_VERSION__: JSON.stringify(version) },
      minify: true,
      keepNames: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
});

// Both architectures at once: each build has long stretches on one core (fetching, curl's
// configure), which the other fills.
await step('native libraries (build/native, build/native-arm64)', async () => {
  const builds = TARGETS.map(({ arch }) =>
    runAsync('bash', [join(ROOT, 'scripts/native-deps.sh'), arch], 'inherit'),
  );
  const failed = (await Promise.allSettled(builds)).find((build) => build.status === 'rejected');
  if (failed) throw failed.reason;
});

// The program's bytecode, compiled once by the host's qjsc: both targets are 64-bit little-endian
// and QuickJS is built with the same configuration for both, so their bytecode is the same (the
// next step checks it).
const bytecode: string[] = [];
await step('bytecode', () => {
  for (const { name, script } of programs) {
    const c = join(WORK, `${name}.c`);
    run(join(NATIVE, 'bin/qjsc'), ['-c', '-o', c, '-N', name, script]);
    bytecode.push(c);
  }
  // The CA list, built in: TLS still works where a copied executable finds no bundle.
  const ca = readFileSync(CA_BUNDLE);
  const caC = join(WORK, 'ca.c');
  writeFileSync(
    caC,
    `const unsigned notify_ca_bundle_size = ${ca.length};\nconst unsigned char notify_ca_bundle[] = {${[...ca].join(',')}};\n`,
  );
  bytecode.push(caC);
});

await step('check: the arm64 qjsc, under qemu, writes the same bytecode', async () => {
  await Promise.all(
    programs.map(async ({ name, script }) => {
      const c = join(WORK, `${name}.arm64.c`);
      await runAsync(
        ...on(ARM64, join(ARM64.native, 'bin/qjsc'), ['-c', '-o', c, '-N', name, script]),
      );
      if (!readFileSync(c).equals(readFileSync(join(WORK, `${name}.c`)))) {
        throw new Error(
          `${relative(c)} differs from the host qjsc's ${name}.c: the arm64 executable cannot share the host's bytecode`,
        );
      }
    }),
  );
});

const link = (target: Target) =>
  runAsync(target.cc, [
    '-static',
    '-Os',
    '-ffunction-sections',
    '-fdata-sections',
    '-Wall',
    '-Werror',
    '-Wno-unused-parameter',
    // As mbed TLS was built (scripts/native-deps.sh): its randomness is ours, from getrandom(2).
    '-DMBEDTLS_NO_PLATFORM_ENTROPY',
    '-DMBEDTLS_ENTROPY_HARDWARE_ALT',
    `-I${join(target.native, 'include')}`,
    join(TINY, 'runtime.c'),
    ...bytecode,
    `-L${join(target.native, 'lib')}`,
    '-Wl,--gc-sections',
    '-lcurl',
    '-lmbedtls',
    '-lmbedx509',
    '-lmbedcrypto',
    '-lquickjs',
    '-lm',
    '-lpthread',
    '-o',
    target.exe,
  ]).then(async () => {
    await runAsync(target.strip, ['--strip-all', target.exe]);
  });
await step('tiny executables (amd64, arm64)', async () => {
  await Promise.all(TARGETS.map(link));
});

for (const target of TARGETS) {
  const name = relative(target.exe);
  await step(`check ${name}: static, and no argument or variable for an engine`, () => {
    const kind = run('file', ['-b', target.exe]);
    if (!/statically linked|static-pie linked/.test(kind) || !target.machine.test(kind)) {
      throw new Error(`${name} is not a static ${target.arch} executable: ${kind.trim()}`);
    }
    // Arguments and variables a JavaScript runtime would take for itself: notify answers them.
    const missing = join(DIST, 'no-such-dir', 'check');
    const result = spawnSync(
      ...on(target, target.exe, ['start', '--dry-run', '--env-file', `${missing}.env`]),
      { encoding: 'utf8', env: { NODE_OPTIONS: `--require=${missing}.js` }, timeout: 20_000 },
    );
    const said = `${result.stderr ?? ''}`.trim();
    if (result.status !== 2 || !/^notify: .*env file/.test(said) || said.includes('\n')) {
      throw new Error(`${name} did not answer as notify (exit ${result.status}): ${said}`);
    }
  });
}

for (const target of TARGETS) {
  await step(`rootfs and kaniko bundle (${relative(target.dir) || 'dist'})`, () => {
    const rootfs = join(target.dir, 'rootfs');
    const put = (from: string, to: string) => {
      mkdirSync(join(rootfs, dirname(to)), { recursive: true });
      copyFileSync(from, join(rootfs, to)); // copyFileSync follows symlinks: real files only
    };
    put(target.exe, '/usr/local/bin/notify');
    put(CA_BUNDLE, CA_PATH);
    mkdirSync(join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    writeFileSync(
      join(rootfs, 'etc/passwd'),
      'root:x:0:0:root:/:/sbin/nologin\nnotify:x:65532:65532:notify:/:/sbin/nologin\n',
    );
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnotify:x:65532:\n');
    // The executable needs nothing beside it: the kaniko bundle is that one file.
    mkdirSync(join(target.dir, 'kaniko/bin'), { recursive: true });
    copyFileSync(target.exe, join(target.dir, 'kaniko/bin/notify'));
  });
}

/** A busybox for target and its applets as links, in dir (it lists them itself). */
function busyboxDir(target: Target, dir: string, busybox: string) {
  mkdirSync(dir, { recursive: true });
  copyFileSync(busybox, join(dir, 'busybox'));
  chmodSync(join(dir, 'busybox'), 0o755);
  for (const applet of run(...on(target, busybox, ['--list']))
    .split('\n')
    .filter(Boolean)) {
    if (applet !== 'busybox') symlinkSync('busybox', join(dir, applet));
  }
}

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
    if (BUSYBOX) busyboxDir(AMD64, join(DIST, 'busybox'), BUSYBOX);
  },
);
// arm64's is Debian's busybox-static:arm64, pinned and fetched by scripts/native-deps.sh: always
// there.
await step('busybox for the arm64 debug image', () => {
  busyboxDir(ARM64, join(ARM64.dir, 'busybox'), join(ARM64.native, 'bin/busybox'));
});

await step(
  'images: dist/oci/notify and dist/oci/notify-debug, every platform under one tag',
  () => {
    buildImages();
  },
);

for (const target of TARGETS)
  console.log(`build: ${relative(target.exe)} ${mib(target.exe)}, static`);
