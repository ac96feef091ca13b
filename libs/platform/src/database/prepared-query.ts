import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { tenantScopedPoolOptions } from './tenant-scope.js';

/**
 * The platform's own small pg pool for the hot, fixed statements (the per-request credential check, refresh
 * rotation, the member list). TypeORM exposes its pool only through undocumented driver internals, so these
 * statements get a pool of their own from the same database URL, through pg's documented API; it also keeps the
 * per-request lookups from queueing behind long transactions on TypeORM's pool. DatabaseModule provides it and
 * closes it on shutdown. It opens connections only when a statement first runs.
 */
export class StatementPool {
  private readonly logger = new Logger('Database');
  private readonly pool: pg.Pool;

  constructor(opts: { url: string; max: number; applicationName?: string }) {
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max,
      application_name: opts.applicationName ?? 'atrium',
      ...tenantScopedPoolOptions,
    });
    // An idle connection that breaks (database restart) is dropped by the pool; without a listener it would crash the process.
    this.pool.on('error', (err) => this.logger.warn(`prepared-statement pool: ${err.message}`));
  }

  /** Runs a named prepared statement and returns its rows (pg's `pool.query({ name, text, values })`). */
  async rows<Row>(name: string, text: string, values: unknown[]): Promise<Row[]> {
    // Not pool.query: it may run the statement from another caller's callback (a client handed over on release),
    // so in that caller's tenant scope. After this await the statement is issued in this caller's.
    const client = await this.pool.connect();
    try {
      const rows = await queryNamed<Row>(client, { name, text }, values);
      client.release();
      return rows;
    } catch (err) {
      // As pool.query does: a client whose statement failed is closed, not reused (its connection may be broken).
      client.release(err as Error);
      throw err;
    }
  }

  /** Closes every connection; further statements fail. */
  end(): Promise<void> {
    return this.pool.ended ? Promise.resolve() : this.pool.end();
  }
}

/**
 * One hot, fixed statement, run as a pg named prepared statement on the StatementPool: parsed and planned once
 * per connection, without TypeORM's query runner (checkout, logging, broadcast) around it. For the per-request
 * lookups only; everything else goes through TypeORM as usual.
 */
export class PreparedQuery<Row> {
  constructor(
    private readonly statements: StatementPool,
    private readonly name: string,
    private readonly text: string,
  ) {}

  rows(values: unknown[]): Promise<Row[]> {
    return this.statements.rows<Row>(this.name, this.text, values);
  }
}

/** A fixed statement with its name: parsed and planned once per connection when run as a pg named statement. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** A pg client as `queryNamed` uses it: pg's `query(submittable, callback)`, which its typings leave out. */
type PgClient = { query(query: pg.Query, callback: (err: Error | undefined, result: { rows: unknown[] }) => void): unknown };

/**
 * Runs `statement` as a named prepared statement on `client`. The pg Query is built from the statement's text and
 * named afterwards: given a config object, pg copies it with `Object.getOwnPropertyDescriptors` on every call (3.5 µs
 * of the ~400 µs a `GET /users/me` costs, measured), a text it takes as is. The callback form, not the promise, so a
 * TenantScopedClient sees the statement's failure and holds the statement back until its tenant scope is set (see
 * tenant-scope.ts). `test/platform/prepared-query.e2e-spec.ts` checks both, and that the statement is prepared under
 * its name.
 */
export function queryNamed<Row>(client: object, statement: NamedStatement, values: unknown[]): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const query = new pg.Query(statement.text, values) as pg.Query & { name?: string };
    query.name = statement.name;
    (client as PgClient).query(query, (err, result) => {
      if (!err) return resolve(result.rows as Row[]);
      // As pg's promise form does: the stack leads back to the caller, not to the socket read that delivered the error.
      Error.captureStackTrace(err);
      reject(err);
    });
  });
}

/**
 * Runs `statement` as a named prepared statement on the connection of `queryRunner`, so inside its transaction:
 * for hot writes that must commit with the caller's change (the outbox, the audit trail). Without a query runner
 * (a manager outside any transaction) it runs through TypeORM unnamed, in its own implicit transaction.
 */
export async function runPreparedIn<Row>(
  queryRunner: QueryRunner | undefined,
  fallback: { query(text: string, values: unknown[]): Promise<unknown> },
  statement: NamedStatement,
  values: unknown[],
): Promise<Row[]> {
  if (!queryRunner) return (await fallback.query(statement.text, values)) as Row[];
  return queryNamed<Row>((await queryRunner.connect()) as object, statement, values);
}
