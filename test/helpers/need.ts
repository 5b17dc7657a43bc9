// Tests that need a tool the machine may lack (root for chroot, a Docker daemon, rsync) skip
// only where the tool truly cannot run, and say so loudly. On CI (CI=true) they must run.
import { spawnSync } from 'node:child_process';

export function need(tool: string, why: string, check: () => boolean): boolean {
  let ok = false;
  try {
    ok = check();
  } catch {
    ok = false;
  }
  if (ok) return true;
  if (process.env.CI) throw new Error(`${tool} is required on CI (${why}) but cannot run here`);
  console.warn(`\n*** SKIPPING: ${tool} cannot run on this machine (${why}) ***\n`);
  return false;
}

export function succeeds(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

export const isRoot = () => process.getuid?.() === 0;
