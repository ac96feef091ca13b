import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the slow fault and several-process scenarios (test/faults). Each file starts its own
 * PostgreSQL and redis-server (it stops and restarts them) and the app as real child processes, so it needs no
 * DATABASE_URL and never touches a shared server. Not part of `npm test`.
 */
export default defineConfig({
  resolve: { tsconfigPaths: true },
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/faults/**/*.fault-spec.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each file runs several app processes on a 2-core box: one file at a time keeps the timings meaningful.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
