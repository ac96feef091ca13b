/** True when the error is PostgreSQL's unique violation, optionally on a named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e?.driverError?.code ?? e?.code;
  if (code !== '23505') return false;
  return !constraint || (e.driverError?.constraint ?? e.constraint) === constraint;
}

/** Node socket errors that mean the database server cannot be reached. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** TypeORM's errors for a query runner it released when its connection broke (a statement or the COMMIT after it). */
const RELEASED = new Set(['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError']);
/** What pg says when a connection ends under it (no code of its own). */
const LOST = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed)/;

/**
 * True when the error says the database is down or restarting, not that a statement was wrong: a lost or refused
 * connection (also a transaction whose connection TypeORM released when it broke), or PostgreSQL's classes 08
 * (connection exception) and 57P (shutting down, starting up). Looks through TypeORM's `driverError` and an
 * error's `cause`.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  type Failure = { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown };
  for (let e = err as Failure | undefined, depth = 0; e && depth < 4; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE.has(code) || code.startsWith('08') || code.startsWith('57P')) return true;
    if (typeof e.message === 'string' && LOST.test(e.message)) return true;
    if (typeof e.name === 'string' && RELEASED.has(e.name)) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}
