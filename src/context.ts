/**
 * The one normalised view of a CI run. Every provider returns it; message building reads
 * nothing else. Fields a provider cannot know are left undefined, never guessed.
 */
export interface CiContext {
  /** Which provider produced this context ('gitlab', 'github', 'local'). */
  provider: string;
  project: {
    /** Short name, e.g. `chat-server`. */
    name?: string;
    /** Full path, e.g. `team/chat-server`. */
    path?: string;
    url?: string;
  };
  ref: {
    /** Branch or tag name, e.g. `main`, `feature/login`, `v1.2.0`. */
    name?: string;
    /** URL-safe form of the ref, as GitLab's CI_COMMIT_REF_SLUG. */
    slug?: string;
    isTag: boolean;
    defaultBranch?: string;
    /** Whether the ref is protected (GitLab CI_COMMIT_REF_PROTECTED, GitHub GITHUB_REF_PROTECTED). */
    protected?: boolean;
  };
  /** The deployment environment the job declares, if any. */
  environment: {
    name?: string;
    url?: string;
  };
  /** Who started the pipeline (login or display name). */
  user?: string;
  /** Their profile page, where the CI names them by login. */
  userUrl?: string;
  /** Their account's address, as the CI knows it: whom to mention on a failure. */
  userEmail?: string;
  /** The version the run builds: its tag, else what the job was told (NOTIFY_VERSION). */
  version?: string;
  commit: {
    sha?: string;
    shortSha?: string;
    /** First line of the commit message. */
    title?: string;
    author?: string;
    url?: string;
  };
  pipeline: {
    id?: string;
    /** Which run of the same pipeline this is, where the CI re-runs in place (GitHub). */
    attempt?: string;
    url?: string;
    /** The event that started it: push, merge_request_event, pull_request, schedule, tag... */
    source?: string;
    /** ISO 8601. */
    startedAt?: string;
    /** Which of the project's pipelines, where a CI runs several per commit (a GitHub workflow). */
    name?: string;
  };
  job: {
    /** The CI's id for this run of the job, where it has one (GitLab's CI_JOB_ID). */
    id?: string;
    name?: string;
    stage?: string;
    /** Link to the job's log; providers without one link the run. */
    url?: string;
    /** ISO 8601. */
    startedAt?: string;
  };
  /** The job status as the provider reported it, not yet validated. */
  status?: string;
  /** The merge request or pull request this run belongs to. */
  change?: {
    kind: 'merge_request' | 'pull_request';
    number: string;
    title?: string;
    url?: string;
    /** Who opened the request, and their profile page. */
    author?: string;
    authorUrl?: string;
  };
  /** Kubernetes namespace the job deploys to, when the CI platform provides it. */
  namespace?: string;
  /** A deploy freeze is in effect (GitLab's CI_DEPLOY_FREEZE). */
  deployFreeze?: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Unix seconds (`1722617519`) as ISO 8601; anything else, or 0, as nothing. */
export function isoFromUnixSeconds(seconds: string | undefined): string | undefined {
  if (!seconds || !/^\d{1,12}$/.test(seconds) || Number(seconds) === 0) return undefined;
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A true/false variable as CIs set it: undefined when unset or empty, else whether it is `true`. */
export function flag(env: Env, key: string): boolean | undefined {
  const value = env[key]?.trim().toLowerCase();
  return value ? value === 'true' : undefined;
}

/** What a provider may ask of the outside world. Injected so providers stay testable. */
export interface ProviderIo {
  readFile(path: string): string;
}

/** One CI platform. Adding a platform means one file exporting one of these. */
export interface Provider {
  name: string;
  detect(env: Env): boolean;
  context(env: Env, io: ProviderIo): CiContext;
}

/** Non-empty trimmed value, or undefined: CI platforms set many variables to ''. */
export function val(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

/** First line of a multi-line text, e.g. a commit message. */
export function firstLine(text: string | undefined): string | undefined {
  const line = text?.split(/\r?\n|\r/, 1)[0]?.trim();
  return line ? line : undefined;
}

/** GitLab's CI_COMMIT_REF_SLUG rule: lowercase, [a-z0-9] kept, others to '-', 63 chars max. */
export function slugify(ref: string): string {
  return ref
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/**
 * A login's profile page on a forge (`https://github.com/octocat`): only for a name a login can
 * be, so that no text becomes a path of its own.
 */
export function profileUrl(
  server: string | undefined,
  login: string | undefined,
): string | undefined {
  if (!server || !login || !/^[A-Za-z0-9][\w.-]{0,99}$/.test(login)) return undefined;
  return `${server.replace(/\/+$/, '')}/${login}`;
}

/** `Jane Doe <jane@example.com>` -> the address, when there is one that can be an address. */
export function emailOf(value: string | undefined): string | undefined {
  const address = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value ?? '')?.[1] ?? value?.trim();
  return address && /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address : undefined;
}
