// Entry point of the bundle and the executable: hand the process to main() and keep its code.
import { main } from './cli.ts';

void main({ argv: process.argv.slice(2), env: process.env }).then((code) => {
  process.exitCode = code;
  // A pipeline must never wait on notify: if anything still holds the event loop once the
  // answer is known (a socket a peer never closes), leave anyway.
  setTimeout(() => process.exit(code), 500).unref();
});
