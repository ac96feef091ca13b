import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoSql, type Page, pageOffset, type RequestContext, toPage } from '@atrium/platform';
import type { IntegrationHealthDto, IntegrationStatusDto } from './dto/health.dto.js';
import { joinUrl } from './health-monitor.js';

const PROBED = `p.deleted_at IS NULL AND p.base_url IS NOT NULL AND p.health_path IS NOT NULL`;

type HealthRow = {
  id: string;
  name: string;
  base_url: string;
  health_path: string;
  status: IntegrationHealthDto['status'] | null;
  response_time_ms: number | null;
  error_message: string | null;
  consecutive_failures: number | null;
  last_check: string | null;
  status_changed_at: string | null;
};

export type StatusRow = {
  name: string;
  health: IntegrationHealthDto['status'] | null;
  consecutive_failures: number | null;
  health_error: { error: string; at: string } | null;
  last_sync: string | null;
  dead_event: { error: string | null; at: string } | null;
  failed_event: { error: string | null; at: string } | null;
  failed_sync: { error: string | null; at: string } | null;
};

/**
 * Per live provider: its health, whether it has a `dead` event of the last 24 h and a `failed` one (each with its
 * newest error), the latest failed sync among the latest run of each type, and its last completed sync.
 */
const STATUS = `
  SELECT p.name, h.status AS health, h.consecutive_failures,
         CASE WHEN h.consecutive_failures > 0 THEN json_build_object('error', h.error_message, 'at', ${isoSql('h.last_check')}) END AS health_error,
         (SELECT ${isoSql('max(r.finished_at)')} FROM integration_sync_runs r WHERE r.provider_id = p.id AND r.status = 'completed') AS last_sync,
         (SELECT json_build_object('error', e.last_error, 'at', ${isoSql('coalesce(e.processed_at, e.created_at)')})
            FROM webhook_events e WHERE e.provider_id = p.id AND e.status = 'dead' AND e.created_at > now() - interval '24 hours'
           ORDER BY e.created_at DESC LIMIT 1) AS dead_event,
         (SELECT json_build_object('error', e.last_error, 'at', ${isoSql('e.created_at')})
            FROM webhook_events e WHERE e.provider_id = p.id AND e.status = 'failed' ORDER BY e.created_at DESC LIMIT 1) AS failed_event,
         (SELECT json_build_object('error', s.error, 'at', ${isoSql('s.finished_at')})
            FROM (SELECT DISTINCT ON (r.sync_type) r.status, r.error, r.finished_at FROM integration_sync_runs r
                   WHERE r.provider_id = p.id AND r.status IN ('completed', 'failed') ORDER BY r.sync_type, r.created_at DESC) s
           WHERE s.status = 'failed' ORDER BY s.finished_at DESC LIMIT 1) AS failed_sync
    FROM webhook_providers p LEFT JOIN integration_health h ON h.provider_id = p.id
   WHERE p.organization_id = $1 AND p.deleted_at IS NULL
   ORDER BY p.name`;

/** The newest error among the problems given (null when none has one). */
const newest = (...problems: Array<{ error: string | null; at: string } | null>): string | null =>
  problems.filter((p): p is { error: string; at: string } => p !== null && p.error !== null).sort((a, b) => b.at.localeCompare(a.at))[0]
    ?.error ?? null;

/** Derives a provider's OK / RETRYING / FAILED (see IntegrationStatusDto) and the error behind it. */
export function integrationStatus(r: StatusRow): IntegrationStatusDto {
  const health = r.health ?? 'unknown';
  const failing = r.health === 'down' || r.dead_event !== null || r.failed_sync !== null;
  const retrying = (r.consecutive_failures ?? 0) > 0 || r.failed_event !== null;
  const status = failing ? 'FAILED' : retrying ? 'RETRYING' : 'OK';
  const lastError =
    status === 'FAILED'
      ? newest(r.health === 'down' ? r.health_error : null, r.dead_event, r.failed_sync)
      : status === 'RETRYING'
        ? newest(r.health_error, r.failed_event)
        : null;
  return { status, lastSync: r.last_sync, lastError, health };
}

/** The organization's integration health list and status map. */
@Injectable()
export class IntegrationHealthReader {
  constructor(private readonly dataSource: DataSource) {}

  /** Providers with a health URL, by name, with their latest probe. */
  async list(ctx: RequestContext, q: { page: number; limit: number }): Promise<Page<IntegrationHealthDto>> {
    const org = ctx.requireOrganizationId();
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM webhook_providers p WHERE p.organization_id = $1 AND ${PROBED}`,
      [org],
    );
    const rows = await this.dataSource.query<HealthRow[]>(
      `SELECT p.id, p.name, p.base_url, p.health_path, h.status, h.response_time_ms, h.error_message, h.consecutive_failures,
              ${isoSql('h.last_check')} AS last_check, ${isoSql('h.status_changed_at')} AS status_changed_at
         FROM webhook_providers p LEFT JOIN integration_health h ON h.provider_id = p.id
        WHERE p.organization_id = $1 AND ${PROBED}
        ORDER BY p.name, p.id LIMIT $2 OFFSET $3`,
      [org, q.limit, pageOffset(q)],
    );
    return toPage(
      rows.map((r) => ({
        id: r.id,
        service: { id: r.id, name: r.name, health_url: joinUrl(r.base_url, r.health_path) },
        status: r.status ?? 'unknown',
        response_time: r.response_time_ms === null ? null : r.response_time_ms / 1000,
        last_check: r.last_check,
        error_message: r.error_message ?? '',
        consecutive_failures: r.consecutive_failures ?? 0,
        status_changed_at: r.status_changed_at,
      })),
      total,
      q,
    );
  }

  /** Every live provider of the organization, keyed by its name. */
  async status(ctx: RequestContext): Promise<Record<string, IntegrationStatusDto>> {
    const rows = await this.dataSource.query<StatusRow[]>(STATUS, [ctx.requireOrganizationId()]);
    return Object.fromEntries(rows.map((r) => [r.name, integrationStatus(r)]));
  }
}
