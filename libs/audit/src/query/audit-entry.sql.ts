import { isoSql } from '@atrium/platform';

/**
 * SQL for one `audit_logs a` row as the API's entry: the field names of every reference document at once (`actor`,
 * `performed_by`, `user`, `changes`, `ip_address`, `timestamp`/`created_at`). Built in the statement, so the list, the
 * single entry and the NDJSON export answer the same shape without a per-row mapping in JavaScript.
 */
const ACTOR_TYPE = `CASE WHEN a.actor_api_key_id IS NOT NULL THEN 'api_key' WHEN a.actor_user_id IS NOT NULL THEN 'user' ELSE 'system' END`;

/** The keys whose value differs between `before` and `after`, as `{key: {from, to}}` (`{}` when nothing differs). */
const CHANGES = `(SELECT coalesce(jsonb_object_agg(k.key, jsonb_build_object('from', a.before -> k.key, 'to', a.after -> k.key)), '{}'::jsonb)
     FROM (SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(a.before) = 'object' THEN a.before ELSE '{}' END)
           UNION SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(a.after) = 'object' THEN a.after ELSE '{}' END)) k(key)
    WHERE (a.before -> k.key) IS DISTINCT FROM (a.after -> k.key))`;

export const AUDIT_ENTRY_JSON = `json_build_object(
    'id', a.id, 'action', a.action, 'resource_type', a.resource_type, 'resource_id', a.resource_id, 'target', a.target,
    'actor', json_build_object('type', ${ACTOR_TYPE}, 'user_id', a.actor_user_id, 'email', a.actor_email,
                               'api_key_id', a.actor_api_key_id, 'api_key_name', a.actor_api_key_name),
    'performed_by', CASE WHEN a.actor_api_key_id IS NOT NULL THEN coalesce(a.actor_api_key_name, a.actor_email) ELSE a.actor_email END,
    'user', CASE WHEN a.actor_user_id IS NULL THEN NULL
                 ELSE json_build_object('id', a.actor_user_id, 'email', a.actor_email, 'username', a.actor_email) END,
    'before', a.before, 'after', a.after, 'changes', ${CHANGES}, 'metadata', a.metadata,
    'ip_address', a.ip, 'user_agent', a.user_agent, 'request_id', a.request_id,
    'timestamp', ${isoSql('a.created_at')}, 'created_at', ${isoSql('a.created_at')})`;

/** One CSV cell (always quoted, RFC 4180), text that a spreadsheet would run as a formula prefixed with `'` (OWASP). */
export function csvCell(expr: string): string {
  return `CASE WHEN (${expr}) IS NULL THEN '' ELSE '"' || replace(
            CASE WHEN left(${expr}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || (${expr}) ELSE ${expr} END,
            '"', '""') || '"' END`;
}

/** The export's CSV columns: [header, SQL text expression over `a`]. */
export const CSV_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['id', 'a.id::text'],
  ['timestamp', isoSql('a.created_at')],
  ['action', 'a.action'],
  ['resource_type', 'a.resource_type'],
  ['resource_id', 'a.resource_id'],
  ['target', 'a.target'],
  ['actor_type', ACTOR_TYPE],
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

/** One CSV line (with its newline) for the row `a`. */
export const AUDIT_CSV_LINE = `${CSV_COLUMNS.map(([, expr]) => csvCell(expr)).join(` || ',' || `)} || E'\\r\\n'`;

/** The CSV header line. */
export const AUDIT_CSV_HEADER = `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;
