import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../src/context.ts';
import type { Event } from '../../src/report.ts';
import {
  channelRoute,
  parseBranches,
  parseWhen,
  skipReason,
  webhookRoutes,
  type Filter,
  type Routes,
} from '../../src/routing.ts';
import type { Status } from '../../src/status.ts';
import { mainPush } from './sample-context.ts';

const start: Event = { kind: 'start', scope: 'job' };
const finish = (status: Status): Event => ({ kind: 'finish', status, scope: 'job' });
const ref = (name: string, extra: Partial<CiContext['ref']> = {}): CiContext => ({
  ...mainPush,
  ref: { ...mainPush.ref, name, ...extra },
});

describe('NOTIFY_WHEN', () => {
  it.each<[string, Event, boolean]>([
    ['always', start, true],
    ['always', finish('success'), true],
    ['failure', start, false],
    ['failure', finish('success'), false],
    ['failure', finish('failed'), true],
    ['failure', finish('timedout'), true],
    ['failure', finish('aborted'), true],
    ['failure', finish('unknown'), true],
    ['failure', finish('canceled'), false],
    ['success', finish('success'), true],
    ['success', finish('failed'), false],
    ['start,failure', start, true],
    ['failed,timedout,canceled', finish('canceled'), true],
    ['failed,timedout,canceled', finish('aborted'), false],
    [' Failed , SUCCESS ', finish('success'), true],
  ])('%j: %j sends: %s', (value, event, sends) => {
    const filter: Filter = { when: parseWhen('NOTIFY_WHEN', value) };
    expect(skipReason(filter, mainPush, event) === undefined).toBe(sends);
  });

  it('says why it did not send, naming the setting as given', () => {
    const filter: Filter = { when: parseWhen('--when', 'failure') };
    expect(skipReason(filter, mainPush, finish('success'))).toBe(
      'the outcome "success" is not among --when ("failure")',
    );
    expect(skipReason(filter, mainPush, start)).toBe('start is not among --when ("failure")');
  });

  it.each(['failures', 'never', 'succes'])('%j is exit 2, naming the entry', (value) => {
    expect(() => parseWhen('NOTIFY_WHEN', value)).toThrow(
      /^NOTIFY_WHEN entry ".*" is not an outcome/,
    );
  });
});

describe('odd lists', () => {
  it.each([
    ['NOTIFY_WHEN', () => parseWhen('NOTIFY_WHEN', ',,,'), /names no outcome/],
    ['NOTIFY_WHEN', () => parseWhen('NOTIFY_WHEN', 'always,failure'), /always stands alone/],
    ['NOTIFY_BRANCHES', () => parseBranches('NOTIFY_BRANCHES', ' , '), /names no ref/],
  ])('%s: exit 2', (_name, parse, message) => {
    expect(parse).toThrow(message);
  });

  it('takes the spellings --status takes', () => {
    expect([...parseWhen('NOTIFY_WHEN', 'cancelled, timed out, unknown')!.outcomes]).toEqual([
      'canceled',
      'timedout',
      'unknown',
    ]);
  });
});

describe('NOTIFY_BRANCHES', () => {
  it.each<[string, CiContext, boolean]>([
    ['main', ref('main'), true],
    ['main', ref('feature/x'), false],
    ['main,release/*', ref('release/1.2'), true],
    ['release/*', ref('release'), false],
    ['default', ref('main'), true],
    ['default', ref('develop'), false],
    ['default', ref('main', { isTag: true }), false],
    ['default', { ...ref('main'), change: { kind: 'merge_request', number: '7' } }, false],
    ['protected', ref('v1.0', { isTag: true, protected: true }), true],
    ['protected', ref('main', { protected: false }), false],
    ['protected', ref('main', { protected: undefined }), false],
    ['v*', ref('v1.0', { isTag: true }), true],
    ['*', ref('anything/at/all'), true],
  ])('%j with ref %j: sends: %s', (value, ctx, sends) => {
    const filter: Filter = { branches: parseBranches('NOTIFY_BRANCHES', value) };
    expect(skipReason(filter, ctx, start) === undefined).toBe(sends);
  });

  it('a run without a ref is left out, and says so', () => {
    const filter: Filter = { branches: parseBranches('NOTIFY_BRANCHES', 'main') };
    const noRef = { ...mainPush, ref: { isTag: false } };
    expect(skipReason(filter, noRef, start)).toBe(
      'no ref was found to match NOTIFY_BRANCHES ("main")',
    );
  });

  it('stays linear on a hostile branch name', () => {
    const filter: Filter = { branches: parseBranches('NOTIFY_BRANCHES', '*a*a*a*a*a*a*a*a*b') };
    const started = performance.now();
    expect(skipReason(filter, ref('a'.repeat(100_000)), start)).toBeDefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('routes', () => {
  const routes: Routes = {
    webhookMap: [
      ['review/*', 'https://hooks.example.com/review'],
      ['production', 'https://hooks.example.com/prod'],
    ],
    channelMap: [['production', 'C0PROD001']],
    failureWebhookUrl: new URL('https://hooks.example.com/oncall'),
  };
  const fallback = new URL('https://hooks.example.com/default');
  const hrefs = (label: string | undefined, event: Event) =>
    webhookRoutes(routes, fallback, label, event).map((route) => route.to.href);

  it.each<[string | undefined, Event, string[]]>([
    ['production', start, ['https://hooks.example.com/prod']],
    ['review/login', finish('success'), ['https://hooks.example.com/review']],
    ['staging', start, ['https://hooks.example.com/default']],
    [undefined, start, ['https://hooks.example.com/default']],
    [
      'production',
      finish('failed'),
      ['https://hooks.example.com/prod', 'https://hooks.example.com/oncall'],
    ],
    ['production', finish('canceled'), ['https://hooks.example.com/prod']],
  ])('label %j, %j -> %j', (label, event, expected) => {
    expect(hrefs(label, event)).toEqual(expected);
  });

  it('without a default, an unmapped label goes nowhere but to the failure webhook', () => {
    expect(webhookRoutes(routes, undefined, 'staging', start)).toEqual([]);
    expect(webhookRoutes(routes, undefined, 'staging', finish('failed')).map((r) => r.why)).toEqual(
      ['NOTIFY_FAILURE_WEBHOOK_URL, as a failure'],
    );
  });

  it('a channel per label, else the default, with the reason', () => {
    expect(channelRoute(routes, '#deploys', 'production')).toEqual({
      to: 'C0PROD001',
      why: 'NOTIFY_CHANNEL_MAP for "production"',
    });
    expect(channelRoute(routes, '#deploys', 'review/x')).toEqual({
      to: '#deploys',
      why: 'NOTIFY_CHANNEL',
    });
  });
});
