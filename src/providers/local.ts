// Outside CI: nothing to read but the user; flags and NOTIFY_* settings fill in the rest.
import { val, type Provider } from '../context.ts';

export const local: Provider = {
  name: 'local',
  detect: () => true,
  context: (env) => ({
    provider: 'local',
    project: {},
    ref: { isTag: false },
    environment: {},
    user: val(env, 'USER') ?? val(env, 'LOGNAME'),
    commit: {},
    pipeline: {},
    job: {},
  }),
};
