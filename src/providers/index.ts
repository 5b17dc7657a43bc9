import type { Env, Provider } from '../context.ts';
import { azure } from './azure.ts';
import { bitbucket } from './bitbucket.ts';
import { buildkite } from './buildkite.ts';
import { circleci } from './circleci.ts';
import { drone } from './drone.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { jenkins } from './jenkins.ts';
import { local } from './local.ts';
import { woodpecker } from './woodpecker.ts';

/**
 * In order of precedence; `local` matches everything and must stay last. Each CI is detected by
 * its own documented marker, never by `CI=true` alone. Woodpecker comes before Drone: its plugin
 * steps carry Drone's variables too.
 */
export const providers: readonly Provider[] = [
  gitlab,
  github,
  woodpecker,
  drone,
  bitbucket,
  circleci,
  jenkins,
  azure,
  buildkite,
  local,
];

export function detectProvider(env: Env): Provider {
  return providers.find((provider) => provider.detect(env)) ?? local;
}
