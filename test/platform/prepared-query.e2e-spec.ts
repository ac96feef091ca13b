import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedQuery, StatementPool } from '@atrium/platform';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('prepared queries on the statement pool', () => {
  it('answers rows, and gives the connection back after a failing statement so the pool never runs dry', async () => {
    // DATABASE_POOL_SIZE is 5 in tests: the statement pool holds 3 connections, far fewer than the failures below.
    const statements = t.app.get(StatementPool);
    const add = new PreparedQuery<{ n: number }>(statements, 'test_prepared_add', 'SELECT $1::int + 1 AS n');
    const broken = new PreparedQuery(statements, 'test_prepared_broken', 'SELECT 1 / $1::int AS n');
    for (let i = 0; i < 60; i++) {
      await expect(broken.rows([0])).rejects.toThrow(/division by zero/);
    }
    expect(await add.rows([41])).toEqual([{ n: 42 }]);
    expect(await Promise.all(Array.from({ length: 50 }, (_, i) => add.rows([i])))).toEqual(
      Array.from({ length: 50 }, (_, i) => [{ n: i + 1 }]),
    );
    // A named statement: prepared on the server connection and kept there for the next call.
    const prepared = new PreparedQuery(statements, 'test_prepared_seen', 'SELECT name FROM pg_prepared_statements WHERE name = $1');
    expect(await prepared.rows(['test_prepared_add'])).toEqual([{ name: 'test_prepared_add' }]);
  });
});
