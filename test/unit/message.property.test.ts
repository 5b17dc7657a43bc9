// Everything in a CiContext comes from people who can push a branch or open a merge request.
// Whatever they write, the payload must stay valid for Slack, inside its limits, and unable to
// mention anyone, link anywhere or reorder text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../src/context.ts';
import type { Event, MessageSettings } from '../../src/report.ts';
import { buildMessage, type SlackPayload } from '../../src/targets/slack.ts';

// Slack's own limits (https://docs.slack.dev/reference/block-kit/blocks), written out rather
// than imported so that a wrong constant in src cannot make this test agree with it.
const SECTION_TEXT_MAX = 3000;
const MESSAGE_TEXT_MAX = 40_000;
const BLOCKS_MAX = 50;

const NUM_RUNS = 200;
const LONGEST = 60_000;

const attack = fc.constantFrom(
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '@channel',
  '<@U123>',
  '<https://evil|x>',
  '&',
  '`$(rm -rf /)`',
  '\u202e',
  '\n',
);

const piece = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), attack);
const shortText = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

// fast-check keeps strings small by default; long ones are built on purpose, past every limit.
const longText = fc
  .tuple(
    fc.array(piece, { minLength: 1, maxLength: 4 }),
    fc.integer({ min: SECTION_TEXT_MAX, max: LONGEST }),
  )
  .map(([parts, length]) => {
    const chunk = parts.join('') || '<!channel>';
    return chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length);
  });

const text = fc.oneof({ weight: 5, arbitrary: shortText }, { weight: 1, arbitrary: longText });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

// Valid links near Slack's URL limit, so that two of them must not share a section.
const longUrl = fc
  .integer({ min: 1000, max: 2100 })
  .map((n) => `https://example.com/${'a'.repeat(n)}`);

const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  longUrl,
  fc.constantFrom(
    'javascript:alert(1)',
    'https://evil.example.com/<!channel>|x>',
    'https://example.com/?a=1&b=<@U123>',
    'https://example.com/\u202e/x',
    'ftp://example.com/x',
    `https://example.com/${'a'.repeat(3000)}`,
  ),
  text,
);

const isoDate = fc
  .date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') })
  .map((d) => d.toISOString());

const context: fc.Arbitrary<CiContext> = fc.record({
  provider: fc.constantFrom('gitlab', 'github', 'local'),
  project: fc.record({ name: maybe(text), path: maybe(text), url: maybe(url) }),
  ref: fc.record({
    name: maybe(text),
    slug: maybe(text),
    isTag: fc.boolean(),
    defaultBranch: maybe(text),
  }),
  environment: fc.record({ name: maybe(text), url: maybe(url) }),
  user: maybe(text),
  commit: fc.record({
    sha: maybe(text),
    shortSha: maybe(text),
    title: maybe(text),
    author: maybe(text),
    url: maybe(url),
  }),
  pipeline: fc.record({
    id: maybe(text),
    url: maybe(url),
    source: maybe(text),
    startedAt: maybe(fc.oneof(isoDate, text)),
  }),
  job: fc.record({
    name: maybe(text),
    stage: maybe(text),
    url: maybe(url),
    startedAt: maybe(fc.oneof(isoDate, text)),
  }),
  status: maybe(text),
  change: maybe(
    fc.record({
      kind: fc.constantFrom('merge_request' as const, 'pull_request' as const),
      number: text,
      title: maybe(text),
      url: maybe(url),
    }),
  ),
  namespace: maybe(text),
});

const event: fc.Arbitrary<Event> = fc.oneof(
  fc.constant({ kind: 'start' as const }),
  fc.record({
    kind: fc.constant('finish' as const),
    status: fc.constantFrom(
      'success' as const,
      'failed' as const,
      'canceled' as const,
      'timedout' as const,
      'aborted' as const,
      'unknown' as const,
    ),
  }),
);

// Settings are the team's own configuration, already validated; they still vary what is built.
// Map patterns stay short and star-light: they are globs the team writes, not attacker input.
const pattern = fc.oneof(
  fc.constantFrom('main', 'release/*', '*', 'develop', 'v*'),
  shortText.map((s) => s.replace(/\*/g, '')),
);
const grafana = fc.constantFrom(
  'https://grafana.example.com/',
  'http://grafana.internal:3000/sub/',
);
const settings: fc.Arbitrary<MessageSettings> = fc.record({
  environment: fc.record({
    fixed: maybe(text),
    map: fc.array(fc.tuple(pattern, text), { maxLength: 3 }),
  }),
  logs: fc.record({
    grafanaUrl: maybe(grafana),
    grafanaUrlMap: fc.array(fc.tuple(pattern, grafana), { maxLength: 2 }),
    datasource: fc.oneof(fc.constant('Loki'), shortText),
    query: maybe(
      fc.oneof(fc.constant('{namespace="{{namespace}}", app="{{project}}"}'), shortText),
    ),
    namespace: maybe(
      fc.oneof(
        text,
        fc.integer({ min: 1, max: 1500 }).map((n) => 'n'.repeat(n)),
      ),
    ),
    from: fc.oneof(fc.constantFrom('pipeline', 'job', 'now-1h'), shortText),
  }),
});

/** Every mrkdwn string a client renders: the section texts and context elements. */
function mrkdwnTexts(payload: SlackPayload): string[] {
  return payload.blocks.flatMap((block) =>
    block.type === 'section' ? [block.text.text] : block.elements.map((element) => element.text),
  );
}

/** All strings anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('buildMessage with arbitrary input', () => {
  it('stays valid, bounded and inert', () => {
    fc.assert(
      fc.property(context, event, settings, (ctx, ev, given) => {
        const payload = buildMessage(ctx, ev, given);
        const serialized = JSON.stringify(payload);

        expect(JSON.parse(serialized)).toEqual(payload);

        expect(payload.blocks.length).toBeGreaterThanOrEqual(1);
        expect(payload.blocks.length).toBeLessThanOrEqual(BLOCKS_MAX);
        expect(payload.text.length).toBeLessThanOrEqual(MESSAGE_TEXT_MAX);
        const texts = mrkdwnTexts(payload);
        for (const t of texts) expect(t.length).toBeLessThanOrEqual(SECTION_TEXT_MAX);

        // No mention, no foreign link: the only `<` are the ones opening our http(s) links.
        expect(serialized).not.toContain('<!');
        expect(serialized).not.toContain('<@');
        for (const t of [payload.text, ...texts]) expect(t).not.toMatch(/<(?!https?:\/\/)/);

        for (const s of strings(payload)) expect(s).not.toContain('\u202e');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the fallback text never links at all', () => {
    fc.assert(
      fc.property(context, event, settings, (ctx, ev, given) => {
        expect(buildMessage(ctx, ev, given).text).not.toContain('<');
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
