// The pipeline's board in Slack app mode: what each job said of itself, folded into one view.
// Each job writes its facts into its own thread reply's metadata; the board is derived from all
// of them each time, never kept, so jobs that finish together cannot erase each other. Pure.
import type { Status } from './status.ts';

export type JobState = Status | 'running';

/** One job's facts, as it wrote them into its reply. */
export interface JobFact {
  /** Stable per job within the pipeline (the CI's job id, else its name). */
  key: string;
  name: string;
  stage?: string;
  state: JobState;
  /** ISO 8601. */
  startedAt?: string;
  finishedAt?: string;
  url?: string;
  /** The reply's ts: later facts about the same job win. */
  ts: string;
}

/** The pipeline's end, as a `--scope pipeline` finish wrote it. */
export interface EndFact {
  status: Status;
  finishedAt?: string;
  ts: string;
}

export type Overall = 'running' | 'failing' | Status;

export interface Board {
  /** One line per job, in the order the jobs first reported. */
  jobs: JobFact[];
  overall: Overall;
  end?: EndFact;
}

const FAILED: ReadonlySet<JobState> = new Set(['failed', 'timedout']);

/** Later replies first lose to earlier ones only by ts: Slack's ts orders a channel's messages. */
const byTs = (a: { ts: string }, b: { ts: string }) => Number(a.ts) - Number(b.ts);

export function foldBoard(jobs: readonly JobFact[], ends: readonly EndFact[]): Board {
  const latest = new Map<string, JobFact>();
  const first = new Map<string, number>();
  for (const fact of [...jobs].sort(byTs)) {
    if (!first.has(fact.key)) first.set(fact.key, first.size);
    latest.set(fact.key, fact);
  }
  const lines = [...latest.values()].sort((a, b) => first.get(a.key)! - first.get(b.key)!);
  const end = [...ends].sort(byTs).at(-1);
  let overall: Overall = 'running';
  if (end) overall = end.status;
  else if (lines.some((job) => FAILED.has(job.state))) overall = 'failing';
  return { jobs: lines, overall, ...(end ? { end } : {}) };
}

/** `1m 12s`, `45s`, `2h 5m`: how long, as a person reads it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** The time between two ISO 8601 instants, formatted; undefined when either is unknown. */
export function between(from: string | undefined, to: string | undefined): string | undefined {
  const start = from ? Date.parse(from) : NaN;
  const end = to ? Date.parse(to) : NaN;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return undefined;
  return formatDuration(end - start);
}
