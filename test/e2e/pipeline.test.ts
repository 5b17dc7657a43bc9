// A real .gitlab-ci.yml run by gitlab-ci-local with its shell executor: notify runs in every
// job's before_script and after_script, exactly as in a GitLab pipeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { hasGitlabCiLocal, runPipeline, type PipelineRun } from '../helpers/gitlab-ci-local.ts';

const JOBS = ['build-image', 'unit-tests', 'deploy-production'];
const hasRsync = hasGitlabCiLocal();

interface Payload {
  text: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
}

const flatten = (payload: Payload) =>
  payload.blocks
    .flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)])
    .join('\n');

describe.skipIf(!hasRsync)('a GitLab pipeline run by gitlab-ci-local', () => {
  let slack: FakeSlack;
  let run: PipelineRun;

  beforeAll(async () => {
    slack = await startFakeSlack();
    run = await runPipeline('pipeline', { SLACK_WEBHOOK_URL: slack.webhookUrl });
  }, 180_000);

  afterAll(async () => {
    await slack?.close();
    run?.remove();
  });

  it('fails the pipeline because the deploy job fails, not because of notify', () => {
    expect(run.status, run.output).toBe(1);
    expect(run.output).toMatch(/deploy-production/);
    expect(run.output).not.toMatch(/notify: (delivery failed|unexpected)/);
  });

  it('posts a start and a finish for every job', () => {
    const payloads = slack.requests.map((r) => r.json as Payload);
    expect(payloads, run.output).toHaveLength(JOBS.length * 2);
    for (const job of JOBS) {
      const mine = payloads.filter((p) => flatten(p).includes(`|${job}>`));
      expect(mine.map((p) => p.text.split(' ')[0]).sort(), job).toEqual(
        [':rocket:', job === 'deploy-production' ? ':x:' : ':white_check_mark:'].sort(),
      );
      const start = mine.find((p) => p.text.startsWith(':rocket:'))!;
      // Each job speaks of itself: no job's start claims the pipeline, no success the pipeline's.
      expect(start.text).toMatch(
        new RegExp(`^:rocket: chat-server \\S+ job ${job} is started by jiyoung$`),
      );
      expect(
        mine.every((p) => !/pipeline (is started|succeeded)/.test(p.text)),
        job,
      ).toBe(true);
    }
  });

  it("says which job failed, in which stage, and links that job's log", () => {
    const finish = slack.requests
      .map((r) => r.json as Payload)
      .find((p) => p.text.startsWith(':x:'))!;
    expect(finish.text).toBe(
      ':x: chat-server production job deploy-production failed at stage deploy',
    );
    expect(flatten(finish)).toMatch(
      /<https:\/\/gitlab\.example\.com\/team\/chat-server\/-\/jobs\/\d+\|View failed job>/,
    );
  });
});
