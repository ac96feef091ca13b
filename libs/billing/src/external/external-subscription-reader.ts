import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoSql, type Page, pageOffset, type RequestContext, toPage } from '@atrium/platform';
import type { ExternalSubscriptionDto } from './dto/external-subscription.dto.js';

/** The organization's subscriptions at partner payment services (from their webhooks), newest first. */
@Injectable()
export class ExternalSubscriptionReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(ctx: RequestContext, q: { page: number; limit: number }): Promise<Page<ExternalSubscriptionDto>> {
    const organizationId = ctx.requireOrganizationId();
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM external_subscriptions WHERE organization_id = $1`,
      [organizationId],
    );
    const rows = await this.dataSource.query<ExternalSubscriptionDto[]>(
      `SELECT id, provider, external_id, external_user_id, plan, status, amount_minor::float8 AS amount_minor, currency, last_event_type,
              ${isoSql('cancelled_at')} AS cancelled_at, ${isoSql('created_at')} AS created_at, ${isoSql('updated_at')} AS updated_at
         FROM external_subscriptions WHERE organization_id = $1
        ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [organizationId, q.limit, pageOffset(q)],
    );
    return toPage(rows, total, q);
  }
}
