import { Readable } from 'node:stream';
import type { DataSource, QueryRunner } from 'typeorm';

/** Rows per FETCH: large enough that the round trip disappears in the row work, small enough to stay a few MB. */
export const EXPORT_BATCH = 2000;

/**
 * A server-side cursor read as a stream of text: `DECLARE` in a read-only repeatable-read transaction (one consistent
 * snapshot however long the download), then one `FETCH` per `_read`, so a slow client stops the reading (back-pressure)
 * and memory stays at one batch; `line` turns each row into its text. Ending or destroying the stream (a client that
 * goes away) ends the transaction and gives the connection back to the pool; 'close' comes once it is back.
 */
export class CursorTextStream<Row> extends Readable {
  private runner?: QueryRunner;
  private fetching?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly select: { text: string; values: unknown[] },
    private readonly line: (row: Row) => string,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  /** Opens the cursor; a failure here is thrown before anything is sent, so it still answers as an error. */
  async open(): Promise<this> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    this.runner = runner;
    try {
      await runner.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await runner.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${this.select.text}`, this.select.values);
    } catch (err) {
      await this.release(false);
      throw err;
    }
    return this;
  }

  override _read(): void {
    if (!this.runner || this.fetching) return;
    const fetching = this.runner.query(`FETCH ${EXPORT_BATCH} FROM export_cursor`) as Promise<Row[]>;
    this.fetching = fetching;
    fetching.then(
      async (rows) => {
        this.fetching = undefined;
        if (this.destroyed) return;
        if (rows.length) {
          let text = '';
          for (const row of rows) text += this.line(row);
          this.push(text);
          return;
        }
        await this.release(true);
        this.push(null);
      },
      (err: Error) => {
        this.fetching = undefined;
        this.destroy(err);
      },
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // A FETCH still running finishes first: the connection takes one command at a time.
    Promise.resolve(this.fetching)
      .catch(() => undefined)
      .then(() => this.release(false))
      .then(
        () => callback(err),
        (releaseErr: Error) => callback(err ?? releaseErr),
      );
  }

  private async release(commit: boolean): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    this.runner = undefined;
    try {
      await runner.query(commit ? 'COMMIT' : 'ROLLBACK');
    } finally {
      await runner.release();
    }
  }
}
