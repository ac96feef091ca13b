const SECRET_KEY = /pass(word)?|token|secret|hash|otp|mfa_?code|backup_?codes?|api_?key|^key$|private|credential/i;

/** A deep copy with every secret-looking field replaced, safe to keep in the audit trail. */
export function sanitizeForAudit(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined || depth > 6) return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => sanitizeForAudit(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? '[redacted]' : sanitizeForAudit(v, depth + 1);
    }
    return out;
  }
  return value;
}
