import { createServer } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { describe, expect, inject, it } from 'vitest';
import { AtriumSocketAdapter, loadConfig } from '@atrium/platform';

describe('socket.io adapter shutdown', () => {
  // The PostgreSQL fan-out takes its LISTEN connection in the background; an app closed before that
  // connection arrived (a short-lived test app, or a slow database) used to wait forever in pool.end().
  it('closes even before its PostgreSQL LISTEN connection is up', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: inject('databaseUrl'),
      ENCRYPTION_KEY: '7f'.repeat(32),
      JWT_SECRET: 'x'.repeat(40),
    });
    const http = createServer();
    const adapter = new AtriumSocketAdapter(http as unknown as INestApplicationContext, config);
    await adapter.connect();
    const io = adapter.createIOServer(0);
    await adapter.close(io);
    expect(http.listening).toBe(false);
  }, 10_000);
});
