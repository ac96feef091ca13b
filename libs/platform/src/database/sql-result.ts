/**
 * Rows of an `INSERT/UPDATE/DELETE … RETURNING` run through `query()`: TypeORM's postgres driver
 * answers `[rows, affected]` for those, and plain rows for a SELECT.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** SQL writing a timestamptz as `Date#toISOString()` does (UTC, milliseconds, `Z`), whatever the session's time zone. */
export const isoSql = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
