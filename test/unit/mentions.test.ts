import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import {
  configured,
  parseMentionOn,
  parseMentions,
  parseTarget,
  shouldMention,
  trendOf,
  unique,
  type Mention,
  type MentionOn,
  type Trend,
} from '../../src/mentions.ts';
import { mentionLine, slackMention } from '../../src/targets/slack.ts';
import type { Status } from '../../src/status.ts';

describe('parseTarget', () => {
  it.each<[string, Mention]>([
    ['U0123ABCD', { kind: 'user', id: 'U0123ABCD' }],
    ['W0123ABCD', { kind: 'user', id: 'W0123ABCD' }],
    ['<@U0123ABCD>', { kind: 'user', id: 'U0123ABCD' }],
    ['@U0123ABCD', { kind: 'user', id: 'U0123ABCD' }],
    ['S0123ABCD', { kind: 'group', id: 'S0123ABCD' }],
    ['<!subteam^S0123ABCD>', { kind: 'group', id: 'S0123ABCD' }],
    ['<!subteam^S0123ABCD|@oncall>', { kind: 'group', id: 'S0123ABCD' }],
    ['here', { kind: 'here' }],
    ['<!here>', { kind: 'here' }],
    ['@channel', { kind: 'channel' }],
  ])('%s', (raw, mention) => {
    expect(parseTarget('NOTIFY_MENTION', raw)).toEqual(mention);
  });

  it.each(['jiyoung', 'u0123', '<!everyone>', '<https://evil|x>', '<@U0123 >', 'C0123ABCD'])(
    '%s is not a target: exit 2 naming the setting',
    (raw) => {
      expect(() => parseTarget('NOTIFY_MENTION', raw)).toThrow(ConfigError);
      expect(() => parseTarget('NOTIFY_MENTION', raw)).toThrow(/^NOTIFY_MENTION has /);
    },
  );
});

describe('parseMentions and configured', () => {
  const settings = {
    ...parseMentions('NOTIFY_MENTION', 'U0456, production=<!subteam^S0123> U0789, review*='),
    on: 'failure' as const,
  };

  it('a label with an entry gets that entry; an empty one calls no one', () => {
    expect(configured(settings, 'production')).toEqual([
      { kind: 'group', id: 'S0123' },
      { kind: 'user', id: 'U0789' },
    ]);
    expect(configured(settings, 'review/feature-x')).toEqual([]);
  });

  it('any other label, or none, gets the ones named for every label', () => {
    expect(configured(settings, 'staging')).toEqual([{ kind: 'user', id: 'U0456' }]);
    expect(configured(settings, undefined)).toEqual([{ kind: 'user', id: 'U0456' }]);
  });

  it('an entry without a label before = is exit 2', () => {
    expect(() => parseMentions('--mention', '=U0123')).toThrow(/^--mention has an entry/);
  });

  it('the same target twice is called once', () => {
    expect(unique([{ kind: 'here' }, { kind: 'user', id: 'U1' }, { kind: 'here' }])).toEqual([
      { kind: 'here' },
      { kind: 'user', id: 'U1' },
    ]);
  });
});

describe('NOTIFY_MENTION_ON', () => {
  it.each(['failure', 'ALWAYS', ' never ', 'change'])('%s', (value) => {
    expect(parseMentionOn('NOTIFY_MENTION_ON', value)).toBe(value.trim().toLowerCase());
  });
  it('anything else is exit 2', () => {
    expect(() => parseMentionOn('NOTIFY_MENTION_ON', 'sometimes')).toThrow(
      'NOTIFY_MENTION_ON must be one of failure, always, never, change (got "sometimes")',
    );
  });
});

describe('trendOf', () => {
  it.each<[Status, Status | undefined, Trend | undefined]>([
    ['success', 'failed', 'fixed'],
    ['success', 'timedout', 'fixed'],
    ['failed', 'success', 'broken'],
    ['failed', 'canceled', 'broken'],
    ['timedout', 'failed', 'still failing'],
    ['success', 'success', undefined],
    ['failed', undefined, undefined],
    ['canceled', 'failed', undefined],
  ])('%s after %s: %s', (status, previous, trend) => {
    expect(trendOf(status, previous)).toBe(trend);
  });
});

describe('shouldMention', () => {
  it.each<[MentionOn, Status, Status | undefined, boolean]>([
    ['failure', 'failed', undefined, true],
    ['failure', 'failed', 'success', true],
    ['failure', 'failed', 'failed', false],
    ['failure', 'success', 'failed', false],
    ['always', 'failed', 'failed', true],
    ['always', 'success', 'failed', false],
    ['change', 'failed', 'success', true],
    ['change', 'failed', 'failed', false],
    ['change', 'success', 'failed', true],
    ['change', 'success', 'success', false],
    ['never', 'failed', 'success', false],
    ['failure', 'canceled', undefined, false],
  ])('%s: %s after %s → %s', (on, status, previous, expected) => {
    expect(shouldMention(on, status, previous)).toBe(expected);
  });
});

describe("Slack's syntax", () => {
  it('ids become mentions; a name stays text', () => {
    expect(
      mentionLine([
        { kind: 'user', id: 'U0123' },
        { kind: 'group', id: 'S0456' },
        { kind: 'here' },
        { kind: 'channel' },
        { kind: 'name', name: '<!channel> jiyoung & co' },
      ]),
    ).toBe('cc <@U0123> <!subteam^S0456> <!here> <!channel> &lt;!channel&gt; jiyoung &amp; co');
    expect(mentionLine([])).toBe(undefined);
    expect(slackMention({ kind: 'name', name: '\u0000' })).toBe('');
  });
});
