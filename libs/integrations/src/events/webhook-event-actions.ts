import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUuid, PlatformError, type RequestContext } from '@atrium/platform';
import { IntegrationsError } from '../integrations.errors.js';
import { WebhookEventProcessing } from '../processing/webhook-event-processing.js';
import { WebhookEventScheduler } from '../processing/webhook-event-queue.js';
import type { ReplayResultDto, ReplayWebhookEventsDto, UpdateWebhookEventDto } from './dto/webhook-event-actions.dto.js';
import type { WebhookEventDetailDto, WebhookEventStatus } from './dto/webhook-event.dto.js';
import { WebhookEventReader } from './webhook-event-reader.js';

/** The most events one replay queues. */
export const REPLAY_MAX_EVENTS = 10_000;
/** What a replay without `force` re-processes: events whose effect has not happened. */
const UNSETTLED: WebhookEventStatus[] = ['received', 'processing', 'failed', 'dead'];

type EventHead = { id: string; status: WebhookEventStatus; event_type: string | null; external_id: string; provider_name: string };

/** An admin's hand on the event log: retry one event now, set its status, replay a window. Each is audited. */
@Injectable()
export class WebhookEventActions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: WebhookEventReader,
    private readonly processing: WebhookEventProcessing,
    private readonly scheduler: WebhookEventScheduler,
    private readonly audit: AuditWriter,
  ) {}

  /**
   * Processes the event now, in this request (a `dead` or `failed` one too); the answer is the event after the attempt.
   * A completed or ignored event → 409 `webhook_event_settled`.
   */
  async retryNow(ctx: RequestContext, id: string): Promise<WebhookEventDetailDto> {
    const head = await this.head(ctx, id);
    if (head.status === 'completed' || head.status === 'ignored') throw IntegrationsError.webhook_event_settled();
    await this.dataSource.transaction((em) =>
      this.audit.record(em, ctx, {
        action: 'webhook_event.retried',
        resourceType: 'webhook_event',
        resourceId: id,
        target: `${head.provider_name} ${head.external_id}`,
        before: { status: head.status },
      }),
    );
    await this.processing.process(ctx, id, undefined, { mode: 'manual' });
    return this.reader.get(ctx, id);
  }

  /** A manual fix of the status (completed, ignored or dead); a pending retry then finds the event settled. */
  async setStatus(ctx: RequestContext, id: string, dto: UpdateWebhookEventDto): Promise<WebhookEventDetailDto> {
    await this.dataSource.transaction(async (em) => {
      const head = await this.head(ctx, id, true, em);
      await em.query(
        `UPDATE webhook_events SET status = $2, next_attempt_at = NULL, processed_at = coalesce(processed_at, now()) WHERE id = $1`,
        [id, dto.status],
      );
      await this.audit.record(em, ctx, {
        action: 'webhook_event.status_changed',
        resourceType: 'webhook_event',
        resourceId: id,
        target: `${head.provider_name} ${head.external_id}`,
        before: { status: head.status },
        after: { status: dto.status },
      });
    });
    return this.reader.get(ctx, id);
  }

  /**
   * Queues the provider's events received in [from, to) for processing again: without `force`, only those whose effect
   * has not happened (received, processing, failed, dead), so completed effects stay once; with `force`, every event
   * in the window (or in `status`), completed ones included.
   */
  async replay(ctx: RequestContext, dto: ReplayWebhookEventsDto): Promise<ReplayResultDto> {
    if (new Date(dto.from) >= new Date(dto.to)) {
      throw PlatformError.validation_failed('from must be before to', [{ field: 'from', problems: ['from must be before to'] }]);
    }
    const organizationId = ctx.requireOrganizationId();
    const name = dto.provider.toLowerCase();
    const [provider] = await this.dataSource.query<Array<{ id: string; name: string }>>(
      `SELECT id, name FROM webhook_providers WHERE organization_id = $1 AND ${isUuid(name) ? 'id = $2::uuid' : 'name = $2 AND deleted_at IS NULL'}`,
      [organizationId, name],
    );
    if (!provider) throw IntegrationsError.provider_not_found();
    const statuses = dto.status ? [dto.status] : null;
    const events = await this.dataSource.query<Array<{ id: string; event_type: string | null }>>(
      `SELECT id, event_type FROM webhook_events
        WHERE organization_id = $1 AND provider_id = $2 AND created_at >= $3::timestamptz AND created_at < $4::timestamptz
          AND ($5::text[] IS NULL OR status = ANY ($5::text[])) AND ($6 OR status = ANY ($7::text[]))
        ORDER BY created_at, id LIMIT $8`,
      [organizationId, provider.id, dto.from, dto.to, statuses, dto.force === true, UNSETTLED, REPLAY_MAX_EVENTS + 1],
    );
    if (events.length > REPLAY_MAX_EVENTS) {
      throw IntegrationsError.replay_window_too_large(`The window holds more than ${REPLAY_MAX_EVENTS} events: narrow it`);
    }
    const replayId = randomUUID();
    await this.dataSource.transaction((em) =>
      this.audit.record(em, ctx, {
        action: 'webhook_events.replayed',
        resourceType: 'webhook_provider',
        resourceId: provider.id,
        target: provider.name,
        after: {
          replay_id: replayId,
          from: dto.from,
          to: dto.to,
          status: dto.status ?? null,
          force: dto.force === true,
          queued: events.length,
        },
      }),
    );
    if (events.length) {
      // The job's type is left out: a replay reads the stored row (a forced one may find a handler an ignored event lacked).
      await this.scheduler.enqueueNow(
        ctx,
        events.map((e) => ({ id: e.id, type: undefined })),
        dto.force ? 'forced' : 'manual',
        `replay:${replayId}`,
      );
    }
    return { queued: events.length, replay_id: replayId };
  }

  private async head(ctx: RequestContext, id: string, lock = false, em = this.dataSource.manager): Promise<EventHead> {
    if (!isUuid(id)) throw IntegrationsError.webhook_event_not_found();
    const [row] = await em.query<EventHead[]>(
      `SELECT e.id, e.status, e.event_type, e.external_id, p.name AS provider_name
         FROM webhook_events e JOIN webhook_providers p ON p.id = e.provider_id
        WHERE e.id = $1 AND e.organization_id = $2 ${lock ? 'FOR UPDATE OF e' : ''}`,
      [id, ctx.requireOrganizationId()],
    );
    if (!row) throw IntegrationsError.webhook_event_not_found();
    return row;
  }
}
