/** The exit-code contract: pipelines depend on these numbers. */
export const ExitCode = {
  /** Delivered, or skipped because no webhook is configured. */
  Ok: 0,
  /** The message could not be delivered. */
  DeliveryFailed: 1,
  /** The command line or the configuration is wrong. */
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class NotifyError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    // Engines older than ES2022 (the tiny executable's) ignore the options: keep the cause.
    if (options && 'cause' in options && !('cause' in this)) this.cause = options.cause;
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A setting is missing or malformed. Its message says what is wrong and how to fix it. */
export class ConfigError extends NotifyError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/** Delivery failed for good; `code` is a stable machine-readable reason. */
export class DeliveryError extends NotifyError {
  readonly code: string;
  readonly attempts: number;
  constructor(message: string, code: string, attempts: number, options?: ErrorOptions) {
    super(message, ExitCode.DeliveryFailed, options);
    this.code = code;
    this.attempts = attempts;
  }
}

/** Slack (or a compatible server) answered with a non-2xx status. */
export class SlackHttpError extends DeliveryError {
  readonly statusCode: number;
  readonly body: string;
  constructor(message: string, statusCode: number, body: string, attempts: number) {
    super(message, 'slack_http_error', attempts);
    this.statusCode = statusCode;
    this.body = body;
  }
}

/** A chat tool's webhook answered with a non-2xx status. */
export class ChatHttpError extends DeliveryError {
  readonly statusCode: number;
  readonly body: string;
  constructor(message: string, statusCode: number, body: string, attempts: number) {
    super(message, 'chat_http_error', attempts);
    this.statusCode = statusCode;
    this.body = body;
  }
}

/** The request never got an answer: refused, reset, DNS, TLS, timeout. The cause is kept. */
export class SlackRequestError extends DeliveryError {
  constructor(message: string, code: string, attempts: number, cause: unknown) {
    super(message, code, attempts, { cause });
  }
}

/** Slack's Web API answered `ok: false`; `error` is Slack's code, `needed` the missing scope. */
export class SlackApiError extends DeliveryError {
  readonly method: string;
  readonly error: string;
  readonly needed: string | undefined;
  constructor(message: string, method: string, error: string, attempts: number, needed?: string) {
    super(message, `slack_api_${error}`, attempts);
    this.method = method;
    this.error = error;
    this.needed = needed;
  }
}

/**
 * A CI's API answered with something other than the page asked for. The summary falls back to
 * what the variables say: this never decides the exit code.
 */
export class CiApiError extends DeliveryError {
  readonly statusCode: number;
  constructor(message: string, statusCode: number, attempts: number) {
    super(message, 'ci_api_error', attempts);
    this.statusCode = statusCode;
  }
}
