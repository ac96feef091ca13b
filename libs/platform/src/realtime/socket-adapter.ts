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
    if (this.config.redisUrl) {
      const pub = createClient({ url: this.config.redisUrl });
      const sub = pub.duplicate();
      pub.on('error', (err: Error) => this.logger.warn(`redis pub: ${err.message}`));
      sub.on('error', (err: Error) => this.logger.warn(`redis sub: ${err.message}`));
      await Promise.all([pub.connect(), sub.connect()]);
      this.adapterFactory = createRedisAdapter(pub, sub) as ServerOptions['adapter'];
      this.closers.push(
        () => pub.quit(),
        () => sub.quit(),
      );
      this.logger.log('socket.io fan-out: Redis adapter');
    } else {
      const pool = new pg.Pool({ connectionString: this.config.database.url, max: 2 });
      pool.on('error', (err) => this.logger.warn(`postgres adapter pool: ${err.message}`));
      this.adapterFactory = createPostgresAdapter(pool, { cleanupInterval: 30_000 }) as ServerOptions['adapter'];
      this.closers.push(() => pool.end());
      this.logger.log('socket.io fan-out: PostgreSQL adapter');
    }
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
