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

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** The value of the first pattern matching `key`. */
export function lookup(map: PatternMap, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  return map.find(([pattern]) => globToRegExp(pattern).test(key))?.[1];
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
