import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { tsconfigPaths: true },
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time: each spec's app holds ~30 PostgreSQL connections (its pool, the prepared-statement pool, one
    // BullMQ pool per queue and worker, the outbox listener), some specs start three instances, and PostgreSQL's
    // default is 100 connections; two files at once ran out of them now and then ("too many clients").
    fileParallelism: false,
    maxWorkers: 1,
  },
});
