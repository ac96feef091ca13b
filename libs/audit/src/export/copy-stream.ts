import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';

/**
 * `COPY (select) TO STDOUT (…)` as a stream: PostgreSQL writes the file and the app forwards its bytes, reading the
 * connection only as fast as the client takes them (back-pressure). `select` has `$n` placeholders for `values` (COPY
 * takes no parameters: they are inlined with pg's escapeLiteral). When the returned stream is destroyed before the end
 * (a client that went away), the COPY is cancelled on the server, what was in flight is read and dropped, and the
 * connection goes back to the pool. The stream emits 'close' only once the connection is back, either way.
 */
export async function openCopyStream(
  dataSource: DataSource,
  select: { text: string; values: unknown[] },
  options: string,
): Promise<Readable> {
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as pg.PoolClient;
  let pid: number;
  try {
    pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  } catch (err) {
    await runner.release();
    throw err;
  }
  const literal = (v: unknown) => client.escapeLiteral(v instanceof Date ? v.toISOString() : String(v));
  const sql = select.text.replace(/\$(\d+)/g, (_, n: string) => literal(select.values[Number(n) - 1]));
  const copy = client.query(copyTo(`COPY (${sql}) TO STDOUT (${options})`));
  let ended = false;
  copy.once('end', () => (ended = true));
  // 'close' comes once the connection is back in the pool, whether the file was read to its end or abandoned.
  const out = new PassThrough({
    highWaterMark: 256 * 1024,
    destroy(err, callback) {
      void (async () => {
        if (!ended) {
          copy.unpipe(out);
          copy.resume();
          await dataSource.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
        }
        await finished(copy).catch(() => undefined);
        await runner.release();
      })().then(
        () => callback(err),
        (releaseErr: Error) => callback(err ?? releaseErr),
      );
    },
  });
  copy.once('error', (err) => out.destroy(err));
  copy.pipe(out);
  return out;
}
