// Entry point of the bundle and the executable: the Node platform in, an exit code out.
import { main } from './cli.ts';
import { nodePlatform, restartWithoutRuntimeVariables } from './platform/node.ts';

restartWithoutRuntimeVariables();
const platform = nodePlatform();
void main({ ...platform, cwd: platform.cwd() }).then((code) => {
  process.exitCode = code;
  // A pipeline must never wait on notify: if anything still holds the event loop once the
  // answer is known (a socket a peer never closes), leave anyway.
  setTimeout(() => process.exit(code), 500).unref();
});
