import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUniqueViolation, Outbox, type Page, pageOffset, type RequestContext, returnedRows, toPage } from '@atrium/platform';
import { IntegrationsError } from '../integrations.errors.js';
import { ProviderService } from '../providers/provider.service.js';
import type { SyncRunDto, TriggerSyncDto } from './dto/sync.dto.js';
import { SYNC_RUN_QUEUED, type SyncRunQueued } from './sync-queue.js';
import { RUN_COLUMNS, type RunRow, toRunDto } from './sync-runs.js';

/** Triggers data syncs (one queued or running per provider and type, enforced by the database) and lists their runs. */
@Injectable()
export class SyncService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly providers: ProviderService,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  /** Queues a run (audited); its job is queued by the outbox after the commit. 409 `sync_in_progress` while one is active. */
  async trigger(ctx: RequestContext, dto: TriggerSyncDto): Promise<SyncRunDto> {
    try {
      return await this.dataSource.transaction(async (em) => {
        const provider = await this.providers.get(ctx, dto.service_id, em);
        if (!provider.baseUrl) throw IntegrationsError.provider_has_no_base_url(undefined, { field: 'service_id' });
        const [row] = returnedRows<RunRow>(
          await em.query(
            `WITH r AS (
               INSERT INTO integration_sync_runs (organization_id, provider_id, sync_type, triggered_by) VALUES ($1, $2, $3, $4) RETURNING *)
             SELECT ${RUN_COLUMNS} FROM r JOIN webhook_providers p ON p.id = r.provider_id`,
            [provider.organizationId, provider.id, dto.sync_type, ctx.userId ?? null],
          ),
        );
        await this.audit.record(em, ctx, {
          action: 'integration_sync.triggered',
          resourceType: 'integration_sync',
          resourceId: row.id,
          target: provider.name,
          after: { provider_id: provider.id, provider: provider.name, sync_type: dto.sync_type },
        });
        const payload: SyncRunQueued = { sync_run_id: row.id };
        this.outbox.add(em, { name: SYNC_RUN_QUEUED, organizationId: provider.organizationId, payload, requestId: ctx.requestId });
        return toRunDto(row);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_integration_sync_runs_active')) {
        throw IntegrationsError.sync_in_progress(undefined, { service_id: dto.service_id, sync_type: dto.sync_type });
      }
      throw err;
    }
  }

  /** The organization's runs, newest first. */
  async list(ctx: RequestContext, q: { page: number; limit: number }): Promise<Page<SyncRunDto>> {
    const org = ctx.requireOrganizationId();
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM integration_sync_runs WHERE organization_id = $1`,
      [org],
    );
    const rows = await this.dataSource.query<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM integration_sync_runs r JOIN webhook_providers p ON p.id = r.provider_id
        WHERE r.organization_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3`,
      [org, q.limit, pageOffset(q)],
    );
    return toPage(rows.map(toRunDto), total, q);
  }
}
