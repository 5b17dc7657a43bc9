// The seam between notify's logic and the machine it runs on. Everything that touches the
// outside world — files, the working directory, signals, output, HTTP — is reached through
// these types, so that another runtime can stand in for Node by implementing them once.
import type { Env } from '../context.ts';
import { ConfigError } from '../errors.ts';
import { quote } from '../output.ts';

/** Why a file could not be read. `missing` is the ordinary case of an optional file. */
export type FileProblem = 'missing' | 'not a regular file' | 'too large' | 'unreadable';

export class FileError extends Error {
  readonly path: string;
  readonly problem: FileProblem;
  constructor(path: string, problem: FileProblem, detail?: string) {
    super(`${path}: ${problem}${detail ? ` (${detail})` : ''}`);
    this.name = 'FileError';
    this.path = path;
    this.problem = problem;
  }
}

export interface Platform {
  env: Env;
  argv: readonly string[];
  /** The working directory, or undefined when it no longer exists. */
  cwd(): string | undefined;
  /**
   * A regular file's text, at most `maxBytes` bytes; never blocks (FIFOs, devices and
   * directories are refused) and never reads more than `maxBytes + 1` bytes. Throws FileError.
   */
  readText(path: string, maxBytes: number): string;
  /** Replaces a file's contents whole: readers see the old file or the new one, never half. */
  writeText(path: string, text: string): void;
  /** Adds to the end of a file, creating it: `$GITHUB_OUTPUT`. */
  appendText(path: string, text: string): void;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Calls `handler` on SIGTERM, SIGINT or SIGHUP until the returned function is called. */
  onSignal(handler: (signal: string) => void): () => void;
  /**
   * An HTTP client that reads its proxy and CA settings from `env`; `caFiles` are trusted as
   * well, each named by the setting that gave it (`CI_SERVER_TLS_CA_FILE`).
   */
  transport(env: Env, options?: TransportOptions): Transport;
}

export interface TransportOptions {
  /** More CA files to trust: [the setting that names it, its path]. */
  caFiles?: ReadonlyArray<readonly [name: string, path: string]>;
}

// HTTP as the logic sees it: one POST (or a GET), its answer, bounded in time and size.
export interface HttpResponse {
  statusCode: number;
  /** Lower-case names; a repeated header as an array. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
  /** False when the body was cut short: past `bodyLimit`, or a 2xx body past its grace. */
  complete: boolean;
}

/** A failure before a whole response arrived; `code` is one src/http.ts knows (ECONNREFUSED…). */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

/** A CA file is a few kilobytes; a system's whole bundle a few hundred. */
export const CA_FILE_MAX = 4 * 1024 * 1024;

/**
 * A CA file named by a setting, read bounded (a FIFO or a device must not block TLS's set-up);
 * anything but a readable file is a configuration error naming the setting.
 */
export function readCaFile(
  read: (path: string, maxBytes: number) => string,
  name: string,
  path: string,
): string {
  try {
    return read(path, CA_FILE_MAX);
  } catch (error) {
    const problem = error instanceof FileError ? error.problem : 'unreadable';
    throw new ConfigError(
      `${name} ${quote(path)} cannot be read: ${problem} (expected a PEM file of CA certificates)`,
    );
  }
}

export interface PostOptions {
  url: URL;
  /** POST unless told: a GET sends no body; a PATCH sends one (an edit, on Discord). */
  method?: 'GET' | 'POST' | 'PATCH';
  body: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** At most this many characters of the response body are kept. */
  bodyLimit: number;
  /**
   * How long a 2xx answer's body may take once its status line is in. The status is the
   * answer: a body that trickles must neither hold the job nor turn a posted message into a
   * failure (and a retry into a duplicate).
   */
  okBodyGraceMs: number;
}

export type Transport = (options: PostOptions) => Promise<HttpResponse>;
