// What every delivery test needs: the env a CI job would give notify, the secrets that must
// never be printed, and servers that are closed after each test whatever its outcome.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import { WEBHOOK_PATH } from '../helpers/fake-slack.ts';
import { listen, type Listening } from '../helpers/listen.ts';
import { GITLAB_ENV, runNotify, type RunOptions, type RunResult } from '../helpers/run.ts';

export const TOKEN = 's3cr3tT0kenS3cr3tT0ken';

/** A GitLab job's env with the webhook and the given settings; nothing from this process. */
export function jobEnv(
  webhookUrl: string | undefined,
  settings: Record<string, string> = {},
): Record<string, string> {
  return {
    ...GITLAB_ENV,
    ...(webhookUrl === undefined ? {} : { SLACK_WEBHOOK_URL: webhookUrl }),
    ...settings,
  };
}

// notify reads ./.env: run it where there is none, so a stray one in the checkout cannot change
// what a test sets up.
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'notify-delivery-'));
afterAll(() => rmSync(EMPTY_DIR, { recursive: true, force: true }));

/** The built executable, spawned from an empty directory with exactly the given env. */
export function notify(
  args: readonly string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<RunResult> {
  return runNotify(args, env, { cwd: EMPTY_DIR, ...options });
}

/** Neither the webhook (whole, its path, its token) nor any extra secret reaches the output. */
export function expectNoSecrets(result: RunResult, ...extra: Array<string | undefined>): void {
  const output = `${result.stdout}\n${result.stderr}`;
  for (const secret of [WEBHOOK_PATH, TOKEN, ...extra]) {
    if (secret) expect(output).not.toContain(secret);
  }
}

/** The output's lines, without the trailing newline's empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** The one line notify printed on stderr (and nothing else there). */
export function oneLine(text: string): string {
  const all = lines(text);
  expect(all, text).toHaveLength(1);
  return all[0]!;
}

interface Closable {
  close(): Promise<void>;
}

/** Returns `track`: whatever it is given is closed after the current test, pass or fail. */
export function closeAfterEach(): <T extends Closable>(server: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return (server) => {
    open.push(server);
    return server;
  };
}

/** A port that was just listened on and closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type CountingRelay = Listening;

/**
 * A TCP relay to 127.0.0.1:`port` that counts connections, e.g. failed TLS handshakes; it
 * listens on 127.0.0.1 unless told another address (::1).
 */
export function startCountingRelay(port: number, host = '127.0.0.1'): Promise<CountingRelay> {
  return listen(
    createServer((client) => {
      const upstream = connect(port, '127.0.0.1');
      upstream.on('error', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    }),
    host,
  );
}

export type RawServer = Listening;

/**
 * A TCP server that answers each connection's first bytes with `reply` and hangs up, or, without
 * one, never says a word: a peer that blackholes us.
 */
export function startRawServer(reply?: string): Promise<RawServer> {
  return listen(
    createServer((socket) => {
      if (reply !== undefined) socket.once('data', () => socket.end(reply));
    }),
  );
}

/** Accepts TCP connections and never says a word. */
export const startSilentServer = (): Promise<RawServer> => startRawServer();
