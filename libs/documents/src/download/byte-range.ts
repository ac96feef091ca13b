import type { ByteRange } from '@atrium/platform';

/**
 * The one range of a `Range` header (RFC 9110 §14) over a body of `size` bytes: a range, `null` to send the whole body
 * (no header, a unit other than bytes, several ranges, or a header we cannot read: a server may ignore those), or
 * `'unsatisfiable'` (416) when it starts past the end.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (!m[1] && !m[2])) return null;
  if (!m[1]) {
    // `bytes=-N`: the last N bytes.
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : size - 1;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return null;
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end: Math.min(end, size - 1) };
}
