// Proxy variables as CI runners set them (either case, a scheme optional), checked: a malformed
// or unsupported proxy is a configuration error naming its variable, never a retried failure.
import type { Env } from './context.ts';
import { ConfigError } from './errors.ts';

/** A proxy URL as curl takes it: the scheme may be left out. */
function proxyUrl(value: string): string {
  return value && !value.includes('://') ? `http://${value}` : value;
}

/** One proxy variable as set: which name it was found under, and its value. */
interface ProxyVar {
  name: string;
  value: string;
}

// `||`, not `??`: CI platforms define unset variables as '', which must not hide the other case.
function pick(env: Env, name: string): ProxyVar | undefined {
  for (const key of [name.toUpperCase(), name.toLowerCase()]) {
    const value = env[key]?.trim();
    if (value) return { name: key, value };
  }
  return undefined;
}

/** The proxy variable that applies to `url`: HTTPS_PROXY (else HTTP_PROXY) for https. */
function proxyVarFor(env: Env, url: URL): ProxyVar | undefined {
  const http = pick(env, 'http_proxy');
  // As undici does for runners that set only HTTP_PROXY: it serves https too.
  return url.protocol === 'https:' ? (pick(env, 'https_proxy') ?? http) : http;
}

/**
 * The proxy URL a request to `url` may go through (NO_PROXY aside), checked: a malformed or
 * unsupported proxy is a configuration error naming its variable, never a retried failure.
 * The value may hold credentials, so it is never quoted.
 */
export function proxyFor(env: Env, url: URL): URL | undefined {
  const found = proxyVarFor(env, url);
  if (!found) return undefined;
  const raw = proxyUrl(found.value);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme && /^socks/.test(scheme)) {
    throw new ConfigError(
      `${found.name} is a SOCKS proxy (${scheme}://), which notify does not support; use an HTTP proxy (http://host:port)`,
    );
  }
  let proxy: URL | undefined;
  try {
    proxy = new URL(raw);
  } catch {
    proxy = undefined;
  }
  if (!proxy || (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') || !proxy.hostname) {
    throw new ConfigError(
      `${found.name} is not a usable proxy URL (expected http://proxy.example.com:3128)`,
    );
  }
  return proxy;
}

/** Proxy variables as Node's `proxyEnv` reads them, either case accepted. */
export function proxyEnv(env: Env): Record<string, string> | undefined {
  const http = proxyUrl(pick(env, 'http_proxy')?.value ?? '');
  const https = proxyUrl(pick(env, 'https_proxy')?.value ?? '') || http;
  if (!http && !https) return undefined;
  return { HTTP_PROXY: http, HTTPS_PROXY: https, NO_PROXY: pick(env, 'no_proxy')?.value ?? '' };
}
