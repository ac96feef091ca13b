import { createServer, type Server, Socket as NetSocket } from 'node:net';
import pg from 'pg';
import { HttpClient, type HttpResponse, type RequestOptions } from '../../support/http-client.js';

/**
 * A client that comes from a different address on every request (X-Forwarded-For, with the deployment's TRUST_PROXY
 * trusting the loopback): setting things up never spends the per-address sign-in budget a scenario measures.
 */
export class SpreadClient extends HttpClient {
  private n = 0;

  override request<T = any>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    this.n += 1;
    const ip = `10.${(process.pid >> 8) & 255}.${(this.n >> 8) & 255}.${this.n & 255}`;
    return super.request<T>(method, path, body, { ...opts, headers: { 'x-forwarded-for': ip, ...opts.headers } });
  }
}

/** A spreading client for an api process. */
export const spread = (url: string) => new SpreadClient(`${url}/api/v1`);

/** Plain SQL on the deployment's database, for what a test checks (never for what it exercises). */
export class Sql {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 3 });
    // A restart of the server under test ends idle connections; the pool makes new ones.
    this.pool.on('error', () => undefined);
  }

  async rows<T = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.rows<{ n: string | number }>(sql, params);
    return Number(row.n);
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/** Polls `probe` until it answers something other than undefined; fails naming `what` after `ms`. */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A TCP load balancer in front of api processes: each connection goes to the first backend that accepts it, so when
 * one process dies its clients' reconnections land on the next.
 */
export async function startBalancer(ports: number[]): Promise<{ url: string; close(): Promise<void> }> {
  const open = new Set<NetSocket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.pause();
    const tryBackend = (i: number) => {
      if (i >= ports.length) return client.destroy();
      const upstream = new NetSocket();
      upstream.once('error', () => {
        upstream.destroy();
        tryBackend(i + 1);
      });
      upstream.connect(ports[i], '127.0.0.1', () => {
        upstream.removeAllListeners('error');
        open.add(upstream);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
