// GitHub's step summary: the Markdown a Report becomes on the run's page, within its size, and
// hostile input kept as text (no formatting, HTML, link, mention, reference or emoji of its own).
import { describe, expect, it } from 'vitest';
import {
  escapeGfm,
  renderStepSummary,
  STEP_SUMMARY_MAX,
} from '../../../src/targets/step-summary.ts';
import { COMMIT_URL, JOB_URL, PIPELINE_URL } from '../sample-context.ts';
import {
  failure,
  factsReport,
  findMarkup,
  hostileCases,
  hostileReports,
  jobUrl,
  linkedHostile,
  manyJobs,
  SEVEN,
  startReport,
  success,
  summaryOf,
} from './support.ts';

const ZW = '\u200b';
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Links to the CI's own pages (the sample's and the hostile cases'), notify's to write. */
const TRUSTED_LINK = /\]\(https:\/\/gitlab\.example\.com\/[^)\s]*\)/g;

/**
 * What GitHub would read as markup in a step summary once each escape is taken as the character
 * it stands for: notify's own heading and list marks, bold and trusted links taken out first.
 */
const markupIn = (markdown: string): string[] =>
  findMarkup(
    markdown
      .split('\n')
      .map((line) => line.replace(/^(### |[-*+] )/, ''))
      .join('\n')
      .replace(TRUSTED_LINK, '·')
      // A backslash before ASCII punctuation makes it itself, in CommonMark.
      .replace(/\\[!-/:-@[-`{-~]/g, '·')
      // What GitHub links after rendering, kept apart from what follows.
      .replace(new RegExp(`[@#:.]${ZW}`, 'g'), '·'),
    [],
    [
      [/@[\w-]/, 'mention'],
      [/#\w/, 'reference'],
      [/:[\w+-]+:/, 'emoji'],
      [/\]\(|!\[|[a-z][\w.+-]*:\/\/|www\.|\.\p{L}/iu, 'link'],
      [/[*_`|~$<>&\\\]]/, 'formatting'],
      [/^(#|>|-|\+|=|\d+[.)])/m, 'block'],
      [/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, 'control'],
    ],
  );

describe('escapeGfm', () => {
  it.each<[string, string]>([
    ['deploy', 'deploy'],
    ['v5.3.25 feature/login', 'v5\\.3\\.25 feature/login'],
    ['fix: the odd case', 'fix: the odd case'],
    ['**bold** _it_ `code` ~~s~~', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~'],
    ['[x](y) ![i](y) a|b', '\\[x\\]\\(y\\) \\!\\[i\\]\\(y\\) a\\|b'],
    ['<b>x</b> &amp; &#64;', '\\<b\\>x\\</b\\> \\&amp; \\&\\#\u200b64;'],
    ['@here @org/team a@b', `@${ZW}here @${ZW}org/team a@${ZW}b`],
    ['#42 team/repo#42', `\\#${ZW}42 team/repo\\#${ZW}42`],
    [':rocket: :+1:', `:${ZW}rocket: :${ZW}\\+1:`],
    ['https://evil.example www.evil', `https:${ZW}//evil\\.${ZW}example www\\.${ZW}evil`],
    ['$x$ a=b x^2 {y}', '\\$x\\$ a\\=b x\\^2 \\{y\\}'],
    ['# h', '\\#\u200b h'],
    ['- a + b > c 1. d', '\\- a \\+ b \\> c 1\\. d'],
    ['line\nbreak\u202eflipped\u0007', 'line break flipped'],
    ['GH-123 gh-7 GH-x XGH-1', `GH\\-${ZW}123 gh\\-${ZW}7 GH\\-x XGH\\-${ZW}1`],
    ['e83c516 e83c5163316f89bf', `e83c51${ZW}6 e83c51${ZW}63316f${ZW}89bf`],
    ['123456 abcdef DEADBEEFCAFE 2025-05-01', `123456 abcdef DEADBE${ZW}EFCAFE 2025\\-05\\-01`],
    ['team/repo@e83c5163', `team/repo@${ZW}e83c51${ZW}63`],
  ])('%j -> %j', (raw, escaped) => {
    expect(escapeGfm(raw, 1000)).toBe(escaped);
  });

  it('cuts after escaping, never inside an escape', () => {
    expect(escapeGfm('#'.repeat(300), 100)).toBe(`${`\\#${ZW}`.repeat(33)}…`);
    expect(escapeGfm('*'.repeat(300), 9)).toBe(`${'\\*'.repeat(4)}…`);
  });
});

describe('renderStepSummary', () => {
  it('a start: the headline as a heading, the small print as a list', () => {
    expect(renderStepSummary(startReport)).toBe(
      [
        '### 🚀 **chat\\-server** **production** job **deploy\\-prod** is started by **jiyoung**',
        '',
        '- Branch main',
        `- [e83c5163](${COMMIT_URL}) Add read receipts (Jiyoung Kim)`,
        `- Job [deploy\\-prod](${JOB_URL})`,
        `- [Pipeline #${ZW}1234567](${PIPELINE_URL})`,
        '',
        '',
      ].join('\n'),
    );
  });

  it('a failure: whom it called by name, the failed job linked, and the note', () => {
    const markdown = renderStepSummary(
      failure([
        { kind: 'here' },
        { kind: 'user', id: 'U0123ABCD' },
        { kind: 'name', name: 'Minho' },
      ]),
      'failed',
    );
    expect(markdown.split('\n\n')).toEqual([
      '### ❌ **chat\\-server** **feature/login** job **unit\\-tests** failed in 1m 2s at stage **test**',
      'cc Minho',
      expect.stringContaining('- Started by jiyoung'),
      `[View failed job](${JOB_URL})`,
      "⚠️ _Not every destination got this message: this step's log says why._",
      '',
    ]);
  });

  it('whom it called: names only, each once, within 1,000 characters', () => {
    const names = Array.from({ length: 500 }, (_, i) => ({ kind: 'name' as const, name: `p${i}` }));
    const cc = renderStepSummary(failure([...names, ...names])).split('\n\n')[1]!;
    expect(cc).toMatch(/^cc p0, p1, p2, /);
    expect(cc.length).toBeLessThanOrEqual('cc '.length + 1_000);
    expect(new Set(cc.slice(3).split(', ')).size).toBe(cc.slice(3).split(', ').length);
  });

  it('a success links the deploy; a dry run says nothing was sent', () => {
    const markdown = renderStepSummary(success, 'dry-run');
    expect(markdown).toContain('[Open production](https://chat.example.com/)');
    expect(markdown).toMatch(/\n\n_Dry run: nothing was sent\._\n\n$/);
  });

  it("a pipeline's summary: the failure first, each stage's jobs, then the small print", () => {
    // Each group a list of its own: its mark differs from the one before, and from the small print's.
    const markdown = renderStepSummary(summaryOf(SEVEN));
    expect(markdown.split('\n\n').slice(0, 9)).toEqual([
      '### ❌ **chat\\-server** **production** pipeline failed',
      '**Failed**',
      `* ❌ [deploy](${jobUrl(6)}) at stage deploy · 1m 1s`,
      '**build**',
      `+ ✅ [image](${jobUrl(2)}) · 1m 1s\n+ ✅ [compile](${jobUrl(8)}) · 1m 1s`,
      '**test**',
      [
        `* ✅ [unit](${jobUrl(3)}) · 1m 1s`,
        `* ⚠️ [lint](${jobUrl(4)}) · 1m 1s · allowed to fail`,
        `* ✋ [e2e](${jobUrl(5)}) · manual`,
      ].join('\n'),
      '**deploy**',
      `+ ➖ [smoke](${jobUrl(7)}) · skipped`,
    ]);
    expect(markdown).toContain(
      '\n\n- 7 jobs: 3 passed, 1 failed, 1 allowed to fail, 1 skipped, 1 manual\n',
    );
    expect(markdown).toContain(`[View failed job](${jobUrl(6)}) • [View pipeline](`);
  });

  it.each([1000, 5000])('%i jobs stay within the step summary’s size, the rest counted', (n) => {
    const markdown = renderStepSummary(summaryOf(manyJobs(n, 40, 13), n === 5000));
    expect(bytes(markdown)).toBeLessThanOrEqual(STEP_SUMMARY_MAX);
    const shown = markdown.split('\n').filter((line) => /^[*+] (✅|❌) /.test(line)).length;
    expect(shown).toBeGreaterThan(100);
    expect(markdown).toContain(`\n\n…and ${n - shown} more\n\n`);
  });

  it('long small print is cut to whole lines', () => {
    const markdown = renderStepSummary(factsReport(400, '€'.repeat(300), true));
    expect(bytes(markdown)).toBeLessThanOrEqual(STEP_SUMMARY_MAX);
    const facts = markdown.split('\n').filter((line) => line.startsWith('- '));
    expect(facts.length).toBeGreaterThan(0);
    expect(facts.length).toBeLessThan(400);
    for (const fact of facts)
      expect(fact).toMatch(/^- \[€{300}\]\(https:\/\/gitlab\.example\.com\/p+\/-\/jobs\/\d+\)$/);
  });
});

/** Trusted links with their labels: GitHub links nothing inside a link. */
const TRUSTED_LINK_WITH_LABEL = /\[(?:\\.|[^\]\\])*\]\(https:\/\/gitlab\.example\.com\/[^)\s]*\)/g;

/**
 * The references GitHub would make of the rendered text: `GH-123`, and a commit's SHA (7 hex
 * digits or more, as a word or after `@`). Escapes read as the characters they stand for.
 */
const referencesIn = (markdown: string): string[] => {
  const text = markdown.replace(TRUSTED_LINK_WITH_LABEL, '·').replace(/\\([!-/:-@[-`{-~])/g, '$1');
  return [
    ...(text.match(/\bGH-\d+/gi) ?? []),
    ...(text.match(/(?<![0-9a-z])[0-9a-f]{7,}(?![0-9a-z])/gi) ?? []),
  ];
};

describe('hostile input stays text, within the size', () => {
  const HOSTILE = [
    '@here @channel @org/team a@b.example <!channel> <@U123> #42 team/repo#7 GH-1',
    '[click](https://evil.example) ![img](https://evil.example/x.png) <https://evil.example> https://evil.example www.evil.example evil.example/x mailto:a',
    '**bold** __u__ *i* _i_ ~~s~~ `code` ```block``` $x^2$ $`y`$ a|b [^1] [ ] {z}',
    ':rocket: :+1: :) <3',
    '<img src=x onerror=alert(1)> <details><summary>x</summary></details> <!-- c --> &lt;&#64;here &amp; \\*',
    '# heading\n> [!WARNING]\n- list\n1. list\n===\n---\n| a | b |\n|---|---|',
    '\u202eflipped\u2066 \u0000\u0007\u001b[31m',
    'GH-123 gh-7 e83c5163316f89bf team/repo@e83c5163 DEADBEEFCAFE 1234567 (abcdef0)',
  ].join(' ');

  it('the check sees references where there are some', () => {
    expect(referencesIn('GH\\-12 x e83c516 [e83c516](https://gitlab.example.com/c)')).toEqual([
      'GH-12',
      'e83c516',
    ]);
  });

  it('the check sees markup where there is some', () => {
    expect(
      markupIn('x @here #1 :rocket: [a](https://evil.example) ~~s~~\n> quote\n\u0007'),
    ).toEqual(['mention', 'reference', 'emoji', 'link', 'formatting', 'block', 'control']);
  });

  it.each([
    ...hostileCases([['everything', HOSTILE]]),
    ...hostileReports(
      HOSTILE,
      { ref: '@', commitTitle: '#1 ', changeTitle: '<b>', jobName: ':' },
      `run ${HOSTILE}`,
      400,
    ),
  ])('%s: no markup, within STEP_SUMMARY_MAX', (_name, report) => {
    const markdown = renderStepSummary(report);
    expect(bytes(markdown)).toBeLessThanOrEqual(STEP_SUMMARY_MAX);
    expect([markdown.slice(0, 300), markupIn(markdown)]).toEqual([markdown.slice(0, 300), []]);
    expect(referencesIn(markdown)).toEqual([]);
    expect(markdown).not.toContain('javascript:');
    // Every link notify writes goes to the CI's own pages.
    expect(markdown.replace(TRUSTED_LINK, '')).not.toMatch(/\]\(/);
  });

  it('with real URLs, only notify links, and only to them', () => {
    const markdown = renderStepSummary(linkedHostile(HOSTILE));
    expect(markupIn(markdown)).toEqual([]);
    expect(referencesIn(markdown)).toEqual([]);
    expect(markdown).toContain(`(${JOB_URL})`);
  });

  it('a link keeps its query, written so CommonMark decodes it back', () => {
    const url = 'https://grafana.example.com/explore?orgId=1&left=(a)';
    const markdown = renderStepSummary({ ...startReport, links: [{ url, label: ['Logs'] }] });
    expect(markdown).toContain(
      '[Logs](https://grafana.example.com/explore?orgId=1&amp;left=%28a%29)',
    );
  });
});
