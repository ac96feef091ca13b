import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import pg from 'pg';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config.js';
import { corsOptions } from '../http/edge-headers.js';

/** The socket.io adapter that carries emits to every instance, and how to close its connections. */
export interface Fanout {
  adapter: ServerOptions['adapter'];
  close(): Promise<void>;
}

/** The Redis adapter when REDIS_URL is set, else the PostgreSQL adapter on the app's database. */
export async function openFanout(config: AppConfig, logger: Logger): Promise<Fanout> {
  if (config.redisUrl) {
    const pub = createClient({ url: config.redisUrl });
    const sub = pub.duplicate();
    pub.on('error', (err: Error) => logger.warn(`redis pub: ${err.message}`));
    sub.on('error', (err: Error) => logger.warn(`redis sub: ${err.message}`));
    await Promise.all([pub.connect(), sub.connect()]);
    logger.log('socket.io fan-out: Redis adapter');
    return {
      adapter: createRedisAdapter(pub, sub) as ServerOptions['adapter'],
      close: async () => {
        await Promise.allSettled([pub.quit(), sub.quit()]);
      },
    };
  }
  const pool = new pg.Pool({ connectionString: config.database.url, max: 2 });
  pool.on('error', (err) => logger.warn(`postgres adapter pool: ${err.message}`));
  logger.log('socket.io fan-out: PostgreSQL adapter');
  return {
    adapter: createPostgresAdapter(pool, { cleanupInterval: 30_000 }) as ServerOptions['adapter'],
    close: () => pool.end(),
  };
}

/**
 * socket.io with the configured CORS allowlist and cross-instance fan-out:
 * the Redis adapter when REDIS_URL is set, else the PostgreSQL adapter on the app's database.
 */
export class AtriumSocketAdapter extends IoAdapter {
  protected override readonly logger = new Logger('Realtime');
  private readonly closers: Array<() => Promise<unknown>> = [];
  private adapterFactory?: ServerOptions['adapter'];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  /** Opens the fan-out connections; call before `app.listen`. */
  async connect(): Promise<void> {
    const fanout = await openFanout(this.config, this.logger);
    this.adapterFactory = fanout.adapter;
    this.closers.push(() => fanout.close());
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      cors: corsOptions(this.config.http.corsOrigins),
      adapter: this.adapterFactory,
    } as ServerOptions);
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    const closers = this.closers.splice(0);
    await Promise.allSettled(closers.map((c) => c()));
  }
}
