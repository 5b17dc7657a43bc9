// Which chat tool a webhook URL is: each target recognises its own URLs; NOTIFY_TARGET says it
// outright (a tool behind a proxy, or on a host of its own). Slack's payload is the default:
// Slack-compatible servers take it.
import { ConfigError } from '../errors.ts';
import { discord } from './discord.ts';
import { googleChat } from './google-chat.ts';
import { mattermost } from './mattermost.ts';
import { slack } from './slack.ts';
import { retiredTeamsUrl, teams } from './teams.ts';
import type { Target, TargetName } from './types.ts';

/** In the order they are tried: the specific hosts first, Mattermost's any-host path last. */
export const TARGETS: readonly Target[] = [slack, discord, googleChat, teams, mattermost];

/** The paths that name a tool wherever it is served from. */
const PATHS: ReadonlyArray<readonly [TargetName, RegExp, string]> = [
  [
    'discord',
    /^\/api\/(?:v\d+\/)?webhooks\/\d+\/[\w-]+\/?$/,
    "a Discord webhook's (/api/webhooks/…)",
  ],
  [
    'teams',
    /^\/workflows\/[^/]+\/triggers\/manual\/paths\/invoke\/?$/,
    "a Teams workflow's (/workflows/…/triggers/manual/paths/invoke)",
  ],
  [
    'google-chat',
    /^\/v1\/spaces\/[^/]+\/messages\/?$/,
    "a Google Chat space's (/v1/spaces/…/messages)",
  ],
];

export interface Picked {
  target: Target;
  /** Why this tool, for --dry-run. */
  why: string;
}

/** The tool a webhook URL is for; exit 2 for a kind of webhook that no longer works. */
export function pickTarget(url: URL, named?: TargetName, setting = 'SLACK_WEBHOOK_URL'): Picked {
  const retired = retiredTeamsUrl(url);
  if (retired) throw new ConfigError(`${setting}: ${retired}`);
  // Discord's Slack- and GitHub-compatible endpoints take another tool's payload: notify writes
  // Discord's own, with the mentions it allows.
  if (/^\/api\/(?:v\d+\/)?webhooks\/\d+\/[\w-]+\/(?:slack|github)\/?$/.test(url.pathname)) {
    throw new ConfigError(
      `${setting} is a Discord webhook with /slack or /github at its end: give it without that suffix, notify writes Discord's own messages`,
    );
  }
  const recognised = TARGETS.map((target) => ({ target, why: target.recognise(url) })).find(
    (found) => found.why !== undefined,
  ) as Picked | undefined;
  if (named) {
    const target = TARGETS.find((t) => t.name === named)!;
    // Mattermost is told by its path alone, on any host: a Slack-compatible server can look alike.
    const byHost = recognised && recognised.target.name !== 'mattermost';
    if (byHost && recognised.target.name !== named) {
      throw new ConfigError(
        `NOTIFY_TARGET is ${named}, but ${setting} is ${recognised.target.title}'s (${recognised.why}): unset NOTIFY_TARGET, or give a ${target.title} webhook`,
      );
    }
    return { target, why: `NOTIFY_TARGET is ${named}` };
  }
  if (recognised) return recognised;
  // On a host of its own (a proxy, a test server), a tool's webhook still has its path.
  for (const [name, shape, what] of PATHS) {
    if (shape.test(url.pathname) && (name !== 'google-chat' || url.searchParams.has('key'))) {
      const target = TARGETS.find((t) => t.name === name)!;
      return { target, why: `the path is ${what}` };
    }
  }
  return {
    target: slack,
    why: "no chat tool's own webhook address: Slack's payload, which Slack-compatible servers take",
  };
}
