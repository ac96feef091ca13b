/** The filters of a list or an export, aliases resolved and dates parsed. */
export interface AuditFilters {
  action?: string;
  userId?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
}

/** Where a keyset page starts: below this (created_at, seq). `createdAt` is PostgreSQL's text, microseconds kept. */
export interface AuditCursor {
  createdAt: string;
  seq: string;
}

/** What the query DTOs carry (after validation). */
export interface AuditFilterInput {
  action?: string;
  user_id?: string;
  user?: string;
  resource_type?: string;
  resource?: string;
  resource_id?: string;
  id?: string;
  from?: string;
  to?: string;
}

export function auditFilters(q: AuditFilterInput): AuditFilters {
  return {
    action: q.action,
    userId: q.user_id ?? q.user,
    resourceType: q.resource_type ?? q.resource,
    resourceId: q.resource_id ?? q.id,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}

// A timestamptz as PostgreSQL prints it (`2026-11-29 11:43:15.123456+00`), and a positive bigint.
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const SEQ = /^[1-9]\d{0,18}$/;

export function encodeCursor(c: AuditCursor): string {
  return Buffer.from(`${c.createdAt}|${c.seq}`).toString('base64url');
}

/** The cursor a `next_cursor` names, or undefined when the text is not one. */
export function decodeCursor(text: string): AuditCursor | undefined {
  if (text.length > 100 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const [createdAt, seq, ...rest] = Buffer.from(text, 'base64url').toString().split('|');
  if (rest.length || !PG_TIMESTAMP.test(createdAt ?? '') || !SEQ.test(seq ?? '')) return undefined;
  return { createdAt, seq };
}

/** A WHERE clause over `audit_logs a` for one organization: its SQL, its values, and a key naming its shape. */
export interface AuditWhere {
  sql: string;
  values: unknown[];
  shape: string;
}

const CONDITIONS: ReadonlyArray<readonly [keyof AuditFilters, string, string]> = [
  ['action', 'a', 'a.action = $?'],
  ['userId', 'u', 'a.actor_user_id = $?::uuid'],
  ['resourceType', 't', 'a.resource_type = $?'],
  ['resourceId', 'i', 'a.resource_id = $?'],
  ['from', 'f', 'a.created_at >= $?::timestamptz'],
  ['to', 'o', 'a.created_at <= $?::timestamptz'],
];

/**
 * The organization and every given filter, parameters numbered from $1; with a cursor, only entries below it in
 * the list's order (newest first: created_at DESC, seq DESC). Same filters → same text, so statements can be prepared
 * by `shape`.
 */
export function auditWhere(organizationId: string, filters: AuditFilters, cursor?: AuditCursor): AuditWhere {
  const values: unknown[] = [organizationId];
  const parts = ['a.organization_id = $1'];
  let shape = '';
  for (const [key, letter, condition] of CONDITIONS) {
    const value = filters[key];
    if (value === undefined) continue;
    values.push(value);
    parts.push(condition.replace('$?', `$${values.length}`));
    shape += letter;
  }
  if (cursor) {
    values.push(cursor.createdAt, cursor.seq);
    parts.push(`(a.created_at, a.seq) < ($${values.length - 1}::timestamptz, $${values.length}::bigint)`);
    shape += 'c';
  }
  return { sql: parts.join(' AND '), values, shape };
}
