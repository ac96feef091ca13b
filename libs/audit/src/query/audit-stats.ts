import { Injectable } from '@nestjs/common';
import { type RequestContext, StatementPool } from '@atrium/platform';
import type { AuditStatsDto, ViewableUserDto } from './dto/audit-entry.dto.js';
import type { AuditRangeQueryDto } from './dto/audit-query.dto.js';

/** Without `from`, stats cover this many days up to `to`. */
export const DEFAULT_STATS_DAYS = 30;

const DAY = `(a.created_at AT TIME ZONE 'UTC')::date`;

/** One pass over the range: counts per action, per actor, per UTC day, and the total (grouping sets). */
const STATS = `
  SELECT a.action, a.actor_user_id, a.actor_api_key_id, to_char(${DAY}, 'YYYY-MM-DD') AS day,
         GROUPING(a.action) AS g_action, GROUPING(a.actor_user_id, a.actor_api_key_id) AS g_actor, GROUPING(${DAY}) AS g_day,
         max(a.actor_email) AS email, max(a.actor_api_key_name) AS api_key_name, count(*)::int AS count
    FROM audit_logs a
   WHERE a.organization_id = $1 AND a.created_at >= $2 AND a.created_at <= $3
   GROUP BY GROUPING SETS ((a.action), (a.actor_user_id, a.actor_api_key_id), (${DAY}), ())`;

type StatsRow = {
  action: string | null;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  day: string | null;
  g_action: number;
  g_actor: number;
  g_day: number;
  email: string | null;
  api_key_name: string | null;
  count: number;
};

/**
 * Every account that acted in the organization, found by skipping through the (organization, actor) index one actor
 * at a time (a loose index scan: as many probes as actors, not a pass over the organization's entries), with the
 * account's current email and name, else the last email the trail recorded for it.
 */
const VIEWABLE_USERS = `
  WITH RECURSIVE actors(id) AS (
    SELECT (SELECT a.actor_user_id FROM audit_logs a WHERE a.organization_id = $1 AND a.actor_user_id IS NOT NULL
             ORDER BY a.actor_user_id LIMIT 1)
    UNION ALL
    SELECT (SELECT a.actor_user_id FROM audit_logs a WHERE a.organization_id = $1 AND a.actor_user_id > actors.id
             ORDER BY a.actor_user_id LIMIT 1)
      FROM actors WHERE actors.id IS NOT NULL)
  SELECT x.id,
         coalesce(u.email, (SELECT a.actor_email FROM audit_logs a
                             WHERE a.organization_id = $1 AND a.actor_user_id = x.id AND a.actor_email IS NOT NULL
                             ORDER BY a.created_at DESC, a.seq DESC LIMIT 1)) AS email,
         nullif(concat_ws(' ', u.first_name, u.last_name), '') AS name,
         coalesce(m.status = 'active', false) AS is_member
    FROM actors x
    LEFT JOIN users u ON u.id = x.id
    LEFT JOIN memberships m ON m.organization_id = $1 AND m.user_id = x.id
   WHERE x.id IS NOT NULL
   ORDER BY email NULLS LAST, x.id`;

/** Counts and actors of the current organization's audit trail. */
@Injectable()
export class AuditStats {
  constructor(private readonly statements: StatementPool) {}

  async stats(ctx: RequestContext, query: AuditRangeQueryDto): Promise<AuditStatsDto> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_STATS_DAYS * 86_400_000);
    const rows = await this.statements.rows<StatsRow>('audit_stats', STATS, [ctx.requireOrganizationId(), from, to]);
    const byCount = <T extends { count: number }>(list: T[]) => list.sort((x, y) => y.count - x.count);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      total: rows.find((r) => r.g_action && r.g_actor && r.g_day)?.count ?? 0,
      by_action: byCount(rows.filter((r) => !r.g_action).map((r) => ({ action: r.action!, count: r.count }))),
      by_actor: byCount(
        rows
          .filter((r) => !r.g_actor)
          .map((r) => ({
            type: r.actor_api_key_id ? ('api_key' as const) : r.actor_user_id ? ('user' as const) : ('system' as const),
            user_id: r.actor_user_id,
            email: r.email,
            api_key_id: r.actor_api_key_id,
            api_key_name: r.api_key_name,
            count: r.count,
          })),
      ),
      by_day: rows
        .filter((r) => !r.g_day)
        .map((r) => ({ day: r.day!, count: r.count }))
        .sort((x, y) => x.day.localeCompare(y.day)),
    };
  }

  viewableUsers(ctx: RequestContext): Promise<ViewableUserDto[]> {
    return this.statements.rows<ViewableUserDto>('audit_viewable_users', VIEWABLE_USERS, [ctx.requireOrganizationId()]);
  }
}
