// The command line: the only module that prints, and the one place an exit code is chosen.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import parseArgv from 'yargs-parser';
import {
  applyOverrides,
  DEFAULT_ENV_FILE,
  finishStatus,
  layerEnv,
  resolveConfig,
  SETTINGS,
  type Command,
  type Flags,
  type SettingKey,
} from './config.ts';
import type { Env } from './context.ts';
import { ConfigError, ExitCode, NotifyError } from './errors.ts';
import { buildMessage, type Event } from './message.ts';
import { detectProvider } from './providers/index.ts';
import { maskUrl, Redactor } from './secrets.ts';

declare const __NOTIFY_VERSION__: string | undefined;
export const VERSION = typeof __NOTIFY_VERSION__ === 'string' ? __NOTIFY_VERSION__ : '0.0.0-dev';

export interface MainOptions {
  argv: readonly string[];
  env: Env;
  cwd?: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

type Parsed =
  | { kind: 'output'; text: string }
  | { kind: 'usage'; text: string }
  | { kind: 'run'; command: Command; flags: Flags };

const EXAMPLES: Array<[string, string]> = [
  ['notify start', 'before_script: announce the pipeline'],
  ['notify finish', 'after_script: report CI_JOB_STATUS'],
  ['notify finish --status ${{ job.status }}', 'GitHub Actions, in a step with if: always()'],
  ['notify start --dry-run', 'print the Slack payload, send nothing'],
];

const STRING_FLAGS = Object.values(SETTINGS).flatMap((s) => (s.type === 'string' ? [s.flag] : []));
const BOOLEAN_FLAGS = Object.values(SETTINGS).flatMap((s) =>
  s.type === 'boolean' ? [s.flag] : [],
);
const SETTING_KEYS = new Set<string>(Object.keys(SETTINGS));

/**
 * The common case — a command and known flags — parsed with yargs' own parser alone. Anything
 * else (help, version, an unknown flag, an empty or missing value) returns undefined and goes to
 * the full yargs, which explains it; loading that costs more than the rest of a run.
 */
export function quickParse(argv: readonly string[]): Parsed | undefined {
  const args = parseArgv([...argv], {
    string: STRING_FLAGS,
    boolean: BOOLEAN_FLAGS,
    configuration: { 'strip-dashed': true, 'duplicate-arguments-array': false },
  });
  const [command, ...extra] = args._;
  if (extra.length || (command !== 'start' && command !== 'finish')) return undefined;
  for (const [key, value] of Object.entries(args)) {
    if (key === '_' || (value === undefined && SETTING_KEYS.has(key))) continue;
    if (!SETTING_KEYS.has(key) || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'boolean') return undefined;
  }
  return { kind: 'run', command, flags: pickFlags(args) };
}

/** The settings among parsed arguments, by their camel-case keys. */
function pickFlags(args: Readonly<Record<string, unknown>>): Flags {
  const flags: Flags = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const value = args[key];
    if (typeof value === 'string' || typeof value === 'boolean') flags[key] = value;
  }
  return flags;
}

async function parseArgs(argv: readonly string[]): Promise<Parsed> {
  const { default: yargs } = await import('yargs');
  const cli = yargs()
    .scriptName('notify')
    .usage(
      'notify <command> [options]\n\nTell your team in Slack that a pipeline started and how it ended.',
    )
    .command('start', 'Announce that the pipeline started')
    .command('finish', 'Report how the job ended (success, failed, canceled, timed out)')
    .demandCommand(1, 1, 'Name a command: start or finish', 'Name one command: start or finish')
    .strict()
    // A flag given twice takes its last value, as in most command lines; never an array.
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .version(VERSION)
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilog(
      'Flags win over NOTIFY_* variables, which win over a .env file, which wins over CI variables.\n' +
        'Exit codes: 0 delivered or skipped, 1 delivery failed, 2 usage or configuration error.',
    );
  for (const [command, description] of EXAMPLES) cli.example(command, description);
  for (const spec of Object.values(SETTINGS)) {
    cli.option(spec.flag, {
      type: spec.type,
      describe: `${spec.describe} [$${spec.env}]`,
      group: `${spec.group}:`,
      requiresArg: spec.type === 'string',
    });
  }
  return new Promise((done) => {
    cli.parse([...argv], {}, (error, args, output) => {
      if (error) return done({ kind: 'usage', text: output || error.message });
      if (output) return done({ kind: 'output', text: output });
      const command = String(args._[0]) as Command;
      done({ kind: 'run', command, flags: pickFlags(args) });
    });
  });
}

/** The optional .env file; a file named explicitly must exist. */
function readDotenv(flags: Flags, env: Env, cwd: string): Env {
  const explicit = typeof flags.envFile === 'string' ? flags.envFile : env.NOTIFY_ENV_FILE?.trim();
  const path = resolve(cwd, explicit || DEFAULT_ENV_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    if (explicit)
      throw new ConfigError(`env file ${path} cannot be read (check --env-file / NOTIFY_ENV_FILE)`);
    return {};
  }
  return parseDotenv(text);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function redactorFor(flags: Flags, env: Env, dotenv: Env): Redactor {
  const redactor = new Redactor();
  for (const value of [flags.webhookUrl, env.SLACK_WEBHOOK_URL, dotenv.SLACK_WEBHOOK_URL]) {
    if (typeof value === 'string') redactor.addUrl(value);
  }
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    for (const source of [env, dotenv]) {
      const proxy = source[name];
      if (!proxy) continue;
      try {
        const url = new URL(proxy);
        // As written in the URL, and decoded as it goes over the wire.
        if (url.password) redactor.add(url.password, '****').add(decoded(url.password), '****');
      } catch {
        // Not a URL: it holds no credentials we can find, and no request will go through it.
      }
    }
  }
  return redactor;
}

async function run(
  command: Command,
  flags: Flags,
  env: Env,
  dotenv: Env,
  cwd: string,
  say: (text: string) => void,
  warn: (text: string) => void,
): Promise<ExitCode> {
  const merged = layerEnv(env, dotenv);
  const config = resolveConfig(command, flags, merged);
  const provider = detectProvider(merged);
  const io = { readFile: (path: string) => readFileSync(resolve(cwd, path), 'utf8') };
  const ctx = applyOverrides(provider.context(merged, io), config.overrides);
  let event: Event = { kind: 'start', scope: config.scope };
  if (command === 'finish') {
    const { status, warning } = finishStatus(config, ctx);
    if (warning) warn(`notify: warning: ${warning}`);
    event = { kind: 'finish', status, scope: config.scope };
  }
  const payload = buildMessage(ctx, event, config.message);
  if (config.dryRun) {
    say(JSON.stringify(payload, null, 2));
    return ExitCode.Ok;
  }
  if (!config.webhookUrl) {
    say(`notify: SLACK_WEBHOOK_URL is not set; skipping the ${command} notification`);
    return ExitCode.Ok;
  }
  // Loaded only when a message is really sent: --help, --version and --dry-run stay fast.
  const { deliver } = await import('./slack.ts');
  try {
    const result = await deliver({
      url: config.webhookUrl,
      payload,
      timeoutMs: config.timeoutMs,
      env: merged,
      onRetry: ({ attempt, delayMs, reason }) =>
        warn(
          `notify: attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s`,
        ),
    });
    const tries = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`;
    say(
      `notify: sent the ${command} notification to ${maskUrl(config.webhookUrl)} (${tries}): ${payload.text}`,
    );
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof NotifyError && config.softFail) {
      warn(`notify: warning: delivery failed: ${error.message} (soft fail: exiting 0)`);
      return ExitCode.Ok;
    }
    throw error;
  }
}

export async function main(options: MainOptions): Promise<ExitCode> {
  const { env } = options;
  const cwd = options.cwd ?? process.cwd();
  let redactor = new Redactor().addUrl(env.SLACK_WEBHOOK_URL);
  const print = (write: (text: string) => void) => (text: string) =>
    write(`${redactor.redact(text)}\n`);
  const say = print(options.stdout ?? ((text) => process.stdout.write(text)));
  const warn = print(options.stderr ?? ((text) => process.stderr.write(text)));

  try {
    if (options.argv.length === 1 && ['--version', '-v'].includes(options.argv[0]!)) {
      say(VERSION);
      return ExitCode.Ok;
    }
    const parsed = quickParse(options.argv) ?? (await parseArgs(options.argv));
    if (parsed.kind === 'output') {
      say(parsed.text);
      return ExitCode.Ok;
    }
    if (parsed.kind === 'usage') {
      // The usage error may quote an argument: a webhook URL passed by mistake stays masked.
      for (const arg of options.argv) {
        for (const url of arg.matchAll(/https?:\/\/\S+/g)) redactor.addUrl(url[0]);
      }
      warn(parsed.text);
      return ExitCode.Usage;
    }
    const dotenv = readDotenv(parsed.flags, env, cwd);
    redactor = redactorFor(parsed.flags, env, dotenv);
    return await run(parsed.command, parsed.flags, env, dotenv, cwd, say, warn);
  } catch (error) {
    if (error instanceof ConfigError) {
      warn(`notify: ${error.message}`);
    } else if (error instanceof NotifyError) {
      warn(`notify: delivery failed: ${error.message}`);
    } else {
      warn(`notify: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (env.DEBUG && error instanceof Error && error.stack) warn(error.stack);
    return error instanceof NotifyError ? error.exitCode : ExitCode.DeliveryFailed;
  }
}
