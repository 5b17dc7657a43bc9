import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskUrl, PREFIX_MIN, Redactor } from '../../src/secrets.ts';

const TEAM = 'T0123ABCD';
const CHANNEL = 'B0456EFGH';
const TOKEN = 'abcdefghijklmnopqrstuvwx';
const PATH = `/services/${TEAM}/${CHANNEL}/${TOKEN}`;
const WEBHOOK = `https://hooks.slack.com${PATH}`;
const MASK = 'https://hooks.slack.com/services/T…/B…/****';

/** Every piece of the webhook that would let someone post with it. */
const SECRET_PARTS = [WEBHOOK, PATH, TOKEN, TEAM, CHANNEL, encodeURIComponent(WEBHOOK)];

describe('maskUrl', () => {
  it('keeps enough of a Slack webhook to tell it apart, not to use it', () => {
    expect(maskUrl(new URL(WEBHOOK))).toBe(MASK);
  });

  it.each<[string, string]>([
    [
      'https://hooks.slack.com/triggers/T0123ABCD/9876543210/0123456789abcdef',
      'https://hooks.slack.com/triggers/T…/9…/****',
    ],
    ['http://127.0.0.1:8080/hooks/abcdef', 'http://127.0.0.1:8080/hooks/****'],
    ['https://chat.example.com/', 'https://chat.example.com/'],
  ])('%s -> %s', (url, expected) => {
    expect(maskUrl(new URL(url))).toBe(expected);
  });

  it('drops the query and credentials', () => {
    const masked = maskUrl(
      new URL('https://user:hunter22@hooks.example.com/hook/abc?token=s3cr3t-t0ken'),
    );
    expect(masked).toBe('https://hooks.example.com/h…/****');
  });
});

describe('Redactor', () => {
  const redactor = new Redactor().addUrl(WEBHOOK);

  it.each<[string, string, string]>([
    ['the whole URL', `POST ${WEBHOOK} failed`, `POST ${MASK} failed`],
    ['the URL with a trailing slash', `fetch ${WEBHOOK}/ failed`, `fetch ${MASK}/ failed`],
    ['the path, as an HTTP request line quotes it', `POST ${PATH} HTTP/1.1`, 'POST /**** HTTP/1.1'],
    ['the token alone', `token=${TOKEN}`, 'token=****'],
    ['the team and channel ids', `team ${TEAM} channel ${CHANNEL}`, 'team **** channel ****'],
    ['the URL-encoded URL', `?redirect=${encodeURIComponent(WEBHOOK)}`, `?redirect=${MASK}`],
    ['the URL-encoded path', `path=${encodeURIComponent(PATH)}`, 'path=/****'],
    ['inside JSON', JSON.stringify({ url: WEBHOOK }), JSON.stringify({ url: MASK })],
    ['every occurrence', `${TOKEN} ${TOKEN}`, '**** ****'],
  ])('removes %s', (_name, text, expected) => {
    const out = redactor.redact(text);
    expect(out).toBe(expected);
    for (const part of SECRET_PARTS) expect(out).not.toContain(part);
  });

  it('leaves its own mask and ordinary words alone', () => {
    expect(redactor.redact(`sent to ${MASK}`)).toBe(`sent to ${MASK}`);
    expect(redactor.redact('Slack services answered 404 no_service')).toBe(
      'Slack services answered 404 no_service',
    );
  });

  it('removes the whole URL, its path and its tokens from any text around them', () => {
    const forms = fc.constantFrom(
      WEBHOOK,
      ` ${WEBHOOK} `,
      PATH,
      TOKEN,
      encodeURIComponent(WEBHOOK),
      encodeURIComponent(PATH),
      `${WEBHOOK}?x=1`,
      `"${WEBHOOK}"`,
    );
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'binary' }), forms), { maxLength: 12 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (raw) => {
        const out = redactor.redact(raw);
        for (const part of SECRET_PARTS) expect(out).not.toContain(part);
      }),
      { numRuns: 200 },
    );
  });

  it('redacts query tokens and credentials of other webhook URLs', () => {
    const url = 'https://bot:p4ssw0rd-long@hooks.example.com/hook?token=s3cr3t-t0ken-value';
    const out = new Redactor()
      .addUrl(url)
      .redact(`failed: ${url}; token s3cr3t-t0ken-value; password p4ssw0rd-long`);
    expect(out).toBe('failed: https://hooks.example.com/****; token ****; password ****');
  });

  it('redacts a value that is not a URL as a whole', () => {
    const garbage = 'hooks.slack.com/services/oops';
    expect(new Redactor().addUrl(garbage).redact(`bad value ${garbage}!`)).toBe('bad value ****!');
  });

  it('accepts a URL object and ignores nothing-at-all', () => {
    expect(new Redactor().addUrl(new URL(WEBHOOK)).redact(WEBHOOK)).toBe(MASK);
    expect(new Redactor().addUrl(undefined).addUrl('').redact(WEBHOOK)).toBe(WEBHOOK);
  });

  it('ignores secrets too short to mask without garbling everything', () => {
    expect(new Redactor().add('abc', '****').redact('abc abcd')).toBe('abc abcd');
    expect(new Redactor().add('abcd', '****').redact('abc abcd')).toBe('abc ****');
  });
});

describe('Redactor: secrets in other shapes', () => {
  const redactor = new Redactor().addUrl(WEBHOOK);

  it.each<[string, string]>([
    ['upper case', `echo ${TOKEN.toUpperCase()}`],
    ['mixed case path', `POST ${PATH.replace('services', 'SERVICES').toUpperCase()}`],
    [
      'a body cut after the token began',
      `{"error":"no_service","path":"/services/x/y/${TOKEN.slice(0, 12)}`,
    ],
    ['six characters of it at the very end', `... ${TOKEN.slice(0, 6)}`],
    ['a beginning of it in the middle', `got ${TOKEN.slice(0, 9)}!! and more`],
  ])('masks the token written in %s', (_name, text) => {
    const out = redactor.redact(text);
    for (let n = PREFIX_MIN; n <= TOKEN.length; n++) {
      expect(out.toLowerCase()).not.toContain(TOKEN.slice(0, n).toLowerCase());
    }
  });

  it('leaves five characters of a token (too few to mean anything) and the public URL alone', () => {
    expect(redactor.redact(`x ${TOKEN.slice(0, 5)} https://hooks.slack.com/`)).toBe(
      `x ${TOKEN.slice(0, 5)} https://hooks.slack.com/`,
    );
  });

  it('masks whatever was cut, wherever the cut falls', () => {
    const body = `${'x'.repeat(40)} ${WEBHOOK} ${'y'.repeat(10)}`;
    for (let cut = 0; cut <= body.length; cut++) {
      const out = redactor.redact(body.slice(0, cut));
      for (const part of [TOKEN, TEAM, CHANNEL]) {
        expect(out).not.toContain(part.slice(0, PREFIX_MIN));
      }
    }
  });
});

describe('Redactor: masks secrets, not the words around them', () => {
  it('a proxy user name is no secret: hosts and words that share its beginning stay readable', () => {
    const redactor = new Redactor().add('s3cret-pw', '****');
    expect(redactor.redact('https://gitlab.example.com/team/app/-/pipelines/1 via proxy')).toBe(
      'https://gitlab.example.com/team/app/-/pipelines/1 via proxy',
    );
  });

  it('path words of a webhook (webhooks, api) are not masked; its ids and token are', () => {
    const url = 'https://discord.com/api/webhooks/123456789012345678/abcDEF_token-value';
    const out = new Redactor()
      .addUrl(url)
      .redact(
        'create a new incoming webhook and update SLACK_WEBHOOK_URL; id 123456789012345678, token abcDEF_token-value',
      );
    expect(out).toBe(
      'create a new incoming webhook and update SLACK_WEBHOOK_URL; id ****, token ****',
    );
  });

  it('the last segment is the token, however short', () => {
    const out = new Redactor()
      .addUrl('http://127.0.0.1:8080/hook/abc123x')
      .redact('no hook named abc123x');
    expect(out).toBe('no hook named ****');
  });
});
