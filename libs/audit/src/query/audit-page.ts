import { AUDIT_ENTRY_COLUMNS, auditEntry, type AuditEntryRow } from './audit-entry.js';
import { type AuditCursor, type AuditFilters, auditWhere, encodeCursor } from './audit-filters.js';
import type { AuditLogDto, AuditPageDto } from './dto/audit-entry.dto.js';

/** Numbered pages count matching entries up to this many and reach no deeper (an offset costs every row it skips). */
export const AUDIT_COUNT_CAP = 10_000;

/** A named statement: the same text for every query of one filter shape, so pg prepares it once per connection. */
export interface AuditStatement {
  name: string;
  text: string;
  values: unknown[];
}

/** A row of a page: an entry's columns (null past the last entry), the page's count, and the entry's keyset position. */
export type AuditPageRow = AuditEntryRow & { total?: number; k_t: string | null; k_s: string | null };

const ORDER = 'ORDER BY a.created_at DESC, a.seq DESC';
const ROW = `${AUDIT_ENTRY_COLUMNS}, a.created_at AS k, a.created_at::text AS k_t, a.seq::text AS k_s`;

/**
 * One numbered page, newest first, fetching one entry more than `limit` to know whether a next page exists, with the
 * count of matching entries capped at AUDIT_COUNT_CAP + 1 (an index range of at most that many rows, not the whole
 * organization's history).
 */
export function auditPageStatement(organizationId: string, filters: AuditFilters, page: { page: number; limit: number }): AuditStatement {
  const w = auditWhere(organizationId, filters);
  const n = w.values.length;
  return {
    name: `audit_page_${w.shape}`,
    text: `
      SELECT c.total, p.*
        FROM (SELECT count(*)::int AS total FROM (SELECT 1 FROM audit_logs a WHERE ${w.sql} LIMIT ${AUDIT_COUNT_CAP + 1}) x) c
        LEFT JOIN LATERAL (SELECT ${ROW} FROM audit_logs a WHERE ${w.sql} ${ORDER} LIMIT $${n + 1} OFFSET $${n + 2}) p ON true
       ORDER BY p.k DESC, p.k_s::bigint DESC`,
    values: [...w.values, page.limit + 1, (page.page - 1) * page.limit],
  };
}

/** One keyset page below `cursor`: an index range of `limit + 1` rows however deep it is. */
export function auditCursorStatement(organizationId: string, filters: AuditFilters, cursor: AuditCursor, limit: number): AuditStatement {
  const w = auditWhere(organizationId, filters, cursor);
  return {
    name: `audit_cursor_${w.shape}`,
    text: `SELECT ${ROW} FROM audit_logs a WHERE ${w.sql} ${ORDER} LIMIT $${w.values.length + 1}`,
    values: [...w.values, limit + 1],
  };
}

/** The entries of a page and the cursor after its last one (null when no entry follows). */
function entries(rows: AuditPageRow[], limit: number): { data: AuditLogDto[]; next_cursor: string | null } {
  const found = rows.filter((r): r is AuditPageRow & { k_t: string; k_s: string } => r.id !== null);
  const last = found[limit - 1];
  return {
    data: found.slice(0, limit).map(auditEntry),
    next_cursor: found.length > limit ? encodeCursor({ createdAt: last.k_t, seq: last.k_s }) : null,
  };
}

/** The answer to an auditPageStatement. */
export function auditPage(rows: AuditPageRow[], query: { page: number; limit: number }): Required<AuditPageDto> {
  const counted = rows[0]?.total ?? 0;
  const total = Math.min(counted, AUDIT_COUNT_CAP);
  const { data, next_cursor } = entries(rows, query.limit);
  return {
    data,
    total,
    page: query.page,
    limit: query.limit,
    totalPages: Math.ceil(total / query.limit),
    total_exact: counted <= AUDIT_COUNT_CAP,
    next_cursor,
  };
}

/** The answer to an auditCursorStatement. */
export function auditCursorPage(rows: AuditPageRow[], limit: number): AuditPageDto {
  return { ...entries(rows, limit), limit };
}
