// Who is called when a pipeline fails: the people and groups NOTIFY_MENTION names (per
// environment label), the person who started the pipeline, and when (NOTIFY_MENTION_ON). Pure
// and chat-neutral: a mention is what it stands for, and only a chat tool's renderer turns it
// into its syntax. Nothing a committer writes becomes a mention: they are built here, from the
// job's settings and the chat's own user ids.
import { globMatch } from './environment.ts';
import { ConfigError } from './errors.ts';
import { quote } from './output.ts';
import type { Status } from './status.ts';

export type Mention =
  | { kind: 'user'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'here' }
  | { kind: 'channel' }
  /** Someone notify could not find in the chat: named, never pinged. */
  | { kind: 'name'; name: string };

export type MentionOn = 'failure' | 'always' | 'never' | 'change';
export const MENTION_ON: readonly MentionOn[] = ['failure', 'always', 'never', 'change'];

export interface MentionSettings {
  /** Called for every label, unless a map entry matches it. */
  everyone: Mention[];
  /** `label=targets`: the first entry whose pattern matches the label wins, even an empty one. */
  map: ReadonlyArray<readonly [pattern: string, mentions: Mention[]]>;
  on: MentionOn;
}

/** How this pipeline compares with the previous one of the same project and ref. */
export type Trend = 'fixed' | 'broken' | 'still failing';

const FAILING: ReadonlySet<Status> = new Set(['failed', 'timedout']);
export const isFailing = (status: Status) => FAILING.has(status);

/** Fixed, broken or still failing; nothing when there is no previous pipeline to compare with. */
export function trendOf(status: Status, previous: Status | undefined): Trend | undefined {
  if (previous === undefined) return undefined;
  if (isFailing(status)) return isFailing(previous) ? 'still failing' : 'broken';
  if (status === 'success' && isFailing(previous)) return 'fixed';
  return undefined;
}

/**
 * Whether this message calls anyone. `failure`: a failure, unless the previous pipeline already
 * failed (no new alarm); `always`: every failure; `change`: a failure after a pass, and a fix;
 * `never`. Without a previous pipeline to compare with, a failure is news.
 */
export function shouldMention(on: MentionOn, status: Status, previous?: Status): boolean {
  const trend = trendOf(status, previous);
  switch (on) {
    case 'never':
      return false;
    case 'always':
      return isFailing(status);
    case 'failure':
      return isFailing(status) && trend !== 'still failing';
    case 'change':
      return (isFailing(status) && trend !== 'still failing') || trend === 'fixed';
  }
}

/** One target as a user writes it: `U0123`, `<@U0123>`, `S0123`, `<!subteam^S0123>`, `here`… */
export function parseTarget(name: string, raw: string): Mention {
  const target = raw.trim();
  const user = /^(?:<@([UW][A-Z0-9]{2,})>|@?([UW][A-Z0-9]{2,}))$/.exec(target);
  if (user) return { kind: 'user', id: (user[1] ?? user[2])! };
  const group = /^(?:<!subteam\^(S[A-Z0-9]{2,})(?:\|[\w.@-]*)?>|(S[A-Z0-9]{2,}))$/.exec(target);
  if (group) return { kind: 'group', id: (group[1] ?? group[2])! };
  if (/^(<!here>|!?here|@here)$/.test(target)) return { kind: 'here' };
  if (/^(<!channel>|!?channel|@channel)$/.test(target)) return { kind: 'channel' };
  throw new ConfigError(
    `${name} has ${/^[\w<>!@^|-]{1,40}$/.test(target) ? quote(target) : 'a target'}, which is not a Slack user or group ID (expected e.g. U0123ABCD, <!subteam^S0123ABCD>, here)`,
  );
}

/**
 * `U0123,<!subteam^S0456>` for every label, then per label: `production=<!subteam^S0123>,U0456,
 * review=`. Targets are separated by commas or spaces; a target after `label=` belongs to that
 * label until the next `label=`; nothing after `=` calls no one from this list there.
 */
export function parseMentions(name: string, value: string): Omit<MentionSettings, 'on'> {
  const everyone: Mention[] = [];
  const map: Array<readonly [string, Mention[]]> = [];
  let current: Mention[] = everyone;
  for (const entry of value
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    let targets = entry;
    if (eq >= 0) {
      const pattern = entry.slice(0, eq).trim();
      if (!pattern) {
        throw new ConfigError(
          `${name} has an entry with no label before = (expected e.g. production=<!subteam^S0123ABCD>)`,
        );
      }
      current = [];
      map.push([pattern, current]);
      targets = entry.slice(eq + 1);
    }
    for (const target of targets.split(/\s+/).filter(Boolean))
      current.push(parseTarget(name, target));
  }
  return { everyone, map };
}

export function parseMentionOn(name: string, value: string): MentionOn {
  const on = value.trim().toLowerCase();
  if ((MENTION_ON as readonly string[]).includes(on)) return on as MentionOn;
  throw new ConfigError(`${name} must be one of ${MENTION_ON.join(', ')} (got ${quote(value)})`);
}

/** Whom NOTIFY_MENTION names for this label. */
export function configured(settings: MentionSettings, label: string | undefined): Mention[] {
  const entry = settings.map.find(([pattern]) => label !== undefined && globMatch(pattern, label));
  return entry ? entry[1] : settings.everyone;
}

/** The same target once: a person named twice is pinged once. */
export function unique(mentions: readonly Mention[]): Mention[] {
  const seen = new Set<string>();
  return mentions.filter((mention) => {
    const key = JSON.stringify(mention);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
