// The yargs part: it draws --help, and nothing else.
// @ts-expect-error: a JavaScript module of the tiny build, without types
import Yargs from '../shims/yargs.mjs';

(globalThis as Record<string, unknown>).__notify_part_yargs = Yargs;
