const SECRET_KEY = /pass(word)?|token|secret|hash|otp|mfa_?code|backup_?codes?|api_?key|^key$|private|credential/i;

/** Objects nested deeper than this are replaced by a marker (audited records are flat; this also ends cycles). */
const MAX_DEPTH = 6;

/** A deep copy with every secret-looking field replaced, safe to keep in the audit trail. */
export function sanitizeForAudit(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return value;
  // Too deep to walk: dropped, never kept unredacted.
  if (depth > MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => sanitizeForAudit(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : sanitizeForAudit(v, depth + 1);
  }
  return out;
}
