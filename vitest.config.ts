import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Spawned executables, chroots and a Docker daemon: keep the two cores for them.
    maxWorkers: 2,
  },
});
