import type { CiContext } from './context.ts';

/** Ordered `pattern=value` pairs; a pattern may use `*` for any run of characters. */
export type PatternMap = ReadonlyArray<readonly [pattern: string, value: string]>;

/** How the environment label is chosen, from the settings. */
export interface EnvironmentSettings {
  /** Always use this label. */
  fixed?: string;
  /** Branch (or tag) to label. */
  map: PatternMap;
}

/**
 * Whether `text` matches `pattern`, where `*` is any run of characters (slashes and none
 * included) and everything else is literal. Patterns come from settings and keys from branch
 * names anyone can push, so the match must stay linear: a RegExp of `.*` runs backtracks
 * catastrophically on `*a*a*a...b`. Taking each literal piece at its earliest place is enough,
 * because a later place could only leave less room for the pieces after it.
 */
export function globMatch(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return text === first;
  const last = pieces[pieces.length - 1] ?? '';
  // The prefix and the suffix may not share characters: `ab*ba` is not `aba`.
  const end = text.length - last.length;
  if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = text.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** The value of the first pattern matching `key`. */
export function lookup(map: PatternMap, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  return map.find(([pattern]) => globMatch(pattern, key))?.[1];
}

/**
 * The environment's name as the team says it: a fixed or mapped label first, then the job's
 * declared environment, then the branch convention (default branch = production,
 * development/develop = dev, any other ref is named by itself).
 */
export function envLabel(ctx: CiContext, settings: EnvironmentSettings): string | undefined {
  const ref = ctx.ref.name;
  const mapped = settings.fixed ?? lookup(settings.map, ref) ?? ctx.environment.name;
  if (mapped) return mapped;
  if (!ref) return undefined;
  // The branch conventions are for branch pipelines: a merge or pull request from a branch that
  // happens to be called `main` (a fork's) is not a production deploy.
  if (!ctx.ref.isTag && !ctx.change) {
    const isDefault = ctx.ref.defaultBranch
      ? ref === ctx.ref.defaultBranch
      : ref === 'main' || ref === 'master';
    if (isDefault) return 'production';
    if (ref === 'development' || ref === 'develop') return 'dev';
  }
  return ref;
}

export type EnvKind = 'production' | 'dev' | 'review';

export function envKind(label: string | undefined): EnvKind {
  if (label && /^prod(uction)?$/i.test(label)) return 'production';
  if (label && /^dev(elop|elopment)?$/i.test(label)) return 'dev';
  return 'review';
}
