// Entry point of the GitHub Action's bundle (dist/action.cjs, which action.yml runs on the
// runner's own Node): the Node platform in, the step's exit code out.
import { randomUUID } from 'node:crypto';
import { runAction, unexpected } from './action.ts';
import { nodePlatform } from './platform/node.ts';

const platform = nodePlatform();
void runAction({
  ...platform,
  cwd: platform.cwd(),
  // As the runner's own toolkit writes them: a delimiter no value can know in advance.
  delimiter: () => `ghadelimiter_${randomUUID()}`,
  stopToken: () => randomUUID(),
})
  // runAction answers every error itself; should one still escape it, it is one line as well.
  .catch((error: unknown) => unexpected(error, platform.stdout))
  .then((code) => {
    // As bin.ts: the answer is known and written; no socket left open may hold the step.
    process.exit(code);
  });
