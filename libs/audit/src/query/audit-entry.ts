import { isoSql } from '@atrium/platform';
import type { AuditChangeDto, AuditLogDto } from './dto/audit-entry.dto.js';

/** The columns of an `audit_logs a` row an entry is made of (jsonb parsed by pg, the time as the house's ISO text). */
export const AUDIT_ENTRY_COLUMNS = `a.id, a.action, a.resource_type, a.resource_id, a.target, a.actor_user_id, a.actor_email,
  a.actor_api_key_id, a.actor_api_key_name, a.before, a.after, a.metadata, a.ip, a.user_agent, a.request_id,
  ${isoSql('a.created_at')} AS created_at`;

type Json = Record<string, unknown>;

/** One row of AUDIT_ENTRY_COLUMNS. */
export interface AuditEntryRow {
  id: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  target: string | null;
  actor_user_id: string | null;
  actor_email: string | null;
  actor_api_key_id: string | null;
  actor_api_key_name: string | null;
  before: Json | null;
  after: Json | null;
  metadata: Json;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The keys whose value differs between `before` and `after`, as `{key: {from, to}}` (an absent key reads as null).
 * Both come from jsonb, which prints object keys in one canonical order, so equal values serialize alike.
 */
export function auditChanges(before: unknown, after: unknown): Record<string, AuditChangeDto> {
  const from = isObject(before) ? before : {};
  const to = isObject(after) ? after : {};
  const changes: Record<string, AuditChangeDto> = {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const a = from[key] ?? null;
    const b = to[key] ?? null;
    if (a !== b && JSON.stringify(a) !== JSON.stringify(b)) changes[key] = { from: a, to: b };
  }
  return changes;
}

const actorType = (r: { actor_api_key_id: string | null; actor_user_id: string | null }) =>
  r.actor_api_key_id ? ('api_key' as const) : r.actor_user_id ? ('user' as const) : ('system' as const);

/**
 * A row as the API's entry, with the field names of every reference document at once (`actor`, `performed_by`,
 * `user`, `changes`, `ip_address`, `timestamp`/`created_at`): the list, the single entry and the NDJSON export all
 * answer it.
 */
export function auditEntry(r: AuditEntryRow): AuditLogDto {
  return {
    id: r.id,
    action: r.action,
    resource_type: r.resource_type,
    resource_id: r.resource_id,
    target: r.target,
    actor: {
      type: actorType(r),
      user_id: r.actor_user_id,
      email: r.actor_email,
      api_key_id: r.actor_api_key_id,
      api_key_name: r.actor_api_key_name,
    },
    performed_by: r.actor_api_key_id ? (r.actor_api_key_name ?? r.actor_email) : r.actor_email,
    user: r.actor_user_id ? { id: r.actor_user_id, email: r.actor_email, username: r.actor_email } : null,
    before: r.before,
    after: r.after,
    changes: auditChanges(r.before, r.after),
    metadata: r.metadata,
    ip_address: r.ip,
    user_agent: r.user_agent,
    request_id: r.request_id,
    timestamp: r.created_at,
    created_at: r.created_at,
  };
}

/** A text column guarded against formula injection: text starting with `=`, `+`, `-`, `@`, tab or CR gets a `'` (OWASP). */
const safe = (expr: string) => `CASE WHEN left(${expr}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${expr} ELSE ${expr} END`;

/** A jsonb column as its text; only a negative number can start with a formula sign (objects, strings… cannot). */
const safeJson = (col: string) =>
  `CASE WHEN jsonb_typeof(${col}) = 'number' AND ${col}::text LIKE '-%' THEN '''' || ${col}::text ELSE ${col}::text END`;

/**
 * The export's CSV columns, as the SELECT list of `COPY (…) TO STDOUT (FORMAT csv, HEADER)`: PostgreSQL quotes the
 * cells and names the header after the aliases. Ids, times and the actor type come in a fixed alphabet; every other
 * text is guarded.
 */
export const AUDIT_CSV_SELECT = [
  'a.id AS id',
  `${isoSql('a.created_at')} AS "timestamp"`,
  `${safe('a.action')} AS action`,
  `${safe('a.resource_type')} AS resource_type`,
  `${safe('a.resource_id')} AS resource_id`,
  `${safe('a.target')} AS target`,
  `CASE WHEN a.actor_api_key_id IS NOT NULL THEN 'api_key' WHEN a.actor_user_id IS NOT NULL THEN 'user' ELSE 'system' END AS actor_type`,
  'a.actor_user_id AS actor_user_id',
  `${safe('a.actor_email')} AS actor_email`,
  'a.actor_api_key_id AS actor_api_key_id',
  `${safe('a.actor_api_key_name')} AS actor_api_key_name`,
  `${safe('a.ip')} AS ip_address`,
  `${safe('a.user_agent')} AS user_agent`,
  `${safe('a.request_id')} AS request_id`,
  `${safeJson('a.before')} AS before`,
  `${safeJson('a.after')} AS after`,
  `${safeJson('a.metadata')} AS metadata`,
].join(', ');
