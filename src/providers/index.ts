import type { Env, Provider } from '../context.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { local } from './local.ts';

/** In order of precedence; `local` matches everything and must stay last. */
export const providers: readonly Provider[] = [gitlab, github, local];

export function detectProvider(env: Env): Provider {
  return providers.find((provider) => provider.detect(env)) ?? local;
}
