import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { PreparedQuery } from '@atrium/platform';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('prepared queries on the pool', () => {
  it('answers rows, and gives the connection back after a failing statement so the pool never runs dry', async () => {
    const ds = t.app.get(DataSource);
    const add = new PreparedQuery<{ n: number }>(ds, 'test_prepared_add', 'SELECT $1::int + 1 AS n');
    const broken = new PreparedQuery(ds, 'test_prepared_broken', 'SELECT 1 / $1::int AS n');
    for (let i = 0; i < 60; i++) {
      await expect(broken.rows([0])).rejects.toThrow(/division by zero/);
    }
    expect(await add.rows([41])).toEqual([{ n: 42 }]);
    expect(await Promise.all(Array.from({ length: 50 }, (_, i) => add.rows([i])))).toEqual(
      Array.from({ length: 50 }, (_, i) => [{ n: i + 1 }]),
    );
  });
});
