import { PreparedQuery, type StatementPool } from '@atrium/platform';

/**
 * A per-request credential check (session or API key) answers two columns: its checks as one JSON object (`checks`,
 * built with `json_build_object`) and the account's profile as JSON text (`profile`, PROFILE_JSON, parsed only by
 * requests that show it). Not a column per check: pg describes, names and converts every column of every row it
 * reads, and with thirteen that cost more than the request's own JSON (the row description alone was ~4.6 % of the
 * app's CPU on `GET /users/me`, measured with perf), where one `JSON.parse` of the object costs about a microsecond.
 */
export class CredentialQuery<Checks> {
  private readonly statement: PreparedQuery<{ checks: string; profile: string }>;

  constructor(statements: StatementPool, name: string, text: string) {
    this.statement = new PreparedQuery(statements, name, text);
  }

  async find(values: unknown[]): Promise<(Checks & { profile: string }) | undefined> {
    const [row] = await this.statement.rows(values);
    if (!row) return undefined;
    const checks = JSON.parse(row.checks) as Checks & { profile: string };
    checks.profile = row.profile;
    return checks;
  }
}
