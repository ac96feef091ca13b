/** True when the error is PostgreSQL's unique violation, optionally on a named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e?.driverError?.code ?? e?.code;
  if (code !== '23505') return false;
  return !constraint || (e.driverError?.constraint ?? e.constraint) === constraint;
}
