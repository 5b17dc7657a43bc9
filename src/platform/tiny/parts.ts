// Parts of the tiny executable loaded only when used: their bytecode is kept apart from the main
// program's (scripts/build.ts), so that a run reads and sets up only what it needs. A part sets
// globalThis[`__notify_part_${name}`] when runtime.c evaluates it.
declare const __native: { load(name: string): void };

export type PartName = 'core-js' | 'yargs';

export function loadPart<T>(name: PartName): T {
  const key = `__notify_part_${name.replace('-', '_')}`;
  const global = globalThis as Record<string, unknown>;
  if (!(key in global)) __native.load(name);
  return global[key] as T;
}
