// yargs for the tiny build: its factory with a platform of our own, as its own browser entry
// does (which loads its parts from a CDN). notify uses yargs only to draw --help.
import cliui from 'cliui';
import Parser from 'yargs-parser/browser';
import { YargsFactory } from 'yargs-factory';
import stringWidth from 'string-width';

const sprintf = (format, ...args) => {
  const parts = format.split('%s');
  return parts
    .map((part, i) => part + (i < args.length && i < parts.length - 1 ? args[i] : ''))
    .join('');
};
const unsupported = () => {
  throw new Error('not in the tiny build');
};

export default YargsFactory({
  assert: { notStrictEqual: () => {}, strictEqual: () => {} },
  cliui,
  findUp: () => undefined,
  getEnv: () => undefined,
  inspect: String,
  getCallerFile: () => '',
  getProcessArgvBin: () => 'notify',
  mainFilename: 'notify',
  Parser,
  path: {
    basename: (path) => path.slice(path.lastIndexOf('/') + 1),
    dirname: (path) => path.slice(0, Math.max(0, path.lastIndexOf('/'))),
    extname: (path) => /\.[^./]*$/.exec(path)?.[0] ?? '',
    relative: (_from, to) => to,
    resolve: (...paths) => paths.join('/'),
    join: (...paths) => paths.join('/'),
  },
  process: {
    argv: () => [],
    cwd: () => '',
    emitWarning: () => {},
    execPath: () => '',
    exit: () => {},
    nextTick: (callback) => void Promise.resolve().then(callback),
    stdColumns: null,
  },
  readFileSync: unsupported,
  readdirSync: () => [],
  require: unsupported,
  requireDirectory: unsupported,
  stringWidth,
  y18n: {
    __: (format, ...args) => sprintf(format ?? '', ...args),
    __n: (one, many, count, ...args) => sprintf(count === 1 ? one : many, ...args),
    getLocale: () => 'en_US',
    setLocale: () => {},
    updateLocale: () => {},
  },
});
