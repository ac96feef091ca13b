import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /health when the database stops answering', () => {
  it('answers 503 naming the part that is down, without internals', async () => {
    expect((await t.http.get('/health')).status).toBe(200);
    const ds = t.app.get(DataSource);
    await ds.destroy();
    try {
      const res = await t.http.get('/health');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('error');
      expect(res.body.database.status).toBe('down');
      expect(res.body.queue.status).toBe('up');
      expect(JSON.stringify(res.body)).not.toMatch(/password|postgres:\/\//);
    } finally {
      await ds.initialize();
    }
  });
});
