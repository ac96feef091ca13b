import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoSql, isUuid, type Page, pageOffset, PlatformError, type RequestContext, toPage } from '@atrium/platform';
import { IntegrationsError } from '../integrations.errors.js';
import type { WebhookAttemptDto, WebhookEventDetailDto, WebhookEventDto, WebhookEventQueryDto } from './dto/webhook-event.dto.js';

const COLUMNS = `
  e.id, e.body, e.headers, e.external_id, e.event_type, e.status, e.retry_count, e.last_error,
  ${isoSql('e.created_at')} AS created_at, ${isoSql('e.processed_at')} AS processed_at,
  ${isoSql('e.next_attempt_at')} AS next_attempt_at, p.id AS provider_id, p.name AS provider_name, p.base_url AS provider_base_url, p.deleted_at IS NOT NULL AS provider_deleted`;

type EventRow = {
  id: string;
  body: Buffer;
  headers: Record<string, string | string[]>;
  external_id: string;
  event_type: string | null;
  status: WebhookEventDto['status'];
  retry_count: number;
  last_error: string | null;
  created_at: string;
  processed_at: string | null;
  next_attempt_at: string | null;
  provider_id: string;
  provider_name: string;
  provider_base_url: string | null;
  provider_deleted: boolean;
};

/** The attempts of event `e`, oldest first, as a JSON array. */
const ATTEMPTS = `(SELECT coalesce(json_agg(json_build_object('attempt', a.attempt, 'started_at', ${isoSql('a.started_at')},
                    'duration_ms', a.duration_ms, 'outcome', a.outcome, 'error', a.error) ORDER BY a.attempt), '[]')
                    FROM webhook_event_attempts a WHERE a.event_id = e.id AND a.organization_id = e.organization_id)`;

/** The body as JSON when it is JSON, else as text. */
function payloadOf(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const toDto = (r: EventRow): WebhookEventDto => ({
  id: r.id,
  service: { id: r.provider_id, name: r.provider_name, base_url: r.provider_base_url, deleted: r.provider_deleted },
  external_id: r.external_id,
  event_type: r.event_type,
  payload: payloadOf(r.body),
  status: r.status,
  retry_count: r.retry_count,
  last_error: r.last_error,
  created_at: r.created_at,
  processed_at: r.processed_at,
  next_attempt_at: r.next_attempt_at,
});

/** The organization's webhook event log: filtered pages, newest first, and one event with its attempts. */
@Injectable()
export class WebhookEventReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(ctx: RequestContext, q: WebhookEventQueryDto): Promise<Page<WebhookEventDto>> {
    if (q.from && q.to && new Date(q.from) >= new Date(q.to)) {
      throw PlatformError.validation_failed('from must be before to', [{ field: 'from', problems: ['from must be before to'] }]);
    }
    const params: unknown[] = [ctx.requireOrganizationId()];
    const where = ['e.organization_id = $1'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    const provider = q.provider?.toLowerCase();
    if (provider) add((n) => (isUuid(provider) ? `e.provider_id = ${n}::uuid` : `p.name = ${n}`), provider);
    if (q.status) add((n) => `e.status = ${n}`, q.status);
    if (q.type) add((n) => `e.event_type = ${n}`, q.type);
    if (q.from) add((n) => `e.created_at >= ${n}::timestamptz`, q.from);
    if (q.to) add((n) => `e.created_at < ${n}::timestamptz`, q.to);
    const from = `FROM webhook_events e JOIN webhook_providers p ON p.id = e.provider_id WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT ${COLUMNS} ${from} ORDER BY e.created_at DESC, e.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, pageOffset(q)],
    );
    return toPage(rows.map(toDto), total, q);
  }

  async get(ctx: RequestContext, id: string): Promise<WebhookEventDetailDto> {
    if (!isUuid(id)) throw IntegrationsError.webhook_event_not_found();
    const [row] = await this.dataSource.query<Array<EventRow & { attempts: WebhookAttemptDto[] }>>(
      `SELECT ${COLUMNS},
              ${ATTEMPTS} AS attempts
         FROM webhook_events e JOIN webhook_providers p ON p.id = e.provider_id
        WHERE e.id = $1 AND e.organization_id = $2`,
      [id, ctx.requireOrganizationId()],
    );
    if (!row) throw IntegrationsError.webhook_event_not_found();
    return { ...toDto(row), headers: row.headers, attempts: row.attempts };
  }

  /** Every processing attempt of one event of the organization (its retries), oldest first. */
  async attempts(ctx: RequestContext, id: string): Promise<WebhookAttemptDto[]> {
    if (!isUuid(id)) throw IntegrationsError.webhook_event_not_found();
    const [row] = await this.dataSource.query<Array<{ attempts: WebhookAttemptDto[] }>>(
      `SELECT ${ATTEMPTS} AS attempts FROM webhook_events e WHERE e.id = $1 AND e.organization_id = $2`,
      [id, ctx.requireOrganizationId()],
    );
    if (!row) throw IntegrationsError.webhook_event_not_found();
    return row.attempts;
  }
}
