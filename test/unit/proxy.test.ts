// Which proxy variables count, as corporate runners set them.
import { describe, expect, it } from 'vitest';
import { proxyEnv } from '../../src/proxy.ts';

describe('proxyEnv', () => {
  it.each<[string, Record<string, string>, Record<string, string> | undefined]>([
    ['none', {}, undefined],
    ['empty ones', { HTTPS_PROXY: '', http_proxy: '' }, undefined],
    [
      'upper case',
      { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.internal' },
      { HTTP_PROXY: '', HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.internal' },
    ],
    [
      'lower case, under an empty upper case one',
      { HTTPS_PROXY: '', https_proxy: 'http://p:3128', no_proxy: 'localhost' },
      { HTTP_PROXY: '', HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'localhost' },
    ],
    [
      'HTTP_PROXY alone serves https too',
      { HTTP_PROXY: 'http://p:3128' },
      { HTTP_PROXY: 'http://p:3128', HTTPS_PROXY: 'http://p:3128', NO_PROXY: '' },
    ],
    [
      'no scheme, as curl accepts',
      { https_proxy: 'proxy.corp:3128' },
      { HTTP_PROXY: '', HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '' },
    ],
  ])('%s', (_name, env, expected) => {
    expect(proxyEnv(env)).toEqual(expected);
  });
});
