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

/** The export's CSV columns: [header, SQL text expression over `a`] (json as its text, so it is never parsed). */
const CSV_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['id', 'a.id::text'],
  ['timestamp', isoSql('a.created_at')],
  ['action', 'a.action'],
  ['resource_type', 'a.resource_type'],
  ['resource_id', 'a.resource_id'],
  ['target', 'a.target'],
  ['actor_type', `CASE WHEN a.actor_api_key_id IS NOT NULL THEN 'api_key' WHEN a.actor_user_id IS NOT NULL THEN 'user' ELSE 'system' END`],
  ['actor_user_id', 'a.actor_user_id::text'],
  ['actor_email', 'a.actor_email'],
  ['actor_api_key_id', 'a.actor_api_key_id::text'],
  ['actor_api_key_name', 'a.actor_api_key_name'],
  ['ip_address', 'a.ip'],
  ['user_agent', 'a.user_agent'],
  ['request_id', 'a.request_id'],
  ['before', 'a.before::text'],
  ['after', 'a.after::text'],
  ['metadata', 'a.metadata::text'],
];

/** The SELECT list of the CSV export: one text column per CSV column, named c0, c1, … */
export const AUDIT_CSV_SELECT = CSV_COLUMNS.map(([, expr], i) => `${expr} AS c${i}`).join(', ');

/** The CSV header line. */
export const AUDIT_CSV_HEADER = `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;

/** Text a spreadsheet would run as a formula (OWASP: `=`, `+`, `-`, `@`, tab, carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell (RFC 4180): formula-like text prefixed with `'` (OWASP), quoted when it holds `"`, `,` or a line break. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (with its CRLF) of a row of AUDIT_CSV_SELECT. */
export function csvLine(row: Record<string, string | null>): string {
  let line = csvCell(row.c0);
  for (let i = 1; i < CSV_COLUMNS.length; i++) line += `,${csvCell(row[`c${i}`])}`;
  return `${line}\r\n`;
}
