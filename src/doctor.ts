// notify doctor: before a deploy depends on it, whether everything is in place. What the CI says
// (the facts), where each setting came from, and whether the webhook, the Slack app (its token,
// scopes and channels) and Grafana answer; one line per problem, with its fix. Nothing is posted
// unless asked (--send-test). Every line goes out through the printer it is given.
import { pickTarget, type Picked } from './targets/index.ts';
import type { TargetName } from './targets/types.ts';
import {
  applyOverrides,
  CHANNEL_ID,
  layerEnv,
  resolveConfig,
  SETTINGS,
  type AppConfig,
  type Config,
  type Flags,
  type SettingKey,
} from './config.ts';
import type { CiContext, Env, Provider, ProviderIo } from './context.ts';
import { envLabel, lookup } from './environment.ts';
import { ConfigError, DeliveryError, ExitCode, SlackApiError, SlackHttpError } from './errors.ts';
import { Deadline, exchange, rateLimited, type Verdict } from './http.ts';
import { runtimeLogsUrl } from './links.ts';
import { oneLine } from './output.ts';
import type { HttpResponse, Transport } from './platform/types.ts';
import { detectProvider } from './providers/index.ts';
import type { Event } from './report.ts';
import { channelRoute, skipReason, webhookRoutes } from './routing.ts';
import { maskUrl } from './secrets.ts';
import { METHOD_SCOPES, slackApiCall } from './slack-api.ts';
import {
  buildMessage,
  explainHttp,
  judgeWebhook,
  mrkdwnText,
  SLACK_ERRORS,
  type SlackPayload,
} from './targets/slack.ts';

export interface DoctorOptions {
  flags: Flags;
  /** Post one test message where `notify start` would. */
  sendTest: boolean;
  /** The process environment: the job's CI/CD variables. */
  env: Env;
  /** The .env file's variables, and its path; no path when none was read. */
  dotenv: Env;
  dotenvPath?: string;
  /** What reading the .env file ran into: a named file that cannot be read, a skipped one. */
  dotenvErrors?: readonly ConfigError[];
  dotenvWarnings?: readonly string[];
  /** Whether this is a CI job: there a checkout's .env file may set less. */
  inCi: boolean;
  /** Files a provider reads (GitHub's event). */
  io: ProviderIo;
  /** The platform's HTTP client for the proxy variables in `env`. */
  transport: (env: Env) => Transport;
  /** Aborted by a signal: every check stops at once. */
  signal: AbortSignal;
  now: () => number;
  say: (line: string) => void;
  version?: string;
}

/** What a problem costs: a setting to fix (exit 2), or something that did not answer (exit 1). */
export type Problem = 'misconfigured' | 'unreachable';

export interface Line {
  mark: 'ok' | 'FAIL' | 'warn' | 'skip' | 'info';
  text: string;
  problem?: Problem;
}

const good = (text: string): Line => ({ mark: 'ok', text });
const bad = (problem: Problem, text: string): Line => ({ mark: 'FAIL', text, problem });
const warn = (text: string): Line => ({ mark: 'warn', text });
const skip = (text: string): Line => ({ mark: 'skip', text });
const info = (text: string): Line => ({ mark: 'info', text });

const SPECS = Object.entries(SETTINGS) as Array<[SettingKey, (typeof SETTINGS)[SettingKey]]>;
const START: Event = { kind: 'start' };
// As app mode reads the channel list: ten pages of 200.
const LIST_PAGES = 10;
const CELL_MAX = 100;
const VALUE_MAX = 60;
const BODY_LIMIT = 4_096;
const OK_BODY_GRACE_MS = 1_000;
/** A live Slack webhook refuses an empty message with these; a revoked one answers otherwise. */
const LIVE_WEBHOOK = new Set([
  'no_text',
  'invalid_payload',
  'missing_text_or_fallback_or_attachments',
]);
/** Slack API errors that a setting, the app's configuration or an invitation fixes. */
const MISCONFIGURED = new Set([
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'not_allowed_token_type',
  'missing_scope',
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'channel_is_archived',
  'restricted_action',
  'action_prohibited',
]);
const SECRET_URLS: ReadonlySet<SettingKey> = new Set(['webhookUrl', 'failureWebhookUrl']);
const SECRET_TOKENS: ReadonlySet<SettingKey> = new Set(['botToken', 'gitlabToken', 'githubToken']);
/** What the runtime-logs link is made of, among the settings that can be refused. */
const LINK_SETTINGS: readonly SettingKey[] = [
  'grafanaUrl',
  'grafanaUrlMap',
  'logsQuery',
  'logsFrom',
  'environmentMap',
];

/** Whether a setting is given: a flag, else a variable, neither empty. */
function isSet(key: SettingKey, flags: Flags, env: Env): boolean {
  const flag = flags[key];
  if (typeof flag === 'boolean') return true;
  if (typeof flag === 'string' && flag.trim()) return true;
  return Boolean(env[SETTINGS[key].env]?.trim());
}

/** The settings a message names (`--timeout`, `NOTIFY_TIMEOUT`), in the order it names them. */
export function namedSettings(message: string): SettingKey[] {
  const at = (pattern: string) => new RegExp(pattern).exec(message)?.index ?? -1;
  return SPECS.map(([key, spec]) => {
    const places = [at(`(?<![\\w-])--${spec.flag}(?![\\w-])`), at(`(?<!\\w)${spec.env}(?!\\w)`)];
    return [key, Math.min(...places.map((p) => (p < 0 ? Infinity : p)))] as const;
  })
    .filter(([, place]) => place !== Infinity)
    .sort((a, b) => a[1] - b[1])
    .map(([key]) => key);
}

export interface Resolved {
  /** The configuration without the settings that were refused; none when that cannot be read. */
  config?: Config;
  /** Every refused setting's error, once: not those that only follow from leaving another out. */
  errors: ConfigError[];
  /** Settings left out so that the rest could be read. */
  dropped: SettingKey[];
}

/**
 * The configuration as `start` reads it, every problem in it rather than the first: a refused
 * setting is left out and the rest read again, until they all read or a problem names no
 * setting that is given.
 */
export function resolveLeniently(flags: Flags, env: Env): Resolved {
  let given: Flags = { ...flags };
  let vars: Env = { ...env };
  const errors: ConfigError[] = [];
  const dropped: SettingKey[] = [];
  for (let tries = 0; tries <= SPECS.length; tries++) {
    try {
      return { config: resolveConfig('start', given, vars), errors, dropped };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const named = namedSettings(error.message);
      // `NOTIFY_CHANNEL is required with SLACK_BOT_TOKEN` after a refused NOTIFY_CHANNEL was
      // left out is no news.
      if (!named.some((key) => dropped.includes(key))) errors.push(error);
      const blame = named.find((key) => isSet(key, given, vars));
      if (!blame) break;
      dropped.push(blame);
      const { [blame]: _left, ...rest } = given;
      given = rest;
      vars = { ...vars, [SETTINGS[blame].env]: undefined };
    }
  }
  return { errors, dropped };
}

/** Why this provider: the variables without which it would not be detected. */
export function detectedBy(provider: Provider, env: Env): string {
  if (provider.name === 'local') return 'no CI detected';
  const markers = Object.keys(env)
    .filter((key) => env[key] !== undefined && !provider.detect({ ...env, [key]: undefined }))
    .sort();
  if (!markers.length) return 'detected';
  return `${markers.join(' and ')} ${markers.length === 1 ? 'is' : 'are'} set`;
}

const dash = (value: string | undefined) => (value?.trim() ? value : '-');

/** The facts a message is made of, as the CI gave them: `-` for what it did not. */
export function factRows(
  ctx: CiContext,
  label: string | undefined,
  why: string,
): Array<[string, string]> {
  const { ref, commit, pipeline, job } = ctx;
  const sha = commit.shortSha ?? commit.sha?.slice(0, 8);
  return [
    ['provider', `${ctx.provider} (${why})`],
    ['project', dash(ctx.project.name)],
    ['project url', dash(ctx.project.url)],
    ['ref', ref.name ? `${ref.name} (${ref.isTag ? 'tag' : 'branch'})` : '-'],
    ['default branch', dash(ref.defaultBranch)],
    ['protected', ref.protected === undefined ? '-' : ref.protected ? 'yes' : 'no'],
    ['environment', dash(label)],
    ['pipeline', dash(pipeline.id)],
    ['pipeline url', dash(pipeline.url)],
    ['job', dash(job.name)],
    ['stage', dash(job.stage)],
    ['job url', dash(job.url)],
    ['user', dash(ctx.user)],
    ['commit', sha || commit.title ? `${sha ?? '-'} ${commit.title ?? ''}`.trim() : '-'],
  ];
}

function maskedUrl(value: string): string {
  try {
    return maskUrl(new URL(value));
  } catch {
    return '****';
  }
}

/** A setting's value as it may be shown: secrets masked, long values cut. */
export function shownValue(key: SettingKey, value: string | boolean): string {
  if (typeof value === 'boolean') return String(value);
  const text = value.trim();
  if (SECRET_TOKENS.has(key)) return '****';
  if (SECRET_URLS.has(key)) return maskedUrl(text);
  if (key === 'webhookMap') {
    // Either side may be the URL (an entry written the wrong way round is a secret too).
    return text
      .split(/[,\n]/)
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const eq = entry.indexOf('=');
        const label = eq < 0 ? '' : entry.slice(0, eq).trim();
        return label && !label.includes('://')
          ? `${label}=${maskedUrl(entry.slice(eq + 1).trim())}`
          : '****';
      })
      .join(',');
  }
  return text.length > VALUE_MAX ? `${text.slice(0, VALUE_MAX - 1)}…` : text;
}

export interface SettingRow {
  name: string;
  value: string;
  source: string;
}

/** Every setting that is given, and where from: a flag, the environment or the .env file. */
export function settingRows(
  flags: Flags,
  env: Env,
  dotenv: Env,
  dotenvPath: string | undefined,
  inCi: boolean,
): SettingRow[] {
  const { ignored } = layerEnv(env, dotenv, inCi);
  const file = `.env (${dotenvPath ?? 'file'})`;
  const rows: SettingRow[] = [];
  for (const [key, spec] of SPECS) {
    const flag = flags[key];
    const fromEnv = env[spec.env]?.trim();
    const fromFile = dotenv[spec.env]?.trim();
    if (typeof flag === 'boolean' || (typeof flag === 'string' && flag.trim())) {
      rows.push({ name: spec.env, value: shownValue(key, flag), source: `--${spec.flag}` });
    } else if (fromEnv) {
      const shadowed = fromFile ? ' (its value in the .env is not used)' : '';
      rows.push({
        name: spec.env,
        value: shownValue(key, fromEnv),
        source: `environment${shadowed}`,
      });
    } else if (fromFile) {
      const refused = ignored.includes(spec.env) ? ': ignored, only the job may set it' : '';
      rows.push({ name: spec.env, value: shownValue(key, fromFile), source: `${file}${refused}` });
    }
  }
  return rows;
}

/** Rows as aligned columns, indented; every cell one line of at most CELL_MAX characters. */
export function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const cells = rows.map((row) =>
    row.map((cell) => {
      const line = oneLine(cell);
      return line.length > CELL_MAX ? `${line.slice(0, CELL_MAX - 1)}…` : line;
    }),
  );
  const widths: number[] = [];
  for (const row of cells)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cells.map((row) =>
    `  ${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`.trimEnd(),
  );
}

export interface ScopeNeed {
  /** Any one of them will do: a public channel's scope and its private twin. */
  scopes: readonly string[];
  methods: string[];
}

/** The scopes notify's calls need, grouped as METHOD_SCOPES pairs them. */
export function scopeNeeds(): ScopeNeed[] {
  const needs = new Map<string, ScopeNeed>();
  for (const [method, scopes] of Object.entries(METHOD_SCOPES)) {
    if (!scopes.length) continue;
    const key = scopes.join(' ');
    const need = needs.get(key) ?? { scopes, methods: [] };
    need.methods.push(method);
    needs.set(key, need);
  }
  return [...needs.values()];
}

export function missingScopes(granted: readonly string[]): ScopeNeed[] {
  return scopeNeeds().filter((need) => !need.scopes.some((scope) => granted.includes(scope)));
}

export type WebhookProbe = { live: true; said: string } | { live: false; why: string };

/**
 * What a webhook's answer to an empty message (`{}`) says about it: Slack refuses the message
 * of a webhook that exists (400 no_text) and the webhook itself of one that is gone.
 */
export function readWebhookProbe(statusCode: number, body: string): WebhookProbe {
  const code = body.trim();
  if (statusCode >= 200 && statusCode < 300) return { live: true, said: `HTTP ${statusCode}` };
  if (statusCode === 400 && LIVE_WEBHOOK.has(code)) {
    return { live: true, said: `HTTP 400 ${code} to an empty message` };
  }
  const why = explainHttp(statusCode, body);
  // Slack's own codes and a redirect come with their fix; anything else gets the general one.
  const fixed = Object.hasOwn(SLACK_ERRORS, code) || (statusCode >= 300 && statusCode < 400);
  return {
    live: false,
    why: fixed
      ? why
      : `${why}; copy the webhook URL again from the Slack app's Incoming Webhooks page`,
  };
}

/** Grafana's health endpoint under its base URL (which may have a sub-path). */
export function healthUrl(grafana: string): URL {
  const base = new URL(grafana);
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/api/health`);
}

/** A URL as shown: without credentials, query or fragment. */
const plainUrl = (raw: string) => {
  const url = new URL(raw);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
};

/** What an error costs; undefined for one that is no failure of a check (a bug). */
export function problemOf(error: unknown): Problem | undefined {
  if (error instanceof ConfigError) return 'misconfigured';
  if (error instanceof SlackApiError) {
    return MISCONFIGURED.has(error.error) ? 'misconfigured' : 'unreachable';
  }
  if (error instanceof SlackHttpError) {
    const refused = error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 429;
    return refused ? 'misconfigured' : 'unreachable';
  }
  if (error instanceof DeliveryError) return 'unreachable';
  return undefined;
}

/** Exit 2 for any setting to fix, else 1 for anything that did not answer, else 0. */
export function exitCodeOf(lines: readonly Line[]): ExitCode {
  if (lines.some((line) => line.problem === 'misconfigured')) return ExitCode.Usage;
  if (lines.some((line) => line.problem === 'unreachable')) return ExitCode.DeliveryFailed;
  return ExitCode.Ok;
}

export function formatLine(line: Line): string {
  return `  ${line.mark.padEnd(4)}  ${line.text}`;
}

export function summaryLine(lines: readonly Line[]): string {
  const problems = lines.filter((line) => line.problem).length;
  if (!problems) return 'notify doctor: all good';
  return `notify doctor: ${problems} ${problems === 1 ? 'problem' : 'problems'}`;
}

/** The start message with a line on top that says it is a test. */
export function testMessage(payload: SlackPayload, at: string): SlackPayload {
  const note = `:test_tube: A test from notify doctor at ${at}: nothing happened in the pipeline.`;
  return {
    ...payload,
    text: `[test] ${payload.text}`,
    blocks: [{ type: 'context', elements: [mrkdwnText(note)] }, ...payload.blocks],
  };
}

interface Hook {
  names: string[];
  url: URL;
}

/** The checks' shared means: one deadline, one transport. */
interface Reach {
  deadline: Deadline;
  env: Env;
  transport: Transport;
}

/**
 * A failed check in one line: what failed, why, and how to fix it. A configuration error and
 * Slack's refusals carry their fix; anything else gets `fix`.
 */
function failure(error: unknown, reach: Reach, subject: string, fix: string): Line {
  const problem = problemOf(error);
  if (!problem || !(error instanceof Error)) throw error;
  if (error instanceof ConfigError) return bad(problem, error.message);
  const { deadline } = reach;
  let said = error.message;
  if (deadline.interrupted) said = `interrupted by ${deadline.interrupted}`;
  else if (error instanceof DeliveryError && error.code === 'deadline') {
    const last = error.cause instanceof Error ? `; last attempt: ${error.cause.message}` : '';
    said = `no answer within ${deadline.seconds}s (NOTIFY_TIMEOUT)${last}`;
  }
  const own = error instanceof SlackApiError && !deadline.interrupted;
  return bad(problem, `${subject}: ${said}${own ? '' : `; ${fix}`}`);
}

const reachFix = (setting: string) =>
  `check ${setting}, and that this machine reaches it (HTTPS_PROXY, NO_PROXY; NOTIFY_TIMEOUT)`;

function webhooksOf(config: Config, appMode: boolean): Hook[] {
  const all: Array<[string, URL]> = [];
  if (!appMode) {
    if (config.webhookUrl) all.push(['SLACK_WEBHOOK_URL', config.webhookUrl]);
    for (const [label, url] of config.routes.webhookMap) {
      all.push([`NOTIFY_WEBHOOK_MAP (${label})`, new URL(url)]);
    }
  }
  if (config.routes.failureWebhookUrl) {
    all.push(['NOTIFY_FAILURE_WEBHOOK_URL', config.routes.failureWebhookUrl]);
  }
  const hooks = new Map<string, Hook>();
  for (const [name, url] of all) {
    const hook = hooks.get(url.href) ?? { names: [], url };
    hook.names.push(name);
    hooks.set(url.href, hook);
  }
  return [...hooks.values()];
}

async function probeWebhook(hook: Hook, reach: Reach, named?: TargetName): Promise<Line> {
  const subject = `${hook.names.join(', ')} ${maskUrl(hook.url)}`;
  let picked: Picked;
  try {
    picked = pickTarget(hook.url, named, hook.names[0]);
  } catch (error) {
    return bad('misconfigured', error instanceof Error ? error.message : String(error));
  }
  // Only Slack's webhooks say whether they exist without posting (400 no_text to `{}`).
  if (picked.target.name !== 'slack') {
    return info(
      `${subject}: a ${picked.target.title} webhook (${picked.why}); it cannot be checked without posting: notify start posts one message`,
    );
  }
  try {
    const { value } = await exchange({
      url: hook.url,
      body: '{}',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'notify' },
      ...reach,
      judge: (response: HttpResponse, attempts: number): Verdict<WebhookProbe> => {
        const { statusCode, body } = response;
        const error = new SlackHttpError(explainHttp(statusCode, body), statusCode, body, attempts);
        if (statusCode === 429) return rateLimited(response, error);
        if (statusCode >= 500) return { kind: 'retry', reason: `HTTP ${statusCode}`, error };
        return { kind: 'done', value: readWebhookProbe(statusCode, body) };
      },
      bodyLimit: BODY_LIMIT,
      okBodyGraceMs: OK_BODY_GRACE_MS,
    });
    return value.live
      ? good(`${subject}: the webhook exists (${value.said}; nothing was posted)`)
      : bad('misconfigured', `${subject}: ${value.why}`);
  } catch (error) {
    return failure(error, reach, subject, reachFix(hook.names[0]!));
  }
}

async function checkGrafana(grafana: string, setting: string, reach: Reach): Promise<Line> {
  const subject = `Grafana ${plainUrl(grafana)}`;
  try {
    const { value } = await exchange({
      url: healthUrl(grafana),
      method: 'GET',
      body: '',
      headers: { accept: 'application/json', 'user-agent': 'notify' },
      ...reach,
      // Any answer will do: Grafana is there. Its health is not notify's to judge.
      judge: (response) => ({ kind: 'done', value: response.statusCode }),
      bodyLimit: BODY_LIMIT,
      okBodyGraceMs: OK_BODY_GRACE_MS,
    });
    return good(`${subject}: reachable (HTTP ${value} from /api/health)`);
  } catch (error) {
    return failure(error, reach, subject, reachFix(setting));
  }
}

interface SlackChannel {
  id: string;
  name?: string;
  is_member?: boolean;
  is_archived?: boolean;
}

/** A channel setting: its name as shown, the setting to change, its value. */
interface ChannelSetting {
  setting: string;
  fixIn: string;
  channel: string;
}

interface AppChecked {
  lines: Line[];
  /** Each channel setting's value that checked out, to its ID. */
  usable: Map<string, string>;
}

async function checkApp(app: AppConfig, config: Config, reach: Reach): Promise<AppChecked> {
  const usable = new Map<string, string>();
  const lines: Line[] = [];
  const options = { baseUrl: app.apiUrl, token: app.token, ...reach };
  const call = <T extends object>(method: string, args: Record<string, unknown>) =>
    slackApiCall<T>(options, method, args);
  const api = app.apiUrl.href.replace(/\/+$/, '');
  const where = api === 'https://slack.com/api' ? 'Slack' : `Slack (${plainUrl(api)})`;

  let me: { user?: string; team?: string; bot_id?: string };
  let granted: string[] | undefined;
  try {
    const answer = await call<typeof me>('auth.test', {});
    me = answer.value;
    const header = answer.headers['x-oauth-scopes'];
    const scopes = Array.isArray(header) ? header.join(',') : header;
    granted = scopes
      ?.split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
  } catch (error) {
    // Slack's refusal names the token and its fix already.
    lines.push(
      error instanceof SlackApiError && !reach.deadline.interrupted
        ? bad(problemOf(error)!, error.message)
        : failure(error, reach, `SLACK_BOT_TOKEN at ${where}`, reachFix('NOTIFY_SLACK_API_URL')),
    );
    return { lines, usable };
  }
  if (!me.bot_id) {
    lines.push(
      bad(
        'misconfigured',
        "SLACK_BOT_TOKEN is not a bot token (auth.test names no bot): use the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page",
      ),
    );
    return { lines, usable };
  }
  const bot = me.user ? `@${me.user}` : '@your-app';
  lines.push(
    good(
      `SLACK_BOT_TOKEN: valid at ${where}, bot ${bot} (${me.bot_id})${me.team ? ` in ${me.team}` : ''}`,
    ),
  );

  const missing = granted ? missingScopes(granted) : [];
  const lacking = new Set(missing.flatMap((need) => need.scopes));
  if (!granted) {
    lines.push(warn('scopes: not checked (Slack named none: no x-oauth-scopes header)'));
  } else if (!missing.length) {
    const needed = scopeNeeds().flatMap((need) => need.scopes.filter((s) => granted.includes(s)));
    lines.push(good(`scopes: ${needed.join(', ')}`));
  }
  for (const need of missing) {
    lines.push(
      bad(
        'misconfigured',
        `scope ${need.scopes.join(' or ')} is missing (${need.methods.join(', ')}): add it under OAuth & Permissions (slack-app-manifest.yml lists them all) and reinstall the app`,
      ),
    );
  }

  let listing: Promise<SlackChannel[]> | undefined;
  const list = () =>
    (listing ??= (async () => {
      const all: SlackChannel[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < LIST_PAGES; page++) {
        const { value } = await call<{
          channels?: SlackChannel[];
          response_metadata?: { next_cursor?: string };
        }>('conversations.list', {
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: 200,
          cursor,
        });
        all.push(...(value.channels ?? []));
        cursor = value.response_metadata?.next_cursor;
        if (!cursor) break;
      }
      return all;
    })());

  const checkChannel = async ({ setting, fixIn, channel }: ChannelSetting): Promise<Line> => {
    const name = channel.replace(/^#/, '');
    try {
      let found: SlackChannel | undefined;
      if (CHANNEL_ID.test(channel)) {
        const { value } = await call<{ channel?: SlackChannel }>('conversations.info', { channel });
        found = value.channel;
      } else {
        found = (await list()).find((c) => c.name === name);
        if (!found) {
          return bad(
            'misconfigured',
            `${setting} #${name} is not among the channels the app can see: invite the app there (/invite ${bot}), or give the channel's ID (C0123ABCD)`,
          );
        }
      }
      const id = found?.id ?? channel;
      const shown = `${setting} ${found?.name ? `#${found.name} (${id})` : id}`;
      if (found?.is_archived) {
        return bad(
          'misconfigured',
          `${shown} is archived: unarchive it, or set another channel in ${fixIn}`,
        );
      }
      if (found?.is_member === false) {
        return bad(
          'misconfigured',
          `${shown}: the app is not a member: invite it there (/invite ${bot})`,
        );
      }
      usable.set(channel, id);
      return good(`${shown}: the app is a member`);
    } catch (error) {
      if (error instanceof SlackApiError && error.error === 'channel_not_found') {
        return bad(
          'misconfigured',
          `${setting} ${channel}: no channel the app can see has this ID (a private channel it is not in looks the same): invite the app there (/invite ${bot}), or check the ID`,
        );
      }
      // Said once already, as a missing scope.
      if (error instanceof SlackApiError && error.needed && lacking.has(error.needed)) {
        return skip(`${setting} ${channel}: not checked until the scope ${error.needed} is added`);
      }
      return failure(error, reach, `${setting} ${channel}`, reachFix('NOTIFY_SLACK_API_URL'));
    }
  };

  const { channelMap, failureChannel } = config.routes;
  const channels: ChannelSetting[] = [
    { setting: 'NOTIFY_CHANNEL', fixIn: 'NOTIFY_CHANNEL', channel: app.channel },
    ...channelMap.map(([label, channel]) => ({
      setting: `NOTIFY_CHANNEL_MAP (${label})`,
      fixIn: 'NOTIFY_CHANNEL_MAP',
      channel,
    })),
    ...(failureChannel
      ? [
          {
            setting: 'NOTIFY_FAILURE_CHANNEL',
            fixIn: 'NOTIFY_FAILURE_CHANNEL',
            channel: failureChannel,
          },
        ]
      : []),
  ];
  const seen = new Set<string>();
  for (const channel of channels) {
    if (seen.has(channel.channel)) continue;
    seen.add(channel.channel);
    lines.push(await checkChannel(channel));
  }
  return { lines, usable };
}

/** Posts the test message where `start` would, and says how it went. */
async function sendTest(
  config: Config,
  appMode: boolean,
  payload: SlackPayload,
  label: string | undefined,
  usable: ReadonlyMap<string, string>,
  live: ReadonlySet<string>,
  reach: Reach,
): Promise<Line> {
  if (appMode) {
    const app = config.app;
    if (!app) return skip('test message: not sent until the Slack app settings are fixed');
    const route = channelRoute(config.routes, app.channel, label);
    const id = usable.get(route.to);
    if (!id) return skip(`test message: not sent to ${route.to} until its problem above is fixed`);
    try {
      const options = { baseUrl: app.apiUrl, token: app.token, ...reach };
      const { value } = await slackApiCall<{ ts?: string }>(options, 'chat.postMessage', {
        channel: id,
        ...payload,
      });
      return good(`test message posted in ${route.to} (${route.why}, ts ${value.ts ?? '?'})`);
    } catch (error) {
      return failure(error, reach, `test message to ${route.to}`, reachFix('NOTIFY_SLACK_API_URL'));
    }
  }
  const [hook] = webhookRoutes(config.routes, config.webhookUrl, label, START);
  if (!hook) return skip('test message: not sent, this run has no webhook to send it to');
  const subject = `test message to ${hook.why} ${maskUrl(hook.to)}`;
  const tool = (() => {
    try {
      return pickTarget(hook.to, config.target).target;
    } catch {
      return undefined;
    }
  })();
  if (tool && tool.name !== 'slack')
    return skip(`${subject}: a ${tool.title} webhook: notify start posts its message there`);
  if (!live.has(hook.to.href)) return skip(`${subject}: not sent until its problem above is fixed`);
  try {
    await exchange({
      url: hook.to,
      body: JSON.stringify(payload),
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'notify' },
      ...reach,
      judge: judgeWebhook,
      bodyLimit: BODY_LIMIT,
      okBodyGraceMs: OK_BODY_GRACE_MS,
    });
    return good(`${subject}: sent`);
  } catch (error) {
    return failure(error, reach, subject, reachFix(hook.why));
  }
}

export async function doctor(options: DoctorOptions): Promise<ExitCode> {
  const { say, flags } = options;
  const { env, ignored } = layerEnv(options.env, options.dotenv, options.inCi);
  const { config, errors, dropped } = resolveLeniently(flags, env);
  const provider = detectProvider(env);
  const found = provider.context(env, options.io);
  const ctx = config ? applyOverrides(found, config.overrides) : found;
  const label = envLabel(ctx, config?.message.environment ?? { map: [] });

  say(`notify doctor${options.version ? ` (notify ${options.version})` : ''}`);
  say('');
  say('Facts');
  for (const line of table(factRows(ctx, label, detectedBy(provider, env)))) say(line);
  say('');
  say(`Settings (${options.dotenvPath ? `.env: ${options.dotenvPath}` : 'no .env file read'})`);
  const rows = settingRows(flags, options.env, options.dotenv, options.dotenvPath, options.inCi);
  const shown = rows.map((row) => [row.name, row.value, row.source]);
  for (const line of shown.length ? table(shown) : ['  (none)']) say(line);
  say('');
  say('Checks');

  const lines: Line[] = [];
  const print = (line: Line) => {
    lines.push(line);
    say(formatLine(line));
  };
  for (const error of [...(options.dotenvErrors ?? []), ...errors]) {
    print(bad('misconfigured', error.message));
  }
  for (const warning of options.dotenvWarnings ?? []) print(warn(warning));
  for (const name of ignored) {
    print(warn(`${name} in the .env file is ignored: only the job may set it (a CI/CD variable)`));
  }

  const appMode = isSet('botToken', flags, env);
  const hooked = isSet('webhookUrl', flags, env) || isSet('webhookMap', flags, env);
  if (appMode) {
    print(info('mode: Slack app (SLACK_BOT_TOKEN)'));
    if (hooked)
      print(info('SLACK_WEBHOOK_URL and NOTIFY_WEBHOOK_MAP are not used: SLACK_BOT_TOKEN wins'));
  } else if (hooked) {
    print(info('mode: webhook'));
  } else {
    print(
      bad(
        'misconfigured',
        'nothing would be sent: neither SLACK_WEBHOOK_URL nor SLACK_BOT_TOKEN is set; set SLACK_WEBHOOK_URL to an incoming webhook, or SLACK_BOT_TOKEN and NOTIFY_CHANNEL for the Slack app',
      ),
    );
  }
  if (!config) {
    print(skip('Slack and Grafana: not checked until the settings above can be read'));
    return finish();
  }
  if (config.dryRun)
    print(warn('NOTIFY_DRY_RUN is on: start and finish print the message and send nothing'));
  const skipped = skipReason(config.filter, ctx, START);
  if (skipped) print(info(`start would send nothing for this run: ${skipped}`));
  if (
    !appMode &&
    hooked &&
    !config.webhookUrl &&
    config.routes.webhookMap.length &&
    !lookup(config.routes.webhookMap, label)
  ) {
    const which = label === undefined ? 'a run without an environment label' : `the label ${label}`;
    print(
      warn(
        `this run would send nothing: NOTIFY_WEBHOOK_MAP has no entry for ${which}, and SLACK_WEBHOOK_URL is not set`,
      ),
    );
  }

  const grafanaSetting = lookup(config.message.logs.grafanaUrlMap, label)
    ? `NOTIFY_GRAFANA_URL_MAP (${label})`
    : 'NOTIFY_GRAFANA_URL';
  const grafana =
    lookup(config.message.logs.grafanaUrlMap, label) ?? config.message.logs.grafanaUrl;
  const grafanaSet = isSet('grafanaUrl', flags, env) || isSet('grafanaUrlMap', flags, env);
  const linkBlocked = grafanaSet ? LINK_SETTINGS.filter((key) => dropped.includes(key)) : [];
  if (!grafanaSet) {
    print(info('runtime-logs link: none (NOTIFY_GRAFANA_URL is not set)'));
  } else if (linkBlocked.length) {
    const names = linkBlocked.map((key) => SETTINGS[key].env).join(', ');
    print(skip(`runtime-logs link and Grafana: not checked until ${names} is fixed`));
  } else if (!grafana) {
    print(
      info(
        `runtime-logs link: none (NOTIFY_GRAFANA_URL_MAP has no entry for ${label ?? 'a run without an environment label'})`,
      ),
    );
  } else {
    const link = runtimeLogsUrl(ctx, label, config.message.logs);
    print(
      link
        ? info(`runtime-logs link: ${link}`)
        : warn(
            'runtime-logs link: none, the Kubernetes namespace is unknown; set NOTIFY_NAMESPACE (or KUBE_NAMESPACE), or a NOTIFY_LOGS_QUERY without {{namespace}}',
          ),
    );
  }

  const reach: Reach = {
    deadline: new Deadline(config.timeoutMs, options.signal),
    env,
    transport: options.transport(env),
  };
  try {
    const hooks = webhooksOf(config, appMode);
    const app = appMode && config.app;
    if (appMode && !app) print(skip('Slack app: not checked until the settings above are fixed'));
    const [probes, checked, health] = await Promise.all([
      Promise.all(hooks.map((hook) => probeWebhook(hook, reach, config.target))),
      app ? checkApp(app, config, reach) : undefined,
      grafana && !linkBlocked.length ? checkGrafana(grafana, grafanaSetting, reach) : undefined,
    ]);
    for (const line of checked?.lines ?? []) print(line);
    for (const line of probes) print(line);
    if (health) print(health);
    if (options.sendTest) {
      const at = new Date(options.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const payload = testMessage(
        buildMessage(ctx, { kind: 'start', scope: config.scope }, config.message),
        at,
      );
      const live = new Set(
        hooks.filter((_, i) => probes[i]!.mark === 'ok').map((hook) => hook.url.href),
      );
      print(
        await sendTest(config, appMode, payload, label, checked?.usable ?? new Map(), live, reach),
      );
    }
  } finally {
    reach.deadline.dispose();
  }
  return finish();

  function finish(): ExitCode {
    say('');
    say(summaryLine(lines));
    return exitCodeOf(lines);
  }
}
