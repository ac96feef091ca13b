import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PreparedQuery, queryNamed, StatementPool, tenantScopedPoolOptions, withTenant } from '@atrium/platform';
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

describe('a named statement whose tenant scope cannot be set', () => {
  it('does not run in the scope the connection held before: it fails with the setting', async () => {
    const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1, ...tenantScopedPoolOptions });
    const client = await pool.connect();
    const scope = { name: 'test_scope_seen', text: `SELECT current_setting('app.organization_id', true) AS org` };
    try {
      const before = randomUUID();
      expect(await withTenant(before, () => queryNamed(client, scope, []))).toEqual([{ org: before }]);
      // PostgreSQL refuses a NUL in the setting, so setting this scope fails: a statement queued behind the failed
      // setting would otherwise run in the organization the connection still holds.
      await expect(withTenant('x\u0000y', () => queryNamed(client, scope, []))).rejects.toThrow(/0x00/);
      // The next statement sets its scope again and runs in it.
      const after = randomUUID();
      expect(await withTenant(after, () => queryNamed(client, scope, []))).toEqual([{ org: after }]);
    } finally {
      client.release();
      await pool.end();
    }
  });
});

describe('an application connection the server ends', () => {
  it('is heard while no pool and no query holds it: the process lives on and the next statement on it fails cleanly', async () => {
    // As pg-pool hands it out: its idle listener is gone, and no query runner has added one.
    const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1, ...tenantScopedPoolOptions });
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    try {
      const client = await pool.connect();
      const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      const ended = new Promise<void>((resolve) => client.connection.once('end', () => resolve()));
      // What a PostgreSQL restart does to every backend: FATAL 57P01, then the socket closes. Unheard, the 'error'
      // event this emits on the client would end the test process.
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await ended;
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(new Error('ended by the server'));
      // The pool opens a fresh connection for the next caller.
      const again = await pool.connect();
      expect((await again.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      again.release();
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
