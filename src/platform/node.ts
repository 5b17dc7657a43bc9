// The Platform on Node: node:fs for bounded reads, process for the rest.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { nodeTransport } from '../transport.ts';
import { FileError, type Platform } from './types.ts';

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

export const nodePlatform = (): Platform => ({
  env: process.env,
  argv: process.argv.slice(2),
  cwd: currentDir,
  readText,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal,
  transport: nodeTransport,
});
