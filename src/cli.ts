// The command line: the only module that prints, and the one place an exit code is chosen.
// Everything it needs from the machine comes in through MainOptions (the platform seam).
import { parse as parseDotenv } from 'dotenv';
import {
  applyOverrides,
  DEFAULT_ENV_FILE,
  finishStatus,
  layerEnv,
  resolveConfig,
  SETTINGS,
  type Command,
  type Config,
  type Flags,
  type SettingKey,
} from './config.ts';
import type { Lookup } from './ci-api/index.ts';
import type { CiContext, Env } from './context.ts';
import { ConfigError, DeliveryError, ExitCode, NotifyError } from './errors.ts';
import type { RetryNotice } from './http.ts';
import { buildReport, buildSummaryReport, type Event, type Report } from './report.ts';
import { pipelineKey } from './conversation.ts';
import { plainPieces } from './targets/pieces.ts';
import { renderSlack } from './targets/slack.ts';
import { configured, isFailing, shouldMention, type Mention } from './mentions.ts';
import type { Summary } from './summary.ts';
import { block, isOn, oneLine, quote } from './output.ts';
import { FileError, type Platform } from './platform/types.ts';
import { envLabel } from './environment.ts';
import { detectProvider } from './providers/index.ts';
import { channelRoute, isFailure, sendReasons, skipReason, webhookRoutes } from './routing.ts';
import { maskUrl, Redactor } from './secrets.ts';

declare const __NOTIFY_VERSION__: string | undefined;
export const VERSION = typeof __NOTIFY_VERSION__ === 'string' ? __NOTIFY_VERSION__ : '0.0.0-dev';

/** What main() needs from the machine: the Platform, with the working directory as a value. */
export interface MainOptions extends Pick<
  Platform,
  'readText' | 'writeText' | 'appendText' | 'onSignal' | 'transport'
> {
  argv: readonly string[];
  env: Env;
  /** The working directory; undefined when it no longer exists. */
  cwd: string | undefined;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Told how a start or finish ended, before main returns, for a caller that reports it in a
   * place of its own (the GitHub Action's outputs and step summary). `mask` hides this run's
   * secrets, as every printed line does.
   */
  onOutcome?: (outcome: Outcome, mask: (text: string) => string) => void;
}

/**
 * How a start or finish ended: nothing to send (no destination, or a filter left it out), a
 * dry run, or a message sent or not to every destination; with the report it was drawn from,
 * and where the Slack app's pipeline message is when its turn went through.
 */
export type Outcome =
  | { kind: 'skipped' }
  | {
      kind: 'dry-run' | 'sent' | 'failed';
      report: Report;
      app?: { channel: string; ts: string };
    };

type Parsed =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage'; reason: string }
  | { kind: 'run'; command: Command; flags: Flags }
  | { kind: 'doctor'; flags: Flags; sendTest: boolean };

const EXAMPLES: Array<[string, string]> = [
  ['notify start', 'before_script: announce the pipeline'],
  ['notify finish', 'after_script: report CI_JOB_STATUS'],
  ['notify finish --status ${{ job.status }}', 'GitHub Actions, in a step with if: always()'],
  ['notify start --dry-run', 'print the Slack payload, send nothing'],
  ['notify doctor', 'before a deploy relies on it: is everything in place? Sends nothing'],
  ['notify doctor --send-test', 'the same, and post one test message where start would'],
];

// Bounds on what is read: settings files are small; a GitHub event can carry a long pull
// request body, but nothing near this.
const ENV_FILE_MAX = 64 * 1024;
const EVENT_FILE_MAX = 4 * 1024 * 1024;
/** Retry lines printed before the rest are only counted: a long 429 storm stays readable. */
const RETRY_LINES = 3;

const SPECS = Object.entries(SETTINGS) as Array<[SettingKey, (typeof SETTINGS)[SettingKey]]>;
/** Each long flag, as it is written (kebab case), to its setting. */
const FLAGS = new Map<string, { key: SettingKey; type: 'string' | 'boolean' }>(
  SPECS.map(([key, spec]) => [spec.flag, { key, type: spec.type }]),
);

/** An argument as it may be quoted: a plain word; anything else may be a secret pasted there. */
function shown(arg: string): string | undefined {
  // A mistyped command is a word; a token (xoxb-…, a webhook's last part) has digits or length.
  return /^[a-z][a-z-]{0,23}$/i.test(arg) ? quote(arg) : undefined;
}
const HIDDEN = '(not shown: it may hold a secret)';

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length]!;
}

function suggestion(name: string): string {
  const [best] = [...FLAGS.keys(), 'help', 'version', 'send-test']
    .map((flag) => [flag, distance(name, flag)] as const)
    .sort((a, b) => a[1] - b[1]);
  return best && best[1] <= Math.max(2, Math.floor(name.length / 4))
    ? ` (did you mean --${best[0]}?)`
    : '';
}

/**
 * The command line, read token by token: help and version anywhere, one command, known flags
 * each with its value (the last of a repeated flag wins). A problem is one line naming it,
 * quoting only what cannot be a secret.
 */
export function parseCommandLine(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags: Flags = {};
  let help = false;
  let version = false;
  // doctor's own switch: not a setting, so not in FLAGS.
  let sendTest: boolean | undefined;
  // The first problem; --help or --version later on the line still win, as users expect.
  let problem: string | undefined;
  const blame = (reason: string) => (problem ??= reason);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq < 0 ? arg : arg.slice(0, eq)).replace(/^--?/, '');
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (name === 'help' || name === 'h') help = true;
    else if (name === 'version' || name === 'v') version = true;
    else if (arg.startsWith('--') && (name === 'send-test' || name === 'no-send-test')) {
      if (inline !== undefined && !/^(true|false)$/i.test(inline)) {
        blame(`--${name} takes no value (it is a switch)`);
      } else {
        sendTest = (inline === undefined || /^true$/i.test(inline)) === (name === 'send-test');
      }
    } else if (!arg.startsWith('--')) blame(`unknown option ${/^-\w$/.test(arg) ? arg : HIDDEN}`);
    else {
      const negated = name.startsWith('no-') ? FLAGS.get(name.slice(3)) : undefined;
      const flag = FLAGS.get(name) ?? (negated?.type === 'boolean' ? negated : undefined);
      if (!flag) {
        const plain = /^[\w-]{1,40}$/.test(name);
        blame(plain ? `unknown option --${name}${suggestion(name)}` : `unknown option ${HIDDEN}`);
      } else if (flag.type === 'boolean') {
        if (inline !== undefined && !/^(true|false)$/i.test(inline)) {
          blame(`--${name} takes no value (it is a switch)`);
        } else {
          flags[flag.key] = (inline === undefined || /^true$/i.test(inline)) !== Boolean(negated);
        }
      } else if (inline !== undefined) {
        flags[flag.key] = inline;
      } else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) {
          blame(`--${name} needs a value`);
        } else {
          flags[flag.key] = next;
          i++;
        }
      }
    }
  }
  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };
  if (problem) return { kind: 'usage', reason: problem };
  const [command, extra] = positional;
  if (command === undefined) {
    return { kind: 'usage', reason: 'name a command: start, finish or doctor' };
  }
  if (command !== 'start' && command !== 'finish' && command !== 'doctor') {
    const what = shown(command);
    const near = ['start', 'finish', 'doctor'].find(
      (name) => distance(command.toLowerCase(), name) <= 2,
    );
    return {
      kind: 'usage',
      reason: what
        ? `unknown command ${what} (${near ? `did you mean ${near}?` : 'expected start, finish or doctor'})`
        : `unknown command ${HIDDEN}; expected start, finish or doctor`,
    };
  }
  if (extra !== undefined) {
    const what = shown(extra);
    return {
      kind: 'usage',
      reason: what
        ? `unexpected argument ${what} after ${command}`
        : `unexpected argument after ${command} ${HIDDEN}`,
    };
  }
  if (command === 'doctor') return { kind: 'doctor', flags, sendTest: sendTest ?? false };
  if (sendTest !== undefined) {
    return { kind: 'usage', reason: `--send-test is for notify doctor, not ${command}` };
  }
  return { kind: 'run', command, flags };
}

/** `--help`: yargs draws it from the settings table; loaded only here, it costs more than a run. */
async function helpText(): Promise<string> {
  const { default: yargs } = await import('yargs');
  const cli = yargs()
    .scriptName('notify')
    .usage(
      'notify <command> [options]\n\nTell your team in chat (Slack, Mattermost, Teams, Discord, Google Chat) that a pipeline started\nand how it ended.',
    )
    .command('start', 'Announce that the pipeline started')
    .command('finish', 'Report how the job ended (success, failed, canceled, timed out)')
    .command(
      'doctor',
      'Check that everything is in place: the CI facts, where each setting came from, the webhook or the Slack app (token, scopes, channel), Grafana; one line per problem with its fix',
    )
    .version(false)
    .help(false)
    .wrap(100)
    .epilog(
      'Settings: flags, then the environment (CI/CD variables), then a .env file, then defaults.\n' +
        'In CI a .env file is read only when --env-file or NOTIFY_ENV_FILE names it.\n' +
        'Exit codes: 0 delivered or skipped, 1 delivery failed, 2 usage or configuration error.\n' +
        'notify doctor: 0 all good, 1 something unreachable, 2 misconfigured.',
    );
  for (const [command, description] of EXAMPLES) cli.example(command, description);
  cli.option('help', { type: 'boolean', describe: 'Show this help', alias: 'h' });
  cli.option('version', { type: 'boolean', describe: 'Show the version', alias: 'v' });
  for (const [, spec] of SPECS) {
    cli.option(spec.flag, {
      type: spec.type,
      describe: `${spec.describe} [$${spec.env}]`,
      group: `${spec.group}:`,
    });
  }
  cli.option('send-test', {
    type: 'boolean',
    describe: 'notify doctor only: post one test message where start would',
    group: 'Doctor:',
  });
  return cli.getHelp();
}

const isAbsolute = (path: string) => path.startsWith('/');
const within = (cwd: string | undefined, path: string) =>
  isAbsolute(path) ? path : cwd === undefined ? undefined : `${cwd.replace(/\/+$/, '')}/${path}`;

/** Whether this is a CI job: then a checkout's .env is read only when named. */
// CIs that do not set CI themselves (Jenkins, Azure Pipelines, TeamCity…), by their markers.
const CI_MARKERS = [
  'JENKINS_URL',
  'TF_BUILD',
  'TEAMCITY_VERSION',
  'BUILDKITE',
  'CIRCLECI',
  'BITBUCKET_BUILD_NUMBER',
  'DRONE',
  'CODEBUILD_BUILD_ID',
  'GITLAB_CI',
  'GITHUB_ACTIONS',
];

function inCi(env: Env): boolean {
  return (
    isOn(env.CI) || CI_MARKERS.some((name) => env[name]) || detectProvider(env).name !== 'local'
  );
}

/** The .env file's variables: named ones must be readable; the default one is optional. */
function readDotenv(
  flags: Flags,
  options: MainOptions,
  warn: (text: string) => void,
  read?: (path: string) => void,
): Env {
  const { env, cwd } = options;
  const fromFlag = typeof flags.envFile === 'string' ? flags.envFile.trim() : '';
  const explicit = fromFlag || env.NOTIFY_ENV_FILE?.trim() || undefined;
  const setting = fromFlag ? '--env-file' : 'NOTIFY_ENV_FILE';
  if (!explicit && inCi(env)) return {};
  const name = explicit ?? DEFAULT_ENV_FILE;
  const path = within(cwd, name);
  if (path === undefined) {
    if (!explicit) return {};
    throw new ConfigError(
      `${setting} ${quote(name)} is relative, but the working directory no longer exists; give an absolute path`,
    );
  }
  let text: string;
  try {
    text = options.readText(path, ENV_FILE_MAX);
  } catch (error) {
    const problem = error instanceof FileError ? error.problem : 'unreadable';
    if (explicit) {
      throw new ConfigError(
        `env file ${quote(path)} cannot be read: ${problem} (check ${setting})`,
      );
    }
    if (problem !== 'missing') warn(`notify: warning: ${quote(path)} is ${problem}; not read`);
    return {};
  }
  read?.(path);
  return parseDotenv(text);
}

function redactorFor(flags: Flags, env: Env, dotenv: Env): Redactor {
  const redactor = new Redactor();
  for (const value of [
    flags.webhookUrl,
    env.SLACK_WEBHOOK_URL,
    dotenv.SLACK_WEBHOOK_URL,
    flags.failureWebhookUrl,
    env.NOTIFY_FAILURE_WEBHOOK_URL,
    dotenv.NOTIFY_FAILURE_WEBHOOK_URL,
  ]) {
    if (typeof value === 'string') redactor.addUrl(value);
  }
  // Every URL in a webhook map is a secret too, whether or not the map reads.
  for (const map of [flags.webhookMap, env.NOTIFY_WEBHOOK_MAP, dotenv.NOTIFY_WEBHOOK_MAP]) {
    if (typeof map !== 'string') continue;
    for (const entry of map.split(/[,\n]/)) {
      // Either side may be the URL (an entry written the wrong way round is still a secret).
      redactor.addUrl(entry.slice(entry.indexOf('=') + 1));
      for (const part of entry.split('=')) if (part.includes('://')) redactor.addUrl(part);
    }
  }
  for (const value of [
    flags.botToken,
    flags.gitlabToken,
    flags.githubToken,
    ...TOKENS.flatMap((name) => [env[name], dotenv[name]]),
  ]) {
    if (typeof value === 'string' && value.trim()) redactor.add(value.trim(), '****');
  }
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    const proxy = env[name]?.trim();
    if (!proxy) continue;
    try {
      // The password only: a user name (gitlab-runner, proxy) is no secret, and masking it would
      // garble every host and word it shares a beginning with.
      const url = new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
      if (url.password) redactor.add(url.password, '****');
    } catch {
      // Not a URL: it holds no credentials we can find, and no request will go through it.
    }
  }
  return redactor;
}

/** Tokens, masked wherever they could be printed: a CI's API token is a secret like Slack's. */
const TOKENS = ['SLACK_BOT_TOKEN', 'NOTIFY_GITLAB_TOKEN', 'NOTIFY_GITHUB_TOKEN', 'GITHUB_TOKEN'];

interface Printer {
  say(line: string): void;
  warn(line: string): void;
  sayBlock(text: string): void;
  warnBlock(text: string): void;
  /** The text with this run's secrets masked, as each line printed is. */
  mask(text: string): string;
}

/**
 * What a CI's API adds to a finish: the pipeline's jobs for `--scope pipeline`, this job's own
 * link. Given half of NOTIFY_TIMEOUT at most, so that the message keeps time to go out; what
 * cannot be read is one line, and the message says what the variables say.
 */
async function lookUp(
  config: Config,
  ctx: CiContext,
  env: Env,
  options: MainOptions,
  out: Printer,
  onRetry: (notice: RetryNotice) => void,
): Promise<{ ctx: CiContext; summary?: Summary }> {
  const { summary: settings } = config;
  const wanted = config.scope === 'pipeline' || (ctx.provider === 'github' && settings.githubToken);
  if (!wanted) return { ctx };
  const { lookup } = await import('./ci-api/index.ts');
  const stop = new AbortController();
  const release = options.onSignal((signal) => stop.abort(signal));
  let found: Lookup;
  try {
    found = await lookup({
      scope: config.scope,
      ctx,
      env,
      settings,
      timeoutMs: Math.max(1, Math.floor(config.timeoutMs / 2)),
      signal: stop.signal,
      platform: options,
      onRetry,
      nowMs: Date.now,
    });
  } finally {
    release();
  }
  if (stop.signal.aborted) {
    throw new DeliveryError(
      `interrupted by ${String(stop.signal.reason)} before the message was sent`,
      'interrupted',
      0,
    );
  }
  for (const warning of found.warnings) out.warn(`notify: warning: ${warning}`);
  if (found.note) out.warn(`notify: note: ${found.note}`);
  const change =
    ctx.change && found.author && !ctx.change.author
      ? {
          ...ctx.change,
          author: found.author.login,
          ...(found.author.url ? { authorUrl: found.author.url } : {}),
        }
      : ctx.change;
  return {
    ctx: {
      ...ctx,
      ...(change ? { change } : {}),
      // The job's own page, unless the job named one.
      job: { ...ctx.job, url: config.overrides.jobUrl ?? found.jobUrl ?? ctx.job.url },
    },
    ...(found.summary ? { summary: found.summary } : {}),
  };
}

async function run(
  command: Command,
  flags: Flags,
  options: MainOptions,
  dotenv: Env,
  out: Printer,
): Promise<ExitCode> {
  const { env: merged, ignored } = layerEnv(options.env, dotenv, inCi(options.env));
  for (const name of ignored) {
    out.warn(`notify: warning: ${name} in the env file is ignored: it only comes from the job`);
  }
  const config = resolveConfig(command, flags, merged);
  const provider = detectProvider(merged);
  const io = {
    readFile: (path: string) => {
      const full = within(options.cwd, path);
      if (full === undefined) throw new FileError(path, 'missing');
      try {
        return options.readText(full, EVENT_FILE_MAX);
      } catch (error) {
        // Optional context: a missing file is normal; anything else is worth one line.
        if (error instanceof FileError && error.problem !== 'missing') {
          out.warn(`notify: warning: ${quote(full)} is ${error.problem}; ignored`);
        }
        throw error;
      }
    },
  };
  let ctx = applyOverrides(provider.context(merged, io), config.overrides);
  let retries = 0;
  const onRetry = ({ attempt, delayMs, reason }: RetryNotice) => {
    retries++;
    if (retries <= RETRY_LINES) {
      out.warn(
        `notify: attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s`,
      );
    } else if (retries === RETRY_LINES + 1) {
      out.warn('notify: still retrying; further attempts are counted, not printed');
    }
  };
  // The whole command, lookups and deliveries, ends within NOTIFY_TIMEOUT.
  const until = Date.now() + config.timeoutMs;
  let event: Event = { kind: 'start', scope: config.scope };
  let summary: Summary | undefined;
  // A CI's API is read only for a message that can go somewhere, from a ref that notifies.
  const somewhere =
    config.dryRun ||
    config.app ||
    config.webhookUrl ||
    config.routes.webhookMap.length ||
    config.routes.failureWebhookUrl;
  const ref = { branches: config.filter.branches };
  if (command === 'finish' && somewhere && !skipReason(ref, ctx, event)) {
    const found = await lookUp(config, ctx, merged, options, out, onRetry);
    ctx = found.ctx;
    summary = found.summary;
  }
  if (summary) {
    // The pipeline's result is its jobs', never the summary job's own status.
    event = { kind: 'finish', status: summary.result, scope: 'pipeline' };
  } else if (command === 'finish') {
    const { status, warning } = finishStatus(config, ctx);
    if (warning) out.warn(`notify: warning: ${warning}`);
    event = { kind: 'finish', status, scope: config.scope };
  }
  const told = (outcome: Outcome) => options.onOutcome?.(outcome, out.mask);
  const skip = skipReason(config.filter, ctx, event);
  if (skip) {
    out.say(`notify: not sending the ${command} notification: ${skip}`);
    told({ kind: 'skipped' });
    return ExitCode.Ok;
  }
  const label = envLabel(ctx, config.message.environment);
  // Without the Slack app there is no history to compare with, and no one to look up: a failure
  // calls whom NOTIFY_MENTION names.
  // The Slack app decides from the channel's history, at send time.
  const mentions =
    !config.app &&
    event.kind === 'finish' &&
    isFailing(event.status) &&
    shouldMention(config.mentions.on, event.status)
      ? configured(config.mentions, label)
      : [];
  const key = pipelineKey(ctx);
  const keys = {
    ...(key ? { pipeline: Object.values(key).join('/') } : {}),
    ...(ctx.job.name || ctx.job.id ? { job: ctx.job.id ?? ctx.job.name } : {}),
  };
  // One report of what to say; Slack's payload, and every other tool's, are drawn from it.
  const reportWith = (called: readonly Mention[]): Report => ({
    ...(summary
      ? buildSummaryReport(ctx, summary, config.message, { mentions: called })
      : buildReport(ctx, event, config.message, { mentions: called })),
    keys,
  });
  const payloadWith = (called: readonly Mention[]) => renderSlack(reportWith(called));
  const payload = payloadWith(mentions);
  // What the Slack app decided, for the other destinations of a failure.
  let decided: readonly Mention[] = mentions;
  const app = config.app && {
    ...config.app,
    channel: channelRoute(config.routes, config.app.channel, label).to,
  };
  const failureChannel = isFailure(event) ? config.routes.failureChannel : undefined;
  const hooks = webhookRoutes(config.routes, config.webhookUrl, label, event);
  // A Slack app replaces the webhook, not the failure webhook.
  const webhooks = app
    ? hooks.filter((hook) => hook.to === config.routes.failureWebhookUrl)
    : hooks;
  // Each webhook's chat tool, from its URL or NOTIFY_TARGET: a retired kind of URL is exit 2
  // before anything is sent.
  const { pickTarget } = await import('./targets/index.ts');
  const picked = webhooks.map((hook) => ({
    hook,
    ...pickTarget(
      hook.to,
      config.target,
      hook.to === config.routes.failureWebhookUrl
        ? 'NOTIFY_FAILURE_WEBHOOK_URL'
        : 'SLACK_WEBHOOK_URL',
    ),
  }));
  if (config.dryRun) {
    for (const { target, why } of picked) out.warn(`notify: dry run: for ${target.title}: ${why}`);
    const bySlack = picked.every(({ target }) => target.name === 'slack');
    const rendered = () =>
      Object.fromEntries(
        picked.map(({ target }) => [target.name, target.render(reportWith(mentions))]),
      );
    const because = sendReasons(config.filter, ctx, event);
    const routed =
      because.length || config.routes.webhookMap.length || config.routes.failureWebhookUrl;
    out.sayBlock(
      JSON.stringify(
        app
          ? {
              mode: 'slack app: SLACK_BOT_TOKEN is set, so it is used and the webhook is not',
              ...(because.length ? { because } : {}),
              channel: app.channel,
              ...(config.routes.channelMap.length
                ? { why: channelRoute(config.routes, config.app!.channel, label).why }
                : {}),
              ...(failureChannel ? { alsoTo: failureChannel } : {}),
              ...(webhooks.length ? { alsoToWebhook: maskUrl(webhooks[0]!.to) } : {}),
              message: payload,
            }
          : routed
            ? {
                ...(because.length ? { because } : {}),
                to: picked.map(({ hook, target, why }) => ({
                  webhook: maskUrl(hook.to),
                  why: hook.why,
                  chat: target.name,
                  chatWhy: why,
                })),
                ...(bySlack ? { message: payload } : { messages: rendered() }),
              }
            : bySlack
              ? payload
              : {
                  chat: picked[0]!.target.name,
                  why: picked[0]!.why,
                  message: rendered()[picked[0]!.target.name],
                },
        null,
        2,
      ),
    );
    told({ kind: 'dry-run', report: reportWith(mentions) });
    return ExitCode.Ok;
  }
  if (!app && !hooks.length) {
    const mapped = config.routes.webhookMap.length
      ? ` (NOTIFY_WEBHOOK_MAP has no entry for ${label === undefined ? 'a run without an environment label' : quote(label)})`
      : '';
    out.say(
      `notify: neither SLACK_WEBHOOK_URL nor SLACK_BOT_TOKEN is set${mapped}; skipping the ${command} notification`,
    );
    told({ kind: 'skipped' });
    return ExitCode.Ok;
  }
  const stop = new AbortController();
  const release = options.onSignal((signal) => stop.abort(signal));
  // Every destination in turn, within the one NOTIFY_TIMEOUT: each gets an equal share of the
  // time left, and one that fails does not keep the next (the on-call channel) from hearing.
  const steps: Array<{ to: string; send: (timeoutMs: number) => Promise<string> }> = [];
  let appDone: { channel: string; ts: string } | undefined;
  const sent = (kind: 'sent' | 'failed') =>
    told({ kind, report: reportWith(decided), ...(appDone ? { app: appDone } : {}) });
  try {
    // Loaded only when a message is really sent: --help, --version and --dry-run stay fast.
    if (app) {
      const { postElsewhere, runApp } = await import('./app.ts');
      const turn = { app, env: merged, platform: options, signal: stop.signal, onRetry };
      steps.push({
        to: `the pipeline message in ${app.channel}`,
        send: async (timeoutMs) => {
          const done = await runApp({
            ...turn,
            timeoutMs,
            command,
            ctx,
            event,
            ...(summary ? { summary } : {}),
            mentions: config.mentions,
            message: config.message,
            now: Date.now,
            warn: out.warn,
          });
          decided = done.mentions;
          appDone = { channel: done.channel, ts: done.ts };
          return `notify: ${done.posted ? 'posted' : 'updated'} the pipeline message in ${done.channel} (ts ${done.ts}): ${done.text}`;
        },
      });
      if (failureChannel) {
        steps.push({
          to: failureChannel,
          send: async (timeoutMs) => {
            const also = await postElsewhere(
              { ...turn, timeoutMs },
              failureChannel,
              payloadWith(decided),
            );
            return `notify: posted the failure in ${also.channel} too (NOTIFY_FAILURE_CHANNEL)`;
          },
        });
      }
    }
    if (picked.length) {
      const { sendToWebhook } = await import('./webhook.ts');
      for (const { hook, target } of picked) {
        steps.push({
          to: maskUrl(hook.to),
          send: async (timeoutMs) => {
            const report = reportWith(decided);
            const result = await sendToWebhook({
              target,
              url: hook.to,
              report,
              command,
              timeoutMs,
              env: merged,
              signal: stop.signal,
              transport: options.transport(merged),
              onRetry,
              platform: options,
              warn: out.warn,
            });
            const tries = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`;
            const where = target.name === 'slack' ? '' : `${target.title} at `;
            const said = target.name === 'slack' ? payload.text : plainPieces(report.headline);
            return `notify: ${result.edited ? 'updated' : 'sent'} the ${command} notification to ${where}${maskUrl(hook.to)} (${tries}): ${said}`;
          },
        });
      }
    }
    let failures = 0;
    for (const [i, step] of steps.entries()) {
      const share = Math.max(1, Math.floor((until - Date.now()) / (steps.length - i)));
      try {
        out.say(await step.send(share));
      } catch (error) {
        if (!(error instanceof NotifyError) || error instanceof ConfigError || steps.length === 1)
          throw error;
        failures++;
        out.warn(`notify: delivery to ${step.to} failed: ${error.message}`);
      }
    }
    if (failures) {
      throw new DeliveryError(
        `${failures} of ${steps.length} destinations did not get the message`,
        'partial',
        0,
      );
    }
    sent('sent');
    return ExitCode.Ok;
  } catch (error) {
    sent('failed');
    if (error instanceof NotifyError && !(error instanceof ConfigError) && config.softFail) {
      out.warn(`notify: warning: delivery failed: ${error.message} (soft fail: exiting 0)`);
      return ExitCode.Ok;
    }
    throw error;
  } finally {
    release();
  }
}

/** What reading the .env file gave doctor: where it was, and what went wrong. */
interface DotenvRead {
  path?: string;
  errors: ConfigError[];
  warnings: string[];
}

/** `notify doctor`: its inputs from the machine, its lines through the one print point. */
async function doctorCommand(
  parsed: Extract<Parsed, { kind: 'doctor' }>,
  options: MainOptions,
  dotenv: Env,
  read: DotenvRead,
  out: Printer,
): Promise<ExitCode> {
  const { doctor } = await import('./doctor.ts');
  const stop = new AbortController();
  const release = options.onSignal((signal) => stop.abort(signal));
  try {
    return await doctor({
      flags: parsed.flags,
      sendTest: parsed.sendTest,
      env: options.env,
      dotenv,
      ...(read.path ? { dotenvPath: read.path } : {}),
      dotenvErrors: read.errors,
      dotenvWarnings: read.warnings,
      inCi: inCi(options.env),
      io: {
        // A provider's optional file (GitHub's event): one that cannot be read is left out.
        readFile: (path) => {
          const full = within(options.cwd, path);
          if (full === undefined) throw new FileError(path, 'missing');
          return options.readText(full, EVENT_FILE_MAX);
        },
      },
      transport: (env) => options.transport(env),
      signal: stop.signal,
      now: Date.now,
      say: out.say,
      version: VERSION,
    });
  } finally {
    release();
  }
}

export async function main(options: MainOptions): Promise<ExitCode> {
  const { env } = options;
  let redactor = new Redactor().addUrl(env.SLACK_WEBHOOK_URL);
  for (const name of TOKENS) {
    const token = env[name]?.trim();
    if (token) redactor.add(token, '****');
  }
  // The one print point: secrets masked first, then control characters shown, then cut.
  const out: Printer = {
    say: (line) => options.stdout(`${oneLine(redactor.redact(line))}\n`),
    warn: (line) => options.stderr(`${oneLine(redactor.redact(line))}\n`),
    sayBlock: (text) => options.stdout(`${block(redactor.redact(text))}\n`),
    warnBlock: (text) => options.stderr(`${block(redactor.redact(text))}\n`),
    mask: (text) => redactor.redact(text),
  };

  try {
    const parsed = parseCommandLine(options.argv);
    switch (parsed.kind) {
      case 'version':
        out.say(VERSION);
        return ExitCode.Ok;
      case 'help':
        out.sayBlock(await helpText());
        return ExitCode.Ok;
      case 'usage':
        out.warn(`notify: ${parsed.reason}`);
        out.warn('Run notify --help to see the commands and options.');
        return ExitCode.Usage;
      case 'doctor': {
        // Doctor reports what the .env file did, and carries on without it.
        const read: DotenvRead = { errors: [], warnings: [] };
        let dotenv: Env = {};
        try {
          dotenv = readDotenv(
            parsed.flags,
            options,
            (line) => read.warnings.push(line.replace(/^notify: warning: /, '')),
            (path) => (read.path = path),
          );
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          read.errors.push(error);
        }
        redactor = redactorFor(parsed.flags, env, dotenv);
        return await doctorCommand(parsed, options, dotenv, read, out);
      }
      case 'run': {
        const dotenv = readDotenv(parsed.flags, options, out.warn);
        redactor = redactorFor(parsed.flags, env, dotenv);
        return await run(parsed.command, parsed.flags, options, dotenv, out);
      }
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      out.warn(`notify: ${error.message}`);
    } else if (error instanceof NotifyError) {
      out.warn(`notify: delivery failed: ${error.message}`);
    } else {
      out.warn(
        `notify: unexpected error: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (isOn(env.DEBUG) && error instanceof Error && error.stack) out.warnBlock(error.stack);
    return error instanceof NotifyError ? error.exitCode : ExitCode.DeliveryFailed;
  }
}
