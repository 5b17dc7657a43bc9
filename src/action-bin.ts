// Entry point of the GitHub Action's bundle (dist/action.cjs, which action.yml runs on the
// runner's own Node): the Node platform in, the step's exit code out.
import { randomUUID } from 'node:crypto';
import { runAction } from './action.ts';
import { nodePlatform } from './platform/node.ts';

const platform = nodePlatform();
void runAction({
  ...platform,
  cwd: platform.cwd(),
  // As the runner's own toolkit writes them: a delimiter no value can know in advance.
  delimiter: () => `ghadelimiter_${randomUUID()}`,
}).then((code) => {
  // As bin.ts: the answer is known and written; no socket left open may hold the step.
  process.exit(code);
});
