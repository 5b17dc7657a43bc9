// Entry point of the bundle and the executable: hand the process to main() and keep its code.
import { main } from './cli.ts';

void main({ argv: process.argv.slice(2), env: process.env }).then((code) => {
  process.exitCode = code;
});
