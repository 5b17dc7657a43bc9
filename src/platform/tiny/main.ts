// Entry point of the tiny executable: the engine's missing pieces first, then the same main()
// as on Node, on the tiny platform.
import './globals.ts';
import { main } from '../../cli.ts';
import { exit, tinyPlatform } from './platform.ts';

const platform = tinyPlatform();
main({ ...platform, cwd: platform.cwd() }).then(exit, (error: unknown) => {
  platform.stderr(`notify: internal error: ${String(error)}\n`);
  exit(1);
});
