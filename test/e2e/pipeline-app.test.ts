// Slack app mode in a real .gitlab-ci.yml run by gitlab-ci-local: every job's before_script and
// after_script, two build jobs at once, a failing deploy, and `.post` jobs that end the message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFakeSlackApi,
  type FakeSlackApi,
  type StoredMessage,
} from '../helpers/fake-slack-api.ts';
import { hasGitlabCiLocal, runPipeline, type PipelineRun } from '../helpers/gitlab-ci-local.ts';

const CHANNEL = 'C0DEPLOYS';
const JOBS = ['build-image', 'build-docs', 'unit-tests', 'deploy-production'];
const hasRsync = hasGitlabCiLocal();

const topLevel = (messages: StoredMessage[]) =>
  messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);

describe.skipIf(!hasRsync)('Slack app mode in a pipeline run by gitlab-ci-local', () => {
  let fake: FakeSlackApi;
  let run: PipelineRun;

  beforeAll(async () => {
    fake = await startFakeSlackApi({ delayMs: [0, 20] });
    run = await runPipeline('pipeline-app', {
      SLACK_BOT_TOKEN: fake.token,
      NOTIFY_CHANNEL: CHANNEL,
      NOTIFY_SLACK_API_URL: fake.apiUrl,
    });
  }, 180_000);

  afterAll(async () => {
    await fake?.close();
    run?.remove();
  });

  it('fails because the deploy fails, not because of notify', () => {
    expect(run.status, run.output).toBe(1);
    expect(run.output).not.toMatch(/notify: (delivery failed|unexpected|warning)/);
  });

  it('leaves one pipeline message, its board complete and red, with the end reacted', () => {
    const parents = topLevel(fake.channelMessages(CHANNEL));
    expect(parents, run.output).toHaveLength(1);
    const parent = parents[0]!;
    const board = JSON.stringify(parent.blocks);
    for (const job of JOBS) {
      const emoji = job === 'deploy-production' ? ':x:' : ':white_check_mark:';
      expect(board, job).toMatch(new RegExp(`${emoji} <[^|]*\\|${job}>`));
    }
    expect(parent.text).toMatch(/^:x: chat-server production pipeline failed/);
    expect(parent.reactions).toEqual(['x']);
  });

  it('one reply per job and one for the end; only the failure is broadcast', () => {
    const [parent] = topLevel(fake.channelMessages(CHANNEL));
    const replies = fake.threadReplies(CHANNEL, parent!.ts);
    const jobs = replies.filter((r) => r.metadata?.event_type === 'notify_job');
    expect(jobs.map((r) => r.metadata!.event_payload.name).sort()).toEqual([...JOBS].sort());
    expect(replies.filter((r) => r.metadata?.event_type === 'notify_pipeline_end')).toHaveLength(1);
    expect(
      replies.filter((r) => r.reply_broadcast).map((r) => r.metadata?.event_payload.name),
    ).toEqual(['deploy-production']);
  });
});
