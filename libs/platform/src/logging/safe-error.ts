/**
 * What an unexpected error may put in a log: name, message, code and stack. Never the rest of its fields:
 * a failed query carries its SQL, its parameters and the driver's detail, which can hold secrets and personal data.
 */
export function safeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const { code, driverError } = e as Error & { code?: string; driverError?: { code?: string } };
  return { name: e.name, message: e.message, code: code ?? driverError?.code, stack: e.stack };
}
