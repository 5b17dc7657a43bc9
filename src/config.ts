// Flags, then the process environment, then a .env file, then defaults -> one validated Config.
// Pure: the caller reads the .env file and passes its contents in.
import type { CiContext, Env } from './context.ts';
import type { PatternMap } from './environment.ts';
import { ConfigError } from './errors.ts';
import {
  DEFAULT_DATASOURCE,
  parseLogsFrom,
  QUERY_PLACEHOLDERS,
  unknownPlaceholders,
} from './links.ts';
import type { SummarySettings, Token } from './ci-api/index.ts';
import { parseNeeds } from './ci-api/needs.ts';
import type { MessageSettings, Scope } from './report.ts';
import { parseMentionOn, parseMentions, type MentionSettings } from './mentions.ts';
import { TARGET_NAMES, type TargetName } from './targets/types.ts';
import { quote } from './output.ts';
import { parseBranches, parseWhen, type Filter, type Routes } from './routing.ts';
import { parseStatus, STATUS_NAMES, statusHint, type Status } from './status.ts';

export type Command = 'start' | 'finish';

export const DEFAULT_API_URL = 'https://slack.com/api';

interface SettingSpec {
  /** The long flag, without dashes. */
  flag: string;
  /** The variable that sets it when the flag is absent. */
  env: string;
  type: 'string' | 'boolean';
  group:
    | 'Delivery'
    | 'Slack app'
    | 'Routing'
    | 'Mentions'
    | 'Message'
    | 'Pipeline summary'
    | 'Runtime logs'
    | 'Context';
  describe: string;
}

/** Every setting, with its flag and variable, in one place: `--help` and the README list these. */
export const SETTINGS = {
  target: {
    flag: 'target',
    env: 'NOTIFY_TARGET',
    type: 'string',
    group: 'Delivery',
    describe: `The chat tool behind the webhook URL: ${TARGET_NAMES.join(', ')} [default: from the URL]`,
  },
  webhookUrl: {
    flag: 'webhook-url',
    env: 'SLACK_WEBHOOK_URL',
    type: 'string',
    group: 'Delivery',
    describe:
      'Incoming webhook URL of Slack, Mattermost, Teams, Discord or Google Chat (a secret). Unset: print one line, skip, exit 0',
  },
  botToken: {
    flag: 'bot-token',
    env: 'SLACK_BOT_TOKEN',
    type: 'string',
    group: 'Slack app',
    describe:
      'Slack app bot token (xoxb-…, a secret): one message per pipeline that every job updates, details in its thread. Wins over the webhook',
  },
  channel: {
    flag: 'channel',
    env: 'NOTIFY_CHANNEL',
    type: 'string',
    group: 'Slack app',
    describe: 'Channel for the bot token: an ID such as C0123ABCD, or #name',
  },
  slackApiUrl: {
    flag: 'slack-api-url',
    env: 'NOTIFY_SLACK_API_URL',
    type: 'string',
    group: 'Slack app',
    describe: `Slack Web API base URL [default: ${DEFAULT_API_URL}]`,
  },
  slackTs: {
    flag: 'slack-ts',
    env: 'NOTIFY_SLACK_TS',
    type: 'string',
    group: 'Slack app',
    describe:
      "The pipeline message's ts, as start wrote it (step output or state file) [default: found]",
  },
  stateFile: {
    flag: 'state-file',
    env: 'NOTIFY_STATE_FILE',
    type: 'string',
    group: 'Slack app',
    describe:
      'start writes NOTIFY_SLACK_TS and NOTIFY_CHANNEL here (dotenv), e.g. for artifacts: reports: dotenv:',
  },
  when: {
    flag: 'when',
    env: 'NOTIFY_WHEN',
    type: 'string',
    group: 'Routing',
    describe:
      'Which outcomes are sent: always, or a list of start, success, failure, failed, canceled, timedout, aborted [default: always]',
  },
  branches: {
    flag: 'branches',
    env: 'NOTIFY_BRANCHES',
    type: 'string',
    group: 'Routing',
    describe:
      'Refs that notify at all: globs and default, protected, e.g. "default,release/*" [default: all]',
  },
  webhookMap: {
    flag: 'webhook-map',
    env: 'NOTIFY_WEBHOOK_MAP',
    type: 'string',
    group: 'Routing',
    describe:
      'Webhook per environment label (secrets), e.g. "production=https://hooks…,review*=https://hooks…"',
  },
  channelMap: {
    flag: 'channel-map',
    env: 'NOTIFY_CHANNEL_MAP',
    type: 'string',
    group: 'Routing',
    describe:
      'Slack app channel per environment label, e.g. "production=C0123ABCD,review*=#review-apps"',
  },
  failureWebhookUrl: {
    flag: 'failure-webhook-url',
    env: 'NOTIFY_FAILURE_WEBHOOK_URL',
    type: 'string',
    group: 'Routing',
    describe: "Where failures go as well: a webhook URL (a secret), e.g. an on-call channel's",
  },
  failureChannel: {
    flag: 'failure-channel',
    env: 'NOTIFY_FAILURE_CHANNEL',
    type: 'string',
    group: 'Routing',
    describe: 'Where failures go as well, in Slack app mode: a channel ID or #name',
  },
  mention: {
    flag: 'mention',
    env: 'NOTIFY_MENTION',
    type: 'string',
    group: 'Mentions',
    describe:
      'Who else is called on failure: Slack user or group IDs, e.g. "U0456", then per label: "production=<!subteam^S0123>,U0789,review="',
  },
  mentionOn: {
    flag: 'mention-on',
    env: 'NOTIFY_MENTION_ON',
    type: 'string',
    group: 'Mentions',
    describe:
      'When mentions are made: failure (not again while it keeps failing), always, change (broken or fixed), never [default: failure]',
  },
  dryRun: {
    flag: 'dry-run',
    env: 'NOTIFY_DRY_RUN',
    type: 'boolean',
    group: 'Delivery',
    describe: 'Print the payload as JSON on stdout; send nothing',
  },
  timeout: {
    flag: 'timeout',
    env: 'NOTIFY_TIMEOUT',
    type: 'string',
    group: 'Delivery',
    describe: 'Seconds the whole delivery may take, retries included [default: 30]',
  },
  softFail: {
    flag: 'soft-fail',
    env: 'NOTIFY_SOFT_FAIL',
    type: 'boolean',
    group: 'Delivery',
    describe: 'A failed delivery warns and exits 0 instead of 1',
  },
  status: {
    flag: 'status',
    env: 'NOTIFY_STATUS',
    type: 'string',
    group: 'Message',
    describe: `Job status for finish: ${STATUS_NAMES.join(', ')} [default: CI_JOB_STATUS]`,
  },
  scope: {
    flag: 'scope',
    env: 'NOTIFY_SCOPE',
    type: 'string',
    group: 'Message',
    describe:
      'job: the job that runs notify; pipeline: a job that only notifies speaks of the pipeline [default: job]',
  },
  environment: {
    flag: 'environment',
    env: 'NOTIFY_ENVIRONMENT',
    type: 'string',
    group: 'Message',
    describe: 'Environment label, fixed [default: the job environment, else from the branch]',
  },
  environmentMap: {
    flag: 'environment-map',
    env: 'NOTIFY_ENVIRONMENT_MAP',
    type: 'string',
    group: 'Message',
    describe: 'Branch to label, e.g. "main=production,release/*=staging"',
  },
  versionLabel: {
    flag: 'version-label',
    env: 'NOTIFY_VERSION',
    type: 'string',
    group: 'Message',
    describe: 'Version shown in the headline, e.g. v5.3.25 [default: the tag, on a tag pipeline]',
  },
  gitlabToken: {
    flag: 'gitlab-token',
    env: 'NOTIFY_GITLAB_TOKEN',
    type: 'string',
    group: 'Pipeline summary',
    describe:
      "GitLab project access token with read_api (a secret): finish --scope pipeline lists every job's status, duration and link",
  },
  githubToken: {
    flag: 'github-token',
    env: 'NOTIFY_GITHUB_TOKEN',
    type: 'string',
    group: 'Pipeline summary',
    describe:
      "GitHub token with actions: read (a secret): every job's status, duration and link, and this job's own link [default: GITHUB_TOKEN]",
  },
  needs: {
    flag: 'needs',
    env: 'NOTIFY_NEEDS',
    type: 'string',
    group: 'Pipeline summary',
    describe:
      "GitHub without a token: the needed jobs' results, as ${{ toJSON(needs) }} gives them",
  },
  grafanaUrl: {
    flag: 'grafana-url',
    env: 'NOTIFY_GRAFANA_URL',
    type: 'string',
    group: 'Runtime logs',
    describe: 'Grafana base URL; enables the "View runtime logs" link',
  },
  grafanaUrlMap: {
    flag: 'grafana-url-map',
    env: 'NOTIFY_GRAFANA_URL_MAP',
    type: 'string',
    group: 'Runtime logs',
    describe: 'Grafana per environment label, e.g. "production=https://g.prod,dev=https://g.dev"',
  },
  grafanaDatasource: {
    flag: 'grafana-datasource',
    env: 'NOTIFY_GRAFANA_DATASOURCE',
    type: 'string',
    group: 'Runtime logs',
    describe: `Loki datasource UID or name [default: ${DEFAULT_DATASOURCE}]`,
  },
  logsQuery: {
    flag: 'logs-query',
    env: 'NOTIFY_LOGS_QUERY',
    type: 'string',
    group: 'Runtime logs',
    describe:
      'LogQL; {{namespace}} {{project}} {{environment}} {{ref_slug}} are filled in [default: {namespace="{{namespace}}"}]',
  },
  namespace: {
    flag: 'namespace',
    env: 'NOTIFY_NAMESPACE',
    type: 'string',
    group: 'Runtime logs',
    describe:
      'Kubernetes namespace [default: KUBE_NAMESPACE, else <project>-production, <project>, <project>-<ref slug>]',
  },
  logsFrom: {
    flag: 'logs-from',
    env: 'NOTIFY_LOGS_FROM',
    type: 'string',
    group: 'Runtime logs',
    describe:
      'Start of the log range: pipeline, job, or a Grafana time such as now-1h [default: pipeline]',
  },
  project: {
    flag: 'project',
    env: 'NOTIFY_PROJECT',
    type: 'string',
    group: 'Context',
    describe: 'Project name [default: from CI]',
  },
  projectUrl: {
    flag: 'project-url',
    env: 'NOTIFY_PROJECT_URL',
    type: 'string',
    group: 'Context',
    describe: 'Project URL [default: from CI]',
  },
  ref: {
    flag: 'ref',
    env: 'NOTIFY_REF',
    type: 'string',
    group: 'Context',
    describe: 'Branch or tag [default: from CI]',
  },
  user: {
    flag: 'user',
    env: 'NOTIFY_USER',
    type: 'string',
    group: 'Context',
    describe: 'Who started the pipeline [default: from CI]',
  },
  environmentUrl: {
    flag: 'environment-url',
    env: 'NOTIFY_ENVIRONMENT_URL',
    type: 'string',
    group: 'Context',
    describe: 'URL of the deployed environment, linked on success [default: CI_ENVIRONMENT_URL]',
  },
  jobUrl: {
    flag: 'job-url',
    env: 'NOTIFY_JOB_URL',
    type: 'string',
    group: 'Context',
    describe: 'URL of the job, linked on failure [default: from CI]',
  },
  envFile: {
    flag: 'env-file',
    env: 'NOTIFY_ENV_FILE',
    type: 'string',
    group: 'Delivery',
    describe:
      'dotenv file to read settings from; below flags and the environment [default: .env if it exists, outside CI only]',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
export type Flags = Partial<Record<SettingKey, string | boolean>>;

export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_ENV_FILE = '.env';

export interface Overrides {
  project?: string;
  projectUrl?: string;
  ref?: string;
  user?: string;
  environmentUrl?: string;
  jobUrl?: string;
  version?: string;
}

/** Slack app mode: a bot token and where it posts. */
export interface AppConfig {
  token: string;
  /** An ID (C0123ABCD) or a name (#deploys, deploys) to look up. */
  channel: string;
  apiUrl: URL;
  /** The pipeline message, when the job was told it. */
  ts?: string;
  /** Where start writes the message's ts and channel, in dotenv format. */
  stateFile?: string;
}

export interface Config {
  command: Command;
  /** Set when a bot token is: then the webhook is not used. */
  app?: AppConfig;
  /** Undefined: no webhook configured, skip. */
  webhookUrl?: URL;
  /** The chat tool, when NOTIFY_TARGET names it; else each webhook URL says. */
  target?: TargetName;
  dryRun: boolean;
  /** The status given on the command line or in NOTIFY_STATUS, if any. */
  status?: Exclude<Status, 'unknown'>;
  timeoutMs: number;
  softFail: boolean;
  scope: Scope;
  filter: Filter;
  routes: Routes;
  message: MessageSettings;
  overrides: Overrides;
  summary: SummarySettings;
  mentions: MentionSettings;
}

/** The variables a .env file may set: notify's settings, not the CI's or the proxy's. */
const isSetting = (key: string) =>
  key.startsWith('NOTIFY_') || key === 'SLACK_WEBHOOK_URL' || key === 'SLACK_BOT_TOKEN';
/**
 * Never from a file: the job's outcome is the job's, a file cannot name another file, and a file
 * can neither send the job's token or messages somewhere else (the API URL, the routes) nor
 * silence them (the filters).
 */
const NEVER_FROM_FILE = new Set([
  'NOTIFY_STATUS',
  // What decides a summary's result: the needed jobs' results, whether the job speaks for the
  // pipeline (its own status then counts for nothing), and the tokens that read the jobs.
  'NOTIFY_NEEDS',
  'NOTIFY_SCOPE',
  'NOTIFY_GITLAB_TOKEN',
  'NOTIFY_GITHUB_TOKEN',
  'NOTIFY_ENV_FILE',
  'NOTIFY_SLACK_API_URL',
  'NOTIFY_WEBHOOK_MAP',
  'NOTIFY_CHANNEL_MAP',
  'NOTIFY_FAILURE_WEBHOOK_URL',
  'NOTIFY_FAILURE_CHANNEL',
  'NOTIFY_WHEN',
  'NOTIFY_BRANCHES',
  // Whom a message calls: a file must not page anyone, nor silence the on-call.
  'NOTIFY_MENTION',
  'NOTIFY_MENTION_ON',
  // Which syntax the message is written in: another tool's would not escape what this one reads.
  'NOTIFY_TARGET',
]);

/**
 * In CI a file is the checkout's: it must not choose the environment label or the ref either,
 * for they choose the routes and who is called. Outside CI, a `.env` of one's own may.
 */
const NOT_FROM_A_CHECKOUT = new Set(['NOTIFY_ENVIRONMENT', 'NOTIFY_ENVIRONMENT_MAP', 'NOTIFY_REF']);

/**
 * The variables notify reads: the process environment (CI/CD variables included), and below
 * it notify's own settings from a .env file. The checkout is written by anyone who can push;
 * the job's variables are set by maintainers: a file only fills in what the job leaves unset
 * (or set to '', as CI platforms define unset variables). `ignored` names the file's settings
 * that may never come from a file.
 */
export function layerEnv(
  processEnv: Env,
  dotenv: Env,
  inCi = false,
): { env: Env; ignored: string[] } {
  const ignored: string[] = [];
  const fromFile: Array<[string, string | undefined]> = [];
  for (const [key, value] of Object.entries(dotenv)) {
    if (!isSetting(key)) continue;
    if (NEVER_FROM_FILE.has(key) || (inCi && NOT_FROM_A_CHECKOUT.has(key))) ignored.push(key);
    else if (!processEnv[key]?.trim()) fromFile.push([key, value]);
  }
  return { env: { ...processEnv, ...Object.fromEntries(fromFile) }, ignored };
}

class Reader {
  private readonly flags: Flags;
  private readonly env: Env;
  constructor(flags: Flags, env: Env) {
    this.flags = flags;
    this.env = env;
  }

  /** The flag if given, else the variable; with the name to blame in an error. */
  private raw(key: SettingKey): { value: string | boolean; name: string } | undefined {
    const spec = SETTINGS[key];
    const flag = this.flags[key];
    // `--webhook-url "$SLACK_WEBHOOK_URL"` with the variable unset means unset, like the variable.
    if (flag !== undefined && !(typeof flag === 'string' && flag.trim() === '')) {
      return { value: flag, name: `--${spec.flag}` };
    }
    const fromEnv = this.env[spec.env];
    if (fromEnv !== undefined && fromEnv.trim() !== '')
      return { value: fromEnv.trim(), name: spec.env };
    return undefined;
  }

  string(key: SettingKey): string | undefined {
    return this.named(key)?.value;
  }

  named(key: SettingKey): { value: string; name: string } | undefined {
    const raw = this.raw(key);
    if (raw === undefined || typeof raw.value === 'boolean') return undefined;
    return { value: raw.value.trim(), name: raw.name };
  }

  boolean(key: SettingKey): boolean {
    const raw = this.raw(key);
    if (raw === undefined) return false;
    if (typeof raw.value === 'boolean') return raw.value;
    return parseSwitch(raw.name, raw.value);
  }
}

/** A switch written as a word, as variables (and the Action's inputs) give it; exit 2 on others. */
export function parseSwitch(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false (got ${quote(raw)})`);
}

function httpUrl(name: string, value: string, example: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`${name} is not an http(s) URL (expected ${example})`);
  }
  return url;
}

/** `a=b,c=d` (commas or newlines between entries) as ordered pairs; exit 2 on anything else. */
export function parseMap(name: string, text: string, example: string): PatternMap {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (eq < 0 || !key || !value) {
      throw new ConfigError(
        `${name} entry ${quote(entry)} is not key=value (expected e.g. ${example})`,
      );
    }
    return [key, value] as const;
  });
}

/** Less than this cannot even open a TLS connection to Slack on a slow runner. */
const MIN_TIMEOUT_SECONDS = 1;
const MAX_TIMEOUT_SECONDS = 3600;

function parseTimeout(named: { value: string; name: string } | undefined): number {
  if (!named) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(named.value);
  if (
    !/^\d+(\.\d+)?$/.test(named.value) ||
    !(seconds >= MIN_TIMEOUT_SECONDS && seconds <= MAX_TIMEOUT_SECONDS)
  ) {
    throw new ConfigError(
      `${named.name} must be a number of seconds from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}, e.g. 30 (got ${quote(named.value)})`,
    );
  }
  return Math.round(seconds * 1000);
}

function parseFrom(named: { value: string; name: string } | undefined): string {
  if (!named) return 'pipeline';
  const from = parseLogsFrom(named.value);
  if (from === undefined) {
    throw new ConfigError(
      `${named.name} must be pipeline, job, a Grafana time such as now-1h, epoch milliseconds or an ISO 8601 time (got ${quote(named.value)})`,
    );
  }
  return from;
}

function parseQuery(named: { value: string; name: string } | undefined): string | undefined {
  if (!named) return undefined;
  const unknown = unknownPlaceholders(named.value);
  if (unknown.length) {
    throw new ConfigError(
      `${named.name} has an unknown placeholder ${quote(`{{${unknown[0]}}}`)} (known: ${QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')})`,
    );
  }
  return named.value;
}

/** An optional http(s) URL setting; anything else is refused, not silently dropped. */
function urlSetting(named: { value: string; name: string } | undefined, example: string) {
  if (named) httpUrl(named.name, named.value, example);
  return named?.value;
}

function parseScope(named: { value: string; name: string } | undefined): Scope {
  if (!named) return 'job';
  const value = named.value.toLowerCase();
  if (value === 'job' || value === 'pipeline') return value;
  throw new ConfigError(`${named.name} must be job or pipeline (got ${quote(named.value)})`);
}

export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const CHANNEL_NAME = /^#?[a-z0-9][a-z0-9._-]{0,79}$/;

function checkChannel(name: string, value: string): void {
  if (CHANNEL_ID.test(value) || CHANNEL_NAME.test(value)) return;
  // A webhook URL put here by mistake is a secret: never shown.
  const got = /:\/\//.test(value)
    ? 'a URL; a webhook goes in a *_WEBHOOK_URL setting'
    : quote(value);
  throw new ConfigError(`${name} must be a channel ID such as C0123ABCD, or #name (got ${got})`);
}

/** A map's label in an error, unless it looks like a URL (a secret written the wrong way round). */
const shownLabel = (label: string) =>
  /^[\w.*\/-]{1,60}$/.test(label) ? `label ${quote(label)}` : 'an entry';

function routes(read: Reader): Routes {
  const webhookMap = read.named('webhookMap');
  const channelMap = read.named('channelMap');
  const failureWebhook = read.named('failureWebhookUrl');
  const failureChannel = read.named('failureChannel');
  const hookExample = 'production=https://hooks.slack.com/services/T…/B…/…';
  if (failureChannel) checkChannel(failureChannel.name, failureChannel.value);
  return {
    // Secrets: an error names the setting and the label, never the URL.
    webhookMap: webhookMap
      ? parseMap(webhookMap.name, webhookMap.value, 'production=https://hooks…').map(
          ([label, url]) =>
            [
              label,
              httpUrl(`${webhookMap.name} (${shownLabel(label)})`, url, hookExample).href,
            ] as const,
        )
      : [],
    channelMap: channelMap
      ? parseMap(channelMap.name, channelMap.value, 'production=C0123ABCD').map(
          ([label, channel]) => {
            checkChannel(`${channelMap.name} (${shownLabel(label)})`, channel);
            return [label, channel] as const;
          },
        )
      : [],
    failureWebhookUrl: failureWebhook
      ? httpUrl(failureWebhook.name, failureWebhook.value, hookExample)
      : undefined,
    ...(failureChannel ? { failureChannel: failureChannel.value } : {}),
  };
}

/** The token goes with every call: over https, or plain http to this machine only (tests). */
function apiUrl(name: string, value: string): URL {
  const url = httpUrl(name, value, DEFAULT_API_URL);
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !local) {
    throw new ConfigError(`${name} must be https:// (the bot token goes with every call)`);
  }
  return url;
}

function appConfig(read: Reader): AppConfig | undefined {
  const token = read.named('botToken');
  if (!token) return undefined;
  // A secret: the error names the setting, never echoes it.
  if (!/^xox[a-z]-[\x21-\x7e]+$/.test(token.value)) {
    throw new ConfigError(
      `${token.name} is not a Slack token (expected the Bot User OAuth Token, xoxb-…)`,
    );
  }
  const channel = read.named('channel');
  if (!channel) {
    throw new ConfigError(
      `NOTIFY_CHANNEL is required with ${token.name} (a channel ID such as C0123ABCD, or #name)`,
    );
  }
  checkChannel(channel.name, channel.value);
  const api = read.named('slackApiUrl');
  const ts = read.named('slackTs');
  if (ts && !/^\d{1,12}\.\d{1,9}$/.test(ts.value)) {
    throw new ConfigError(
      `${ts.name} must be a Slack message ts such as 1763800000.000100 (got ${quote(ts.value)})`,
    );
  }
  return {
    token: token.value,
    channel: channel.value,
    apiUrl: api ? apiUrl(api.name, api.value) : new URL(DEFAULT_API_URL),
    ...(ts ? { ts: ts.value } : {}),
    ...(read.string('stateFile') ? { stateFile: read.string('stateFile') } : {}),
  };
}

/** A token goes in a header: printable ASCII only. A secret: the error never echoes it. */
function token(named: { value: string; name: string } | undefined): Token | undefined {
  if (!named) return undefined;
  if (!/^[\x21-\x7e]+$/.test(named.value)) {
    throw new ConfigError(
      `${named.name} is not a token (it holds spaces or characters no token has)`,
    );
  }
  return named;
}

function summarySettings(read: Reader, env: Env): SummarySettings {
  const needs = read.named('needs');
  const gitlabToken = token(read.named('gitlabToken'));
  // GitHub's own token is not a notify setting: one that cannot be a token is not used.
  const workflow = env.GITHUB_TOKEN?.trim();
  const githubToken =
    token(read.named('githubToken')) ??
    (workflow && /^[\x21-\x7e]+$/.test(workflow)
      ? { name: 'GITHUB_TOKEN', value: workflow }
      : undefined);
  return {
    ...(gitlabToken ? { gitlabToken } : {}),
    ...(githubToken ? { githubToken } : {}),
    ...(needs ? { needs: parseNeeds(needs.name, needs.value) } : {}),
  };
}

/** NOTIFY_TARGET: one of the tools' names, checked without loading any of them. */
function parseTarget(named: { value: string; name: string } | undefined): TargetName | undefined {
  if (!named) return undefined;
  const wanted = named.value.toLowerCase();
  const found = TARGET_NAMES.find((target) => target === wanted);
  if (found) return found;
  const shown = /^[\w-]{1,30}$/.test(named.value) ? quote(named.value) : 'another value';
  throw new ConfigError(`${named.name} must be one of ${TARGET_NAMES.join(', ')} (got ${shown})`);
}

function mentionSettings(read: Reader): MentionSettings {
  const mention = read.named('mention');
  const on = read.named('mentionOn');
  return {
    ...(mention ? parseMentions(mention.name, mention.value) : { everyone: [], map: [] }),
    on: on ? parseMentionOn(on.name, on.value) : 'failure',
  };
}

export function resolveConfig(command: Command, flags: Flags, env: Env): Config {
  const read = new Reader(flags, env);

  const webhook = read.named('webhookUrl');
  // The value is a secret: the error names the setting, never echoes it.
  const webhookUrl = webhook
    ? httpUrl(webhook.name, webhook.value, 'https://hooks.slack.com/services/T…/B…/…')
    : undefined;

  const app = appConfig(read);

  const statusRaw = read.named('status');
  const status = statusRaw ? parseStatus(statusRaw.value) : undefined;
  if (statusRaw && !status) {
    throw new ConfigError(
      `${statusRaw.name} must be one of ${STATUS_NAMES.join(', ')} (got ${quote(statusRaw.value)})`,
    );
  }

  const grafana = read.named('grafanaUrl');
  const grafanaUrlMap = read.named('grafanaUrlMap');
  const urlMapExample = 'production=https://grafana.example.com';
  const envMap = read.named('environmentMap');
  const when = read.named('when');
  const branches = read.named('branches');

  return {
    command,
    ...(app ? { app } : {}),
    webhookUrl,
    ...(read.named('target') ? { target: parseTarget(read.named('target')) } : {}),
    dryRun: read.boolean('dryRun'),
    status,
    timeoutMs: parseTimeout(read.named('timeout')),
    softFail: read.boolean('softFail'),
    scope: parseScope(read.named('scope')),
    filter: {
      when: when ? parseWhen(when.name, when.value) : undefined,
      branches: branches ? parseBranches(branches.name, branches.value) : undefined,
    },
    routes: routes(read),
    message: {
      environment: {
        fixed: read.string('environment'),
        map: envMap ? parseMap(envMap.name, envMap.value, 'main=production,develop=dev') : [],
      },
      logs: {
        grafanaUrl: grafana
          ? httpUrl(grafana.name, grafana.value, 'https://grafana.example.com').href
          : undefined,
        grafanaUrlMap: grafanaUrlMap
          ? parseMap(grafanaUrlMap.name, grafanaUrlMap.value, urlMapExample).map(
              ([label, url]) =>
                [label, httpUrl(grafanaUrlMap.name, url, urlMapExample).href] as const,
            )
          : [],
        datasource: read.string('grafanaDatasource') ?? DEFAULT_DATASOURCE,
        query: parseQuery(read.named('logsQuery')),
        namespace: read.string('namespace'),
        from: parseFrom(read.named('logsFrom')),
      },
    },
    overrides: {
      project: read.string('project'),
      projectUrl: urlSetting(read.named('projectUrl'), 'https://gitlab.example.com/team/app'),
      ref: read.string('ref'),
      user: read.string('user'),
      environmentUrl: urlSetting(read.named('environmentUrl'), 'https://app.example.com'),
      jobUrl: urlSetting(read.named('jobUrl'), 'https://gitlab.example.com/team/app/-/jobs/1'),
      version: read.string('versionLabel'),
    },
    summary: summarySettings(read, env),
    mentions: mentionSettings(read),
  };
}

/** The context with what the user said explicitly laid over what the CI provider found. */
export function applyOverrides(ctx: CiContext, o: Overrides): CiContext {
  return {
    ...ctx,
    project: {
      ...ctx.project,
      name: o.project ?? ctx.project.name,
      url: o.projectUrl ?? ctx.project.url,
    },
    ref: o.ref ? { ...ctx.ref, name: o.ref, slug: undefined } : ctx.ref,
    user: o.user ?? ctx.user,
    // A name given by hand is not the CI user's: their profile would link someone else.
    ...(o.user ? { userUrl: undefined } : {}),
    environment: { ...ctx.environment, url: o.environmentUrl ?? ctx.environment.url },
    job: { ...ctx.job, url: o.jobUrl ?? ctx.job.url },
    // A tag names the version it builds; else the one the job was given.
    ...(ctx.ref.isTag && ctx.ref.name
      ? { version: ctx.ref.name }
      : o.version
        ? { version: o.version }
        : {}),
  };
}

/** The status `finish` reports: explicit, else the provider's, else `unknown` (never success). */
export function finishStatus(config: Config, ctx: CiContext): { status: Status; warning?: string } {
  if (config.status) return { status: config.status };
  const fromCi = ctx.status ? parseStatus(ctx.status) : undefined;
  if (fromCi) return { status: fromCi };
  const hint = ctx.status ? statusHint(ctx.status) : undefined;
  if (hint) return { status: 'unknown', warning: `${hint}. Reporting it as unknown` };
  const why = ctx.status
    ? `the CI reported an unrecognised job status ${quote(ctx.status)}`
    : 'no job status was found';
  return {
    status: 'unknown',
    warning: `${why}; pass --status (${STATUS_NAMES.join(', ')}) or set NOTIFY_STATUS. Reporting it as unknown`,
  };
}
