// Filters and routes in a real .gitlab-ci.yml run by gitlab-ci-local: a green build that speaks
// only on failure, a review deploy and a production deploy to their own webhooks, and the failed
// production deploy to the on-call webhook as well.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { hasGitlabCiLocal, runPipeline, type PipelineRun } from '../helpers/gitlab-ci-local.ts';

const hasRsync = hasGitlabCiLocal();
const texts = (slack: FakeSlack) => slack.requests.map((r) => (r.json as { text: string }).text);

describe.skipIf(!hasRsync)('filters and routes in a pipeline run by gitlab-ci-local', () => {
  const slacks: Record<'fallback' | 'review' | 'production' | 'oncall', FakeSlack> = {} as never;
  let run: PipelineRun;

  beforeAll(async () => {
    for (const name of ['fallback', 'review', 'production', 'oncall'] as const) {
      slacks[name] = await startFakeSlack();
    }
    run = await runPipeline('pipeline-routes', {
      SLACK_WEBHOOK_URL: slacks.fallback.webhookUrl,
      NOTIFY_WEBHOOK_MAP: `review/*=${slacks.review.webhookUrl},production=${slacks.production.webhookUrl}`,
      NOTIFY_FAILURE_WEBHOOK_URL: slacks.oncall.webhookUrl,
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(Object.values(slacks).map((slack) => slack.close()));
    run?.remove();
  });

  it('fails because the production deploy fails, not because of notify', () => {
    expect(run.status, run.output).toBe(1);
    expect(run.output).not.toMatch(/notify: (delivery|unexpected)/);
  });

  it('the green build sends nothing, and says why in one line', () => {
    expect(run.output).toContain(
      'notify: not sending the finish notification: the outcome "success" is not among --when ("failure")',
    );
    for (const slack of Object.values(slacks)) {
      expect(texts(slack).some((text) => text.includes('build-image'))).toBe(false);
    }
  });

  it('each deploy reaches its own webhook only; nothing falls back', () => {
    expect(texts(slacks.review)).toEqual([
      ':rocket: chat-server review/login job deploy-review is started by jiyoung',
      expect.stringMatching(
        /^:white_check_mark: chat-server review\/login job deploy-review succeeded/,
      ),
    ]);
    expect(texts(slacks.production)).toEqual([
      ':rocket: chat-server production job deploy-production is started by jiyoung',
      expect.stringMatching(/^:x: chat-server production job deploy-production failed/),
    ]);
    expect(slacks.fallback.requests).toHaveLength(0);
  });

  it('the failure reaches the on-call webhook as well, and only the failure', () => {
    expect(texts(slacks.oncall)).toEqual([
      expect.stringMatching(/^:x: chat-server production job deploy-production failed/),
    ]);
  });

  it('prints no webhook URL', () => {
    for (const slack of Object.values(slacks)) {
      expect(run.output).not.toContain(new URL(slack.webhookUrl).pathname);
    }
  });
});
