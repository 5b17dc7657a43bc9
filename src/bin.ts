// Entry point of the Node bundle (bin/notify, development): the Node platform in, an exit code out.
import { main } from './cli.ts';
import { nodePlatform } from './platform/node.ts';

const platform = nodePlatform();
void main({ ...platform, cwd: platform.cwd() }).then((code) => {
  // The answer is known and printed (writes to pipes, files and terminals are synchronous on
  // Linux): leave now. A socket still open at this point (a proxy tunnel that never answered
  // CONNECT) must not hold the job a moment past its deadline.
  process.exit(code);
});
