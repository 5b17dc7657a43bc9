// Slack app mode: one message per pipeline, which every job finds by itself and updates, with
// each job's details in its thread. Nothing is kept between jobs but what is in the channel:
// every message carries Slack message metadata naming its pipeline, and each job writes its own
// facts into its own reply, from which the board is derived anew on every update.
// https://docs.slack.dev/messaging/message-metadata/
import { foldBoard, type Board, type EndFact, type JobFact, type JobState } from './board.ts';
import type { CiContext } from './context.ts';
import { SlackApiError } from './errors.ts';
import type { SlackApi } from './slack-api.ts';
import type { Status } from './status.ts';

export const PIPELINE_EVENT = 'notify_pipeline';
export const JOB_EVENT = 'notify_job';
export const END_EVENT = 'notify_pipeline_end';

// Bounds on what a job reads: a busy channel's history between the pipeline's start and now, and
// a thread of a large pipeline.
const HISTORY_PAGES = 10;
const HISTORY_PAGE = 200;
const REPLY_PAGES = 10;
const REPLY_PAGE = 1000;
/** How often a job re-reads and re-draws the board before it trusts that it is the last. */
const BOARD_ROUNDS = 5;
/** Without a known pipeline start, how far back a job looks for its pipeline's message. */
const FALLBACK_LOOKBACK_S = 6 * 3600;

interface Metadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

export interface SlackMessage {
  ts: string;
  thread_ts?: string;
  metadata?: Metadata;
  bot_id?: string;
}

/** What names a pipeline among all the messages of a channel. */
export interface PipelineKey {
  provider: string;
  project: string;
  pipeline: string;
}

/**
 * Whose messages count: this app's bot only. Metadata is written by apps, and any other app in
 * the channel could write the same event types: its messages are passed over.
 */
export interface Trusted {
  botId: string;
}

export function pipelineKey(ctx: CiContext): PipelineKey | undefined {
  const project = ctx.project.path ?? ctx.project.name;
  if (!project || !ctx.pipeline.id) return undefined;
  // A re-run of a whole run (GitHub's run attempt) is a pipeline of its own.
  const attempt =
    ctx.pipeline.attempt && ctx.pipeline.attempt !== '1' ? `#${ctx.pipeline.attempt}` : '';
  return { provider: ctx.provider, project, pipeline: `${ctx.pipeline.id}${attempt}` };
}

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

function isOf(message: SlackMessage, type: string, key: PipelineKey, trusted: Trusted): boolean {
  const payload =
    message.metadata?.event_type === type ? message.metadata.event_payload : undefined;
  return (
    message.bot_id === trusted.botId &&
    payload !== undefined &&
    payload.provider === key.provider &&
    payload.project === key.project &&
    payload.pipeline === key.pipeline
  );
}

/**
 * The pipeline's message names its pipeline, its ref and, once it ended, how: the next pipeline
 * of the same ref reads that to say fixed, broken or still failing.
 */
export function pipelineMetadata(
  key: PipelineKey,
  ctx: CiContext,
  end?: { status: Status; finishedAt?: string },
): Metadata {
  return {
    event_type: PIPELINE_EVENT,
    event_payload: {
      ...key,
      ...(ctx.pipeline.startedAt ? { started_at: ctx.pipeline.startedAt } : {}),
      ...lineOf(ctx),
      ...(end ? { status: end.status } : {}),
      ...(end?.finishedAt ? { finished_at: end.finishedAt } : {}),
    },
  };
}

/**
 * What makes pipelines one line of history: the ref, the workflow (GitHub runs several per
 * push), and whether it runs for a merge request (GitLab runs those beside the branch's own).
 */
function lineOf(ctx: CiContext): Record<string, string> {
  const change =
    ctx.pipeline.source === 'merge_request_event' ||
    ctx.pipeline.source === 'pull_request' ||
    ctx.pipeline.source === 'pull_request_target';
  return {
    ...(ctx.ref.name ? { ref: ctx.ref.name } : {}),
    ...(ctx.pipeline.name ? { workflow: ctx.pipeline.name } : {}),
    ...(change ? { for: 'change' } : {}),
  };
}

export function jobMetadata(key: PipelineKey, fact: Omit<JobFact, 'ts'>): Metadata {
  const payload: Record<string, unknown> = {
    ...key,
    job: fact.key,
    name: fact.name,
    state: fact.state,
  };
  if (fact.stage) payload.stage = fact.stage;
  if (fact.startedAt) payload.started_at = fact.startedAt;
  if (fact.finishedAt) payload.finished_at = fact.finishedAt;
  if (fact.url) payload.url = fact.url;
  return { event_type: JOB_EVENT, event_payload: payload };
}

export function endMetadata(key: PipelineKey, status: Status, finishedAt: string): Metadata {
  return { event_type: END_EVENT, event_payload: { ...key, status, finished_at: finishedAt } };
}

const JOB_STATES: ReadonlySet<string> = new Set([
  'running',
  'success',
  'failed',
  'canceled',
  'timedout',
  'aborted',
  'unknown',
]);

/** The facts the thread's replies hold about this pipeline; anything else is passed over. */
export function factsOf(
  replies: readonly SlackMessage[],
  key: PipelineKey,
  trusted: Trusted,
): { jobs: JobFact[]; ends: EndFact[] } {
  const jobs: JobFact[] = [];
  const ends: EndFact[] = [];
  for (const reply of replies) {
    const payload = reply.metadata?.event_payload;
    if (!payload) continue;
    if (isOf(reply, JOB_EVENT, key, trusted)) {
      const state = str(payload.state);
      const jobKey = str(payload.job);
      if (!jobKey || !state || !JOB_STATES.has(state)) continue;
      jobs.push({
        key: jobKey,
        name: str(payload.name) ?? jobKey,
        stage: str(payload.stage),
        state: state as JobState,
        startedAt: str(payload.started_at),
        finishedAt: str(payload.finished_at),
        url: str(payload.url),
        ts: reply.ts,
      });
    } else if (isOf(reply, END_EVENT, key, trusted)) {
      const status = str(payload.status);
      if (!status || !JOB_STATES.has(status) || status === 'running') continue;
      ends.push({ status: status as Status, finishedAt: str(payload.finished_at), ts: reply.ts });
    }
  }
  return { jobs, ends };
}

interface Page {
  messages?: SlackMessage[];
  has_more?: boolean;
  response_metadata?: { next_cursor?: string };
}

/** The messages of a paginated read, page after page, up to `pages` pages. */
async function readPages(
  api: SlackApi,
  method: string,
  args: Readonly<Record<string, unknown>>,
  pages: number,
): Promise<SlackMessage[]> {
  const messages: SlackMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < pages; page++) {
    const answer = await api<Page>(method, { ...args, include_all_metadata: true, cursor });
    messages.push(...(answer.messages ?? []));
    cursor = answer.response_metadata?.next_cursor;
    if (!answer.has_more || !cursor) break;
  }
  return messages;
}

/** Every message of the pipeline's kind in the channel since `oldest`, oldest first. */
export async function findParents(
  api: SlackApi,
  channel: string,
  key: PipelineKey,
  trusted: Trusted,
  oldest: string,
): Promise<SlackMessage[]> {
  const args = { channel, oldest, limit: HISTORY_PAGE };
  return (await readPages(api, 'conversations.history', args, HISTORY_PAGES))
    .filter((message) => isOf(message, PIPELINE_EVENT, key, trusted))
    .sort((a, b) => Number(a.ts) - Number(b.ts));
}

/** A thread's replies (its parent left out), up to the bound. */
export async function threadReplies(
  api: SlackApi,
  channel: string,
  ts: string,
): Promise<SlackMessage[]> {
  const args = { channel, ts, limit: REPLY_PAGE };
  return (await readPages(api, 'conversations.replies', args, REPLY_PAGES)).filter(
    (message) => message.ts !== ts,
  );
}

/** Where the history search starts: a minute before the pipeline began, as Slack's ts. */
export function searchFrom(ctx: CiContext, nowMs: number): string {
  const started = ctx.pipeline.startedAt ? Date.parse(ctx.pipeline.startedAt) : NaN;
  const from = Number.isFinite(started) ? started / 1000 - 60 : nowMs / 1000 - FALLBACK_LOOKBACK_S;
  return from.toFixed(6);
}

export interface Drawn {
  text: string;
  blocks: unknown[];
}

export interface ParentOptions {
  api: SlackApi;
  channel: string;
  key: PipelineKey;
  trusted: Trusted;
  ctx: CiContext;
  now: () => number;
  /** The parent's look for a board. */
  draw: (board: Board) => Drawn;
}

/**
 * The pipeline's message: the one found in the channel, or a new one. Jobs of the first stage may
 * all find nothing and all post: then the oldest is the pipeline's, and each later one is deleted
 * by the job that posted it, which carries on in the oldest.
 */
export async function findOrPostParent(
  options: ParentOptions,
): Promise<{ ts: string; posted: boolean }> {
  const { api, channel, key, trusted, ctx } = options;
  const oldest = searchFrom(ctx, options.now());
  const [existing] = await findParents(api, channel, key, trusted, oldest);
  if (existing) return { ts: existing.ts, posted: false };
  const drawn = options.draw(foldBoard([], []));
  const posted = await api<{ ts: string }>('chat.postMessage', {
    channel,
    ...drawn,
    unfurl_links: false,
    unfurl_media: false,
    metadata: pipelineMetadata(key, ctx),
  });
  const [first] = await findParents(api, channel, key, trusted, oldest);
  if (!first || first.ts === posted.ts) return { ts: posted.ts, posted: true };
  await api('chat.delete', { channel, ts: posted.ts }).catch((error: unknown) => {
    // A retried delete whose first try went through finds nothing left to delete.
    if (!(error instanceof SlackApiError && error.error === 'message_not_found')) throw error;
  });
  return { ts: first.ts, posted: false };
}

const signature = (board: Board) =>
  JSON.stringify([
    board.overall,
    board.end?.ts,
    board.jobs.map((job) => [job.key, job.ts, job.state]),
  ]);

/**
 * Redraws the parent from the thread until a re-read after the update shows nothing new: the last
 * job to update has then seen every fact written before its update.
 */
export async function redrawParent(
  options: Omit<ParentOptions, 'now'> & { ts: string },
): Promise<Board> {
  const { api, channel, key, trusted, ts } = options;
  let drawnFrom: string | undefined;
  let board = foldBoard([], []);
  for (let round = 0; round < BOARD_ROUNDS; round++) {
    const { jobs, ends } = factsOf(await threadReplies(api, channel, ts), key, trusted);
    board = foldBoard(jobs, ends);
    const now = signature(board);
    if (now === drawnFrom) break;
    // The metadata goes along: the parent must stay findable whatever an update keeps.
    await api('chat.update', {
      channel,
      ts,
      ...options.draw(board),
      metadata: pipelineMetadata(key, options.ctx, board.end),
    });
    drawnFrom = now;
  }
  return board;
}

/** How many pages of the channel's history a job reads back for the previous pipeline. */
const PREVIOUS_PAGES = 3;

export interface Previous {
  status: Status;
  /** Its message. */
  ts: string;
  /** The message of the first failure of the run of failures it ends, if it failed. */
  firstFailureTs?: string;
}

/** Only a pass or a failure says how the line stands: a canceled pipeline says nothing. */
const ENDS: ReadonlySet<string> = new Set(['success', 'failed', 'timedout']);
const FAILING: ReadonlySet<string> = new Set(['failed', 'timedout']);

/**
 * The last pipeline of the same line (project, ref, workflow, merge request or not) that ended,
 * by the time it ended, from the channel's own history: no CI API is needed. Nothing when there
 * is none within the pages read (a first run, or one too far back).
 */
export async function previousPipeline(
  api: SlackApi,
  channel: string,
  ctx: CiContext,
  key: PipelineKey,
  trusted: Trusted,
): Promise<Previous | undefined> {
  if (!ctx.ref.name) return undefined;
  const line = lineOf(ctx);
  const ended: Array<{ status: Status; ts: string; at: number }> = [];
  let cursor: string | undefined;
  for (let page = 0; page < PREVIOUS_PAGES; page++) {
    const answer = await api<Page>('conversations.history', {
      channel,
      limit: HISTORY_PAGE,
      include_all_metadata: true,
      cursor,
    });
    for (const message of answer.messages ?? []) {
      const payload = message.metadata?.event_payload;
      if (
        message.bot_id !== trusted.botId ||
        message.metadata?.event_type !== PIPELINE_EVENT ||
        !payload ||
        payload.provider !== key.provider ||
        payload.project !== key.project ||
        payload.pipeline === key.pipeline ||
        payload.ref !== line.ref ||
        payload.workflow !== line.workflow ||
        payload.for !== line.for
      )
        continue;
      const status = str(payload.status);
      if (!status || !ENDS.has(status)) continue;
      const finished = Date.parse(str(payload.finished_at) ?? '');
      ended.push({
        status: status as Status,
        ts: message.ts,
        at: Number.isFinite(finished) ? finished : Number(message.ts) * 1000,
      });
    }
    cursor = answer.response_metadata?.next_cursor;
    if (!answer.has_more || !cursor) break;
  }
  ended.sort((a, b) => b.at - a.at);
  const [last] = ended;
  if (!last) return undefined;
  let first: string | undefined;
  for (const pipeline of ended) {
    if (!FAILING.has(pipeline.status)) break;
    first = pipeline.ts;
  }
  return { status: last.status, ts: last.ts, ...(first ? { firstFailureTs: first } : {}) };
}
