// The Platform on Node: node:fs for bounded reads, process for the rest.
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Env } from '../context.ts';
import { isOn } from '../output.ts';
import { nodeTransport } from './node-http.ts';
import {
  FileError,
  readCaFile,
  type Platform,
  type Transport,
  type TransportOptions,
} from './types.ts';

const CHUNK = 64 * 1024;

export function readText(path: string, maxBytes: number): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting for one.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    throw new FileError(path, missing ? 'missing' : 'unreadable', missing ? undefined : code);
  }
  try {
    // Only regular files: /dev/zero, /dev/urandom and FIFOs never end, or block.
    if (!fstatSync(fd).isFile()) throw new FileError(path, 'not a regular file');
    // The size a stat reports can be wrong (/proc) or change while we read: count what arrives.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new FileError(path, 'too large', `over ${maxBytes} bytes`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(path, 'unreadable', (error as NodeJS.ErrnoException).code);
  } finally {
    closeSync(fd);
  }
}

export function writeText(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, path);
}

export function appendText(path: string, text: string): void {
  // O_NONBLOCK, as the executable's runtime opens it: a FIFO there with no reader fails at once
  // (ENXIO) instead of holding the step, and one whose reader stalls fails at a full pipe.
  const fd = openSync(
    path,
    constants.O_WRONLY |
      constants.O_APPEND |
      constants.O_CREAT |
      constants.O_NONBLOCK |
      constants.O_NOCTTY,
    0o666,
  );
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
  } finally {
    closeSync(fd);
  }
}

export function currentDir(): string | undefined {
  try {
    return process.cwd();
  } catch {
    // The working directory was deleted under us (ENOENT from uv_cwd).
    return undefined;
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export function onSignal(handler: (signal: string) => void): () => void {
  // A listener also replaces the default action: as PID 1 in a container, where the kernel
  // ignores signals without a handler, SIGTERM now stops notify instead of nothing at all.
  const listeners = SIGNALS.map((signal) => {
    const listener = () => handler(signal);
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}

/** Bounded like every read: a FIFO or a device named here would block the runtime's TLS setup. */
function checkCaFile(name: string, path: string | undefined): string | undefined {
  return path ? readCaFile(readText, name, path) : undefined;
}

/**
 * The runtime reads NODE_EXTRA_CA_CERTS, and with NODE_USE_SYSTEM_CA=1 also SSL_CERT_FILE, at the
 * first TLS connection, blocking the event loop: a FIFO there would hold notify past every
 * deadline and signal, and a missing file is only a warning of the runtime's own. Read them
 * first, bounded; anything but a readable file is exit 2.
 */
function checkCaFiles(env: Env, more: TransportOptions['caFiles'] = []): string | undefined {
  const extra = checkCaFile('NODE_EXTRA_CA_CERTS', env.NODE_EXTRA_CA_CERTS);
  if (isOn(env.NODE_USE_SYSTEM_CA)) checkCaFile('SSL_CERT_FILE', env.SSL_CERT_FILE);
  const own = [
    checkCaFile('NOTIFY_CA_FILE', env.NOTIFY_CA_FILE?.trim()),
    ...more.map(([name, path]) => checkCaFile(name, path.trim())),
  ].filter((text) => text !== undefined);
  // NOTIFY_CA_FILE is notify's own: the runtime's trusted CAs, NODE_EXTRA_CA_CERTS's, and its.
  return own.length ? [...rootCertificates, extra ?? '', ...own].join('\n') : undefined;
}

function transport(env: Env, options?: TransportOptions): Transport {
  return (request) => {
    const tls = request.url.protocol === 'https:' || env.HTTPS_PROXY || env.https_proxy;
    return nodeTransport(env, tls ? checkCaFiles(env, options?.caFiles) : undefined)(request);
  };
}

/** A reader that went away (`notify … | head`) is no reason to fail a delivery, or to crash. */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
  stream.on('error', () => {});
  return (text) => {
    if (!stream.destroyed) stream.write(text);
  };
}

export const nodePlatform = (): Platform => ({
  env: process.env,
  argv: process.argv.slice(2),
  cwd: currentDir,
  readText,
  writeText,
  appendText,
  stdout: writer(process.stdout),
  stderr: writer(process.stderr),
  onSignal,
  transport,
});
