// Outside CI: the user, and what the working copy says (its folder, its git branch); flags and
// NOTIFY_* settings fill in the rest.
import { val, type Provider, type ProviderIo } from '../context.ts';

/** The checked-out branch, from .git/HEAD; nothing on a detached HEAD or outside git. */
function gitBranch(io: ProviderIo): string | undefined {
  try {
    return /^ref: refs\/heads\/(.+)$/.exec(io.readFile('.git/HEAD').trim())?.[1];
  } catch {
    return undefined;
  }
}

export const local: Provider = {
  name: 'local',
  detect: () => true,
  context: (env, io) => {
    const pwd = val(env, 'PWD');
    return {
      provider: 'local',
      // The folder's own name: the last part of the path, whatever slashes end it.
      project: { name: pwd?.replace(/\/+$/, '').split('/').pop() || undefined },
      ref: { name: gitBranch(io), isTag: false },
      environment: {},
      user: val(env, 'USER') ?? val(env, 'LOGNAME'),
      commit: {},
      pipeline: {},
      job: {},
    };
  },
};
