import type { DataSource } from 'typeorm';

interface PgPool {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs a hot, fixed statement on the DataSource's own pg pool as a named prepared statement: parsed and
 * planned once per connection, and without TypeORM's query-runner round (checkout, logging, broadcast)
 * around it. For the per-request lookups only; everything else goes through TypeORM as usual.
 */
export class PreparedQuery<Row> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
    private readonly text: string,
  ) {}

  async rows(values: unknown[]): Promise<Row[]> {
    const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
    if (!pool) return this.dataSource.query(this.text, values);
    const { rows } = await pool.query({ name: this.name, text: this.text, values });
    return rows as Row[];
  }
}
