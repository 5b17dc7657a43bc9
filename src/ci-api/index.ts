// What a CI's API adds to a finish: the pipeline's jobs for the summary, this job's own link
// (GitHub's variables have none), the request's author. A lookup is bounded by its own share of
// NOTIFY_TIMEOUT and never fails the command: a summary without durations beats none.
import type { CiContext, Env } from '../context.ts';
import { Deadline, type RetryNotice } from '../http.ts';
import type { Scope } from '../report.ts';
import type { Platform, Transport } from '../platform/types.ts';
import { summarise, type PipelineJob, type Summary } from '../summary.ts';
import { githubJobs } from './github.ts';
import { gitlabJobs } from './gitlab.ts';
import { lookupFailure, type ReadOptions } from './read.ts';

export interface Token {
  /** The setting it came from, for messages: NOTIFY_GITLAB_TOKEN, GITHUB_TOKEN… */
  name: string;
  value: string;
}

export interface JobsRequest {
  env: Env;
  token: Token;
  read: Pick<ReadOptions, 'deadline' | 'env' | 'transport' | 'onRetry'>;
}

export interface JobsRead {
  /** Every job but this one. */
  jobs: PipelineJob[];
  /** This job, as the API lists it. */
  self?: PipelineJob;
  /** The CI has more jobs than were read. */
  more: boolean;
  /** A next page was on this other origin, and not read. */
  elsewhere?: string;
  /** The merge request's author, where only the API tells. */
  author?: { login: string; url?: string };
}

/** The summary's settings: a token per CI, and GitHub's needs when there is none. */
export interface SummarySettings {
  githubToken?: Token;
  gitlabToken?: Token;
  needs?: PipelineJob[];
}

const READERS: Readonly<
  Record<string, { token: (s: SummarySettings) => Token | undefined; read: typeof githubJobs }>
> = {
  github: { token: (s) => s.githubToken, read: githubJobs },
  gitlab: { token: (s) => s.gitlabToken, read: gitlabJobs },
};

export interface LookupOptions {
  scope: Scope;
  ctx: CiContext;
  env: Env;
  settings: SummarySettings;
  timeoutMs: number;
  signal: AbortSignal;
  platform: Pick<Platform, 'transport'>;
  onRetry?: (notice: RetryNotice) => void;
  nowMs: () => number;
}

export interface Lookup {
  summary?: Summary;
  /** This job's own page. */
  jobUrl?: string;
  author?: JobsRead['author'];
  /** Lines on what could not be read, and what the message does instead. */
  warnings: string[];
  /** One line on what a token would add. */
  note?: string;
}

function transportFor(ctx: CiContext, env: Env, platform: LookupOptions['platform']): Transport {
  // The runner hands a self-managed GitLab's CA to the job in this file.
  const ca = ctx.provider === 'gitlab' ? env.CI_SERVER_TLS_CA_FILE?.trim() : undefined;
  return platform.transport(env, ca ? { caFiles: [['CI_SERVER_TLS_CA_FILE', ca]] } : undefined);
}

export async function lookup(options: LookupOptions): Promise<Lookup> {
  const { ctx, env, settings, scope } = options;
  const reader = Object.hasOwn(READERS, ctx.provider) ? READERS[ctx.provider] : undefined;
  const token = reader?.token(settings);
  const out: Lookup = { warnings: [] };
  const peer = ctx.provider === 'github' ? 'GitHub' : 'GitLab';
  let read: JobsRead | undefined;
  if (reader && token) {
    const deadline = new Deadline(options.timeoutMs, options.signal);
    try {
      read = await reader.read({
        env,
        token,
        read: {
          deadline,
          env,
          transport: transportFor(ctx, env, options.platform),
          // A retry line says whose answer it was: the CI's API, not the chat's.
          onRetry: (notice) =>
            options.onRetry?.({ ...notice, reason: `${peer} API: ${notice.reason}` }),
        },
      });
    } catch (error) {
      const problem = lookupFailure(error, deadline, peer);
      out.warnings.push(
        scope === 'pipeline'
          ? `cannot read the pipeline's jobs: ${problem}; the summary says what the variables say`
          : `cannot read this job's link: ${problem}; the run is linked instead`,
      );
    } finally {
      deadline.dispose();
    }
  }
  if (read?.elsewhere) {
    out.warnings.push(
      `${peer}'s next page of jobs is on ${read.elsewhere}, not followed (the token goes to ${peer}'s API only): the summary lists the jobs read`,
    );
  } else if (read?.more && scope === 'pipeline') {
    out.warnings.push(
      'the pipeline has more jobs than the 1,000 notify reads: the summary lists those, and says its result only on a failure among them',
    );
  }
  if (read?.self?.url) out.jobUrl = read.self.url;
  if (read?.author) out.author = read.author;
  if (scope !== 'pipeline') return out;
  const jobs = read ? { jobs: read.jobs, more: read.more, source: 'api' as const } : undefined;
  const fallback = settings.needs && {
    jobs: settings.needs,
    more: false,
    source: 'needs' as const,
  };
  const from = jobs ?? fallback;
  if (from) {
    out.summary = summarise({
      ...from,
      ...(ctx.pipeline.startedAt ? { pipelineStartedAt: ctx.pipeline.startedAt } : {}),
      nowMs: options.nowMs(),
    });
  } else if (ctx.provider === 'gitlab' && !token) {
    out.note =
      "NOTIFY_GITLAB_TOKEN is not set: the message speaks of the pipeline without its jobs; a project access token with read_api lists every job's status, duration and link";
  } else if (ctx.provider === 'github' && !token) {
    out.note =
      'no GITHUB_TOKEN: the message speaks of the pipeline without its jobs; give the job GITHUB_TOKEN (actions: read) or NOTIFY_NEEDS: ${{ toJSON(needs) }}';
  }
  return out;
}
