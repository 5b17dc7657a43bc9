import type { ProviderIo } from '../../../src/context.ts';

/** For a provider that never reads a file: any attempt is a bug. */
export const noFiles: ProviderIo = {
  readFile: (path) => {
    throw new Error(`unexpected read of ${path}`);
  },
};
