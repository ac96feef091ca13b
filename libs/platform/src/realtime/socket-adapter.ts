import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import pg from 'pg';
import { createClient } from 'redis';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import { withTenant } from '../database/tenant-scope.js';
import { socketContext } from './ws-ctx.decorator.js';
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
  private closing = false;

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
      this.adapterFactory = createRedisAdapter(pub, sub, { key: this.channel() }) as ServerOptions['adapter'];
      this.closers.push(
        () => pub.quit(),
        () => sub.quit(),
      );
      this.logger.log('socket.io fan-out: Redis adapter');
    } else {
      const pool = new pg.Pool({ connectionString: this.config.database.url, max: 2 });
      pool.on('error', (err) => this.logger.warn(`postgres adapter pool: ${err.message}`));
      const listener = listenerPool(
        pool,
        () => this.closing,
        (err) => this.logger.warn(`postgres adapter listener: ${err.message}`),
      );
      this.adapterFactory = createPostgresAdapter(listener.pool, {
        cleanupInterval: 30_000,
        channelPrefix: this.channel(),
      }) as ServerOptions['adapter'];
      this.closers.push(() => listener.end());
      this.logger.log('socket.io fan-out: PostgreSQL adapter');
    }
  }

  /**
   * The deployment's fan-out channel (QUEUE_PREFIX, its namespace): deployments sharing a Redis or a database never
   * hear each other's broadcasts, and a cross-instance question (fetchSockets) waits only for this deployment's
   * instances, not for every socket.io server on the same Redis.
   */
  private channel(): string {
    return `socket.io#${this.config.queue.prefix}`;
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.config.http.corsOrigins;
    const server = super.createIOServer(port, {
      ...options,
      cors: corsOptions(origins),
      maxHttpBufferSize: this.config.http.socketMaxPayloadBytes,
      // CORS headers do not stop a WebSocket: a browser page on any site may open one to us. With an allowlist, a
      // handshake whose Origin is not in it is refused (clients outside browsers send no Origin and are let in).
      allowRequest: origins === '*' ? undefined : originAllowed(new Set(origins)),
      adapter: this.adapterFactory,
    } as ServerOptions);
    return server;
  }

  /*
   * Row-level security: whatever a socket's connection, disconnection and messages run reads and writes the rows of
   * the organization its handshake authenticated (tenant-scope.ts), in every gateway.
   */
  override bindClientConnect(server: Server, callback: (socket: Socket) => unknown): void {
    super.bindClientConnect(server, (socket: Socket) => withTenant(socketContext(socket)?.organizationId, () => callback(socket)));
  }

  override bindClientDisconnect(client: Socket, callback: (reason: unknown) => unknown): void {
    super.bindClientDisconnect(client, (reason: unknown) => withTenant(socketContext(client)?.organizationId, () => callback(reason)));
  }

  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const organizationId = socketContext(socket)?.organizationId;
    const scoped = handlers.map((h): MessageMappingProperties => ({
      ...h,
      callback: (...args: unknown[]) =>
        withTenant(organizationId, () => (h.callback as (...a: unknown[]) => ReturnType<typeof h.callback>)(...args)),
    }));
    super.bindMessageHandlers(socket, scoped, transform);
  }

  override async close(server: Server): Promise<void> {
    this.closing = true;
    await super.close(server);
    const closers = this.closers.splice(0);
    await Promise.allSettled(closers.map((c) => c()));
  }
}

/** socket.io's `allowRequest`: a handshake without an Origin header, or with one in `allowed`. */
function originAllowed(allowed: ReadonlySet<string>): NonNullable<ServerOptions['allowRequest']> {
  return (req, callback) => {
    const origin = req.headers.origin;
    callback(origin === undefined || allowed.has(origin) ? null : 'origin not allowed', origin === undefined || allowed.has(origin));
  };
}

/**
 * The pool as the PostgreSQL adapter sees it. The adapter takes its LISTEN connection in the background and
 * releases it on close only if it holds it by then; one that arrives later (an app closed while its first
 * connection is still on the way, or during a reconnection) stayed checked out, so `pool.end()` waited forever.
 * Once `closing()` is true a connection that arrives goes straight back and the adapter's wait never ends (so
 * it schedules no reconnection); `end()` drops whatever the adapter still holds before ending the pool.
 */
function listenerPool(pool: pg.Pool, closing: () => boolean, warn: (err: Error) => void): { pool: pg.Pool; end: () => Promise<void> } {
  const held = new Set<pg.PoolClient>();
  const never = () => new Promise<never>(() => undefined);
  const facade = {
    query: pool.query.bind(pool),
    async connect(): Promise<pg.PoolClient> {
      if (closing()) return never();
      const client = await pool.connect();
      if (closing()) {
        client.release(true);
        return never();
      }
      held.add(client);
      const release = client.release.bind(client);
      client.release = (err?: Error | boolean) => {
        held.delete(client);
        release(err);
      };
      // The adapter keeps this client for LISTEN and listens only for 'end' (then reconnects): without an 'error'
      // listener a database restart's "terminating connection" would crash the process. A broken client goes back
      // to the pool as broken, so it does not hold one of the pool's two slots for good.
      client.on('error', warn);
      client.once('end', () => {
        if (held.has(client)) client.release(true);
      });
      return client;
    },
  };
  return {
    pool: facade as unknown as pg.Pool,
    end: async () => {
      for (const client of held) {
        client.removeAllListeners('end');
        client.release(true);
      }
      await pool.end();
    },
  };
}
