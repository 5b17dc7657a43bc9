// The conversation against a fake Slack Web API that delays and interleaves its answers: parallel
// jobs find one parent, fold their racing duplicates into it, and lose none of each other's facts.
import { afterEach, describe, expect, it } from 'vitest';
import type { Board } from '../../src/board.ts';
import {
  factsOf,
  findOrPostParent,
  jobMetadata,
  pipelineKey,
  redrawParent,
  searchFrom,
  type PipelineKey,
} from '../../src/conversation.ts';
import { Deadline } from '../../src/http.ts';
import { slackApi, type SlackApi } from '../../src/slack-api.ts';
import { nodeTransport } from '../../src/platform/node-http.ts';
import { FAKE_BOT, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { mainPush } from './sample-context.ts';

const CHANNEL = 'C0DEPLOYS';
let fake: FakeSlackApi | undefined;
const deadlines: Deadline[] = [];
afterEach(async () => {
  for (const deadline of deadlines.splice(0)) deadline.dispose();
  await fake?.close();
  fake = undefined;
});

function apiFor(server: FakeSlackApi): SlackApi {
  const deadline = new Deadline(30_000);
  deadlines.push(deadline);
  return slackApi({
    baseUrl: new URL(server.apiUrl),
    token: server.token,
    deadline,
    env: {},
    transport: nodeTransport({}),
  });
}

const draw = (board: Board) => ({
  text: `pipeline ${board.overall}`,
  blocks: [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: board.jobs.map((job) => `${job.name}:${job.state}`).join('\n') || 'no jobs yet',
      },
    },
  ],
});

const key = pipelineKey(mainPush)!;
const trusted = { botId: FAKE_BOT.botId };

/** One job as a pipeline runs it: find (or post) the parent, write its fact, redraw. */
async function job(
  api: SlackApi,
  name: string,
  state: 'running' | 'success' | 'failed',
  k: PipelineKey = key,
) {
  const parent = await findOrPostParent({
    api,
    channel: CHANNEL,
    key: k,
    trusted,
    ctx: mainPush,
    now: Date.now,
    draw,
  });
  await api('chat.postMessage', {
    channel: CHANNEL,
    thread_ts: parent.ts,
    text: `${name} ${state}`,
    metadata: jobMetadata(k, { key: name, name, state }),
  });
  await redrawParent({
    api,
    channel: CHANNEL,
    key: k,
    trusted,
    ctx: mainPush,
    ts: parent.ts,
    draw,
  });
  return parent;
}

describe('the conversation', () => {
  it('the first job posts the parent; the next one finds it', async () => {
    fake = await startFakeSlackApi({ postRate: false });
    const api = apiFor(fake);
    const first = await job(api, 'build', 'success');
    const second = await job(api, 'deploy', 'running');
    expect(first.posted).toBe(true);
    expect(second).toEqual({ ts: first.ts, posted: false });
    const [parent] = fake.channelMessages(CHANNEL);
    expect(fake.channelMessages(CHANNEL)).toHaveLength(1);
    expect(JSON.stringify(parent!.blocks)).toContain('build:success\\ndeploy:running');
    expect(parent!.metadata?.event_payload).toMatchObject(key);
  });

  it('another pipeline of the same project gets its own message', async () => {
    fake = await startFakeSlackApi({ postRate: false });
    const api = apiFor(fake);
    await job(api, 'build', 'success');
    await job(api, 'build', 'success', { ...key, pipeline: `${key.pipeline}0` });
    expect(fake.channelMessages(CHANNEL)).toHaveLength(2);
  });

  it('10 parallel jobs against a slow, interleaving Slack: one parent, every job on the board', async () => {
    fake = await startFakeSlackApi({ postRate: false, delayMs: [0, 40] });
    const server = fake;
    const names = Array.from({ length: 10 }, (_, i) => `job-${i}`);
    await Promise.all(
      names.map((name, i) => job(apiFor(server), name, i % 3 ? 'success' : 'failed')),
    );
    const parents = server.channelMessages(CHANNEL);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    const replies = server.threadReplies(CHANNEL, parent.ts);
    expect(replies).toHaveLength(10);
    const board = (parent.blocks as Array<{ text: { text: string } }>)[0]!.text.text.split('\n');
    expect(board.sort()).toEqual(
      names.map((name, i) => `${name}:${i % 3 ? 'success' : 'failed'}`).sort(),
    );
    expect(parent.text).toBe('pipeline failing');
    // Every parent posted in the race but the oldest was deleted again by its own job.
    const posts = server.calls.filter(
      (call) => call.method === 'chat.postMessage' && call.ok && !call.args.thread_ts,
    );
    const deletes = server.calls.filter((call) => call.method === 'chat.delete' && call.ok);
    expect(posts.length - deletes.length).toBe(1);
  });
});

describe('factsOf', () => {
  const bot = FAKE_BOT.botId;
  it('takes only well-formed facts of this pipeline, written by this app', () => {
    const other = { ...key, pipeline: 'other' };
    const facts = factsOf(
      [
        {
          ts: '1',
          bot_id: bot,
          metadata: jobMetadata(key, { key: 'a', name: 'a', state: 'success' }),
        },
        {
          ts: '2',
          bot_id: bot,
          metadata: jobMetadata(other, { key: 'b', name: 'b', state: 'success' }),
        },
        {
          ts: '3',
          bot_id: bot,
          metadata: {
            event_type: 'notify_job',
            event_payload: { ...key, job: 'c', state: 'exploded' },
          },
        },
        {
          ts: '4',
          bot_id: bot,
          metadata: { event_type: 'something_else', event_payload: { ...key } },
        },
        { ts: '5', bot_id: bot },
        // Another app writing the same event type for the same pipeline.
        {
          ts: '6',
          bot_id: 'B0OTHERAPP',
          metadata: jobMetadata(key, { key: 'd', name: 'd', state: 'failed' }),
        },
        { ts: '7', metadata: jobMetadata(key, { key: 'e', name: 'e', state: 'failed' }) },
      ],
      key,
      trusted,
    );
    expect(facts.jobs.map((fact) => fact.key)).toEqual(['a']);
    expect(facts.ends).toEqual([]);
  });
});

describe('a parent another app forged', () => {
  it('is passed over: this app posts and keeps its own', async () => {
    fake = await startFakeSlackApi({ postRate: false });
    const api = apiFor(fake);
    fake.addForeignMessage(CHANNEL, {
      text: 'not ours',
      bot_id: 'B0OTHERAPP',
      metadata: { event_type: 'notify_pipeline', event_payload: { ...key } },
    });
    const parent = await job(api, 'build', 'success');
    expect(parent.posted).toBe(true);
    expect(fake.channelMessages(CHANNEL)).toHaveLength(2);
  });
});

describe('searchFrom', () => {
  it('a minute before the pipeline began, else six hours back', () => {
    expect(searchFrom(mainPush, 0)).toBe(
      (Date.parse(mainPush.pipeline.startedAt!) / 1000 - 60).toFixed(6),
    );
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(searchFrom({ ...mainPush, pipeline: {} }, now)).toBe((now / 1000 - 6 * 3600).toFixed(6));
  });
});

describe('pipelineKey', () => {
  it.each<[string | undefined, string]>([
    [undefined, '1234567'],
    ['1', '1234567'],
    ['2', '1234567#2'],
  ])('run attempt %s: pipeline %s', (attempt, pipeline) => {
    const ctx = { ...mainPush, pipeline: { ...mainPush.pipeline, attempt } };
    expect(pipelineKey(ctx)?.pipeline).toBe(pipeline);
  });

  it('nothing to name without a project or a pipeline id', () => {
    expect(pipelineKey({ ...mainPush, pipeline: {} })).toBeUndefined();
  });
});
