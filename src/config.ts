// Flags + NOTIFY_* variables + .env + CI variables -> one validated Config. Pure: the caller
// reads the .env file and passes its contents in.
import type { CiContext, Env } from './context.ts';
import type { PatternMap } from './environment.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_DATASOURCE } from './links.ts';
import type { MessageSettings, Scope } from './message.ts';
import { parseStatus, STATUS_NAMES, type Status } from './status.ts';

export type Command = 'start' | 'finish';

interface SettingSpec {
  /** The long flag, without dashes. */
  flag: string;
  /** The variable that sets it when the flag is absent. */
  env: string;
  type: 'string' | 'boolean';
  group: 'Delivery' | 'Message' | 'Runtime logs' | 'Context';
  describe: string;
}

/** Every setting, with its flag and variable, in one place: `--help` and the README list these. */
export const SETTINGS = {
  webhookUrl: {
    flag: 'webhook-url',
    env: 'SLACK_WEBHOOK_URL',
    type: 'string',
    group: 'Delivery',
    describe: 'Slack incoming webhook URL (a secret). Unset: print one line, skip, exit 0',
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
    describe: 'dotenv file to read settings from, if it exists [default: .env]',
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
}

export interface Config {
  command: Command;
  /** Undefined: no webhook configured, skip. */
  webhookUrl?: URL;
  dryRun: boolean;
  /** The status given on the command line or in NOTIFY_STATUS, if any. */
  status?: Exclude<Status, 'unknown'>;
  timeoutMs: number;
  softFail: boolean;
  scope: Scope;
  message: MessageSettings;
  overrides: Overrides;
}

/** The variables a .env file may set: notify's settings, not the CI's or the proxy's. */
const isSetting = (key: string) => key.startsWith('NOTIFY_') || key === 'SLACK_WEBHOOK_URL';

/**
 * The variables notify reads, layered: CI variables < .env file < NOTIFY_* from the process.
 * (Flags sit above all three.) A .env in a checkout often belongs to the application, so only
 * notify's own settings are taken from it: it cannot fake CI_JOB_STATUS or reroute the proxy.
 */
export function layerEnv(processEnv: Env, dotenv: Env): Env {
  const fromFile = Object.entries(dotenv).filter(([key]) => isSetting(key));
  // An empty NOTIFY_* counts as unset (CI platforms define unset variables as ''), so it must
  // not hide the .env value below it.
  const own = Object.entries(processEnv).filter(
    ([key, value]) => key.startsWith('NOTIFY_') && value?.trim(),
  );
  return { ...processEnv, ...Object.fromEntries(fromFile), ...Object.fromEntries(own) };
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
    const value = raw.value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(`${raw.name} must be true or false (got "${raw.value}")`);
  }
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
      throw new ConfigError(`${name} entry "${entry}" is not key=value (expected e.g. ${example})`);
    }
    return [key, value] as const;
  });
}

function parseTimeout(named: { value: string; name: string } | undefined): number {
  if (!named) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(named.value);
  if (!/^\d+(\.\d+)?$/.test(named.value) || !(seconds > 0) || seconds > 3600) {
    throw new ConfigError(
      `${named.name} must be a number of seconds above 0 and at most 3600, e.g. 30 (got "${named.value}")`,
    );
  }
  return Math.round(seconds * 1000);
}

function parseScope(named: { value: string; name: string } | undefined): Scope {
  if (!named) return 'job';
  const value = named.value.toLowerCase();
  if (value === 'job' || value === 'pipeline') return value;
  throw new ConfigError(`${named.name} must be job or pipeline (got "${named.value}")`);
}

export function resolveConfig(command: Command, flags: Flags, env: Env): Config {
  const read = new Reader(flags, env);

  const webhook = read.named('webhookUrl');
  // The value is a secret: the error names the setting, never echoes it.
  const webhookUrl = webhook
    ? httpUrl(webhook.name, webhook.value, 'https://hooks.slack.com/services/T…/B…/…')
    : undefined;

  const statusRaw = read.named('status');
  const status = statusRaw ? parseStatus(statusRaw.value) : undefined;
  if (statusRaw && !status) {
    throw new ConfigError(
      `${statusRaw.name} must be one of ${STATUS_NAMES.join(', ')} (got "${statusRaw.value}")`,
    );
  }

  const grafana = read.named('grafanaUrl');
  const grafanaUrlMap = read.named('grafanaUrlMap');
  const urlMapExample = 'production=https://grafana.example.com';
  const envMap = read.named('environmentMap');

  return {
    command,
    webhookUrl,
    dryRun: read.boolean('dryRun'),
    status,
    timeoutMs: parseTimeout(read.named('timeout')),
    softFail: read.boolean('softFail'),
    scope: parseScope(read.named('scope')),
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
        query: read.string('logsQuery'),
        namespace: read.string('namespace'),
        from: read.string('logsFrom') ?? 'pipeline',
      },
    },
    overrides: {
      project: read.string('project'),
      projectUrl: read.string('projectUrl'),
      ref: read.string('ref'),
      user: read.string('user'),
      environmentUrl: read.string('environmentUrl'),
      jobUrl: read.string('jobUrl'),
    },
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
    environment: { ...ctx.environment, url: o.environmentUrl ?? ctx.environment.url },
    job: { ...ctx.job, url: o.jobUrl ?? ctx.job.url },
  };
}

/** The status `finish` reports: explicit, else the provider's, else `unknown` (never success). */
export function finishStatus(config: Config, ctx: CiContext): { status: Status; warning?: string } {
  if (config.status) return { status: config.status };
  const fromCi = ctx.status ? parseStatus(ctx.status) : undefined;
  if (fromCi) return { status: fromCi };
  const why = ctx.status
    ? `the CI reported an unrecognised job status "${ctx.status}"`
    : 'no job status was found';
  return {
    status: 'unknown',
    warning: `${why}; pass --status (${STATUS_NAMES.join(', ')}) or set NOTIFY_STATUS. Reporting it as unknown`,
  };
}
