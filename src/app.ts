// Slack app mode, one command's turn: find (or post) the pipeline's message, write this job's
// facts into its reply, redraw the board, and leave the message's ts where the job's next step
// finds it. Every call runs under the one deadline of the command (NOTIFY_TIMEOUT).
import { parse as parseDotenv } from 'dotenv';
import { drawParent } from './app-message.ts';
import { between, foldBoard, type JobFact } from './board.ts';
import { CHANNEL_ID, type AppConfig, type Command } from './config.ts';
import type { CiContext, Env } from './context.ts';
import {
  endMetadata,
  factsOf,
  findOrPostParent,
  jobMetadata,
  pipelineKey,
  previousPipeline,
  redrawParent,
  threadReplies,
  type PipelineKey,
  type Trusted,
} from './conversation.ts';
import { envLabel } from './environment.ts';
import { ConfigError, DeliveryError, SlackApiError } from './errors.ts';
import { Deadline, type RetryNotice } from './http.ts';
import { runtimeLogsUrl } from './links.ts';
import type { Event, MessageSettings } from './report.ts';
import {
  buildMessage,
  buildSummaryMessage,
  mentionLine,
  type SlackPayload,
} from './targets/slack.ts';
import type { Platform } from './platform/types.ts';
import { slackApi, type SlackApi } from './slack-api.ts';
import type { Status } from './status.ts';
import type { Summary } from './summary.ts';
import {
  configured,
  isFailing,
  shouldMention,
  trendOf,
  unique,
  type Mention,
  type MentionSettings,
  type Trend,
} from './mentions.ts';

const LIST_PAGES = 10;
const STATE_MAX = 4 * 1024;

const REACTIONS: Readonly<Record<Status, string>> = {
  success: 'white_check_mark',
  failed: 'x',
  canceled: 'no_entry_sign',
  timedout: 'hourglass',
  aborted: 'octagonal_sign',
  unknown: 'grey_question',
};

export interface AppRun {
  command: Command;
  app: AppConfig;
  ctx: CiContext;
  event: Event;
  /** The pipeline's jobs from its CI's API: the pipeline message's final state. */
  summary?: Summary;
  mentions: MentionSettings;
  message: MessageSettings;
  timeoutMs: number;
  env: Env;
  platform: Pick<Platform, 'readText' | 'writeText' | 'appendText' | 'transport'>;
  /** Aborted by a signal: every call stops at once. */
  signal: AbortSignal;
  now: () => number;
  onRetry?: (notice: RetryNotice) => void;
  /** A state that could not be left behind is worth a line, not a failed job. */
  warn: (line: string) => void;
}

export interface AppDone {
  channel: string;
  ts: string;
  /** The first job's start posted the pipeline's message. */
  posted: boolean;
  /** What this turn said, as plain text. */
  text: string;
  /** Whom it called: the failure's other destinations call the same. */
  mentions: Mention[];
}

/** What a job's start leaves for its finish, in dotenv format. */
interface JobState {
  NOTIFY_CHANNEL?: string;
  NOTIFY_SLACK_TS?: string;
  NOTIFY_SLACK_REPLY_TS?: string;
  NOTIFY_JOB_STARTED_AT?: string;
}

/**
 * Where a job's start leaves its state for the job's finish: a place that outlives the step and,
 * in a kaniko build, the build itself (the builds volume is mounted, the root is rewritten).
 */
/** A job's own temporary folder, shared by its steps: GitHub, GitLab, Azure, Jenkins. */
const TEMP_DIRS = ['RUNNER_TEMP', 'CI_BUILDS_DIR', 'AGENT_TEMPDIRECTORY', 'WORKSPACE_TMP'];
/** Else the folder holding the checkout (kept by a kaniko build, shared by Woodpecker's steps). */
const CHECKOUTS = ['CI_PROJECT_DIR', 'CI_WORKSPACE', 'DRONE_WORKSPACE', 'BITBUCKET_CLONE_DIR'];

export function stateFile(env: Env, key: PipelineKey, job: string): string | undefined {
  const first = (names: string[]) => names.map((name) => env[name]?.trim()).find(Boolean);
  const checkout = first(CHECKOUTS);
  const dir = first(TEMP_DIRS) || checkout?.replace(/\/+[^/]+\/*$/, '') || undefined;
  if (!dir) return undefined;
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return `${dir.replace(/\/+$/, '')}/.notify-${safe(key.pipeline)}-${safe(job)}.env`;
}

/**
 * `KEY=value` lines for a later step to read. Only plain values are written (a ts, a channel id,
 * a time): one carrying a newline would add lines of its own to a file that sets variables.
 */
function dotenv(values: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(values)
    .filter(([, value]) => value && /^[\w.:+-]+$/.test(value))
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

async function resolveChannel(
  api: SlackApi,
  channel: string,
  setting = 'NOTIFY_CHANNEL',
): Promise<string> {
  if (CHANNEL_ID.test(channel)) return channel;
  const name = channel.replace(/^#/, '');
  let cursor: string | undefined;
  for (let page = 0; page < LIST_PAGES; page++) {
    const answer = await api<{
      channels?: Array<{ id: string; name: string }>;
      response_metadata?: { next_cursor?: string };
    }>('conversations.list', {
      types: 'public_channel,private_channel',
      exclude_archived: true,
      limit: 200,
      cursor,
    });
    const found = answer.channels?.find((c) => c.name === name);
    if (found) return found.id;
    cursor = answer.response_metadata?.next_cursor;
    if (!cursor) break;
  }
  throw new ConfigError(
    `${setting} #${name} is not among the channels the app can see: invite the app, or give the channel's ID (C0123ABCD)`,
  );
}

/** This job's latest reply in the thread, when its start wrote one. */
async function findReply(
  api: SlackApi,
  at: { channel: string; ts: string },
  key: PipelineKey,
  trusted: Trusted,
  job: string,
) {
  const replies = await threadReplies(api, at.channel, at.ts);
  return factsOf(replies, key, trusted)
    .jobs.filter((fact) => fact.key === job)
    .at(-1);
}

/** Writes what a later step reads; one that cannot be written costs a warning, not the job. */
function leave(run: AppRun, path: string, text: string, append = false): void {
  try {
    if (append) run.platform.appendText(path, text);
    else run.platform.writeText(path, text);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    run.warn(
      `notify: warning: cannot write ${path} (${typeof code === 'string' ? code : 'error'}); a later step will look the message up`,
    );
  }
}

/** What a person lookup may take of the run's time: the message must keep time to go out. */
const LOOKUP_SHARE = 4;
const LOOKUP_MAX_MS = 5_000;

/**
 * Who is called on a failure: the person who started the pipeline, found in Slack by the address
 * of their account the CI gives (GitLab's GITLAB_USER_EMAIL: set by GitLab, unlike anything in a
 * commit or an event file), and whom NOTIFY_MENTION names for the label. One who cannot be found
 * is named, not pinged; a lookup that fails costs one warning, never the message.
 */
async function whomToCall(
  run: AppRun,
  api: (deadline: Deadline) => SlackApi,
  label: string | undefined,
): Promise<Mention[]> {
  const { ctx } = run;
  let starter: Mention | undefined;
  if (ctx.userEmail) {
    const deadline = new Deadline(
      Math.min(LOOKUP_MAX_MS, Math.max(1, Math.floor(run.timeoutMs / LOOKUP_SHARE))),
      run.signal,
    );
    try {
      const found = await api(deadline)<{
        user?: { id?: unknown; is_bot?: unknown; deleted?: unknown };
      }>('users.lookupByEmail', { email: ctx.userEmail });
      const id = found.user?.id;
      const person = !found.user?.is_bot && !found.user?.deleted;
      if (typeof id === 'string' && /^[UW][A-Z0-9]{2,}$/.test(id) && person)
        starter = { kind: 'user', id };
    } catch (error) {
      if (!(error instanceof DeliveryError) || run.signal.aborted) throw error;
      if (!(error instanceof SlackApiError && error.error === 'users_not_found')) {
        const why = deadline.signal.aborted ? 'the lookup took too long' : error.message;
        run.warn(`notify: warning: ${why}; the person is named, not mentioned`);
      }
    } finally {
      deadline.dispose();
    }
  }
  const name = ctx.user ?? ctx.commit.author;
  starter ??= name ? { kind: 'name', name } : undefined;
  return unique([...(starter ? [starter] : []), ...configured(run.mentions, label)]);
}

export async function runApp(run: AppRun): Promise<AppDone> {
  const { ctx, event, app } = run;
  const deadline = new Deadline(run.timeoutMs, run.signal);
  try {
    const transport = run.platform.transport(run.env);
    const slackApiFor = (within: Deadline) =>
      slackApi({
        baseUrl: app.apiUrl,
        token: app.token,
        deadline: within,
        env: run.env,
        transport,
        onRetry: run.onRetry,
      });
    const api = slackApiFor(deadline);
    const nowIso = () => new Date(run.now()).toISOString();
    const key = pipelineKey(ctx) ?? {
      provider: ctx.provider,
      project: ctx.project.path ?? ctx.project.name ?? 'notify',
      pipeline: `run-${run.now()}`,
    };
    // A job's line is its name: a retried job (a new id) replaces its failed try on the board.
    const jobKey = ctx.job.name ?? ctx.job.id ?? 'job';
    const me = await api<{ bot_id?: string }>('auth.test', {});
    if (!me.bot_id) {
      throw new ConfigError(
        'SLACK_BOT_TOKEN is not a bot token (auth.test names no bot): use the Bot User OAuth Token, xoxb-…',
      );
    }
    const trusted = { botId: me.bot_id };
    const label = envLabel(ctx, run.message.environment);
    const logsUrl = runtimeLogsUrl(ctx, label, run.message.logs);
    const pipelineScope = event.scope === 'pipeline' || !ctx.job.name;
    // Known once the previous pipeline of the same ref is read; the parent is drawn after that.
    let trend: Trend | undefined;
    // A summary is the whole pipeline, every job from the CI itself: it replaces the board.
    const draw = (board: ReturnType<typeof foldBoard>) => {
      if (run.summary && event.kind === 'finish' && pipelineScope) {
        const drawn = buildSummaryMessage(ctx, run.summary, run.message, trend ? { trend } : {});
        return { text: drawn.text, blocks: drawn.blocks };
      }
      return drawParent(ctx, label, board, logsUrl, run.now(), trend);
    };

    const statePath = stateFile(run.env, key, ctx.job.id ?? jobKey);
    let state: JobState = {};
    if (statePath && run.command === 'finish') {
      try {
        state = parseDotenv(run.platform.readText(statePath, STATE_MAX)) as JobState;
      } catch {
        state = {};
      }
    }

    const channel =
      state.NOTIFY_CHANNEL && state.NOTIFY_SLACK_TS
        ? state.NOTIFY_CHANNEL
        : await resolveChannel(api, app.channel);
    let ts = state.NOTIFY_CHANNEL === channel ? state.NOTIFY_SLACK_TS : undefined;
    ts ??= app.ts;
    let posted = false;
    if (!ts) {
      ({ ts, posted } = await findOrPostParent({
        api,
        channel,
        key,
        trusted,
        ctx,
        now: run.now,
        draw,
      }));
    }

    // How this compares with the last pipeline of the same ref, from the channel's history: for
    // the pipeline's end (fixed, broken, still failing), and for whether a failure is news.
    const failing = event.kind === 'finish' && isFailing(event.status);
    const previous =
      event.kind === 'finish' && (pipelineScope || (failing && run.mentions.on !== 'never'))
        ? await previousPipeline(api, channel, ctx, key, trusted)
        : undefined;
    if (event.kind === 'finish' && pipelineScope) trend = trendOf(event.status, previous?.status);
    // One page per breakage: a pipeline whose jobs already failed has called its people.
    const calledAlready =
      failing && run.mentions.on !== 'always'
        ? factsOf(await threadReplies(api, channel, ts), key, trusted).jobs.some(
            (fact) => isFailing(fact.state as Status) && fact.key !== jobKey,
          )
        : false;
    const mentions =
      event.kind === 'finish' &&
      (failing || pipelineScope) &&
      !calledAlready &&
      shouldMention(run.mentions.on, event.status, previous?.status)
        ? await whomToCall(run, (deadline) => slackApiFor(deadline), label)
        : [];

    let text: string;
    if (event.kind === 'finish' && pipelineScope) {
      const finishedAt = nowIso();
      const took = between(ctx.pipeline.startedAt, finishedAt);
      const ended: Event = { ...event, duration: took, ...(trend ? { trend } : {}) };
      const stillFailing = trend === 'still failing' && previous?.firstFailureTs;
      const message = buildMessage(ctx, ended, run.message, stillFailing ? [] : mentions);
      if (stillFailing) {
        // Not a new alarm: told in the first failure's thread, where the people on it already are.
        const told = buildMessage(ctx, ended, run.message, mentions);
        await api('chat.postMessage', {
          channel,
          thread_ts: previous.firstFailureTs,
          text: told.text,
          blocks: told.blocks,
          unfurl_links: false,
          unfurl_media: false,
        }).catch((error: unknown) => {
          if (!(error instanceof SlackApiError)) throw error;
          run.warn(`notify: warning: ${error.message}`);
        });
      }
      await api('chat.postMessage', {
        channel,
        thread_ts: ts,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
        metadata: endMetadata(key, event.status, finishedAt),
      });
      await api('reactions.add', { channel, timestamp: ts, name: REACTIONS[event.status] }).catch(
        (error: unknown) => {
          // The end is posted; a reaction that cannot be added is worth a line, not a failure.
          if (error instanceof SlackApiError && error.error !== 'already_reacted') {
            run.warn(`notify: warning: ${error.message}`);
          } else if (!(error instanceof SlackApiError)) throw error;
        },
      );
      text = message.text;
    } else if (!pipelineScope) {
      const startedAt =
        ctx.job.startedAt ??
        state.NOTIFY_JOB_STARTED_AT ??
        (event.kind === 'start' ? nowIso() : undefined);
      const finishedAt = event.kind === 'finish' ? nowIso() : undefined;
      const fact: Omit<JobFact, 'ts'> = {
        key: jobKey,
        name: ctx.job.name ?? jobKey,
        ...(ctx.job.stage ? { stage: ctx.job.stage } : {}),
        state: event.kind === 'finish' ? event.status : 'running',
        ...(startedAt ? { startedAt } : {}),
        ...(finishedAt ? { finishedAt } : {}),
        ...(ctx.job.url ? { url: ctx.job.url } : {}),
      };
      const shown: Event =
        event.kind === 'finish' ? { ...event, duration: between(startedAt, finishedAt) } : event;
      const message = buildMessage(ctx, shown, run.message, failing ? mentions : []);
      const fields = {
        channel,
        text: message.text,
        blocks: message.blocks,
        metadata: jobMetadata(key, fact),
      };
      // Shown in the channel as well: what broke, not what was canceled on purpose.
      const failed =
        event.kind === 'finish' && (event.status === 'failed' || event.status === 'timedout');
      let replyTs = event.kind === 'finish' ? state.NOTIFY_SLACK_REPLY_TS : undefined;
      if (event.kind === 'finish' && !replyTs)
        replyTs = (await findReply(api, { channel, ts }, key, trusted, jobKey))?.ts;
      if (replyTs) {
        await api('chat.update', { ...fields, ts: replyTs });
        // A failure is also shown in the channel; Slack takes the broadcast on its own call. The
        // reply is written by then: a broadcast that fails is worth a line, not a failed job.
        if (failed) {
          await api('chat.update', { channel, ts: replyTs, reply_broadcast: true }).catch(
            (error: unknown) => {
              if (!(error instanceof SlackApiError)) throw error;
              run.warn(`notify: warning: ${error.message}`);
            },
          );
        }
        // Slack notifies no one of a mention an edit adds: the people are called in a reply.
        const pings = failing && mentions.some((mention) => mention.kind !== 'name');
        const cc = pings ? mentionLine(mentions) : undefined;
        if (cc) {
          await api('chat.postMessage', {
            channel,
            thread_ts: ts,
            text: `${cc}: ${buildMessage(ctx, shown, run.message).text}`,
            unfurl_links: false,
            unfurl_media: false,
          });
        }
      } else {
        const reply = await api<{ ts: string }>('chat.postMessage', {
          ...fields,
          thread_ts: ts,
          unfurl_links: false,
          unfurl_media: false,
          ...(failed ? { reply_broadcast: true } : {}),
        });
        replyTs = reply.ts;
      }
      if (event.kind === 'start' && statePath) {
        leave(
          run,
          statePath,
          dotenv({
            NOTIFY_CHANNEL: channel,
            NOTIFY_SLACK_TS: ts,
            NOTIFY_SLACK_REPLY_TS: replyTs,
            NOTIFY_JOB_STARTED_AT: startedAt,
          }),
        );
      }
      text = message.text;
    } else {
      text = draw(foldBoard([], [])).text;
    }

    await redrawParent({ api, channel, key, trusted, ctx, ts, draw });

    if (event.kind === 'start') {
      if (app.stateFile) {
        leave(run, app.stateFile, dotenv({ NOTIFY_CHANNEL: channel, NOTIFY_SLACK_TS: ts }));
      }
      const output = run.env.GITHUB_OUTPUT?.trim();
      if (output) leave(run, output, dotenv({ slack_ts: ts, slack_channel: channel }), true);
    }
    return { channel, ts, posted, text, mentions };
  } finally {
    deadline.dispose();
  }
}

/**
 * One message on its own in another channel, outside the pipeline's conversation: a failure for
 * NOTIFY_FAILURE_CHANNEL. Bounded by the run's timeout like every turn.
 */
export async function postElsewhere(
  run: Pick<AppRun, 'app' | 'timeoutMs' | 'env' | 'platform' | 'signal' | 'onRetry'>,
  channel: string,
  payload: SlackPayload,
): Promise<{ channel: string; ts: string }> {
  const deadline = new Deadline(run.timeoutMs, run.signal);
  try {
    const api = slackApi({
      baseUrl: run.app.apiUrl,
      token: run.app.token,
      deadline,
      env: run.env,
      transport: run.platform.transport(run.env),
      onRetry: run.onRetry,
    });
    const id = await resolveChannel(api, channel, 'NOTIFY_FAILURE_CHANNEL');
    const posted = await api<{ ts: string }>('chat.postMessage', { channel: id, ...payload });
    return { channel: id, ts: posted.ts };
  } finally {
    deadline.dispose();
  }
}
