// yargs in the main program of the tiny build: the real one is a part, loaded on first call.
import { loadPart } from '../parts.ts';

export default function yargs(...args) {
  return loadPart('yargs')(...args);
}
