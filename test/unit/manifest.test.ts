// The Slack app manifest asks for exactly the scopes of the methods notify calls.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METHOD_SCOPES } from '../../src/slack-api.ts';

const manifest = readFileSync(new URL('../../slack-app-manifest.yml', import.meta.url), 'utf8');

describe('slack-app-manifest.yml', () => {
  it('asks for the scopes notify uses, and no others', () => {
    const bot = manifest.slice(manifest.indexOf('    bot:'), manifest.indexOf('settings:'));
    const asked = [...bot.matchAll(/^\s+- ([a-z.:]+)$/gm)].map((m) => m[1]).sort();
    const used = [...new Set(Object.values(METHOD_SCOPES).flat())].sort();
    expect(asked).toEqual(used);
  });
});
